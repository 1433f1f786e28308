package org.arrhythmiamonitor.wfdb;

/** A WFDB file that cannot be read as such: missing, truncated, corrupt or of an unsupported format. */
public final class WfdbFormatException extends RuntimeException {
    public WfdbFormatException(String message) {
        super(message);
    }

    public WfdbFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
