package org.arrhythmiamonitor.alerting.lifecycle;

import org.arrhythmiamonitor.wire.v1.AlertState;

/** A lifecycle step the alert's state does not allow, such as acknowledging a resolved alert (HTTP 409). */
public final class TransitionException extends RuntimeException {
    public TransitionException(String alertId, AlertState state, String action, String hint) {
        super("cannot " + action + " alert " + alertId + ": it is " + Priorities.name(state)
                + (hint != null ? "; " + hint : ""));
    }
}
