package org.arrhythmiamonitor.alerting;

import static org.arrhythmiamonitor.alerting.TestAlerts.alert;
import static org.arrhythmiamonitor.alerting.TestAlerts.ended;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.arrhythmiamonitor.alerting.TestAlerts.ManualClock;
import org.arrhythmiamonitor.alerting.auth.Passwords;
import org.arrhythmiamonitor.alerting.lifecycle.AlertStore;
import org.arrhythmiamonitor.alerting.notify.WebhookSignature;
import org.arrhythmiamonitor.testing.TestKafka;
import org.arrhythmiamonitor.wire.ProtobufSerde;
import org.arrhythmiamonitor.wire.Topics;
import org.arrhythmiamonitor.wire.v1.Alert;
import org.arrhythmiamonitor.wire.v1.AlertRecord;
import org.arrhythmiamonitor.wire.v1.AlertState;
import org.arrhythmiamonitor.wire.v1.Delivery;
import org.arrhythmiamonitor.wire.v1.DeliveryState;
import org.arrhythmiamonitor.wire.v1.Priority;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The alerting service against a real Kafka broker, real webhook receivers (an HTTP server of the
 * test's) and real HTTP clients: lifecycle, notifications, escalation, restart and the API's errors.
 */
class AlertingServiceTest {
    private static final String NURSE_PASSWORD = "correct horse battery";
    private static final String ADMIN_PASSWORD = "admin staple battery";
    private static final String SECRET = "webhook-secret-0123456789";
    private static TestKafka kafka;
    private static Vertx vertx;
    private static WebClient client;
    private static String nurseHash;
    private static String adminHash;
    /** The webhook receiver: every request it got, and how many of the next requests per path fail. */
    private static HttpServer receiver;
    private static final List<Received> received = new CopyOnWriteArrayList<>();
    private static final Map<String, AtomicInteger> failuresLeft = new ConcurrentHashMap<>();
    /** Paths whose answers wait until the future completes (an attempt under way). */
    private static final Map<String, CompletableFuture<Void>> held = new ConcurrentHashMap<>();

    record Received(String path, String delivery, String event, long timestamp, String signature, JsonObject body,
            int status) {
        String alertId() {
            return body.getJsonObject("alert").getString("alertId");
        }
    }

    private ManualClock clock;

    @BeforeAll
    static void start() {
        kafka = TestKafka.start();
        vertx = Vertx.vertx();
        client = WebClient.create(vertx);
        nurseHash = Passwords.hash(NURSE_PASSWORD);
        adminHash = Passwords.hash(ADMIN_PASSWORD);
        receiver = vertx.createHttpServer().requestHandler(request -> request.body().onSuccess(body -> {
            AtomicInteger left = failuresLeft.get(request.path());
            int status = left != null && left.getAndDecrement() > 0 ? 500 : 200;
            received.add(new Received(request.path(), request.getHeader(WebhookSignature.DELIVERY_HEADER),
                    request.getHeader(WebhookSignature.EVENT_HEADER),
                    Long.parseLong(request.getHeader(WebhookSignature.TIMESTAMP_HEADER)),
                    request.getHeader(WebhookSignature.SIGNATURE_HEADER), body.toJsonObject(), status));
            held.getOrDefault(request.path(), CompletableFuture.completedFuture(null))
                    .thenRun(() -> request.response().setStatusCode(status).end());
        })).listen(0, "127.0.0.1").await();
    }

    @AfterAll
    static void stop() {
        vertx.close().await();
        kafka.close();
    }

    @BeforeEach
    void freshClock() {
        clock = new ManualClock(System.currentTimeMillis());
    }

    private static String hook(String path) {
        return "http://127.0.0.1:" + receiver.actualPort() + path;
    }

    private static JsonObject config(String groupId) {
        return new JsonObject()
                .put("bootstrapServers", kafka.bootstrapServers())
                .put("httpHost", "127.0.0.1")
                .put("httpPort", 0)
                .put("partitions", 3)
                .put("replicationFactor", 1)
                .put("groupId", groupId)
                .put("users", new JsonArray()
                        .add(new JsonObject().put("username", "nurse").put("passwordHash", nurseHash)
                                .put("roles", new JsonArray().add("clinician")))
                        .add(new JsonObject().put("username", "admin").put("passwordHash", adminHash)
                                .put("roles", new JsonArray().add("admin"))))
                .put("deviceGroups", new JsonObject().put("ward", new JsonArray().add("ward-*"))
                        .put("broken", new JsonArray().add("broken-*")))
                .put("webhooks", new JsonArray()
                        .add(new JsonObject().put("id", "ward").put("url", hook("/ward")).put("secret", SECRET)
                                .put("deviceGroups", new JsonArray().add("ward")))
                        .add(new JsonObject().put("id", "pager").put("url", hook("/pager")).put("secret", SECRET)
                                .put("events", new JsonArray()))
                        .add(new JsonObject().put("id", "broken").put("url", hook("/broken")).put("secret", SECRET)
                                .put("deviceGroups", new JsonArray().add("broken"))))
                .put("escalation", new JsonObject().put("afterSeconds", 120)
                        .put("levels", new JsonArray().add(new JsonObject().put("name", "charge nurse")
                                .put("subscribers", new JsonArray().add("pager")))))
                .put("retry", new JsonObject().put("initialMs", 20).put("maxMs", 100).put("maxAttempts", 5));
    }

    private AlertingService startService(JsonObject config) {
        // No timer ticks: the tests move the clock and tick themselves.
        return AlertingService.start(vertx, AlertingConfig.fromJson(config), clock, false).await();
    }

    private AlertingService startService() {
        return startService(config("alerting-test"));
    }

    private static void publish(Alert... alerts) {
        try (KafkaProducer<String, Alert> producer = new KafkaProducer<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                new StringSerializer(), ProtobufSerde.alerts().serializer())) {
            for (Alert alert : alerts) {
                producer.send(new ProducerRecord<>(Topics.ALERTS, alert.getDeviceId(), alert));
            }
        }
    }

    /** A logged-in user of the API: the session cookie travels with every request. */
    private record Session(AlertingService service, String cookie) {
        HttpResponse<Buffer> get(String path) {
            return client.get(service.httpPort(), "127.0.0.1", path).putHeader("Cookie", cookie).send().await();
        }

        HttpResponse<Buffer> post(String path, JsonObject body) {
            HttpRequest<Buffer> request = client.post(service.httpPort(), "127.0.0.1", path).putHeader("Cookie", cookie);
            return request.sendJsonObject(body == null ? new JsonObject() : body).await();
        }

        JsonArray alerts(String query) {
            HttpResponse<Buffer> response = get("/api/alerts" + query);
            assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
            return response.bodyAsJsonObject().getJsonArray("alerts");
        }

        JsonObject alert(String alertId) {
            return get("/api/alerts/" + alertId).bodyAsJsonObject();
        }
    }

    private static HttpResponse<Buffer> login(AlertingService service, String user, String password) {
        return client.post(service.httpPort(), "127.0.0.1", "/api/login")
                .sendJsonObject(new JsonObject().put("username", user).put("password", password)).await();
    }

    private static Session session(AlertingService service, String user, String password) {
        HttpResponse<Buffer> response = login(service, user, password);
        assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
        String cookie = response.cookies().stream().filter(c -> c.startsWith("amsession=")).findFirst().orElseThrow();
        assertThat(cookie).containsIgnoringCase("HttpOnly").containsIgnoringCase("SameSite=Strict");
        return new Session(service, cookie.substring(0, cookie.indexOf(';')));
    }

    private static void waitFor(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 20_000;
        while (!condition.getAsBoolean()) {
            assertThat(System.currentTimeMillis()).as("waited 20 s").isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    private static List<Received> receivedFor(String alertId) {
        return received.stream().filter(r -> r.alertId().equals(alertId)).toList();
    }

    private static List<String> escalated(List<AlertRecord> records, String deviceId) {
        return records.stream().filter(r -> r.getAlert().getDeviceId().equals(deviceId))
                .map(r -> r.getAlert().getAlertId()).toList();
    }

    @Test
    void patientDataNeedsALoginAndTheLoginChecksThePassword() {
        AlertingService service = startService();
        try {
            HttpResponse<Buffer> anonymous = client.get(service.httpPort(), "127.0.0.1", "/api/alerts").send().await();
            assertThat(anonymous.statusCode()).isEqualTo(401);
            assertThat(anonymous.bodyAsJsonObject().getString("error")).isEqualTo("unauthenticated");
            assertThat(client.get(service.httpPort(), "127.0.0.1", "/api/devices/ward-1/history").send().await()
                    .statusCode()).isEqualTo(401);
            assertThat(login(service, "nurse", "wrong password").statusCode()).isEqualTo(401);
            assertThat(login(service, "nobody", NURSE_PASSWORD).statusCode()).isEqualTo(401);

            Session nurse = session(service, "nurse", NURSE_PASSWORD);
            assertThat(nurse.get("/api/me").bodyAsJsonObject().getJsonArray("roles")).containsExactly("clinician");
            assertThat(nurse.get("/api/alerts").statusCode()).isEqualTo(200);
            assertThat(nurse.get("/api/admin/notifications").statusCode()).isEqualTo(403);
            JsonObject setup = session(service, "admin", ADMIN_PASSWORD).get("/api/admin/notifications")
                    .bodyAsJsonObject();
            assertThat(setup.getJsonArray("webhooks")).hasSize(3);
            assertThat(setup.encode()).doesNotContain(SECRET);

            assertThat(nurse.post("/api/logout", null).statusCode()).isEqualTo(204);
            assertThat(nurse.get("/api/alerts").statusCode()).isEqualTo(401);

            for (int i = 0; i < 5; i++) {
                login(service, "admin", "guess " + i);
            }
            assertThat(login(service, "admin", ADMIN_PASSWORD).statusCode()).as("throttled").isEqualTo(429);
        } finally {
            service.close();
        }
    }

    @Test
    void aSuccessfulLoginDoesNotWipeTheAddressesFailedGuesses() {
        // Someone with one account of their own must not be able to spray passwords over every
        // other name from one address by logging in between rounds of guesses.
        AlertingService service = startService();
        try {
            for (int i = 0; i < 19; i++) {
                assertThat(login(service, "user" + i, "guess").statusCode()).isEqualTo(401);
            }
            assertThat(login(service, "nurse", NURSE_PASSWORD).statusCode()).isEqualTo(200);
            assertThat(login(service, "user19", "guess").statusCode()).as("the 20th failure in the minute")
                    .isEqualTo(401);
            HttpResponse<Buffer> throttled = login(service, "user20", "guess");
            assertThat(throttled.statusCode()).as(throttled.bodyAsString()).isEqualTo(429);
        } finally {
            service.close();
        }
    }

    @Test
    void anAlertDeliveredTwiceIsShownAndNotifiedOnce() throws Exception {
        AlertingService service = startService();
        try {
            Session nurse = session(service, "nurse", NURSE_PASSWORD);
            Alert vt = alert("ward-1", "VENTRICULAR_TACHYCARDIA", Priority.HIGH, clock.millis());
            publish(vt, vt);
            publish(vt);
            Alert marker = alert("ward-1", "PAUSE", Priority.MEDIUM, clock.millis());
            publish(marker);
            // Records of one device are read in order: once the marker is notified, the copies were handled.
            waitFor(() -> receivedFor(marker.getAlertId()).size() == 1);

            assertThat(nurse.alerts("?deviceId=ward-1&priority=high")).hasSize(1);
            List<Received> notified = receivedFor(vt.getAlertId());
            assertThat(notified).hasSize(1);
            Received delivery = notified.get(0);
            assertThat(delivery.path()).isEqualTo("/ward");
            assertThat(delivery.event()).isEqualTo("alert.raised");
            assertThat(delivery.body().getJsonObject("alert").getString("state")).isEqualTo("open");
            byte[] body = delivery.body().encode().getBytes(StandardCharsets.UTF_8);
            assertThat(WebhookSignature.verify(SECRET, delivery.timestamp(), body, delivery.signature())).isTrue();
            assertThat(WebhookSignature.verify("another-secret-123456", delivery.timestamp(), body,
                    delivery.signature())).isFalse();
        } finally {
            service.close();
        }
    }

    @Test
    void everyNewAlertIsPrintedOnTheConsoleIncludingABriefEventOverOnArrival() throws Exception {
        var console = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("ALERTS");
        var printed = new ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent>();
        printed.start();
        console.addAppender(printed);
        AlertingService service = startService();
        try {
            long now = clock.millis();
            // A device of its own: the alerts topic is shared, and another test's alerts on the same
            // device would be repeats of these.
            Alert couplet = ended(alert("ward-30", "COUPLET", Priority.LOW, now), now + 600);
            Alert vt = alert("ward-30", "VENTRICULAR_TACHYCARDIA", Priority.HIGH, now + 5_000);
            publish(couplet);
            publish(vt);
            // Logback appends under the appender's lock; read the list under it too.
            java.util.function.Supplier<List<String>> lines = () -> {
                synchronized (printed) {
                    return printed.list.stream().map(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage)
                            .filter(line -> line.contains("device=ward-30 ")).toList();
                }
            };
            // The VT has the couplet's key, so it is read after it: once the VT is printed, the couplet
            // was handled, printed or not, and a missing line shows in the comparison below.
            waitFor(() -> lines.get().stream().anyMatch(line -> line.contains("VENTRICULAR_TACHYCARDIA")));

            assertThat(lines.get()).containsExactly(
                    "[LOW] COUPLET device=ward-30 COUPLET on ward-30 (over, resolved on arrival)",
                    "[HIGH] VENTRICULAR_TACHYCARDIA device=ward-30 VENTRICULAR_TACHYCARDIA on ward-30");
        } finally {
            console.detachAppender(printed);
            service.close();
        }
    }

    @Test
    void aWebhookThatFailsThreeTimesThenSucceedsReceivesTheAlertExactlyOnceMore() throws Exception {
        failuresLeft.put("/ward", new AtomicInteger(3));
        AlertingService service = startService();
        try {
            Session nurse = session(service, "nurse", NURSE_PASSWORD);
            Alert pause = alert("ward-2", "PAUSE", Priority.MEDIUM, clock.millis());
            publish(pause);
            waitFor(() -> receivedFor(pause.getAlertId()).stream().anyMatch(r -> r.status() == 200));
            waitFor(() -> nurse.alert(pause.getAlertId()).getJsonArray("history").stream()
                    .anyMatch(h -> "notified".equals(((JsonObject) h).getString("action"))));
            // A later alert of the same device, delivered at once, shows nothing more came for the first.
            Alert later = alert("ward-2", "COUPLET", Priority.MEDIUM, clock.millis());
            publish(later);
            waitFor(() -> receivedFor(later.getAlertId()).size() == 1);

            List<Received> attempts = receivedFor(pause.getAlertId());
            assertThat(attempts).extracting(Received::status).containsExactly(500, 500, 500, 200);
            assertThat(attempts).extracting(Received::delivery).containsOnly(pause.getAlertId() + "/raised:ward");
            assertThat(service.desk().ledger().get(pause.getAlertId()).orElseThrow()
                    .getDeliveriesOrThrow("raised:ward").getAttempts()).isEqualTo(4);
            assertThat(nurse.get("/metrics").bodyAsString())
                    .contains("ecg_notifications_attempts_total{event=\"raised\",outcome=\"failure\",service=\"alerting\","
                            + "subscriber=\"ward\"}");
            // Failing no more once it answered.
            assertThat(nurse.get("/health").bodyAsJsonObject().getJsonObject("details").containsKey("webhooksFailing"))
                    .isFalse();
        } finally {
            failuresLeft.remove("/ward");
            service.close();
        }
    }

    @Test
    void aSubscriberGetsAnAlertsEventsInTheOrderTheyHappenedThoughTheFirstIsRetried() throws Exception {
        failuresLeft.put("/ward", new AtomicInteger(1));
        AlertingService service = startService();
        try {
            long now = clock.millis();
            // Over on arrival: raised and resolved at once, and the raised's first attempt fails.
            Alert couplet = ended(alert("ward-31", "COUPLET", Priority.LOW, now), now + 600);
            publish(couplet);
            waitFor(() -> receivedFor(couplet.getAlertId()).stream().filter(r -> r.status() == 200).count() == 2);
            assertThat(receivedFor(couplet.getAlertId())).extracting(r -> r.event() + " " + r.status())
                    .containsExactly("alert.raised 500", "alert.raised 200", "alert.resolved 200");
        } finally {
            failuresLeft.remove("/ward");
            service.close();
        }
    }

    @Test
    void aDeliveryThatNeverSucceedsGoesToTheDeadLetterTopic() throws Exception {
        failuresLeft.put("/broken", new AtomicInteger(Integer.MAX_VALUE));
        AlertingService service = startService();
        try {
            // Every subscriber's dead-letter count is there at zero, so a rule on its increase sees the first.
            String metrics = client.get(service.httpPort(), "127.0.0.1", "/metrics").send().await().bodyAsString();
            for (String subscriber : List.of("ward", "pager", "broken")) {
                assertThat(metrics).contains("ecg_notifications_dead_lettered_total{service=\"alerting\",subscriber=\""
                        + subscriber + "\"} 0.0");
            }
            Alert alert = alert("broken-1", "PAUSE", Priority.MEDIUM, clock.millis());
            publish(alert);
            List<ConsumerRecord<String, String>> letters = kafka.read(Topics.ALERTS_DEAD_LETTER,
                    new StringDeserializer(), 1, Duration.ofSeconds(20));
            JsonObject letter = new JsonObject(letters.stream().filter(r -> r.key().equals(alert.getAlertId()))
                    .findFirst().orElseThrow().value());
            assertThat(letter.getString("subscriber")).isEqualTo("broken");
            assertThat(letter.getInteger("attempts")).isEqualTo(5);
            assertThat(letter.getString("lastError")).isEqualTo("HTTP 500");
            assertThat(letter.getJsonObject("payload").getJsonObject("alert").getString("alertId"))
                    .isEqualTo(alert.getAlertId());
            waitFor(() -> service.desk().ledger().get(alert.getAlertId()).orElseThrow()
                    .getDeliveriesOrThrow("raised:broken").getStateValue() == 3);
            assertThat(client.get(service.httpPort(), "127.0.0.1", "/metrics").send().await().bodyAsString())
                    .contains("ecg_notifications_dead_lettered_total{service=\"alerting\",subscriber=\"broken\"} 1.0");
            // Named on /health, which stays UP: a restart would not mend the receiver.
            HttpResponse<Buffer> health = client.get(service.httpPort(), "127.0.0.1", "/health").send().await();
            assertThat(health.statusCode()).isEqualTo(200);
            JsonObject failing = health.bodyAsJsonObject().getJsonObject("details").getJsonObject("webhooksFailing");
            assertThat(failing.fieldNames()).as(failing.encode()).containsExactly("broken");
            assertThat(failing.getJsonObject("broken").getInteger("failedAttempts")).isEqualTo(5);
            assertThat(failing.getJsonObject("broken").getString("lastError")).isEqualTo("HTTP 500");
            assertThat(failing.getJsonObject("broken").getString("failingSince")).endsWith("Z");
        } finally {
            failuresLeft.remove("/broken");
            service.close();
        }
    }

    @Test
    void anUnacknowledgedHighPriorityAlertEscalatesOnTime() throws Exception {
        AlertingService service = startService();
        try {
            Session nurse = session(service, "nurse", NURSE_PASSWORD);
            Alert vt = alert("ward-3", "VENTRICULAR_TACHYCARDIA", Priority.HIGH, clock.millis());
            Alert pause = alert("ward-3", "PAUSE", Priority.MEDIUM, clock.millis());
            publish(vt, pause);
            waitFor(() -> nurse.alerts("?deviceId=ward-3").size() == 2);

            // Alerts of earlier tests are in the store too: look at this test's device only.
            clock.advanceSeconds(119);
            assertThat(escalated(service.desk().tick().join(), "ward-3")).isEmpty();
            clock.advanceSeconds(1);
            assertThat(escalated(service.desk().tick().join(), "ward-3")).containsExactly(vt.getAlertId());
            JsonObject escalated = nurse.alert(vt.getAlertId());
            assertThat(escalated.getInteger("escalationLevel")).isEqualTo(1);
            assertThat(escalated.getString("escalatedTo")).isEqualTo("charge nurse");
            waitFor(() -> received.stream().anyMatch(r -> r.path().equals("/pager")
                    && r.alertId().equals(vt.getAlertId())));
            Received page = received.stream().filter(r -> r.path().equals("/pager")).reduce((a, b) -> b).orElseThrow();
            assertThat(page.event()).isEqualTo("alert.escalated");
            assertThat(page.body().getJsonObject("escalation").getString("name")).isEqualTo("charge nurse");
            assertThat(nurse.alert(pause.getAlertId()).getInteger("escalationLevel")).as("medium: no escalation")
                    .isZero();

            assertThat(nurse.post("/api/alerts/" + vt.getAlertId() + "/acknowledge", new JsonObject()
                    .put("note", "at the bedside")).statusCode()).isEqualTo(200);
            clock.advanceSeconds(3600);
            assertThat(escalated(service.desk().tick().join(), "ward-3")).isEmpty();
            assertThat(nurse.get("/metrics").bodyAsString())
                    .contains("ecg_alerts_time_to_acknowledge_seconds_count{priority=\"high\"")
                    .contains("ecg_alerts_escalations_total");
        } finally {
            service.close();
        }
    }

    /** Retries every 50-100 ms for far longer than a test: a page that is not stopped keeps coming. */
    private static JsonObject retryingForLong(JsonObject config) {
        return config.put("retry", new JsonObject().put("initialMs", 50).put("maxMs", 100).put("maxAttempts", 10_000));
    }

    private static List<Received> pages(Alert alert) {
        return receivedFor(alert.getAlertId()).stream().filter(r -> r.path().equals("/pager")).toList();
    }

    /** Escalates the test's one open high alert of {@code deviceId} and waits for a failed page. */
    private void escalateWhileThePagerFails(AlertingService service, Alert vt) throws Exception {
        Session nurse = session(service, "nurse", NURSE_PASSWORD);
        waitFor(() -> nurse.alerts("?deviceId=" + vt.getDeviceId()).size() == 1);
        clock.advanceSeconds(120);
        assertThat(escalated(service.desk().tick().join(), vt.getDeviceId())).containsExactly(vt.getAlertId());
        waitFor(() -> pages(vt).size() >= 2);
    }

    @Test
    void anAcknowledgementStopsTheRetriesOfTheEscalationPage() throws Exception {
        failuresLeft.put("/pager", new AtomicInteger(Integer.MAX_VALUE));
        AlertingService service = startService(retryingForLong(config("alerting-test")));
        try {
            Alert vt = alert("ward-20", "VENTRICULAR_TACHYCARDIA", Priority.HIGH, clock.millis());
            publish(vt);
            escalateWhileThePagerFails(service, vt);

            Session nurse = session(service, "nurse", NURSE_PASSWORD);
            // Long before its retries run out, the operator can see the pager fails.
            assertThat(nurse.get("/health").bodyAsJsonObject().getJsonObject("details")
                    .getJsonObject("webhooksFailing").fieldNames()).containsExactly("pager");
            assertThat(nurse.post("/api/alerts/" + vt.getAlertId() + "/acknowledge", null).statusCode())
                    .isEqualTo(200);
            int pagedBefore = pages(vt).size();
            // A second is ten retries or more; one attempt may have been under way at the acknowledgement.
            Thread.sleep(1000);
            assertThat(pages(vt).size()).as("pages after the acknowledgement").isLessThanOrEqualTo(pagedBefore + 1);
            Delivery page = service.desk().ledger().get(vt.getAlertId()).orElseThrow()
                    .getDeliveriesOrThrow("escalated-1:pager");
            assertThat(page.getState()).isEqualTo(DeliveryState.CANCELLED);
            assertThat(page.getCancelReason()).isEqualTo("alert acknowledged by nurse");
            // Events are not cancelled: the ward still hears of the acknowledgement.
            waitFor(() -> receivedFor(vt.getAlertId()).stream()
                    .anyMatch(r -> r.path().equals("/ward") && r.event().equals("alert.acknowledged")));
        } finally {
            failuresLeft.remove("/pager");
            service.close();
        }
    }

    @Test
    void aLastPageAttemptThatFailsAfterTheAcknowledgementIsNotDeadLettered() throws Exception {
        // One attempt only, and the pager answers it (with an error) after the nurse acknowledged.
        CompletableFuture<Void> pagerAnswers = new CompletableFuture<>();
        held.put("/pager", pagerAnswers);
        failuresLeft.put("/pager", new AtomicInteger(Integer.MAX_VALUE));
        AlertingService service = startService(config("alerting-last-page").put("retry",
                new JsonObject().put("initialMs", 20).put("maxMs", 100).put("maxAttempts", 1)));
        try {
            Alert vt = alert("ward-23", "VENTRICULAR_TACHYCARDIA", Priority.HIGH, clock.millis());
            publish(vt);
            Session nurse = session(service, "nurse", NURSE_PASSWORD);
            waitFor(() -> nurse.alerts("?deviceId=" + vt.getDeviceId()).size() == 1);
            clock.advanceSeconds(120);
            assertThat(escalated(service.desk().tick().join(), vt.getDeviceId())).containsExactly(vt.getAlertId());
            waitFor(() -> pages(vt).size() == 1);
            assertThat(nurse.post("/api/alerts/" + vt.getAlertId() + "/acknowledge", null).statusCode())
                    .isEqualTo(200);
            pagerAnswers.complete(null);

            waitFor(() -> service.desk().ledger().get(vt.getAlertId()).orElseThrow()
                    .getDeliveriesOrThrow("escalated-1:pager").getState() == DeliveryState.CANCELLED);
            // A letter is written for operators to replay: none may page about an acknowledged alert.
            Thread.sleep(500);
            assertThat(nurse.get("/metrics").bodyAsString())
                    .contains("ecg_notifications_dead_lettered_total{service=\"alerting\",subscriber=\"pager\"} 0.0");
            assertThat(kafka.read(Topics.ALERTS_DEAD_LETTER, new StringDeserializer(), Integer.MAX_VALUE,
                    Duration.ofSeconds(3))
                    .stream().filter(r -> r.key().equals(vt.getAlertId()))).isEmpty();
        } finally {
            held.remove("/pager");
            failuresLeft.remove("/pager");
            service.close();
        }
    }

    @Test
    void anEscalationPageOfAnAcknowledgedAlertIsNotSentAgainAfterARestart() throws Exception {
        JsonObject config = retryingForLong(config("alerting-cancel-restart"));
        Alert vt = alert("ward-21", "VENTRICULAR_TACHYCARDIA", Priority.HIGH, clock.millis());
        failuresLeft.put("/pager", new AtomicInteger(Integer.MAX_VALUE));
        AlertingService first = startService(config);
        try {
            publish(vt);
            escalateWhileThePagerFails(first, vt);
            assertThat(session(first, "nurse", NURSE_PASSWORD)
                    .post("/api/alerts/" + vt.getAlertId() + "/acknowledge", null).statusCode()).isEqualTo(200);
        } finally {
            first.close();
        }
        failuresLeft.remove("/pager"); // The pager works again: a page sent now would get through.
        int pagedBefore = pages(vt).size();

        AlertingService second = startService(config);
        try {
            // Pending deliveries are sent again before the feed starts: once a later alert is notified, they were.
            Alert marker = alert("ward-21", "PAUSE", Priority.MEDIUM, clock.millis());
            publish(marker);
            waitFor(() -> receivedFor(marker.getAlertId()).size() == 1);
            Thread.sleep(500);
            assertThat(pages(vt)).as("pages after the restart").hasSize(pagedBefore);
            assertThat(second.desk().ledger().get(vt.getAlertId()).orElseThrow()
                    .getDeliveriesOrThrow("escalated-1:pager").getState()).isEqualTo(DeliveryState.CANCELLED);
        } finally {
            second.close();
        }
    }

    @Test
    void anEscalationLeftPendingOnAnAcknowledgedAlertByAnEarlierVersionIsCancelledNotSent() throws Exception {
        // What a version that did not cancel escalations stored: acknowledged, its page still pending.
        Alert vt = alert("ward-22", "VENTRICULAR_TACHYCARDIA", Priority.HIGH, clock.millis());
        AlertRecord stored = AlertRecord.newBuilder().setAlert(vt).setState(AlertState.ACKNOWLEDGED)
                .setRaisedAtMs(clock.millis()).setAcknowledgedBy("nurse").setAcknowledgedAtMs(clock.millis())
                .setEscalationLevel(1).setEscalations(1).setVersion(3)
                .putDeliveries("escalated-1:pager", Delivery.newBuilder().setSubscriber("pager").setEvent("escalated")
                        .setLevel(1).setState(DeliveryState.PENDING).setCreatedAtMs(clock.millis()).build())
                .build();
        try (AlertStore earlier = new AlertStore(kafka.bootstrapServers(), "arrhythmia-alerting-alerting-legacy")) {
            earlier.open();
            earlier.save(List.of(stored));
        }
        AlertingService service = startService(config("alerting-legacy"));
        try {
            waitFor(() -> service.desk().ledger().get(vt.getAlertId()).orElseThrow()
                    .getDeliveriesOrThrow("escalated-1:pager").getState() == DeliveryState.CANCELLED);
            assertThat(service.desk().ledger().get(vt.getAlertId()).orElseThrow()
                    .getDeliveriesOrThrow("escalated-1:pager").getCancelReason())
                    .isEqualTo("alert acknowledged by nurse");
            assertThat(pages(vt)).isEmpty();
        } finally {
            service.close();
        }
    }

    @Test
    void aRestartLosesNoAlertAndNoAcknowledgement() throws Exception {
        JsonObject config = config("alerting-restart");
        Alert vt = alert("ward-4", "VENTRICULAR_TACHYCARDIA", Priority.HIGH, clock.millis());
        Alert pause = alert("ward-4", "BIGEMINY", Priority.LOW, clock.millis() + 1000);
        AlertingService first = startService(config);
        try {
            Session nurse = session(first, "nurse", NURSE_PASSWORD);
            publish(vt, pause);
            waitFor(() -> nurse.alerts("?deviceId=ward-4").size() == 2);
            assertThat(nurse.post("/api/alerts/" + vt.getAlertId() + "/acknowledge", null).statusCode())
                    .isEqualTo(200);
            waitFor(() -> receivedFor(vt.getAlertId()).size() == 2 && receivedFor(pause.getAlertId()).size() == 1);
        } finally {
            first.close();
        }
        // While the service is down, the bigeminy ends (low: that resolves it) and a new alert arrives.
        Alert couplet = alert("ward-4", "COUPLET", Priority.LOW, clock.millis() + 2000);
        publish(ended(pause, clock.millis() + 5000), couplet);

        AlertingService second = startService(config);
        try {
            Session nurse = session(second, "nurse", NURSE_PASSWORD);
            waitFor(() -> nurse.alerts("?deviceId=ward-4").size() == 3
                    && "resolved".equals(nurse.alert(pause.getAlertId()).getString("state")));
            JsonObject acknowledged = nurse.alert(vt.getAlertId());
            assertThat(acknowledged.getString("state")).isEqualTo("acknowledged");
            assertThat(acknowledged.getString("acknowledgedBy")).isEqualTo("nurse");
            assertThat(acknowledged.getJsonArray("history").stream().map(h -> ((JsonObject) h).getString("action")))
                    .startsWith("raised").contains("acknowledged");
            waitFor(() -> receivedFor(couplet.getAlertId()).size() == 1);
            assertThat(receivedFor(vt.getAlertId())).as("raised and acknowledged, not again").hasSize(2);
        } finally {
            second.close();
        }
    }

    @Test
    void aSecondInstanceFencesTheFirstSoThatItCannotUndoAnAcknowledgement() throws Exception {
        JsonObject config = config("alerting-fencing");
        Alert vt = alert("ward-7", "VENTRICULAR_TACHYCARDIA", Priority.HIGH, clock.millis());
        AlertingService old = startService(config);
        AlertingService current = null;
        try {
            publish(vt);
            Session oldNurse = session(old, "nurse", NURSE_PASSWORD);
            waitFor(() -> oldNurse.alerts("?deviceId=ward-7").size() == 1);

            current = startService(config);
            Session nurse = session(current, "nurse", NURSE_PASSWORD);
            assertThat(nurse.post("/api/alerts/" + vt.getAlertId() + "/acknowledge", null).statusCode())
                    .isEqualTo(200);
            HttpResponse<Buffer> stale = oldNurse.post("/api/alerts/" + vt.getAlertId() + "/resolve",
                    new JsonObject().put("note", "from the old instance"));
            assertThat(stale.statusCode()).isEqualTo(503);
            assertThat(stale.bodyAsJsonObject().getString("error")).as("not 'not_stored, try again'").isEqualTo("fenced");
            assertThat(stale.bodyAsJsonObject().getString("detail")).contains("another alerting instance took over")
                    .contains("make the change on the instance that took over");
            assertThat(stale.getHeader("Retry-After")).as("trying again here cannot help").isNull();
            clock.advanceSeconds(600);
            assertThat(old.desk().tick().join()).as("the old instance escalates nothing").isEmpty();
            assertThat(oldNurse.get("/health").statusCode()).isEqualTo(503);
            HttpResponse<Buffer> health = nurse.get("/health");
            assertThat(health.statusCode()).as(health.bodyAsString()).isEqualTo(200);
            assertThat(nurse.alert(vt.getAlertId()).getString("state")).isEqualTo("acknowledged");
        } finally {
            old.close();
            if (current != null) {
                current.close();
            }
        }
    }

    @Test
    void anIdleInstanceThatWasTakenOverReportsItselfDownWithoutWaitingForAWrite() throws Exception {
        JsonObject config = config("alerting-idle-fenced");
        AlertingService old = startService(config);
        AlertingService current = null;
        try {
            Session oldNurse = session(old, "nurse", NURSE_PASSWORD);
            old.store().probe(Duration.ZERO);
            assertThat(oldNurse.get("/health").statusCode()).as("nobody took it over: the probe stored nothing")
                    .isEqualTo(200);

            current = startService(config);
            assertThat(oldNurse.get("/health").statusCode()).as("Kafka tells only a writer").isEqualTo(200);
            old.store().probe(Duration.ZERO);
            HttpResponse<Buffer> health = oldNurse.get("/health");
            assertThat(health.statusCode()).isEqualTo(503);
            assertThat(health.bodyAsJsonObject().getJsonObject("details").getString("fenced"))
                    .contains("another alerting instance");

            Alert vt = alert("ward-11", "VENTRICULAR_TACHYCARDIA", Priority.HIGH, clock.millis());
            publish(vt);
            Session nurse = session(current, "nurse", NURSE_PASSWORD);
            waitFor(() -> nurse.alerts("?deviceId=ward-11").size() == 1);
            current.store().probe(Duration.ZERO);
            assertThat(nurse.post("/api/alerts/" + vt.getAlertId() + "/acknowledge", null).statusCode())
                    .as("a probe leaves the store as it was").isEqualTo(200);
            assertThat(AlertStore.loadAll(kafka.bootstrapServers(), Duration.ofSeconds(30)))
                    .extracting(r -> r.getAlert().getAlertId()).contains(vt.getAlertId())
                    .noneMatch(id -> id.startsWith("__"));
        } finally {
            old.close();
            if (current != null) {
                current.close();
            }
        }
    }

    @Test
    void aStartThatCannotBindItsPortTakesNothingOverFromTheRunningInstance() throws Exception {
        JsonObject config = config("alerting-port-taken");
        Alert vt = alert("ward-10", "VENTRICULAR_TACHYCARDIA", Priority.HIGH, clock.millis());
        AlertingService running = startService(config);
        try {
            Session nurse = session(running, "nurse", NURSE_PASSWORD);
            publish(vt);
            waitFor(() -> nurse.alerts("?deviceId=ward-10").size() == 1);

            assertThatThrownBy(() -> startService(config.copy().put("httpPort", running.httpPort())))
                    .hasStackTraceContaining("Address already in use");

            HttpResponse<Buffer> acknowledged = nurse.post("/api/alerts/" + vt.getAlertId() + "/acknowledge", null);
            assertThat(acknowledged.statusCode()).as(acknowledged.bodyAsString()).isEqualTo(200);
            Alert pause = alert("ward-10", "PAUSE", Priority.MEDIUM, clock.millis());
            publish(pause);
            waitFor(() -> nurse.alerts("?deviceId=ward-10").size() == 2);
            HttpResponse<Buffer> health = nurse.get("/health");
            assertThat(health.statusCode()).as(health.bodyAsString()).isEqualTo(200);
        } finally {
            running.close();
        }
    }

    @Test
    void healthIsDownOnceTheBurdenHistoryStopsFollowingItsTopic() throws Exception {
        // Alerts still flow then, but the device view's burden history is frozen: the operator
        // must learn of it from /health.
        AlertingService service = startService(config("alerting-burden-stopped"));
        try {
            Session nurse = session(service, "nurse", NURSE_PASSWORD);
            waitFor(() -> nurse.get("/health").statusCode() == 200);
            service.burdenHistory().close();
            waitFor(() -> nurse.get("/health").statusCode() == 503);
            JsonObject details = nurse.get("/health").bodyAsJsonObject().getJsonObject("details");
            assertThat(details.getBoolean("burdenHistoryStopped")).isTrue();
            assertThat(details.getBoolean("following")).as("the alert feed goes on").isTrue();
        } finally {
            service.close();
        }
    }

    @Test
    void closedAlertsAreDeletedAfterTheRetentionAndNotRaisedAgain() throws Exception {
        JsonObject config = config("alerting-retention").put("retainClosedDays", 90);
        Alert pause = alert("ward-8", "PAUSE", Priority.MEDIUM, clock.millis());
        Alert vt = alert("ward-8", "VENTRICULAR_TACHYCARDIA", Priority.HIGH, clock.millis());
        AlertingService first = startService(config);
        try {
            Session nurse = session(first, "nurse", NURSE_PASSWORD);
            publish(pause, vt);
            waitFor(() -> nurse.alerts("?deviceId=ward-8").size() == 2);
            nurse.post("/api/alerts/" + pause.getAlertId() + "/resolve", new JsonObject().put("note", "artefact"));
            clock.advanceSeconds(89L * 24 * 3600);
            first.desk().expire(Duration.ofDays(90)).join();
            // The manual clock also ages the session past its 12 h: log in again at each step.
            Session later = session(first, "nurse", NURSE_PASSWORD);
            assertThat(later.get("/api/alerts/" + pause.getAlertId()).statusCode()).as("89 days").isEqualTo(200);
            clock.advanceSeconds(2L * 24 * 3600);
            assertThat(first.desk().expire(Duration.ofDays(90)).join()).isGreaterThanOrEqualTo(1);
            Session evenLater = session(first, "nurse", NURSE_PASSWORD);
            assertThat(evenLater.get("/api/alerts/" + pause.getAlertId()).statusCode()).isEqualTo(404);
            assertThat(evenLater.get("/api/alerts/" + vt.getAlertId()).statusCode()).as("still open: kept")
                    .isEqualTo(200);
        } finally {
            first.close();
        }
        AlertingService second = startService(config);
        try {
            Session nurse = session(second, "nurse", NURSE_PASSWORD);
            assertThat(nurse.get("/api/alerts/" + pause.getAlertId()).statusCode()).as("gone from the store")
                    .isEqualTo(404);
            assertThat(nurse.get("/api/alerts/" + vt.getAlertId()).statusCode()).isEqualTo(200);
        } finally {
            second.close();
        }
    }

    @Test
    void closedAlertsThatLeftMemoryAtCapacityAreStillDeletedAfterTheRetention() throws Exception {
        // One alert in memory: the closed ones leave it at once, but they stay in the store, and
        // the retention must still delete them or the store (and every start's read) grows for ever.
        // No suppression of repeats: a brief alert that still suppresses them would stay in memory.
        JsonObject config = config("alerting-retention-evicted").put("retainClosedDays", 90).put("maxAlerts", 1)
                .put("suppressRepeatsSeconds", 0);
        Alert older = ended(alert("ward-12", "COUPLET", Priority.LOW, clock.millis()), clock.millis() + 100);
        Alert newer = ended(alert("ward-12", "TRIPLET", Priority.LOW, clock.millis() + 1000), clock.millis() + 1100);
        AlertingService first = startService(config);
        try {
            publish(older, newer);
            waitFor(() -> AlertStore.loadAll(kafka.bootstrapServers(), Duration.ofSeconds(30)).stream()
                    .filter(r -> r.getAlert().getDeviceId().equals("ward-12")).count() == 2);
            assertThat(first.desk().ledger().get(older.getAlertId())).as("left memory at capacity").isEmpty();
            clock.advanceSeconds(91L * 24 * 3600);
            first.desk().expire(Duration.ofDays(90)).join();
        } finally {
            first.close();
        }
        assertThat(AlertStore.loadAll(kafka.bootstrapServers(), Duration.ofSeconds(30)))
                .extracting(r -> r.getAlert().getAlertId())
                .doesNotContain(older.getAlertId(), newer.getAlertId());
    }

    @Test
    void dashboardsGetChangesLiveOverServerSentEvents() throws Exception {
        AlertingService service = startService();
        HttpClient http = vertx.createHttpClient();
        try {
            Session nurse = session(service, "nurse", NURSE_PASSWORD);
            StringBuffer stream = new StringBuffer();
            HttpClientResponse response = http.request(new RequestOptions().setMethod(HttpMethod.GET)
                    .setHost("127.0.0.1").setPort(service.httpPort()).setURI("/api/alerts/events")
                    .putHeader("Cookie", nurse.cookie()))
                    // The handler is set before the first chunk can arrive, on the connection's event loop.
                    .compose(request -> request.send().onSuccess(r -> r.handler(c -> stream.append(c.toString()))))
                    .await();
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.getHeader("Content-Type")).startsWith("text/event-stream");
            waitFor(() -> stream.toString().contains(": connected"));

            Alert vt = alert("ward-5", "VENTRICULAR_TACHYCARDIA", Priority.HIGH, clock.millis());
            publish(vt);
            waitFor(() -> stream.toString().contains("\"alertId\":\"" + vt.getAlertId() + "\""));
            assertThat(stream.toString()).contains("event: alert\ndata: {");
            nurse.post("/api/alerts/" + vt.getAlertId() + "/acknowledge", null);
            waitFor(() -> stream.toString().contains("\"state\":\"acknowledged\""));

            // Logging out ends the stream: no more patient data to that connection.
            java.util.concurrent.atomic.AtomicBoolean ended = new java.util.concurrent.atomic.AtomicBoolean();
            response.endHandler(v -> ended.set(true));
            assertThat(nurse.post("/api/logout", null).statusCode()).isEqualTo(204);
            waitFor(ended::get);
        } finally {
            http.close().await();
            service.close();
        }
    }

    @Test
    void theApiAnswersMistakesWithTheFieldAndTheReason() throws Exception {
        AlertingService service = startService();
        try {
            Session nurse = session(service, "nurse", NURSE_PASSWORD);
            Session admin = session(service, "admin", ADMIN_PASSWORD);
            for (String query : List.of("?limit=abc", "?limit=0", "?priority=urgent", "?state=closed",
                    "?from=yesterday", "?from=20&to=10",
                    // ISO-8601 instants the JDK parses but that do not fit epoch milliseconds.
                    "?from=-300000000-01-01T00:00:00Z", "?to=%2B300000000-01-01T00:00:00Z",
                    // A misspelt filter would otherwise widen the list to every patient's alerts.
                    "?deviceID=ward-6", "?state=open&state=resolved", "?state=open,")) {
                HttpResponse<Buffer> response = nurse.get("/api/alerts" + query);
                assertThat(response.statusCode()).as(query).isEqualTo(400);
                assertThat(response.bodyAsJsonObject().getString("field")).as(query).isNotBlank();
            }
            assertThat(nurse.get("/api/alerts?from=99999999999999999999").bodyAsJsonObject().getString("detail"))
                    .isEqualTo("from is out of range (epoch milliseconds must fit 64 bits); got 99999999999999999999");
            // Routes that take no query parameter refuse one: the stream would otherwise send every alert.
            for (Session who : List.of(nurse, admin)) {
                String path = who == nurse ? "/api/alerts/events?state=open" : "/api/admin/notifications?x=1";
                HttpResponse<Buffer> refused = who.get(path);
                assertThat(refused.statusCode()).as(path).isEqualTo(400);
                assertThat(refused.bodyAsJsonObject().getString("field")).as(path).isIn("state", "x");
            }
            assertThat(nurse.get("/api/alerts/nope?verbose=1").statusCode()).isEqualTo(400);
            assertThat(nurse.get("/api/me?x=1").statusCode()).isEqualTo(400);
            assertThat(nurse.post("/api/alerts/nope/acknowledge?note=called", null).bodyAsJsonObject().getString("field"))
                    .as("a note in the address would be dropped").isEqualTo("note");
            // A body that is not JSON is named by place, never quoted: a login's may hold the password.
            HttpResponse<Buffer> badLogin = client.post(service.httpPort(), "127.0.0.1", "/api/login")
                    .putHeader("Content-Type", "application/json")
                    .sendBuffer(Buffer.buffer("{\"username\": \"nurse\", \"password\": hunter2}")).await();
            assertThat(badLogin.statusCode()).isEqualTo(400);
            assertThat(badLogin.bodyAsJsonObject().getString("detail")).doesNotContain("hunter2")
                    .endsWith("not valid JSON at line 1, column 35");
            // A byte order mark, as some editors save a file sent with curl --data @file.
            Buffer withBom = Buffer.buffer(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}).appendString(
                    new JsonObject().put("username", "nurse").put("password", NURSE_PASSWORD).encode());
            assertThat(client.post(service.httpPort(), "127.0.0.1", "/api/login")
                    .putHeader("Content-Type", "application/json").sendBuffer(withBom).await().statusCode()).isEqualTo(200);
            Alert vt = alert("ward-6", "VENTRICULAR_TACHYCARDIA", Priority.HIGH, clock.millis());
            publish(vt);
            waitFor(() -> nurse.get("/api/alerts/" + vt.getAlertId()).statusCode() == 200);
            String path = "/api/alerts/" + vt.getAlertId();

            assertThat(nurse.alerts("?state=open&priority=high,medium&deviceId=ward-6")).hasSize(1);
            Alert second = alert("ward-6", "PAUSE", Priority.MEDIUM, clock.millis());
            publish(second);
            waitFor(() -> nurse.get("/api/alerts/" + second.getAlertId()).statusCode() == 200);
            JsonObject cut = nurse.get("/api/alerts?deviceId=ward-6&limit=1").bodyAsJsonObject();
            assertThat(cut.getInteger("count")).isEqualTo(1);
            assertThat(cut.getLong("total")).as("the list says what its limit left out").isEqualTo(2);
            assertThat(nurse.alerts("?state=resolved&deviceId=ward-6")).isEmpty();
            // A note's length counts characters as people do: an emoji is one (two UTF-16 units).
            String pausePath = "/api/alerts/" + second.getAlertId() + "/acknowledge";
            for (int emoji : List.of(2001, 2000)) {
                // As raw UTF-8 (4 bytes each): Vert.x's own encoding escapes them to 12 bytes.
                HttpResponse<Buffer> answer = client.post(service.httpPort(), "127.0.0.1", pausePath)
                        .putHeader("Cookie", nurse.cookie()).putHeader("Content-Type", "application/json")
                        .sendBuffer(Buffer.buffer("{\"note\": \"" + "\uD83D\uDE00".repeat(emoji) + "\"}")).await();
                assertThat(answer.statusCode()).as(emoji + " emoji: " + answer.bodyAsString()).isEqualTo(emoji > 2000 ? 400 : 200);
            }
            assertThat(nurse.alerts("?deviceId=ward-6&from=" + (vt.getOnsetTimeMs() + 1))).isEmpty();
            assertThat(nurse.get("/api/alerts/nope").statusCode()).isEqualTo(404);
            assertThat(nurse.post("/api/alerts/nope/acknowledge", null).statusCode()).isEqualTo(404);
            assertThat(admin.post(path + "/acknowledge", null).statusCode()).as("admin is not a clinician")
                    .isEqualTo(403);
            HttpResponse<Buffer> noNote = nurse.post(path + "/resolve", new JsonObject());
            assertThat(noNote.statusCode()).isEqualTo(400);
            assertThat(noNote.bodyAsJsonObject().getString("field")).isEqualTo("note");
            HttpResponse<Buffer> badBody = client.post(service.httpPort(), "127.0.0.1", path + "/acknowledge")
                    .putHeader("Cookie", nurse.cookie()).putHeader("Content-Type", "application/json")
                    .sendBuffer(Buffer.buffer("{not json")).await();
            assertThat(badBody.statusCode()).isEqualTo(400);
            for (String notAnObject : List.of("[1]", "5", "\"x\"", "null")) {
                HttpResponse<Buffer> other = client.post(service.httpPort(), "127.0.0.1", path + "/acknowledge")
                        .putHeader("Cookie", nurse.cookie()).putHeader("Content-Type", "application/json")
                        .sendBuffer(Buffer.buffer(notAnObject)).await();
                assertThat(other.statusCode()).as(notAnObject).isEqualTo(400);
                assertThat(other.bodyAsJsonObject().getString("error")).isEqualTo("malformed_json");
                HttpResponse<Buffer> otherLogin = client.post(service.httpPort(), "127.0.0.1", "/api/login")
                        .putHeader("Content-Type", "application/json").sendBuffer(Buffer.buffer(notAnObject)).await();
                assertThat(otherLogin.statusCode()).as("login " + notAnObject).isEqualTo(400);
            }
            // A misspelt or repeated field would lose what the clinician typed: refused, naming it.
            HttpResponse<Buffer> misspelt = nurse.post(path + "/acknowledge", new JsonObject().put("notes", "called Dr X"));
            assertThat(misspelt.statusCode()).isEqualTo(400);
            assertThat(misspelt.bodyAsJsonObject().getString("error")).isEqualTo("invalid_field");
            assertThat(misspelt.bodyAsJsonObject().getString("field")).isEqualTo("notes");
            assertThat(misspelt.bodyAsJsonObject().getString("detail")).isEqualTo("unknown field 'notes'; known: [note]");
            HttpResponse<Buffer> repeated = client.post(service.httpPort(), "127.0.0.1", path + "/resolve")
                    .putHeader("Cookie", nurse.cookie()).putHeader("Content-Type", "application/json")
                    .sendBuffer(Buffer.buffer("{\"note\": \"first\", \"note\": \"second\"}")).await();
            assertThat(repeated.statusCode()).isEqualTo(400);
            assertThat(repeated.bodyAsJsonObject().getString("error")).isEqualTo("malformed_json");
            assertThat(repeated.bodyAsJsonObject().getString("detail")).contains("duplicate key \"note\"");
            HttpResponse<Buffer> loginTypo = client.post(service.httpPort(), "127.0.0.1", "/api/login")
                    .sendJsonObject(new JsonObject().put("username", "nurse").put("password", NURSE_PASSWORD)
                            .put("remember", true)).await();
            assertThat(loginTypo.statusCode()).isEqualTo(400);
            assertThat(loginTypo.bodyAsJsonObject().getString("field")).isEqualTo("remember");
            // No body at all (Vert.x then has no buffer): login misses its fields; not a 500.
            HttpResponse<Buffer> emptyLogin = client.post(service.httpPort(), "127.0.0.1", "/api/login")
                    .putHeader("Content-Type", "application/json").send().await();
            assertThat(emptyLogin.statusCode()).as(emptyLogin.bodyAsString()).isEqualTo(400);
            assertThat(emptyLogin.bodyAsJsonObject().getString("error")).isEqualTo("missing_field");
            HttpResponse<Buffer> numericName = client.post(service.httpPort(), "127.0.0.1", "/api/login")
                    .sendJsonObject(new JsonObject().put("username", 5).put("password", "x")).await();
            assertThat(numericName.statusCode()).isEqualTo(400);
            assertThat(numericName.bodyAsJsonObject().getString("field")).isEqualTo("username");
            HttpResponse<Buffer> plain = client.post(service.httpPort(), "127.0.0.1", path + "/acknowledge")
                    .putHeader("Cookie", nurse.cookie()).putHeader("Content-Type", "text/plain").send().await();
            assertThat(plain.statusCode()).as("a form or text POST, as another site could send").isEqualTo(415);
            HttpResponse<Buffer> foreign = client.post(service.httpPort(), "127.0.0.1", path + "/acknowledge")
                    .putHeader("Cookie", nurse.cookie()).putHeader("Origin", "http://127.0.0.1:8080")
                    .sendJsonObject(new JsonObject()).await();
            assertThat(foreign.statusCode()).as("from another origin").isEqualTo(403);
            HttpResponse<Buffer> longNote = nurse.post(path + "/acknowledge",
                    new JsonObject().put("note", "a".repeat(17_000)));
            assertThat(longNote.statusCode()).isEqualTo(413);
            assertThat(longNote.bodyAsJsonObject().getString("error")).isEqualTo("payload_too_large");
            assertThat(longNote.bodyAsJsonObject().getString("detail"))
                    .isEqualTo("the request body is over the limit of 16384 bytes");
            HttpResponse<Buffer> longLogin = login(service, "nurse", "a".repeat(5000));
            assertThat(longLogin.statusCode()).isEqualTo(413);
            assertThat(longLogin.bodyAsJsonObject().getString("detail"))
                    .isEqualTo("the request body is over the limit of 4096 bytes");
            assertThat(nurse.get(path).bodyAsJsonObject().getString("state")).isEqualTo("open");
            // No body at all is {}, as documented.
            HttpResponse<Buffer> bare = client.post(service.httpPort(), "127.0.0.1", path + "/acknowledge")
                    .putHeader("Cookie", nurse.cookie()).putHeader("Content-Type", "application/json").send().await();
            assertThat(bare.statusCode()).as(bare.bodyAsString()).isEqualTo(200);
            assertThat(bare.bodyAsJsonObject().getString("state")).isEqualTo("acknowledged");
            HttpResponse<Buffer> twice = nurse.post(path + "/acknowledge", null);
            assertThat(twice.statusCode()).isEqualTo(409);
            assertThat(twice.bodyAsJsonObject().getString("detail")).contains("it is acknowledged");
            JsonObject resolved = nurse.post(path + "/resolve", new JsonObject().put("note", "converted")).bodyAsJsonObject();
            assertThat(resolved.getString("state")).isEqualTo("resolved");
            assertThat(resolved.getString("resolutionNote")).isEqualTo("converted");

            assertThat(nurse.get("/api/devices/ward-6/strip").statusCode()).isEqualTo(400);
            assertThat(nurse.get("/api/devices/ward-6/strip?from=0&to=120000").statusCode()).isEqualTo(400);
            assertThat(nurse.get("/api/devices/ward-6/strip?from=-9000000000000000000&to=9000000000000000000")
                    .statusCode()).isEqualTo(400);
            assertThat(nurse.get("/api/alerts").getHeader("Cache-Control")).isEqualTo("no-store");
            HttpResponse<Buffer> noSamples = nurse.get("/api/devices/ward-6/strip?from=1000&to=2000");
            assertThat(noSamples.statusCode()).as(noSamples.bodyAsString()).isEqualTo(404);
            assertThat(noSamples.bodyAsJsonObject().getString("detail"))
                    .contains("among the chunks that reached ecg.samples within 2 min of it").contains("uploaded later");
            HttpResponse<Buffer> badArrival = nurse.get("/api/devices/ward-6/strip?from=1000&to=2000&arrivedNear=soon");
            assertThat(badArrival.statusCode()).isEqualTo(400);
            assertThat(badArrival.bodyAsJsonObject().getString("field")).isEqualTo("arrivedNear");
            HttpResponse<Buffer> badOffset = nurse.get("/api/devices/ward-6/strip?from=1000&to=2000&arrivalOffsetMs=1.5");
            assertThat(badOffset.statusCode()).isEqualTo(400);
            assertThat(badOffset.bodyAsJsonObject().getString("field")).isEqualTo("arrivalOffsetMs");
            HttpResponse<Buffer> misspeltOffset = nurse.get("/api/devices/ward-6/strip?from=1000&to=2000&arrivalOffset=5");
            assertThat(misspeltOffset.statusCode()).isEqualTo(400);
            assertThat(misspeltOffset.bodyAsJsonObject().getString("field")).isEqualTo("arrivalOffset");
            assertThat(nurse.get("/api/devices/ward-6/strip?from=1000&to=2000&arrivalOffsetMs=-3600000").statusCode())
                    .as("an offset of either sign").isEqualTo(404);
            HttpResponse<Buffer> hugeOffset = nurse.get("/api/devices/ward-6/strip?from=1000&to=2000&arrivalOffsetMs="
                    + Long.MAX_VALUE);
            assertThat(hugeOffset.statusCode()).as(hugeOffset.bodyAsString()).isEqualTo(400);
            assertThat(hugeOffset.bodyAsJsonObject().getString("field")).isEqualTo("arrivalOffsetMs");
            assertThat(nurse.get("/api/devices/ward-6/strip?from=1000&to=2000&arrivalOffsetMs=5&arrivedNear=1000")
                    .bodyAsJsonObject().getString("detail")).contains("moved by arrivalOffsetMs or not, or of arrivedNear;");
            assertThat(nurse.get("/api/devices/ward-6/history").bodyAsJsonObject().getJsonArray("hours")).isEmpty();
            assertThat(nurse.get("/api/devices/ward-6/history?from=1000").statusCode()).isEqualTo(400);
            assertThat(nurse.get("/api/nothing").statusCode()).isEqualTo(404);
        } finally {
            service.close();
        }
    }

    @Test
    void theDashboardIsServedWithItsChartLibraryAndAStrictContentPolicy() {
        AlertingService service = startService();
        try {
            HttpResponse<Buffer> page = client.get(service.httpPort(), "127.0.0.1", "/").send().await();
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.bodyAsString()).contains("<html");
            assertThat(page.getHeader("Content-Security-Policy")).contains("default-src 'self'");
            assertThat(client.get(service.httpPort(), "127.0.0.1", "/vendor/uplot/uPlot.iife.min.js").send().await()
                    .statusCode()).isEqualTo(200);
            HttpResponse<Buffer> badEscape = client.get(service.httpPort(), "127.0.0.1", "/a%zz").send().await();
            assertThat(badEscape.statusCode()).isEqualTo(400);
            assertThat(badEscape.bodyAsJsonObject().getString("error")).isEqualTo("invalid_path");
            // As the gateway and the processor answer it: the page's files took every method, and said 404.
            HttpResponse<Buffer> posted = client.post(service.httpPort(), "127.0.0.1", "/health").send().await();
            assertThat(posted.statusCode()).isEqualTo(405);
            assertThat(posted.bodyAsJsonObject().getString("error")).isEqualTo("method_not_allowed");
            assertThat(client.delete(service.httpPort(), "127.0.0.1", "/").send().await().statusCode())
                    .isEqualTo(405);
        } finally {
            service.close();
        }
    }

    @Test
    void anUnreadableRecordIsSkippedAndCounted() throws Exception {
        AlertingService service = startService();
        try {
            try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
                    Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                    new StringSerializer(), new ByteArraySerializer())) {
                producer.send(new ProducerRecord<>(Topics.ALERTS, "ward-9", new byte[] {(byte) 0xff, 0x01}));
            }
            Alert alert = alert("ward-9", "PAUSE", Priority.MEDIUM, clock.millis());
            publish(alert);
            Session nurse = session(service, "nurse", NURSE_PASSWORD);
            waitFor(() -> nurse.alerts("?deviceId=ward-9").size() == 1);
            assertThat(nurse.get("/metrics").bodyAsString()).contains("ecg_alerts_unreadable_total");
        } finally {
            service.close();
        }
    }
}
