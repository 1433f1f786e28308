package org.arrhythmiamonitor.ingest.simulator;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A fleet of simulated wearables pushing ECG to the gateway: each device sends one chunk per
 * chunk length of signal (divided by the speed), starting at a random phase so the fleet does not
 * send in lockstep, waits for the answer, retries after {@code Retry-After} when the gateway is
 * overloaded, and moves on when a chunk is refused for good. Everything runs on one Vert.x
 * context, so devices need no locks.
 */
public final class FleetSimulator implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FleetSimulator.class);
    /** At most this many distinct refusal reasons are logged, so a misconfigured fleet does not flood the log. */
    private static final int MAX_LOGGED_REFUSALS = 5;
    /** Device clocks of an accelerated fleet start this far back, so sped-up time stays in the past. */
    private static final long ACCELERATED_START_BACK_MS = 24 * 3_600_000L;
    /** How long the gateway's /health may take before the simulator starts without its answer. */
    private static final long HEALTH_TIMEOUT_MS = 10_000;

    private final Vertx vertx;
    private final SimulatorConfig config;
    private final HttpClient http;
    private final WebSocketClient webSockets;
    private final Context context;
    private final List<SimulatedDevice> devices = new ArrayList<>();
    private final SimulatorStats stats = new SimulatorStats();
    private final Set<String> loggedRefusals = new LinkedHashSet<>();
    private final Consumer<String> report;
    private final Promise<SimulatorStats.Figures> finished = Promise.promise();
    private volatile boolean running = true;
    private long reportTimer = -1;

    private FleetSimulator(Vertx vertx, SimulatorConfig config, Consumer<String> report) {
        this.vertx = vertx;
        this.config = config;
        this.report = report;
        this.context = vertx.getOrCreateContext();
        boolean tls = "https".equals(config.gateway().getScheme());
        this.http = vertx.httpClientBuilder()
                .with(new HttpClientOptions().setKeepAlive(true).setSsl(tls)
                        .setTrustAll(config.trustAllCertificates()).setVerifyHost(!config.trustAllCertificates()))
                .with(new PoolOptions().setHttp1MaxSize(config.connections())
                        .setMaxWaitQueueSize(-1))
                .build();
        this.webSockets = vertx.createWebSocketClient(new WebSocketClientOptions().setSsl(tls)
                .setTrustAll(config.trustAllCertificates()).setVerifyHost(!config.trustAllCertificates())
                .setMaxConnections(Math.max(config.devices(), 1)));
    }

    /**
     * Provisions the devices (when an administrator token is given) and starts sending. The
     * returned future completes once every device has its token. Without an administrator token
     * it fails with {@link DeviceTokensRequiredException} when the gateway wants device tokens.
     *
     * @param report receives a line of figures every report interval
     */
    public static Future<FleetSimulator> start(Vertx vertx, SimulatorConfig config, Consumer<String> report) {
        FleetSimulator simulator = new FleetSimulator(vertx, config, report);
        Promise<FleetSimulator> started = Promise.promise();
        simulator.context.runOnContext(v -> simulator.refuseTokenlessDevices()
                .compose(ok -> simulator.provisionAndRun())
                .onComplete(r -> {
                    if (r.succeeded()) {
                        started.complete(simulator);
                    } else {
                        simulator.close();
                        started.fail(r.cause());
                    }
                }));
        return started.future();
    }

    /**
     * Without an administrator token the devices get no token, which only a gateway with
     * {@code auth=none} accepts: against one that wants device tokens every chunk would be refused
     * (401) for as long as the simulator runs. The gateway's {@code /health} says which it is; a
     * gateway that cannot be asked is sent to anyway, and the devices report what fails.
     */
    private Future<Void> refuseTokenlessDevices() {
        if (config.adminToken() != null) {
            return Future.succeededFuture();
        }
        return request(to(HttpMethod.GET, "/health").setTimeout(HEALTH_TIMEOUT_MS), null, null, null)
                .map(answer -> "token".equals(new JsonObject(answer.body())
                        .getJsonObject("details", new JsonObject()).getString("auth")))
                .otherwise(false)
                .compose(wantsTokens -> wantsTokens
                        ? Future.failedFuture(new DeviceTokensRequiredException(config.gateway()))
                        : Future.succeededFuture());
    }

    private Future<Void> provisionAndRun() {
        Random random = new Random(7);
        long now = System.currentTimeMillis();
        long deviceClock = config.speed() > 1 ? now - ACCELERATED_START_BACK_MS : now;
        List<SignalSource> sources = config.sources();
        for (int i = 0; i < config.devices(); i++) {
            SignalSource source = sources.get(i % sources.size());
            // The first device of each source starts at the beginning, where profiles put their
            // characteristic event; the others anywhere, so the fleet is not in lockstep.
            int start = i < sources.size() ? 0 : random.nextInt(source.samples().length);
            SimulatedDevice device = new SimulatedDevice(config.devicePrefix() + "-" + source.name() + "-"
                    + (i / sources.size() + 1), source, config.chunkSeconds(), start, deviceClock);
            devices.add(device);
        }
        return provisionAll().onSuccess(v -> {
            long begin = System.currentTimeMillis();
            long periodMs = periodMs();
            for (SimulatedDevice device : devices) {
                device.dueMs = begin + random.nextInt((int) Math.max(1, periodMs));
                schedule(device);
            }
            if (config.reportEveryMs() > 0) {
                reportTimer = vertx.setPeriodic(config.reportEveryMs(), id -> report.accept(
                        stats.interval().line(String.format("[simulate] %5.0f s ",
                                (System.currentTimeMillis() - begin) / 1000.0), devices.size())));
            }
            if (config.durationMs() > 0) {
                vertx.setTimer(config.durationMs(), id -> stop());
            }
        });
    }

    private long periodMs() {
        return Math.round(config.chunkSeconds() * 1000 / config.speed());
    }

    private Future<Void> provisionAll() {
        if (config.adminToken() == null) {
            return Future.succeededFuture();
        }
        Promise<Void> done = Promise.promise();
        int[] next = {0};
        int[] outstanding = {0};
        Runnable[] pump = new Runnable[1];
        pump[0] = () -> {
            while (outstanding[0] < config.connections() && next[0] < devices.size() && !done.future().isComplete()) {
                SimulatedDevice device = devices.get(next[0]++);
                outstanding[0]++;
                request(to(HttpMethod.POST, "/v1/devices/" + device.id + "/token"), config.adminToken(), null, null)
                        .onComplete(r -> {
                            outstanding[0]--;
                            if (r.succeeded() && (r.result().status() == 200 || r.result().status() == 201)) {
                                device.token = new JsonObject(r.result().body()).getString("token");
                            } else {
                                done.tryFail(new IllegalStateException("could not provision " + device.id + ": "
                                        + (r.succeeded() ? r.result().status() + " " + r.result().body()
                                                : r.cause().getMessage())));
                                return;
                            }
                            if (next[0] == devices.size() && outstanding[0] == 0) {
                                done.tryComplete();
                            } else {
                                pump[0].run();
                            }
                        });
            }
        };
        pump[0].run();
        return done.future();
    }

    private void schedule(SimulatedDevice device) {
        if (!running) {
            return;
        }
        long delay = device.dueMs - System.currentTimeMillis();
        if (delay < 1) {
            send(device);
        } else {
            vertx.setTimer(delay, id -> send(device));
        }
    }

    private void send(SimulatedDevice device) {
        if (!running) {
            return;
        }
        Buffer body = device.body(config.protobuf());
        device.sentNs = System.nanoTime();
        stats.sent();
        if (config.webSocket()) {
            sendOnSocket(device, body);
            return;
        }
        String contentType = config.protobuf() ? "application/x-protobuf" : "application/json";
        request(to(HttpMethod.POST, "/v1/devices/" + device.id + "/ecg"), device.token, contentType, body)
                .onComplete(r -> {
                    if (r.failed()) {
                        connectionFailed(device, r.cause());
                    } else {
                        answered(device, r.result());
                    }
                });
    }

    /** One WebSocket per device, opened on its first chunk and again after it dropped. */
    private void sendOnSocket(SimulatedDevice device, Buffer body) {
        if (device.socket != null && !device.socket.isClosed()) {
            device.awaitingAnswer = true;
            (config.protobuf() ? device.socket.writeBinaryMessage(body) : device.socket.writeTextMessage(
                    body.toString())).onFailure(error -> lostOnSocket(device, error));
            return;
        }
        WebSocketConnectOptions options = new WebSocketConnectOptions().setHost(config.gateway().getHost())
                .setPort(config.port()).setSsl("https".equals(config.gateway().getScheme()))
                .setURI("/v1/devices/" + device.id + "/stream");
        if (device.token != null) {
            options.addHeader("Authorization", "Bearer " + device.token);
        }
        webSockets.connect(options).onComplete(r -> {
            if (r.failed()) {
                connectionFailed(device, r.cause());
                return;
            }
            WebSocket socket = r.result();
            device.socket = socket;
            socket.textMessageHandler(text -> answered(device, new Answer(intField(text, "status", 500), text,
                    1000L * intField(text, "retryAfterS", 1))));
            // A gateway that restarts, or a dropped connection, closes the stream before the chunk
            // on it is answered; without this the device would wait for that answer for ever.
            socket.closeHandler(v -> {
                if (device.socket == socket) {
                    lostOnSocket(device, new IllegalStateException("the WebSocket closed (" + socket.closeStatusCode()
                            + " " + socket.closeReason() + ") before the chunk was answered"));
                }
            });
            sendOnSocket(device, body);
        });
    }

    /** The chunk sent on the device's socket will not be answered: send it again, on a new socket. */
    private void lostOnSocket(SimulatedDevice device, Throwable error) {
        // The write's failure and the socket's close may both report the same loss: retry once.
        if (device.awaitingAnswer && running) {
            device.awaitingAnswer = false;
            connectionFailed(device, error);
        }
    }

    /** A top-level integer of the gateway's small, flat answer, without parsing all of it. */
    static int intField(String json, String name, int fallback) {
        int at = json.indexOf("\"" + name + "\":");
        if (at < 0) {
            return fallback;
        }
        int from = at + name.length() + 3;
        int to = from;
        while (to < json.length() && (Character.isDigit(json.charAt(to)) || json.charAt(to) == '-')) {
            to++;
        }
        try {
            return Integer.parseInt(json.substring(from, to));
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    private void connectionFailed(SimulatedDevice device, Throwable error) {
        stats.retried();
        refusal("connection", error.getMessage());
        retryLater(device, 1000);
    }

    private void answered(SimulatedDevice device, Answer answer) {
        device.awaitingAnswer = false;
        if (answer.status() == 200 || answer.status() == 202) {
            stats.accepted(System.nanoTime() - device.sentNs);
            device.advance();
            device.dueMs += periodMs();
            schedule(device);
        } else if (answer.status() == 503 || answer.status() == 429) {
            stats.retried();
            retryLater(device, answer.retryAfterMs());
        } else {
            stats.rejected();
            refusal(String.valueOf(answer.status()), answer.body());
            device.advance();
            device.dueMs += periodMs();
            schedule(device);
        }
    }

    private void retryLater(SimulatedDevice device, long delayMs) {
        if (running) {
            vertx.setTimer(Math.max(1, delayMs), id -> send(device));
        }
    }

    private void refusal(String kind, String detail) {
        if (loggedRefusals.size() < MAX_LOGGED_REFUSALS && loggedRefusals.add(kind)) {
            LOG.warn("Gateway refused or failed a chunk ({}): {}", kind, detail);
        }
    }

    private record Answer(int status, String body, long retryAfterMs) {
    }

    private RequestOptions to(HttpMethod method, String path) {
        return new RequestOptions().setMethod(method).setHost(config.gateway().getHost()).setPort(config.port())
                .setURI(path);
    }

    private Future<Answer> request(RequestOptions options, String token, String contentType, Buffer body) {
        if (token != null) {
            options.putHeader("Authorization", "Bearer " + token);
        }
        if (contentType != null) {
            options.putHeader("Content-Type", contentType);
        }
        return http.request(options)
                .compose(request -> body == null ? request.send() : request.send(body))
                .compose(response -> response.body().map(answer -> {
                    String retryAfter = response.getHeader("Retry-After");
                    long retryMs = 1000;
                    if (retryAfter != null) {
                        try {
                            retryMs = Math.max(100, Long.parseLong(retryAfter.trim()) * 1000);
                        } catch (NumberFormatException e) {
                            // an HTTP date instead of seconds: keep the default
                        }
                    }
                    return new Answer(response.statusCode(), answer.toString(), retryMs);
                }));
    }

    /** Devices and their tokens (for a caller that wants to post as one of them). */
    public List<String> deviceIds() {
        return devices.stream().map(d -> d.id).toList();
    }

    /** Completes with the totals when the simulator stops. */
    public Future<SimulatorStats.Figures> finished() {
        return finished.future();
    }

    /** Stops sending; completes {@link #finished()} with the totals. */
    public void stop() {
        if (!running) {
            return;
        }
        running = false;
        if (reportTimer >= 0) {
            vertx.cancelTimer(reportTimer);
        }
        finished.tryComplete(stats.total());
    }

    /** The totals so far. */
    public String summary() {
        return stats.total().line("[simulate] total:", devices.size());
    }

    @Override
    public void close() {
        stop();
        for (SimulatedDevice device : devices) {
            if (device.socket != null) {
                device.socket.close();
            }
        }
        http.close();
        webSockets.close();
    }
}
