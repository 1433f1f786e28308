package org.arrhythmiamonitor.ingest;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.atomic.AtomicInteger;

/** The gateway's meters: what devices sent, what reached Kafka, what was refused and why. */
final class IngestMetrics {
    private final MeterRegistry registry;
    final Counter chunksAccepted;
    final Counter samplesAccepted;
    final Counter duplicates;
    final Counter seqGaps;
    final DistributionSummary requestBytes;
    final Timer kafkaWrite;
    final AtomicInteger webSockets = new AtomicInteger();

    IngestMetrics(MeterRegistry registry, InFlightBudget budget, DeviceRegistry devices) {
        this.registry = registry;
        this.chunksAccepted = Counter.builder("ecg.ingest.chunks.accepted")
                .description("Sample chunks written to Kafka").register(registry);
        this.samplesAccepted = Counter.builder("ecg.ingest.samples.accepted")
                .description("Samples (all leads) written to Kafka").register(registry);
        this.duplicates = Counter.builder("ecg.ingest.chunks.duplicate")
                .description("Replayed chunks acknowledged without writing them again").register(registry);
        this.seqGaps = Counter.builder("ecg.ingest.seq.gaps")
                .description("Chunks that skipped seqs (the processor raises a data-gap event)").register(registry);
        this.requestBytes = DistributionSummary.builder("ecg.ingest.request.bytes")
                .baseUnit("bytes").description("Size of chunk request bodies and WebSocket messages")
                .register(registry);
        this.kafkaWrite = Timer.builder("ecg.ingest.kafka.write")
                .description("Time from handing a chunk to the producer until Kafka acknowledged it")
                .publishPercentileHistogram().register(registry);
        Gauge.builder("ecg.ingest.inflight.bytes", budget, InFlightBudget::used)
                .baseUnit("bytes").description("Chunk bytes handed to Kafka and not yet acknowledged")
                .register(registry);
        Gauge.builder("ecg.ingest.websockets", webSockets, AtomicInteger::get)
                .description("Open device WebSocket streams").register(registry);
        // At zero from the start: a Prometheus rule on increase() misses the first refusal of a series
        // that appears with it, and this one means samples are being turned away.
        rejectedCounter(ChunkIngest.KAFKA_UNAVAILABLE);
        if (devices != null) {
            Gauge.builder("ecg.ingest.devices", devices, DeviceRegistry::size)
                    .description("Provisioned devices known to this gateway").register(registry);
        }
    }

    /** @param reason the error code the device was answered with */
    void rejected(String reason) {
        rejectedCounter(reason).increment();
    }

    private Counter rejectedCounter(String reason) {
        return Counter.builder("ecg.ingest.chunks.rejected")
                .description("Chunks refused, by reason")
                .tag("reason", reason)
                .register(registry);
    }
}
