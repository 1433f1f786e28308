package org.arrhythmiamonitor.wfdb;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * What a WFDB file must be before it is read whole: a regular file of a size that fits. Read as
 * it came, a file over 2 GiB ended the run with an OutOfMemoryError and no report, and a pipe or
 * {@code /dev/zero} was read forever.
 */
final class WfdbFiles {
    /** A day of three signals at 1000 Hz in format 16 is about 520 MB. */
    static final long MAX_SIGNAL_BYTES = 1L << 30;
    /** A day of beats at 300 a minute is about 1 MB of annotations. */
    static final long MAX_ANNOTATION_BYTES = 64L << 20;
    static final long MAX_HEADER_BYTES = 1L << 20;

    private WfdbFiles() {
    }

    /**
     * @param what the file's kind, as messages name it ("signal file")
     * @throws java.nio.file.NoSuchFileException when it does not exist (each reader says so in its own words)
     * @return its size in bytes
     * @throws WfdbFormatException when it is no regular file or holds more than {@code maxBytes}
     */
    static long requireReadable(Path file, String what, long maxBytes) throws IOException {
        BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
        if (!attributes.isRegularFile()) {
            throw new WfdbFormatException(what + " " + file + " is not a regular file (a directory, a device or a "
                    + "pipe)");
        }
        if (attributes.size() > maxBytes) {
            throw new WfdbFormatException(what + " " + file + " holds " + attributes.size() + " bytes, more than the "
                    + maxBytes + " this reader takes; split the record into shorter ones");
        }
        return attributes.size();
    }

    /**
     * Refuses a signal file the heap cannot hold as it is read: its bytes, the samples as ints,
     * then a lead in millivolts as doubles, about eight times its size at once. Under the size
     * limit a file still ended the run with an OutOfMemoryError in a smaller heap.
     */
    static void requireMemoryFor(Path file, long bytes) {
        long needed = 8 * bytes;
        long available = Runtime.getRuntime().maxMemory();
        if (needed > available) {
            throw new WfdbFormatException("signal file " + file + " (" + bytes / (1 << 20) + " MiB) needs about "
                    + needed / (1 << 20) + " MiB of memory to read, more than this JVM's " + available / (1 << 20)
                    + " MiB; give it more (MONITOR_JAVA_OPTS=-Xmx...) or split the record");
        }
    }
}
