package org.arrhythmiamonitor.alerting.notify;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.arrhythmiamonitor.alerting.lifecycle.Priorities;
import org.arrhythmiamonitor.config.ConfigKeys;
import org.arrhythmiamonitor.config.ConfigKeys.Kind;
import org.arrhythmiamonitor.wire.v1.Priority;

/**
 * Who is called when nobody acknowledges an alert: an open alert of one of {@code priorities}
 * goes to roster level 1 after {@code after}, to level 2 after the same time again, and so on; the
 * last level is called again every {@code after} until someone acknowledges.
 *
 * <p>The same priorities latch: their alert stays open when its episode ends until a clinician
 * acknowledges it, so that a short run of VT nobody saw cannot close itself (IEC 60601-1-8 calls
 * such alarm signals latching).
 */
public record EscalationPolicy(Duration after, Set<Priority> priorities, List<RosterLevel> levels) {
    public EscalationPolicy {
        if (after.isNegative() || after.isZero()) {
            throw new IllegalArgumentException("escalation.afterSeconds must be positive; got " + after.toSeconds());
        }
        priorities = Set.copyOf(priorities);
        levels = List.copyOf(levels);
    }

    /** A level of the on-call roster: a name for people ("charge nurse") and the webhooks that reach it. */
    public record RosterLevel(String name, List<String> subscribers) {
        public RosterLevel {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("escalation.levels: every level needs a name");
            }
            if (subscribers.isEmpty()) {
                throw new IllegalArgumentException("escalation.levels." + name + ": list the webhook subscribers "
                        + "that reach this level");
            }
            subscribers = List.copyOf(subscribers);
        }

        JsonObject toJson() {
            return new JsonObject().put("name", name).put("subscribers", new JsonArray(subscribers));
        }
    }

    public static EscalationPolicy fromJson(JsonObject json) {
        ConfigKeys.requireKnown(json, "escalation", Map.of("afterSeconds", Kind.WHOLE_NUMBER, "priorities", Kind.LIST,
                "levels", Kind.LIST));
        List<RosterLevel> levels = new ArrayList<>();
        for (Object level : json.getJsonArray("levels", new JsonArray())) {
            if (!(level instanceof JsonObject object)) {
                throw new IllegalArgumentException("escalation.levels must be a list of {name, subscribers}");
            }
            ConfigKeys.requireKnown(object, "escalation.levels", Map.of("name", Kind.TEXT, "subscribers", Kind.LIST));
            levels.add(new RosterLevel(object.getString("name"),
                    WebhookSubscriber.strings(object.getJsonArray("subscribers", new JsonArray()))));
        }
        Set<Priority> priorities = json.containsKey("priorities")
                ? Priorities.parseAll(json.getJsonArray("priorities"), "escalation.priorities")
                : EnumSet.of(Priority.HIGH);
        return new EscalationPolicy(Duration.ofSeconds(json.getLong("afterSeconds", 120L)), priorities, levels);
    }

    public boolean escalates(Priority priority) {
        return priorities.contains(priority);
    }

    /**
     * Roster level {@code n}, 1-based, capped at the last; a stand-in when the roster has no levels
     * (any more: an escalation stored before the roster was emptied can still be resumed).
     */
    public RosterLevel level(int n) {
        if (levels.isEmpty()) {
            return new RosterLevel("level " + n + " (no longer in the roster)", List.of("-"));
        }
        return levels.get(Math.max(1, Math.min(n, levels.size())) - 1);
    }

    public JsonObject toJson() {
        return new JsonObject()
                .put("afterSeconds", after.toSeconds())
                .put("priorities", new JsonArray(priorities.stream().map(Priorities::name).sorted().toList()))
                .put("levels", new JsonArray(levels.stream().map(RosterLevel::toJson).toList()));
    }
}
