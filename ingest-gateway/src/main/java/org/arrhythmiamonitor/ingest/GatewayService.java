package org.arrhythmiamonitor.ingest;

import com.google.protobuf.ByteString;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.arrhythmiamonitor.kafka.FetchSilence;
import org.arrhythmiamonitor.kafka.TopicProvisioner;
import org.arrhythmiamonitor.ops.BodyLimit;
import org.arrhythmiamonitor.ops.Health;
import org.arrhythmiamonitor.ops.HttpErrors;
import org.arrhythmiamonitor.ops.QueryParams;
import org.arrhythmiamonitor.ops.OpsRoutes;
import org.arrhythmiamonitor.ops.RefusedRequest;
import org.arrhythmiamonitor.ops.ServiceMetrics;
import org.arrhythmiamonitor.wire.Topics;
import org.arrhythmiamonitor.wire.v1.SampleChunk;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ingest gateway: devices post sample chunks over HTTP or stream them over a WebSocket, as
 * JSON or Protobuf; the gateway checks the device's token and the chunk, and answers success only
 * once Kafka has acknowledged the write, so a device never sees success for data that could still
 * be lost.
 */
public final class GatewayService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GatewayService.class);
    private static final long KAFKA_TIMEOUT_MS = 30_000;
    private static final long FAILURE_MEMORY_MS = 30_000;
    /** The routing context's key for the {@link ChunkMedia} the headers named. */
    private static final String MEDIA = "chunkMedia";
    /** How long requests in flight get to finish (and their chunks to reach Kafka) on shutdown. */
    private static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(10);

    private final GatewayConfig config;
    private final SampleChunkPublisher publisher;
    private final DeviceRegistry devices;
    private final DeviceAccess access;
    private final ChunkJsonDecoder jsonDecoder;
    private final ChunkProtobufDecoder protobufDecoder;
    private final PrometheusMeterRegistry registry;
    private final KafkaClientMetrics producerMetrics;
    private final IngestMetrics metrics;
    private final ChunkIngest ingest;
    private final List<HttpServer> servers = new CopyOnWriteArrayList<>();
    /** Devices' open WebSockets, told to go away before the servers shut down. */
    private final Set<DeviceStream> streams = ConcurrentHashMap.newKeySet();
    /** Set as the shutdown begins: no stream opens after it, and one opening meanwhile goes away at once. */
    private final AtomicBoolean stopping = new AtomicBoolean();

    private GatewayService(GatewayConfig config, SampleChunkPublisher publisher, DeviceRegistry devices) {
        this.config = config;
        this.publisher = publisher;
        this.devices = devices;
        this.access = new DeviceAccess(devices);
        ChunkLimits limits = new ChunkLimits(config.maxChunkSeconds(), config.maxClockSkewMs());
        this.jsonDecoder = new ChunkJsonDecoder(limits);
        this.protobufDecoder = new ChunkProtobufDecoder(limits);
        this.registry = ServiceMetrics.prometheus("gateway");
        this.producerMetrics = new KafkaClientMetrics(publisher.producer());
        producerMetrics.bindTo(registry);
        InFlightBudget budget = new InFlightBudget(config.maxInFlightBytes());
        this.metrics = new IngestMetrics(registry, budget, devices);
        this.ingest = new ChunkIngest(publisher, new SequenceTracker(config.maxTrackedDevices(),
                () -> System.nanoTime() / 1_000_000), budget, metrics);
    }

    /** Creates missing topics, reads the device credentials, connects the producer and starts listening. */
    public static Future<GatewayService> start(Vertx vertx, GatewayConfig config) {
        return start(vertx, config, DeviceRegistry.SILENCE_LIMIT);
    }

    /** As {@link #start(Vertx, GatewayConfig)}, with credential reads unanswered for {@code registrySilence} reported. */
    static Future<GatewayService> start(Vertx vertx, GatewayConfig config, Duration registrySilence) {
        KeyCertOptions tls;
        try {
            // Before Kafka: a certificate that cannot serve is said at once, in one line.
            tls = config.tls() == null ? null : TlsIdentity.options(vertx, config.tls());
        } catch (RuntimeException e) {
            return Future.failedFuture(e);
        }
        return vertx.executeBlocking(() -> {
            TopicProvisioner.ensureTopics(config.bootstrapServers(), Topics.ALL, config.partitions(),
                    config.replicationFactor(), KAFKA_TIMEOUT_MS);
            DeviceRegistry devices = null;
            SampleChunkPublisher publisher = null;
            try {
                if (config.devicesAuthenticate()) {
                    devices = DeviceRegistry.open(config.bootstrapServers(), Duration.ofMillis(KAFKA_TIMEOUT_MS),
                            registrySilence);
                } else {
                    LOG.warn("Gateway started with auth=none: anyone who can reach it may write any device's stream");
                }
                publisher = new SampleChunkPublisher(config);
                publisher.warmUp();
                return new GatewayService(config, publisher, devices);
            } catch (RuntimeException e) {
                if (publisher != null) {
                    publisher.close();
                }
                if (devices != null) {
                    devices.close();
                }
                throw e;
            }
        }).compose(service -> service.listen(vertx, tls));
    }

    /**
     * One HTTP server per event loop ({@code eventLoops} instances sharing the port, which Vert.x
     * serves round-robin), so parsing and answering chunks uses every core.
     */
    private Future<GatewayService> listen(Vertx vertx, KeyCertOptions tls) {
        HttpServerOptions options = new HttpServerOptions()
                .setMaxWebSocketMessageSize((int) Math.min(Integer.MAX_VALUE, config.maxBodyBytes()))
                .setMaxWebSocketFrameSize((int) Math.min(Integer.MAX_VALUE, config.maxBodyBytes()))
                // The limits above count compressed bytes: a 1 MB deflated frame inflates to gigabytes,
                // on the event loop. HTTP bodies may not be compressed either (415).
                .setPerMessageWebSocketCompressionSupported(false)
                .setPerFrameWebSocketCompressionSupported(false)
                // A connection that sends and receives nothing holds a file descriptor for nobody:
                // an unauthenticated one that never sends a request, or a device long gone.
                .setIdleTimeout(config.idleTimeoutSeconds()).setIdleTimeoutUnit(TimeUnit.SECONDS);
        if (tls != null) {
            options.setSsl(true).setKeyCertOptions(tls);
        }
        return vertx.deployVerticle(() -> new VerticleBase() {
                    @Override
                    public Future<?> start() {
                        return vertx.createHttpServer(options).requestHandler(router(vertx))
                                .invalidRequestHandler(request -> refuse(request, options))
                                .listen(config.httpPort(), config.httpHost())
                                .onSuccess(servers::add);
                    }
                }, new DeploymentOptions().setInstances(config.eventLoops()))
                .recover(error -> vertx.executeBlocking(() -> {
                    close();
                    return null;
                }).transform(ignored -> Future.failedFuture(error)))
                .map(deployment -> {
                    LOG.info("Gateway listening on port {} ({}, {} event loops; {})", httpPort(),
                            config.tls() != null ? "TLS" : "plain HTTP", config.eventLoops(), provisioning());
                    return this;
                });
    }

    /** Whether the provisioning API serves, said at the start: an empty token variable turns it off. */
    private String provisioning() {
        if (!config.devicesAuthenticate()) {
            return config.adminToken() != null ? "auth none: devices need no token, and the administrator token is "
                    + "not used" : "auth none: devices need no token";
        }
        return config.adminToken() != null ? "provisioning API on"
                : "provisioning API off: no --admin-token or GATEWAY_ADMIN_TOKEN, or an empty one";
    }

    private Router router(Vertx vertx) {
        Router router = Router.router(vertx);
        // Two routes because Vert.x runs body handlers before user handlers on one route; the token
        // is checked first so nobody can make the gateway buffer a body for free.
        router.post("/v1/devices/:deviceId/ecg").handler(this::authenticate).handler(this::checkMedia);
        router.post("/v1/devices/:deviceId/ecg")
                .handler(BodyLimit.of(config.maxBodyBytes()))
                .handler(this::post)
                .failureHandler(this::bodyTooLarge);
        router.get("/v1/devices/:deviceId/stream").handler(this::authenticate).handler(this::openStream);
        new DeviceProvisioning(devices, config.adminToken()).mount(router);
        OpsRoutes.mount(router, registry, this::health);
        return router;
    }

    /** Device id and token. */
    private void authenticate(RoutingContext ctx) {
        try {
            ChunkLimits.checkDeviceId(ctx.pathParam("deviceId"));
            access.check(ctx.pathParam("deviceId"), DeviceAccess.tokenHash(ctx.request().getHeader("Authorization")));
            ctx.next();
        } catch (ChunkRejectedException e) {
            reject(ctx, e);
        }
    }

    /**
     * Content-Type and Content-Encoding, which the headers alone decide: refused before
     * {@link BodyLimit} buffers a body that could never be read.
     */
    private void checkMedia(RoutingContext ctx) {
        try {
            refuseQuery(ctx);
            ctx.put(MEDIA, ChunkMedia.of(ctx.request().getHeader("Content-Type"),
                    ctx.request().getHeader("Content-Encoding")));
            ctx.next();
        } catch (ChunkRejectedException e) {
            reject(ctx, e);
        }
    }

    private void post(RoutingContext ctx) {
        metrics.requestBytes.record(ctx.body().length());
        SampleChunk chunk;
        try {
            String deviceId = ctx.pathParam("deviceId");
            long now = System.currentTimeMillis();
            chunk = switch (ctx.<ChunkMedia>get(MEDIA)) {
                case JSON -> jsonDecoder.decode(deviceId, ctx.body().buffer(), now);
                case PROTOBUF -> protobufDecoder.decode(deviceId, ctx.body().buffer(), now);
            };
        } catch (ChunkRejectedException e) {
            reject(ctx, e);
            return;
        }
        ingest.ingest(chunk)
                .onSuccess(ack -> ctx.response()
                        .setStatusCode(ack.status())
                        .putHeader("Content-Type", "application/json")
                        .end(ack.toText(false)))
                .onFailure(error -> reject(ctx, error instanceof ChunkRejectedException e ? e
                        : new ChunkRejectedException(500, "internal_error", null, String.valueOf(error))));
    }

    /** A body over the limit: the limit BodyLimit noted, shorter chunks as the remedy, and counted as a refused chunk. */
    private void bodyTooLarge(RoutingContext ctx) {
        if (ctx.statusCode() != 413) {
            ctx.next();
            return;
        }
        reject(ctx, new ChunkRejectedException(413, "payload_too_large", null, BodyLimit.tooLarge(ctx)
                + "; send shorter chunks"));
    }

    /** A request line or headers over the server's limits, refused before routing: counted as a refused chunk. */
    private void refuse(HttpServerRequest request, HttpServerOptions options) {
        RefusedRequest refused = RefusedRequest.of(request, options);
        metrics.rejected(refused.error());
        refused.send(request);
    }

    private void openStream(RoutingContext ctx) {
        try {
            refuseQuery(ctx);
        } catch (ChunkRejectedException e) {
            reject(ctx, e);
            return;
        }
        String notAnUpgrade = notAWebSocketUpgrade(ctx.request());
        if (notAnUpgrade != null) {
            // Vert.x would answer it in plain text, uncounted.
            reject(ctx, new ChunkRejectedException(400, "websocket_upgrade_required", null, notAnUpgrade
                    + ": open this URL as a WebSocket (or POST chunks to /v1/devices/{deviceId}/ecg)"));
            return;
        }
        if (stopping.get()) {
            reject(ctx, new ChunkRejectedException(503, "shutting_down", null,
                    "the gateway is shutting down; connect again, to the gateway that takes over"));
            return;
        }
        String deviceId = ctx.pathParam("deviceId");
        ByteString tokenHash = DeviceAccess.tokenHash(ctx.request().getHeader("Authorization"));
        ctx.request().toWebSocket()
                .onSuccess(socket -> {
                    DeviceStream stream = new DeviceStream(socket, deviceId, tokenHash, access, jsonDecoder,
                            protobufDecoder, ingest, metrics, config.maxInFlightPerSocket(), config.maxBodyBytes(),
                            config.idleTimeoutSeconds() * 1000L);
                    stream.start(streams);
                    if (stopping.get()) {
                        // Opened as the shutdown began: it may have missed the call to go away.
                        stream.goAway();
                    }
                })
                .onFailure(error -> HttpErrors.send(ctx, 400, "websocket_upgrade_failed", null,
                        "open this URL as a WebSocket: " + error.getMessage()));
    }

    /** What makes the request no WebSocket opening handshake (RFC 6455, 4.1), or null when it is one. */
    private static String notAWebSocketUpgrade(HttpServerRequest request) {
        if (!"websocket".equalsIgnoreCase(request.getHeader("Upgrade"))) {
            return "the request has no 'Upgrade: websocket' header";
        }
        String connection = request.getHeader("Connection");
        if (connection == null
                || Arrays.stream(connection.split(",")).noneMatch(t -> t.trim().equalsIgnoreCase("upgrade"))) {
            return "the request's Connection header does not name Upgrade";
        }
        if (request.getHeader("Sec-WebSocket-Key") == null) {
            return "the request has no Sec-WebSocket-Key header";
        }
        if (!"13".equals(request.getHeader("Sec-WebSocket-Version"))) {
            return "the request's Sec-WebSocket-Version is not 13";
        }
        return null;
    }

    /**
     * The device routes take no query parameter: what a device puts there (a sequence number, a
     * token) would otherwise be ignored, and the device told nothing.
     */
    private static void refuseQuery(RoutingContext ctx) {
        QueryParams.Problem problem = QueryParams.problem(ctx, Set.of());
        if (problem != null) {
            throw new ChunkRejectedException(400, "invalid_query", problem.field(), problem.message());
        }
    }

    private void reject(RoutingContext ctx, ChunkRejectedException e) {
        metrics.rejected(e.error());
        if (e.status() == 503 || e.status() == 429) {
            ctx.response().putHeader("Retry-After", "1");
        }
        if (e.status() == 401) {
            ctx.response().putHeader("WWW-Authenticate", "Bearer");
        }
        HttpErrors.send(ctx, e.status(), e.error(), e.field(), e.getMessage());
    }

    /**
     * DOWN while Kafka writes fail: the last write failed less than {@link #FAILURE_MEMORY_MS} ago
     * with no success since. It turns UP again by itself when no write is attempted, so a load
     * balancer that stopped sending traffic here lets it come back. Credentials that may be stale
     * are reported but leave it UP: ingest still works, and a load balancer taking every gateway
     * out for it would stop all data.
     */
    private Health health() {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("kafka", config.bootstrapServers());
        details.put("auth", config.auth());
        Duration registrySilent = devices == null ? null : devices.silentFor();
        if (registrySilent != null) {
            details.put("deviceRegistrySilent", FetchSilence.unanswered(Topics.DEVICES, registrySilent)
                    + ": tokens issued or revoked since may not be known here");
        }
        ChunkIngest.WriteFailure failure = ingest.lastWriteFailure();
        if (failure != null && System.currentTimeMillis() - failure.atMs() < FAILURE_MEMORY_MS) {
            details.put("lastKafkaError", failure.error());
            return Health.down(details);
        }
        return Health.up(details);
    }

    public int httpPort() {
        return servers.get(0).actualPort();
    }

    /**
     * Issues (or replaces) a device's token without the HTTP API: for the demo, which provisions
     * its simulated devices in the same JVM.
     */
    public String issueToken(String deviceId) {
        if (devices == null) {
            throw new IllegalStateException("the gateway runs with auth=none; devices need no token");
        }
        ChunkLimits.checkDeviceId(deviceId);
        return devices.issueToken(deviceId).toCompletableFuture().join();
    }

    /** Stops accepting requests, lets those in flight finish, then flushes and closes the producer. */
    @Override
    public void close() {
        // Each device's stream first: answered, then told 1001 (within the grace; a stream still
        // waiting for Kafka then is closed by the servers' shutdown). No stream opens meanwhile.
        stopping.set(true);
        List<Future<Void>> leaving = streams.stream().map(DeviceStream::goAway).toList();
        try {
            Future.join(leaving).toCompletionStage().toCompletableFuture()
                    .get(SHUTDOWN_GRACE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.warn("Not every device stream was answered and closed within {} s of the shutdown: {}",
                    SHUTDOWN_GRACE.toSeconds(), e.toString());
        }
        for (HttpServer server : servers) {
            server.shutdown(SHUTDOWN_GRACE).await();
        }
        producerMetrics.close();
        publisher.close();
        if (devices != null) {
            devices.close();
        }
    }
}
