package org.arrhythmiamonitor.alerting.lifecycle;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.arrhythmiamonitor.wire.ProtobufSerde;
import org.arrhythmiamonitor.wire.Topics;
import org.arrhythmiamonitor.wire.v1.AlertRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The alerting service's durable store: the compacted topic {@code ecg.alert-state}, one
 * {@link AlertRecord} per alert id. Kafka rather than a database because the service already
 * depends on it, it replicates on a cluster, and compaction keeps exactly what a restart needs (the
 * latest record per alert, its audit trail inside it) without a second system to run and back up.
 *
 * <p>A save returns only once every record is acknowledged by all in-sync replicas: the service
 * answers a clinician's acknowledgement, or commits its read of {@code ecg.alerts}, only after that.
 */
public final class AlertStore implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AlertStore.class);
    private static final long SAVE_TIMEOUT_MS = 10_000;

    private final KafkaProducer<String, AlertRecord> producer;

    public AlertStore(String bootstrapServers) {
        this.producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.CLIENT_ID_CONFIG, "alerting-store",
                // Fail a save within the HTTP request's patience instead of blocking for a minute.
                ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) SAVE_TIMEOUT_MS,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) SAVE_TIMEOUT_MS,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) SAVE_TIMEOUT_MS - 1000,
                ProducerConfig.LINGER_MS_CONFIG, 0),
                new StringSerializer(), ProtobufSerde.alertRecords().serializer());
    }

    /** Stores the records, in order, and returns when Kafka has them all; throws otherwise. */
    public void save(List<AlertRecord> records) {
        List<Future<RecordMetadata>> sends = new ArrayList<>(records.size());
        try {
            for (AlertRecord record : records) {
                sends.add(producer.send(new ProducerRecord<>(Topics.ALERT_STATE, record.getAlert().getAlertId(),
                        record)));
            }
            for (Future<RecordMetadata> send : sends) {
                send.get(SAVE_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            }
        } catch (ExecutionException e) {
            throw new AlertStoreException("Kafka did not store the alert change: " + e.getCause().getMessage(),
                    e.getCause());
        } catch (TimeoutException e) {
            throw new AlertStoreException("Kafka did not store the alert change within " + SAVE_TIMEOUT_MS + " ms", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AlertStoreException("interrupted while storing an alert change", e);
        } catch (RuntimeException e) {
            throw new AlertStoreException("Kafka did not store the alert change: " + e.getMessage(), e);
        }
    }

    /**
     * Reads the whole topic, keeping the latest record per alert id: the state as the last
     * instance left it. Unreadable records are skipped with a warning rather than stopping the
     * service.
     */
    public static List<AlertRecord> loadAll(String bootstrapServers, Duration timeout) {
        Map<String, AlertRecord> latest = new LinkedHashMap<>();
        try (KafkaConsumer<String, AlertRecord> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.CLIENT_ID_CONFIG, "alerting-store-loader"),
                new StringDeserializer(), ProtobufSerde.alertRecords().deserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.ALERT_STATE, timeout).stream()
                    .map(info -> new TopicPartition(info.topic(), info.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = new HashMap<>(consumer.endOffsets(partitions, timeout));
            long deadline = System.currentTimeMillis() + timeout.toMillis();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p))) {
                if (System.currentTimeMillis() > deadline) {
                    throw new AlertStoreException("reading " + Topics.ALERT_STATE + " took longer than " + timeout,
                            null);
                }
                try {
                    for (ConsumerRecord<String, AlertRecord> record : consumer.poll(Duration.ofMillis(200))) {
                        if (record.value() == null) {
                            latest.remove(record.key());
                        } else {
                            latest.put(record.key(), record.value());
                        }
                    }
                } catch (RecordDeserializationException e) {
                    LOG.warn("Skipping unreadable alert record at {} offset {}: {}", e.topicPartition(), e.offset(),
                            e.getMessage());
                    consumer.seek(e.topicPartition(), e.offset() + 1);
                }
            }
        }
        return List.copyOf(latest.values());
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
