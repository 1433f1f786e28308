package org.arrhythmiamonitor.ingest;

import io.micrometer.core.instrument.Timer;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.arrhythmiamonitor.wire.v1.SampleChunk;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The path every decoded chunk takes, over HTTP or WebSocket: replay and order check, the
 * in-flight cap, the Kafka write, and the answer, which is success only once Kafka has the chunk.
 */
final class ChunkIngest {
    private static final Logger LOG = LoggerFactory.getLogger(ChunkIngest.class);

    /** The answer to a stored (or already stored) chunk. */
    record Ack(SampleChunk chunk, boolean duplicate, int partition, long offset) {
        int status() {
            return duplicate ? 200 : 202;
        }

        /**
         * The answer's JSON, written directly: it goes out once per chunk, and device ids need no
         * escaping (letters, digits, '.', '_', '-'). WebSocket answers also carry the status.
         */
        String toText(boolean withStatus) {
            StringBuilder text = new StringBuilder(128).append("{\"deviceId\":\"").append(chunk.getDeviceId())
                    .append("\",\"seq\":").append(chunk.getSeq())
                    .append(",\"samples\":").append(chunk.getLeads(0).getSamplesCount())
                    .append(",\"leads\":").append(chunk.getLeadsCount());
            if (duplicate) {
                text.append(",\"duplicate\":true");
            } else {
                text.append(",\"partition\":").append(partition).append(",\"offset\":").append(offset);
            }
            if (withStatus) {
                text.append(",\"status\":").append(status());
            }
            return text.append('}').toString();
        }
    }

    /** The last failed Kafka write and when, cleared by the next success. */
    record WriteFailure(String error, long atMs) {
    }

    private final SampleChunkPublisher publisher;
    private final SequenceTracker sequences;
    private final InFlightBudget budget;
    private final IngestMetrics metrics;
    private static final long REFUSAL_LOG_INTERVAL_MS = 60_000;
    /** The refusal of a chunk Kafka did not take; operators alert on its count. */
    static final String KAFKA_UNAVAILABLE = "kafka_unavailable";
    private final AtomicReference<WriteFailure> lastWriteFailure = new AtomicReference<>();
    /**
     * While Kafka refuses chunks, a fleet retrying every second would write thousands of lines a
     * second: one line a minute says how many were refused since the last. Successes do not reset
     * it: with some partitions down, refusals and successes come interleaved.
     */
    private final AtomicLong refusedSinceLogged = new AtomicLong();
    private final AtomicLong refusalLoggedAtMs = new AtomicLong(Long.MIN_VALUE / 2);

    ChunkIngest(SampleChunkPublisher publisher, SequenceTracker sequences, InFlightBudget budget,
            IngestMetrics metrics) {
        this.publisher = publisher;
        this.sequences = sequences;
        this.budget = budget;
        this.metrics = metrics;
    }

