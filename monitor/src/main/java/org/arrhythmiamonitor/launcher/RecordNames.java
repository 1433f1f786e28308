package org.arrhythmiamonitor.launcher;

import java.util.List;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/**
 * Record names of a flag such as {@code --records}: plain names of records in a database directory.
 * A path ({@code ./100}) would name the same record past the DS2 check of {@code monitor dataset},
 * or point outside the directory ({@code ../mitdb/118}) and give an output file name that cannot
 * be written; a name given twice would be counted, or written, twice; and an empty list (from
 * {@code --records ,}) names nothing: not "every record", but a list gone wrong.
 */
final class RecordNames {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]+");

    private RecordNames() {
    }

    /** Checks {@code --records}, names of records in {@code --db}. */
    static void check(CommandLine commandLine, List<String> names) {
        check(commandLine, "--records", "--db", names);
    }

    /** Checks {@code flag}, names of records whose headers are read from the directory of {@code dbFlag}. */
    static void check(CommandLine commandLine, String flag, String dbFlag, List<String> names) {
        ListFlag.check(commandLine, flag, "record", names);
        for (String name : names) {
            if (!NAME.matcher(name).matches()) {
                throw new ParameterException(commandLine, flag + ": '" + name + "' is not a record name (letters, "
                        + "digits, '_' and '-'; the record's header is read from " + dbFlag + ")");
            }
        }
    }
}
