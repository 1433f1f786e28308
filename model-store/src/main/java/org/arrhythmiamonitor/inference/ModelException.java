package org.arrhythmiamonitor.inference;

/** A model that cannot be used: missing, damaged, or not the model its card describes. */
public final class ModelException extends RuntimeException {
    public ModelException(String message) {
        super(message);
    }

    public ModelException(String message, Throwable cause) {
        super(message, cause);
    }
}
