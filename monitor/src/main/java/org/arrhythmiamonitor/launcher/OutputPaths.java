package org.arrhythmiamonitor.launcher;

import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/**
 * Where a command will write, checked before it starts: a run of many minutes that ends in "cannot
 * write" has wasted them, and an empty path ({@code --out ''}) is the current directory only by
 * accident. Nothing is created here; the command creates what it needs when it writes.
 */
final class OutputPaths {
    private OutputPaths() {
    }

    /** Refuses {@code dir} of {@code flag} unless it is, or can be created as, a directory. */
    static void directory(CommandLine commandLine, String flag, Path dir) {
        if (dir.toString().isEmpty()) {
            throw new ParameterException(commandLine, flag + " must name a directory, got an empty path "
                    + "(for the current directory, give .)");
        }
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new ParameterException(commandLine, flag + ": " + dir + " is a file, not a directory");
        }
        creatable(commandLine, flag, dir);
    }

    /** Refuses {@code file} of {@code flag} unless it can be written, its directory created if need be. */
    static void file(CommandLine commandLine, String flag, Path file) {
        if (file.toString().isEmpty()) {
            throw new ParameterException(commandLine, flag + " must name a file, got an empty path");
        }
        if (Files.isDirectory(file)) {
            throw new ParameterException(commandLine, flag + ": " + file + " is a directory; name the file to write");
        }
        if (Files.exists(file)) {
            if (!Files.isWritable(file)) {
                throw new ParameterException(commandLine, flag + ": cannot write " + file + " (no permission)");
            }
            return;
        }
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            creatable(commandLine, flag, parent);
        }
    }

    /**
     * The nearest existing path at or above {@code dir} must be a directory the process can write in:
     * {@code dir} itself, to write into it, or the one that {@code dir} will be created in.
     */
    private static void creatable(CommandLine commandLine, String flag, Path dir) {
        Path existing = dir.toAbsolutePath();
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing == null) {
            return;
        }
        if (!Files.isDirectory(existing)) {
            throw new ParameterException(commandLine, flag + ": cannot create " + dir + ": " + existing
                    + " is a file, not a directory");
        }
        if (!Files.isWritable(existing)) {
            throw new ParameterException(commandLine, flag + ": cannot write in " + existing + " (no permission)");
        }
    }
}
