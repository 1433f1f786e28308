package org.arrhythmiamonitor.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

class EnvironmentDefaultsTest {
    /** PATH is set wherever the tests run, and is no number. */
    @Command(name = "probe")
    static final class Probe implements Runnable {
        @Option(names = "--port", defaultValue = "${env:PATH:-8080}")
        int port;

        @Override
        public void run() {
        }
    }

    private static String refusal(String... args) {
        StringWriter err = new StringWriter();
        CommandLine commandLine = new CommandLine(new Probe()).setParameterExceptionHandler(Monitor::refused);
        commandLine.setErr(new PrintWriter(err, true));
        assertThat(commandLine.execute(args)).isEqualTo(2);
        return err.toString();
    }

    @Test
    void aVariableStandingInForAnAbsentFlagIsNamedWhenItsValueIsRefused() {
        assertThat(refusal()).startsWith("Invalid value of the environment variable PATH, which sets --port when "
                + "the flag is not given: '" + System.getenv("PATH")
                + "' is not an int").contains("Usage: probe");
    }

    @Test
    void aFlagGivenIsRefusedUnderItsOwnName() {
        assertThat(refusal("--port", "abc")).startsWith("Invalid value for option '--port': 'abc' is not an int");
    }
}
