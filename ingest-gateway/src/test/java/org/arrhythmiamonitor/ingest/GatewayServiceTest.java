package org.arrhythmiamonitor.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.record.TimestampType;
import org.arrhythmiamonitor.synthetic.SyntheticEcg.Segment;
import org.arrhythmiamonitor.testing.SyntheticChunks;
import org.arrhythmiamonitor.testing.TestKafka;
import org.arrhythmiamonitor.wire.ProtobufSerde;
import org.arrhythmiamonitor.wire.Topics;
import org.arrhythmiamonitor.wire.v1.SampleChunk;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The gateway against a real Kafka broker. */
class GatewayServiceTest {
    private static TestKafka kafka;
    private static Vertx vertx;
    private static GatewayService gateway;
    private static WebClient client;

    @BeforeAll
    static void start() {
        kafka = TestKafka.start();
        vertx = Vertx.vertx();
        gateway = GatewayService.start(vertx, config(kafka.bootstrapServers())).await();
        client = WebClient.create(vertx);
    }

    private static GatewayConfig config(String bootstrapServers) {
        return GatewayConfig.fromJson(new JsonObject()
                .put("bootstrapServers", bootstrapServers)
                .put("httpHost", "127.0.0.1")
                .put("httpPort", 0)
                .put("maxBodyBytes", 256 * 1024)
                .put("partitions", 3)
                .put("replicationFactor", 1)
                .put("deliveryTimeoutMs", 2000));
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
        vertx.close().await();
        kafka.close();
    }

    private static HttpResponse<Buffer> post(GatewayService target, String deviceId, String contentType, Buffer body) {
        var request = client.post(target.httpPort(), "127.0.0.1", "/v1/devices/" + deviceId + "/ecg");
        if (contentType != null) {
            request.putHeader("Content-Type", contentType);
        }
        return request.sendBuffer(body).await();
    }

    @Test
    void acceptedChunksArriveInKafkaInOrderKeyedByDevice() {
        long before = System.currentTimeMillis();
        List<SampleChunk> chunks = SyntheticChunks.chunks("ordered-1",
                SyntheticChunks.record(250, 1, new Segment(5, 70)), 1.0);
        for (SampleChunk chunk : chunks) {
            HttpResponse<Buffer> response = post(gateway, "ordered-1", "application/json",
                    SyntheticChunks.json(chunk).toBuffer());
            assertThat(response.statusCode()).isEqualTo(202);
            assertThat(response.bodyAsJsonObject().getLong("seq")).isEqualTo(chunk.getSeq());
            assertThat(response.bodyAsJsonObject().getLong("offset")).isNotNull();
        }

        List<ConsumerRecord<String, SampleChunk>> written = kafka.read(Topics.SAMPLES,
                ProtobufSerde.sampleChunks().deserializer(), 100, Duration.ofSeconds(5)).stream()
                .filter(r -> r.key().equals("ordered-1"))
                .toList();
        assertThat(written).hasSize(chunks.size());
        for (int i = 0; i < chunks.size(); i++) {
            SampleChunk got = written.get(i).value();
            assertThat(got.toBuilder().clearReceivedAtMs().build()).isEqualTo(chunks.get(i));
            assertThat(got.getReceivedAtMs()).isPositive();
            // Device time travels in the payload; Kafka stamps arrival time, so retention and the
            // broker's timestamp checks do not depend on a device's clock.
            assertThat(written.get(i).timestampType()).isEqualTo(TimestampType.LOG_APPEND_TIME);
            assertThat(written.get(i).timestamp()).isBetween(before, System.currentTimeMillis());
        }
    }