    /** Must be called on a Vert.x context; the future completes on it. */
    Future<Ack> ingest(SampleChunk chunk) {
        Context context = Vertx.currentContext();
        String device = chunk.getDeviceId();
        long endMs = chunk.getT0EpochMs() + Math.round(chunk.getLeads(0).getSamplesCount() * 1000.0 / chunk.getFsHz());
        int bytes = chunk.getSerializedSize();
        SequenceTracker.Admission admission;
        CompletionStage<RecordMetadata> sending = null;
        // Admitted and handed to the publisher under the tracker's lock, so that a device's chunks
        // reach it in the order they were admitted, whichever event loop each came in on (a device
        // with two connections): handed over apart, an acknowledged chunk could be stored behind a
        // later one, where the processor drops it.
        synchronized (sequences) {
            admission = sequences.admit(device, chunk.getSeq(), chunk.getT0EpochMs(),
                    SequenceTracker.samplesHash(chunk), endMs);
            if (admission instanceof SequenceTracker.Write) {
                if (budget.tryAcquire(bytes)) {
                    sending = publisher.publish(chunk);
                } else {
                    sequences.failed(device, chunk.getSeq(), new IllegalStateException("overloaded"));
                }
            }
        }
        if (admission instanceof SequenceTracker.Conflict conflict) {
            return Future.failedFuture(new ChunkRejectedException(409, "seq_conflict", "seq", conflict.detail()));
        }
        if (admission instanceof SequenceTracker.Pending pending) {
            return Future.failedFuture(new ChunkRejectedException(503, "seq_pending", "seq", "seq "
                    + pending.laterSeq() + ", sent after this chunk, is still being written, and this chunk must not "
                    + "land behind it; retry this chunk shortly"));
        }
        if (admission instanceof SequenceTracker.Behind behind) {
            return Future.failedFuture(new ChunkRejectedException(503, "seq_not_stored", "seq", "seq "
                    + behind.failedSeq() + ", sent before this chunk, was not stored; send it again first, then this "
                    + "one (stored after this one, it would have no place). Without it, this chunk is taken in "
                    + (behind.heldMs() + 999) / 1000 + " s and seq " + behind.failedSeq() + " is lost"));
        }
        if (admission instanceof SequenceTracker.Duplicate duplicate) {
            Promise<Ack> answer = Promise.promise();
            duplicate.pending().whenComplete((ok, error) -> context.runOnContext(v -> {
                if (error == null) {
                    metrics.duplicates.increment();
                    answer.complete(new Ack(chunk, true, -1, -1));
                } else {
                    answer.fail(unavailable());
                }
            }));
            return answer.future();
        }
        SequenceTracker.Write write = (SequenceTracker.Write) admission;
        if (write.missing() > 0) {
            metrics.seqGaps.increment();
            LOG.debug("Device {} skipped {} chunk(s) before seq {}", device, write.missing(), chunk.getSeq());
        }
        if (write.clockBackMs() > 0) {
            LOG.warn("Device {}: chunk {} starts {} s before the previous chunk ended, so its clock was set back; "
                    + "accepted and read as continuing the signal, beats dated by the new clock (logged once per "
                    + "device)", device, chunk.getSeq(), write.clockBackMs() / 1000);
        }
        if (sending == null) {
            return Future.failedFuture(new ChunkRejectedException(503, "overloaded", null,
                    "the gateway has " + budget.used() + " bytes waiting for Kafka; retry the same chunk shortly"));
        }
        Promise<Ack> answer = Promise.promise();
        Timer.Sample writing = Timer.start();
        sending.whenComplete((metadata, error) -> {
            budget.release(bytes);
            if (error == null) {
                sequences.written(device, chunk.getSeq());
            } else if (error instanceof RecordTooLargeException) {
                sequences.rejected(device, chunk.getSeq(), error);
            } else {
                sequences.failed(device, chunk.getSeq(), error);
            }
            context.runOnContext(v -> {
                writing.stop(metrics.kafkaWrite);
                if (error == null) {
                    lastWriteFailure.set(null);
                    metrics.chunksAccepted.increment();
                    metrics.samplesAccepted.increment(
                            (double) chunk.getLeads(0).getSamplesCount() * chunk.getLeadsCount());
                    answer.complete(new Ack(chunk, false, metadata.partition(), metadata.offset()));
                } else if (error instanceof RecordTooLargeException) {
                    answer.fail(new ChunkRejectedException(413, "chunk_too_large", null,
                            "the encoded chunk exceeds Kafka's record size limit; send shorter chunks"));
                } else if (error instanceof SampleChunkPublisher.EarlierChunkNotStored earlier) {
                    answer.fail(new ChunkRejectedException(503, "seq_not_stored", "seq", "seq "
                            + earlier.earlierSeq() + ", sent before this chunk, was not stored, so this one was not "
                            + "written either (it would have left that one no place); send that one again first, "
                            + "then this one"));
                } else {
                    lastWriteFailure.set(new WriteFailure(error.getClass().getSimpleName() + ": "
                            + error.getMessage(), System.currentTimeMillis()));
                    logRefusal(chunk, device, error);
                    answer.fail(unavailable());
                }
            });
        });
        return answer.future();
    }

    private void logRefusal(SampleChunk chunk, String device, Throwable error) {
        long refused = refusedSinceLogged.incrementAndGet();
        long now = System.currentTimeMillis();
        long last = refusalLoggedAtMs.get();
        if (now - last >= REFUSAL_LOG_INTERVAL_MS && refusalLoggedAtMs.compareAndSet(last, now)) {
            refusedSinceLogged.addAndGet(-refused);
            LOG.warn("Kafka did not take chunk {} of device {}: {} ({} chunk(s) refused since the last such line; "
                    + "logged at most once a minute while Kafka refuses)", chunk.getSeq(), device, error.getMessage(),
                    refused);
        }
    }

    private static ChunkRejectedException unavailable() {
        return new ChunkRejectedException(503, KAFKA_UNAVAILABLE, null,
                "the chunk was not stored because Kafka did not acknowledge it; retry the same chunk");
    }

    WriteFailure lastWriteFailure() {
        return lastWriteFailure.get();
    }
}
