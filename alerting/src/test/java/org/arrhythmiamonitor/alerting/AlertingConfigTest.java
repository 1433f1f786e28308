package org.arrhythmiamonitor.alerting;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.arrhythmiamonitor.alerting.notify.NotificationRouter;
import org.junit.jupiter.api.Test;

/** Settings mistakes stop the start with a message that names the key. */
class AlertingConfigTest {
    private static JsonObject base() {
        return new JsonObject().put("bootstrapServers", "localhost:9092");
    }

    private static JsonObject hook(String id) {
        return new JsonObject().put("id", id).put("url", "https://pager.example/" + id)
                .put("secret", "0123456789abcdef");
    }

    private static NotificationRouter router(AlertingConfig config) {
        return new NotificationRouter(config.webhooks(), config.deviceGroups(), config.escalation());
    }

    @Test
    void theDefaultsAreThoseTheGuideDocuments() {
        AlertingConfig config = AlertingConfig.fromJson(base());
        assertThat(config.httpPort()).isEqualTo(8081);
        assertThat(config.sessionIdle().toMinutes()).isEqualTo(30);
        assertThat(config.sessionMaxAge().toHours()).isEqualTo(12);
        assertThat(config.suppressRepeats().toSeconds()).isEqualTo(600);
        assertThat(config.escalation().after().toSeconds()).isEqualTo(120);
        assertThat(config.retry().maxAttempts()).isEqualTo(10);
        assertThat(config.groupId()).isEqualTo("arrhythmia-alerting");
        assertThat(config.feedSilence().toSeconds()).isEqualTo(30);
    }

    @Test
    void unknownKeysAreRefusedAtEveryLevel() {
        assertThatThrownBy(() -> AlertingConfig.fromJson(base().put("suppressRepeatSeconds", 5)))
                .hasMessageContaining("alerting: unknown setting 'suppressRepeatSeconds'");
        assertThatThrownBy(() -> AlertingConfig.fromJson(base().put("retry", new JsonObject().put("maxAttempt", 3))))
                .hasMessageContaining("retry: unknown setting 'maxAttempt'");
        assertThatThrownBy(() -> AlertingConfig.fromJson(base().put("webhooks",
                new JsonArray().add(hook("a").put("priority", new JsonArray().add("high"))))))
                .hasMessageContaining("webhooks.a: unknown setting 'priority'");
    }

    @Test
    void valuesOfTheWrongTypeNameTheirKeyAndTheTypeExpected() {
        assertThatThrownBy(() -> AlertingConfig.fromJson(base().put("sessionTimeoutMinutes", "thirty")))
                .hasMessage("alerting: sessionTimeoutMinutes must be a whole number, got \"thirty\"");
        assertThatThrownBy(() -> AlertingConfig.fromJson(base().put("retainClosedDays", 1e18)))
                .hasMessage("alerting: retainClosedDays must be a whole number from -2147483648 to 2147483647, "
                        + "got 1.0E18");
        assertThatThrownBy(() -> AlertingConfig.fromJson(base().put("sessionTimeoutMinutes", 30.5)))
                .hasMessageContaining("sessionTimeoutMinutes must be a whole number, got 30.5");
        assertThatThrownBy(() -> AlertingConfig.fromJson(base().put("secureCookie", "yes")))
                .hasMessageContaining("alerting: secureCookie must be true or false");
        assertThatThrownBy(() -> AlertingConfig.fromJson(base().put("retry", new JsonObject().put("maxAttempts", "3"))))
                .hasMessageContaining("retry: maxAttempts must be a whole number, got \"3\"");
        assertThatThrownBy(() -> AlertingConfig.fromJson(base().put("webhooks",
                new JsonArray().add(hook("a").put("url", 5)))))
                .hasMessageContaining("webhooks.a: url must be a string, got 5");
        assertThatThrownBy(() -> AlertingConfig.fromJson(base().put("escalation", "often")))
                .hasMessageContaining("alerting: escalation must be an object");
    }

