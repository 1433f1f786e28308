package org.arrhythmiamonitor.ingest;

/** A chunk the gateway will not accept, with the JSON field at fault and why. */
public final class ChunkRejectedException extends RuntimeException {
    private final String error;
    private final String field;

    public ChunkRejectedException(String error, String field, String detail) {
        super(detail);
        this.error = error;
        this.field = field;
    }

    /** Machine-readable reason, also the {@code reason} tag of the rejection metric. */
    public String error() {
        return error;
    }

    /** The offending field, or null when the problem is the body as a whole. */
    public String field() {
        return field;
    }
}
