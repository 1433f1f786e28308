package org.arrhythmiamonitor.alerting.device;

import com.google.protobuf.InvalidProtocolBufferException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.arrhythmiamonitor.wire.ProtobufSerde;
import org.arrhythmiamonitor.wire.Topics;
import org.arrhythmiamonitor.wire.v1.Burden;
import org.arrhythmiamonitor.wire.v1.BurdenWindow;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Each device's last 24 hourly burden windows and its latest rolling 24 hours, read from
 * {@code ecg.burden} from the beginning and followed, so that the dashboard can chart a patient's
 * heart rate and burden without querying the processor. Reading from the beginning at every start
 * rebuilds the view after a restart without a store of its own; only committed records are read.
 *
 * <p>Memory is bounded: at most {@code maxDevices} devices (the least recently updated one goes
 * first) and 25 windows each. Windows are kept as the bytes they arrived in, about a third of the
 * size of the parsed message, and parsed again when a device's history is asked for, which is rare
 * next to the stream of updates.
 */
public final class BurdenHistory implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BurdenHistory.class);
    /** Hourly windows kept per device: one day. */
    static final int HOURS = 24;
    public static final int DEFAULT_MAX_DEVICES = 100_000;
    private static final Duration POLL = Duration.ofMillis(250);
    private static final long PARTITION_REFRESH_MS = 30_000;
    private static final String[] CLASSES = {"N", "S", "V", "F", "Q"};

    private final KafkaConsumer<String, Burden> consumer;
    private final KafkaClientMetrics consumerMetrics;
    private final Counter unreadable;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread;
    /** End offsets when each partition was assigned: reading up to them is catching up. */
    private final Map<TopicPartition, Long> backlogEnds = new HashMap<>();
    /** Insertion order is update order (an update re-inserts), so the eldest entry is the one to evict. */
    private final LinkedHashMap<String, Windows> devices;
    private volatile String lastError;
    private volatile boolean caughtUp;

    /**
     * A device's burden history, oldest hour first.
     *
     * @param hours up to {@value #HOURS} hourly windows, oldest first; empty for an unknown device
     * @param rolling24h the latest rolling 24 hours, or null when none has arrived
     */
    public record DeviceHistory(String deviceId, List<Burden> hours, Burden rolling24h) {
        public DeviceHistory {
            Objects.requireNonNull(deviceId, "deviceId");
            hours = List.copyOf(hours);
        }

        /** The HTTP API's shape: {@code {"deviceId", "hours": [window...], "rolling24h": window or null}}. */
        public JsonObject toJson() {
            JsonArray windows = new JsonArray();
            hours.forEach(hour -> windows.add(BurdenHistory.toJson(hour)));
            return new JsonObject()
                    .put("deviceId", deviceId)
                    .put("hours", windows)
                    .put("rolling24h", rolling24h == null ? null : BurdenHistory.toJson(rolling24h));
        }
    }

    /** One window in the HTTP API's shape; every beat class is present, with 0 where none were counted. */
    public static JsonObject toJson(Burden window) {
        JsonObject beats = new JsonObject();
        for (int c = 0; c < CLASSES.length; c++) {
            beats.put(CLASSES[c], c < window.getBeatsCount() ? window.getBeats(c) : 0L);
        }
        JsonObject episodes = new JsonObject();
        new TreeMap<>(window.getEpisodesMap()).forEach(episodes::put);
        return new JsonObject()
                .put("startTimeMs", window.getStartTimeMs())
                .put("endTimeMs", window.getEndTimeMs())
                .put("hrMinBpm", window.getHrMinBpm())
                .put("hrMeanBpm", window.getHrMeanBpm())
                .put("hrMaxBpm", window.getHrMaxBpm())
                .put("pvcBurdenPct", window.getPvcBurdenPct())
                .put("sveBurdenPct", window.getSveBurdenPct())
                .put("afBurdenPct", window.getAfBurdenPct())
                .put("monitoredMs", window.getMonitoredMs())
                .put("beats", beats)
                .put("episodes", episodes);
    }

    public BurdenHistory(String bootstrapServers, MeterRegistry registry) {
        this(bootstrapServers, registry, DEFAULT_MAX_DEVICES);
    }

    public BurdenHistory(String bootstrapServers, MeterRegistry registry, int maxDevices) {
        if (maxDevices < 1) {
            throw new IllegalArgumentException("maxDevices must be at least 1, not " + maxDevices);
        }
        this.unreadable = registry.counter("ecg.burden.unreadable");
        Counter evicted = registry.counter("ecg.burden.devices.evicted");
        this.devices = new LinkedHashMap<>() {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Windows> eldest) {
                if (size() <= maxDevices) {
                    return false;
                }
                evicted.increment();
                return true;
            }
        };
        registry.gauge("ecg.burden.devices", devices, d -> {
            synchronized (d) {
                return d.size();
            }
        });
        this.consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false,
                ConsumerConfig.CLIENT_ID_CONFIG, "alerting-burden-history"),
                new StringDeserializer(), ProtobufSerde.burden().deserializer());
        this.consumerMetrics = new KafkaClientMetrics(consumer);
        consumerMetrics.bindTo(registry);
        this.thread = new Thread(this::run, "burden-history");
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
                    for (ConsumerRecord<String, Burden> record : consumer.poll(POLL)) {
                        accept(record.value());
                    }
                    if (!caughtUp && !assigned.isEmpty()) {
                        caughtUp = assigned.stream()
                                .allMatch(p -> consumer.position(p) >= backlogEnds.getOrDefault(p, 0L));
                        if (caughtUp) {
                            LOG.info("Read the burden of {} devices already in {}; following new windows",
                                    deviceCount(), Topics.BURDEN);
                        }
                    }
                    lastError = null;
                } catch (RecordDeserializationException e) {
                    unreadable.increment();
                    LOG.warn("Skipping unreadable record at {} offset {}: {}", e.topicPartition(), e.offset(),
                            e.getMessage());
                    consumer.seek(e.topicPartition(), e.offset() + 1);
                } catch (WakeupException e) {
                    throw e;
                } catch (RuntimeException e) {
                    lastError = e.getClass().getSimpleName() + ": " + e.getMessage();
                    LOG.warn("Reading burden failed, retrying: {}", lastError);
                    sleepQuietly();
                }
            }
        } catch (WakeupException e) {
            // close() woke the consumer up to stop it.
        } catch (RuntimeException e) {
            lastError = "burden history stopped: " + e;
            LOG.error("The burden history stopped; device histories no longer follow {}", Topics.BURDEN, e);
        } finally {
            consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
        }
    }

    private void assignNewPartitions(Set<TopicPartition> assigned) {
        List<TopicPartition> partitions = consumer.partitionsFor(Topics.BURDEN).stream()
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

    private void sleepQuietly() {
        try {
            Thread.sleep(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running.set(false);
        }
    }

    private void accept(Burden burden) {
        if (burden == null || burden.getDeviceId().isEmpty()) {
            return;
        }
        // Windows this view does not chart (none today; added ones later) are for other readers.
        if (burden.getWindow() != BurdenWindow.HOUR && burden.getWindow() != BurdenWindow.ROLLING_24H) {
            return;
        }
        synchronized (devices) {
            Windows windows = devices.remove(burden.getDeviceId());
            if (windows == null) {
                windows = new Windows();
            }
            if (burden.getWindow() == BurdenWindow.HOUR) {
                windows.putHour(burden.getStartTimeMs(), burden.toByteArray());
            } else if (windows.rolling == null || burden.getEndTimeMs() >= windows.rollingEndMs) {
                // The newest by device time: after partitions are added, an older record may be read later.
                windows.rolling = burden.toByteArray();
                windows.rollingEndMs = burden.getEndTimeMs();
            }
            devices.put(burden.getDeviceId(), windows);
        }
    }

    /** The device's history; empty hours and no rolling window for a device not (or no longer) known. */
    public DeviceHistory history(String deviceId) {
        byte[][] hours;
        byte[] rolling;
        synchronized (devices) {
            Windows windows = devices.get(deviceId);
            if (windows == null) {
                return new DeviceHistory(deviceId, List.of(), null);
            }
            // Stored windows are never changed, so copying the references under the lock is a snapshot.
            hours = Arrays.copyOf(windows.hours, windows.count);
            rolling = windows.rolling;
        }
        List<Burden> parsed = new ArrayList<>(hours.length);
        for (byte[] hour : hours) {
            parsed.add(parse(hour));
        }
        return new DeviceHistory(deviceId, parsed, rolling == null ? null : parse(rolling));
    }

    private static Burden parse(byte[] bytes) {
        try {
            return Burden.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("A stored burden window no longer parses: " + e.getMessage(), e);
        }
    }

    private int deviceCount() {
        synchronized (devices) {
            return devices.size();
        }
    }

    /** One device's windows, serialized; guarded by the lock on {@code devices}. */
    private static final class Windows {
        /** Start times of the kept hours, ascending; {@code hours[i]} is the window starting at {@code starts[i]}. */
        long[] starts = new long[1];
        byte[][] hours = new byte[1][];
        int count;
        byte[] rolling;
        long rollingEndMs;

        void putHour(long startMs, byte[] hour) {
            int at = Arrays.binarySearch(starts, 0, count, startMs);
            if (at >= 0) {
                hours[at] = hour; // A re-published hour replaces the earlier version.
                return;
            }
            int insert = -at - 1;
            if (count == HOURS) {
                if (insert == 0) {
                    return; // Older than every hour kept.
                }
                // Drop the oldest to make room.
                System.arraycopy(starts, 1, starts, 0, insert - 1);
                System.arraycopy(hours, 1, hours, 0, insert - 1);
                starts[insert - 1] = startMs;
                hours[insert - 1] = hour;
                return;
            }
            if (count == starts.length) {
                // Grown as hours arrive, so a device seen for a moment costs one slot, not 24.
                int capacity = Math.min(HOURS, count * 2);
                starts = Arrays.copyOf(starts, capacity);
                hours = Arrays.copyOf(hours, capacity);
            }
            System.arraycopy(starts, insert, starts, insert + 1, count - insert);
            System.arraycopy(hours, insert, hours, insert + 1, count - insert);
            starts[insert] = startMs;
            hours[insert] = hour;
            count++;
        }
    }

    /** True once the history has read everything that was in the topic when it started. */
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
