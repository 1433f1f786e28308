package org.arrhythmiamonitor.config;

import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.TreeSet;

/**
 * Checks a settings object's keys and the JSON type of their values: a typo must stop the start,
 * not fall back to a default, and a value of the wrong type must be named with its key rather than
 * surface as a {@link ClassCastException} from a getter, which names neither.
 */
public final class ConfigKeys {
    private ConfigKeys() {
    }

    /** The JSON type a setting takes. */
    public enum Kind {
        NUMBER("a number"),
        WHOLE_NUMBER("a whole number"),
        TEXT("a string"),
        BOOLEAN("true or false"),
        LIST("a list"),
        OBJECT("an object");

        private final String description;

        Kind(String description) {
            this.description = description;
        }

        boolean accepts(Object value) {
            return switch (this) {
                case NUMBER -> value instanceof Number n && Double.isFinite(n.doubleValue());
                // A getter would truncate 30.5 to 30, and clip 1e10 to an int, without a word. Counts,
                // minutes and days all fit an int; a larger value would overflow a Duration later.
                case WHOLE_NUMBER -> isWhole(value) && ((Number) value).doubleValue() >= Integer.MIN_VALUE
                        && ((Number) value).doubleValue() <= Integer.MAX_VALUE;
                case TEXT -> value instanceof String;
                case BOOLEAN -> value instanceof Boolean;
                case LIST -> value instanceof JsonArray;
                case OBJECT -> value instanceof JsonObject;
            };
        }
    }

    private static boolean isWhole(Object value) {
        return value instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue());
    }

    /**
     * Refuses a key that is not in {@code known}, naming the known ones, and a value that is not of
     * its key's kind, naming the key and the kind.
     *
     * @param owner where the settings are, for the message: {@code alerting}, {@code retry}, ...
     */
    public static void requireKnown(JsonObject json, String owner, Map<String, Kind> known) {
        for (String key : json.fieldNames()) {
            Kind kind = known.get(key);
            if (kind == null) {
                throw new IllegalArgumentException(owner + ": unknown setting '" + key + "'; known: "
                        + new TreeSet<>(known.keySet()));
            }
            Object value = json.getValue(key);
            if (!kind.accepts(value)) {
                String range = kind == Kind.WHOLE_NUMBER && isWhole(value)
                        ? " from " + Integer.MIN_VALUE + " to " + Integer.MAX_VALUE : "";
                throw SettingException.of(owner, key, "must be " + kind.description + range + ", got "
                        + Json.encode(value));
            }
        }
    }
}
