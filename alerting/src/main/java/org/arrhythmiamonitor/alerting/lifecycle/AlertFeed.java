package org.arrhythmiamonitor.alerting.lifecycle;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.arrhythmiamonitor.alerting.notify.DeadLetters;
import org.arrhythmiamonitor.kafka.FetchSilence;
import org.arrhythmiamonitor.wire.ProtobufSerde;
import org.arrhythmiamonitor.wire.Topics;
import org.arrhythmiamonitor.wire.v1.Alert;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows {@code ecg.alerts} as consumer group {@code groupId} and hands each batch to the
 * {@link AlertDesk}. Offsets are committed only after the desk stored what the batch changed, so a
 * crash in between re-reads those alerts; the desk recognises them by id and changes nothing. When
 * the store is unavailable the batch is read again after a pause. An alert the lifecycle cannot
 * take at all (too large for Kafka, or a bug) is counted and written to the dead-letter topic,
 * so that it cannot stop the alerts behind it; its offset is committed only once the dead-letter
 * topic has it (until then the batch is read again, as when the store fails). Only committed
 * records are read, so alerts of an aborted processor transaction never show. A feed whose polls
 * have heard nothing from Kafka for longer than {@code silenceLimit} is not following: see
 * {@link FetchSilence}.
 */
public final class AlertFeed implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AlertFeed.class);
    private static final Duration POLL = Duration.ofMillis(250);
    private static final long DESK_TIMEOUT_S = 60;

    private final KafkaConsumer<String, Alert> consumer;
    private final KafkaClientMetrics consumerMetrics;
    private final AlertDesk desk;
    private final UnprocessableAlerts unprocessable;
    private final DeadLetterProgress deadLetterProgress;
    /** At zero from the start, so a Prometheus rule on its increase sees the first one. */
    private final Counter unreadable;
    private final FetchSilence silence;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread;
    private volatile String lastError;
    private volatile long polls;

    public AlertFeed(String bootstrapServers, String groupId, AlertDesk desk, DeadLetters deadLetters,
            Duration deadLetterPatience, Duration silenceLimit, MeterRegistry registry) {
        this.desk = desk;
        this.deadLetterProgress = new DeadLetterProgress(deadLetterPatience);
        this.unreadable = Counter.builder("ecg.alerts.unreadable")
                .description("Records on ecg.alerts that could not be read, skipped").register(registry);
        this.unprocessable = new UnprocessableAlerts(deadLetters, registry);
        this.consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.GROUP_ID_CONFIG, groupId,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 200,
                ConsumerConfig.CLIENT_ID_CONFIG, "alerting-feed"),
                new StringDeserializer(), ProtobufSerde.alerts().deserializer());
        this.silence = new FetchSilence(consumer, silenceLimit);
        this.consumerMetrics = new KafkaClientMetrics(consumer);
        consumerMetrics.bindTo(registry);
        this.thread = new Thread(this::run, "alert-feed");
        thread.setDaemon(true);
    }

    public void start() {
        consumer.subscribe(List.of(Topics.ALERTS));
        thread.start();
    }

    private void run() {
        try {
            while (running.get()) {
                try {
                    ConsumerRecords<String, Alert> records = consumer.poll(POLL);
                    silence.polled(!records.isEmpty());
                    if (!records.isEmpty()) {
                        handle(records);
                    }
                    polls++;
                    lastError = null;
                } catch (RecordDeserializationException e) {
                    unreadable.increment();
                    LOG.warn("Skipping unreadable record at {} offset {}: {}", e.topicPartition(), e.offset(),
                            e.getMessage());
                    consumer.seek(e.topicPartition(), e.offset() + 1);
                } catch (WakeupException e) {
                    throw e;
                } catch (AlertStoreException e) {
                    lastError = e.getMessage();
                    if (e.fenced()) {
                        LOG.error("Stopped following {}: {}", Topics.ALERTS, e.getMessage());
                        return;
                    }
                    LOG.warn("Storing alerts failed, reading them again: {}", lastError);
                    sleepQuietly();
                } catch (RuntimeException e) {
                    lastError = e.getClass().getSimpleName() + ": " + e.getMessage();
                    LOG.warn("Handling alerts failed, reading them again: {}", lastError);
                    sleepQuietly();
                }
            }
        } catch (WakeupException e) {
            // close() woke the consumer up to stop it.
        } catch (RuntimeException e) {
            lastError = "alert feed stopped: " + e;
            LOG.error("The alert feed stopped; new alerts no longer arrive", e);
        } finally {
            consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
        }
    }

    private void handle(ConsumerRecords<String, Alert> records) {
        List<Alert> alerts = new ArrayList<>();
        // The desk hands back the very Alert objects it could not take: their records give key and offset.
        Map<Alert, ConsumerRecord<String, Alert>> sources = new IdentityHashMap<>();
        Map<TopicPartition, Long> first = new HashMap<>();
        Map<TopicPartition, OffsetAndMetadata> next = new HashMap<>();
        for (TopicPartition partition : records.partitions()) {
            for (ConsumerRecord<String, Alert> record : records.records(partition)) {
                first.putIfAbsent(partition, record.offset());
                next.put(partition, new OffsetAndMetadata(record.offset() + 1));
                if (record.value() != null) {
                    alerts.add(record.value());
                    sources.put(record.value(), record);
                }
            }
        }
        AlertDesk.Received received;
        try {
            received = desk.receive(alerts).get(DESK_TIMEOUT_S, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException | InterruptedException e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            // Not stored: read the batch again (what was stored of it is recognised by id).
            first.forEach(consumer::seek);
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw cause instanceof AlertStoreException store ? store : new AlertStoreException(cause.getMessage(), cause);
        }
        // Every letter of the batch is tried before the batch is read again, so that the patience
        // of all of them runs at once: two refused alerts hold the ones behind for one patience.
        boolean readAgain = false;
        for (AlertDesk.Unprocessable failed : received.unprocessable()) {
            ConsumerRecord<String, Alert> source = sources.get(failed.alert());
            DeadLetterProgress.Position at = new DeadLetterProgress.Position(source.partition(), source.offset());
            if (deadLetterProgress.settled(at)) {
                // Written or moved past before another alert of the batch made the feed read it again.
                continue;
            }
            if (unprocessable.write(source, failed.reason())) {
                deadLetterProgress.written(at);
            } else if (deadLetterProgress.refusedTooLong(at, System.currentTimeMillis())) {
                // A dead-letter topic that has refused for this long (its ACL, its size limit) must
                // not hold every later alert of the partition, the clinicians' included.
                unprocessable.abandon(source, failed.reason(), deadLetterProgress.patience());
            } else {
                readAgain = true;
            }
        }
        if (readAgain) {
            // Not in the dead-letter topic: committing now would leave an alert in no topic but
            // ecg.alerts. Read the batch again after a pause; its stored alerts are recognised by
            // id, and the letters not yet written are tried again.
            first.forEach(consumer::seek);
            throw new KafkaException("an alert the service cannot take could not be written to "
                    + Topics.ALERTS_DEAD_LETTER);
        }
        consumer.commitSync(next);
        next.forEach((partition, offset) -> deadLetterProgress.committed(partition.partition(), offset.offset()));
    }

    private void sleepQuietly() {
        try {
            Thread.sleep(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running.set(false);
        }
    }

    /**
     * True once the feed has polled successfully since the last error. Not enough to say it
     * follows: a poll succeeds, empty, while Kafka is unreachable; see {@link #silentFor}.
     */
    public boolean polling() {
        return polls > 0 && lastError == null;
    }

    /** How long the feed has polled without hearing from Kafka, once over the limit; else null. */
    public Duration silentFor() {
        return silence.beyondLimit();
    }

    /** The last error reading or storing alerts, or null while that works. */
    public String lastError() {
        return lastError;
    }

    public boolean alive() {
        return thread.isAlive();
    }

    @Override
    public void close() {
        running.set(false);
        if (thread.getState() == Thread.State.NEW) {
            // A start that failed before following: the thread that closes the consumer never ran.
            consumer.close(CloseOptions.timeout(Duration.ZERO));
        } else {
            consumer.wakeup();
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        consumerMetrics.close();
    }
}
