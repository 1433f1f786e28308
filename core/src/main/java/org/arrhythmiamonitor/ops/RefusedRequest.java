package org.arrhythmiamonitor.ops;

import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;

/**
 * A request the HTTP decoder refused before any router saw it (a request line or headers over the
 * server's limits, or no valid HTTP), answered in the project's JSON error shape with the limit
 * that was exceeded, where Vert.x answers 414 or 431 with an empty body.
 *
 * @param status HTTP status
 * @param error machine-readable reason
 * @param detail what was wrong, with the limit
 */
public record RefusedRequest(int status, String error, String detail) {

    /** @param limits the options the server was created with, whose limits the request exceeded */
    public static RefusedRequest of(HttpServerRequest request, HttpServerOptions limits) {
        Throwable cause = request.decoderResult().cause();
        if (cause instanceof TooLongHttpLineException) {
            return new RefusedRequest(414, "uri_too_long", "the request line (method, URL and version) is over the "
                    + "limit of " + limits.getMaxInitialLineLength() + " bytes");
        }
        if (cause instanceof TooLongHttpHeaderException) {
            return new RefusedRequest(431, "headers_too_large", "the request headers are over the limit of "
                    + limits.getMaxHeaderSize() + " bytes");
        }
        return new RefusedRequest(400, "bad_request", "the request is not valid HTTP/1.1");
    }

    /** Answers, then closes the connection, since the decoder cannot tell where the next request starts. */
    public void send(HttpServerRequest request) {
        HttpErrors.send(request.response().putHeader("Connection", "close"), status, error, null, detail)
                .onComplete(written -> request.connection().close());
    }
}