    @Test
    void rejectedRequestsGetJsonErrorsAndNothingReachesKafka() {
        String device = "rejected-1";
        record Bad(String contentType, Buffer body, int status, String error) {
        }
        StringBuilder oversized = new StringBuilder("{\"seq\":1,\"t0\":5,\"fs\":250,\"samples\":[0");
        oversized.append(",1".repeat(200_000)).append("]}");
        List<Bad> bad = List.of(
                new Bad("application/json", Buffer.buffer("{\"seq\": 1"), 400, "malformed_json"),
                new Bad("application/json", Buffer.buffer("{\"seq\":1,\"t0\":5,\"fs\":250,\"samples\":[1.5]}"), 400,
                        "invalid_chunk"),
                new Bad("application/json", Buffer.buffer("{\"seq\":1,\"t0\":5,\"fs\":10,\"samples\":[1]}"), 400,
                        "invalid_chunk"),
                new Bad("text/plain", Buffer.buffer("1,2,3"), 415, "unsupported_media_type"),
                new Bad("application/json", Buffer.buffer(oversized.toString()), 413, "payload_too_large"));
        for (Bad request : bad) {
            HttpResponse<Buffer> response = post(gateway, device, request.contentType(), request.body());
            assertThat(response.statusCode()).as(request.error()).isEqualTo(request.status());
            JsonObject error = response.bodyAsJsonObject();
            assertThat(error.getString("error")).isEqualTo(request.error());
            assertThat(error.getString("detail")).isNotBlank();
        }
        HttpResponse<Buffer> badDevice = post(gateway, "bad%20device", "application/json", Buffer.buffer("{}"));
        assertThat(badDevice.statusCode()).isEqualTo(400);
        assertThat(badDevice.bodyAsJsonObject().getString("field")).isEqualTo("deviceId");

        // A valid chunk after the bad ones is the only one from this device in Kafka.
        SampleChunk good = SyntheticChunks.chunks(device, SyntheticChunks.record(250, 2, new Segment(1, 70)), 1.0)
                .get(0);
        assertThat(post(gateway, device, "application/json", SyntheticChunks.json(good).toBuffer()).statusCode())
                .isEqualTo(202);
        List<ConsumerRecord<String, SampleChunk>> written = kafka.read(Topics.SAMPLES,
                ProtobufSerde.sampleChunks().deserializer(), 1000, Duration.ofSeconds(3)).stream()
                .filter(r -> r.key().equals(device))
                .toList();
        assertThat(written).singleElement().satisfies(r -> assertThat(r.value().getSeq()).isEqualTo(good.getSeq()));

        String metrics = client.get(gateway.httpPort(), "127.0.0.1", "/metrics").send().await().bodyAsString();
        assertThat(metrics).contains("ecg_ingest_chunks_rejected_total{reason=\"malformed_json\",service=\"gateway\"}");
    }

    @Test
    void whenKafkaIsGoneTheDeviceGets503WithRetryAfterNever202() throws Exception {
        TestKafka doomed = TestKafka.start();
        GatewayService orphan = GatewayService.start(vertx, config(doomed.bootstrapServers())).await();
        try {
            SampleChunk chunk = SyntheticChunks.chunks("orphan-1",
                    SyntheticChunks.record(250, 3, new Segment(1, 70)), 1.0).get(0);
            assertThat(post(orphan, "orphan-1", "application/json", SyntheticChunks.json(chunk).toBuffer())
                    .statusCode()).isEqualTo(202);

            doomed.close();
            HttpResponse<Buffer> response = post(orphan, "orphan-1", "application/json",
                    SyntheticChunks.json(chunk.toBuilder().setSeq(1).build()).toBuffer());

            assertThat(response.statusCode()).isEqualTo(503);
            assertThat(response.getHeader("Retry-After")).isEqualTo("1");
            assertThat(response.bodyAsJsonObject().getString("error")).isEqualTo("kafka_unavailable");
            HttpResponse<Buffer> health = client.get(orphan.httpPort(), "127.0.0.1", "/health").send().await();
            assertThat(health.statusCode()).isEqualTo(503);
        } finally {
            orphan.close();
        }
    }
}
