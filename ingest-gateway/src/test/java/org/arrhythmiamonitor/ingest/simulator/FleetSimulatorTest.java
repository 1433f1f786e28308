package org.arrhythmiamonitor.ingest.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.arrhythmiamonitor.ingest.GatewayConfig;
import org.arrhythmiamonitor.ingest.GatewayService;
import org.arrhythmiamonitor.synthetic.PatientProfile;
import org.arrhythmiamonitor.testing.TestKafka;
import org.arrhythmiamonitor.wire.ProtobufSerde;
import org.arrhythmiamonitor.wire.Topics;
import org.arrhythmiamonitor.wire.v1.SampleChunk;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The simulator against a real gateway and broker: every device's chunks arrive, in order, once. */
class FleetSimulatorTest {
    private static final String ADMIN = "admin-token-of-the-simulator-test";

    @ParameterizedTest(name = "over WebSocket: {0}")
    @ValueSource(booleans = {false, true})
    void aSpedUpFleetStreamsEveryChunkInOrderWithItsOwnToken(boolean webSocket) {
        try (TestKafka kafka = TestKafka.start()) {
            Vertx vertx = Vertx.vertx();
            GatewayService gateway = GatewayService.start(vertx, GatewayConfig.fromJson(new JsonObject()
                    .put("bootstrapServers", kafka.bootstrapServers()).put("httpHost", "127.0.0.1")
                    .put("httpPort", 0).put("partitions", 3).put("replicationFactor", 1)
                    .put("adminToken", ADMIN))).await();
            List<SignalSource> sources = SignalSource.synthetic(List.of(PatientProfile.VT, PatientProfile.AF), 250,
                    72, 3);
            List<String> lines = new ArrayList<>();
            SimulatorConfig config = new SimulatorConfig(URI.create("http://127.0.0.1:" + gateway.httpPort()), 6,
                    sources, 20, 1, true, webSocket, ADMIN, "t", 4, 1000, 3000, false);
            FleetSimulator simulator = FleetSimulator.start(vertx, config, lines::add).await();
            SimulatorStats.Figures totals = simulator.finished().await();
            simulator.close();

            assertThat(simulator.deviceIds()).containsExactly("t-vt-1", "t-af-1", "t-vt-2", "t-af-2", "t-vt-3",
                    "t-af-3");
            assertThat(totals.rejected()).isZero();
            // 20 chunks per second and device for about 3 s: far more than one each.
            assertThat(totals.accepted()).isGreaterThan(6 * 10);
            assertThat(lines).isNotEmpty().allMatch(line -> line.contains("accepted"));

            Map<String, List<SampleChunk>> chunks = kafka.read(Topics.SAMPLES,
                            ProtobufSerde.sampleChunks().deserializer(), (int) totals.accepted(), Duration.ofSeconds(10))
                    .stream()
                    .collect(Collectors.groupingBy(ConsumerRecord::key,
                            Collectors.mapping(ConsumerRecord::value, Collectors.toList())));
            assertThat(chunks).hasSize(6);
            long written = 0;
            for (List<SampleChunk> device : chunks.values()) {
                // Numbered by start time (1 s chunks, sent 20 times faster), so a restarted
                // simulator continues the sequence instead of repeating seqs the processor would
                // skip as retries.
                SampleChunk first = device.get(0);
                assertThat(first.getSeq()).isEqualTo(first.getT0EpochMs() / 1000);
                for (int i = 0; i < device.size(); i++) {
                    assertThat(device.get(i).getSeq()).isEqualTo(first.getSeq() + i);
                    assertThat(device.get(i).getT0EpochMs()).isEqualTo(first.getT0EpochMs() + 1000L * i);
                }
                written += device.size();
            }
            // Chunks in flight when it stopped (at most one per device) are written, not yet counted.
            assertThat(written).isBetween(totals.accepted(), totals.accepted() + 6);
            gateway.close();
            vertx.close().await();
        }
    }

