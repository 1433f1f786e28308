package org.arrhythmiamonitor.ingest;

/** A chunk or request the gateway will not accept: the HTTP status, the field at fault and why. */
public final class ChunkRejectedException extends RuntimeException {
    private final int status;
    private final String error;
    private final String field;
    private final long seq;

    /** A 400: the chunk itself is wrong. */
    public ChunkRejectedException(String error, String field, String detail) {
        this(400, error, field, detail);
    }

    public ChunkRejectedException(int status, String error, String field, String detail) {
        this(status, error, field, detail, -1);
    }

    private ChunkRejectedException(int status, String error, String field, String detail, long seq) {
        super(detail);
        this.status = status;
        this.error = error;
        this.field = field;
        this.seq = seq;
    }

    /** The same rejection of a chunk whose {@code seq} could be read, so a WebSocket answer can name it. */
    ChunkRejectedException withSeq(long seq) {
        return seq < 0 ? this : new ChunkRejectedException(status, error, field, getMessage(), seq);
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

    /** The rejected chunk's {@code seq}, or -1 when it could not be read. */
    public long seq() {
        return seq;
    }
}
