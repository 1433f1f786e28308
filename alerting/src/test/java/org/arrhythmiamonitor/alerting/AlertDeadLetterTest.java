package org.arrhythmiamonitor.alerting;

import static org.arrhythmiamonitor.alerting.TestAlerts.alert;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.arrhythmiamonitor.testing.TestKafka;
import org.arrhythmiamonitor.wire.ProtobufSerde;
import org.arrhythmiamonitor.wire.Topics;
import org.arrhythmiamonitor.wire.v1.Alert;
import org.arrhythmiamonitor.wire.v1.Priority;
import org.junit.jupiter.api.Test;

/**
 * An alert the service cannot take is not lost when the dead-letter topic does not take it either:
 * the failure is logged and counted, and the alert's offset is committed only once the letter is
 * written. Its own broker: the test makes the dead-letter topic refuse letters for a while.
 */
class AlertDeadLetterTest {
    private static final String GROUP = "alerting-dead-letter";

    @Test
    void anAlertThatCannotBeDeadLetteredIsNotCommittedUntilItIs() throws Exception {
        TestKafka kafka = TestKafka.start();
        Vertx vertx = Vertx.vertx();
        AlertingService service = null;
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            service = AlertingService.start(vertx, AlertingConfig.fromJson(new JsonObject()
                    .put("bootstrapServers", kafka.bootstrapServers()).put("httpHost", "127.0.0.1").put("httpPort", 0)
                    .put("partitions", 1).put("replicationFactor", 1).put("groupId", GROUP))).await();
            ConfigResource deadLetterTopic = new ConfigResource(ConfigResource.Type.TOPIC, Topics.ALERTS_DEAD_LETTER);
            setMaxMessageBytes(admin, deadLetterTopic, AlterConfigOp.OpType.SET);

            // Larger than Kafka takes as the alert's stored record (it arrives compressed): the lifecycle cannot take it.
            long now = System.currentTimeMillis();
            Alert huge = alert("bed-1", "VENTRICULAR_TACHYCARDIA", Priority.HIGH, now).toBuilder()
                    .setMessage("x".repeat(2_000_000)).build();
            Alert marker = alert("bed-1", "PAUSE", Priority.MEDIUM, now + 1000);
            long hugeOffset = publish(kafka, huge, marker);
            AlertingService running = service;
            waitFor(() -> running.desk().ledger().get(marker.getAlertId()).isPresent());
            Thread.sleep(3000); // The feed reads the batch again every second or so, and fails again.
            assertThat(committed(admin)).as("committed past the alert that is in no topic").isLessThanOrEqualTo(hugeOffset);
            String metrics = WebClient.create(vertx).get(service.httpPort(), "127.0.0.1", "/metrics").send().await()
                    .bodyAsString();
            Matcher failures = Pattern.compile("ecg_alerts_dead_letter_failures_total\\{[^}]*} ([0-9.]+)")
                    .matcher(metrics);
            assertThat(failures.find()).as("failed dead-letter writes counted").isTrue();
            assertThat(Double.parseDouble(failures.group(1))).isGreaterThanOrEqualTo(2);

            setMaxMessageBytes(admin, deadLetterTopic, AlterConfigOp.OpType.DELETE);
            waitFor(() -> committed(admin) > hugeOffset);
            List<ConsumerRecord<String, String>> letters = kafka.read(Topics.ALERTS_DEAD_LETTER,
                    new StringDeserializer(), 1, Duration.ofSeconds(20));
            JsonObject letter = new JsonObject(letters.stream().filter(r -> r.key().equals(huge.getAlertId()))
                    .findFirst().orElseThrow().value());
            assertThat(letter.getString("reason")).contains("larger than Kafka accepts");
            assertThat(letter.getJsonObject("source").getLong("offset")).isEqualTo(hugeOffset);
            assertThat(letter.getJsonObject("source").getString("key")).isEqualTo("bed-1");
            assertThat(letter.getJsonObject("unprocessableAlert").getString("alertId")).isEqualTo(huge.getAlertId());
            assertThat(letter.getJsonObject("unprocessableAlert").getString("omitted")).isNotBlank();
        } finally {
            if (service != null) {
                service.close();
            }
            vertx.close().await();
            kafka.close();
        }
    }

    @Test
    void aDeadLetterTopicThatKeepsRefusingHoldsTheAlertsBehindForThePatienceOnly() throws Exception {
        TestKafka kafka = TestKafka.start();
        Vertx vertx = Vertx.vertx();
        AlertingService service = null;
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            service = AlertingService.start(vertx, AlertingConfig.fromJson(new JsonObject()
                    .put("bootstrapServers", kafka.bootstrapServers()).put("httpHost", "127.0.0.1").put("httpPort", 0)
                    .put("partitions", 1).put("replicationFactor", 1).put("groupId", GROUP)
                    .put("deadLetterPatienceSeconds", 2))).await();
            setMaxMessageBytes(admin, new ConfigResource(ConfigResource.Type.TOPIC, Topics.ALERTS_DEAD_LETTER),
                    AlterConfigOp.OpType.SET);

            long now = System.currentTimeMillis();
            Alert huge = alert("bed-2", "VENTRICULAR_TACHYCARDIA", Priority.HIGH, now).toBuilder()
                    .setMessage("x".repeat(2_000_000)).build();
            long hugeOffset = publish(kafka, huge);
            Alert later = alert("bed-3", "VENTRICULAR_TACHYCARDIA", Priority.HIGH, now + 1000);
            long laterOffset = publish(kafka, later);
            // The refusing topic is never mended: after 2 s the feed moves on, and says where the alert is.
            waitFor(() -> committed(admin) > laterOffset);
            assertThat(laterOffset).isGreaterThan(hugeOffset);
            AlertingService running = service;
            assertThat(running.desk().ledger().get(later.getAlertId())).isPresent();
            String metrics = WebClient.create(vertx).get(service.httpPort(), "127.0.0.1", "/metrics").send().await()
                    .bodyAsString();
            Matcher abandoned = Pattern.compile("ecg_alerts_dead_letter_abandoned_total\\{[^}]*} ([0-9.]+)")
                    .matcher(metrics);
            assertThat(abandoned.find()).as("alerts moved past counted").isTrue();
            assertThat(Double.parseDouble(abandoned.group(1))).isEqualTo(1.0);
        } finally {
            if (service != null) {
                service.close();
            }
            vertx.close().await();
            kafka.close();
        }
    }

    @Test
    void twoRefusedAlertsInOneBatchAreEachMovedPastOnce() throws Exception {
        TestKafka kafka = TestKafka.start();
        Vertx vertx = Vertx.vertx();
        AlertingService service = null;
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            service = AlertingService.start(vertx, AlertingConfig.fromJson(new JsonObject()
                    .put("bootstrapServers", kafka.bootstrapServers()).put("httpHost", "127.0.0.1").put("httpPort", 0)
                    .put("partitions", 1).put("replicationFactor", 1).put("groupId", GROUP)
                    .put("deadLetterPatienceSeconds", 3))).await();
            setMaxMessageBytes(admin, new ConfigResource(ConfigResource.Type.TOPIC, Topics.ALERTS_DEAD_LETTER),
                    AlterConfigOp.OpType.SET);
            long now = System.currentTimeMillis();
            Alert a = alert("bed-2", "VENTRICULAR_TACHYCARDIA", Priority.HIGH, now).toBuilder()
                    .setMessage("x".repeat(2_000_000)).build();
            Alert b = alert("bed-4", "VENTRICULAR_TACHYCARDIA", Priority.HIGH, now + 500).toBuilder()
                    .setMessage("y".repeat(2_000_000)).build();
            Alert later = alert("bed-3", "VENTRICULAR_TACHYCARDIA", Priority.HIGH, now + 1000);
            long laterOffset = publish(kafka, a, b, later) + 2;
            waitFor(() -> committed(admin) > laterOffset);
            String metrics = WebClient.create(vertx).get(service.httpPort(), "127.0.0.1", "/metrics").send().await()
                    .bodyAsString();
            Matcher abandoned = Pattern.compile("ecg_alerts_dead_letter_abandoned_total\\{[^}]*} ([0-9.]+)")
                    .matcher(metrics);
            assertThat(abandoned.find()).isTrue();
            // Moving past the first must not start the second's wait again from the first's.
            assertThat(Double.parseDouble(abandoned.group(1))).as("two alerts moved past, each once").isEqualTo(2.0);
        } finally {
            if (service != null) {
                service.close();
            }
            vertx.close().await();
            kafka.close();
        }
    }

    /** SET: the dead-letter topic refuses every letter; DELETE: back to the broker's limit. */
    private static void setMaxMessageBytes(Admin admin, ConfigResource topic, AlterConfigOp.OpType op)
            throws Exception {
        Collection<AlterConfigOp> change = List.of(new AlterConfigOp(
                new ConfigEntry(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, "100"), op));
        admin.incrementalAlterConfigs(Map.of(topic, change)).all().get();
    }

    /** Publishes the alerts compressed (one record larger than Kafka stores uncompressed); the first one's offset. */
    private static long publish(TestKafka kafka, Alert first, Alert... more) throws Exception {
        try (KafkaProducer<String, Alert> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.COMPRESSION_TYPE_CONFIG, "gzip",
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 8_000_000),
                new StringSerializer(), ProtobufSerde.alerts().serializer())) {
            RecordMetadata sent = producer.send(new ProducerRecord<>(Topics.ALERTS, first.getDeviceId(), first)).get();
            for (Alert alert : more) {
                producer.send(new ProducerRecord<>(Topics.ALERTS, alert.getDeviceId(), alert)).get();
            }
            return sent.offset();
        }
    }

    /** The group's committed offset of ecg.alerts (one partition), -1 before the first commit. */
    private static long committed(Admin admin) {
        try {
            OffsetAndMetadata offset = admin.listConsumerGroupOffsets(GROUP).partitionsToOffsetAndMetadata().get()
                    .get(new TopicPartition(Topics.ALERTS, 0));
            return offset == null ? -1 : offset.offset();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void waitFor(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 30_000;
        while (!condition.getAsBoolean()) {
            assertThat(System.currentTimeMillis()).as("waited 30 s").isLessThan(deadline);
            Thread.sleep(100);
        }
    }
}