    @Test
    void badValuesNameTheirKey() {
        assertThatThrownBy(() -> AlertingConfig.fromJson(base().put("webhooks",
                new JsonArray().add(hook("a").put("secret", "short")))))
                .hasMessageContaining("webhooks.a: secret must be at least 16 characters");
        assertThatThrownBy(() -> AlertingConfig.fromJson(base().put("webhooks",
                new JsonArray().add(hook("a").put("url", "ftp://x/")))))
                .hasMessageContaining("webhooks.a: url must be an http or https URL");
        assertThatThrownBy(() -> AlertingConfig.fromJson(base().put("webhooks",
                new JsonArray().add(hook("a").put("priorities", new JsonArray().add("urgent"))))))
                .hasMessageContaining("webhooks.a.priorities: priority must be one of");
        assertThatThrownBy(() -> AlertingConfig.fromJson(base().put("users", new JsonArray().add(new JsonObject()
                .put("username", "dr").put("passwordHash", "plain text").put("roles", new JsonArray().add("clinician"))))))
                .hasMessageContaining("users.dr: passwordHash must be");
        assertThatThrownBy(() -> AlertingConfig.fromJson(base().put("users", new JsonArray().add(new JsonObject()
                .put("username", "dr").put("passwordHash", "pbkdf2-sha256$2000000000$c2FsdA==$aGFzaA==")
                .put("roles", new JsonArray().add("clinician"))))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("users.dr: passwordHash has 2000000000 iterations; at most 10000000");
        assertThatThrownBy(() -> AlertingConfig.fromJson(base().put("escalation", new JsonObject().put("afterSeconds", 0))))
                .hasMessageContaining("escalation.afterSeconds must be positive");
        assertThatThrownBy(() -> AlertingConfig.fromJson(base().put("feedSilenceSeconds", 0)))
                .hasMessage("alerting: feedSilenceSeconds must be at least 1, got 0");
        assertThatThrownBy(() -> AlertingConfig.fromJson(base().put("webhooks",
                new JsonArray().add(hook("a").put("priorities", new JsonArray())))))
                .hasMessageContaining("webhooks.a: priorities is an empty list; leave it out for every priority");
        assertThatThrownBy(() -> AlertingConfig.fromJson(base().put("webhooks",
                new JsonArray().add(hook("a").put("deviceGroups", new JsonArray())))))
                .hasMessageContaining("webhooks.a: deviceGroups is an empty list; leave it out for every device");
        // A name would never equal the peer's address: every clinician behind the proxy would share its limits.
        assertThatThrownBy(() -> AlertingConfig.fromJson(base().put("trustedProxies",
                new JsonArray().add("proxy.ward.example"))))
                .hasMessage("alerting: trustedProxies has 'proxy.ward.example', which is not an IP address (host names "
                        + "are not looked up)");
        assertThatThrownBy(() -> AlertingConfig.fromJson(base().put("trustedProxies", new JsonArray().add(5))))
                .hasMessage("alerting: trustedProxies must be a list of IP addresses, got 5");
        assertThat(AlertingConfig.fromJson(base().put("trustedProxies", new JsonArray().add("::1").add("10.0.0.5")))
                .trustedProxies()).as("in the form Vert.x prints the peer in")
                .containsExactlyInAnyOrder("0:0:0:0:0:0:0:1", "10.0.0.5");
    }

    @Test
    void namesThatPointNowhereAreRefusedInsteadOfSilencingANotification() {
        AlertingConfig unknownGroup = AlertingConfig.fromJson(base().put("webhooks",
                new JsonArray().add(hook("a").put("deviceGroups", new JsonArray().add("icu")))));
        assertThatThrownBy(() -> router(unknownGroup)).hasMessageContaining("device group 'icu' is not defined");
        AlertingConfig unknownSubscriber = AlertingConfig.fromJson(base().put("escalation", new JsonObject()
                .put("levels", new JsonArray().add(new JsonObject().put("name", "nurse")
                        .put("subscribers", new JsonArray().add("pager"))))));
        assertThatThrownBy(() -> router(unknownSubscriber)).hasMessageContaining("no webhook with id 'pager'");
        AlertingConfig twice = AlertingConfig.fromJson(base().put("webhooks", new JsonArray().add(hook("a"))
                .add(hook("a"))));
        assertThatThrownBy(() -> router(twice)).hasMessageContaining("'a' is used twice");
        // Patterns no device id can match: the group's webhooks would hear of nothing.
        assertThatThrownBy(() -> AlertingConfig.fromJson(base().put("deviceGroups",
                new JsonObject().put("icu", new JsonArray().add("icu-*").add("")))))
                .hasMessageContaining("deviceGroups.icu: a pattern is empty, so it matches no device; \"*\" matches "
                        + "every device");
        assertThatThrownBy(() -> AlertingConfig.fromJson(base().put("deviceGroups",
                new JsonObject().put("icu", new JsonArray().add("icu bed *")))))
                .hasMessageContaining("deviceGroups.icu: pattern \"icu bed *\" has characters no device id has");
        assertThat(AlertingConfig.fromJson(base().put("deviceGroups",
                new JsonObject().put("icu", new JsonArray().add("*").add("ICU-2.bed_1*"))))
                .deviceGroups().contains(List.of("icu"), "ICU-2.bed_14")).isTrue();
    }

    @Test
    void secretsAndHashesStayOutOfItsPrintedForm() {
        AlertingConfig config = AlertingConfig.fromJson(base().put("webhooks", new JsonArray().add(hook("a"))));
        assertThat(config.toString()).doesNotContain("0123456789abcdef");
        assertThat(config.webhooks().get(0).toString()).doesNotContain("0123456789abcdef");
        assertThat(List.of(config.webhooks().get(0).toPublicJson().encode())).noneMatch(s -> s.contains("secret"));
    }
}
