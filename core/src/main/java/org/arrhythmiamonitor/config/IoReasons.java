package org.arrhythmiamonitor.config;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Why a file operation failed, in words. Java's NoSuchFileException and AccessDeniedException carry
 * only a path as their message, so "cannot read rules.json: rules.json" said where but not why.
 */
public final class IoReasons {
    private IoReasons() {
    }

    /**
     * Why, for a message that names {@code subject} already: the path is said again only when the
     * failure was on another one (a parent directory, say).
     */
    public static String of(IOException e, Path subject) {
        String file = e instanceof FileSystemException f ? f.getFile() : null;
        String where = file == null || subject != null && file.equals(subject.toString()) ? "" : " (" + file + ")";
        if (e instanceof NoSuchFileException) {
            return "does not exist" + where;
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied" + where;
        }
        if (e instanceof FileSystemException other && other.getReason() != null) {
            return other.getReason() + where;
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }
}
