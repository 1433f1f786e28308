package org.arrhythmiamonitor.alerting;

import static java.util.Map.entry;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.arrhythmiamonitor.alerting.auth.IpLiteral;
import org.arrhythmiamonitor.alerting.auth.UserAccount;
import org.arrhythmiamonitor.alerting.lifecycle.Priorities;
import org.arrhythmiamonitor.alerting.notify.DeviceGroups;
import org.arrhythmiamonitor.alerting.notify.EscalationPolicy;
import org.arrhythmiamonitor.alerting.notify.RetryPolicy;
import org.arrhythmiamonitor.alerting.notify.WebhookSubscriber;
import org.arrhythmiamonitor.config.ConfigKeys;
import org.arrhythmiamonitor.config.ConfigKeys.Kind;
import org.arrhythmiamonitor.config.SettingException;
import org.arrhythmiamonitor.wire.v1.Priority;

/**
 * Settings of the alerting service, read from JSON in the Vert.x manner (the keys are the
 * parameter names; {@code src/site/markdown/alerting.md} documents them with an example).
 *
 * @param bootstrapServers Kafka bootstrap servers
 * @param httpHost address to listen on
 * @param httpPort port to listen on (0 picks a free one)
 * @param maxAlerts alerts kept in memory; at that size resolved and suppressed ones leave, oldest first (they
 *     stay in Kafka), but never open or acknowledged ones nor closed ones the lifecycle still needs (see
 *     {@code AlertLedger#evictToCapacity})
 * @param partitions partitions of the topics the service creates when they are missing
 * @param replicationFactor replication of those topics, lowered to the number of brokers
 * @param groupId consumer group reading {@code ecg.alerts}; its committed offsets say what was handled
 * @param users who may log in; without any, nobody can (the service says so at start)
 * @param sessionIdle a session ends after this long without a request
 * @param sessionMaxAge and in any case this long after the login
 * @param secureCookie mark the session cookie Secure (set it when a TLS proxy serves the dashboard)
 * @param trustedProxies addresses of reverse proxies whose X-Forwarded-For names the client (for the login limits)
 * @param suppressRepeats a new alert of the same type and device within this time of the previous one is a repeat
 * @param latching priorities whose alert stays open after its episode ended until acknowledged (the escalating ones always do)
 * @param escalation who is called when nobody acknowledges
 * @param webhooks systems notified of alerts
 * @param deviceGroups named device groups the webhooks filter by
 * @param retry how webhook deliveries are retried
 * @param retainClosed resolved and suppressed alerts are deleted this long after they closed (zero: kept for ever)
 * @param deadLetterPatience how long the alerts behind one the service cannot take wait for the
 *     dead-letter topic to take it; then the feed moves past it, which stays in {@code ecg.alerts}
 * @param feedSilence how long the feed may poll {@code ecg.alerts}, and the burden history
 *     {@code ecg.burden}, without an answer from Kafka before {@code /health} says it is cut off
 */
