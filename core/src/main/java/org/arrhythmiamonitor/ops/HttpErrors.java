package org.arrhythmiamonitor.ops;

import io.vertx.core.Future;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * JSON error bodies, {@code {"error", "field", "detail"}}, the one error shape every HTTP API of
 * the project answers with, so clients parse errors the same way everywhere.
 */
public final class HttpErrors {
    private HttpErrors() {
    }

    public static void send(RoutingContext ctx, int status, String error, String field, String detail) {
        send(ctx.response(), status, error, field, detail);
    }

    /** For a request no router handles; completes when the answer is written (at once when one was). */
    public static Future<Void> send(HttpServerResponse response, int status, String error, String field,
            String detail) {
        JsonObject body = new JsonObject().put("error", error);
        if (field != null) {
            body.put("field", field);
        }
        if (detail != null) {
            body.put("detail", detail);
        }
        if (response.ended() || response.headWritten()) {
            return Future.succeededFuture();
        }
        return response
                .setStatusCode(status)
                .putHeader("Content-Type", "application/json")
                .end(body.encode());
    }
}
