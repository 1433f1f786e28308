package org.arrhythmiamonitor.alerting;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Collection;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Predicate;
import org.arrhythmiamonitor.alerting.auth.Role;
import org.arrhythmiamonitor.alerting.auth.SessionAuth;
import org.arrhythmiamonitor.alerting.lifecycle.AlertDesk;
import org.arrhythmiamonitor.alerting.lifecycle.AlertJson;
import org.arrhythmiamonitor.alerting.lifecycle.AlertLedger;
import org.arrhythmiamonitor.alerting.lifecycle.AlertStoreException;
import org.arrhythmiamonitor.alerting.lifecycle.Priorities;
import org.arrhythmiamonitor.alerting.lifecycle.TransitionException;
import org.arrhythmiamonitor.alerting.lifecycle.UnknownAlertException;
import org.arrhythmiamonitor.ops.BodyLimit;
import org.arrhythmiamonitor.ops.HttpErrors;
import org.arrhythmiamonitor.ops.HttpJson;
import org.arrhythmiamonitor.ops.QueryParams;
import org.arrhythmiamonitor.wire.v1.AlertRecord;
import org.arrhythmiamonitor.wire.v1.AlertState;
import org.arrhythmiamonitor.wire.v1.Priority;

/** The alert routes of the HTTP API ({@code src/site/markdown/alerting.md}); behind {@link SessionAuth}. */
final class AlertApi {
    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 1000;
    static final int MAX_NOTE = 2000;
    /** How long a clinician's request waits for the desk: longer than a store's own timeouts. */
    private static final long DESK_TIMEOUT_S = 45;
    private static final Set<AlertState> DEFAULT_STATES = EnumSet.of(AlertState.OPEN, AlertState.ACKNOWLEDGED,
            AlertState.RESOLVED);
    /** The fields of an acknowledge or resolve body. */
    private static final Set<String> CHANGE_FIELDS = Set.of("note");
    private static final Set<String> LIST_PARAMS = Set.of("deviceId", "priority", "state", "from", "to", "limit");

    private final AlertDesk desk;

    AlertApi(AlertDesk desk) {
        this.desk = desk;
    }

    void mount(Router router) {
        router.get("/api/alerts").handler(this::list);
        router.get("/api/alerts/:alertId").handler(QueryParams::none).handler(this::get);
        BodyLimit body = BodyLimit.of(16 * 1024);
        // A note sent as ?note=... would otherwise be dropped: the body is where it goes.
        router.post("/api/alerts/:alertId/acknowledge").handler(body).handler(SessionAuth.requireRole(Role.CLINICIAN))
                .handler(QueryParams::none).handler(ctx -> change(ctx, false));
        router.post("/api/alerts/:alertId/resolve").handler(body).handler(SessionAuth.requireRole(Role.CLINICIAN))
                .handler(QueryParams::none).handler(ctx -> change(ctx, true));
    }

    private void list(RoutingContext ctx) {
        Predicate<AlertRecord> filter;
        int limit;
        boolean resolvedOnly;
        try {
            requireKnownParams(ctx, LIST_PARAMS);
            ListQuery query = query(ctx);
            filter = query.filter();
            limit = limit(ctx.queryParams().get("limit"));
            resolvedOnly = query.states().equals(Set.of(AlertState.RESOLVED));
        } catch (InvalidQuery e) {
            HttpErrors.send(ctx, 400, "invalid_query", e.field, e.getMessage());
            return;
        }
        JsonArray items = new JsonArray();
        // Resolved alerts are looked back on: a limit keeps the latest resolved, not the most
        // urgent of all time, which would leave out the ones resolved a minute ago.
        AlertLedger.Page page = desk.ledger().page(filter, limit,
                resolvedOnly ? AlertLedger.LATEST_RESOLVED_FIRST : AlertLedger.MOST_URGENT_FIRST);
        page.records().forEach(record -> items.add(AlertJson.toJson(record, false)));
        // total says whether the limit cut the list: a dashboard must not lose open alerts unnoticed.
        HttpJson.send(ctx, 200, new JsonObject().put("alerts", items).put("count", items.size())
                .put("total", page.total()));
    }

