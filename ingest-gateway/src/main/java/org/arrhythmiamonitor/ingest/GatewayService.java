package org.arrhythmiamonitor.ingest;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.arrhythmiamonitor.kafka.TopicProvisioner;
import org.arrhythmiamonitor.ops.Health;
import org.arrhythmiamonitor.ops.HttpEndpoint;
import org.arrhythmiamonitor.ops.HttpErrors;
import org.arrhythmiamonitor.ops.OpsRoutes;
import org.arrhythmiamonitor.ops.ServiceMetrics;
import org.arrhythmiamonitor.wire.Topics;
import org.arrhythmiamonitor.wire.v1.SampleChunk;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ingest gateway: devices post sample chunks over HTTP, the gateway validates them and answers
 * 202 only once Kafka has acknowledged the write, so a device never sees success for data that
 * could still be lost.
 */
public final class GatewayService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GatewayService.class);
    private static final long KAFKA_TIMEOUT_MS = 30_000;
    private static final long FAILURE_MEMORY_MS = 30_000;
    /** How long requests in flight get to finish (and their chunks to reach Kafka) on shutdown. */
    private static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(10);

    private final GatewayConfig config;
    private final SampleChunkPublisher publisher;
    private final ChunkJsonDecoder decoder;
    private final PrometheusMeterRegistry registry;
    private final KafkaClientMetrics producerMetrics;
    private final Counter chunksAccepted;
    private final Counter samplesAccepted;
    private final DistributionSummary requestBytes;
    private final Timer kafkaWrite;
    /** The last failed Kafka write and when, cleared by the next success. */
    private final AtomicReference<WriteFailure> lastWriteFailure = new AtomicReference<>();
    private HttpServer http;

    private GatewayService(GatewayConfig config, SampleChunkPublisher publisher) {
        this.config = config;
        this.publisher = publisher;
        this.decoder = new ChunkJsonDecoder(config.maxChunkSeconds());
        this.registry = ServiceMetrics.prometheus("gateway");
        this.producerMetrics = new KafkaClientMetrics(publisher.producer());
        producerMetrics.bindTo(registry);
        this.chunksAccepted = Counter.builder("ecg.ingest.chunks.accepted")
                .description("Sample chunks written to Kafka").register(registry);
        this.samplesAccepted = Counter.builder("ecg.ingest.samples.accepted")
                .description("Samples (all leads) written to Kafka").register(registry);
        this.requestBytes = DistributionSummary.builder("ecg.ingest.request.bytes")
                .baseUnit("bytes").description("Size of chunk request bodies").register(registry);
        this.kafkaWrite = Timer.builder("ecg.ingest.kafka.write")
                .description("Time from handing a chunk to the producer until Kafka acknowledged it")
                .publishPercentileHistogram().register(registry);
    }

    /** Creates missing topics, connects the producer and starts listening. */
    public static Future<GatewayService> start(Vertx vertx, GatewayConfig config) {
        return vertx.executeBlocking(() -> {
            TopicProvisioner.ensureTopics(config.bootstrapServers(), Topics.ALL, config.partitions(),
                    config.replicationFactor(), KAFKA_TIMEOUT_MS);
            SampleChunkPublisher publisher = new SampleChunkPublisher(config);
            try {
                publisher.warmUp();
            } catch (RuntimeException e) {
                publisher.close();
                throw e;
            }
            return new GatewayService(config, publisher);
        }).compose(service -> service.listen(vertx));
    }

    private Future<GatewayService> listen(Vertx vertx) {
        Router router = Router.router(vertx);
        router.post("/v1/devices/:deviceId/ecg")
                .handler(BodyHandler.create(false).setBodyLimit(config.maxBodyBytes()))
                .handler(this::ingest);
        OpsRoutes.mount(router, registry, this::health);
        return HttpEndpoint.listen(vertx, router, config.httpHost(), config.httpPort(), this::close)
                .map(server -> {
                    this.http = server;
                    LOG.info("Gateway listening on port {}", server.actualPort());
                    return this;
                });
    }

    private void ingest(RoutingContext ctx) {
        String contentType = ctx.request().getHeader("Content-Type");
        if (contentType != null && !contentType.toLowerCase().startsWith("application/json")) {
            reject(ctx, 415, new ChunkRejectedException("unsupported_media_type", null,
                    "send chunks as application/json, got " + contentType));
            return;
        }
        requestBytes.record(ctx.body().length());
        SampleChunk chunk;
        try {
            chunk = decoder.decode(ctx.pathParam("deviceId"), ctx.body().buffer(), System.currentTimeMillis());
        } catch (ChunkRejectedException e) {
            reject(ctx, 400, e);
            return;
        }
        Context context = Vertx.currentContext();
        Timer.Sample writing = Timer.start(registry);
        publisher.publish(chunk).whenComplete((metadata, error) -> context.runOnContext(v -> {
            writing.stop(kafkaWrite);
            if (error == null) {
                lastWriteFailure.set(null);
                chunksAccepted.increment();
                samplesAccepted.increment((double) chunk.getLeads(0).getSamplesCount() * chunk.getLeadsCount());
                ctx.response()
                        .setStatusCode(202)
                        .putHeader("Content-Type", "application/json")
                        .end(new JsonObject()
                                .put("deviceId", chunk.getDeviceId())
                                .put("seq", chunk.getSeq())
                                .put("samples", chunk.getLeads(0).getSamplesCount())
                                .put("leads", chunk.getLeadsCount())
                                .put("partition", metadata.partition())
                                .put("offset", metadata.offset())
                                .encode());
            } else if (error instanceof RecordTooLargeException) {
                reject(ctx, 413, new ChunkRejectedException("chunk_too_large", null,
                        "the encoded chunk exceeds Kafka's record size limit; send shorter chunks"));
            } else {
                lastWriteFailure.set(new WriteFailure(error.getClass().getSimpleName() + ": " + error.getMessage(),
                        System.currentTimeMillis()));
                LOG.warn("Kafka did not take chunk {} of device {}: {}", chunk.getSeq(), chunk.getDeviceId(),
                        error.getMessage());
                ctx.response().putHeader("Retry-After", "1");
                reject(ctx, 503, new ChunkRejectedException("kafka_unavailable", null,
                        "the chunk was not stored because Kafka did not acknowledge it; retry the same chunk"));
            }
        }));
    }

    private void reject(RoutingContext ctx, int status, ChunkRejectedException e) {
        Counter.builder("ecg.ingest.chunks.rejected")
                .description("Chunks refused, by reason")
                .tag("reason", e.error())
                .register(registry)
                .increment();
        HttpErrors.send(ctx, status, e.error(), e.field(), e.getMessage());
    }

    private record WriteFailure(String error, long atMs) {
    }

    /**
     * DOWN while Kafka writes fail: the last write failed less than {@link #FAILURE_MEMORY_MS} ago
     * with no success since. It turns UP again by itself when no write is attempted, so a load
     * balancer that stopped sending traffic here lets it come back.
     */
    private Health health() {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("kafka", config.bootstrapServers());
        WriteFailure failure = lastWriteFailure.get();
        if (failure != null && System.currentTimeMillis() - failure.atMs() < FAILURE_MEMORY_MS) {
            details.put("lastKafkaError", failure.error());
            return Health.down(details);
        }
        return Health.up(details);
    }

    public int httpPort() {
        return http.actualPort();
    }

    /** Stops accepting requests, lets those in flight finish, then flushes and closes the producer. */
    @Override
    public void close() {
        if (http != null) {
            http.shutdown(SHUTDOWN_GRACE).await();
        }
        producerMetrics.close();
        publisher.close();
    }
}
