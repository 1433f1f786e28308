package org.arrhythmiamonitor.ops;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operations surface every service exposes: {@code GET /health} and {@code GET /metrics}
 * (Prometheus text format, with the health as {@code ecg_health_up}), plus a failure handler that turns any unhandled error into a JSON
 * answer instead of an HTML stack trace (a body over a {@link BodyLimit} into a 413 that states
 * the limit), and one for a URL the router cannot read.
 */
public final class OpsRoutes {
    private static final Logger LOG = LoggerFactory.getLogger(OpsRoutes.class);
    private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
    private static final String HEALTH_GAUGE = "ecg.health.up";

    private OpsRoutes() {
    }

    public static void mount(Router router, PrometheusMeterRegistry registry, Supplier<Health> health) {
        // Prometheus's own "up" says only that /metrics answered; a service DOWN on /health still does.
        // Once per registry: a service serving from several event loops mounts these routes on each,
        // at once from their threads (unlocked, two saw no gauge and Micrometer warned at every start).
        synchronized (registry) {
            if (registry.find(HEALTH_GAUGE).gauge() == null) {
                Gauge.builder(HEALTH_GAUGE, health, h -> h.get().up() ? 1 : 0)
                        .description("1 while GET /health answers UP, 0 while it answers DOWN")
                        .register(registry);
            }
        }
        // HEAD as well: load balancers commonly probe with it, and read the status alone.
        router.head("/health").handler(ctx -> ctx.response().setStatusCode(health.get().up() ? 200 : 503)
                .putHeader("Content-Type", "application/json").end());
        router.get("/health").handler(ctx -> {
            Health status = health.get();
            JsonObject body = new JsonObject()
                    .put("status", status.up() ? "UP" : "DOWN")
                    .put("details", new JsonObject(status.details()));
            ctx.response()
                    .setStatusCode(status.up() ? 200 : 503)
                    .putHeader("Content-Type", "application/json")
                    .end(body.encode());
        });
        router.get("/metrics").handler(ctx -> ctx.response()
                .putHeader("Content-Type", PROMETHEUS_TEXT)
                .end(registry.scrape()));
        router.errorHandler(404, ctx -> HttpErrors.send(ctx, 404, "not_found", null,
                "No resource at " + ctx.request().method() + " " + ctx.request().path()));
        router.errorHandler(405, ctx -> HttpErrors.send(ctx, 405, "method_not_allowed", null,
                ctx.request().method() + " is not supported on " + ctx.request().path()));
        router.errorHandler(400, OpsRoutes::onUnreadablePath);
        router.route().failureHandler(OpsRoutes::onFailure);
    }

    /**
     * The router fails a request with 400 before any route when it cannot decode the path (a bad
     * percent-escape such as {@code /a%zz}); without this handler Vert.x logs every such request,
     * which anyone can send, at ERROR with its stack trace and answers plain text.
     */
    private static void onUnreadablePath(RoutingContext ctx) {
        LOG.debug("Refused {} {}: the path cannot be decoded", ctx.request().method(), ctx.request().uri());
        HttpErrors.send(ctx, 400, "invalid_path", null,
                "the URL path cannot be read: is every '%' followed by two hex digits, as in %2F?");
    }

    private static void onFailure(RoutingContext ctx) {
        if (ctx.failure() instanceof HttpClosedException) {
            // The client went away mid-request (a body never finished, then the idle timeout):
            // nobody to answer, and nothing for the operator.
            LOG.debug("{} {}: the client closed the connection before the request was done", ctx.request().method(),
                    ctx.request().path());
            return;
        }
        int status = ctx.statusCode();
        if (status == 413) {
            HttpErrors.send(ctx, 413, "payload_too_large", null, BodyLimit.tooLarge(ctx));
        } else if (status >= 400 && status < 500) {
            HttpErrors.send(ctx, status, "bad_request", null,
                    ctx.failure() != null ? ctx.failure().getMessage() : "The request was rejected");
        } else {
            LOG.error("Unhandled error on {} {}", ctx.request().method(), ctx.request().path(), ctx.failure());
            HttpErrors.send(ctx, 500, "internal_error", null, "The server failed; the error was logged");
        }
    }
}
