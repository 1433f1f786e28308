package org.arrhythmiamonitor.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.arrhythmiamonitor.ingest.GatewayConfig;
import org.arrhythmiamonitor.ingest.GatewayService;
import org.arrhythmiamonitor.testing.TestKafka;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code monitor simulate} against real gateways: one that wants device tokens, one that does not. */
class SimulateCommandTest {
    private static TestKafka kafka;
    private static Vertx vertx;

    @BeforeAll
    static void start() {
        kafka = TestKafka.start();
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stop() {
        vertx.close().await();
        kafka.close();
    }

    private static GatewayService gateway(String auth) {
        return GatewayService.start(vertx, GatewayConfig.fromJson(new JsonObject()
                .put("bootstrapServers", kafka.bootstrapServers()).put("httpHost", "127.0.0.1").put("httpPort", 0)
                .put("partitions", 3).put("replicationFactor", 1).put("auth", auth))).await();
    }

    private record Outcome(int exitCode, String err) {
    }

    private static Outcome simulate(GatewayService gateway) {
        return simulate(gateway.httpPort());
    }

    private static Outcome simulate(int port) {
        StringWriter err = new StringWriter();
        CommandLine commandLine = Monitor.commandLine();
        commandLine.setErr(new PrintWriter(err, true));
        int code = commandLine.execute("simulate", "--gateway", "http://127.0.0.1:" + port,
                "--devices", "2", "--duration", "1");
        return new Outcome(code, err.toString());
    }

    @Test
    void aRunThatGotNothingThroughFails() throws Exception {
        int nobody;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            nobody = socket.getLocalPort();
        }
        Outcome outcome = simulate(nobody);
        assertThat(outcome.exitCode()).as(outcome.err()).isEqualTo(1);
        assertThat(outcome.err()).contains("accepted no chunk in");
    }

    @Test
    void withoutAnAdministratorTokenAGatewayThatWantsDeviceTokensStopsItAtOnce() {
        GatewayService gateway = gateway("token");
        try {
            Outcome outcome = simulate(gateway);
            assertThat(outcome.exitCode()).isEqualTo(1);
            assertThat(outcome.err()).contains("wants a token from every device").contains("--admin-token");
        } finally {
            gateway.close();
        }
    }

    @Test
    void withoutAnAdministratorTokenAGatewayWithoutAuthenticationIsSentTo() {
        GatewayService gateway = gateway("none");
        try {
            Outcome outcome = simulate(gateway);
            assertThat(outcome.exitCode()).as(outcome.err()).isZero();
        } finally {
            gateway.close();
        }
    }
}
