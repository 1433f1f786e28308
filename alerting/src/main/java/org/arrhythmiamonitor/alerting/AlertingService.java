package org.arrhythmiamonitor.alerting;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.arrhythmiamonitor.alerting.auth.Role;
import org.arrhythmiamonitor.alerting.auth.SessionAuth;
import org.arrhythmiamonitor.alerting.device.BurdenHistory;
import org.arrhythmiamonitor.alerting.device.SampleStrips;
import org.arrhythmiamonitor.alerting.lifecycle.AlertDesk;
import org.arrhythmiamonitor.alerting.lifecycle.AlertFeed;
import org.arrhythmiamonitor.alerting.lifecycle.AlertLedger;
import org.arrhythmiamonitor.alerting.lifecycle.AlertStore;
import org.arrhythmiamonitor.alerting.notify.DeadLetters;
import org.arrhythmiamonitor.alerting.notify.NotificationRouter;
import org.arrhythmiamonitor.alerting.notify.WebhookNotifier;
import org.arrhythmiamonitor.alerting.notify.WebhookSubscriber;
import org.arrhythmiamonitor.kafka.FetchSilence;
import org.arrhythmiamonitor.kafka.TopicProvisioner;
import org.arrhythmiamonitor.ops.Health;
import org.arrhythmiamonitor.ops.HttpEndpoint;
import org.arrhythmiamonitor.ops.HttpErrors;
import org.arrhythmiamonitor.ops.HttpJson;
import org.arrhythmiamonitor.ops.OpsRoutes;
import org.arrhythmiamonitor.ops.QueryParams;
import org.arrhythmiamonitor.ops.ServiceMetrics;
import org.arrhythmiamonitor.wire.Topics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The alerting service: restores the alerts from {@code ecg.alert-state}, follows
 * {@code ecg.alerts}, runs the lifecycle (acknowledgement, resolution, suppression, escalation),
 * delivers webhooks, and serves the dashboard and its API on one port.
 */
