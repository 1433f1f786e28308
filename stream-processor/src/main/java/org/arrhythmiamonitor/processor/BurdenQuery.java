package org.arrhythmiamonitor.processor;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.arrhythmiamonitor.burden.BurdenAggregator;
import org.arrhythmiamonitor.burden.BurdenProcessor;
import org.arrhythmiamonitor.ops.HttpErrors;
import org.arrhythmiamonitor.ops.HttpJson;
import org.arrhythmiamonitor.state.v1.BurdenState;
import org.arrhythmiamonitor.wire.BurdenJson;
import org.arrhythmiamonitor.wire.v1.Burden;

/**
 * {@code GET /api/devices/{deviceId}/burden}: a device's rolling 24 hours and its hours, read
 * from the burden store by Kafka Streams interactive queries. With several processor instances
 * (each started with its {@code applicationServer}), a request for a device another instance
 * owns is redirected there; during a rebalance the answer is 503 with Retry-After.
 */
final class BurdenQuery {

    private final Vertx vertx;
    private final KafkaStreams streams;
    private final HostInfo self;

    /** @param self this instance's {@code application.server}, or null when it runs alone */
    BurdenQuery(Vertx vertx, KafkaStreams streams, HostInfo self) {
        this.vertx = vertx;
        this.streams = streams;
        this.self = self;
    }

    void handle(RoutingContext ctx) {
        String device = ctx.pathParam("deviceId");
        if (device == null || device.isBlank() || device.length() > 128) {
            HttpErrors.send(ctx, 400, "invalid_device_id", "deviceId", "A device id of 1 to 128 characters is required");
            return;
        }
        vertx.executeBlocking(() -> lookup(device)).onComplete(done -> {
            if (done.failed()) {
                ctx.fail(done.cause());
                return;
            }
            Answer answer = done.result();
            switch (answer.kind()) {
                case FOUND -> HttpJson.send(ctx, 200, answer.body());
                case ELSEWHERE -> ctx.response().setStatusCode(307)
                        .putHeader("Location", "http://" + answer.host().host() + ":" + answer.host().port()
                                + ctx.request().uri())
                        .end();
                case UNAVAILABLE -> {
                    ctx.response().putHeader("Retry-After", "5");
                    HttpErrors.send(ctx, 503, "not_ready", null,
                            "The processor is starting or rebalancing; the burden store is not queryable yet");
                }
                case UNKNOWN -> HttpErrors.send(ctx, 404, "unknown_device", "deviceId",
                        "No beats from device " + device + " have been processed in the last 24 hours"
                                + (self == null ? " by this processor instance (with several instances, start each "
                                        + "with --application-server, so that a query is sent to the one that "
                                        + "keeps the device)" : ""));
            }
        });
    }

    private enum Kind { FOUND, ELSEWHERE, UNAVAILABLE, UNKNOWN }

    private record Answer(Kind kind, JsonObject body, HostInfo host) {
    }

    private Answer lookup(String device) {
        if (self != null) {
            KeyQueryMetadata where = streams.queryMetadataForKey(BurdenProcessor.STORE, device,
                    Serdes.String().serializer());
            if (where == null || where.equals(KeyQueryMetadata.NOT_AVAILABLE)) {
                return new Answer(Kind.UNAVAILABLE, null, null);
            }
            if (!where.activeHost().equals(self)) {
                return new Answer(Kind.ELSEWHERE, null, where.activeHost());
            }
        }
        try {
            ReadOnlyKeyValueStore<String, BurdenState> store = streams.store(StoreQueryParameters
                    .fromNameAndType(BurdenProcessor.STORE, QueryableStoreTypes.<String, BurdenState>keyValueStore()));
            BurdenState state = store.get(device);
            if (state == null || state.getHoursCount() == 0) {
                return new Answer(Kind.UNKNOWN, null, null);
            }
            JsonArray hours = new JsonArray();
            BurdenAggregator.hourly(device, state).forEach(h -> hours.add(windowJson(h)));
            return new Answer(Kind.FOUND, new JsonObject()
                    .put("deviceId", device)
                    .put("rolling24h", windowJson(BurdenAggregator.rolling(device, state)))
                    .put("hours", hours), null);
        } catch (InvalidStateStoreException e) {
            return new Answer(Kind.UNAVAILABLE, null, null);
        }
    }

    private static JsonObject windowJson(Burden window) {
        return BurdenJson.toJson(window).put("window", window.getWindow().name());
    }
}
