package org.arrhythmiamonitor.launcher;

import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/**
 * A directory a command reads, checked before it starts: an empty path ({@code --db ''}) is the
 * current directory only by accident, and a directory that is not there is a bad option (status
 * 2), not a failure of each record in it.
 */
final class InputPaths {
    private InputPaths() {
    }

    static void directory(CommandLine commandLine, String flag, Path dir) {
        if (dir.toString().isEmpty()) {
            throw new ParameterException(commandLine, flag + " must name a directory, got an empty path (for the "
                    + "current directory, give .)");
        }
        if (!Files.isDirectory(dir)) {
            throw new ParameterException(commandLine, flag + ": " + dir + (Files.exists(dir)
                    ? " is not a directory" : " does not exist"));
        }
    }
}