    /** Which alerts a list asks for, and in which states (a list of resolved ones alone keeps the latest). */
    private record ListQuery(Predicate<AlertRecord> filter, Set<AlertState> states) {
    }

    private static ListQuery query(RoutingContext ctx) {
        String deviceId = ctx.queryParams().get("deviceId");
        Set<Priority> wantedPriorities = values(ctx, "priority", Priorities.ALL, Priorities::parse);
        Set<AlertState> wantedStates = values(ctx, "state", DEFAULT_STATES, Priorities::parseState);
        long from = time(ctx.queryParams().get("from"), "from", Long.MIN_VALUE);
        long to = time(ctx.queryParams().get("to"), "to", Long.MAX_VALUE);
        if (from > to) {
            throw new InvalidQuery("from", "from must not be after to");
        }
        return new ListQuery(record -> (deviceId == null || record.getAlert().getDeviceId().equals(deviceId))
                && wantedPriorities.contains(record.getAlert().getPriority())
                && wantedStates.contains(record.getState())
                && record.getAlert().getOnsetTimeMs() >= from
                && record.getAlert().getOnsetTimeMs() <= to, wantedStates);
    }

    /** Refuses a query parameter the route does not know, or one given twice ({@link QueryParams}). */
    static void requireKnownParams(RoutingContext ctx, Set<String> known) {
        QueryParams.Problem problem = QueryParams.problem(ctx, known);
        if (problem != null) {
            throw new InvalidQuery(problem.field(), problem.message());
        }
    }

    /** A comma-separated list of enum values in a query parameter, or the defaults without it. */
    private static <E extends Enum<E>> Set<E> values(RoutingContext ctx, String field, Collection<E> defaults,
            Function<String, E> parse) {
        String param = ctx.queryParams().get(field);
        if (param == null) {
            return Set.copyOf(defaults);
        }
        Set<E> values = new HashSet<>();
        // -1: a trailing comma leaves an empty value to refuse, as a list gone wrong.
        for (String value : param.split(",", -1)) {
            try {
                values.add(parse.apply(value));
            } catch (IllegalArgumentException e) {
                throw new InvalidQuery(field, e.getMessage());
            }
        }
        return values;
    }