public record AlertingConfig(String bootstrapServers, String httpHost, int httpPort, int maxAlerts, int partitions,
        short replicationFactor, String groupId, List<UserAccount> users, Duration sessionIdle,
        Duration sessionMaxAge, boolean secureCookie, Set<String> trustedProxies, Duration suppressRepeats, Set<Priority> latching,
        EscalationPolicy escalation,
        List<WebhookSubscriber> webhooks, DeviceGroups deviceGroups, RetryPolicy retry, Duration retainClosed,
        Duration deadLetterPatience, Duration feedSilence) {

    public static final int DEFAULT_HTTP_PORT = 8081;
    /** Whose settings these are, in messages. */
    public static final String SECTION = "alerting";

    public AlertingConfig {
        if (bootstrapServers == null || bootstrapServers.isBlank()) {
            throw SettingException.of(SECTION, "bootstrapServers", "is required");
        }
        SettingException.requireListenAddress(SECTION, "httpHost", httpHost);
        SettingException.requirePort(SECTION, "httpPort", httpPort);
        SettingException.requireAtLeast(SECTION, "maxAlerts", maxAlerts, 1);
        SettingException.requireAtLeast(SECTION, "partitions", partitions, 1);
        SettingException.requireAtLeast(SECTION, "replicationFactor", replicationFactor, 1);
        if (groupId == null || groupId.isBlank()) {
            throw SettingException.of(SECTION, "groupId", "must not be blank");
        }
        if (sessionIdle.toMinutes() < 1 || sessionMaxAge.compareTo(sessionIdle) < 0) {
            throw new SettingException(SECTION, name -> name.apply("sessionTimeoutMinutes") + " must be at least 1 and "
                    + name.apply("sessionMaxAgeHours") + " at least as long");
        }
        if (retainClosed.isNegative()) {
            throw SettingException.of(SECTION, "retainClosedDays", "must not be negative (0 keeps alerts for ever)");
        }
        if (deadLetterPatience.isNegative()) {
            throw SettingException.of(SECTION, "deadLetterPatienceSeconds", "must not be negative");
        }
        SettingException.requireAtLeast(SECTION, "feedSilenceSeconds", feedSilence.toSeconds(), 1);
        if (suppressRepeats.isNegative()) {
            throw SettingException.of(SECTION, "suppressRepeatsSeconds", "must not be negative");
        }
        users = List.copyOf(users);
        webhooks = List.copyOf(webhooks);
        latching = Set.copyOf(latching);
        trustedProxies = Set.copyOf(trustedProxies);
    }

    /** Without the users' hashes and the webhooks' secrets, which records would otherwise print. */
    @Override
    public String toString() {
        return "AlertingConfig[bootstrapServers=" + bootstrapServers + ", httpPort=" + httpPort + ", users="
                + users.size() + ", webhooks=" + webhooks.stream().map(WebhookSubscriber::id).toList() + "]";
    }

    private static final Map<String, Kind> KEYS = Map.ofEntries(entry("bootstrapServers", Kind.TEXT),
            entry("httpHost", Kind.TEXT), entry("httpPort", Kind.WHOLE_NUMBER), entry("maxAlerts", Kind.WHOLE_NUMBER),
            entry("partitions", Kind.WHOLE_NUMBER), entry("replicationFactor", Kind.WHOLE_NUMBER),
            entry("groupId", Kind.TEXT), entry("users", Kind.LIST), entry("sessionTimeoutMinutes", Kind.WHOLE_NUMBER),
            entry("sessionMaxAgeHours", Kind.WHOLE_NUMBER), entry("secureCookie", Kind.BOOLEAN),
            entry("trustedProxies", Kind.LIST), entry("suppressRepeatsSeconds", Kind.WHOLE_NUMBER),
            entry("latchingPriorities", Kind.LIST), entry("escalation", Kind.OBJECT), entry("webhooks", Kind.LIST),
            entry("deviceGroups", Kind.OBJECT), entry("retry", Kind.OBJECT), entry("retainClosedDays", Kind.WHOLE_NUMBER),
            entry("deadLetterPatienceSeconds", Kind.WHOLE_NUMBER), entry("feedSilenceSeconds", Kind.WHOLE_NUMBER));

    public static AlertingConfig fromJson(JsonObject json) {
        ConfigKeys.requireKnown(json, SECTION, KEYS);
        List<UserAccount> users = new ArrayList<>();
        for (Object user : json.getJsonArray("users", new JsonArray())) {
            if (!(user instanceof JsonObject object)) {
                throw SettingException.of(SECTION, "users", "must be a list of {username, passwordHash, roles}");
            }
            users.add(UserAccount.fromJson(object));
        }
        List<WebhookSubscriber> webhooks = new ArrayList<>();
        for (Object webhook : json.getJsonArray("webhooks", new JsonArray())) {
            if (!(webhook instanceof JsonObject object)) {
                throw SettingException.of(SECTION, "webhooks", "must be a list of {id, url, secret, ...}");
            }
            webhooks.add(WebhookSubscriber.fromJson(object));
        }
        return new AlertingConfig(
                json.getString("bootstrapServers"),
                json.getString("httpHost", "0.0.0.0"),
                json.getInteger("httpPort", DEFAULT_HTTP_PORT),
                json.getInteger("maxAlerts", 100_000),
                json.getInteger("partitions", 6),
                json.getInteger("replicationFactor", 3).shortValue(),
                json.getString("groupId", "arrhythmia-alerting"),
                users,
                Duration.ofMinutes(json.getLong("sessionTimeoutMinutes", 30L)),
                Duration.ofHours(json.getLong("sessionMaxAgeHours", 12L)),
                json.getBoolean("secureCookie", false),
                proxies(json.getJsonArray("trustedProxies", new JsonArray())),
                Duration.ofSeconds(json.getLong("suppressRepeatsSeconds", 600L)),
                json.containsKey("latchingPriorities")
                        ? Priorities.parseAll(json.getJsonArray("latchingPriorities"), "latchingPriorities")
                        : EnumSet.of(Priority.HIGH, Priority.MEDIUM),
                EscalationPolicy.fromJson(json.getJsonObject("escalation", new JsonObject())),
                webhooks,
                DeviceGroups.fromJson(json.getJsonObject("deviceGroups", new JsonObject())),
                RetryPolicy.fromJson(json.getJsonObject("retry", new JsonObject())),
                Duration.ofDays(json.getLong("retainClosedDays", 90L)),
                Duration.ofSeconds(json.getLong("deadLetterPatienceSeconds", 60L)),
                Duration.ofSeconds(json.getLong("feedSilenceSeconds", 30L)));
    }

    /**
     * The trusted proxies' addresses in the form the peer's is compared in; a host name, or an
     * address written wrongly, is refused rather than left never to match (every clinician behind
     * the proxy would then share its login limits).
     */
    private static Set<String> proxies(JsonArray list) {
        Set<String> addresses = new java.util.HashSet<>();
        for (Object entry : list) {
            if (!(entry instanceof String text)) {
                throw SettingException.of(SECTION, "trustedProxies", "must be a list of IP addresses, got " + entry);
            }
            addresses.add(IpLiteral.canonical(text).orElseThrow(() -> SettingException.of(SECTION, "trustedProxies",
                    "has '" + text + "', which is not an IP address (host names are not looked up)")));
        }
        return addresses;
    }
}
