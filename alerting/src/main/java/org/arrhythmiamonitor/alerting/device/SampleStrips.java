package org.arrhythmiamonitor.alerting.device;

import com.google.protobuf.InvalidProtocolBufferException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.utils.Utils;
import org.arrhythmiamonitor.kafka.KafkaUnavailableException;
import org.arrhythmiamonitor.wire.LeadNames;
import org.arrhythmiamonitor.wire.Topics;
import org.arrhythmiamonitor.wire.v1.Lead;
import org.arrhythmiamonitor.wire.v1.SampleChunk;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the raw ECG of one device over a short range of device time back from {@code ecg.samples},
 * so that a clinician sees the strip behind an alert without the pipeline keeping a copy of it.
 *
 * <p>Kafka indexes records by arrival time ({@code LogAppendTime}), while the range is device time
 * (the chunks' {@code t0_epoch_ms}). The read therefore starts {@link #ARRIVAL_SLACK} before the
 * range in arrival time, to catch chunks that arrived before their device time said (a device
 * clock running late), and gives up {@link #ARRIVAL_SLACK} after it, to allow for chunks a device
 * buffered and uploaded late. It stops earlier as soon as the device's chunks have passed the end of
 * the range, which they do in order because one device's chunks share a partition.
 *
 * <p>Chunks uploaded later than that (a wearable that stores and forwards), or stamped by a clock
 * that is further off, are not in that window. The alert's evidence says how much later than their
 * device time its chunks arrived ({@code chunk_arrival_offset_ms}, which the processor takes from
 * the chunk that decided the episode), and the window moved by that much is read first; that also
 * tells the alert's chunks from older ones with the same device times after a device clock was set
 * back. Failing both, the caller may say roughly when the chunks reached Kafka: an alert is raised
 * moments after the chunk with its onset arrived, so its {@code raisedAtMs} is such a time.
 *
 * <p>Each call uses a consumer of its own. A {@link KafkaConsumer} must not be used by two threads
 * at once, and strips are read when a clinician opens an alert, a rare event compared with the tens
 * of milliseconds a consumer takes to start; a pool would save those milliseconds but would have
 * to repair consumers left mid-read by a timeout. Every call is bounded by {@link #TIMEOUT}.
 */
public final class SampleStrips implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SampleStrips.class);
    /** How far arrival time may differ from device time: clock error plus upload delay. */
    public static final Duration ARRIVAL_SLACK = Duration.ofMinutes(2);
    /** The longest strip one call returns; an alert's evidence is a few seconds to a minute. */
    public static final Duration MAX_SPAN = Duration.ofSeconds(60);
    /** How long one call may take before it gives up. */
    static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final Duration POLL = Duration.ofMillis(200);
    /** Preferred leads, best first: the classic monitoring leads, where QRS complexes are tallest. */
    private static final List<String> PREFERRED_LEADS = List.of("MLII", "II");

    private final String bootstrapServers;
    private final long slackMs;
    private final AtomicLong consumers = new AtomicLong();
    /** Consumers of calls in progress, woken up by {@link #close()} so that no call outlives it. */
    private final Set<KafkaConsumer<byte[], byte[]>> reading = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    /**
     * A stretch of one lead's raw samples at one rate, without gaps.
     *
     * @param lead the lead's name, for example MLII
     * @param gainPerMv ADC units per millivolt: a sample in mV is {@code sample / gainPerMv}
     * @param startTimeMs device time of the first sample, epoch milliseconds (rounded to the
     *     millisecond; sample {@code i} lies at {@code startTimeMs + i * 1000 / fsHz})
     * @param samples the samples in the range, in ADC units; the array belongs to the caller
     * @param truncatedAtGap true when the strip ends before the requested range does because the
     *     device's chunks stop being contiguous there (a missing seq, or a change of rate, gain or
     *     leads that one array at one rate cannot hold)
     */
    public record Strip(String deviceId, String lead, double fsHz, double gainPerMv, long startTimeMs,
            int[] samples, boolean truncatedAtGap) {
        public Strip {
            Objects.requireNonNull(deviceId, "deviceId");
            Objects.requireNonNull(lead, "lead");
            Objects.requireNonNull(samples, "samples");
        }

        /** Device time just after the last sample, epoch milliseconds (rounded). */
        public long endTimeMs() {
            return startTimeMs + Math.round(samples.length * 1000.0 / fsHz);
        }

        // A record compares arrays by identity; a strip is a value, so compare the samples.
        @Override
        public boolean equals(Object o) {
            return o instanceof Strip s && deviceId.equals(s.deviceId) && lead.equals(s.lead)
                    && Double.compare(fsHz, s.fsHz) == 0 && Double.compare(gainPerMv, s.gainPerMv) == 0
                    && startTimeMs == s.startTimeMs && truncatedAtGap == s.truncatedAtGap
                    && Arrays.equals(samples, s.samples);
        }

        @Override
        public int hashCode() {
            return Objects.hash(deviceId, lead, fsHz, gainPerMv, startTimeMs, truncatedAtGap)
                    * 31 + Arrays.hashCode(samples);
        }

        // A minute at 1000 Hz is 60 000 numbers: too many for a log line.
        @Override
        public String toString() {
            return "Strip[deviceId=" + deviceId + ", lead=" + lead + ", fsHz=" + fsHz + ", gainPerMv=" + gainPerMv
                    + ", startTimeMs=" + startTimeMs + ", samples=" + samples.length
                    + (truncatedAtGap ? ", truncatedAtGap" : "") + "]";
        }
    }

    public SampleStrips(String bootstrapServers) {
        this(bootstrapServers, ARRIVAL_SLACK);
    }

    /** With another slack than {@link #ARRIVAL_SLACK}: tests cannot wait minutes between arrivals. */
    SampleStrips(String bootstrapServers, Duration arrivalSlack) {
        this.bootstrapServers = Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        this.slackMs = arrivalSlack.toMillis();
    }

    /**
     * The samples of {@code deviceId} whose device time lies in {@code [fromMs, toMs)}, from the
     * first sample found in the range up to the range's end or the first gap, among the chunks that
     * reached Kafka within {@link #ARRIVAL_SLACK} of the range. Blocks for up to {@link #TIMEOUT};
     * call it on a worker thread.
     *
     * @return empty when those chunks hold no samples of the device in the range
     * @throws IllegalArgumentException for an empty range or one longer than {@link #MAX_SPAN}
     * @throws KafkaUnavailableException when Kafka does not answer, or the read does not finish, in time
     */
    public Optional<Strip> read(String deviceId, long fromMs, long toMs) {
        return read(deviceId, fromMs, toMs, null, null);
    }

    /**
     * As {@link #read(String, long, long)}, looking first among the chunks that reached Kafka
     * within {@link #ARRIVAL_SLACK} of the range moved by {@code arrivalOffsetMs} (the alert's
     * {@code Evidence.chunk_arrival_offset_ms}: how much later than their device time its chunks
     * arrived; null when unknown), and when nothing is found there or around the device time,
     * among the chunks that reached Kafka within {@link #ARRIVAL_SLACK} of {@code arrivedNearMs}
     * (null: nowhere else).
     *
     * <p>The offset tells apart chunks that share device times: after a device's clock was set
     * back, the chunks from before it hold the same device times as the alert's, but arrived
     * earlier by as much as the clock went back.
     */
    public Optional<Strip> read(String deviceId, long fromMs, long toMs, Long arrivedNearMs, Long arrivalOffsetMs) {
        if (deviceId == null || deviceId.isBlank()) {
            throw new IllegalArgumentException("A device id is required");
        }
        if (toMs <= fromMs) {
            throw new IllegalArgumentException("The strip's end (" + toMs + ") must be after its start (" + fromMs
                    + "), epoch milliseconds of device time");
        }
        if (toMs - fromMs > MAX_SPAN.toMillis()) {
            throw new IllegalArgumentException("A strip spans at most " + MAX_SPAN.toSeconds() + " s; "
                    + fromMs + " to " + toMs + " is " + (toMs - fromMs) + " ms");
        }
        if (closed) {
            throw new IllegalStateException("SampleStrips is closed");
        }
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        try (KafkaConsumer<byte[], byte[]> consumer = newConsumer()) {
            reading.add(consumer);
            try {
                if (closed) {
                    throw new IllegalStateException("SampleStrips was closed");
                }
                // By device time first: around the arrival, a strip whose alert came late (processor
                // lag) would start late. Only when that finds nothing, and the arrival lies elsewhere.
                byte[] key = deviceId.getBytes(StandardCharsets.UTF_8);
                TopicPartition partition = partitionOf(consumer, key, deadline);
                Optional<Strip> strip = Optional.empty();
                if (arrivalOffsetMs != null && arrivalOffsetMs != 0) {
                    strip = read(consumer, deviceId, key, partition, fromMs, toMs, fromMs + arrivalOffsetMs,
                            toMs + arrivalOffsetMs, deadline);
                }
                if (strip.isEmpty()) {
                    strip = read(consumer, deviceId, key, partition, fromMs, toMs, fromMs, toMs, deadline);
                }
                if (strip.isEmpty() && arrivedNearMs != null && !near(arrivedNearMs, fromMs, toMs)) {
                    strip = read(consumer, deviceId, key, partition, fromMs, toMs, arrivedNearMs, arrivedNearMs,
                            deadline);
                }
                return strip;
            } finally {
                reading.remove(consumer);
            }
        } catch (TimeoutException e) {
            throw new KafkaUnavailableException("Kafka at " + bootstrapServers + " did not answer within "
                    + TIMEOUT.toMillis() + " ms while reading the strip of device " + deviceId + ": "
                    + e.getMessage(), e);
        } catch (WakeupException e) {
            throw new IllegalStateException("SampleStrips was closed while reading the strip of device " + deviceId,
                    e);
        }
    }

    /** Whether the window around this arrival already covers the range's device time. */
    private boolean near(long arrivedMs, long fromMs, long toMs) {
        return arrivedMs >= fromMs - slackMs && arrivedMs <= toMs + slackMs;
    }

    private KafkaConsumer<byte[], byte[]> newConsumer() {
        // Bytes, not SampleChunks: only the device's own records are worth parsing, and another
        // device's unreadable record then cannot fail this read.
        return new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                // A missing topic is an error to report, not one to create with the broker's defaults.
                ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false,
                // Unique ids: consumers of concurrent calls would otherwise clash on their JMX names.
                ConsumerConfig.CLIENT_ID_CONFIG, "alerting-strips-" + consumers.incrementAndGet(),
                ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis(),
                ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis()),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /**
     * Reads the device's chunks that arrived from {@link #ARRIVAL_SLACK} before {@code arrivedFromMs}
     * to as long after {@code arrivedToMs}, or until they pass the range.
     */
    private Optional<Strip> read(KafkaConsumer<byte[], byte[]> consumer, String deviceId, byte[] key,
            TopicPartition partition, long fromMs, long toMs, long arrivedFromMs, long arrivedToMs, long deadline) {
        OffsetAndTimestamp first = consumer.offsetsForTimes(
                Map.of(partition, Math.max(0, arrivedFromMs - slackMs)), remaining(deadline))
                .get(partition);
        if (first == null) {
            return Optional.empty(); // Nothing arrived since then.
        }
        // The end as it is now: a device that is still sending must not keep the read going.
        long end = consumer.endOffsets(List.of(partition), remaining(deadline)).get(partition);
        long lastArrival = arrivedToMs + slackMs;
        consumer.assign(List.of(partition));
        consumer.seek(partition, first.offset());

        StripBuilder strip = new StripBuilder(deviceId, fromMs, toMs);
        long scanned = 0;
        while (consumer.position(partition, remaining(deadline)) < end) {
            if (System.nanoTime() >= deadline) {
                throw new KafkaUnavailableException("Reading the strip of device " + deviceId + " took more than "
                        + TIMEOUT.toMillis() + " ms; " + scanned + " records of " + partition + " read, "
                        + (end - consumer.position(partition)) + " left before its end", null);
            }
            for (ConsumerRecord<byte[], byte[]> record : consumer.poll(min(POLL, remaining(deadline)))) {
                scanned++;
                if (record.offset() >= end || record.timestamp() > lastArrival) {
                    return strip.build();
                }
                if (record.value() != null && Arrays.equals(key, record.key()) && !strip.add(parse(record))) {
                    return strip.build();
                }
            }
        }
        return strip.build();
    }

    private static TopicPartition partitionOf(KafkaConsumer<byte[], byte[]> consumer, byte[] key, long deadline) {
        List<PartitionInfo> partitions = consumer.partitionsFor(Topics.SAMPLES, remaining(deadline));
        if (partitions == null || partitions.isEmpty()) {
            throw new IllegalStateException("Topic " + Topics.SAMPLES + " does not exist; the gateway creates it");
        }
        // Kafka's default partitioner for keyed records, which the gateway's producer uses.
        return new TopicPartition(Topics.SAMPLES, Utils.toPositive(Utils.murmur2(key)) % partitions.size());
    }

    private static SampleChunk parse(ConsumerRecord<byte[], byte[]> record) {
        try {
            return SampleChunk.parseFrom(record.value());
        } catch (InvalidProtocolBufferException e) {
            // Skipped: the next chunk's seq then shows the hole, and the strip ends there.
            LOG.warn("Skipping unreadable SampleChunk at {}-{} offset {}: {}", record.topic(), record.partition(),
                    record.offset(), e.getMessage());
            return null;
        }
    }

    private static Duration remaining(long deadline) {
        return Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    /** Collects one device's chunks, in seq order, into the samples of one lead within the range. */
    private static final class StripBuilder {
        private final String deviceId;
        private final long fromMs;
        private final long toMs;
        private final List<int[]> pieces = new ArrayList<>();
        private int length;
        private String lead;
        private double fsHz;
        private double gainPerMv;
        private long startTimeMs;
        private long lastSeq = Long.MIN_VALUE;
        private boolean truncatedAtGap;

        StripBuilder(String deviceId, long fromMs, long toMs) {
            this.deviceId = deviceId;
            this.fromMs = fromMs;
            this.toMs = toMs;
        }

        /**
         * Takes the device's next chunk; null for one that could not be read.
         *
         * @return false once no later chunk can add to the strip
         */
        boolean add(SampleChunk chunk) {
            if (chunk == null) {
                return true;
            }
            if (chunk.getSeq() <= lastSeq) {
                return true; // A chunk written twice (a gateway retry): the first copy counts.
            }
            boolean contiguous = chunk.getSeq() == lastSeq + 1;
            lastSeq = chunk.getSeq();
            boolean started = !pieces.isEmpty();
            if (started && !contiguous) {
                return truncate();
            }
            if (chunk.getLeadsCount() == 0 || chunk.getFsHz() <= 0) {
                return started ? truncate() : true;
            }
            if (chunk.getT0EpochMs() >= toMs) {
                return false;
            }
            if (!started) {
                // Until the strip begins, each chunk may choose afresh: only the chunks in the range count.
                Lead chosen = preferredLead(chunk);
                lead = chosen.getName();
                fsHz = chunk.getFsHz();
                gainPerMv = chosen.getGainPerMv();
            }
            Lead samples = leadNamed(chunk, lead);
            if (samples == null || chunk.getFsHz() != fsHz || samples.getGainPerMv() != gainPerMv) {
                return truncate();
            }
            int n = samples.getSamplesCount();
            int from = indexAt(chunk, fromMs, n);
            int to = indexAt(chunk, toMs, n);
            if (from < to) {
                if (!started) {
                    startTimeMs = Math.round(chunk.getT0EpochMs() + from * 1000.0 / fsHz);
                }
                int[] piece = new int[to - from];
                for (int i = from; i < to; i++) {
                    piece[i - from] = samples.getSamples(i);
                }
                pieces.add(piece);
                length += piece.length;
            }
            return chunk.getT0EpochMs() + n * 1000.0 / fsHz < toMs;
        }

        /** The index of the chunk's first sample at or after {@code timeMs}, within [0, n]. */
        private int indexAt(SampleChunk chunk, long timeMs, int n) {
            double index = Math.ceil((timeMs - chunk.getT0EpochMs()) * fsHz / 1000.0);
            return (int) Math.max(0, Math.min(n, index));
        }

        private boolean truncate() {
            truncatedAtGap = true;
            return false;
        }

        Optional<Strip> build() {
            if (pieces.isEmpty()) {
                return Optional.empty();
            }
            int[] samples = new int[length];
            int at = 0;
            for (int[] piece : pieces) {
                System.arraycopy(piece, 0, samples, at, piece.length);
                at += piece.length;
            }
            return Optional.of(new Strip(deviceId, lead, fsHz, gainPerMv, startTimeMs, samples, truncatedAtGap));
        }

        private static Lead preferredLead(SampleChunk chunk) {
            for (String name : PREFERRED_LEADS) {
                Lead lead = leadNamed(chunk, name);
                if (lead != null) {
                    return lead;
                }
            }
            return chunk.getLeads(0);
        }

        /** As the gateway tells leads apart ({@link LeadNames}). */
        private static Lead leadNamed(SampleChunk chunk, String name) {
            for (Lead lead : chunk.getLeadsList()) {
                if (LeadNames.same(lead.getName(), name)) {
                    return lead;
                }
            }
            return null;
        }
    }

    /** Ends calls in progress (they fail with {@link IllegalStateException}) and refuses new ones. */
    @Override
    public void close() {
        closed = true;
        reading.forEach(KafkaConsumer::wakeup);
    }
}
