package org.arrhythmiamonitor.ingest;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.arrhythmiamonitor.wire.ProtobufSerde;
import org.arrhythmiamonitor.wire.Topics;
import org.arrhythmiamonitor.wire.v1.SampleChunk;

/**
 * Writes accepted chunks to {@code ecg.samples}, keyed by device id so one device stays ordered on
 * one partition. Idempotent with acks=all: a chunk counts as written only once every in-sync
 * replica has it, and producer retries never duplicate it.
 */
public final class SampleChunkPublisher implements AutoCloseable {
    /** Bounded so that a slow or absent Kafka turns into a quick 503, not a stalled event loop. */
    private static final int MAX_BLOCK_MS = 1000;
    private static final int LINGER_MS = 20;

    private final KafkaProducer<String, SampleChunk> producer;
    /**
     * Hands records to the producer off the event loops: {@code send} can block (up to
     * {@value #MAX_BLOCK_MS} ms) while the topic's metadata is unknown, as when Kafka is down, and
     * an event loop must never wait. One thread keeps the hand-over in arrival order; the gateway's
     * in-flight cap bounds what queues here.
     */
    private final ExecutorService sender = Executors.newSingleThreadExecutor(runnable -> {
        Thread thread = new Thread(runnable, "chunk-sender");
        thread.setDaemon(true);
        return thread;
    });

    public SampleChunkPublisher(GatewayConfig config) {
        Map<String, Object> settings = new HashMap<>();
        settings.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        settings.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        settings.put(ProducerConfig.ACKS_CONFIG, "all");
        settings.put(ProducerConfig.LINGER_MS_CONFIG, LINGER_MS);
        settings.put(ProducerConfig.BATCH_SIZE_CONFIG, 128 * 1024);
        settings.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        settings.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, MAX_BLOCK_MS);
        settings.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, config.deliveryTimeoutMs());
        settings.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG,
                Math.min(config.deliveryTimeoutMs() - LINGER_MS, 30_000));
        // Well above the gateway's own cap (and never below the producer's default, which leaves
        // room for whole batches), so send() never waits for buffer space.
        settings.put(ProducerConfig.BUFFER_MEMORY_CONFIG, Math.max(2 * config.maxInFlightBytes(), 32L << 20));
        settings.put(ProducerConfig.CLIENT_ID_CONFIG, "ingest-gateway");
        this.producer = new KafkaProducer<>(settings, new StringSerializer(),
                ProtobufSerde.sampleChunks().serializer());
    }

    /** Fetches the topic's metadata up front, so the first device request does not wait for it. */
    public void warmUp() {
        producer.partitionsFor(Topics.SAMPLES);
    }

    /**
     * A chunk not sent because the device's chunk before it was not stored: stored, it would lie
     * ahead of that one, which could then only land behind it, where the processor drops it.
     */
    static final class EarlierChunkNotStored extends RuntimeException {
        private final long earlierSeq;

        EarlierChunkNotStored(long earlierSeq, Throwable cause) {
            super("seq " + earlierSeq + " of the device, sent before this chunk, was not stored", cause);
            this.earlierSeq = earlierSeq;
        }

        long earlierSeq() {
            return earlierSeq;
        }
    }

    /** A device's latest chunk handed over and not yet settled. */
    private record Latest(long seq, CompletableFuture<RecordMetadata> written) {
    }

    private final Map<String, Latest> latest = new ConcurrentHashMap<>();

    /**
     * Sends one chunk with its device time as record timestamp. Completes when Kafka acknowledged
     * it, exceptionally when it could not be written.
     *
     * <p>A device's chunks are sent one at a time, in the order of these calls: each waits until the
     * one before it is stored, and is not sent (an {@link EarlierChunkNotStored}) if that one was
     * not, unless Kafka refused it for good (over its record size). Sent together, a later chunk
     * could be stored where an earlier one failed (its metadata wait timed out, Kafka came back
     * between them), and a device retrying the earlier one would find no place for it. Callers make
     * the calls of one device in seq order.
     */
    public CompletionStage<RecordMetadata> publish(SampleChunk chunk) {
        CompletableFuture<RecordMetadata> written = new CompletableFuture<>();
        String device = chunk.getDeviceId();
        Latest mine = new Latest(chunk.getSeq(), written);
        Latest before = latest.put(device, mine);
        written.whenComplete((metadata, error) -> latest.remove(device, mine));
        // Only an earlier seq goes first. The entry of a later one can outlive it for a moment (its
        // callbacks run before this map's is): a retry of an earlier seq, admitted once that later
        // one was settled, does not wait for it.
        if (before == null || before.seq() >= chunk.getSeq()) {
            send(chunk, written);
        } else {
            before.written().whenComplete((metadata, error) -> {
                Throwable cause = error instanceof CompletionException && error.getCause() != null
                        ? error.getCause() : error;
                if (cause == null || cause instanceof RecordTooLargeException) {
                    send(chunk, written);
                } else {
                    // Named by the first chunk not stored: the device sends again from that one.
                    long first = cause instanceof EarlierChunkNotStored earlier ? earlier.earlierSeq() : before.seq();
                    written.completeExceptionally(new EarlierChunkNotStored(first, cause));
                }
            });
        }
        return written;
    }

    private void send(SampleChunk chunk, CompletableFuture<RecordMetadata> written) {
        ProducerRecord<String, SampleChunk> record = new ProducerRecord<>(Topics.SAMPLES, null,
                chunk.getT0EpochMs(), chunk.getDeviceId(), chunk);
        try {
            sender.execute(() -> {
                try {
                    producer.send(record, (metadata, error) -> {
                        if (error != null) {
                            written.completeExceptionally(error);
                        } else {
                            written.complete(metadata);
                        }
                    });
                } catch (RuntimeException e) {
                    written.completeExceptionally(e);
                }
            });
        } catch (RejectedExecutionException e) {
            written.completeExceptionally(new IllegalStateException("the gateway is shutting down", e));
        }
    }

    public KafkaProducer<String, SampleChunk> producer() {
        return producer;
    }

    /** Hands over what was queued, then flushes and closes the producer. */
    @Override
    public void close() {
        sender.shutdown();
        try {
            sender.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        producer.close();
    }
}
