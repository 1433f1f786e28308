package org.arrhythmiamonitor.launcher;

import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/**
 * A flag's text read by a parser that speaks of the value, not of the flag: a refusal names the
 * flag, so the operator knows which of the command line's values to change.
 */
final class FlagValue {
    private FlagValue() {
    }

    /** {@code parser} applied to {@code value}; its refusal is reported as {@code flag: reason}. */
    static <T> T parse(String flag, String value, Function<String, T> parser) {
        try {
            return parser.apply(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(flag + ": " + e.getMessage(), e);
        }
    }

    /** The same, its refusal a usage error of {@code commandLine} (exit status 2). */
    static <T> T parse(CommandLine commandLine, String flag, String value, Function<String, T> parser) {
        try {
            return parse(flag, value, parser);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(commandLine, e.getMessage(), e);
        }
    }
}
