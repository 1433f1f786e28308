package org.arrhythmiamonitor.ops;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.arrhythmiamonitor.config.StrictJson;

/** A JSON answer, the way every HTTP API of the project sends one (errors go through {@link HttpErrors}). */
public final class HttpJson {
    private HttpJson() {
    }

    public static void send(RoutingContext ctx, int status, JsonObject body) {
        ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body.encode());
    }

    /**
     * The request's body as a JSON object; an empty or blank body (or none: Vert.x then has no
     * buffer) is an empty object. Read strictly ({@link StrictJson}): a key given twice is refused, where a lenient
     * reader keeps the last, so {@code {"note": "a", "note": "b"}} would lose a clinician's first
     * note without a word. Vert.x's own {@code asJsonObject} throws a ClassCastException for valid
     * JSON of another kind (an array, a string, a number), which would reach the client as a 500.
     * The message says what is wrong and where, without the body's text, for the answer's detail.
     *
     * @throws DecodeException when the body is not JSON, is JSON but not an object, or gives a key twice
     */
    public static JsonObject bodyObject(RoutingContext ctx) {
        Buffer body = ctx.body().buffer();
        return body == null || blank(body) ? new JsonObject() : StrictJson.object(body.getBytes());
    }

    /** Empty, or JSON's whitespace alone. */
    private static boolean blank(Buffer body) {
        for (int i = 0; i < body.length(); i++) {
            byte b = body.getByte(i);
            if (b != ' ' && b != '\t' && b != '\n' && b != '\r') {
                return false;
            }
        }
        return true;
    }

    /**
     * The media type a {@code Content-Type} header names, lower case, without its parameters
     * ({@code application/json} for {@code Application/JSON; charset=utf-8}); null for none. A
     * prefix match would take {@code application/jsonp} for JSON.
     */
    public static String mediaType(String contentType) {
        if (contentType == null) {
            return null;
        }
        int parameters = contentType.indexOf(';');
        return (parameters < 0 ? contentType : contentType.substring(0, parameters)).strip()
                .toLowerCase(java.util.Locale.ROOT);
    }

    /**
     * Whether the body of a request that takes nothing is empty (none, blank or {@code {}}); if
     * not, answers 400: what a client puts there (a device id, say) would otherwise be dropped
     * without a word. Needs a body handler before it.
     */
    public static boolean nothingInBody(RoutingContext ctx) {
        // A form's fields are taken out of the body by the body handler, and a multipart form's
        // files dropped with uploads off: fields are refused by name, a multipart form as such.
        Optional<String> formField = ctx.request().formAttributes().names().stream().sorted().findFirst();
        String media = mediaType(ctx.request().getHeader("Content-Type"));
        if (formField.isPresent() || media != null && media.startsWith("multipart/")) {
            HttpErrors.send(ctx, 400, "invalid_field", formField.orElse(null), "this request takes no fields, got "
                    + formField.map(name -> "'" + name + "'").orElse("a " + media + " form"));
            return false;
        }
        JsonObject body;
        try {
            body = bodyObject(ctx);
        } catch (DecodeException e) {
            HttpErrors.send(ctx, 400, "malformed_json", null, "this request takes no body (or {}): " + e.getMessage());
            return false;
        }
        Optional<String> field = body.fieldNames().stream().sorted().findFirst();
        field.ifPresent(name -> HttpErrors.send(ctx, 400, "invalid_field", name,
                "this request takes no fields, got '" + name + "'"));
        return field.isEmpty();
    }

    /**
     * Whether every key of {@code body} is among {@code known}; if not, answers 400
     * {@code invalid_field} naming the first unknown one: a misspelt field (a {@code "notes"} for
     * {@code "note"}) must be refused, not dropped.
     */
    public static boolean onlyKnownFields(RoutingContext ctx, JsonObject body, Set<String> known) {
        Optional<String> unknown = body.fieldNames().stream().filter(name -> !known.contains(name)).sorted().findFirst();
        unknown.ifPresent(field -> HttpErrors.send(ctx, 400, "invalid_field", field,
                "unknown field '" + field + "'; known: " + new TreeSet<>(known)));
        return unknown.isEmpty();
    }
}
