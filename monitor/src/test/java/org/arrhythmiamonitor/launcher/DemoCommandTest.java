package org.arrhythmiamonitor.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code bin/monitor demo} as a user runs it: embedded broker, curl example, restart on the same data. */
class DemoCommandTest {
    @TempDir
    Path dataDir;

    private Vertx vertx;
    private WebClient client;

    @BeforeEach
    void client() {
        vertx = Vertx.vertx();
        client = WebClient.create(vertx);
    }

    @AfterEach
    void close() {
        vertx.close().await();
    }

    private DemoCommand demo() throws IOException {
        // One webhook, so that its meters are there as an operator's would be (nothing is routed to it).
        Path alerting = dataDir.resolveSibling(dataDir.getFileName() + "-alerting.json");
        Files.writeString(alerting, new JsonObject().put("webhooks", new JsonArray().add(new JsonObject()
                .put("id", "pager").put("url", "http://127.0.0.1:9/").put("secret", "0123456789abcdef")
                .put("events", new JsonArray()))).encode());
        DemoCommand demo = new DemoCommand();
        new CommandLine(demo).parseArgs("--data-dir", dataDir.toString(), "--kafka-port", String.valueOf(freePort()),
                "--gateway-port", "0", "--alerting-port", "0", "--processor-port", "0", "--simulate", "0",
                "--alerting-config", alerting.toString(),
                // As an unset shell variable gives it: a new token, as without the flag (it was used
                // as given, and the banner said "Bearer ").
                "--admin-token", "");
        return demo;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private final java.util.Map<DemoCommand.Running, DashboardLogin> logins = new java.util.HashMap<>();

    private JsonArray alerts(DemoCommand.Running running) {
        return logins.computeIfAbsent(running, r -> DashboardLogin.login(client, "localhost", r.alertingPort(),
                "clinician", r.dashboardUsers().clinicianPassword())).alerts("");
    }

    @Test
    void theCurlExampleRaisesAnAlertAndItSurvivesARestart() throws Exception {
        DemoCommand first = demo();
        DemoCommand.Running running = first.start();
        String alertId;
        try {
            int status = client.post(running.gatewayPort(), "localhost", "/v1/devices/demo-001/ecg")
                    .bearerTokenAuthentication(running.exampleDeviceToken())
                    .putHeader("Content-Type", "application/json")
                    .sendBuffer(Buffer.buffer(Files.readString(EndToEndScenario.README_EXAMPLE)))
                    .await().statusCode();
            assertThat(status).isEqualTo(202);
            assertThat(running.adminToken()).hasSizeGreaterThanOrEqualTo(16);
            assertThat(client.post(running.gatewayPort(), "localhost", "/v1/devices")
                    .bearerTokenAuthentication(running.adminToken()).putHeader("Content-Type", "application/json")
                    .sendBuffer(Buffer.buffer("{\"deviceId\":\"ward-1\"}")).await().statusCode()).isEqualTo(201);

            long deadline = System.currentTimeMillis() + 30_000;
            while (alerts(running).isEmpty() && System.currentTimeMillis() < deadline) {
                Thread.sleep(100);
            }
            assertThat(alerts(running)).as("alert within 30 s").hasSize(1);
            alertId = alerts(running).getJsonObject(0).getString("alertId");
            // The id the README shows, to acknowledge it with: the onset's sample index, counted from
            // the chunk's device time in samples (t0 1767225600000 ms at 250 Hz), 534 samples in.
            assertThat(alertId).isEqualTo("demo-001:EXTREME_TACHYCARDIA:441806400534");
            // The example's device time is 2026-01-01, whenever it is posted: its strip is found
            // near the alert's arrival, as the dashboard asks for it.
            JsonObject alert = alerts(running).getJsonObject(0);
            long from = alert.getJsonObject("evidence").getLong("startTimeMs");
            Buffer strip = logins.get(running).get("/api/devices/demo-001/strip?from=" + from + "&to=" + (from + 10_000)
                    + "&arrivedNear=" + alert.getLong("raisedAtMs")).body();
            assertThat(new JsonObject(strip).getJsonArray("samples")).as(strip.toString()).isNotEmpty();
            // The processor names the model it serves, trained on the features it computes: no concern.
            JsonObject processorHealth = client.get(running.processorPort(), "localhost", "/health").send().await()
                    .bodyAsJsonObject().getJsonObject("details");
            assertThat(processorHealth.getString("model")).startsWith("beat-classifier:");
            assertThat(processorHealth.containsKey("modelConcern")).as(processorHealth.encode()).isFalse();
            // A misspelt parameter is refused as on the other services, not ignored.
            HttpResponse<Buffer> burdenQuery = client.get(running.processorPort(), "localhost",
                    "/api/devices/demo-001/burden?window=24h").send().await();
            assertThat(burdenQuery.statusCode()).isEqualTo(400);
            assertThat(burdenQuery.bodyAsJsonObject().getString("error")).isEqualTo("invalid_query");
            StringBuilder metrics = new StringBuilder();
            for (int port : new int[] {running.gatewayPort(), running.alertingPort(), running.processorPort()}) {
                assertThat(client.get(port, "localhost", "/health").send().await().statusCode()).isEqualTo(200);
                assertThat(client.head(port, "localhost", "/health").send().await().statusCode()).as("HEAD, as load "
                        + "balancers probe").isEqualTo(200);
                String scraped = client.get(port, "localhost", "/metrics").send().await().bodyAsString();
                assertThat(scraped).contains("jvm_memory_used_bytes").contains("ecg_health_up{");
                metrics.append(scraped);
            }
            // Every series the operators' alert rules watch is there before anything went wrong:
            // a rule on a misspelt or not yet created series never fires.
            assertThat(AlertRulesTest.seriesWatched()).isNotEmpty().allSatisfy(series ->
                    assertThat(series.in(metrics)).as(series + " in the /metrics of the three services").isTrue());
        } finally {
            first.stop();
        }

        DemoCommand second = demo();
        DemoCommand.Running again = second.start();
        try {
            long deadline = System.currentTimeMillis() + 30_000;
            while (alerts(again).isEmpty() && System.currentTimeMillis() < deadline) {
                Thread.sleep(100);
            }
            assertThat(alerts(again)).as("the alert is still there after a restart").singleElement()
                    .satisfies(a -> assertThat(((io.vertx.core.json.JsonObject) a).getString("alertId"))
                            .isEqualTo(alertId));
        } finally {
            second.stop();
        }
    }
}
