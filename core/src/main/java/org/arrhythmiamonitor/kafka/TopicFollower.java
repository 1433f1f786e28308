package org.arrhythmiamonitor.kafka;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a whole topic from its beginning and keeps following it on a thread of its own: how a
 * service keeps an in-memory view of a small topic (device credentials, burden windows) without a
 * store of its own. Every partition is read, without a consumer group, committed records only;
 * partitions added later are picked up within {@value #PARTITION_REFRESH_MS} ms. A record that
 * does not deserialize is reported and skipped, and a failed poll is retried, so one bad record or
 * a broker restart does not end the view. A view cut off from Kafka goes stale without any error
 * (polls just return nothing), so {@link #silentFor()} says how long reads have gone unanswered.
 *
 * @param <V> the record value
 */
public final class TopicFollower<V> implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TopicFollower.class);
    private static final Duration POLL = Duration.ofMillis(200);
    private static final long PARTITION_REFRESH_MS = 30_000;

    private final String topic;
    private final KafkaConsumer<String, V> consumer;
    private final Consumer<ConsumerRecord<String, V>> handler;
    private final Runnable onUnreadable;
    private final Thread thread;
    private final FetchSilence silence;
    /** End offsets when each partition was assigned: reading up to them is catching up. */
    private final Map<TopicPartition, Long> backlogEnds = new HashMap<>();
    private final CountDownLatch caughtUp = new CountDownLatch(1);
    private volatile boolean running = true;
    private volatile boolean started;
    private volatile String lastError;

    /**
     * @param handler called on the follower's thread for every record, in offset order per partition
     * @param onUnreadable called for every record skipped because it does not deserialize
     * @param silenceLimit reads unanswered for longer than this are reported by {@link #silentFor()}
     */
    public TopicFollower(String bootstrapServers, String topic, Deserializer<V> values, String clientId,
            Consumer<ConsumerRecord<String, V>> handler, Runnable onUnreadable, Duration silenceLimit) {
        this.topic = topic;
        this.handler = handler;
        this.onUnreadable = onUnreadable;
        this.consumer = new KafkaConsumer<>(consumerConfig(bootstrapServers, clientId), new StringDeserializer(),
                values);
        this.silence = new FetchSilence(consumer, silenceLimit);
        this.thread = new Thread(this::run, clientId);
        thread.setDaemon(true);
    }

    private static Map<String, Object> consumerConfig(String bootstrapServers, String clientId) {
        return Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false,
                ConsumerConfig.CLIENT_ID_CONFIG, clientId);
    }

    /** The consumer, for binding its client metrics; used only by the follower's thread otherwise. */
    public KafkaConsumer<String, V> consumer() {
        return consumer;
    }

    public TopicFollower<V> start() {
        started = true;
        thread.start();
        return this;
    }

    private void run() {
        Set<TopicPartition> assigned = new HashSet<>();
        long lastRefresh = 0;
        try {
            while (running) {
                try {
                    if (System.currentTimeMillis() - lastRefresh > PARTITION_REFRESH_MS) {
                        assignNewPartitions(assigned);
                        lastRefresh = System.currentTimeMillis();
                    }
                    ConsumerRecords<String, V> records = consumer.poll(POLL);
                    silence.polled(!records.isEmpty());
                    for (ConsumerRecord<String, V> record : records) {
                        handler.accept(record);
                    }
                    if (caughtUp.getCount() > 0 && !assigned.isEmpty() && assigned.stream()
                            .allMatch(p -> consumer.position(p) >= backlogEnds.getOrDefault(p, 0L))) {
                        caughtUp.countDown();
                    }
                    lastError = null;
                } catch (RecordDeserializationException e) {
                    onUnreadable.run();
                    LOG.warn("Skipping unreadable record at {} offset {}: {}", e.topicPartition(), e.offset(),
                            e.getMessage());
                    consumer.seek(e.topicPartition(), e.offset() + 1);
                } catch (WakeupException e) {
                    throw e;
                } catch (RuntimeException e) {
                    lastError = e.getClass().getSimpleName() + ": " + e.getMessage();
                    LOG.warn("Reading {} failed, retrying: {}", topic, lastError);
                    sleepQuietly();
                }
            }
        } catch (WakeupException e) {
            // close() woke the consumer up to stop it.
        } catch (RuntimeException e) {
            lastError = "stopped following " + topic + ": " + e;
            LOG.error("Stopped following {}", topic, e);
        } finally {
            consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
        }
    }

    private void assignNewPartitions(Set<TopicPartition> assigned) {
        List<TopicPartition> added = partitions(consumer, topic, Duration.ofSeconds(30)).stream()
                .filter(p -> !assigned.contains(p))
                .toList();
        if (!added.isEmpty()) {
            assigned.addAll(added);
            consumer.assign(assigned);
            consumer.seekToBeginning(added);
            backlogEnds.putAll(consumer.endOffsets(added, Duration.ofSeconds(10)));
        }
    }

    private static List<TopicPartition> partitions(KafkaConsumer<?, ?> consumer, String topic, Duration timeout) {
        return consumer.partitionsFor(topic, timeout).stream()
                .map(info -> new TopicPartition(info.topic(), info.partition()))
                .toList();
    }

    private void sleepQuietly() {
        try {
            Thread.sleep(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    /** Waits until everything that was in the topic at start has been handled; false on timeout. */
    public boolean awaitCaughtUp(Duration timeout) throws InterruptedException {
        return caughtUp.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** True once everything that was in the topic at start has been handled. */
    public boolean caughtUp() {
        return caughtUp.getCount() == 0;
    }

    /** The last error reading the topic, or null while reads succeed. */
    public String lastError() {
        return lastError;
    }

    /**
     * How long the follower's reads have gone unanswered, once that is longer than the limit, else
     * null: the brokers are unreachable, and the view is stale. (Without any partition the poll
     * fails instead: see {@link #lastError()}.)
     */
    public Duration silentFor() {
        return silence.beyondLimit();
    }

    public boolean alive() {
        return thread.isAlive();
    }

    /**
     * Reads the topic once, from its beginning to the end it had when the read began, on the
     * caller's thread; unreadable records are reported and skipped. For a view built once at start.
     */
    public static <V> void readToEnd(String bootstrapServers, String topic, Deserializer<V> values, String clientId,
            Duration timeout, Consumer<ConsumerRecord<String, V>> handler) {
        try (KafkaConsumer<String, V> consumer = new KafkaConsumer<>(consumerConfig(bootstrapServers, clientId),
                new StringDeserializer(), values)) {
            List<TopicPartition> partitions = partitions(consumer, topic, timeout);
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, timeout);
            long deadline = System.currentTimeMillis() + timeout.toMillis();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p))) {
                if (System.currentTimeMillis() > deadline) {
                    throw new KafkaUnavailableException("reading " + topic + " took longer than " + timeout, null);
                }
                try {
                    for (ConsumerRecord<String, V> record : consumer.poll(POLL)) {
                        handler.accept(record);
                    }
                } catch (RecordDeserializationException e) {
                    LOG.warn("Skipping unreadable record at {} offset {}: {}", e.topicPartition(), e.offset(),
                            e.getMessage());
                    consumer.seek(e.topicPartition(), e.offset() + 1);
                }
            }
        }
    }

    @Override
    public void close() {
        running = false;
        if (!started) {
            consumer.close(CloseOptions.timeout(Duration.ZERO));
            return;
        }
        consumer.wakeup();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
