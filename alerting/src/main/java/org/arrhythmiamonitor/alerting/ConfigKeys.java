package org.arrhythmiamonitor.alerting;

import io.vertx.core.json.JsonObject;
import java.util.Set;
import java.util.TreeSet;

/** Refuses keys a settings object does not know: a typo must stop the start, not fall back to a default. */
public final class ConfigKeys {
    private ConfigKeys() {
    }

    public static void requireKnown(JsonObject json, String owner, Set<String> known) {
        for (String key : json.fieldNames()) {
            if (!known.contains(key)) {
                throw new IllegalArgumentException(owner + ": unknown setting '" + key + "'; known: "
                        + new TreeSet<>(known));
            }
        }
    }
}
