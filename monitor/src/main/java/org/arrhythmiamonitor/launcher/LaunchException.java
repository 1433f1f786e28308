package org.arrhythmiamonitor.launcher;

/** A service could not start, for a reason the operator can fix; its message says what to do. */
public final class LaunchException extends RuntimeException {
    public LaunchException(String message, Throwable cause) {
        super(message, cause);
    }
}
