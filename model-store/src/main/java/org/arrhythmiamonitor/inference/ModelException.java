package org.arrhythmiamonitor.inference;

/** A model that cannot be used: missing, damaged, or not the model its card describes. */
public class ModelException extends RuntimeException {
    public ModelException(String message) {
        super(message);
    }

    public ModelException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * The file is not the one its card describes (sha256). While a model is being copied into the
     * model directory after its card, every check reads another digest: it is one problem.
     */
    public static final class DigestMismatch extends ModelException {
        public DigestMismatch(String message) {
            super(message);
        }
    }
}
