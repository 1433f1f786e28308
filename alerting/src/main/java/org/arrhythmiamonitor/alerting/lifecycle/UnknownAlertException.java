package org.arrhythmiamonitor.alerting.lifecycle;

/** No alert with this id is known (HTTP 404). */
public final class UnknownAlertException extends RuntimeException {
    public UnknownAlertException(String alertId) {
        super("no alert with id " + alertId);
    }
}
