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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.arrhythmiamonitor.kafka.TopicFollower;
import org.arrhythmiamonitor.wire.Topics;
import org.arrhythmiamonitor.wire.BurdenJson;
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
    /** Hourly windows kept per device: one day. */
    static final int HOURS = 24;
    public static final int DEFAULT_MAX_DEVICES = 100_000;

    private static final Logger LOG = LoggerFactory.getLogger(BurdenHistory.class);

    private final TopicFollower<byte[]> follower;
    private final Counter unreadable;
    private final KafkaClientMetrics consumerMetrics;
    /** Insertion order is update order (an update re-inserts), so the eldest entry is the one to evict. */
    private final LinkedHashMap<String, Windows> devices;

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
            hours.forEach(hour -> windows.add(BurdenJson.toJson(hour)));
            return new JsonObject()
                    .put("deviceId", deviceId)
                    .put("hours", windows)
                    .put("rolling24h", rolling24h == null ? null : BurdenJson.toJson(rolling24h));
        }
    }

    /** @param silenceLimit reads of the topic unanswered for longer than this are reported by {@link #silentFor()} */
    public BurdenHistory(String bootstrapServers, MeterRegistry registry, Duration silenceLimit) {
        this(bootstrapServers, registry, DEFAULT_MAX_DEVICES, silenceLimit);
    }

    public BurdenHistory(String bootstrapServers, MeterRegistry registry, int maxDevices, Duration silenceLimit) {
        if (maxDevices < 1) {
            throw new IllegalArgumentException("maxDevices must be at least 1, not " + maxDevices);
        }
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
        this.unreadable = registry.counter("ecg.burden.unreadable");
        // Read as bytes: the windows are kept as they came, without encoding them again.
        this.follower = new TopicFollower<>(bootstrapServers, Topics.BURDEN, new ByteArrayDeserializer(),
                "alerting-burden-history", record -> accept(record.value()), unreadable::increment, silenceLimit);
        this.consumerMetrics = new KafkaClientMetrics(follower.consumer());
        consumerMetrics.bindTo(registry);
    }

    public void start() {
        follower.start();
    }

    private void accept(byte[] bytes) {
        if (bytes == null) {
            return;
        }
        Burden burden;
        try {
            burden = Burden.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            unreadable.increment();
            LOG.warn("Skipping an unreadable {} record: {}", Topics.BURDEN, e.getMessage());
            return;
        }
        if (burden.getDeviceId().isEmpty()) {
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
                windows.putHour(burden.getStartTimeMs(), bytes);
            } else if (windows.rolling == null || burden.getEndTimeMs() >= windows.rollingEndMs) {
                // The newest by device time: after partitions are added, an older record may be read later.
                windows.rolling = bytes;
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
        return follower.caughtUp();
    }

    /** The last error reading the topic, or null while reads succeed. */
    public String lastError() {
        return follower.lastError();
    }

    /** How long reads of the topic have gone unanswered beyond the limit (the history is stale), else null. */
    public Duration silentFor() {
        return follower.silentFor();
    }

    public boolean alive() {
        return follower.alive();
    }

    @Override
    public void close() {
        follower.close();
        consumerMetrics.close();
    }
}
