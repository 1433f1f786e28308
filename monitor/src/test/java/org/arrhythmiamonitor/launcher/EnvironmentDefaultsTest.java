package org.arrhythmiamonitor.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

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

    /** A value picocli reads, and the command then refuses, as a service refuses a setting. */
    @Command(name = "probe")
    static final class Refusing implements Runnable {
        @Option(names = "--path", defaultValue = "${env:PATH:-none}")
        String path;

        @Option(names = "--path-list", defaultValue = "${env:PATH:-none}")
        String pathList;

        @Option(names = "--shell")
        String shell;

        @Override
        public void run() {
            if (shell != null) {
                // Only the longer flag named: --path, a prefix of it, must not be taken for it.
                throw new IllegalArgumentException("--path-list must be short");
            }
            throw new IllegalArgumentException("--path must be short, got " + path.length()
                    + " characters; --path-list too");
        }
    }

    /** A value the command refuses as a bad option (status 2), as the one-off commands do. */
    @Command(name = "probe")
    static final class RefusingAsBadOption implements Runnable {
        @Spec
        CommandSpec spec;

        @Option(names = "--path", defaultValue = "${env:PATH:-none}")
        String path;

        @Override
        public void run() {
            throw new ParameterException(spec.commandLine(), "--path must be short");
        }
    }

    @Test
    void aBadOptionTheCommandRefusesIsNamedWithTheVariableThatGaveIt() {
        StringWriter err = new StringWriter();
        CommandLine commandLine = new CommandLine(new RefusingAsBadOption())
                .setParameterExceptionHandler(Monitor::refused);
        commandLine.setErr(new PrintWriter(err, true));
        assertThat(commandLine.execute()).isEqualTo(2);
        assertThat(err.toString()).startsWith("--path (from PATH) must be short").contains("Usage: probe");
    }

    private static String failure(String... args) {
        StringWriter err = new StringWriter();
        CommandLine commandLine = new CommandLine(new Refusing()).setExecutionExceptionHandler(Monitor::failed);
        commandLine.setErr(new PrintWriter(err, true));
        assertThat(commandLine.execute(args)).isEqualTo(1);
        return err.toString().strip();
    }

    @Test
    void aValueRefusedAfterReadingIsNamedWithTheVariableThatGaveIt() {
        int length = System.getenv("PATH").length();
        assertThat(failure()).isEqualTo("monitor probe: --path (from PATH) must be short, got " + length
                + " characters; --path-list (from PATH) too");
        assertThat(failure("--path", "/given")).isEqualTo("monitor probe: --path must be short, got 6 characters; "
                + "--path-list (from PATH) too");
        assertThat(failure("--shell", "sh")).isEqualTo("monitor probe: --path-list (from PATH) must be short");
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
