package org.arrhythmiamonitor.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** What an operator sees when a command cannot start: one clear line and a non-zero exit, no stack trace. */
class MonitorCommandLineTest {
    @TempDir
    Path dataDir;

    private record Outcome(int exitCode, String err) {
    }

    private static Outcome run(String... args) {
        StringWriter err = new StringWriter();
        CommandLine commandLine = Monitor.commandLine();
        commandLine.setErr(new PrintWriter(err, true));
        int code = commandLine.execute(args);
        return new Outcome(code, err.toString());
    }

    @Test
    void anInvalidPortIsExplained() {
        Outcome outcome = run("gateway", "--port", "70000", "--bootstrap-servers", "localhost:1");
        assertThat(outcome.exitCode()).isEqualTo(1);
        assertThat(outcome.err()).contains("httpPort must be 0-65535").doesNotContain("\tat ");
    }

    @Test
    void aTakenKafkaPortIsExplainedWithTheFlagToChange() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            Outcome outcome = run("demo", "--data-dir", dataDir.toString(),
                    "--kafka-port", String.valueOf(taken.getLocalPort()));
            assertThat(outcome.exitCode()).isEqualTo(1);
            assertThat(outcome.err()).contains("is in use").contains("--kafka-port").doesNotContain("\tat ");
        }
    }

    @Test
    void anUnreachableKafkaIsExplained() {
        Outcome outcome = run("alerting", "--bootstrap-servers", "127.0.0.1:1", "--port", "0");
        assertThat(outcome.exitCode()).isEqualTo(1);
        assertThat(outcome.err()).contains("127.0.0.1:1").doesNotContain("\tat ");
    }

    @Test
    void unknownOptionsAreRejectedWithUsage() {
        Outcome outcome = run("demo", "--no-such-flag");
        assertThat(outcome.exitCode()).isEqualTo(2);
        assertThat(outcome.err()).contains("Unknown option: '--no-such-flag'");
    }
}
