package org.arrhythmiamonitor.alerting.lifecycle;

/**
 * A change could not be stored in Kafka, so it was not made (HTTP 503; the feed retries), or, with
 * {@link #outcomeUnknown}, Kafka did not say whether it was.
 */
public final class AlertStoreException extends RuntimeException {
    private final boolean fenced;
    private final boolean outcomeUnknown;

    public AlertStoreException(String message, Throwable cause) {
        this(message, cause, false, false);
    }

    public AlertStoreException(String message, Throwable cause, boolean fenced, boolean outcomeUnknown) {
        super(message, cause);
        this.fenced = fenced;
        this.outcomeUnknown = outcomeUnknown;
    }

    /** Kafka may or may not have stored the change: neither "done" nor "nothing changed" is true. */
    public boolean outcomeUnknown() {
        return outcomeUnknown;
    }

    /** The record is larger than Kafka accepts: retrying the same change cannot succeed. */
    public boolean tooLarge() {
        return getCause() instanceof org.apache.kafka.common.errors.RecordTooLargeException;
    }

    /** Another instance took over the store: retrying cannot help. */
    public boolean fenced() {
        return fenced;
    }
}
