package org.arrhythmiamonitor.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.arrhythmiamonitor.alerting.AlertingConfig;
import org.arrhythmiamonitor.alerting.AlertingService;
import org.arrhythmiamonitor.alerting.auth.Passwords;
import org.arrhythmiamonitor.ingest.GatewayConfig;
import org.arrhythmiamonitor.ingest.GatewayService;
import org.arrhythmiamonitor.processor.ProcessorConfig;
import org.arrhythmiamonitor.processor.ProcessorService;
import org.arrhythmiamonitor.synthetic.SyntheticEcg.Segment;
import org.arrhythmiamonitor.testing.SyntheticChunks;
import org.arrhythmiamonitor.wire.ProtobufSerde;
import org.arrhythmiamonitor.wire.Topics;
import org.arrhythmiamonitor.wire.v1.BeatClass;
import org.arrhythmiamonitor.wire.v1.ClassifiedBeat;
import org.arrhythmiamonitor.wire.v1.SampleChunk;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole pipeline through a real Kafka broker: HTTP into the gateway, Kafka Streams in the
 * processor, the alert out of the alerting service's HTTP API. Subclasses provide the broker.
 */
abstract class EndToEndScenario {
    /** The README's example chunk: 10 s of tachycardia at 170 bpm. */
    static final Path README_EXAMPLE = Path.of("..", "examples", "tachycardia-chunk.json");
    private static final long ALERT_DEADLINE_MS = 30_000;

    @TempDir
    Path stateDir;

    private Vertx vertx;
    private WebClient client;
    private ProcessorService processor;
    private AlertingService alerting;
    private DashboardLogin dashboard;
    private static final String PASSWORD = "end-to-end-password";
    private static final String PASSWORD_HASH = Passwords.hash(PASSWORD);
    private GatewayService gateway;
    private final Map<String, String> tokens = new HashMap<>();

    abstract String bootstrapServers();

    @BeforeEach
    void startServices() {
        vertx = Vertx.vertx();
        client = WebClient.create(vertx);
        JsonObject common = new JsonObject()
                .put("bootstrapServers", bootstrapServers())
                .put("httpHost", "127.0.0.1")
                .put("httpPort", 0)
                .put("partitions", 3)
                .put("replicationFactor", 1);
        processor = ProcessorService.start(vertx, ProcessorConfig.fromJson(common.copy()
                .put("applicationId", "e2e-" + UUID.randomUUID())
                .put("stateDir", stateDir.toString()))).await();
        alerting = AlertingService.start(vertx, AlertingConfig.fromJson(common.copy()
                .put("users", new JsonArray().add(new JsonObject().put("username", "e2e")
                        .put("passwordHash", PASSWORD_HASH).put("roles", new JsonArray().add("clinician")))))).await();
        dashboard = DashboardLogin.login(client, "127.0.0.1", alerting.httpPort(), "e2e", PASSWORD);
        gateway = GatewayService.start(vertx, GatewayConfig.fromJson(common.copy())).await();
    }

