package org.arrhythmiamonitor.ingest;

/** A chunk or request the gateway will not accept: the HTTP status, the field at fault and why. */
public final class ChunkRejectedException extends RuntimeException {
    private final int status;
    private final String error;
    private final String field;

    /** A 400: the chunk itself is wrong. */
    public ChunkRejectedException(String error, String field, String detail) {
        this(400, error, field, detail);
    }

    public ChunkRejectedException(int status, String error, String field, String detail) {
        super(detail);
        this.status = status;
        this.error = error;
        this.field = field;
    }

    public int status() {
        return status;
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
