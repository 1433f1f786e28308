package org.arrhythmiamonitor.alerting.lifecycle;

import io.vertx.core.json.JsonArray;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.arrhythmiamonitor.wire.v1.AlertState;
import org.arrhythmiamonitor.wire.v1.Priority;

/** Names of priorities and states as the API and the configuration spell them (lower case). */
public final class Priorities {
    /** The clinically usable priorities, most urgent first. */
    public static final List<Priority> ALL = List.of(Priority.HIGH, Priority.MEDIUM, Priority.LOW, Priority.TECHNICAL);
    public static final List<AlertState> STATES = List.of(AlertState.OPEN, AlertState.ACKNOWLEDGED,
            AlertState.RESOLVED, AlertState.SUPPRESSED);
    /** Most urgent first: HIGH sorts before MEDIUM, LOW and TECHNICAL (the enum numbers them in that order). */
    public static final Comparator<Priority> MOST_URGENT_FIRST = Comparator.comparingInt(Priority::getNumber);

    private Priorities() {
    }

    public static String name(Priority priority) {
        return priority.name().toLowerCase(Locale.ROOT);
    }

    public static String name(AlertState state) {
        return state.name().toLowerCase(Locale.ROOT);
    }

    public static Priority parse(String value) {
        for (Priority priority : ALL) {
            if (name(priority).equals(value.trim().toLowerCase(Locale.ROOT))) {
                return priority;
            }
        }
        throw new IllegalArgumentException("priority must be one of high, medium, low, technical; got " + value);
    }

    public static AlertState parseState(String value) {
        for (AlertState state : STATES) {
            if (name(state).equals(value.trim().toLowerCase(Locale.ROOT))) {
                return state;
            }
        }
        throw new IllegalArgumentException("state must be one of open, acknowledged, resolved, suppressed; got "
                + value);
    }

    public static Set<Priority> parseAll(JsonArray values, String field) {
        Set<Priority> priorities = EnumSet.noneOf(Priority.class);
        for (Object value : values) {
            try {
                priorities.add(parse(String.valueOf(value)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(field + ": " + e.getMessage());
            }
        }
        return priorities;
    }
}
