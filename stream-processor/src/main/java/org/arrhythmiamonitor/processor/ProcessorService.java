package org.arrhythmiamonitor.processor;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.CloseOptions.GroupMembershipOperation;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.arrhythmiamonitor.beat.BeatFeatures;
import org.arrhythmiamonitor.inference.ModelCard;
import org.arrhythmiamonitor.inference.ModelRegistry;
import org.arrhythmiamonitor.kafka.TopicProvisioner;
import org.arrhythmiamonitor.ops.Health;
import org.arrhythmiamonitor.ops.HttpEndpoint;
import org.arrhythmiamonitor.ops.OpsRoutes;
import org.arrhythmiamonitor.ops.QueryParams;
import org.arrhythmiamonitor.ops.ServiceMetrics;
import org.arrhythmiamonitor.wire.Topics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The stream processor as a running service: the Kafka Streams application of
 * {@link MonitorTopology} plus its HTTP endpoint: health, metrics and the burden query
 * ({@code GET /api/devices/{deviceId}/burden}).
 */
public final class ProcessorService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ProcessorService.class);
    private static final long KAFKA_TIMEOUT_MS = 30_000;

    private final KafkaStreams streams;
    private final KafkaStreamsMetrics streamsMetrics;
    private final HttpServer http;
    private final CompletableFuture<String> stopped;

    private ProcessorService(KafkaStreams streams, KafkaStreamsMetrics streamsMetrics, HttpServer http,
            CompletableFuture<String> stopped) {
        this.streams = streams;
        this.streamsMetrics = streamsMetrics;
        this.http = http;
        this.stopped = stopped;
    }

    /**
     * Completes, with the reason, when stream processing has stopped for good on a failure (Kafka
     * Streams in state ERROR): the HTTP endpoint still answers, DOWN, but nothing is processed any
     * more, so whoever runs the service should stop it and let it be restarted.
     */
    public CompletionStage<String> failed() {
        return stopped;
    }

    /** Creates missing topics, starts the topology and the HTTP endpoint. */
    public static Future<ProcessorService> start(Vertx vertx, ProcessorConfig config) {
        PrometheusMeterRegistry registry = ServiceMetrics.prometheus("processor");
        return vertx.executeBlocking(() -> {
            TopicProvisioner.ensureTopics(config.bootstrapServers(), Topics.ALL, config.partitions(),
                    config.replicationFactor(), KAFKA_TIMEOUT_MS);
            ModelRegistry models = new ModelRegistry(BeatFeatures.MODEL_NAME, BeatFeatures.CONTRACT, config.inference());
            KafkaStreams streams;
            try {
                streams = new KafkaStreams(MonitorTopology.build(config.rules(), config.mains(),
                        new MonitorTopology.BeatClassification(models, config.inference(), registry),
                        config.streamsProperties()), config.streamsProperties());
            } catch (StreamsException e) {
                models.close();
                boolean shared = String.valueOf(e.getMessage()).contains("multiple instances");
                throw new IllegalArgumentException("processor: cannot use state directory " + config.stateDir() + ": "
                        + e.getMessage() + (shared ? " Give each processor on a host its own state directory." : ""), e);
            }
            CompletableFuture<String> stopped = new CompletableFuture<>();
            streams.setStateListener((now, before) -> {
                if (now == KafkaStreams.State.ERROR) {
                    stopped.complete("stream processing stopped on a failure (see the error above)");
                }
            });
            streams.setUncaughtExceptionHandler(e -> {
                LOG.error("Stream processing failed; this processor instance stops and its partitions move to "
                        + "the other instances", e);
                return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
            });
            return new Started(streams, models, stopped);
        }).compose(started -> {
            KafkaStreams streams = started.streams();
            KafkaStreamsMetrics streamsMetrics = new KafkaStreamsMetrics(streams);
            streamsMetrics.bindTo(registry);
            // /health stays UP while the model served is fine: this is what a rule can watch.
            Gauge.builder("ecg.model.problems", started.models(), m -> m.problems().size())
                    .description("Model files the processor passed over: refused versions and unreadable cards")
                    .register(registry);
            streams.start();
            Router router = Router.router(vertx);
            router.get("/api/devices/:deviceId/burden").handler(QueryParams::none)
                    .handler(new BurdenQuery(vertx, streams, config.applicationHost())::handle);
            OpsRoutes.mount(router, registry, () -> health(streams.state(), started.models()));
            return HttpEndpoint.listen(vertx, router, config.httpHost(), config.httpPort(), () -> {
                streamsMetrics.close();
                streams.close(Duration.ofSeconds(10));
                started.models().close();
            }).map(http -> {
                LOG.info("Processor {} started; health and metrics on port {}", config.applicationId(),
                        http.actualPort());
                return new ProcessorService(streams, streamsMetrics, http, started.stopped());
            });
        });
    }

    private record Started(KafkaStreams streams, ModelRegistry models, CompletableFuture<String> stopped) {
    }

    /**
     * UP while the streams run and the model classifies. The model being served, and what is wrong
     * with its card beyond what refuses it (features other than it was trained on), are details:
     * the stream still classifies, and an operator should see it without reading the log. While
     * inference calls fail, and for a minute after the latest failure, it is DOWN with the failure:
     * beats go on unclassified, so the rules that need beat classes (ventricular runs, AF) are blind.
     */
    static Health health(KafkaStreams.State state, ModelRegistry models) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("kafkaStreams", state.name());
        ModelCard card = models.card();
        details.put("model", card.id());
        String concern = BeatFeatures.CONTRACT.concern().apply(card);
        if (concern != null) {
            details.put("modelConcern", concern);
        }
        // Still UP: the model named above serves. A newer version refused, or a stray card file,
        // is the operator's to mend before it is meant to serve.
        if (!models.problems().isEmpty()) {
            details.put("modelProblems", List.copyOf(models.problems()));
        }
        Optional<String> failure = models.inferenceFailure();
        failure.ifPresent(message -> details.put("inferenceFailure", message));
        return (state == KafkaStreams.State.RUNNING || state == KafkaStreams.State.REBALANCING) && failure.isEmpty()
                ? Health.up(details) : Health.down(details);
    }

    public int httpPort() {
        return http.actualPort();
    }

    public KafkaStreams.State state() {
        return streams.state();
    }

    /** Stops the HTTP endpoint, then Kafka Streams, which commits and flushes its state stores. */
    @Override
    public void close() {
        http.close().await();
        streamsMetrics.close();
        // Leaving the group hands this instance's partitions over at once, instead of after the
        // session timeout, to the other instances or to this one when it restarts.
        if (!streams.close(CloseOptions.groupMembershipOperation(GroupMembershipOperation.LEAVE_GROUP)
                .withTimeout(Duration.ofSeconds(30)))) {
            LOG.warn("Kafka Streams did not stop within 30 s");
        }
    }
}
