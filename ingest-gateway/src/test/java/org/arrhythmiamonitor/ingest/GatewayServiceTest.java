package org.arrhythmiamonitor.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;
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
import org.junit.jupiter.api.io.TempDir;

/** The gateway against a real Kafka broker. */
class GatewayServiceTest {
    private static final String ADMIN = "admin-token-for-the-tests";
    private static final String JSON = "application/json";
    private static final String PROTOBUF = "application/x-protobuf";
    /** A masked close frame with status 1000, as a client sends it. */
    private static final Buffer CLOSE_FRAME = Buffer.buffer(new byte[] {(byte) 0x88, (byte) 0x82, 0, 0, 0, 0, 0x03,
            (byte) 0xE8});
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

    private static JsonObject settings(String bootstrapServers) {
        return new JsonObject()
                .put("bootstrapServers", bootstrapServers)
                .put("httpHost", "127.0.0.1")
                .put("httpPort", 0)
                .put("maxBodyBytes", 256 * 1024)
                .put("partitions", 3)
                .put("replicationFactor", 1)
                .put("deliveryTimeoutMs", 2000)
                .put("adminToken", ADMIN);
    }

    private static GatewayConfig config(String bootstrapServers) {
        return GatewayConfig.fromJson(settings(bootstrapServers));
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
        vertx.close().await();
        kafka.close();
    }

    private static HttpResponse<Buffer> post(GatewayService target, String deviceId, String token, String contentType,
            Buffer body) {
        HttpRequest<Buffer> request = client.post(target.httpPort(), "127.0.0.1", "/v1/devices/" + deviceId + "/ecg");
        if (token != null) {
            request.bearerTokenAuthentication(token);
        }
        if (contentType != null) {
            request.putHeader("Content-Type", contentType);
        }
        return request.sendBuffer(body).await();
    }

    private static HttpResponse<Buffer> admin(HttpRequest<Buffer> request, JsonObject body) {
        request.bearerTokenAuthentication(ADMIN);
        return body == null ? request.send().await() : request.sendJsonObject(body).await();
    }

