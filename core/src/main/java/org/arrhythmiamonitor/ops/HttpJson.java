package org.arrhythmiamonitor.ops;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** A JSON answer, the way every HTTP API of the project sends one (errors go through {@link HttpErrors}). */
public final class HttpJson {
    private HttpJson() {
    }

    public static void send(RoutingContext ctx, int status, JsonObject body) {
        ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body.encode());
    }

    /**
     * The request's body as a JSON object; an empty body is an empty object. Vert.x's own
     * {@code asJsonObject} throws a ClassCastException for valid JSON of another kind (an array, a
     * string, a number), which would reach the client as a 500.
     *
     * @throws DecodeException when the body is not JSON, or is JSON but not an object
     */
    public static JsonObject bodyObject(RoutingContext ctx) {
        if (ctx.body().length() == 0) {
            return new JsonObject();
        }
        Object value = Json.decodeValue(ctx.body().buffer());
        if (value instanceof JsonObject object) {
            return object;
        }
        throw new DecodeException("the body is JSON but not an object: " + (value == null ? "null"
                : value.getClass().getSimpleName()));
    }
}
