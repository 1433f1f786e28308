package org.arrhythmiamonitor.alerting.lifecycle;

/** A change could not be stored in Kafka, so it was not made (HTTP 503; the feed retries). */
public final class AlertStoreException extends RuntimeException {
    private final boolean fenced;

    public AlertStoreException(String message, Throwable cause) {
        this(message, cause, false);
    }

    public AlertStoreException(String message, Throwable cause, boolean fenced) {
        super(message, cause);
        this.fenced = fenced;
    }

    /** Another instance took over the store: retrying cannot help. */
    public boolean fenced() {
        return fenced;
    }
}
