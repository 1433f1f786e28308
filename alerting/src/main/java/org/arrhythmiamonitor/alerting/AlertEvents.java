package org.arrhythmiamonitor.alerting;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.arrhythmiamonitor.alerting.lifecycle.AlertJson;
import org.arrhythmiamonitor.wire.v1.AlertRecord;

/**
 * Live push of alert changes to dashboards as Server-Sent Events ({@code event: alert}, the
 * alert's JSON as data). SSE rather than WebSocket: the push goes one way, browsers reconnect by
 * themselves, and the session cookie travels with it like with any request.
 *
 * <p>Changes cross from the desk thread to each stream's event loop over the local event bus. A
 * client that does not keep up is disconnected rather than buffered without limit; its browser
 * reconnects and the page reloads the list.
 */
final class AlertEvents {
    private static final String ADDRESS = "alerting.alert-changes";
    private static final long KEEPALIVE_MS = 5_000;

    private final Vertx vertx;
    private final AtomicInteger open = new AtomicInteger();

    AlertEvents(Vertx vertx, MeterRegistry registry) {
        this.vertx = vertx;
        registry.gauge("ecg.alerts.live_streams", open);
    }

    void publish(AlertRecord record) {
        vertx.eventBus().publish(ADDRESS, AlertJson.toJson(record, false).encode());
    }

    /**
     * Serves one stream until the client goes or its session no longer holds ({@code validity},
     * asked at every keepalive): a logout or an expired session ends the stream within seconds.
     */
    void stream(RoutingContext ctx, Supplier<Future<Boolean>> validity) {
        HttpServerResponse response = ctx.response()
                .setChunked(true)
                .putHeader("Content-Type", "text/event-stream; charset=utf-8")
                .putHeader("Cache-Control", "no-cache")
                .putHeader("X-Accel-Buffering", "no");
        // retry: how long the browser waits before it reconnects after the stream closes.
        response.write("retry: 3000\n: connected\n\n");
        open.incrementAndGet();
        MessageConsumer<String> consumer = vertx.eventBus().consumer(ADDRESS, message -> {
            if (response.writeQueueFull()) {
                response.reset();
                return;
            }
            response.write("event: alert\ndata: " + message.body() + "\n\n");
        });
        long keepalive = vertx.setPeriodic(KEEPALIVE_MS, t -> validity.get().onComplete(valid -> {
            if (valid.succeeded() && valid.result()) {
                response.write(": keepalive\n\n");
            } else if (!response.ended()) {
                response.end();
            }
        }));
        AtomicBoolean done = new AtomicBoolean();
        Runnable cleanUp = () -> {
            if (done.compareAndSet(false, true)) {
                consumer.unregister();
                vertx.cancelTimer(keepalive);
                open.decrementAndGet();
            }
        };
        response.closeHandler(v -> cleanUp.run());
        response.endHandler(v -> cleanUp.run());
        response.exceptionHandler(e -> cleanUp.run());
    }
}
