package org.arrhythmiamonitor.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.core.buffer.Buffer;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class OpsRoutesTest {
    private final AtomicBoolean up = new AtomicBoolean(true);
    private Vertx vertx;
    private WebClient client;
    private int port;

    @BeforeEach
    void startServer() {
        vertx = Vertx.vertx();
        PrometheusMeterRegistry registry = ServiceMetrics.prometheus("test");
        registry.counter("ecg.test.events", "kind", "a").increment(3);
        Router router = Router.router(vertx);
        router.post("/only-post").handler(ctx -> ctx.response().end("ok"));
        router.get("/boom").handler(ctx -> {
            throw new IllegalStateException("bug");
        });
        OpsRoutes.mount(router, registry, () -> up.get() ? Health.up(Map.of("x", 1)) : Health.down(Map.of("x", 2)));
        port = vertx.createHttpServer().requestHandler(router).listen(0).await().actualPort();
        client = WebClient.create(vertx);
    }

    @AfterEach
    void stop() {
        vertx.close().await();
    }

    private HttpResponse<Buffer> call(HttpMethod method, String path) {
        return client.request(method, port, "localhost", path).send().await();
    }

    @Test
    void healthSaysUpOrDownWithStatusCode() {
        HttpResponse<Buffer> healthy = call(HttpMethod.GET, "/health");
        assertThat(healthy.statusCode()).isEqualTo(200);
        assertThat(healthy.bodyAsJsonObject().getString("status")).isEqualTo("UP");

        up.set(false);
        HttpResponse<Buffer> sick = call(HttpMethod.GET, "/health");
        assertThat(sick.statusCode()).isEqualTo(503);
        assertThat(sick.bodyAsJsonObject().getJsonObject("details").getInteger("x")).isEqualTo(2);
    }

    @Test
    void metricsArePrometheusTextWithServiceTag() {
        HttpResponse<Buffer> metrics = call(HttpMethod.GET, "/metrics");
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.getHeader("Content-Type")).startsWith("text/plain");
        assertThat(metrics.bodyAsString())
                .contains("ecg_test_events_total{kind=\"a\",service=\"test\"} 3.0")
                .contains("jvm_memory_used_bytes");
    }

    @Test
    void unknownPathsWrongMethodsAndBugsAnswerJson() {
        HttpResponse<Buffer> missing = call(HttpMethod.GET, "/nowhere");
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.bodyAsJsonObject().getString("error")).isEqualTo("not_found");

        HttpResponse<Buffer> wrongMethod = call(HttpMethod.GET, "/only-post");
        assertThat(wrongMethod.statusCode()).isEqualTo(405);
        assertThat(wrongMethod.bodyAsJsonObject().getString("error")).isEqualTo("method_not_allowed");

        HttpResponse<Buffer> bug = call(HttpMethod.GET, "/boom");
        assertThat(bug.statusCode()).isEqualTo(500);
        JsonObject body = bug.bodyAsJsonObject();
        assertThat(body.getString("error")).isEqualTo("internal_error");
        assertThat(body.encode()).doesNotContain("IllegalStateException");
    }
}