    private static String provision(GatewayService target, String deviceId) {
        HttpResponse<Buffer> created = admin(client.post(target.httpPort(), "127.0.0.1", "/v1/devices"),
                new JsonObject().put("deviceId", deviceId));
        assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201);
        return created.bodyAsJsonObject().getString("token");
    }

    private static List<SampleChunk> chunks(String device, long seed, int seconds) {
        return SyntheticChunks.chunks(device, SyntheticChunks.record(250, seed, new Segment(seconds, 70)), 1.0);
    }

    private static List<SampleChunk> written(String device, int atLeast) {
        return kafka.read(Topics.SAMPLES, ProtobufSerde.sampleChunks().deserializer(), atLeast,
                        Duration.ofSeconds(5)).stream()
                .filter(r -> r.key().equals(device))
                .map(ConsumerRecord::value)
                .toList();
    }

    /** What opens {@code device}'s stream on {@code target} with {@code token}. */
    private static WebSocketConnectOptions streamOf(GatewayService target, String device, String token) {
        return new WebSocketConnectOptions().setHost("127.0.0.1").setPort(target.httpPort())
                .setURI("/v1/devices/" + device + "/stream").addHeader("Authorization", "Bearer " + token);
    }

    /** A gateway whose Kafka is gone after {@code device} was provisioned on it, and the device's token. */
    private record KafkaGone(GatewayService gateway, String token) {
    }

    private static KafkaGone gatewayWhoseKafkaIsGone(String device) {
        TestKafka doomed = TestKafka.start();
        GatewayService orphan = GatewayService.start(vertx, config(doomed.bootstrapServers())).await();
        String token = provision(orphan, device);
        doomed.close();
        return new KafkaGone(orphan, token);
    }

    /** The device's chunks in Kafka, read until there are {@code count} of them (30 s at most). */
    private static List<SampleChunk> writtenAwaiting(String device, int count) {
        long deadline = System.currentTimeMillis() + 30_000;
        List<SampleChunk> stored = written(device, count);
        while (stored.size() < count && System.currentTimeMillis() < deadline) {
            stored = written(device, count);
        }
        return stored;
    }

    @Test
    void acceptedChunksArriveInKafkaInOrderKeyedByDeviceWhateverTheEncoding() {
        String device = "ordered-1";
        String token = provision(gateway, device);
        long before = System.currentTimeMillis();
        List<SampleChunk> chunks = chunks(device, 1, 6);
        for (SampleChunk chunk : chunks) {
            boolean binary = chunk.getSeq() % 2 == 1;
            HttpResponse<Buffer> response = post(gateway, device, token, binary ? PROTOBUF : JSON, binary
                    ? Buffer.buffer(chunk.toByteArray()) : SyntheticChunks.json(chunk).toBuffer());
            assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(202);
            assertThat(response.bodyAsJsonObject().getLong("seq")).isEqualTo(chunk.getSeq());
            assertThat(response.bodyAsJsonObject().getLong("offset")).isNotNull();
        }

        List<ConsumerRecord<String, SampleChunk>> written = kafka.read(Topics.SAMPLES,
                ProtobufSerde.sampleChunks().deserializer(), 100, Duration.ofSeconds(5)).stream()
                .filter(r -> r.key().equals(device))
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
    void everyBadInputGetsItsDocumentedStatusAndNothingOfItReachesKafka() {
        String device = "rejected-1";
        String token = provision(gateway, device);
        String otherToken = provision(gateway, "rejected-other");
        SampleChunk good = chunks(device, 2, 1).get(0);
        String goodJson = SyntheticChunks.json(good).encode();
        record Bad(String name, String device, String token, String contentType, String body, int status,
                String error) {
        }
        String oversized = "{\"seq\":1,\"t0\":1767225600000,\"fs\":250,\"samples\":[0" + ",1".repeat(200_000) + "]}";
        List<Bad> bad = List.of(
                new Bad("malformed JSON", device, token, JSON, "{\"seq\": 1", 400, "malformed_json"),
                new Bad("wrong type", device, token, JSON, goodJson.replace("\"seq\":0", "\"seq\":\"zero\""), 400,
                        "invalid_chunk"),
                new Bad("NaN", device, token, JSON, goodJson.replaceFirst("\\[(-?\\d+)", "[NaN"), 400,
                        "malformed_json"),
                new Bad("seq beyond a long", device, token, JSON,
                        goodJson.replace("\"seq\":0", "\"seq\":99999999999999999999999"), 400, "invalid_chunk"),
                new Bad("misspelt field", device, token, JSON, goodJson.replace("\"gain\":", "\"gian\":"), 400,
                        "invalid_chunk"),
                new Bad("another device in the body", device, token, JSON,
                        goodJson.replace("{", "{\"deviceId\":\"rejected-other\","), 403, "wrong_device"),
                new Bad("sample not an integer", device, token, JSON, goodJson.replaceFirst("\\[(-?\\d+)", "[1.5"),
                        400, "invalid_chunk"),
                new Bad("rate out of range", device, token, JSON, goodJson.replace("\"fs\":250.0", "\"fs\":10"), 400,
                        "invalid_chunk"),
                new Bad("rate beyond any number", device, token, JSON,
                        goodJson.replace("\"fs\":250.0", "\"fs\":1e9999999999"), 400, "invalid_chunk"),
                new Bad("clock in the future", device, token, JSON, goodJson.replace("\"t0\":1767225600000",
                        "\"t0\":" + (System.currentTimeMillis() + 3_600_000)), 400, "invalid_chunk"),
                new Bad("too long", device, token, JSON, oversized, 413, "payload_too_large"),
                new Bad("not JSON nor Protobuf", device, token, "text/plain", "1,2,3", 415, "unsupported_media_type"),
                new Bad("not Protobuf", device, token, PROTOBUF, "{}", 400, "malformed_protobuf"),
                new Bad("no token", device, null, JSON, goodJson, 401, "missing_token"),
                new Bad("wrong token", device, "amd_not-a-token", JSON, goodJson, 401, "invalid_token"),
                new Bad("another device's token", device, otherToken, JSON, goodJson, 403, "wrong_device"),
                new Bad("unknown device", "never-provisioned", token, JSON, goodJson, 403, "wrong_device"),
                new Bad("invalid device id", "bad%20device", token, JSON, goodJson, 400, "invalid_device_id"));
        for (Bad request : bad) {
            HttpResponse<Buffer> response = post(gateway, request.device(), request.token(), request.contentType(),
                    Buffer.buffer(request.body()));
            assertThat(response.statusCode()).as(request.name() + ": " + response.bodyAsString())
                    .isEqualTo(request.status());
            JsonObject error = response.bodyAsJsonObject();
            assertThat(error.getString("error")).as(request.name()).isEqualTo(request.error());
            assertThat(error.getString("detail")).as(request.name()).isNotBlank();
            if (request.status() == 401) {
                assertThat(response.getHeader("WWW-Authenticate")).isEqualTo("Bearer");
            }
        }

        HttpResponse<Buffer> compressed = client.post(gateway.httpPort(), "127.0.0.1", "/v1/devices/" + device + "/ecg")
                .bearerTokenAuthentication(token).putHeader("Content-Type", JSON).putHeader("Content-Encoding", "gzip")
                .sendBuffer(Buffer.buffer(goodJson)).await();
        assertThat(compressed.statusCode()).as("not read as malformed JSON").isEqualTo(415);
        assertThat(compressed.bodyAsJsonObject().getString("field")).isEqualTo("Content-Encoding");
        // The headers alone decide these: refused before the body is buffered, so over the body
        // limit they are still told what is wrong with them, not only that they are too long.
        HttpResponse<Buffer> bigCompressed = client.post(gateway.httpPort(), "127.0.0.1",
                        "/v1/devices/" + device + "/ecg")
                .bearerTokenAuthentication(token).putHeader("Content-Type", JSON).putHeader("Content-Encoding", "gzip")
                .sendBuffer(Buffer.buffer(oversized)).await();
        assertThat(bigCompressed.statusCode()).isEqualTo(415);
        assertThat(bigCompressed.bodyAsJsonObject().getString("field")).isEqualTo("Content-Encoding");
        assertThat(post(gateway, device, token, "text/csv", Buffer.buffer(oversized)).statusCode()).isEqualTo(415);
        // The route takes no query parameter: a seq put there would be ignored.
        HttpResponse<Buffer> query = client.post(gateway.httpPort(), "127.0.0.1", "/v1/devices/" + device + "/ecg?seq=9")
                .bearerTokenAuthentication(token).putHeader("Content-Type", JSON).sendBuffer(Buffer.buffer(goodJson))
                .await();
        assertThat(query.statusCode()).isEqualTo(400);
        assertThat(query.bodyAsJsonObject().getString("error")).isEqualTo("invalid_query");
        assertThat(query.bodyAsJsonObject().getString("field")).isEqualTo("seq");
        HttpResponse<Buffer> streamQuery = client.get(gateway.httpPort(), "127.0.0.1",
                "/v1/devices/" + device + "/stream?access_token=x").bearerTokenAuthentication(token).send().await();
        assertThat(streamQuery.statusCode()).as("refused before the upgrade").isEqualTo(400);
        assertThat(streamQuery.bodyAsJsonObject().getString("field")).isEqualTo("access_token");

        // Seq: the first write is stored once however often it is replayed; a gap is accepted (the
        // processor raises a data-gap event for it); an older, never stored seq is a conflict.
        assertThat(post(gateway, device, token, JSON, Buffer.buffer(goodJson)).statusCode()).isEqualTo(202);
        HttpResponse<Buffer> replay = post(gateway, device, token, PROTOBUF, Buffer.buffer(good.toByteArray()));
        assertThat(replay.statusCode()).isEqualTo(200);
        assertThat(replay.bodyAsJsonObject().getBoolean("duplicate")).isTrue();
        SampleChunk afterGap = good.toBuilder().setSeq(5).setT0EpochMs(good.getT0EpochMs() + 5000).build();
        assertThat(post(gateway, device, token, PROTOBUF, Buffer.buffer(afterGap.toByteArray())).statusCode())
                .isEqualTo(202);
        SampleChunk late = good.toBuilder().setSeq(3).setT0EpochMs(good.getT0EpochMs() + 3000).build();
        HttpResponse<Buffer> conflict = post(gateway, device, token, PROTOBUF, Buffer.buffer(late.toByteArray()));
        assertThat(conflict.statusCode()).isEqualTo(409);
        assertThat(conflict.bodyAsJsonObject().getString("field")).isEqualTo("seq");

        assertThat(written(device, 2)).extracting(SampleChunk::getSeq).containsExactly(0L, 5L);
        String metrics = client.get(gateway.httpPort(), "127.0.0.1", "/metrics").send().await().bodyAsString();
        assertThat(metrics)
                .contains("ecg_ingest_chunks_rejected_total{reason=\"malformed_json\",service=\"gateway\"}")
                .contains("ecg_ingest_chunks_rejected_total{reason=\"wrong_device\",service=\"gateway\"}")
                .contains("ecg_ingest_chunks_rejected_total{reason=\"invalid_query\",service=\"gateway\"}")
                .containsPattern("ecg_ingest_chunks_duplicate_total\\{service=\"gateway\"} [1-9]")
                .containsPattern("ecg_ingest_seq_gaps_total\\{service=\"gateway\"} [1-9]");
    }

    @Test
    void aCounterThatRestartedGets409NotADuplicateThatDropsItsSamples() {
        String device = "restarted-1";
        String token = provision(gateway, device);
        List<SampleChunk> chunks = chunks(device, 8, 3);
        for (SampleChunk chunk : chunks) {
            assertThat(post(gateway, device, token, JSON, SyntheticChunks.json(chunk).toBuffer()).statusCode())
                    .isEqualTo(202);
        }
        List<SampleChunk> later = chunks(device, 9, 2);
        for (SampleChunk chunk : later) {
            SampleChunk restarted = chunk.toBuilder().setT0EpochMs(chunk.getT0EpochMs() + 10_000).build();
            HttpResponse<Buffer> response = post(gateway, device, token, JSON,
                    SyntheticChunks.json(restarted).toBuffer());
            assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(409);
            assertThat(response.bodyAsJsonObject().getString("detail")).contains("already sent with another t0");
        }
        // Its seq and t0 again with other samples: a device that numbered two chunks alike, whose
        // second chunk was answered as a duplicate and lost.
        SampleChunk other = chunks.get(1).toBuilder().setLeads(0, chunks.get(1).getLeads(0).toBuilder()
                .setSamples(0, chunks.get(1).getLeads(0).getSamples(0) + 1)).build();
        HttpResponse<Buffer> renumbered = post(gateway, device, token, JSON, SyntheticChunks.json(other).toBuffer());
        assertThat(renumbered.statusCode()).as(renumbered.bodyAsString()).isEqualTo(409);
        assertThat(renumbered.bodyAsJsonObject().getString("detail")).contains("or other samples");
        // A true retry is still acknowledged without a second write, in either encoding.
        HttpResponse<Buffer> retry = post(gateway, device, token, JSON, SyntheticChunks.json(chunks.get(0)).toBuffer());
        assertThat(retry.statusCode()).isEqualTo(200);
        HttpResponse<Buffer> retryProtobuf = post(gateway, device, token, PROTOBUF,
                Buffer.buffer(chunks.get(2).toBuilder().clearDeviceId().build().toByteArray()));
        assertThat(retryProtobuf.statusCode()).as(retryProtobuf.bodyAsString()).isEqualTo(200);
        assertThat(written(device, 3)).extracting(SampleChunk::getSeq).containsExactly(0L, 1L, 2L);
    }

    @Test
    void requestsRefusedBeforeDecodingAreJsonErrorsThatStateTheLimitAndAreCounted() {
        String device = "oversized-1";
        String token = provision(gateway, device);
        int port = gateway.httpPort();
        String body = "{\"seq\":1,\"t0\":1767225600000,\"fs\":250,\"samples\":[0" + ",1".repeat(200_000) + "]}";
        HttpResponse<Buffer> tooLarge = post(gateway, device, token, JSON, Buffer.buffer(body));
        assertThat(tooLarge.statusCode()).isEqualTo(413);
        assertThat(tooLarge.bodyAsJsonObject().getString("detail")).contains("limit of 262144 bytes");

        HttpResponse<Buffer> bigAdminBody = admin(client.post(port, "127.0.0.1", "/v1/devices"),
                new JsonObject().put("deviceId", device).put("padding", "a".repeat(5000)));
        assertThat(bigAdminBody.statusCode()).isEqualTo(413);
        assertThat(bigAdminBody.bodyAsJsonObject().getString("error")).isEqualTo("payload_too_large");
        assertThat(bigAdminBody.bodyAsJsonObject().getString("detail"))
                .isEqualTo("the request body is over the limit of 4096 bytes");

        HttpResponse<Buffer> longUrl = client.get(port, "127.0.0.1", "/v1/devices/" + "a".repeat(5000)).send().await();
        assertThat(longUrl.statusCode()).isEqualTo(414);
        assertThat(longUrl.bodyAsJsonObject().getString("detail")).contains("limit of 4096 bytes");

        HttpResponse<Buffer> bigHeaders = client.get(port, "127.0.0.1", "/health")
                .putHeader("X-Padding", "a".repeat(9000)).send().await();
        assertThat(bigHeaders.statusCode()).isEqualTo(431);
        assertThat(bigHeaders.bodyAsJsonObject().getString("detail")).contains("limit of 8192 bytes");

        HttpResponse<Buffer> badEscape = client.get(port, "127.0.0.1", "/v1/devices/a%zz/ecg").send().await();
        assertThat(badEscape.statusCode()).isEqualTo(400);
        assertThat(badEscape.bodyAsJsonObject().getString("error")).isEqualTo("invalid_path");

        String metrics = client.get(port, "127.0.0.1", "/metrics").send().await().bodyAsString();
        for (String reason : List.of("payload_too_large", "uri_too_long", "headers_too_large")) {
            assertThat(metrics)
                    .contains("ecg_ingest_chunks_rejected_total{reason=\"" + reason + "\",service=\"gateway\"}");
        }
    }

    @Test
    void provisioningIssuesATokenOnceReplacesAndRevokesIt() {
        String device = "provisioned-1";
        int port = gateway.httpPort();
        HttpResponse<Buffer> anonymous = client.post(port, "127.0.0.1", "/v1/devices")
                .sendJsonObject(new JsonObject().put("deviceId", device)).await();
        assertThat(anonymous.statusCode()).isEqualTo(401);
        HttpResponse<Buffer> badId = admin(client.post(port, "127.0.0.1", "/v1/devices"),
                new JsonObject().put("deviceId", "no spaces"));
        assertThat(badId.statusCode()).isEqualTo(400);
        // No body (Vert.x then has no buffer) is a missing id, not a 500; a misspelt field is named.
        HttpResponse<Buffer> noBody = admin(client.post(port, "127.0.0.1", "/v1/devices")
                .putHeader("Content-Type", "application/json"), null);
        assertThat(noBody.statusCode()).as(noBody.bodyAsString()).isEqualTo(400);
        assertThat(noBody.bodyAsJsonObject().getString("field")).isEqualTo("deviceId");
        HttpResponse<Buffer> misspelt = admin(client.post(port, "127.0.0.1", "/v1/devices"),
                new JsonObject().put("deviceID", device));
        assertThat(misspelt.statusCode()).isEqualTo(400);
        assertThat(misspelt.bodyAsJsonObject().getString("detail")).isEqualTo("unknown field 'deviceID'; known: [deviceId]");
        assertThat(admin(client.get(port, "127.0.0.1", "/v1/devices/" + device + "?verbose=1"), null).statusCode())
                .isEqualTo(400);
        // A body of another type is refused before it is read, not parsed as JSON regardless.
        HttpResponse<Buffer> plain = client.post(port, "127.0.0.1", "/v1/devices").bearerTokenAuthentication(ADMIN)
                .putHeader("Content-Type", "text/plain").sendBuffer(Buffer.buffer("{\"deviceId\": \"" + device + "\"}"))
                .await();
        assertThat(plain.statusCode()).as(plain.bodyAsString()).isEqualTo(415);
        assertThat(plain.bodyAsJsonObject().getString("error")).isEqualTo("unsupported_media_type");
        HttpResponse<Buffer> lookalike = client.post(port, "127.0.0.1", "/v1/devices").bearerTokenAuthentication(ADMIN)
                .putHeader("Content-Type", "application/jsonp").sendBuffer(Buffer.buffer("{}")).await();
        assertThat(lookalike.statusCode()).as(lookalike.bodyAsString()).isEqualTo(415);
        // Without a type the body is read as JSON, as a chunk's is.
        HttpResponse<Buffer> untyped = client.post(port, "127.0.0.1", "/v1/devices").bearerTokenAuthentication(ADMIN)
                .sendBuffer(Buffer.buffer("{\"deviceId\": \"untyped-1\"}")).await();
        assertThat(untyped.statusCode()).as(untyped.bodyAsString()).isEqualTo(201);

        String first = provision(gateway, device);
        assertThat(first).startsWith("amd_").hasSizeGreaterThan(40);
        HttpResponse<Buffer> again = admin(client.post(port, "127.0.0.1", "/v1/devices"),
                new JsonObject().put("deviceId", device));
        assertThat(again.statusCode()).isEqualTo(409);
        JsonObject described = admin(client.get(port, "127.0.0.1", "/v1/devices/" + device), null).bodyAsJsonObject();
        assertThat(described.getBoolean("revoked")).isFalse();
        assertThat(described.encode()).doesNotContain(first);

        SampleChunk chunk = chunks(device, 4, 1).get(0);
        Buffer body = Buffer.buffer(chunk.toByteArray());
        assertThat(post(gateway, device, first, PROTOBUF, body).statusCode()).isEqualTo(202);

        // A reissue takes nothing: what is sent is refused, not dropped, and the old token stays.
        HttpResponse<Buffer> withFields = admin(client.post(port, "127.0.0.1", "/v1/devices/" + device + "/token"),
                new JsonObject().put("deviceId", "another"));
        assertThat(withFields.statusCode()).as(withFields.bodyAsString()).isEqualTo(400);
        assertThat(withFields.bodyAsJsonObject().getString("detail"))
                .isEqualTo("this request takes no fields, got 'deviceId'");
        HttpResponse<Buffer> form = client.post(port, "127.0.0.1", "/v1/devices/" + device + "/token")
                .bearerTokenAuthentication(ADMIN)
                .sendMultipartForm(io.vertx.ext.web.multipart.MultipartForm.create().attribute("deviceId", "another"))
                .await();
        assertThat(form.statusCode()).as(form.bodyAsString()).isEqualTo(400);
        assertThat(form.bodyAsJsonObject().getString("field")).isEqualTo("deviceId");
        // A file part alone: the body handler drops it (uploads off), so the form is refused as such.
        HttpResponse<Buffer> file = client.post(port, "127.0.0.1", "/v1/devices/" + device + "/token")
                .bearerTokenAuthentication(ADMIN).sendMultipartForm(io.vertx.ext.web.multipart.MultipartForm.create()
                        .binaryFileUpload("file", "token.txt", Buffer.buffer("x"), "text/plain"))
                .await();
        assertThat(file.statusCode()).as(file.bodyAsString()).isEqualTo(400);
        assertThat(post(gateway, device, first, PROTOBUF, body).statusCode()).isEqualTo(200);
        HttpResponse<Buffer> reissued = admin(client.post(port, "127.0.0.1", "/v1/devices/" + device + "/token"),
                new JsonObject());
        assertThat(reissued.statusCode()).isEqualTo(200);
        String second = reissued.bodyAsJsonObject().getString("token");
        assertThat(post(gateway, device, first, PROTOBUF, body).statusCode()).isEqualTo(401);
        assertThat(post(gateway, device, second, PROTOBUF, body).statusCode()).isEqualTo(200);

        assertThat(admin(client.delete(port, "127.0.0.1", "/v1/devices/" + device), null).statusCode())
                .isEqualTo(204);
        HttpResponse<Buffer> revoked = post(gateway, device, second, PROTOBUF, body);
        assertThat(revoked.statusCode()).isEqualTo(401);
        assertThat(revoked.bodyAsJsonObject().getString("error")).isEqualTo("revoked_token");
        assertThat(admin(client.delete(port, "127.0.0.1", "/v1/devices/nobody"), null).statusCode()).isEqualTo(404);
    }

    @Test
    void creationsOfOneDeviceAtOnceGiveOneTokenAndItWorks() {
        String device = "raced-1";
        int port = gateway.httpPort();
        List<io.vertx.core.Future<HttpResponse<Buffer>>> racing = new java.util.ArrayList<>();
        for (int i = 0; i < 5; i++) {
            racing.add(client.post(port, "127.0.0.1", "/v1/devices").bearerTokenAuthentication(ADMIN)
                    .sendJsonObject(new JsonObject().put("deviceId", device)));
        }
        io.vertx.core.Future.join(racing).await();
        List<HttpResponse<Buffer>> answers = racing.stream().map(io.vertx.core.Future::result).toList();
        List<HttpResponse<Buffer>> created = answers.stream().filter(r -> r.statusCode() == 201).toList();
        assertThat(created).as("one creation wins").hasSize(1);
        assertThat(answers).filteredOn(r -> r.statusCode() != 201).allSatisfy(r -> {
            assertThat(r.statusCode()).isEqualTo(409);
            assertThat(r.bodyAsJsonObject().getString("error")).isIn("device_exists", "credential_change_in_progress");
        });
        String token = created.get(0).bodyAsJsonObject().getString("token");
        SampleChunk chunk = chunks(device, 4, 1).get(0);
        assertThat(post(gateway, device, token, PROTOBUF, Buffer.buffer(chunk.toByteArray())).statusCode())
                .as("the token it answered is the device's").isEqualTo(202);
    }

    @Test
    void aNewGatewayKnowsTheDevicesAnotherOneProvisioned() {
        String token = provision(gateway, "shared-1");
        GatewayService second = GatewayService.start(vertx, config(kafka.bootstrapServers())).await();
        try {
            SampleChunk chunk = chunks("shared-1", 5, 1).get(0);
            assertThat(post(second, "shared-1", token, PROTOBUF, Buffer.buffer(chunk.toByteArray())).statusCode())
                    .isEqualTo(202);
        } finally {
            second.close();
        }
    }

    @Test
    void aWebSocketStreamAnswersEveryChunkInOrderAndKeepsGoingAfterABadOne() throws Exception {
        String device = "streaming-1";
        String token = provision(gateway, device);
        WebSocketConnectOptions options = new WebSocketConnectOptions().setHost("127.0.0.1")
                .setPort(gateway.httpPort()).setURI("/v1/devices/" + device + "/stream");
        // Held until the end: Vert.x closes a client that is no longer reachable, and its sockets
        // with it (status 1000), whenever the garbage collector runs.
        WebSocketClient webSockets = vertx.createWebSocketClient();
        try {
            streamAndRevoke(webSockets, options, device, token);
        } finally {
            webSockets.close().await();
        }
    }

    @Test
    void aGatewayShuttingDownAnswersTheChunksItReadThenClosesTheStreamsGoingAway() throws Exception {
        String device = "at-shutdown-1";
        String token = provision(gateway, device);
        GatewayService stopping = GatewayService.start(vertx, config(kafka.bootstrapServers())).await();
        WebSocketClient webSockets = vertx.createWebSocketClient();
        try {
            WebSocket socket = webSockets.connect(streamOf(stopping, device, token)).await();
            LinkedBlockingDeque<JsonObject> answers = new LinkedBlockingDeque<>();
            CompletableFuture<String> closed = new CompletableFuture<>();
            socket.textMessageHandler(text -> answers.add(new JsonObject(text)));
            socket.closeHandler(v -> closed.complete(socket.closeStatusCode() + " " + socket.closeReason()));
            List<SampleChunk> chunks = chunks(device, 9, 40);
            List<Future<Void>> sent = new ArrayList<>();
            for (SampleChunk chunk : chunks) {
                sent.add(socket.writeBinaryMessage(Buffer.buffer(chunk.toByteArray())));
            }
            Future.all(sent).await();
            // Once it has read some (at once, it may have read none).
            JsonObject first = answers.poll(30, TimeUnit.SECONDS);
            assertThat(first).isNotNull();
            answers.addFirst(first);
            CompletableFuture.runAsync(stopping::close);
            // Before, a bare 1000 at once, and no chunk answered though some were stored.
            assertThat(closed.get(30, TimeUnit.SECONDS))
                    .isEqualTo("1001 the gateway is shutting down; send the chunks not answered again");
            List<JsonObject> answered = new ArrayList<>(answers);
            assertThat(answered).isNotEmpty().allSatisfy(a -> assertThat(a.getInteger("status")).isEqualTo(202));
            assertThat(answered).extracting(a -> a.getLong("seq"))
                    .containsExactlyElementsOf(chunks.subList(0, answered.size()).stream().map(SampleChunk::getSeq).toList());
            assertThat(writtenAwaiting(device, answered.size())).extracting(SampleChunk::getSeq)
                    .containsAll(answered.stream().map(a -> a.getLong("seq")).toList());
        } finally {
            webSockets.close().await();
        }
    }

    @Test
    void aStreamOpeningWhileTheGatewayShutsDownIsRefusedNotCutOffLater() throws Exception {
        String device = "at-shutdown-2";
        KafkaGone gone = gatewayWhoseKafkaIsGone(device);
        GatewayService stopping = gone.gateway();
        String token = gone.token();
        WebSocketClient webSockets = vertx.createWebSocketClient();
        try {
            WebSocketConnectOptions options = streamOf(stopping, device, token);
            WebSocket waiting = webSockets.connect(options).await();
            // A chunk Kafka does not take: the shutdown waits for its answer, up to its grace.
            waiting.writeBinaryMessage(Buffer.buffer(chunks(device, 10, 1).get(0).toByteArray())).await();
            CompletableFuture<Void> closing = CompletableFuture.runAsync(stopping::close);
            Thread.sleep(500);
            // Taken meanwhile, it was left out of the streams told to go away, and cut off bare (1000).
            Throwable refused = webSockets.connect(options).transform(
                    result -> Future.succeededFuture(result.cause())).await();
            assertThat(refused).as("a stream opened during the shutdown").isNotNull().hasMessageContaining("503");
            closing.get(30, TimeUnit.SECONDS);
        } finally {
            webSockets.close().await();
        }
    }

    private void streamAndRevoke(WebSocketClient webSockets, WebSocketConnectOptions options, String device,
            String token) throws Exception {
        WebSocket socket = webSockets
                .connect(new WebSocketConnectOptions(options).addHeader("Authorization", "Bearer " + token)).await();
        LinkedBlockingQueue<JsonObject> answers = new LinkedBlockingQueue<>();
        socket.textMessageHandler(text -> answers.add(new JsonObject(text)));

        List<SampleChunk> chunks = chunks(device, 6, 8);
        for (SampleChunk chunk : chunks) {
            if (chunk.getSeq() == 3) {
                socket.writeTextMessage("{\"seq\": 3, \"broken\": ").await();
            }
            if (chunk.getSeq() % 2 == 0) {
                socket.writeTextMessage(SyntheticChunks.json(chunk).encode()).await();
            } else {
                socket.writeBinaryMessage(Buffer.buffer(chunk.toByteArray())).await();
            }
        }
        socket.writeBinaryMessage(Buffer.buffer(chunks.get(7).toByteArray())).await();

        for (SampleChunk chunk : chunks) {
            if (chunk.getSeq() == 3) {
                JsonObject bad = answers.poll(30, TimeUnit.SECONDS);
                assertThat(bad.getInteger("status")).isEqualTo(400);
                assertThat(bad.getString("error")).isEqualTo("malformed_json");
            }
            JsonObject answer = answers.poll(30, TimeUnit.SECONDS);
            assertThat(answer).as("answer to seq " + chunk.getSeq()).isNotNull();
            assertThat(answer.getLong("seq")).isEqualTo(chunk.getSeq());
            assertThat(answer.getInteger("status")).isEqualTo(202);
        }
        JsonObject replay = answers.poll(30, TimeUnit.SECONDS);
        assertThat(replay.getInteger("status")).isEqualTo(200);
        assertThat(replay.getBoolean("duplicate")).isTrue();

        // Revoking the device ends its open stream: the next chunk is refused and the socket closed.
        CompletableFuture<Short> closed = new CompletableFuture<>();
        socket.closeHandler(v -> closed.complete(socket.closeStatusCode()));
        assertThat(admin(client.delete(gateway.httpPort(), "127.0.0.1", "/v1/devices/" + device), null).statusCode())
                .isEqualTo(204);
        SampleChunk next = chunks.get(7).toBuilder().setSeq(8).setT0EpochMs(chunks.get(7).getT0EpochMs() + 1000)
                .build();
        socket.writeBinaryMessage(Buffer.buffer(next.toByteArray())).await();
        JsonObject revoked = answers.poll(30, TimeUnit.SECONDS);
        assertThat(revoked.getInteger("status")).isEqualTo(401);
        assertThat(revoked.getString("error")).isEqualTo("revoked_token");
        assertThat(revoked.getLong("seq")).isEqualTo(8);
        assertThat(closed.get(10, TimeUnit.SECONDS)).isEqualTo((short) 1008);

        assertThat(written(device, chunks.size())).extracting(c -> c.toBuilder().clearReceivedAtMs().build())
                .containsExactlyElementsOf(chunks);

        Throwable refused = webSockets.connect(options).transform(
                result -> Future.succeededFuture(result.cause())).await();
        assertThat(refused).as("a stream without a token is refused").isNotNull().hasMessageContaining("401");
    }

    @Test
    void aWebSocketAnswerRefusingTheTokenNamesTheSeqOfTheChunkItRefusesInEitherEncoding() throws Exception {
        String device = "streaming-3";
        String first = provision(gateway, device);
        WebSocketClient webSockets = vertx.createWebSocketClient();
        try {
            WebSocketConnectOptions options = new WebSocketConnectOptions().setHost("127.0.0.1")
                    .setPort(gateway.httpPort()).setURI("/v1/devices/" + device + "/stream");
            WebSocket replaced = webSockets.connect(new WebSocketConnectOptions(options)
                    .addHeader("Authorization", "Bearer " + first)).await();
            HttpResponse<Buffer> reissued = admin(client.post(gateway.httpPort(), "127.0.0.1",
                    "/v1/devices/" + device + "/token"), null);
            String second = reissued.bodyAsJsonObject().getString("token");
            WebSocket revoked = webSockets.connect(new WebSocketConnectOptions(options)
                    .addHeader("Authorization", "Bearer " + second)).await();
            List<SampleChunk> chunks = chunks(device, 7, 2);

            // The socket opened with the replaced token: a JSON chunk.
            JsonObject invalid = refusal(replaced, () -> replaced.writeTextMessage(
                    SyntheticChunks.json(chunks.get(0)).encode()));
            assertThat(invalid.getString("error")).isEqualTo("invalid_token");
            assertThat(invalid.getLong("seq")).isEqualTo(0);

            // The socket of the current token, then revoked: a Protobuf chunk.
            assertThat(admin(client.delete(gateway.httpPort(), "127.0.0.1", "/v1/devices/" + device), null)
                    .statusCode()).isEqualTo(204);
            JsonObject revokedAnswer = refusal(revoked, () -> revoked.writeBinaryMessage(
                    Buffer.buffer(chunks.get(1).toByteArray())));
            assertThat(revokedAnswer.getString("error")).isEqualTo("revoked_token");
            assertThat(revokedAnswer.getLong("seq")).isEqualTo(1);
        } finally {
            webSockets.close().await();
        }
    }

    /** Sends one chunk on a socket whose token no longer holds: its 401 answer, once the socket closed with 1008. */
    private static JsonObject refusal(WebSocket socket, Supplier<Future<Void>> send)
            throws Exception {
        LinkedBlockingQueue<JsonObject> answers = new LinkedBlockingQueue<>();
        socket.textMessageHandler(text -> answers.add(new JsonObject(text)));
        CompletableFuture<Short> closed = new CompletableFuture<>();
        socket.closeHandler(v -> closed.complete(socket.closeStatusCode()));
        send.get().await();
        JsonObject answer = answers.poll(30, TimeUnit.SECONDS);
        assertThat(answer).isNotNull();
        assertThat(answer.getInteger("status")).isEqualTo(401);
        assertThat(closed.get(10, TimeUnit.SECONDS)).isEqualTo((short) 1008);
        return answer;
    }

    @Test
    void theOpenWebSocketGaugeFallsBackToZeroHoweverTheSocketsEndEvenClosedInTheUpgradeRequest() throws Exception {
        // A gateway of its own, so that no other test's socket is counted.
        GatewayService counted = GatewayService.start(vertx, config(kafka.bootstrapServers())).await();
        WebSocketClient webSockets = vertx.createWebSocketClient();
        NetClient tcp = vertx.createNetClient();
        try {
            String device = "counted-1";
            String token = provision(counted, device);
            WebSocketConnectOptions options = streamOf(counted, device, token);
            List<WebSocket> open = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                open.add(webSockets.connect(options).await());
            }
            awaitOpenWebSockets(counted, 3);
            for (WebSocket socket : open) {
                socket.close().await();
            }
            for (int i = 0; i < 20; i++) {
                webSockets.connect(options).compose(WebSocket::close).await();
                // The tightest race a device can make: its close frame comes in the same write as the
                // upgrade request. The gateway counts the socket and registers the count-down in the
                // event-loop turn of the upgrade, before it reads that frame; counting after an
                // asynchronous step (a deferred token check) would find the socket closed, Vert.x
                // would refuse the close handler, and the gauge would never come down.
                assertThat(upgradeRaw(tcp, counted, device, token, CLOSE_FRAME)).startsWith("HTTP/1.1 101");
                // A connection dropped without a close frame.
                assertThat(upgradeRaw(tcp, counted, device, token, Buffer.buffer())).startsWith("HTTP/1.1 101");
            }
            awaitOpenWebSockets(counted, 0);
        } finally {
            tcp.close().await();
            webSockets.close().await();
            counted.close();
        }
    }

    /**
     * Opens the device's stream over a bare connection, writing {@code sentWithIt} in the same
     * write as the upgrade request, and drops the connection once the gateway answered: that answer.
     */
    private static String upgradeRaw(NetClient tcp, GatewayService target, String device, String token,
            Buffer sentWithIt) {
        NetSocket socket = tcp.connect(target.httpPort(), "127.0.0.1").await();
        Promise<String> answer = Promise.promise();
        socket.handler(data -> answer.tryComplete(data.toString(StandardCharsets.ISO_8859_1)));
        socket.closeHandler(v -> answer.tryFail("the gateway closed the connection without an answer"));
        String upgrade = "GET /v1/devices/" + device + "/stream HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nAuthorization: Bearer " + token + "\r\n\r\n";
        socket.write(Buffer.buffer(upgrade).appendBuffer(sentWithIt)).await();
        String status = answer.future().await();
        socket.close().await();
        return status;
    }

    @Test
    void theStreamOffersNoCompressionAndSaysWhyItRefusesWhatBreaksTheProtocol() throws Exception {
        GatewayService quick = GatewayService.start(vertx, GatewayConfig.fromJson(settings(kafka.bootstrapServers())
                .put("idleTimeoutSeconds", 1))).await();
        NetClient tcp = vertx.createNetClient();
        try {
            String device = "protocol-1";
            String token = provision(quick, device);
            // Compression asked for, not granted: the size limits count the bytes on the wire, and a
            // small deflated frame inflates to gigabytes.
            String granted = raw(tcp, quick, device, token, "Sec-WebSocket-Extensions: permessage-deflate\r\n",
                    Buffer.buffer(), answer -> answer.contains("\r\n\r\n")).toString(StandardCharsets.ISO_8859_1);
            assertThat(granted).startsWith("HTTP/1.1 101").doesNotContainIgnoringCase("permessage-deflate");

            // A text message that is not UTF-8 (a masked frame with a zero key: the payload as is).
            Buffer badText = Buffer.buffer(new byte[] {(byte) 0x81, (byte) 0x83, 0, 0, 0, 0, '{', (byte) 0xFF, '}'});
            String answered = raw(tcp, quick, device, token, "", badText, answer -> answer.contains("\"status\""))
                    .toString(StandardCharsets.ISO_8859_1);
            assertThat(answered).contains("\"status\":400").contains("\"error\":\"malformed_json\"")
                    .contains("not valid UTF-8");

            // An unmasked frame from a client: closed with the protocol's code (1002) and the reason.
            Buffer unmasked = Buffer.buffer(new byte[] {(byte) 0x81, 0x02, 'h', 'i'});
            Buffer closed = raw(tcp, quick, device, token, "", unmasked, answer -> false);
            String text = closed.toString(StandardCharsets.ISO_8859_1);
            int frame = text.indexOf("\r\n\r\n") + 4;
            assertThat(closed.getByte(frame)).isEqualTo((byte) 0x88);
            assertThat(closed.getUnsignedShort(frame + 2)).isEqualTo(1002);
            assertThat(text.substring(frame + 4)).startsWith("WebSocket protocol error: ");

            // Not a WebSocket handshake: JSON, counted, as every other refusal.
            HttpResponse<Buffer> plain = client.get(quick.httpPort(), "127.0.0.1", "/v1/devices/" + device + "/stream")
                    .bearerTokenAuthentication(token).send().await();
            assertThat(plain.statusCode()).isEqualTo(400);
            assertThat(plain.bodyAsJsonObject().getString("error")).isEqualTo("websocket_upgrade_required");
            assertThat(plain.bodyAsJsonObject().getString("detail")).startsWith("the request has no 'Upgrade: websocket'");
            String metrics = client.get(quick.httpPort(), "127.0.0.1", "/metrics").send().await().bodyAsString();
            assertThat(metrics).contains("ecg_ingest_chunks_rejected_total{reason=\"websocket_protocol_error\",service="
                    + "\"gateway\"} 1.0").contains("ecg_ingest_chunks_rejected_total{reason=\"websocket_upgrade_required\","
                    + "service=\"gateway\"} 1.0");

            // A connection that never sends a request is closed once idle, not held for nobody.
            NetSocket idle = tcp.connect(quick.httpPort(), "127.0.0.1").await();
            CompletableFuture<Void> gone = new CompletableFuture<>();
            idle.closeHandler(v -> gone.complete(null));
            gone.get(10, TimeUnit.SECONDS);
        } finally {
            tcp.close().await();
            quick.close();
        }
    }

    @Test
    void anIdleStreamIsClosedWithItsReasonAndPingsKeepItOpen() throws Exception {
        GatewayService quick = GatewayService.start(vertx, GatewayConfig.fromJson(settings(kafka.bootstrapServers())
                .put("idleTimeoutSeconds", 1))).await();
        WebSocketClient webSockets = vertx.createWebSocketClient();
        try {
            String device = "idle-1";
            String token = provision(quick, device);
            WebSocket pinging = webSockets.connect(streamOf(quick, device, token)).await();
            CompletableFuture<String> closed = new CompletableFuture<>();
            pinging.closeHandler(v -> closed.complete(pinging.closeStatusCode() + " " + pinging.closeReason()));
            long pings = vertx.setPeriodic(300, id -> pinging.writePing(Buffer.buffer("still here")));
            Thread.sleep(2500);
            assertThat(closed).as("pinged every 0.3 s, with an idle timeout of 1 s").isNotDone();
            vertx.cancelTimer(pings);
            // Before, the server's idle timeout dropped the connection with no close frame (1006 here).
            assertThat(closed.get(10, TimeUnit.SECONDS)).isEqualTo("1001 idle: no chunk, ping or answer for the "
                    + "gateway's idle timeout of 1 s; connect again to send more");
        } finally {
            webSockets.close().await();
            quick.close();
        }
    }

    /**
     * Opens the device's stream over a bare connection with {@code extraHeaders}, writes {@code frames}
     * once the gateway answered the upgrade, and returns what the gateway sent once {@code enough}
     * holds of it or the gateway closed the connection.
     */
    private static Buffer raw(NetClient tcp, GatewayService target, String device, String token, String extraHeaders,
            Buffer frames, Predicate<String> enough) throws Exception {
        NetSocket socket = tcp.connect(target.httpPort(), "127.0.0.1").await();
        Buffer received = Buffer.buffer();
        CompletableFuture<Buffer> done = new CompletableFuture<>();
        boolean[] upgraded = {false};
        socket.handler(data -> {
            synchronized (received) {
                received.appendBuffer(data);
                String text = received.toString(StandardCharsets.ISO_8859_1);
                if (!upgraded[0] && text.contains("\r\n\r\n")) {
                    upgraded[0] = true;
                    if (frames.length() > 0) {
                        socket.write(frames);
                    }
                }
                if (enough.test(text)) {
                    done.complete(received.copy());
                }
            }
        });
        socket.closeHandler(v -> {
            synchronized (received) {
                done.complete(received.copy());
            }
        });
        String upgrade = "GET /v1/devices/" + device + "/stream HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nAuthorization: Bearer " + token + "\r\n"
                + extraHeaders + "\r\n";
        socket.write(Buffer.buffer(upgrade)).await();
        Buffer answer = done.get(10, TimeUnit.SECONDS);
        socket.close().await();
        return answer;
    }

    /** Waits until the gauge of open WebSockets shows {@code expected}: sockets end on the gateway's own time. */
    private static void awaitOpenWebSockets(GatewayService target, int expected) throws InterruptedException {
        String gauge = "ecg_ingest_websockets{service=\"gateway\"} " + expected + ".0";
        String metrics = "";
        for (int i = 0; i < 100; i++) {
            metrics = client.get(target.httpPort(), "127.0.0.1", "/metrics").send().await().bodyAsString();
            if (metrics.lines().anyMatch(gauge::equals)) {
                return;
            }
            Thread.sleep(50);
        }
        assertThat(metrics.lines().filter(line -> line.startsWith("ecg_ingest_websockets"))).containsExactly(gauge);
    }

    @Test
    void aWebSocketNamesTheSeqOfABadChunkAndClosesWith1009OnAMessageOverTheLimit() throws Exception {
        String device = "streaming-2";
        String token = provision(gateway, device);
        String tooBig = "{\"seq\": 6, \"t0\": 1767225600000, \"fs\": 250, \"samples\": [0" + ",1".repeat(150_000)
                + "]}";
        // One frame over the limit (refused by Netty), and frames within it that add up to more (by Vert.x).
        for (int clientFrameBytes : new int[] {1 << 20, 64 * 1024}) {
            WebSocketClient webSockets = vertx.createWebSocketClient(
                    new WebSocketClientOptions().setMaxFrameSize(clientFrameBytes));
            try {
                WebSocket socket = webSockets.connect(streamOf(gateway, device, token)).await();
                LinkedBlockingQueue<JsonObject> answers = new LinkedBlockingQueue<>();
                socket.textMessageHandler(text -> answers.add(new JsonObject(text)));
                CompletableFuture<String> closed = new CompletableFuture<>();
                socket.closeHandler(v -> closed.complete(socket.closeStatusCode() + " " + socket.closeReason()));

                socket.writeTextMessage("{\"seq\": 5, \"t0\": 1767225600000, \"fs\": 50, \"samples\": [1]}").await();
                socket.writeTextMessage("{\"seq\": 4, \"broken\": ").await();
                JsonObject badRate = answers.poll(30, TimeUnit.SECONDS);
                assertThat(badRate.getLong("seq")).isEqualTo(5);
                assertThat(badRate.getString("field")).isEqualTo("fs");
                JsonObject malformed = answers.poll(30, TimeUnit.SECONDS);
                assertThat(malformed.getLong("seq")).isEqualTo(4);
                assertThat(malformed.getString("error")).isEqualTo("malformed_json");

                socket.writeTextMessage(tooBig);
                assertThat(closed.get(30, TimeUnit.SECONDS)).as("frames of " + clientFrameBytes + " bytes")
                        .isEqualTo("1009 message over the limit of 262144 bytes; send shorter chunks");
            } finally {
                webSockets.close().await();
            }
        }
        String metrics = client.get(gateway.httpPort(), "127.0.0.1", "/metrics").send().await().bodyAsString();
        assertThat(metrics)
                .contains("ecg_ingest_chunks_rejected_total{reason=\"payload_too_large\",service=\"gateway\"}");
    }

    @Test
    void aWebSocketClosedFor1009FirstAnswersTheChunksSentBeforeAMessageOverTheLimitInFrames() throws Exception {
        // Kafka gone, so the chunks before the message over the limit are still waiting for it (2 s)
        // when that message arrives. Frames within the limit that add up to more, refused by Vert.x:
        // one frame over the limit is refused by Netty, and Vert.x then drops the connection at once.
        String device = "orphan-2";
        KafkaGone gone = gatewayWhoseKafkaIsGone(device);
        GatewayService orphan = gone.gateway();
        String token = gone.token();
        // Its frames after the one over the limit would make a message of their own.
        String tooBig = "{\"seq\": 9, \"t0\": 1767225600000, \"fs\": 250, \"samples\": [0" + ",1".repeat(200_000)
                + "]}";
        WebSocketClient webSockets = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxFrameSize(64 * 1024));
        try {
            WebSocket socket = webSockets.connect(streamOf(orphan, device, token)).await();
            LinkedBlockingQueue<JsonObject> answers = new LinkedBlockingQueue<>();
            socket.textMessageHandler(text -> answers.add(new JsonObject(text)));
            CompletableFuture<String> closed = new CompletableFuture<>();
            socket.closeHandler(v -> closed.complete(socket.closeStatusCode() + " " + socket.closeReason()));

            List<SampleChunk> chunks = chunks(device, 8, 2);
            socket.writeTextMessage(SyntheticChunks.json(chunks.get(0)).encode()).await();
            socket.writeBinaryMessage(Buffer.buffer(chunks.get(1).toByteArray())).await();
            socket.writeTextMessage(tooBig);

            assertThat(closed.get(30, TimeUnit.SECONDS))
                    .isEqualTo("1009 message over the limit of 262144 bytes; send shorter chunks");
            assertThat(new ArrayList<>(answers))
                    .extracting(answer -> answer.getLong("seq") + " " + answer.getInteger("status") + " "
                            + answer.getString("error"))
                    .containsExactly("0 503 kafka_unavailable", "1 503 seq_not_stored");
        } finally {
            webSockets.close().await();
            orphan.close();
        }
    }

    @Test
    void healthSaysTheDeviceCredentialsMayBeStaleWhileKafkaIsUnreachableYetStaysUp() throws Exception {
        TestKafka flaky = TestKafka.start();
        GatewayService service = GatewayService.start(vertx, config(flaky.bootstrapServers()), Duration.ofSeconds(2))
                .await();
        try {
            flaky.stopBroker();
            JsonObject stale = awaitHealth(service, health -> health.getJsonObject("details")
                    .containsKey("deviceRegistrySilent"));
            // Ingest does not depend on it: a load balancer must not take every gateway out for it.
            assertThat(stale.getString("status")).isEqualTo("UP");
            assertThat(stale.getJsonObject("details").getString("deviceRegistrySilent")).contains("ecg.devices");

            flaky.restartBroker();
            awaitHealth(service, health -> !health.getJsonObject("details").containsKey("deviceRegistrySilent"));
        } finally {
            service.close();
            flaky.close();
        }
    }

    /** Asks {@code /health} until its body passes the check (within 30 s), and returns that body. */
    private static JsonObject awaitHealth(GatewayService service, Predicate<JsonObject> check)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            JsonObject health = client.get(service.httpPort(), "127.0.0.1", "/health").send().await()
                    .bodyAsJsonObject();
            if (check.test(health)) {
                return health;
            }
            assertThat(System.nanoTime()).as("within 30 s: %s", health.encode()).isLessThan(deadline);
            Thread.sleep(200);
        }
    }

    @Test
    void whenKafkaIsGoneTheDeviceGets503WithRetryAfterNever202() throws Exception {
        TestKafka doomed = TestKafka.start();
        GatewayService orphan = GatewayService.start(vertx, config(doomed.bootstrapServers())).await();
        try {
            String token = provision(orphan, "orphan-1");
            SampleChunk chunk = chunks("orphan-1", 3, 1).get(0);
            assertThat(post(orphan, "orphan-1", token, JSON, SyntheticChunks.json(chunk).toBuffer()).statusCode())
                    .isEqualTo(202);

            doomed.close();
            ch.qos.logback.classic.Logger root = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(
                    org.slf4j.Logger.ROOT_LOGGER_NAME);
            ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> logged =
                    new ch.qos.logback.core.read.ListAppender<>();
            logged.start();
            root.addAppender(logged);
            List<HttpResponse<Buffer>> responses = new ArrayList<>();
            try {
                List<Future<HttpResponse<Buffer>>> sent = new ArrayList<>();
                for (int seq = 1; seq <= 3; seq++) {
                    sent.add(client.post(orphan.httpPort(), "127.0.0.1", "/v1/devices/orphan-1/ecg")
                            .putHeader("Authorization", "Bearer " + token).putHeader("Content-Type", JSON)
                            .sendBuffer(SyntheticChunks.json(chunk.toBuilder().setSeq(seq).build()).toBuffer()));
                }
                for (Future<HttpResponse<Buffer>> f : sent) {
                    responses.add(f.await());
                }
            } finally {
                root.detachAppender(logged);
            }
            HttpResponse<Buffer> response = responses.get(0);
            assertThat(responses).extracting(HttpResponse::statusCode).containsOnly(503);
            assertThat(response.getHeader("Retry-After")).isEqualTo("1");
            assertThat(response.bodyAsJsonObject().getString("error")).isEqualTo("kafka_unavailable");
            assertThat(logged.list).as("one line a minute while Kafka refuses, not one per chunk")
                    .filteredOn(e -> e.getFormattedMessage().startsWith("Kafka did not take")).hasSize(1);
            HttpResponse<Buffer> health = client.get(orphan.httpPort(), "127.0.0.1", "/health").send().await();
            assertThat(health.statusCode()).isEqualTo(503);
        } finally {
            orphan.close();
        }
    }

    @Test
    void aChunkRefusedForARetryIsSentAgainBeforeTheChunksAfterIt() throws Exception {
        TestKafka doomed = TestKafka.start();
        // A cap that one large chunk fills, and a producer that gives up on a write after 2 s.
        GatewayService capped = GatewayService.start(vertx, GatewayConfig.fromJson(settings(doomed.bootstrapServers())
                .put("maxBodyBytes", 1024).put("maxInFlightBytes", 1024).put("deliveryTimeoutMs", 2000))).await();
        try {
            String hogToken = provision(capped, "hog-1");
            String token = provision(capped, "pipelined-1");
            doomed.close();
            // As large as the body limit allows, so that even a one-sample chunk does not fit beside it.
            SampleChunk.Builder large = chunks("hog-1", 9, 1).get(0).toBuilder();
            large.setLeads(0, large.getLeads(0).toBuilder().clearSamples());
            while (large.build().getSerializedSize() < 1000) {
                large.setLeads(0, large.getLeads(0).toBuilder().addSamples(1000));
            }
            SampleChunk seq0 = SampleChunk.newBuilder().setSeq(0).setT0EpochMs(SyntheticChunks.T0).setFsHz(250)
                    .addLeads(large.getLeads(0).toBuilder().clearSamples().addSamples(1)).build();
            SampleChunk seq1 = seq0.toBuilder().setSeq(1).setT0EpochMs(SyntheticChunks.T0 + 4).build();

            Future<HttpResponse<Buffer>> hog = client.post(capped.httpPort(), "127.0.0.1", "/v1/devices/hog-1/ecg")
                    .bearerTokenAuthentication(hogToken).putHeader("Content-Type", PROTOBUF)
                    .sendBuffer(Buffer.buffer(large.build().toByteArray()));
            awaitInFlight(capped);
            HttpResponse<Buffer> refused = post(capped, "pipelined-1", token, PROTOBUF,
                    Buffer.buffer(seq0.toByteArray()));
            assertThat(refused.bodyAsJsonObject().getString("error")).isEqualTo("overloaded");
            assertThat(hog.await().statusCode()).isEqualTo(503);

            // Seq 1 goes out while seq 0 waits for its retry, as a device streaming without waiting does.
            // Stored, it would leave seq 0 no place (the processor drops a chunk behind a later one):
            // it is told to let seq 0 go first.
            HttpResponse<Buffer> next = post(capped, "pipelined-1", token, PROTOBUF, Buffer.buffer(seq1.toByteArray()));
            assertThat(next.statusCode()).as(next.bodyAsString()).isEqualTo(503);
            assertThat(next.getHeader("Retry-After")).isEqualTo("1");
            assertThat(next.bodyAsJsonObject().getString("error")).isEqualTo("seq_not_stored");
            assertThat(next.bodyAsJsonObject().getString("detail")).startsWith("seq 0, sent before this chunk");
            // Seq 0 again is taken (Kafka is gone, so the producer gives up on it after 2 s), and
            // seq 1 may follow it while it is on its way.
            Future<HttpResponse<Buffer>> retry = client.post(capped.httpPort(), "127.0.0.1",
                            "/v1/devices/pipelined-1/ecg")
                    .bearerTokenAuthentication(token).putHeader("Content-Type", PROTOBUF)
                    .sendBuffer(Buffer.buffer(seq0.toByteArray()));
            awaitInFlight(capped);
            Future<HttpResponse<Buffer>> after = client.post(capped.httpPort(), "127.0.0.1",
                            "/v1/devices/pipelined-1/ecg")
                    .bearerTokenAuthentication(token).putHeader("Content-Type", PROTOBUF)
                    .sendBuffer(Buffer.buffer(seq1.toByteArray()));
            assertThat(retry.await().bodyAsJsonObject().getString("error")).isEqualTo("kafka_unavailable");
            // Seq 1 waits for seq 0 and is not written once seq 0 is not: had Kafka come back between
            // them, seq 1 alone would have been stored and seq 0's next retry refused for good.
            JsonObject afterAnswer = after.await().bodyAsJsonObject();
            assertThat(afterAnswer.getString("error")).as(afterAnswer.encode()).isEqualTo("seq_not_stored");
            assertThat(afterAnswer.getString("detail")).startsWith("seq 0, sent before this chunk, was not stored, so "
                    + "this one was not written either");
        } finally {
            capped.close();
        }
    }

    /** Waits until some chunk of the gateway is waiting for Kafka. */
    private static void awaitInFlight(GatewayService target) throws InterruptedException {
        for (int i = 0; i < 100; i++) {
            String metrics = client.get(target.httpPort(), "127.0.0.1", "/metrics").send().await().bodyAsString();
            if (!metrics.contains("ecg_ingest_inflight_bytes{service=\"gateway\"} 0.0")) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no chunk reached the producer");
    }

    @Test
    void whileKafkaCannotKeepUpTheGatewayRefusesMoreThanItsCapInsteadOfBuffering() throws Exception {
        TestKafka doomed = TestKafka.start();
        // A cap of about two one-second Protobuf chunks, and a producer that keeps retrying for 6 s.
        GatewayService capped = GatewayService.start(vertx, GatewayConfig.fromJson(settings(doomed.bootstrapServers())
                .put("maxBodyBytes", 1024).put("maxInFlightBytes", 1024).put("deliveryTimeoutMs", 6000))).await();
        WebClient parallel = WebClient.create(vertx, new WebClientOptions(), new PoolOptions().setHttp1MaxSize(30));
        try {
            List<String> tokens = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                tokens.add(provision(capped, "flood-" + i));
            }
            doomed.close();
            List<io.vertx.core.Future<HttpResponse<Buffer>>> answers = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                SampleChunk chunk = chunks("flood-" + i, 7, 1).get(0);
                answers.add(parallel.post(capped.httpPort(), "127.0.0.1", "/v1/devices/flood-" + i + "/ecg")
                        .bearerTokenAuthentication(tokens.get(i)).putHeader("Content-Type", PROTOBUF)
                        .sendBuffer(Buffer.buffer(chunk.toByteArray())));
            }
            List<String> errors = new ArrayList<>();
            for (var answer : answers) {
                HttpResponse<Buffer> response = answer.await();
                // Never a 2xx: Kafka has none of these chunks.
                assertThat(response.statusCode()).isEqualTo(503);
                assertThat(response.getHeader("Retry-After")).isEqualTo("1");
                errors.add(response.bodyAsJsonObject().getString("error"));
            }
            assertThat(errors).contains("overloaded", "kafka_unavailable");
            String metrics = client.get(capped.httpPort(), "127.0.0.1", "/metrics").send().await().bodyAsString();
            assertThat(metrics).contains("ecg_ingest_chunks_rejected_total{reason=\"overloaded\",service=\"gateway\"}")
                    .contains("ecg_ingest_inflight_bytes{service=\"gateway\"} 0.0");
        } finally {
            parallel.close();
            capped.close();
        }
    }

    @Test
    void tlsIsASwitch(@TempDir Path dir) throws Exception {
        Path keyStore = TestKeyStores.ecKeyStore(dir);
        GatewayService secure = GatewayService.start(vertx, GatewayConfig.fromJson(settings(kafka.bootstrapServers())
                .put("tls", new JsonObject().put("keyStorePath", keyStore.toString())
                        .put("keyStorePassword", "changeit")))).await();
        WebClient https = WebClient.create(vertx, new WebClientOptions().setSsl(true).setTrustAll(true)
                .setVerifyHost(false));
        try {
            HttpResponse<Buffer> health = https.get(secure.httpPort(), "127.0.0.1", "/health").send().await();
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(https.get(secure.httpPort(), "127.0.0.1", "/health").ssl(false).send()
                    .transform(r -> Future.succeededFuture(r.succeeded() ? r.result().statusCode() : -1))
                    .await()).as("plain HTTP on the TLS port").isNotEqualTo(200);
        } finally {
            https.close();
            secure.close();
        }
    }
}