public final class AlertingService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AlertingService.class);
    private static final long KAFKA_TIMEOUT_MS = 30_000;
    private static final long TICK_MS = 1_000;
    private static final int RESUME_EVERY_TICKS = 60;
    private static final long RETENTION_CHECK_MS = 3_600_000;
    /** How long the store may go without a write before it checks that no other instance took it over. */
    private static final Duration STORE_PROBE = Duration.ofSeconds(15);
    /** Reading the whole store at start: generous, a large store is read at tens of MB/s. */
    private static final Duration RESTORE_TIMEOUT = Duration.ofMinutes(5);
    private static final Set<String> STRIP_PARAMS = Set.of("from", "to", "arrivedNear",
            "arrivalOffsetMs");

    private final AlertingConfig config;
    private final Clock clock;
    private final PrometheusMeterRegistry registry;
    private final NotificationRouter router;
    private final AlertStore store;
    private final AlertDesk desk;
    private final DeadLetters deadLetters;
    private final AlertFeed feed;
    private final BurdenHistory burden;
    private final SampleStrips strips;
    private WebhookNotifier notifier;
    private AlertEvents events;
    private SessionAuth auth;
    private HttpServer http;
    private long ticker = -1;
    private long retention = -1;
    private long prober = -1;
    private final AtomicBoolean ticking = new AtomicBoolean();
    private long ticks;
    private Vertx vertx;
    private volatile boolean started;

    private AlertingService(AlertingConfig config, Clock clock) {
        this.config = config;
        this.clock = clock;
        this.registry = ServiceMetrics.prometheus("alerting");
        this.router = new NotificationRouter(config.webhooks(), config.deviceGroups(), config.escalation());
        this.store = new AlertStore(config.bootstrapServers(), "arrhythmia-alerting-" + config.groupId());
        AlertLedger ledger = new AlertLedger(config.suppressRepeats(), config.latching(), config.escalation(), router,
                config.maxAlerts());
        this.desk = new AlertDesk(ledger, store, clock, registry);
        this.deadLetters = new DeadLetters(config.bootstrapServers());
        this.feed = new AlertFeed(config.bootstrapServers(), config.groupId(), desk, deadLetters,
                config.deadLetterPatience(), config.feedSilence(), registry);
        this.burden = new BurdenHistory(config.bootstrapServers(), registry, config.feedSilence());
        this.strips = new SampleStrips(config.bootstrapServers());
        registry.gauge("ecg.alerts.known", ledger, AlertLedger::size);
    }

    public static Future<AlertingService> start(Vertx vertx, AlertingConfig config) {
        return start(vertx, config, Clock.systemUTC(), true);
    }

    /**
     * With a clock of the caller's; without {@code tick}, escalations happen only when the caller
     * calls {@code desk().tick()}: tests move their clock and tick, without a timer racing them.
     */
    static Future<AlertingService> start(Vertx vertx, AlertingConfig config, Clock clock, boolean tick) {
        if (config.users().isEmpty()) {
            LOG.warn("No users are configured: nobody can log in to the dashboard or the API");
        }
        if (!config.escalation().priorities().isEmpty() && config.escalation().levels().isEmpty()) {
            LOG.warn("escalation.levels is empty: {} alerts stay open until acknowledged but escalate to nobody",
                    config.escalation().priorities().stream().map(p -> p.name().toLowerCase()).sorted().toList());
        }
        return vertx.executeBlocking(() -> {
            TopicProvisioner.ensureTopics(config.bootstrapServers(), Topics.ALL, config.partitions(),
                    config.replicationFactor(), KAFKA_TIMEOUT_MS);
            return new AlertingService(config, clock);
        }).compose(service -> service.listen(vertx) // A port in use closes the service before anything was taken over.
                .compose(listening -> vertx.executeBlocking(() -> {
                    try {
                        service.begin(vertx, tick);
                    } catch (RuntimeException e) {
                        service.close();
                        throw e;
                    }
                    return service;
                })));
    }

    /**
     * Takes the alert store over, restores the stored alerts, then starts notifying and following
     * {@code ecg.alerts}. Runs once the port is bound: taking the store fences the instance before
     * this one, which a start that then failed would have left fenced and serving nothing.
     */
    private void begin(Vertx vertx, boolean tick) {
        this.vertx = vertx;
        store.open();
        int restored = desk.restore(AlertStore.loadAll(config.bootstrapServers(), RESTORE_TIMEOUT));
        LOG.info("Restored {} alerts from {}", restored, Topics.ALERT_STATE);
        this.events = new AlertEvents(vertx, registry);
        desk.onChange(events::publish);
        this.notifier = new WebhookNotifier(vertx, router, config.escalation(), config.retry(), deadLetters, desk,
                registry);
        desk.deliverTo(notifier);
        int resumed = desk.resumePendingDeliveries().join();
        if (resumed > 0) {
            LOG.info("Sending {} webhook deliveries that were pending when the service last stopped", resumed);
        }
        feed.start();
        burden.start();
        if (tick) {
            ticker = vertx.setPeriodic(TICK_MS, t -> tick());
        }
        if (!config.retainClosed().isZero()) {
            expireClosed();
            retention = vertx.setPeriodic(RETENTION_CHECK_MS, t -> expireClosed());
        }
        prober = vertx.setPeriodic(STORE_PROBE.toMillis(), t -> vertx.executeBlocking(() -> {
            store.probe(STORE_PROBE);
            return null;
        }, false));
        started = true;
    }

    /** Retention: the store would otherwise grow for ever, and every start reads all of it. */
    private void expireClosed() {
        if (store.fenced() || store.broken() != null) {
            return;
        }
        desk.expire(config.retainClosed()).exceptionally(e -> {
            LOG.warn("Deleting old alerts failed, trying again in an hour: {}", e.toString());
            return 0;
        });
    }

    /**
     * Escalates what is due, and now and then sends again deliveries left pending (a dead letter
     * or an outcome that could not be stored). One tick at a time: while Kafka is slow the ticks
     * must not queue up in front of clinicians' acknowledgements.
     */
    private void tick() {
        if (store.fenced() || store.broken() != null) {
            return; // Nothing this instance escalates or re-sends could be stored.
        }
        if (!ticking.compareAndSet(false, true)) {
            return;
        }
        CompletableFuture<?> work = desk.tick();
        if (++ticks % RESUME_EVERY_TICKS == 0) {
            work = work.thenCompose(done -> desk.resumePendingDeliveries());
        }
        work.whenComplete((done, e) -> {
            ticking.set(false);
            if (e != null) {
                LOG.warn("Escalation check failed, trying again in {} ms: {}", TICK_MS, e.toString());
            }
        });
    }

    private Future<AlertingService> listen(Vertx vertx) {
        Router web = Router.router(vertx);
        web.route().handler(ctx -> {
            // The dashboard loads nothing from elsewhere and must not be framed by another site.
            ctx.response()
                    .putHeader("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; "
                            + "style-src 'self' 'unsafe-inline'; frame-ancestors 'none'")
                    .putHeader("X-Content-Type-Options", "nosniff")
                    .putHeader("Referrer-Policy", "no-referrer");
            ctx.next();
        });
        web.routeWithRegex("/api/.*").handler(ctx -> {
            if (started) {
                ctx.next();
                return;
            }
            // Until the alerts are restored, an empty list would tell a clinician that nothing is wrong.
            // Only the API waits: the page is served, so that a browser opened now shows why.
            ctx.response().putHeader("Retry-After", "5");
            HttpErrors.send(ctx, 503, "starting", null, "the alerting service is still reading its stored alerts");
        });
        OpsRoutes.mount(web, registry, this::health);
        auth = new SessionAuth(vertx, config.users(), config.sessionIdle(), config.sessionMaxAge(), clock,
                config.secureCookie(), config.trustedProxies());
        auth.mount(web);
        // These take no query parameter: one meant to narrow them (?state=open) would otherwise be
        // ignored unnoticed, and the event stream would send every alert.
        web.get("/api/alerts/events").handler(QueryParams::none).handler(ctx -> events.stream(ctx, auth.validity(ctx)));
        new AlertApi(desk).mount(web);
        web.get("/api/devices/:deviceId/strip").handler(this::strip);
        web.get("/api/devices/:deviceId/history").handler(QueryParams::none)
                .handler(ctx -> HttpJson.send(ctx, 200, burden.history(ctx.pathParam("deviceId")).toJson()));
        web.get("/api/admin/notifications").handler(SessionAuth.requireRole(Role.ADMIN)).handler(QueryParams::none)
                .handler(this::notifications);
        web.route("/api/*").handler(ctx -> HttpErrors.send(ctx, 404, "not_found", null,
                "no such API route: " + ctx.request().method() + " " + ctx.request().path()));
        // The page's files are read only: another method is 405, as on the other services, not 404.
        web.route("/vendor/uplot/*").method(HttpMethod.GET).method(HttpMethod.HEAD)
                .handler(StaticHandler.create("META-INF/resources/webjars/uplot/" + webJarVersion("uplot") + "/dist"));
        web.route("/*").method(HttpMethod.GET).method(HttpMethod.HEAD)
                .handler(StaticHandler.create("webroot").setCachingEnabled(false));
        return HttpEndpoint.listen(vertx, web, config.httpHost(), config.httpPort(), this::close)
                .map(server -> {
                    this.http = server;
                    LOG.info("Alerting listening on port {}: dashboard at /, API at /api", server.actualPort());
                    return this;
                });
    }

    /** The strip's arrival offset (Evidence.chunkArrivalOffsetMs), whole milliseconds of either sign; null when absent. */
    private static Long offsetMs(String value) {
        if (value == null) {
            return null;
        }
        try {
            return Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
            throw new AlertApi.InvalidQuery("arrivalOffsetMs", "arrivalOffsetMs must be whole milliseconds (the "
                    + "alert's evidence.chunkArrivalOffsetMs); got " + value);
        }
    }

    private void strip(RoutingContext ctx) {
        String deviceId = ctx.pathParam("deviceId");
        long from;
        long to;
        Long arrivedNear;
        Long arrivalOffset;
        try {
            AlertApi.requireKnownParams(ctx, STRIP_PARAMS);
            from = AlertApi.time(ctx.queryParams().get("from"), "from", Long.MIN_VALUE);
            to = AlertApi.time(ctx.queryParams().get("to"), "to", Long.MIN_VALUE);
            String near = ctx.queryParams().get("arrivedNear");
            arrivedNear = near == null ? null : AlertApi.time(near, "arrivedNear", Long.MIN_VALUE);
            arrivalOffset = offsetMs(ctx.queryParams().get("arrivalOffsetMs"));
        } catch (AlertApi.InvalidQuery e) {
            HttpErrors.send(ctx, 400, "invalid_query", e.field, e.getMessage());
            return;
        }
        if (from < 0 || to < 0 || to <= from || to - from > SampleStrips.MAX_SPAN.toMillis()) {
            HttpErrors.send(ctx, 400, "invalid_query", "from",
                    "give from and to (epoch ms or ISO-8601, not before 1970), from before to, at most "
                            + SampleStrips.MAX_SPAN.toSeconds() + " s apart");
            return;
        }
        // from >= 0, so only a positive offset can wrap the range (past Long.MAX_VALUE, to negative).
        if (arrivalOffset != null && to > Long.MAX_VALUE - Math.max(0, arrivalOffset)) {
            HttpErrors.send(ctx, 400, "invalid_query", "arrivalOffsetMs", "arrivalOffsetMs moves the range past "
                    + "64-bit epoch milliseconds; got " + arrivalOffset);
            return;
        }
        vertx.executeBlocking(() -> strips.read(deviceId, from, to, arrivedNear, arrivalOffset), false)
                .onComplete(result -> {
            if (result.failed()) {
                ctx.response().putHeader("Retry-After", "5");
                HttpErrors.send(ctx, 503, "samples_unavailable", null,
                        "reading ecg.samples failed: " + result.cause().getMessage());
            } else if (result.result().isEmpty()) {
                // Kafka indexes chunks by arrival, not by device time: say where they were looked for.
                HttpErrors.send(ctx, 404, "no_samples", null, "no samples of " + deviceId + " in that range of "
                        + "device time among the chunks that reached ecg.samples within "
                        + SampleStrips.ARRIVAL_SLACK.toMinutes() + " min of it"
                        + (arrivalOffset == null ? "" : ", moved by arrivalOffsetMs or not")
                        + (arrivedNear == null ? "" : ", or of arrivedNear")
                        + "; chunks uploaded later, or stamped by a device clock further off, are not found this "
                        + "way, and chunks past the retention of ecg.samples are gone");
            } else {
                SampleStrips.Strip strip = result.result().get();
                JsonArray samples = new JsonArray();
                for (int sample : strip.samples()) {
                    samples.add(sample);
                }
                HttpJson.send(ctx, 200, new JsonObject()
                        .put("deviceId", strip.deviceId())
                        .put("lead", strip.lead())
                        .put("fsHz", strip.fsHz())
                        .put("gainPerMv", strip.gainPerMv())
                        .put("startTimeMs", strip.startTimeMs())
                        .put("truncatedAtGap", strip.truncatedAtGap())
                        .put("samples", samples));
            }
        });
    }

    private void notifications(RoutingContext ctx) {
        HttpJson.send(ctx, 200, new JsonObject()
                .put("webhooks", new JsonArray(router.subscribers().stream().map(WebhookSubscriber::toPublicJson)
                        .toList()))
                .put("deviceGroups", config.deviceGroups().toJson())
                .put("escalation", config.escalation().toJson())
                .put("deliveriesInFlight", notifier.inFlight())
                .put("deadLettered", registry.find("ecg.notifications.dead_lettered").counters().stream()
                        .mapToDouble(c -> c.count()).sum()));
    }

    /** The version of a WebJar on the classpath, so the pom alone decides it. */
    private static String webJarVersion(String artifact) {
        String path = "META-INF/maven/org.webjars.npm/" + artifact + "/pom.properties";
        try (InputStream in = AlertingService.class.getClassLoader().getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("the " + artifact + " WebJar is missing from the classpath");
            }
            Properties properties = new Properties();
            properties.load(in);
            return properties.getProperty("version");
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + path, e);
        }
    }

    private Health health() {
        Map<String, Object> details = new LinkedHashMap<>();
        if (!started) {
            details.put("starting", "reading the stored alerts");
            return Health.down(details);
        }
        details.put("alertsKnown", desk.ledger().size());
        // The consumer's poll does not fail while Kafka is unreachable: only the silence tells the feed is cut off.
        Duration silent = feed.silentFor();
        details.put("following", feed.polling() && silent == null);
        details.put("burdenHistoryCaughtUp", burden.caughtUp());
        String error = feed.lastError();
        if (error != null) {
            details.put("lastKafkaError", error);
        }
        if (silent != null) {
            details.put("feedSilent", FetchSilence.unanswered(Topics.ALERTS, silent)
                    + ": the brokers are unreachable or no partition is assigned");
        }
        if (store.fenced()) {
            details.put("fenced", "another alerting instance with the same groupId took over");
        }
        if (store.broken() != null) {
            details.put("storeBroken", store.broken());
        }
        // The device view's burden history reads its own topic: it can fail while alerts flow.
        String burdenError = burden.lastError();
        if (burdenError != null) {
            details.put("burdenHistoryError", burdenError);
        }
        Duration burdenSilent = burden.silentFor();
        if (burdenSilent != null) {
            details.put("burdenHistorySilent", FetchSilence.unanswered(Topics.BURDEN, burdenSilent)
                    + ": the burden history is stale");
        }
        if (!burden.alive()) {
            details.put("burdenHistoryStopped", true);
        }
        // Named, not DOWN: a restart does not mend a receiver, and taking this instance out of its
        // load balancer would stop the dashboards too. The rule on dead letters pages the operator.
        Map<String, Map<String, Object>> failingWebhooks = notifier.failingSubscribers();
        if (!failingWebhooks.isEmpty()) {
            details.put("webhooksFailing", failingWebhooks);
        }
        return feed.alive() && error == null && silent == null && !store.fenced() && store.broken() == null
                && burden.alive() && burdenError == null && burdenSilent == null
                ? Health.up(details) : Health.down(details);
    }

    /** The alert store: tests probe it instead of waiting for the timer. */
    AlertStore store() {
        return store;
    }

    /** The lifecycle: tests call {@code desk().tick()} after moving their clock. */
    public AlertDesk desk() {
        return desk;
    }

    /** The device view's burden history: tests stop it to see the service report it. */
    BurdenHistory burdenHistory() {
        return burden;
    }

    public int httpPort() {
        return http.actualPort();
    }

    @Override
    public void close() {
        if (ticker >= 0) {
            vertx.cancelTimer(ticker);
        }
        if (retention >= 0) {
            vertx.cancelTimer(retention);
        }
        if (prober >= 0) {
            vertx.cancelTimer(prober);
        }
        if (http != null) {
            http.close().await();
        }
        if (auth != null) {
            auth.close();
        }
        feed.close();
        burden.close();
        strips.close();
        if (notifier != null) {
            notifier.close();
        }
        desk.close();
        deadLetters.close();
        store.close();
    }
}
