package org.arrhythmiamonitor.benchmarks;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.arrhythmiamonitor.alerting.AlertingConfig;
import org.arrhythmiamonitor.alerting.AlertingService;
import org.arrhythmiamonitor.alerting.auth.Passwords;
import org.arrhythmiamonitor.launcher.EmbeddedKafka;
import org.arrhythmiamonitor.wire.ProtobufSerde;
import org.arrhythmiamonitor.wire.Topics;
import org.arrhythmiamonitor.wire.v1.Alert;
import org.arrhythmiamonitor.wire.v1.Evidence;
import org.arrhythmiamonitor.wire.v1.Priority;

/**
 * How long an alert takes from {@code ecg.alerts} to a clinician: the time from the producer's
 * send to the dashboard's live event (SSE) and to the webhook's arrival, through the embedded
 * broker, the lifecycle (stored in {@code ecg.alert-state} before it shows) and HTTP.
 *
 * <p>Usage: {@code AlertingLatency [ALERTS_PER_SECOND [SECONDS]]} (default 20 per second for 30 s).
 */
public final class AlertingLatency {
    private static final Pattern ALERT_ID = Pattern.compile("\"alertId\":\"([^\"]+)\"");

    private AlertingLatency() {
    }

    public static void main(String[] args) throws Exception {
        int rate = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 30;
        Path dir = Files.createTempDirectory("alerting-latency");
        Map<String, Long> sentAt = new ConcurrentHashMap<>();
        java.util.Set<String> shown = ConcurrentHashMap.newKeySet();
        List<Long> toDashboard = Collections.synchronizedList(new ArrayList<>());
        List<Long> toWebhook = Collections.synchronizedList(new ArrayList<>());
        Vertx vertx = Vertx.vertx();
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"), "127.0.0.1", freePort())) {
            HttpServer receiver = vertx.createHttpServer().requestHandler(request -> request.body().onSuccess(body -> {
                Long sent = sentAt.get(body.toJsonObject().getJsonObject("alert").getString("alertId"));
                if (sent != null) {
                    toWebhook.add(System.nanoTime() - sent);
                }
                request.response().end();
            })).listen(0, "127.0.0.1").await();
            String password = Passwords.random();
            AlertingService service = AlertingService.start(vertx, AlertingConfig.fromJson(new JsonObject()
                    .put("bootstrapServers", kafka.bootstrapServers())
                    .put("httpHost", "127.0.0.1").put("httpPort", 0).put("partitions", 3).put("replicationFactor", 1)
                    .put("suppressRepeatsSeconds", 0)
                    .put("users", new JsonArray().add(new JsonObject().put("username", "bench")
                            .put("passwordHash", Passwords.hash(password)).put("roles", new JsonArray().add("clinician"))))
                    .put("webhooks", new JsonArray().add(new JsonObject().put("id", "bench")
                            .put("url", "http://127.0.0.1:" + receiver.actualPort() + "/hook")
                            .put("secret", "benchmark-secret-123456").put("events", new JsonArray().add("raised"))))))
                    .await();
            String cookie = WebClient.create(vertx).post(service.httpPort(), "127.0.0.1", "/api/login")
                    .sendJsonObject(new JsonObject().put("username", "bench").put("password", password)).await()
                    .cookies().get(0).split(";")[0];
            HttpClient http = vertx.createHttpClient();
            StringBuilder pending = new StringBuilder();
            HttpClientResponse stream = http.request(new RequestOptions().setMethod(HttpMethod.GET)
                    .setHost("127.0.0.1").setPort(service.httpPort()).setURI("/api/alerts/events")
                    .putHeader("Cookie", cookie))
                    .compose(request -> request.send().onSuccess(response -> response.handler(chunk -> {
                        long now = System.nanoTime();
                        pending.append(chunk.toString());
                        // One event per blank-line-terminated block; a chunk may end inside one.
                        for (int end = pending.indexOf("\n\n"); end >= 0; end = pending.indexOf("\n\n")) {
                            String event = pending.substring(0, end);
                            pending.delete(0, end + 2);
                            Matcher matcher = ALERT_ID.matcher(event);
                            if (matcher.find() && event.contains("\"state\":\"open\"")) {
                                // The first event of an alert is its arrival; later ones are its updates.
                                Long sent = sentAt.get(matcher.group(1));
                                if (sent != null && shown.add(matcher.group(1))) {
                                    toDashboard.add(now - sent);
                                }
                            }
                        }
                    }))).await();
            System.out.printf("Live stream %d; sending %d alerts/s for %d s%n", stream.statusCode(), rate, seconds);

            try (KafkaProducer<String, Alert> producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(), ProducerConfig.LINGER_MS_CONFIG, 0),
                    new StringSerializer(), ProtobufSerde.alerts().serializer())) {
                long start = System.nanoTime();
                for (int i = 0; i < rate * seconds; i++) {
                    long due = start + (long) (i * 1e9 / rate);
                    while (System.nanoTime() < due) {
                        Thread.onSpinWait();
                    }
                    String device = "bench-" + (i % 500);
                    long onset = System.currentTimeMillis();
                    Alert alert = Alert.newBuilder().setAlertId(device + ":VENTRICULAR_TACHYCARDIA:" + i)
                            .setDeviceId(device).setType("VENTRICULAR_TACHYCARDIA").setPriority(Priority.HIGH)
                            .setOnsetSample(i).setOnsetTimeMs(onset).setMessage("benchmark").setHeartRateBpm(180)
                            .setBeatCount(5).setEvidence(Evidence.newBuilder().setStartTimeMs(onset - 5000)
                                    .setEndTimeMs(onset + 5000)).build();
                    sentAt.put(alert.getAlertId(), System.nanoTime());
                    producer.send(new ProducerRecord<>(Topics.ALERTS, device, alert));
                }
            }
            long deadline = System.currentTimeMillis() + 30_000;
            while ((toDashboard.size() < rate * seconds || toWebhook.size() < rate * seconds)
                    && System.currentTimeMillis() < deadline) {
                Thread.sleep(100);
            }
            report("to the dashboard (SSE)", toDashboard, rate * seconds);
            report("to the webhook", toWebhook, rate * seconds);
            http.close().await();
            service.close();
        } finally {
            vertx.close().await();
        }
    }

    private static void report(String what, List<Long> nanos, int sent) {
        LatencyPercentiles latency = new LatencyPercentiles(nanos);
        if (latency.count() == 0) {
            System.out.printf("%-24s nothing arrived of %d%n", what, sent);
            return;
        }
        System.out.printf("%-24s %d of %d arrived; p50 %.1f ms, p99 %.1f ms, max %.1f ms%n", what, latency.count(),
                sent, latency.ms(0.50), latency.ms(0.99), latency.maxMs());
    }

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
