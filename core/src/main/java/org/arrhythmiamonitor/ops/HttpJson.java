package org.arrhythmiamonitor.ops;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** A JSON answer, the way every HTTP API of the project sends one (errors go through {@link HttpErrors}). */
public final class HttpJson {
    private HttpJson() {
    }

    public static void send(RoutingContext ctx, int status, JsonObject body) {
        ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body.encode());
    }
}
