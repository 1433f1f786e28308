package org.arrhythmiamonitor.alerting.lifecycle;

/**
 * A change could not be stored in Kafka, so it was not made (HTTP 503; the feed retries), or, with
 * {@link #outcomeUnknown}, Kafka did not say whether it was. Whether trying again can help differs:
 * not after the store was {@link #fenced} or {@link #untilRestart broken}, nor for a record
 * {@link #tooLarge} for Kafka.
 */
public final class AlertStoreException extends RuntimeException {
    private final boolean fenced;
    private final boolean outcomeUnknown;
    private final boolean untilRestart;

    public AlertStoreException(String message, Throwable cause) {
        this(message, cause, false, false, false);
    }

    public AlertStoreException(String message, Throwable cause, boolean fenced, boolean outcomeUnknown) {
        this(message, cause, fenced, outcomeUnknown, fenced || outcomeUnknown);
    }

    private AlertStoreException(String message, Throwable cause, boolean fenced, boolean outcomeUnknown,
            boolean untilRestart) {
        super(message, cause);
        this.fenced = fenced;
        this.outcomeUnknown = outcomeUnknown;
        this.untilRestart = untilRestart;
    }

    /** The store refuses every change until the service is restarted (a producer error Kafka calls fatal). */
    public static AlertStoreException broken(String message, Throwable cause) {
        return new AlertStoreException(message, cause, false, false, true);
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

    /** This instance changes nothing more until it is restarted: fenced, broken, or after an unknown outcome. */
    public boolean untilRestart() {
        return untilRestart;
    }
}
