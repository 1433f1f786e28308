package org.arrhythmiamonitor.alerting.notify;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.arrhythmiamonitor.alerting.lifecycle.Priorities;
import org.arrhythmiamonitor.config.ConfigKeys;
import org.arrhythmiamonitor.config.ConfigKeys.Kind;
import org.arrhythmiamonitor.wire.v1.Priority;

/**
 * A system that receives alerts as signed webhooks.
 *
 * @param id short name, used in delivery ids, metrics and the roster
 * @param url where the JSON payload is POSTed (http or https)
 * @param secret key of the HMAC-SHA256 signature the receiver checks
 * @param priorities alert priorities it receives (all when the configuration names none)
 * @param deviceGroups device groups it receives ({@link DeviceGroups}); empty: every device
 * @param events lifecycle events it receives: raised, acknowledged, resolved. Escalations reach a
 *     subscriber only through the on-call roster.
 */
public record WebhookSubscriber(String id, URI url, String secret, Set<Priority> priorities,
        List<String> deviceGroups, Set<String> events) {
    public static final Set<String> EVENTS = Set.of("raised", "acknowledged", "resolved");

    public WebhookSubscriber {
        if (id == null || !id.matches("[A-Za-z0-9._-]{1,64}")) {
            throw new IllegalArgumentException("webhooks: id must be 1-64 letters, digits, '.', '_' or '-'; got " + id);
        }
        if (url == null || !("http".equals(url.getScheme()) || "https".equals(url.getScheme()))
                || url.getHost() == null) {
            throw new IllegalArgumentException("webhooks." + id + ": url must be an http or https URL; got " + url);
        }
        if (secret == null || secret.length() < 16) {
            throw new IllegalArgumentException("webhooks." + id
                    + ": secret must be at least 16 characters (it keys the HMAC-SHA256 signature)");
        }
        for (String event : events) {
            if (!EVENTS.contains(event)) {
                throw new IllegalArgumentException("webhooks." + id + ": events must be among " + EVENTS
                        + "; got " + event);
            }
        }
        priorities = Set.copyOf(priorities);
        deviceGroups = List.copyOf(deviceGroups);
        events = Set.copyOf(events);
    }

    public static WebhookSubscriber fromJson(JsonObject json) {
        ConfigKeys.requireKnown(json, "webhooks." + json.getValue("id"), Map.of("id", Kind.TEXT, "url", Kind.TEXT,
                "secret", Kind.TEXT, "priorities", Kind.LIST, "deviceGroups", Kind.LIST, "events", Kind.LIST));
        String id = json.getString("id");
        URI url;
        try {
            url = new URI(json.getString("url", ""));
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("webhooks." + id + ": url is not a URL: " + e.getMessage());
        }
        // An empty list reads two ways (nothing, or no filter): leaving the key out is the one way to say "all".
        for (String key : List.of("priorities", "deviceGroups")) {
            if (json.getValue(key) instanceof JsonArray list && list.isEmpty()) {
                throw new IllegalArgumentException("webhooks." + id + ": " + key + " is an empty list; leave it out "
                        + "for every " + ("priorities".equals(key) ? "priority" : "device"));
            }
        }
        Set<Priority> priorities = json.containsKey("priorities")
                ? Priorities.parseAll(json.getJsonArray("priorities"), "webhooks." + id + ".priorities")
                : EnumSet.of(Priority.HIGH, Priority.MEDIUM, Priority.LOW, Priority.TECHNICAL);
        return new WebhookSubscriber(id, url, json.getString("secret"), priorities,
                strings(json.getJsonArray("deviceGroups", new JsonArray())),
                Set.copyOf(strings(json.getJsonArray("events", new JsonArray(List.copyOf(EVENTS))))));
    }

    static List<String> strings(JsonArray array) {
        return array.stream().map(String::valueOf).toList();
    }

    @Override
    public String toString() {
        return "WebhookSubscriber[" + id + " -> " + url.getHost() + "]";
    }

    /** The subscriber as an administrator may see it: without its secret. */
    public JsonObject toPublicJson() {
        return new JsonObject()
                .put("id", id)
                .put("url", url.toString())
                .put("priorities", new JsonArray(priorities.stream().map(Priorities::name).sorted().toList()))
                .put("deviceGroups", new JsonArray(deviceGroups))
                .put("events", new JsonArray(events.stream().sorted().toList()));
    }
}
