package org.arrhythmiamonitor.launcher;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/**
 * The record names of {@code --records}: plain names of records in {@code --db}. A path ({@code ./100})
 * would name the same record past the DS2 check of {@code monitor dataset}, a name given twice would
 * be counted twice, and an empty one (from {@code --records ,,}) names nothing, as does an empty
 * list: not "every record", but a list gone wrong.
 */
final class RecordNames {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]+");

    private RecordNames() {
    }

    static void check(CommandLine commandLine, List<String> names) {
        if (names.isEmpty() && commandLine.getParseResult().hasMatchedOption("--records")) {
            throw new ParameterException(commandLine, "--records names no record");
        }
        Set<String> seen = new HashSet<>();
        for (String name : names) {
            if (!NAME.matcher(name).matches()) {
                throw new ParameterException(commandLine, "--records: '" + name + "' is not a record name (letters, "
                        + "digits, '_' and '-'; the record's header is read from --db)");
            }
            if (!seen.add(name)) {
                throw new ParameterException(commandLine, "--records: " + name + " is listed twice");
            }
        }
    }
}
