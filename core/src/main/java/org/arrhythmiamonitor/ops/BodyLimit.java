package org.arrhythmiamonitor.ops;

import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

/**
 * A {@link BodyHandler} that notes its limit on each request it reads, so that the 413 it fails
 * an oversized body with can state the limit that applied ({@link OpsRoutes} answers it): Vert.x
 * fails with a bare 413 and keeps the limit to itself, and routes have different limits. It is a
 * BodyHandler, not a wrapper around one, so Vert.x still orders it before a route's other
 * handlers. File uploads are off: the project's APIs take JSON bodies.
 */
public final class BodyLimit implements BodyHandler {
    private static final String LIMIT_KEY = BodyLimit.class.getName() + ".bytes";

    private final BodyHandler body;
    private long limitBytes;

    private BodyLimit(long limitBytes) {
        this.body = BodyHandler.create(false).setBodyLimit(limitBytes);
        this.limitBytes = limitBytes;
    }

    /** A body handler refusing bodies over {@code limitBytes} with a 413 that says so. */
    public static BodyLimit of(long limitBytes) {
        return new BodyLimit(limitBytes);
    }

    /**
     * What an answer to a body over the limit says: the limit when a BodyLimit read the request,
     * else (a plain BodyHandler) no number, rather than a wrong one.
     */
    public static String tooLarge(RoutingContext ctx) {
        Long limit = ctx.get(LIMIT_KEY);
        return limit == null ? "the request body is over this route's limit"
                : "the request body is over the limit of " + limit + " bytes";
    }

    @Override
    public void handle(RoutingContext ctx) {
        // The first body handler reads the body and later ones pass, so the first limit is the one that applied.
        if (ctx.get(LIMIT_KEY) == null) {
            ctx.put(LIMIT_KEY, limitBytes);
        }
        body.handle(ctx);
    }

    @Override
    public BodyLimit setBodyLimit(long bodyLimit) {
        body.setBodyLimit(bodyLimit);
        limitBytes = bodyLimit;
        return this;
    }

    @Override
    public BodyLimit setHandleFileUploads(boolean handleFileUploads) {
        body.setHandleFileUploads(handleFileUploads);
        return this;
    }

    @Override
    public BodyLimit setUploadsDirectory(String uploadsDirectory) {
        body.setUploadsDirectory(uploadsDirectory);
        return this;
    }

    @Override
    public BodyLimit setMergeFormAttributes(boolean mergeFormAttributes) {
        body.setMergeFormAttributes(mergeFormAttributes);
        return this;
    }

    @Override
    public BodyLimit setDeleteUploadedFilesOnEnd(boolean deleteUploadedFilesOnEnd) {
        body.setDeleteUploadedFilesOnEnd(deleteUploadedFilesOnEnd);
        return this;
    }

    @Override
    public BodyLimit setPreallocateBodyBuffer(boolean isPreallocateBodyBuffer) {
        body.setPreallocateBodyBuffer(isPreallocateBodyBuffer);
        return this;
    }
}
