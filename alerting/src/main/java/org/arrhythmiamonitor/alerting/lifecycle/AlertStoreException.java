package org.arrhythmiamonitor.alerting.lifecycle;

/** A change could not be stored in Kafka, so it was not made (HTTP 503; the feed retries). */
public final class AlertStoreException extends RuntimeException {
    public AlertStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
