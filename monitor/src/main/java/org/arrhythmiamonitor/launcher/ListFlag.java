package org.arrhythmiamonitor.launcher;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;

/**
 * A comma-separated flag whose values each name one output or one scored item. Given but empty
 * ({@code --snr ,}) it names nothing, which would run nothing and still succeed; a value given
 * twice would write the same files twice, or count the same item twice. Both are lists gone wrong.
 */
final class ListFlag {
    private ListFlag() {
    }

    /**
     * Refuses {@code values} of {@code flag} when the flag was given and is empty, has an empty value
     * between or after its commas, or lists one value twice (as its parsed value: {@code --snr 6,06} is 6 twice).
     *
     * @param noun what one value is, for "--snr names no SNR"
     */
    static <T> void check(CommandLine commandLine, String flag, String noun, List<T> values) {
        OptionSpec given = commandLine.getParseResult().matchedOption(flag);
        if (values.isEmpty() && given != null) {
            throw new ParameterException(commandLine, flag + " names no " + noun);
        }
        for (String text : given == null ? List.<String>of() : given.originalStringValues()) {
            // A stray comma is a name left out; split dropped a trailing one, and "101," read as 101 alone.
            if (text.startsWith(",") || text.endsWith(",") || text.contains(",,")) {
                throw new ParameterException(commandLine, flag + ": '" + text + "' leaves a " + noun
                        + " out (a comma with no name before or after it)");
            }
        }
        Set<T> seen = new HashSet<>();
        for (T value : values) {
            if (!seen.add(value)) {
                throw new ParameterException(commandLine, flag + ": " + value + " is listed twice");
            }
        }
    }
}
