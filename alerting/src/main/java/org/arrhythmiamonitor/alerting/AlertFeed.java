package org.arrhythmiamonitor.alerting;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.arrhythmiamonitor.wire.ProtobufSerde;
import org.arrhythmiamonitor.wire.Topics;
import org.arrhythmiamonitor.wire.v1.Alert;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads {@code ecg.alerts} from the beginning into the {@link AlertBook} and keeps following it.
 * Reading from the beginning at every start rebuilds the view after a restart without a store of
 * its own; only committed records are read, so alerts of an aborted processor transaction never
 * show.
 */
public final class AlertFeed implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AlertFeed.class);
    private static final Logger ALERTS = LoggerFactory.getLogger("ALERTS");
    private static final Duration POLL = Duration.ofMillis(250);
    private static final long PARTITION_REFRESH_MS = 30_000;

    private final KafkaConsumer<String, Alert> consumer;
    private final KafkaClientMetrics consumerMetrics;
    private final AlertBook book;
    private final MeterRegistry registry;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread;
    /** End offsets when each partition was assigned: records before them are the backlog, replayed at start. */
    private final Map<TopicPartition, Long> backlogEnds = new HashMap<>();
    private volatile String lastError;
    private volatile boolean caughtUp;

    public AlertFeed(String bootstrapServers, AlertBook book, MeterRegistry registry) {
        this.book = book;
        this.registry = registry;
        this.consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.CLIENT_ID_CONFIG, "alerting-feed"),
                new StringDeserializer(), ProtobufSerde.alerts().deserializer());
        this.consumerMetrics = new KafkaClientMetrics(consumer);
        consumerMetrics.bindTo(registry);
        this.thread = new Thread(this::run, "alert-feed");
        thread.setDaemon(true);
    }

    public void start() {
        thread.start();
    }

    private void run() {
        Set<TopicPartition> assigned = new HashSet<>();
        long lastRefresh = 0;
        try {
            while (running.get()) {
                try {
                    if (System.currentTimeMillis() - lastRefresh > PARTITION_REFRESH_MS) {
                        assignNewPartitions(assigned);
                        lastRefresh = System.currentTimeMillis();
                    }
                    ConsumerRecords<String, Alert> records = consumer.poll(POLL);
                    for (TopicPartition partition : records.partitions()) {
                        long backlogEnd = backlogEnds.getOrDefault(partition, 0L);
                        for (ConsumerRecord<String, Alert> record : records.records(partition)) {
                            accept(record.value(), record.offset() < backlogEnd);
                        }
                    }
                    if (!caughtUp && !assigned.isEmpty()) {
                        caughtUp = isCaughtUp(assigned);
                        if (caughtUp) {
                            LOG.info("Read the {} alerts already in {}; following new ones", book.size(),
                                    Topics.ALERTS);
                        }
                    }
                    lastError = null;
                } catch (RecordDeserializationException e) {
                    registry.counter("ecg.alerts.unreadable").increment();
                    LOG.warn("Skipping unreadable record at {} offset {}: {}", e.topicPartition(), e.offset(),
                            e.getMessage());
                    consumer.seek(e.topicPartition(), e.offset() + 1);
                } catch (WakeupException e) {
                    throw e;
                } catch (RuntimeException e) {
                    lastError = e.getClass().getSimpleName() + ": " + e.getMessage();
                    LOG.warn("Reading alerts failed, retrying: {}", lastError);
                    sleepQuietly();
                }
            }
        } catch (WakeupException e) {
            // close() woke the consumer up to stop it.
        } catch (RuntimeException e) {
            lastError = "alert feed stopped: " + e;
            LOG.error("The alert feed stopped; /api/alerts no longer follows {}", Topics.ALERTS, e);
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    private void assignNewPartitions(Set<TopicPartition> assigned) {
        List<TopicPartition> partitions = consumer.partitionsFor(Topics.ALERTS).stream()
                .map(info -> new TopicPartition(info.topic(), info.partition()))
                .toList();
        List<TopicPartition> added = partitions.stream().filter(p -> !assigned.contains(p)).toList();
        if (!added.isEmpty()) {
            assigned.addAll(added);
            consumer.assign(assigned);
            consumer.seekToBeginning(added);
            backlogEnds.putAll(consumer.endOffsets(added, Duration.ofSeconds(10)));
        }
    }

    private boolean isCaughtUp(Set<TopicPartition> assigned) {
        return assigned.stream().allMatch(p -> consumer.position(p) >= backlogEnds.getOrDefault(p, 0L));
    }

    /**
     * @param replayed the record was already in the topic when the feed started: it updates the
     *     view but is not announced again on the console
     */
    private void accept(Alert alert, boolean replayed) {
        if (alert == null) {
            return;
        }
        switch (book.upsert(alert)) {
            case NEW -> {
                registry.counter("ecg.alerts.received", "priority", alert.getPriority().name().toLowerCase(),
                        "type", alert.getType()).increment();
                if (!replayed) {
                    ALERTS.info("[{}] {} device={} {}", alert.getPriority(), alert.getType(), alert.getDeviceId(),
                            alert.getMessage());
                }
            }
            case UPDATED -> {
                if (alert.getEndTimeMs() > 0 && !replayed) {
                    ALERTS.info("[{}] {} device={} ended: {}", alert.getPriority(), alert.getType(),
                            alert.getDeviceId(), alert.getMessage());
                }
            }
            case UNCHANGED -> {
                // A replayed or retried copy of an alert already shown.
            }
        }
    }

    private void sleepQuietly() {
        try {
            Thread.sleep(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running.set(false);
        }
    }

    /** True once the feed has read everything that was in the topic when it started. */
    public boolean caughtUp() {
        return caughtUp;
    }

    /** The last error reading the topic, or null while reads succeed. */
    public String lastError() {
        return lastError;
    }

    public boolean alive() {
        return thread.isAlive();
    }

    @Override
    public void close() {
        running.set(false);
        consumer.wakeup();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        consumerMetrics.close();
    }
}
