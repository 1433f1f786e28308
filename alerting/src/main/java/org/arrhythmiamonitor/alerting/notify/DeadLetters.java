package org.arrhythmiamonitor.alerting.notify;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.arrhythmiamonitor.wire.Topics;

/**
 * Notifications given up after their last retry, written to {@code ecg.alerts.dead-letter} as
 * JSON (subscriber, delivery id, attempts, last error and the payload it would have received), so
 * an operator can see what did not arrive and replay it.
 */
public final class DeadLetters implements AutoCloseable {
    private final KafkaProducer<String, String> producer;

    public DeadLetters(String bootstrapServers) {
        this.producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.CLIENT_ID_CONFIG, "alerting-dead-letters",
                ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000),
                new StringSerializer(), new StringSerializer());
    }

    /** Writes the dead letter and waits for Kafka to have it; throws when it does not. */
    public void publish(String alertId, JsonObject letter) throws Exception {
        producer.send(new ProducerRecord<>(Topics.ALERTS_DEAD_LETTER, alertId, letter.encode()))
                .get(15, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