    @AfterEach
    void stopServices() {
        for (AutoCloseable service : new AutoCloseable[] {gateway, alerting, processor}) {
            if (service != null) {
                try {
                    service.close();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        vertx.close().await();
    }

    private HttpResponse<Buffer> post(String deviceId, Buffer body) {
        String token = tokens.computeIfAbsent(deviceId, gateway::issueToken);
        return client.post(gateway.httpPort(), "127.0.0.1", "/v1/devices/" + deviceId + "/ecg")
                .bearerTokenAuthentication(token)
                .putHeader("Content-Type", "application/json")
                .sendBuffer(body).await();
    }

    private JsonObject awaitAlert(String deviceId, Predicate<JsonObject> wanted) throws InterruptedException {
        long deadline = System.currentTimeMillis() + ALERT_DEADLINE_MS;
        while (System.currentTimeMillis() < deadline) {
            JsonArray alerts = dashboard.alerts("?deviceId=" + deviceId);
            for (int i = 0; i < alerts.size(); i++) {
                if (wanted.test(alerts.getJsonObject(i))) {
                    return alerts.getJsonObject(i);
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no matching alert for " + deviceId + " within " + ALERT_DEADLINE_MS + " ms");
    }

    @Test
    void theReadmeExampleChunkBecomesAnAlertAtApiAlerts() throws Exception {
        String device = "readme-" + UUID.randomUUID().toString().substring(0, 8);
        HttpResponse<Buffer> accepted = post(device, Buffer.buffer(Files.readString(README_EXAMPLE)));
        assertThat(accepted.statusCode()).isEqualTo(202);

        JsonObject alert = awaitAlert(device, a -> true);
        assertThat(alert.getString("type")).isEqualTo("EXTREME_TACHYCARDIA");
        assertThat(alert.getString("priority")).isEqualTo("high");
        assertThat(alert.getDouble("heartRateBpm")).isBetween(160.0, 180.0);
        assertThat(alert.getString("alertId")).startsWith(device + ":EXTREME_TACHYCARDIA:");
    }

    @Test
    void everyBeatOfAPostedChunkComesOutClassifiedOnItsTopic() throws Exception {
        String device = "classified-" + UUID.randomUUID().toString().substring(0, 8);
        assertThat(post(device, Buffer.buffer(Files.readString(README_EXAMPLE))).statusCode()).isEqualTo(202);

        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "e2e-classified-" + device);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<ClassifiedBeat> found = new ArrayList<>();
        try (KafkaConsumer<String, ClassifiedBeat> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                ProtobufSerde.classifiedBeats().deserializer())) {
            consumer.subscribe(List.of(Topics.CLASSIFIED_BEATS));
            long deadline = System.currentTimeMillis() + ALERT_DEADLINE_MS;
            // 10 s at 170 bpm, less the detector's 2 s of learning; the last beat waits for a next one.
            while (found.size() < 20 && System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<String, ClassifiedBeat> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.key().equals(device)) {
                        found.add(r.value());
                    }
                }
            }
        }
        assertThat(found).hasSizeGreaterThanOrEqualTo(20).allSatisfy(beat -> {
            assertThat(beat.getBeat().getDeviceId()).isEqualTo(device);
            assertThat(beat.getModel()).startsWith("beat-classifier:");
            assertThat(beat.getProbabilitiesCount()).isEqualTo(5);
            assertThat(beat.getBeatClass()).isNotEqualTo(BeatClass.BEAT_CLASS_UNSPECIFIED);
        });
    }

    @Test
    void anEpisodeStreamedInOneSecondChunksOpensAndEndsOneAlert() throws Exception {
        String device = "stream-" + UUID.randomUUID().toString().substring(0, 8);
        var recording = SyntheticChunks.record(360, 21, new Segment(10, 70), new Segment(15, 160),
                new Segment(10, 70));
        for (SampleChunk chunk : SyntheticChunks.chunks(device, recording, 1.0)) {
            assertThat(post(device, SyntheticChunks.json(chunk).toBuffer()).statusCode()).isEqualTo(202);
        }

        JsonObject ended = awaitAlert(device, a -> "ended".equals(a.getString("episode"))
                && "EXTREME_TACHYCARDIA".equals(a.getString("type")));
        assertThat(ended.getLong("endTimeMs") - SyntheticChunks.T0).isBetween(24_000L, 25_500L);
        // The abrupt jump to 160 bpm is also a supraventricular run, a low-priority alert of its own.
        assertThat(highPriorityAlerts(device)).as("one high-priority alert, updated in place").hasSize(1);
    }

    @Test
    void aScriptedVentricularTachycardiaRunProducesExactlyOneHighPriorityAlert() throws Exception {
        String device = "vt-" + UUID.randomUUID().toString().substring(0, 8);
        var recording = SyntheticChunks.record(250, 21, new Segment(30, 75), Segment.ventricular(4, 150),
                new Segment(15, 75));
        for (SampleChunk chunk : SyntheticChunks.chunks(device, recording, 1.0)) {
            assertThat(post(device, SyntheticChunks.json(chunk).toBuffer()).statusCode()).isEqualTo(202);
        }

        JsonObject ended = awaitAlert(device, a -> "ended".equals(a.getString("episode")));
        assertThat(ended.getString("type")).isEqualTo("VENTRICULAR_TACHYCARDIA");
        assertThat(ended.getString("priority")).isEqualTo("high");
        assertThat(ended.getString("alertId")).startsWith(device + ":VENTRICULAR_TACHYCARDIA:");
        assertThat(ended.getInteger("beatCount")).isBetween(8, 11);
        assertThat(ended.getLong("endTimeMs") - SyntheticChunks.T0).isBetween(33_000L, 34_500L);
        assertThat(highPriorityAlerts(device)).as("exactly one high-priority alert").hasSize(1);
    }

    private List<JsonObject> highPriorityAlerts(String device) {
        JsonArray all = dashboard.alerts("?deviceId=" + device);
        return all.stream().map(JsonObject.class::cast).filter(a -> "high".equals(a.getString("priority"))).toList();
    }
}
