package org.arrhythmiamonitor.alerting;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.time.Duration;
import java.util.function.Predicate;
import org.arrhythmiamonitor.testing.TestKafka;
import org.junit.jupiter.api.Test;

/**
 * While Kafka is unreachable no alert can arrive and the burden history goes stale: {@code /health}
 * must say so. The consumer's poll does not fail then, it returns nothing while it reconnects, so
 * a feed that merely polls looks well.
 */
class AlertFeedOutageTest {
    private static final int SILENCE_S = 3;

    @Test
    void healthSaysTheFeedAndTheBurdenHistoryAreCutOffWhileKafkaIsUnreachableAndFollowAgainOnceItIsBack() throws Exception {
        TestKafka kafka = TestKafka.start();
        Vertx vertx = Vertx.vertx();
        AlertingService service = null;
        try {
            service = AlertingService.start(vertx, AlertingConfig.fromJson(new JsonObject()
                    .put("bootstrapServers", kafka.bootstrapServers()).put("httpHost", "127.0.0.1").put("httpPort", 0)
                    .put("partitions", 1).put("replicationFactor", 1).put("feedSilenceSeconds", SILENCE_S))).await();
            WebClient client = WebClient.create(vertx);
            int port = service.httpPort();
            awaitHealth(client, port, Duration.ofSeconds(20), health -> "UP".equals(health.getString("status"))
                    && health.getJsonObject("details").getBoolean("following"));
            // A quiet topic is not a lost cluster: with no alert written, the feed still hears from Kafka.
            Thread.sleep((SILENCE_S + 1) * 1000L);
            JsonObject quiet = client.get(port, "127.0.0.1", "/health").send().await().bodyAsJsonObject();
            assertThat(quiet.getString("status")).as(quiet.encode()).isEqualTo("UP");

            kafka.stopBroker();
            JsonObject down = awaitHealth(client, port, Duration.ofSeconds(SILENCE_S + 10),
                    health -> !health.getJsonObject("details").getBoolean("following")
                            && health.getJsonObject("details").containsKey("burdenHistorySilent"));
            assertThat(down.getString("status")).isEqualTo("DOWN");
            assertThat(down.getJsonObject("details").getString("feedSilent")).contains("ecg.alerts");
            assertThat(down.getJsonObject("details").getString("burdenHistorySilent")).contains("ecg.burden");

            kafka.restartBroker();
            JsonObject up = awaitHealth(client, port, Duration.ofSeconds(20),
                    health -> "UP".equals(health.getString("status")));
            assertThat(up.getJsonObject("details").getBoolean("following")).isTrue();
            assertThat(up.getJsonObject("details").containsKey("feedSilent")).isFalse();
            assertThat(up.getJsonObject("details").containsKey("burdenHistorySilent")).isFalse();
        } finally {
            if (service != null) {
                service.close();
            }
            vertx.close().await();
            kafka.close();
        }
    }

    /** Asks {@code /health} until its body passes the check, and returns that body. */
    private static JsonObject awaitHealth(WebClient client, int port, Duration timeout, Predicate<JsonObject> check)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            JsonObject health = client.get(port, "127.0.0.1", "/health").send().await().bodyAsJsonObject();
            if (check.test(health)) {
                return health;
            }
            assertThat(System.nanoTime()).as("within %s: %s", timeout, health.encode()).isLessThan(deadline);
            Thread.sleep(200);
        }
    }
}
