package org.arrhythmiamonitor.ops;

import io.vertx.ext.web.RoutingContext;
import java.util.Set;
import java.util.TreeSet;

/**
 * A query parameter a route does not know, or one given twice, is refused: either would be
 * ignored, and a misspelt filter then answers with more than was asked for (every patient's alerts
 * instead of one device's), or a change drops what was sent with it ({@code ?note=...}).
 */
public final class QueryParams {
    private QueryParams() {
    }

    /** What is wrong with a request's query parameters, naming the parameter. */
    public record Problem(String field, String message) {
    }

    /** The first problem with the request's query parameters, or null when there is none. */
    public static Problem problem(RoutingContext ctx, Set<String> known) {
        for (String name : ctx.queryParams().names()) {
            if (!known.contains(name)) {
                return new Problem(name, known.isEmpty()
                        ? "unknown query parameter '" + name + "'; this route takes none"
                        : "unknown query parameter '" + name + "'; known: " + new TreeSet<>(known));
            }
            if (ctx.queryParams().getAll(name).size() > 1) {
                return new Problem(name, name + " is given more than once; give it once (lists are comma-separated)");
            }
        }
        return null;
    }

    /** Passes the request on only when it has no query parameter; else answers 400 {@code invalid_query} naming one. */
    public static void none(RoutingContext ctx) {
        Problem problem = problem(ctx, Set.of());
        if (problem == null) {
            ctx.next();
        } else {
            HttpErrors.send(ctx, 400, "invalid_query", problem.field(), problem.message());
        }
    }
}
