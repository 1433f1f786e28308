package org.arrhythmiamonitor.alerting.lifecycle;

import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.RecordTooLargeException;
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
 * <p>A save is one Kafka transaction and returns only once it is committed (acknowledged by all
 * in-sync replicas): the service answers a clinician's acknowledgement, or commits its read of
 * {@code ecg.alerts}, only after that.
 */
public final class AlertStore implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AlertStore.class);
    private static final long SAVE_TIMEOUT_MS = 10_000;

    private final String bootstrapServers;
    private final String transactionalId;
    private KafkaProducer<String, AlertRecord> producer;
    private volatile boolean fenced;

    /**
     * @param transactionalId the same for every instance of one deployment: a new instance fences
     *     the one before it, whose writes then fail instead of overwriting newer changes (an
     *     escalation of the old instance must not undo an acknowledgement made on the new one)
     */
    public AlertStore(String bootstrapServers, String transactionalId) {
        this.bootstrapServers = bootstrapServers;
        this.transactionalId = transactionalId;
        this.producer = newProducer();
    }

    private KafkaProducer<String, AlertRecord> newProducer() {
        KafkaProducer<String, AlertRecord> created = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId,
                ProducerConfig.CLIENT_ID_CONFIG, "alerting-store",
                // Fail a save within the HTTP request's patience instead of blocking for a minute.
                ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) SAVE_TIMEOUT_MS,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) SAVE_TIMEOUT_MS,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) SAVE_TIMEOUT_MS - 1000,
                ProducerConfig.LINGER_MS_CONFIG, 0),
                new StringSerializer(), ProtobufSerde.alertRecords().serializer());
        try {
            created.initTransactions();
        } catch (RuntimeException e) {
            created.close(Duration.ZERO);
            throw new AlertStoreException("cannot open the alert store " + Topics.ALERT_STATE + ": " + e.getMessage(), e);
        }
        return created;
    }

    /** Stores the records, in order and all or none, and returns when Kafka has them; throws otherwise. */
    public void save(List<AlertRecord> records) {
        if (fenced) {
            throw fencedException(null);
        }
        try {
            producer.beginTransaction();
            for (AlertRecord record : records) {
                producer.send(new ProducerRecord<>(Topics.ALERT_STATE, record.getAlert().getAlertId(), record));
            }
            producer.commitTransaction();
        } catch (ProducerFencedException | InvalidProducerEpochException e) {
            fenced = true;
            LOG.error("Another alerting instance (transactional id {}) took over the alert store; this one no "
                    + "longer changes alerts", transactionalId);
            throw fencedException(e);
        } catch (RuntimeException e) {
            abortQuietly();
            for (Throwable cause = e; cause != null; cause = cause.getCause()) {
                if (cause instanceof RecordTooLargeException tooLarge) {
                    // Permanent: retrying the same record cannot succeed.
                    throw new AlertStoreException("the alert record is larger than Kafka accepts: "
                            + tooLarge.getMessage(), tooLarge);
                }
            }
            throw new AlertStoreException("Kafka did not store the alert change: " + e.getMessage(), e);
        }
    }

    private AlertStoreException fencedException(Throwable cause) {
        return new AlertStoreException("another alerting instance took over (same groupId); this one is fenced off",
                cause, true);
    }

    /** Aborts the open transaction; a producer left in a fatal state is replaced. */
    private void abortQuietly() {
        try {
            producer.abortTransaction();
        } catch (RuntimeException e) {
            LOG.warn("Replacing the alert store's producer after {}", e.toString());
            producer.close(Duration.ZERO);
            try {
                producer = newProducer();
            } catch (AlertStoreException again) {
                LOG.warn("The alert store's producer could not be replaced yet: {}", again.getMessage());
            }
        }
    }

    /** True once another instance took over: this one must not change alerts any more. */
    public boolean fenced() {
        return fenced;
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
