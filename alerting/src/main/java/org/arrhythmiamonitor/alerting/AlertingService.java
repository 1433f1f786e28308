package org.arrhythmiamonitor.alerting;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;
import org.arrhythmiamonitor.kafka.TopicProvisioner;
import org.arrhythmiamonitor.ops.Health;
import org.arrhythmiamonitor.ops.HttpEndpoint;
import org.arrhythmiamonitor.ops.HttpErrors;
import org.arrhythmiamonitor.ops.OpsRoutes;
import org.arrhythmiamonitor.ops.ServiceMetrics;
import org.arrhythmiamonitor.wire.Topics;
import org.arrhythmiamonitor.wire.v1.Alert;
import org.arrhythmiamonitor.wire.v1.Priority;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The alerting service: follows {@code ecg.alerts} and serves the alerts at
 * {@code GET /api/alerts}, newest first.
 */
public final class AlertingService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AlertingService.class);
    private static final long KAFKA_TIMEOUT_MS = 30_000;
    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 1000;

    private final AlertingConfig config;
    private final AlertBook book;
    private final AlertFeed feed;
    private final PrometheusMeterRegistry registry;
    private HttpServer http;

    private AlertingService(AlertingConfig config) {
        this.config = config;
        this.registry = ServiceMetrics.prometheus("alerting");
        this.book = new AlertBook(config.maxAlerts());
        registry.gauge("ecg.alerts.known", book, AlertBook::size);
        this.feed = new AlertFeed(config.bootstrapServers(), book, registry);
    }

    public static Future<AlertingService> start(Vertx vertx, AlertingConfig config) {
        return vertx.executeBlocking(() -> {
            TopicProvisioner.ensureTopics(config.bootstrapServers(), Topics.ALL, config.partitions(),
                    config.replicationFactor(), KAFKA_TIMEOUT_MS);
            AlertingService service = new AlertingService(config);
            service.feed.start();
            return service;
        }).compose(service -> service.listen(vertx));
    }

    private Future<AlertingService> listen(Vertx vertx) {
        Router router = Router.router(vertx);
        router.get("/api/alerts").handler(this::listAlerts);
        OpsRoutes.mount(router, registry, this::health);
        return HttpEndpoint.listen(vertx, router, config.httpHost(), config.httpPort(), this::close)
                .map(server -> {
                    this.http = server;
                    LOG.info("Alerting listening on port {}", server.actualPort());
                    return this;
                });
    }

    private void listAlerts(RoutingContext ctx) {
        Predicate<Alert> filter = alert -> true;
        String deviceId = ctx.queryParams().get("deviceId");
        if (deviceId != null) {
            filter = filter.and(alert -> alert.getDeviceId().equals(deviceId));
        }
        String priority = ctx.queryParams().get("priority");
        if (priority != null) {
            Priority wanted = parsePriority(priority);
            if (wanted == null) {
                HttpErrors.send(ctx, 400, "invalid_query", "priority",
                        "priority must be one of high, medium, low, technical; got " + priority);
                return;
            }
            filter = filter.and(alert -> alert.getPriority() == wanted);
        }
        int limit = DEFAULT_LIMIT;
        String limitParam = ctx.queryParams().get("limit");
        if (limitParam != null) {
            try {
                limit = Integer.parseInt(limitParam);
            } catch (NumberFormatException e) {
                limit = -1;
            }
            if (limit < 1 || limit > MAX_LIMIT) {
                HttpErrors.send(ctx, 400, "invalid_query", "limit",
                        "limit must be an integer from 1 to " + MAX_LIMIT + "; got " + limitParam);
                return;
            }
        }
        List<Alert> alerts = book.newestFirst(filter, limit);
        JsonArray items = new JsonArray();
        alerts.forEach(alert -> items.add(AlertJson.toJson(alert)));
        ctx.response()
                .putHeader("Content-Type", "application/json")
                .end(new JsonObject().put("alerts", items).put("count", items.size()).encode());
    }

    private static Priority parsePriority(String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "high" -> Priority.HIGH;
            case "medium" -> Priority.MEDIUM;
            case "low" -> Priority.LOW;
            case "technical" -> Priority.TECHNICAL;
            default -> null;
        };
    }

    private Health health() {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("alertsKnown", book.size());
        details.put("caughtUp", feed.caughtUp());
        String error = feed.lastError();
        if (error != null) {
            details.put("lastKafkaError", error);
        }
        return feed.alive() && error == null ? Health.up(details) : Health.down(details);
    }

    public int httpPort() {
        return http.actualPort();
    }

    @Override
    public void close() {
        if (http != null) {
            http.close().await();
        }
        feed.close();
    }
}