    /** Epoch milliseconds or an ISO-8601 instant such as 2026-11-29T10:15:00Z. */
    static long time(String value, String field, long absent) {
        if (value == null) {
            return absent;
        }
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            if (value.matches("[-+]?\\d+")) {
                throw new InvalidQuery(field, field + " is out of range (epoch milliseconds must fit 64 bits); got " + value);
            }
            try {
                return Instant.parse(value).toEpochMilli();
            } catch (ArithmeticException e2) {
                // The JDK reads years up to a billion; epoch milliseconds end near the year 292 million.
                throw new InvalidQuery(field, field + " is out of range (epoch milliseconds must fit 64 bits); got "
                        + value);
            } catch (DateTimeParseException e2) {
                throw new InvalidQuery(field, field + " must be epoch milliseconds or an ISO-8601 instant "
                        + "(2026-11-29T10:15:00Z); got " + value);
            }
        }
    }

    private static int limit(String value) {
        if (value == null) {
            return DEFAULT_LIMIT;
        }
        int limit;
        try {
            limit = Integer.parseInt(value);
        } catch (NumberFormatException e) {
            limit = -1;
        }
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new InvalidQuery("limit", "limit must be an integer from 1 to " + MAX_LIMIT + "; got " + value);
        }
        return limit;
    }

    private void get(RoutingContext ctx) {
        String alertId = ctx.pathParam("alertId");
        desk.ledger().get(alertId).ifPresentOrElse(
                record -> HttpJson.send(ctx, 200, AlertJson.toJson(record, true)),
                () -> HttpErrors.send(ctx, 404, "not_found", "alertId", "no alert with id " + alertId));
    }

    private void change(RoutingContext ctx, boolean resolve) {
        String alertId = ctx.pathParam("alertId");
        String note;
        try {
            JsonObject body = HttpJson.bodyObject(ctx);
            if (!HttpJson.onlyKnownFields(ctx, body, CHANGE_FIELDS)) {
                return;
            }
            Object value = body.getValue("note");
            if (value != null && !(value instanceof String)) {
                throw new InvalidQuery("note", "note must be a string");
            }
            note = value == null ? "" : ((String) value).strip();
        } catch (DecodeException e) {
            HttpErrors.send(ctx, 400, "malformed_json", null, "the body must be a JSON object such as {\"note\": \"...\"}: "
                    + e.getMessage());
            return;
        } catch (InvalidQuery e) {
            HttpErrors.send(ctx, 400, "invalid_field", e.field, e.getMessage());
            return;
        }
        if (resolve && note.isEmpty()) {
            HttpErrors.send(ctx, 400, "missing_field", "note", "resolving an alert needs a note saying why");
            return;
        }
        // Code points: most emoji are one, not two UTF-16 units.
        if (note.codePointCount(0, note.length()) > MAX_NOTE) {
            HttpErrors.send(ctx, 400, "invalid_field", "note", "a note has at most " + MAX_NOTE + " characters");
            return;
        }
        String user = SessionAuth.user(ctx);
        CompletableFuture<AlertRecord> result = resolve
                ? desk.resolve(alertId, user, note)
                : desk.acknowledge(alertId, user, note);
        result.orTimeout(DESK_TIMEOUT_S, TimeUnit.SECONDS).whenComplete((record, failure) -> ctx.vertx().runOnContext(v -> {
            Throwable cause = failure instanceof CompletionException ? failure.getCause() : failure;
            if (cause == null) {
                HttpJson.send(ctx, 200, AlertJson.toJson(record, true));
            } else if (cause instanceof UnknownAlertException) {
                HttpErrors.send(ctx, 404, "not_found", "alertId", cause.getMessage());
            } else if (cause instanceof TransitionException) {
                HttpErrors.send(ctx, 409, "invalid_transition", null, cause.getMessage());
            } else if (cause instanceof AlertStoreException store) {
                StoreRefusal refusal = StoreRefusal.of(store);
                if (refusal.tryAgain()) {
                    ctx.response().putHeader("Retry-After", "5");
                }
                HttpErrors.send(ctx, refusal.status(), refusal.error(), null, refusal.detail());
            } else if (cause instanceof java.util.concurrent.TimeoutException) {
                HttpErrors.send(ctx, 503, "busy", null, "the change was not confirmed within " + DESK_TIMEOUT_S
                        + " s (Kafka slow or unreachable); it may still be made: look at the alert before trying again");
            } else {
                ctx.fail(cause);
            }
        }));
    }

    /**
     * The answer to a change the store did not take. Only {@code not_stored} invites the client to
     * try again: a fenced or broken instance refuses every change until it is restarted, and a
     * record too large for Kafka stays too large.
     */
    record StoreRefusal(int status, String error, String detail, boolean tryAgain) {
        static StoreRefusal of(AlertStoreException e) {
            if (e.outcomeUnknown()) {
                return new StoreRefusal(503, "outcome_unknown", e.getMessage(), false);
            }
            if (e.fenced()) {
                return new StoreRefusal(503, "fenced", e.getMessage() + "; nothing changed: this instance changes no "
                        + "alert any more, make the change on the instance that took over", false);
            }
            if (e.untilRestart()) {
                return new StoreRefusal(503, "store_broken", e.getMessage() + "; nothing changed", false);
            }
            if (e.tooLarge()) {
                return new StoreRefusal(500, "too_large", e.getMessage() + "; nothing changed, and the same change "
                        + "cannot be stored", false);
            }
            return new StoreRefusal(503, "not_stored", e.getMessage() + "; nothing changed, try again", true);
        }
    }

    /** A query parameter or body field that cannot be used: a 400 naming it. */
    static final class InvalidQuery extends RuntimeException {
        final String field;

        InvalidQuery(String field, String message) {
            super(message);
            this.field = field;
        }
    }
}
