package org.arrhythmiamonitor.ops;

import java.util.Map;

/** What {@code GET /health} reports: up or down, with details an operator can act on. */
public record Health(boolean up, Map<String, Object> details) {
    public Health {
        details = Map.copyOf(details);
    }

    public static Health up(Map<String, Object> details) {
        return new Health(true, details);
    }

    public static Health down(Map<String, Object> details) {
        return new Health(false, details);
    }
}
