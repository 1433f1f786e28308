package org.arrhythmiamonitor.alerting;

import static org.arrhythmiamonitor.alerting.AlertBookTest.alert;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.arrhythmiamonitor.testing.TestKafka;
import org.arrhythmiamonitor.wire.ProtobufSerde;
import org.arrhythmiamonitor.wire.Topics;
import org.arrhythmiamonitor.wire.v1.Alert;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The alerting service against a real Kafka broker. */
class AlertingServiceTest {
    private static TestKafka kafka;
    private static Vertx vertx;
    private static WebClient client;

    @BeforeAll
    static void start() {
        kafka = TestKafka.start();
        vertx = Vertx.vertx();
        client = WebClient.create(vertx);
    }

    @AfterAll
    static void stop() {
        vertx.close().await();
        kafka.close();
    }

    private static AlertingService startService() {
        return AlertingService.start(vertx, AlertingConfig.fromJson(new JsonObject()
                .put("bootstrapServers", kafka.bootstrapServers())
                .put("httpHost", "127.0.0.1")
                .put("httpPort", 0)
                .put("partitions", 3)
                .put("replicationFactor", 1))).await();
    }

    private static void publish(Alert... alerts) {
        try (KafkaProducer<String, Alert> producer = new KafkaProducer<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                new StringSerializer(), ProtobufSerde.alerts().serializer())) {
            for (Alert alert : alerts) {
                producer.send(new ProducerRecord<>(Topics.ALERTS, alert.getDeviceId(), alert));
            }
        }
    }

    private static HttpResponse<Buffer> get(AlertingService service, String path) {
        return client.get(service.httpPort(), "127.0.0.1", path).send().await();
    }

    private static JsonArray alerts(AlertingService service, String query) {
        return get(service, "/api/alerts" + query).bodyAsJsonObject().getJsonArray("alerts");
    }

    private static void waitFor(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 15_000;
        while (!condition.getAsBoolean()) {
            assertThat(System.currentTimeMillis()).as("waited 15 s").isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    @Test
    void servesAlertsNewestFirstOnceEachAndRebuildsAfterARestart() throws Exception {
        AlertingService service = startService();
        try {
            publish(alert("bed-1", 1_000, 0), alert("bed-2", 3_000, 0), alert("bed-1", 2_000, 0));
            publish(alert("bed-1", 1_000, 0)); // a retried copy
            publish(alert("bed-1", 1_000, 1_500)); // the episode ended

            waitFor(() -> alerts(service, "?deviceId=bed-1").size() == 2
                    && alerts(service, "?deviceId=bed-1").getJsonObject(1).containsKey("endTimeMs"));
            JsonArray all = alerts(service, "?deviceId=bed-1");
            all.addAll(alerts(service, "?deviceId=bed-2"));
            all = new JsonArray(all.stream().sorted((x, y) -> Long.compare(((JsonObject) y).getLong("onsetTimeMs"),
                    ((JsonObject) x).getLong("onsetTimeMs"))).toList());
            assertThat(all).hasSize(3);
            assertThat(alerts(service, "").stream().map(a -> ((JsonObject) a).getLong("onsetTimeMs")))
                    .as("newest first").isSortedAccordingTo((x, y) -> Long.compare(y, x));
            assertThat(all.stream().map(a -> ((JsonObject) a).getLong("onsetTimeMs")))
                    .containsExactly(3_000L, 2_000L, 1_000L);
            JsonObject ended = all.getJsonObject(2);
            assertThat(ended.getString("status")).isEqualTo("ended");
            assertThat(ended.getString("priority")).isEqualTo("high");
            assertThat(ended.getString("onsetTime")).isEqualTo("1970-01-01T00:00:01Z");
            assertThat(alerts(service, "?limit=1")).hasSize(1);
            assertThat(alerts(service, "?deviceId=bed-1&priority=high")).hasSize(2);
            assertThat(alerts(service, "?priority=low")).isEmpty();
        } finally {
            service.close();
        }

        AlertingService restarted = startService();
        try {
            waitFor(() -> alerts(restarted, "?deviceId=bed-1").size() == 2
                    && alerts(restarted, "?deviceId=bed-2").size() == 1);
            assertThat(alerts(restarted, "?deviceId=bed-1").getJsonObject(1).getString("status")).isEqualTo("ended");
            waitFor(() -> get(restarted, "/health").bodyAsJsonObject().getJsonObject("details")
                    .getBoolean("caughtUp"));
        } finally {
            restarted.close();
        }
    }

    @Test
    void anUnreadableRecordIsSkippedAndCounted() throws Exception {
        AlertingService service = startService();
        try {
            try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
                    Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                    new StringSerializer(), new ByteArraySerializer())) {
                producer.send(new ProducerRecord<>(Topics.ALERTS, "bed-9", new byte[] {(byte) 0xff, 0x01}));
            }
            publish(alert("bed-9", 9_000, 0));

            waitFor(() -> alerts(service, "?deviceId=bed-9").size() == 1);
            assertThat(get(service, "/metrics").bodyAsString()).contains("ecg_alerts_unreadable_total");
        } finally {
            service.close();
        }
    }

    @Test
    void badQueriesGet400WithTheField() {
        AlertingService service = startService();
        try {
            HttpResponse<Buffer> badLimit = get(service, "/api/alerts?limit=abc");
            assertThat(badLimit.statusCode()).isEqualTo(400);
            assertThat(badLimit.bodyAsJsonObject().getString("field")).isEqualTo("limit");
            HttpResponse<Buffer> badPriority = get(service, "/api/alerts?priority=urgent");
            assertThat(badPriority.statusCode()).isEqualTo(400);
            assertThat(badPriority.bodyAsJsonObject().getString("field")).isEqualTo("priority");
        } finally {
            service.close();
        }
    }
}
