package org.arrhythmiamonitor.ops;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetSocket;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

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
        router.post("/limited").handler(BodyLimit.of(100)).handler(ctx -> ctx.response().end("ok"));
        router.post("/plain").handler(BodyHandler.create(false).setBodyLimit(100))
                .handler(ctx -> ctx.response().end("ok"));
        router.get("/boom").handler(ctx -> {
            throw new IllegalStateException("bug");
        });
        OpsRoutes.mount(router, registry, () -> up.get() ? Health.up(Map.of("x", 1)) : Health.down(Map.of("x", 2)));
        port = HttpEndpoint.listen(vertx, router, "127.0.0.1", 0, () -> { }).await().actualPort();
        client = WebClient.create(vertx);
    }

    @AfterEach
    void stop() {
        vertx.close().await();
    }

    private HttpResponse<Buffer> call(HttpMethod method, String path) {
        return client.request(method, port, "127.0.0.1", path).send().await();
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
    void aHeadRequestGetsTheHealthStatusCodeWithoutABody() {
        HttpResponse<Buffer> healthy = call(HttpMethod.HEAD, "/health");
        assertThat(healthy.statusCode()).isEqualTo(200);
        assertThat(healthy.body()).isNull();
        up.set(false);
        assertThat(call(HttpMethod.HEAD, "/health").statusCode()).isEqualTo(503);
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

    @Test
    void aBodyOverTheLimitIsA413InJsonThatStatesTheLimitOfItsRoute() {
        HttpResponse<Buffer> small = client.post(port, "127.0.0.1", "/limited").sendBuffer(Buffer.buffer("a".repeat(100)))
                .await();
        assertThat(small.statusCode()).isEqualTo(200);

        HttpResponse<Buffer> tooLarge = client.post(port, "127.0.0.1", "/limited")
                .sendBuffer(Buffer.buffer("a".repeat(101))).await();
        assertThat(tooLarge.statusCode()).isEqualTo(413);
        assertThat(tooLarge.getHeader("Content-Type")).isEqualTo("application/json");
        assertThat(tooLarge.bodyAsJsonObject().getString("error")).isEqualTo("payload_too_large");
        assertThat(tooLarge.bodyAsJsonObject().getString("detail"))
                .isEqualTo("the request body is over the limit of 100 bytes");

        HttpResponse<Buffer> unknownLimit = client.post(port, "127.0.0.1", "/plain")
                .sendBuffer(Buffer.buffer("a".repeat(101))).await();
        assertThat(unknownLimit.statusCode()).isEqualTo(413);
        assertThat(unknownLimit.bodyAsJsonObject().getString("detail")).as("a plain BodyHandler's limit is not known")
                .isEqualTo("the request body is over this route's limit");
    }

    @Test
    void aPathTheRouterCannotDecodeIsA400InJsonWithoutAnErrorLogged() {
        Logger root = (Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        logged.start();
        root.addAppender(logged);
        try {
            for (String path : new String[] {"/a%zz", "/health%", "/%"}) {
                HttpResponse<Buffer> response = call(HttpMethod.GET, path);
                assertThat(response.statusCode()).as(path).isEqualTo(400);
                assertThat(response.getHeader("Content-Type")).isEqualTo("application/json");
                assertThat(response.bodyAsJsonObject().getString("error")).isEqualTo("invalid_path");
            }
        } finally {
            root.detachAppender(logged);
        }
        assertThat(logged.list).as("anyone can send such a URL; it must not flood the log")
                .noneMatch(event -> event.getLevel().isGreaterOrEqual(Level.WARN));
    }

    @Test
    void routesMountedOnSeveralRoutersOfOneRegistryExportTheHealthOnceWithoutAWarning() throws InterruptedException {
        PrometheusMeterRegistry registry = ServiceMetrics.prometheus("loops");
        Logger root = (Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        logged.start();
        root.addAppender(logged);
        List<PrometheusMeterRegistry> registries = new ArrayList<>();
        try {
            // As a service serving from several event loops does: each loop's verticle mounts them
            // at once from its own thread (in turn, they never met and the warning was never seen).
            for (int round = 0; round < 20; round++) {
                PrometheusMeterRegistry shared = round == 0 ? registry : ServiceMetrics.prometheus("loops");
                registries.add(shared);
                CyclicBarrier together = new CyclicBarrier(4);
                List<Thread> loops = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    Thread loop = new Thread(() -> {
                        Router router = Router.router(vertx);
                        try {
                            together.await();
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                        OpsRoutes.mount(router, shared, () -> Health.up(Map.of()));
                    });
                    loop.start();
                    loops.add(loop);
                }
                for (Thread loop : loops) {
                    loop.join();
                }
            }
        } finally {
            root.detachAppender(logged);
        }
        assertThat(logged.list).noneMatch(event -> event.getLevel().isGreaterOrEqual(Level.WARN));
        for (PrometheusMeterRegistry r : registries) {
            assertThat(r.scrape().lines().filter(l -> l.startsWith("ecg_health_up"))).containsExactly(
                    "ecg_health_up{service=\"loops\"} 1.0");
        }
    }

    @Test
    void aClientThatLeavesMidBodyIsNoErrorInTheLog() throws Exception {
        Logger root = (Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        logged.start();
        root.addAppender(logged);
        try {
            NetSocket socket = vertx.createNetClient().connect(port, "127.0.0.1").await();
            socket.write("POST /limited HTTP/1.1\r\nHost: x\r\nContent-Length: 90\r\n\r\n" + "a".repeat(10)).await();
            Thread.sleep(200);
            socket.close().await();
            Thread.sleep(500);
        } finally {
            root.detachAppender(logged);
        }
        assertThat(logged.list).as("anyone can do this; it must not read as a bug")
                .noneMatch(event -> event.getLevel().isGreaterOrEqual(Level.WARN));
    }

    @Test
    void aRequestLineOrHeadersOverTheLimitsAreAnsweredInJsonWithTheLimit() {
        HttpResponse<Buffer> longUrl = call(HttpMethod.GET, "/health?" + "a".repeat(5000));
        assertThat(longUrl.statusCode()).isEqualTo(414);
        assertThat(longUrl.bodyAsJsonObject().getString("error")).isEqualTo("uri_too_long");
        assertThat(longUrl.bodyAsJsonObject().getString("detail")).contains("4096 bytes");

        HttpResponse<Buffer> bigHeaders = client.get(port, "127.0.0.1", "/health")
                .putHeader("X-Padding", "a".repeat(9000)).send().await();
        assertThat(bigHeaders.statusCode()).isEqualTo(431);
        assertThat(bigHeaders.bodyAsJsonObject().getString("error")).isEqualTo("headers_too_large");
        assertThat(bigHeaders.bodyAsJsonObject().getString("detail")).contains("8192 bytes");
    }
}
