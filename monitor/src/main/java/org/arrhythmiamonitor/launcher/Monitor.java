package org.arrhythmiamonitor.launcher;

import java.util.concurrent.CompletionException;
import org.apache.kafka.common.KafkaException;
import org.arrhythmiamonitor.inference.ModelException;
import org.arrhythmiamonitor.kafka.KafkaUnavailableException;
import org.arrhythmiamonitor.wfdb.WfdbFormatException;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;
import picocli.CommandLine.UnmatchedArgumentException;

/** {@code bin/monitor}: the one entry point to the demo and to every service. */
@Command(name = "monitor", mixinStandardHelpOptions = true, version = "Arrhythmia Monitor 0.1.0",
        description = "Streaming, real-time arrhythmia monitor for wearable ECG devices.",
        subcommands = {DemoCommand.class, GatewayCommand.class, ProcessorCommand.class, AlertingCommand.class,
            EvalCommand.class, NoiseStressCommand.class, SynthCommand.class, SimulateCommand.class,
            DatasetCommand.class, HashPasswordCommand.class, CommandLine.HelpCommand.class})
public final class Monitor implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        // Logback reads a -DLOG_LEVEL before the environment's.
        String level = System.getProperty("LOG_LEVEL", System.getenv("LOG_LEVEL"));
        if (level != null && level.isBlank()) {
            // Set but empty (LOG_LEVEL: ${LOG_LEVEL} in a compose file): the default, not logback's DEBUG.
            System.setProperty("LOG_LEVEL", "INFO");
        }
        String badLevel = logLevelProblem(level);
        if (badLevel != null) {
            System.err.println("monitor: " + badLevel);
            System.exit(2);
        }
        System.exit(commandLine().execute(args));
    }

    /**
     * Why {@code LOG_LEVEL} cannot be used, or null when it can (or is not set). Logback reads an
     * unknown level as DEBUG, which floods the log of the operator who mistyped WARN.
     */
    static String logLevelProblem(String level) {
        if (level == null || level.isBlank() || level.strip().toUpperCase(java.util.Locale.ROOT)
                .matches("TRACE|DEBUG|INFO|WARN|ERROR|OFF|ALL")) {
            return null;
        }
        return "LOG_LEVEL must be one of TRACE, DEBUG, INFO, WARN, ERROR, OFF or ALL, got '" + level + "'";
    }

    /** The command line with error handling that explains a failed start in one line, without a stack trace. */
    public static CommandLine commandLine() {
        CommandLine monitor = new CommandLine(new Monitor())
                .setParameterExceptionHandler(Monitor::refused)
                .setExecutionExceptionHandler(Monitor::failed)
                .setExecutionStrategy(Monitor::refuseUnmatched);
        // Each command offers -V as the standard options do; it printed nothing, having no version of its own.
        String[] version = monitor.getCommandSpec().version();
        monitor.getSubcommands().values().forEach(command -> command.getCommandSpec().version(version));
        return monitor;
    }

    /**
     * Runs the command unless an argument matched nothing. Picocli stops checking arguments once
     * --help is among them, so {@code monitor bogus --help} printed the usage and exited 0, and a
     * script that mistyped a command read that as success.
     */
    private static int refuseUnmatched(ParseResult parsed) {
        for (ParseResult command = parsed; command != null; command = command.subcommand()) {
            if (!command.unmatched().isEmpty()) {
                throw new UnmatchedArgumentException(command.commandSpec().commandLine(), command.unmatched());
            }
        }
        return new CommandLine.RunLast().execute(parsed);
    }

    /** A command that failed: in one line when the operator can fix it, else logged with its stack trace. */
    static int failed(Exception e, CommandLine cmd, ParseResult parsed) {
        Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        if (isOperational(cause)) {
            cmd.getErr().println("monitor " + cmd.getCommandName() + ": "
                    + EnvironmentDefaults.annotate(cause.getMessage(), cmd, System::getenv));
            return 1;
        }
        LoggerFactory.getLogger(Monitor.class).error("monitor {} failed", cmd.getCommandName(), cause);
        return 1;
    }

    /**
     * A value the command line (or a variable standing in for a flag) cannot give: said, as picocli
     * would, with the usage, but naming the variable when it gave the value.
     */
    static int refused(ParameterException e, String[] args) {
        CommandLine cmd = e.getCommandLine();
        cmd.getErr().println(cmd.getColorScheme().errorText(EnvironmentDefaults.message(e, args, System::getenv)));
        if (!UnmatchedArgumentException.printSuggestions(e, cmd.getErr())) {
            cmd.usage(cmd.getErr(), cmd.getColorScheme());
        }
        return cmd.getCommandSpec().exitCodeOnInvalidInput();
    }

    /**
     * Failures an operator causes and can fix (a port, an address, a directory, a setting): their
     * message says what to do, and a stack trace would only hide it.
     */
    private static boolean isOperational(Throwable e) {
        return e instanceof LaunchException || e instanceof KafkaUnavailableException
                || e instanceof IllegalArgumentException || e instanceof KafkaException
                || e instanceof WfdbFormatException || e instanceof java.io.UncheckedIOException
                || e instanceof ModelException;
    }
}