    @Test
    void aGatewayThatWantsDeviceTokensStopsTheStartWithoutTheRightAdministratorToken() {
        try (TestKafka kafka = TestKafka.start()) {
            Vertx vertx = Vertx.vertx();
            GatewayService gateway = GatewayService.start(vertx, GatewayConfig.fromJson(new JsonObject()
                    .put("bootstrapServers", kafka.bootstrapServers()).put("httpHost", "127.0.0.1")
                    .put("httpPort", 0).put("partitions", 1).put("replicationFactor", 1)
                    .put("adminToken", ADMIN))).await();
            URI url = URI.create("http://127.0.0.1:" + gateway.httpPort());
            SimulatorConfig wrongToken = new SimulatorConfig(url, 1,
                    SignalSource.synthetic(List.of(PatientProfile.NORMAL), 250, 72, 1), 1, 1, false, false,
                    "not-the-admin-token", "t", 1, 0, 0, false);
            assertThatThrownBy(() -> FleetSimulator.start(vertx, wrongToken, line -> { }).await())
                    .hasMessageContaining("could not provision t-normal-1").hasMessageContaining("401");

            // Without a token every chunk would be refused (401) for as long as it ran; /health says so first.
            SimulatorConfig noToken = new SimulatorConfig(url, 1,
                    SignalSource.synthetic(List.of(PatientProfile.NORMAL), 250, 72, 1), 1, 1, false, false,
                    null, "t", 1, 0, 0, false);
            assertThatThrownBy(() -> FleetSimulator.start(vertx, noToken, line -> { }).await())
                    .isInstanceOf(DeviceTokensRequiredException.class)
                    .hasMessageContaining("the gateway at " + url + " wants a token from every device");
            gateway.close();
            vertx.close().await();
        }
    }

    @Test
    void withoutAnAdministratorTokenAGatewayThatCannotBeAskedIsSentToAnyway() {
        Vertx vertx = Vertx.vertx();
        SimulatorConfig config = new SimulatorConfig(URI.create("http://127.0.0.1:1"), 1,
                SignalSource.synthetic(List.of(PatientProfile.NORMAL), 250, 72, 1), 1, 1, false, false, null, "t",
                1, 0, 0, false);
        FleetSimulator simulator = FleetSimulator.start(vertx, config, line -> { }).await();
        assertThat(simulator.deviceIds()).containsExactly("t-normal-1");
        simulator.close();
        vertx.close().await();
    }

    @Test
    void aDeviceWhoseWebSocketClosesBeforeTheAnswerSendsTheChunkAgainOnANewOne() {
        Vertx vertx = Vertx.vertx();
        // A gateway (auth=none) that drops its first stream without answering, as a restarting one
        // does, and answers every chunk on the streams after it.
        AtomicInteger streams = new AtomicInteger();
        HttpServer gateway = vertx.createHttpServer()
                .webSocketHandler(socket -> {
                    boolean first = streams.incrementAndGet() == 1;
                    socket.textMessageHandler(chunk -> {
                        if (first) {
                            socket.close((short) 1001, "going away");
                        } else {
                            socket.writeTextMessage(new JsonObject().put("seq", new JsonObject(chunk).getLong("seq"))
                                    .put("status", 202).encode());
                        }
                    });
                })
                .requestHandler(request -> request.response().putHeader("Content-Type", "application/json")
                        .end(new JsonObject().put("status", "UP")
                                .put("details", new JsonObject().put("auth", "none")).encode()))
                .listen(0, "127.0.0.1").await();
        try {
            SimulatorConfig config = new SimulatorConfig(URI.create("http://127.0.0.1:" + gateway.actualPort()), 1,
                    SignalSource.synthetic(List.of(PatientProfile.NORMAL), 250, 72, 1), 20, 1, false, true, null, "t",
                    1, 0, 4000, false);
            FleetSimulator simulator = FleetSimulator.start(vertx, config, line -> { }).await();
            SimulatorStats.Figures totals = simulator.finished().await();
            simulator.close();

            assertThat(streams.get()).as("streams opened").isGreaterThan(1);
            assertThat(totals.accepted()).as("chunks answered after the first stream closed").isPositive();
        } finally {
            gateway.close().await();
            vertx.close().await();
        }
    }

    @Test
    void badSettingsAreRefused() {
        List<SignalSource> sources = List.of(new SignalSource("x", 250, 1000, new int[250]));
        assertThatThrownBy(() -> new SimulatorConfig(URI.create("ftp://host"), 1, sources, 1, 1, false, false, null, "t", 1,
                0, 0, false)).hasMessageContaining("http:// or https://");
        assertThatThrownBy(() -> new SimulatorConfig(URI.create("http://host:1"), 0, sources, 1, 1, false, false, null, "t",
                1, 0, 0, false)).hasMessage("simulator: devices must be 1-1000000, got 0");
        assertThatThrownBy(() -> new SimulatorConfig(URI.create("http://host:1"), 1, sources, 0, 1, false, false, null, "t",
                1, 0, 0, false)).hasMessageContaining("simulator: speed must be above 0");
    }
}
