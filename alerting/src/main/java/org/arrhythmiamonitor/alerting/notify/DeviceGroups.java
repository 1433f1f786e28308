package org.arrhythmiamonitor.alerting.notify;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Named groups of devices (a ward, a clinic), each a list of device-id patterns where {@code *}
 * matches any run of characters, so that a webhook can serve one ward without listing every
 * device of it.
 */
public final class DeviceGroups {
    /** The characters of a device id, as the gateway takes them, and the wildcard. */
    private static final Pattern GLOB = Pattern.compile("[A-Za-z0-9._*-]+");
    private final Map<String, List<Pattern>> groups;
    private final Map<String, List<String>> patterns;

    public DeviceGroups(Map<String, List<String>> patterns) {
        this.patterns = Map.copyOf(patterns);
        Map<String, List<Pattern>> compiled = new LinkedHashMap<>();
        patterns.forEach((name, globs) -> {
            if (globs.isEmpty()) {
                throw new IllegalArgumentException("deviceGroups." + name + ": list at least one device-id pattern");
            }
            compiled.put(name, globs.stream().map(glob -> glob(name, glob)).toList());
        });
        this.groups = Map.copyOf(compiled);
    }

    public static DeviceGroups fromJson(JsonObject json) {
        Map<String, List<String>> patterns = new LinkedHashMap<>();
        for (String name : json.fieldNames()) {
            Object value = json.getValue(name);
            if (!(value instanceof JsonArray array)) {
                throw new IllegalArgumentException("deviceGroups." + name + " must be a list of device-id patterns");
            }
            patterns.put(name, WebhookSubscriber.strings(array));
        }
        return new DeviceGroups(patterns);
    }

    private static Pattern glob(String group, String glob) {
        // A pattern no device id can match would silence the group's webhooks without a word.
        if (glob.isEmpty()) {
            throw new IllegalArgumentException("deviceGroups." + group + ": a pattern is empty, so it matches no "
                    + "device; \"*\" matches every device");
        }
        if (!GLOB.matcher(glob).matches()) {
            throw new IllegalArgumentException("deviceGroups." + group + ": pattern \"" + glob + "\" has characters "
                    + "no device id has (letters, digits, '.', '_' and '-'; '*' for any run of them), so it matches "
                    + "no device");
        }
        StringBuilder regex = new StringBuilder();
        for (String part : glob.split("\\*", -1)) {
            if (!regex.isEmpty()) {
                regex.append(".*");
            }
            regex.append(Pattern.quote(part));
        }
        return Pattern.compile(regex.toString());
    }

    /** Throws when a subscriber names a group that is not defined: a typo would silence it. */
    public void requireDefined(String owner, List<String> names) {
        for (String name : names) {
            if (!groups.containsKey(name)) {
                throw new IllegalArgumentException(owner + ": device group '" + name + "' is not defined in deviceGroups "
                        + groups.keySet());
            }
        }
    }

    /** True when the device is in one of the named groups, or when no group is named. */
    public boolean contains(List<String> names, String deviceId) {
        if (names.isEmpty()) {
            return true;
        }
        for (String name : names) {
            for (Pattern pattern : groups.getOrDefault(name, List.of())) {
                if (pattern.matcher(deviceId).matches()) {
                    return true;
                }
            }
        }
        return false;
    }

    public JsonObject toJson() {
        JsonObject json = new JsonObject();
        patterns.forEach((name, globs) -> json.put(name, new JsonArray(globs)));
        return json;
    }
}
