package org.arrhythmiamonitor.alerting;

import static org.arrhythmiamonitor.alerting.TestAlerts.alert;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.arrhythmiamonitor.alerting.auth.Passwords;
import org.arrhythmiamonitor.alerting.lifecycle.AlertStore;
import org.arrhythmiamonitor.kafka.TopicProvisioner;
import org.arrhythmiamonitor.testing.TestKafka;
import org.arrhythmiamonitor.wire.ProtobufSerde;
import org.arrhythmiamonitor.wire.Topics;
import org.arrhythmiamonitor.wire.v1.Alert;
import org.arrhythmiamonitor.wire.v1.AlertRecord;
import org.arrhythmiamonitor.wire.v1.AlertState;
import org.arrhythmiamonitor.wire.v1.Priority;
import org.junit.jupiter.api.Test;

/** A change Kafka does not store is not made: the clinician is told, and the alert stays as it was. */
class AlertStoreOutageTest {
    @Test
    void anAcknowledgementKafkaCannotStoreIsRefusedAndNotMade() throws Exception {
        TestKafka kafka = TestKafka.start();
        Vertx vertx = Vertx.vertx();
        AlertingService service = null;
        boolean brokerUp = true;
        try {
            String password = "outage-password-1";
            service = AlertingService.start(vertx, AlertingConfig.fromJson(new JsonObject()
                    .put("bootstrapServers", kafka.bootstrapServers()).put("httpHost", "127.0.0.1").put("httpPort", 0)
                    .put("partitions", 1).put("replicationFactor", 1)
                    .put("users", new JsonArray().add(new JsonObject().put("username", "nurse")
                            .put("passwordHash", Passwords.hash(password))
                            .put("roles", new JsonArray().add("clinician")))))).await();
            Alert vt = alert("bed-1", "VENTRICULAR_TACHYCARDIA", Priority.HIGH, System.currentTimeMillis());
            try (KafkaProducer<String, Alert> producer = new KafkaProducer<>(
                    Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                    new StringSerializer(), ProtobufSerde.alerts().serializer())) {
                producer.send(new ProducerRecord<>(Topics.ALERTS, vt.getDeviceId(), vt));
            }
            AlertingService running = service;
            long deadline = System.currentTimeMillis() + 20_000;
            while (running.desk().ledger().get(vt.getAlertId()).isEmpty()) {
                assertThat(System.currentTimeMillis()).as("alert arrived").isLessThan(deadline);
                Thread.sleep(50);
            }
            WebClient client = WebClient.create(vertx);
            HttpResponse<Buffer> login = client.post(service.httpPort(), "127.0.0.1", "/api/login")
                    .sendJsonObject(new JsonObject().put("username", "nurse").put("password", password)).await();
            String cookie = login.cookies().get(0).split(";")[0];

            kafka.close();
            brokerUp = false;
            HttpResponse<Buffer> ack = client.post(service.httpPort(), "127.0.0.1",
                    "/api/alerts/" + vt.getAlertId() + "/acknowledge").putHeader("Cookie", cookie)
                    .sendJsonObject(new JsonObject()).await();
            assertThat(ack.statusCode()).isEqualTo(503);
            assertThat(ack.getHeader("Retry-After")).isNotNull();
            assertThat(ack.bodyAsJsonObject().getString("detail")).contains("nothing changed");
            assertThat(service.desk().ledger().get(vt.getAlertId()).orElseThrow().getState())
                    .isEqualTo(AlertState.OPEN);
        } finally {
            if (service != null) {
                service.close();
            }
            vertx.close().await();
            if (brokerUp) {
                kafka.close();
            }
        }
    }

    @Test
    void aProbeWhileKafkaIsDownBreaksNothingAndPausesProbing() throws Exception {
        TestKafka kafka = TestKafka.start();
        TopicProvisioner.ensureTopics(kafka.bootstrapServers(), Topics.ALL, 1, (short) 1, 30_000);
        AlertStore store = new AlertStore(kafka.bootstrapServers(), "outage-probe");
        try {
            store.open();
            store.save(List.of(AlertRecord.newBuilder().setAlert(Alert.newBuilder().setAlertId("a1")).build()));
            kafka.close();

            store.probe(Duration.ZERO);
            assertThat(store.fenced()).as("Kafka unreachable is not another instance").isFalse();
            assertThat(store.broken()).isNull();
            long started = System.nanoTime();
            store.probe(Duration.ZERO);
            assertThat(Duration.ofNanos(System.nanoTime() - started)).as("the next probe waits its pause out")
                    .isLessThan(Duration.ofSeconds(1));
        } finally {
            store.close();
        }
    }
}
