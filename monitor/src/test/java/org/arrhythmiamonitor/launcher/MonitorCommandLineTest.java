package org.arrhythmiamonitor.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

/** What an operator sees when a command cannot start: one clear line and a non-zero exit, no stack trace. */
class MonitorCommandLineTest {
    @TempDir
    Path dataDir;

    private record Outcome(int exitCode, String err) {
    }

    /** Runs the command line and fails if anything was logged with a stack trace. */
    private static Outcome run(String... args) {
        StringWriter err = new StringWriter();
        CommandLine commandLine = Monitor.commandLine();
        commandLine.setErr(new PrintWriter(err, true));
        Logger root = (Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        logged.start();
        root.addAppender(logged);
        int code;
        try {
            code = commandLine.execute(args);
        } finally {
            root.detachAppender(logged);
        }
        assertThat(logged.list).as("events logged with a stack trace")
                .noneMatch(event -> event.getThrowableProxy() != null && event.getLevel().isGreaterOrEqual(Level.ERROR));
        return new Outcome(code, err.toString());
    }

    @Test
    void anInvalidPortIsExplained() {
        Outcome outcome = run("gateway", "--port", "70000", "--bootstrap-servers", "localhost:1");
        assertThat(outcome.exitCode()).isEqualTo(1);
        assertThat(outcome.err()).contains("httpPort must be 0-65535");
    }

    @Test
    void anInvalidInFlightCapIsExplainedInTheFlagsOwnUnit() {
        Outcome outcome = run("gateway", "--max-inflight-mb", "-5", "--bootstrap-servers", "localhost:1");
        assertThat(outcome.exitCode()).isEqualTo(1);
        assertThat(outcome.err()).contains("--max-inflight-mb must be 1-1048576 (MiB), got -5")
                .doesNotContain("maxInFlightBytes");
    }

    @Test
    void aTakenKafkaPortIsExplainedWithTheFlagToChange() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            Outcome outcome = run("demo", "--data-dir", dataDir.toString(),
                    "--kafka-port", String.valueOf(taken.getLocalPort()));
            assertThat(outcome.exitCode()).isEqualTo(1);
            assertThat(outcome.err()).contains("is in use").contains("--kafka-port");
        }
    }

    @Test
    void anUnreachableKafkaIsExplained() {
        Outcome outcome = run("alerting", "--bootstrap-servers", "127.0.0.1:1", "--port", "0");
        assertThat(outcome.exitCode()).isEqualTo(1);
        assertThat(outcome.err()).contains("127.0.0.1:1");
    }

    @Test
    void anUnresolvableKafkaAddressIsExplained() {
        Outcome outcome = run("gateway", "--bootstrap-servers", "no-such-host.invalid:9092", "--port", "0");
        assertThat(outcome.exitCode()).isEqualTo(1);
        assertThat(outcome.err()).contains("no-such-host.invalid:9092");
    }

    @Test
    void episodeRuleMistakesNameTheKeyAndStopTheDemoBeforeItsBrokerStarts() throws Exception {
        Path unknownKey = Files.writeString(dataDir.resolve("unknown-key.json"), "{\"pauseSec\": 5}");
        Outcome processor = run("processor", "--episode-rules", unknownKey.toString(),
                "--bootstrap-servers", "127.0.0.1:1");
        assertThat(processor.exitCode()).isEqualTo(1);
        assertThat(processor.err()).contains("episode rules: unknown setting 'pauseSec'; known: [")
                .contains("pauseS,");

        Path wrongType = Files.writeString(dataDir.resolve("wrong-type.json"), "{\"pauseS\": \"x\"}");
        Path demoData = dataDir.resolve("demo");
        Outcome demo = run("demo", "--data-dir", demoData.toString(), "--kafka-port", String.valueOf(freePort()),
                "--episode-rules", wrongType.toString());
        assertThat(demo.exitCode()).isEqualTo(1);
        assertThat(demo.err()).contains("episode rules: pauseS must be a number, got \"x\"")
                .doesNotContain("ClassCastException").doesNotContain("java.lang");
        assertThat(demoData.resolve("kafka")).as("no broker was started").doesNotExist();
    }

    @Test
    void aSettingOfTheWrongTypeInTheAlertingConfigIsOneLine() throws Exception {
        Path settings = Files.writeString(dataDir.resolve("alerting.json"), "{\"sessionTimeoutMinutes\": \"thirty\"}");
        Outcome outcome = run("alerting", "--config", settings.toString(), "--bootstrap-servers", "127.0.0.1:1",
                "--port", "0");
        assertThat(outcome.exitCode()).isEqualTo(1);
        assertThat(outcome.err().strip()).isEqualTo(
                "monitor alerting: alerting: sessionTimeoutMinutes must be a whole number, got \"thirty\"");
    }

    @Test
    void aNegativeNumberOfSimulatedPatientsIsRefused() throws Exception {
        Path demoData = dataDir.resolve("demo");
        Outcome outcome = run("demo", "--data-dir", demoData.toString(), "--kafka-port", String.valueOf(freePort()),
                "--simulate", "-3");
        assertThat(outcome.exitCode()).isEqualTo(1);
        assertThat(outcome.err()).contains("--simulate must be 0 (no simulated patients) or more, got -3");
        assertThat(demoData.resolve("kafka")).doesNotExist();
    }

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Test
    void aWfdbRecordWithoutSignalsIsExplained() throws Exception {
        Files.writeString(dataDir.resolve("syn-normal.hea"), "syn-normal 0 360 216382\n");
        Outcome outcome = run("simulate", "--source", "wfdb:" + dataDir, "--gateway", "http://127.0.0.1:1");
        assertThat(outcome.exitCode()).isEqualTo(1);
        assertThat(outcome.err()).contains("syn-normal.hea: record line declares 0 signals");
    }

    @Test
    void unknownOptionsAreRejectedWithUsage() {
        Outcome outcome = run("demo", "--no-such-flag");
        assertThat(outcome.exitCode()).isEqualTo(2);
        assertThat(outcome.err()).contains("Unknown option: '--no-such-flag'");
    }
}
