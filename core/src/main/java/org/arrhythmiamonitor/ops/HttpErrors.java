package org.arrhythmiamonitor.ops;

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
        JsonObject body = new JsonObject().put("error", error);
        if (field != null) {
            body.put("field", field);
        }
        if (detail != null) {
            body.put("detail", detail);
        }
        if (ctx.response().ended() || ctx.response().headWritten()) {
            return;
        }
        ctx.response()
                .setStatusCode(status)
                .putHeader("Content-Type", "application/json")
                .end(body.encode());
    }
}
