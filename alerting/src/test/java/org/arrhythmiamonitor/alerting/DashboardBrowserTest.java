package org.arrhythmiamonitor.alerting;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.arrhythmiamonitor.alerting.auth.Passwords;
import org.arrhythmiamonitor.synthetic.SyntheticEcg;
import org.arrhythmiamonitor.testing.SyntheticChunks;
import org.arrhythmiamonitor.testing.TestKafka;
import org.arrhythmiamonitor.wire.ProtobufSerde;
import org.arrhythmiamonitor.wire.Topics;
import org.arrhythmiamonitor.wire.v1.Alert;
import org.arrhythmiamonitor.wire.v1.Burden;
import org.arrhythmiamonitor.wire.v1.BurdenWindow;
import org.arrhythmiamonitor.wire.v1.Evidence;
import org.arrhythmiamonitor.wire.v1.Priority;
import org.arrhythmiamonitor.wire.v1.SampleChunk;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in a real browser, Debian's headless Chromium, against the alerting service and
 * a real Kafka broker: log in, see an alert arrive live, acknowledge and resolve it, open the
 * device view. Skips where Chromium or its driver is not installed.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DashboardBrowserTest {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final String PASSWORD = "sinus-rhythm-at-72";
    private static final Duration PATIENCE = Duration.ofSeconds(30);
    private static final Path SCREENSHOT = Path.of("target", "dashboard.png");

    private static TestKafka kafka;
    private static Vertx vertx;
    private static AlertingService service;
    private static Path profile;
    private static ChromeDriverService chromeDriver;
    private static WebDriver browser;
    private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static boolean browserInstalled() {
        return Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
    }

    @BeforeAll
    static void start() throws IOException {
        if (!browserInstalled()) {
            return; // every test skips, saying why
        }
        kafka = TestKafka.start();
        vertx = Vertx.vertx();
        service = AlertingService.start(vertx, AlertingConfig.fromJson(new JsonObject()
                .put("bootstrapServers", kafka.bootstrapServers())
                .put("httpHost", "127.0.0.1")
                .put("httpPort", 0)
                .put("partitions", 3)
                .put("replicationFactor", 1)
                .put("users", new JsonArray()
                        .add(new JsonObject()
                                .put("username", "nurse")
                                .put("passwordHash", Passwords.hash(PASSWORD))
                                .put("roles", new JsonArray().add("clinician")))
                        .add(new JsonObject()
                                .put("username", "admin")
                                .put("passwordHash", Passwords.hash(PASSWORD))
                                .put("roles", new JsonArray().add("admin")))))).await();

        profile = Files.createTempDirectory("dashboard-chromium-");
        // Both binaries are named, so Selenium Manager has nothing to look up or download.
        chromeDriver = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toString());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--window-size=1280,900", "--user-data-dir=" + profile);
        browser = new ChromeDriver(chromeDriver, options);
        browser.manage().window().setSize(new Dimension(1280, 900));
    }

    @BeforeEach
    void needsTheBrowser() {
        // .ci/run installs the browser and sets REQUIRE_BROWSER, so that CI cannot pass by skipping.
        if ("1".equals(System.getenv("REQUIRE_BROWSER"))) {
            assertThat(browserInstalled()).as("REQUIRE_BROWSER=1 but /usr/bin/chromium or /usr/bin/chromedriver "
                    + "is missing (apt-get install -y chromium chromium-driver)").isTrue();
        }
        assumeTrue(browserInstalled(), "install chromium and chromium-driver");
    }

    @AfterAll
    static void stop() throws IOException {
        if (browser != null) {
            browser.quit();
        }
        if (chromeDriver != null) {
            chromeDriver.stop();
        }
        if (service != null) {
            service.close();
        }
        if (vertx != null) {
            vertx.close().await();
        }
        if (kafka != null) {
            kafka.close();
        }
        if (profile != null) {
            try (Stream<Path> files = Files.walk(profile)) {
                files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
    }

    @Test
    @Order(1)
    void withoutASessionTheApiAnswers401() throws Exception {
        for (String path : List.of("/api/me", "/api/alerts", "/api/alerts/events", "/api/devices/bed-1/history")) {
            HttpResponse<String> response = send(HttpRequest.newBuilder(uri(path)).GET(), null);
            assertThat(response.statusCode()).as(path).isEqualTo(401);
            assertThat(new JsonObject(response.body()).getString("error")).as(path).isNotBlank();
        }
    }

    @Test
    @Order(2)
    void aWrongPasswordIsRefusedOnThePage() {
        openLoggedOut();
        logIn("nurse", "not-the-password");

        waitUntil(d -> d.findElement(By.id("login-error")).isDisplayed()
                && d.findElement(By.id("login-error")).getText().toLowerCase().contains("wrong user name or password"));
        assertThat(browser.findElement(By.id("dashboard-view")).isDisplayed()).isFalse();
    }

    @Test
    @Order(3)
    void tooManyFailedAttemptsAreRefusedOnThePage() throws Exception {
        for (int i = 0; i < 5; i++) {
            HttpResponse<String> response = send(HttpRequest.newBuilder(uri("/api/login"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(new JsonObject()
                            .put("username", "locum").put("password", "guess-" + i).encode())), null);
            assertThat(response.statusCode()).isEqualTo(401);
        }
        openLoggedOut();
        logIn("locum", "guess-5");

        waitUntil(d -> d.findElement(By.id("login-error")).getText().toLowerCase().contains("too many attempts"));
        assertThat(browser.findElement(By.id("dashboard-view")).isDisplayed()).isFalse();
    }

    @Test
    @Order(4)
    void anAlertArrivesLiveAndIsAcknowledgedAndResolvedOnThePage() throws Exception {
        openLoggedOut();
        logIn("nurse", PASSWORD);
        waitUntilLiveAndLoaded();
        js("window.notReloaded = true;");

        long onset = System.currentTimeMillis() - 20_000;
        Alert alert = Alert.newBuilder()
                .setAlertId("bed-7:EXTREME_TACHYCARDIA:" + onset)
                .setDeviceId("bed-7")
                .setType("EXTREME_TACHYCARDIA")
                .setPriority(Priority.HIGH)
                .setOnsetSample(onset / 4)
                .setOnsetTimeMs(onset)
                .setMessage("Heart rate 172 bpm for 24 beats")
                .setHeartRateBpm(172)
                .setBeatCount(24)
                .setEvidence(Evidence.newBuilder().setStartTimeMs(onset - 2_000).setEndTimeMs(onset + 10_000))
                .build();
        publish(Topics.ALERTS, ProtobufSerde.alerts().serializer(), List.of(alert));
        String row = row(alert.getAlertId());

        waitUntil(d -> !d.findElements(By.cssSelector(row)).isEmpty());
        assertThat(js("return window.notReloaded === true;")).as("the row came without a reload").isEqualTo(true);
        WebElement shown = browser.findElement(By.cssSelector(row));
        assertThat(shown.getAttribute("class")).contains("urgent");
        assertThat(shown.findElement(By.cssSelector(".alert-state")).getText()).isEqualTo("open");
        assertThat(shown.findElement(By.cssSelector(".badge")).getText()).isEqualToIgnoringCase("unacknowledged");
        assertThat(shown.getText()).contains("bed-7", "172 bpm", "24");

        assertThat(shown.findElement(By.cssSelector("button.ack")).getAttribute("aria-label"))
                .as("says which alert").isEqualTo("Acknowledge high Extreme tachycardia, bed-7");
        shown.findElement(By.cssSelector("button.ack")).click();
        waitUntil(d -> "acknowledged".equals(d.findElement(By.cssSelector(row + " .alert-state")).getText()));
        assertThat(browser.findElements(By.cssSelector(row + " button.ack"))).isEmpty();
        assertThat(js("return document.activeElement.dataset.alertId")).as("the focus stays on the alert's row")
                .isEqualTo(alert.getAlertId());

        String session = logInOverHttp();
        JsonObject acknowledged = getJson("/api/alerts/" + pathSegment(alert.getAlertId()), session);
        assertThat(acknowledged.getString("state")).isEqualTo("acknowledged");
        assertThat(acknowledged.getString("acknowledgedBy")).isEqualTo("nurse");
        assertThat(acknowledged.getJsonArray("history").stream().map(JsonObject.class::cast))
                .anySatisfy(entry -> {
                    assertThat(entry.getString("actor")).isEqualTo("nurse");
                    assertThat(entry.getString("to")).isEqualTo("acknowledged");
                });

        // No ECG and no burden were ever published for this device.
        browser.findElement(By.cssSelector(row + " td.device")).click();
        waitUntil(d -> d.findElement(By.id("device-view")).isDisplayed()
                && d.findElement(By.id("device-heading")).getText().contains("bed-7"));
        assertThat(js("return document.activeElement.id")).as("the view takes the focus").isEqualTo("device-heading");
        waitUntil(d -> d.findElement(By.id("ecg-strip")).getText().equals("ECG not available"));
        waitUntil(d -> d.findElement(By.id("hr-chart")).getText().equals("No history yet"));
        waitUntil(d -> d.findElement(By.id("audit-rows")).getText().contains("nurse"));
        // Escape closes the view, as its close button does, and the focus goes back to the row.
        browser.switchTo().activeElement().sendKeys(Keys.ESCAPE);
        waitUntil(d -> !d.findElement(By.id("device-view")).isDisplayed());

        String form = "tr.resolve-row[data-alert-id=\"" + alert.getAlertId() + "\"]";
        // The form closes on Escape or Cancel, the focus back on the button that opened it.
        browser.findElement(By.cssSelector(row + " button.resolve")).click();
        waitUntil(d -> d.findElement(By.cssSelector(form + " textarea.resolve-note")).isDisplayed());
        browser.findElement(By.cssSelector(form + " textarea.resolve-note")).sendKeys(Keys.ESCAPE);
        waitUntil(d -> d.findElements(By.cssSelector(form)).isEmpty());
        assertThat(js("return document.activeElement.classList.contains('resolve')")).isEqualTo(true);
        browser.findElement(By.cssSelector(row + " button.resolve")).click();
        waitUntil(d -> d.findElement(By.cssSelector(form + " button.resolve-cancel")).isDisplayed());
        browser.findElement(By.cssSelector(form + " button.resolve-cancel")).click();
        waitUntil(d -> d.findElements(By.cssSelector(form)).isEmpty());
        assertThat(js("return document.activeElement.classList.contains('resolve')")).isEqualTo(true);
        // The row rebuilt under the focus (the episode goes on, faster): the focus stays on its Resolve button.
        publish(Topics.ALERTS, ProtobufSerde.alerts().serializer(), List.of(alert.toBuilder()
                .setHeartRateBpm(181).setBeatCount(40).build()));
        waitUntil(d -> d.findElement(By.cssSelector(row + " td.hr")).getText().contains("181"));
        assertThat(js("return document.activeElement.closest('tr') === document.querySelector('" + row.replace("'", "\\'")
                + "') && document.activeElement.classList.contains('resolve')")).isEqualTo(true);

        browser.findElement(By.cssSelector(row + " button.resolve")).click();
        waitUntil(d -> d.findElement(By.cssSelector(form + " textarea.resolve-note")).isDisplayed());
        browser.findElement(By.cssSelector(form + " button.resolve-confirm")).click();
        waitUntil(d -> d.findElement(By.cssSelector(form + " .form-error")).isDisplayed());
        assertThat(browser.findElement(By.cssSelector(row + " .alert-state")).getText()).as("a note is required")
                .isEqualTo("acknowledged");

        browser.findElement(By.cssSelector(form + " textarea.resolve-note")).sendKeys("Rate back to 90 after fluids");
        browser.findElement(By.cssSelector(form + " button.resolve-confirm")).click();
        waitUntil(d -> d.findElements(By.cssSelector(row)).isEmpty() && d.findElements(By.cssSelector(form)).isEmpty());

        JsonObject resolved = getJson("/api/alerts/" + pathSegment(alert.getAlertId()), session);
        assertThat(resolved.getString("state")).isEqualTo("resolved");
        assertThat(resolved.getString("resolvedBy")).isEqualTo("nurse");
        assertThat(resolved.getString("resolutionNote")).isEqualTo("Rate back to 90 after fluids");

        browser.findElement(By.id("show-resolved")).click();
        waitUntil(d -> !d.findElements(By.cssSelector(row)).isEmpty()
                && "resolved".equals(d.findElement(By.cssSelector(row + " .alert-state")).getText()));
        assertThat(browser.findElements(By.cssSelector(row + " button"))).isEmpty();
        browser.findElement(By.id("show-resolved")).click();
        waitUntil(d -> d.findElements(By.cssSelector(row)).isEmpty());
    }

    @Test
    @Order(8)
    void anOpenAlertIsListedAboveAnAcknowledgedOneHoweverOffItsDevicesClockIs() throws Exception {
        long now = System.currentTimeMillis();
        Alert taken = highAlert("bed-21", now - 5_000);
        // Raised after it, but its device's clock is months behind.
        Alert open = highAlert("bed-22", now - 200L * 24 * 3600 * 1000);
        publish(Topics.ALERTS, ProtobufSerde.alerts().serializer(), List.of(taken));
        String session = logInOverHttp();
        String takenPath = "/api/alerts/" + pathSegment(taken.getAlertId());
        for (int i = 0; i < 100 && send(HttpRequest.newBuilder(uri(takenPath)).GET(), session).statusCode() != 200;
                i++) {
            Thread.sleep(100);
        }
        HttpResponse<String> acknowledged = send(HttpRequest.newBuilder(uri(takenPath + "/acknowledge"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{}")), session);
        assertThat(acknowledged.statusCode()).isEqualTo(200);
        publish(Topics.ALERTS, ProtobufSerde.alerts().serializer(), List.of(open));

        openLoggedOut();
        logIn("nurse", PASSWORD);
        waitUntilLiveAndLoaded();
        waitUntil(d -> !d.findElements(By.cssSelector(row(open.getAlertId()))).isEmpty());
        List<String> order = browser.findElements(By.cssSelector("tr.alert-row")).stream()
                .map(r -> r.getAttribute("data-alert-id"))
                .filter(id -> id.equals(open.getAlertId()) || id.equals(taken.getAlertId())).toList();
        assertThat(order).as("what nobody has taken first").containsExactly(open.getAlertId(), taken.getAlertId());
    }

    @Test
    @Order(9)
    void aListThatFailsToLoadSaysSoAndIsLoadedAgainUntilItComes() throws Exception {
        openLoggedOut();
        logIn("nurse", PASSWORD);
        waitUntilLiveAndLoaded();
        // The next two list requests fail after 2 s, as through a proxy that is down. What comes
        // live meanwhile is held for the list and dropped with it: only a list loaded again shows it.
        js("window.failLists = 2; const real = window.fetch;"
                + "window.fetch = (url, init) => String(url).startsWith('/api/alerts?') && window.failLists-- > 0"
                + " ? new Promise((ok, fail) => setTimeout(() => fail(new TypeError('down')), 2000))"
                + " : real(url, init);");
        long onset = System.currentTimeMillis();
        Alert missed = highAlert("bed-23", onset);
        browser.findElement(By.id("show-resolved")).click(); // the page asks for the list again
        publish(Topics.ALERTS, ProtobufSerde.alerts().serializer(), List.of(missed));
        waitUntil(d -> "list out of date".equals(d.findElement(By.id("live-status")).getText()));
        assertThat(browser.findElements(By.cssSelector(row(missed.getAlertId())))).as("held with the failed list")
                .isEmpty();
        // Retried after 1 s and 2 s, without anything else happening on the page.
        waitUntil(d -> "live".equals(d.findElement(By.id("live-status")).getText()));
        waitUntil(d -> !d.findElements(By.cssSelector(row(missed.getAlertId()))).isEmpty());
        assertThat(browser.findElement(By.id("notice")).isDisplayed()).as("the warning goes with the trouble")
                .isFalse();
        browser.findElement(By.id("show-resolved")).click();
    }

    @Test
    @Order(10)
    void aNoteBeingWrittenWhenSomeoneElseResolvesTheAlertIsShownNotLost() throws Exception {
        Alert alert = highAlert("bed-24", System.currentTimeMillis());
        String row = shownTo("nurse", alert);
        browser.findElement(By.cssSelector(row + " button.resolve")).click();
        String form = "tr.resolve-row[data-alert-id=\"" + alert.getAlertId() + "\"]";
        waitUntil(d -> d.findElement(By.cssSelector(form + " textarea.resolve-note")).isDisplayed());
        browser.findElement(By.cssSelector(form + " textarea.resolve-note")).sendKeys("Called the ward");

        // A colleague resolves it meanwhile; with resolved alerts hidden its row leaves the list.
        String colleague = logInOverHttp();
        HttpResponse<String> resolved = send(HttpRequest.newBuilder(uri("/api/alerts/"
                + pathSegment(alert.getAlertId()) + "/resolve")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"note\": \"done\"}")), colleague);
        assertThat(resolved.statusCode()).isEqualTo(200);

        waitUntil(d -> d.findElements(By.cssSelector(row)).isEmpty());
        WebElement notice = browser.findElement(By.id("notice"));
        assertThat(notice.isDisplayed()).isTrue();
        assertThat(notice.getText()).contains("bed-24", "resolved (by nurse)", "Called the ward");
    }

    @Test
    void aNoteBeingWrittenKeepsItsFocusWhenAnotherAlertMovesPastItsRow() throws Exception {
        long now = System.currentTimeMillis();
        Alert below = highAlert("bed-25", now - 60_000);
        publish(Topics.ALERTS, ProtobufSerde.alerts().serializer(), List.of(below));
        // Raised later, so listed above it while both are open.
        Alert above = highAlert("bed-26", now);
        String aboveRow = shownTo("nurse", above);
        String row = row(below.getAlertId());
        waitUntil(d -> !d.findElements(By.cssSelector(row)).isEmpty());
        browser.findElement(By.cssSelector(row + " button.resolve")).click();
        String form = "tr.resolve-row[data-alert-id=\"" + below.getAlertId() + "\"]";
        waitUntil(d -> d.findElement(By.cssSelector(form + " textarea.resolve-note")).isDisplayed());
        browser.findElement(By.cssSelector(form + " textarea.resolve-note")).sendKeys("Called the");

        // A colleague acknowledges the one above: it moves below, past the row being written in.
        HttpResponse<String> acknowledged = send(HttpRequest.newBuilder(uri("/api/alerts/"
                + pathSegment(above.getAlertId()) + "/acknowledge")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{}")), logInOverHttp());
        assertThat(acknowledged.statusCode()).isEqualTo(200);
        waitUntil(d -> "acknowledged".equals(d.findElement(By.cssSelector(aboveRow + " .alert-state")).getText()));
        assertThat(js("return document.activeElement.classList.contains('resolve-note')")).isEqualTo(true);
        browser.switchTo().activeElement().sendKeys(" ward");
        assertThat(browser.findElement(By.cssSelector(form + " textarea.resolve-note")).getAttribute("value"))
                .isEqualTo("Called the ward");
        // Escape does not throw a written note away.
        browser.switchTo().activeElement().sendKeys(Keys.ESCAPE);
        assertThat(browser.findElements(By.cssSelector(form))).hasSize(1);
    }

    @Test
    void aNoteIsCountedInCharactersAsTheServerCountsThemAndASilenceSaysWhenDataResumed() throws Exception {
        long now = System.currentTimeMillis();
        Alert alert = highAlert("bed-27", now);
        String row = shownTo("nurse", alert);
        browser.findElement(By.cssSelector(row + " button.resolve")).click();
        String form = "tr.resolve-row[data-alert-id=\"" + alert.getAlertId() + "\"]";
        waitUntil(d -> d.findElement(By.cssSelector(form + " textarea.resolve-note")).isDisplayed());
        // 2 000 emoji are 2 000 characters to the server, 4 000 UTF-16 units to a maxlength.
        assertThat(browser.findElement(By.cssSelector(form + " textarea.resolve-note")).getAttribute("maxlength")).isNull();
        js("document.querySelector('" + form + " textarea').value = '\\u{1F600}'.repeat(2001);");
        browser.findElement(By.cssSelector(form + " button.resolve-confirm")).click();
        waitUntil(d -> d.findElement(By.cssSelector(form + " .form-error")).getText()
                .equals("The note has 2001 characters; at most 2000."));
        js("document.querySelector('" + form + " textarea').value = '\\u{1F600}'.repeat(2000);");
        browser.findElement(By.cssSelector(form + " button.resolve-confirm")).click();
        waitUntil(d -> d.findElements(By.cssSelector(row)).isEmpty());

        // A device silent, then back: its episode ends where its stream stopped, so the row says when
        // the data came again, not "ended" at its onset.
        Alert silent = Alert.newBuilder().setAlertId("bed-27:DEVICE_SILENT:" + now).setDeviceId("bed-27")
                .setType("DEVICE_SILENT").setPriority(Priority.TECHNICAL).setOnsetSample(now / 4).setOnsetTimeMs(now)
                .setEndTimeMs(now).setMessage("Device silent (data resumed after 40 s)").build();
        publish(Topics.ALERTS, ProtobufSerde.alerts().serializer(), List.of(silent));
        browser.findElement(By.id("show-resolved")).click();
        String silentRow = row(silent.getAlertId());
        waitUntil(d -> !d.findElements(By.cssSelector(silentRow)).isEmpty());
        assertThat(browser.findElement(By.cssSelector(silentRow + " td.onset")).getText()).contains("data resumed")
                .doesNotContain("ended");
        browser.findElement(By.id("show-resolved")).click();
    }

    /** Publishes the alert, opens the page logged in as the user and waits for its row; returns its selector. */
    private static String shownTo(String username, Alert alert) {
        publish(Topics.ALERTS, ProtobufSerde.alerts().serializer(), List.of(alert));
        openLoggedOut();
        logIn(username, PASSWORD);
        waitUntilLiveAndLoaded();
        String row = row(alert.getAlertId());
        waitUntil(d -> !d.findElements(By.cssSelector(row)).isEmpty());
        return row;
    }

    private static Alert highAlert(String device, long onset) {
        return Alert.newBuilder().setAlertId(device + ":EXTREME_TACHYCARDIA:" + onset).setDeviceId(device)
                .setType("EXTREME_TACHYCARDIA").setPriority(Priority.HIGH).setOnsetSample(onset / 4)
                .setOnsetTimeMs(onset).setMessage("Heart rate 160 bpm for 20 beats").setHeartRateBpm(160)
                .setBeatCount(20).build();
    }

    @Test
    @Order(5)
    void withoutTheClinicianRoleTheAlertsAreShownWithoutButtons() throws Exception {
        long onset = System.currentTimeMillis() - 30_000;
        Alert pause = otherAlert("bed-2", "PAUSE", Priority.MEDIUM, onset, 38, 2, "Pause of 3.6 s");
        String row = shownTo("admin", pause);
        assertThat(browser.findElement(By.cssSelector(row + " .alert-state")).getText()).isEqualTo("open");
        assertThat(browser.findElements(By.cssSelector("tr.alert-row button"))).isEmpty();
    }

    @Test
    @Order(6)
    void anExpiredSessionLeadsBackToTheLoginForm() throws Exception {
        openLoggedOut();
        logIn("nurse", PASSWORD);
        waitUntilLiveAndLoaded();

        Cookie cookie = browser.manage().getCookieNamed("amsession");
        assertThat(cookie).isNotNull();
        assertThat(cookie.isHttpOnly()).isTrue();
        HttpResponse<String> logout = send(HttpRequest.newBuilder(uri("/api/logout"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{}")), "amsession=" + cookie.getValue());
        assertThat(logout.statusCode()).isEqualTo(204);

        browser.findElement(By.id("show-resolved")).click(); // the page asks for the list again
        waitUntil(d -> d.findElement(By.id("login-view")).isDisplayed()
                && d.findElement(By.id("login-error")).getText().contains("Your session expired"));
        assertThat(browser.findElement(By.id("dashboard-view")).isDisplayed()).isFalse();
    }

    @Test
    @Order(7)
    void theDeviceViewShowsTheEcgAroundTheEventAndTheHistory() throws Exception {
        long now = System.currentTimeMillis();
        long t0 = now - 60_000;
        SyntheticEcg.Recording recording = SyntheticChunks.record(250, 7,
                new SyntheticEcg.Segment(15, 72), SyntheticEcg.Segment.ventricular(10, 180),
                new SyntheticEcg.Segment(15, 76));
        List<SampleChunk> chunks = SyntheticChunks.chunks("bed-12", recording, 1.0).stream()
                .map(chunk -> chunk.toBuilder().setT0EpochMs(chunk.getT0EpochMs() - SyntheticChunks.T0 + t0).build())
                .toList();
        publish(Topics.SAMPLES, ProtobufSerde.sampleChunks().serializer(), chunks);

        long hour = 3_600_000;
        long firstHour = now / hour * hour - 3 * hour;
        publish(Topics.BURDEN, ProtobufSerde.burden().serializer(), List.of(
                burden(BurdenWindow.HOUR, firstHour, firstHour + hour, 58, 71, 96, 1.2, 0.4, 0),
                burden(BurdenWindow.HOUR, firstHour + hour, firstHour + 2 * hour, 61, 78, 118, 3.1, 0.9, 2.5),
                burden(BurdenWindow.HOUR, firstHour + 2 * hour, firstHour + 3 * hour, 64, 84, 181, 7.5, 1.1, 0),
                burden(BurdenWindow.ROLLING_24H, now - 24 * hour, now, 58, 77, 181, 4.0, 0.8, 0.8)));

        long onset = t0 + 15_000;
        Alert vt = Alert.newBuilder()
                .setAlertId("bed-12:VENTRICULAR_TACHYCARDIA:" + 15 * 250)
                .setDeviceId("bed-12")
                .setType("VENTRICULAR_TACHYCARDIA")
                .setPriority(Priority.HIGH)
                .setOnsetSample(15 * 250)
                .setOnsetTimeMs(onset)
                .setEndTimeMs(onset + 10_000)
                .setMessage("Ventricular tachycardia, 50 beats at 180 bpm")
                .setHeartRateBpm(180)
                .setBeatCount(50)
                .setEvidence(Evidence.newBuilder().setStartTimeMs(onset - 2_000).setEndTimeMs(onset + 11_000))
                .build();
        publish(Topics.ALERTS, ProtobufSerde.alerts().serializer(), List.of(vt,
                otherAlert("bed-3", "ATRIAL_FIBRILLATION", Priority.MEDIUM, now - 600_000, 0, 0,
                        "Atrial fibrillation for 4 min"),
                otherAlert("bed-5", "PAUSE", Priority.MEDIUM, now - 400_000, 40, 2, "Pause of 3.4 s"),
                otherAlert("bed-9", "COUPLET", Priority.LOW, now - 300_000, 96, 2, "Ventricular couplet"),
                otherAlert("bed-4", "LEAD_OFF", Priority.TECHNICAL, now - 120_000, 0, 0, "Lead off for 12 s")));

        openLoggedOut();
        logIn("nurse", PASSWORD);
        waitUntilLiveAndLoaded();
        String row = row(vt.getAlertId());
        waitUntil(d -> !d.findElements(By.cssSelector(row)).isEmpty()
                && d.findElements(By.cssSelector("tr.alert-row")).size() >= 5);
        assertThat(browser.findElements(By.cssSelector("tr.alert-row")).stream()
                .map(r -> r.getAttribute("data-alert-id")).toList().indexOf(vt.getAlertId()))
                .as("the high priority alert comes first").isZero();

        browser.findElement(By.cssSelector(row + " td.type")).click();
        waitUntil(d -> d.findElement(By.id("device-heading")).getText().contains("bed-12"));
        assertThat(browser.findElement(By.id("device-heading")).getText()).contains("Ventricular tachycardia");
        waitUntil(d -> !d.findElements(By.cssSelector("#ecg-strip .uplot canvas")).isEmpty());
        assertThat(browser.findElement(By.id("ecg-caption")).getText()).contains("250 Hz");
        waitUntil(d -> d.findElement(By.id("audit-rows")).getText().contains("system"));
        waitUntil(d -> !d.findElements(By.cssSelector("#hr-chart .uplot canvas")).isEmpty());
        assertThat(browser.findElement(By.cssSelector("#rolling-24h .stat.pvc .stat-value")).getText())
                .isEqualTo("4.0 %");
        assertThat(browser.findElement(By.cssSelector("#rolling-24h .stat.af .stat-value")).getText())
                .isEqualTo("0.8 %");
        assertThat(browser.findElement(By.cssSelector("#rolling-24h .stat.hr-mean .stat-value")).getText())
                .isEqualTo("77 bpm");

        browser.manage().window().setSize(new Dimension(1280, 2000));
        js("window.scrollTo(0, 0);");
        Files.createDirectories(SCREENSHOT.getParent());
        Files.copy(((ChromeDriver) browser).getScreenshotAs(OutputType.FILE).toPath(), SCREENSHOT,
                StandardCopyOption.REPLACE_EXISTING);
        browser.manage().window().setSize(new Dimension(1280, 900));
    }

    // ------------------------------------------------------------------ the page

    private static void openLoggedOut() {
        browser.get(base() + "/");
        browser.manage().deleteAllCookies();
        browser.get(base() + "/");
        waitUntil(d -> d.findElement(By.id("login-view")).isDisplayed());
    }

    private static void logIn(String username, String password) {
        WebElement user = browser.findElement(By.id("username"));
        user.clear();
        user.sendKeys(username);
        WebElement secret = browser.findElement(By.id("password"));
        secret.clear();
        secret.sendKeys(password);
        browser.findElement(By.id("login")).click();
    }

    private static void waitUntilLiveAndLoaded() {
        waitUntil(d -> d.findElement(By.id("dashboard-view")).isDisplayed()
                && "live".equals(d.findElement(By.id("live-status")).getText())
                && "true".equals(d.findElement(By.id("alert-rows")).getAttribute("data-loaded")));
    }

    private static String row(String alertId) {
        return "tr.alert-row[data-alert-id=\"" + alertId + "\"]";
    }

    private static Object js(String script) {
        return ((JavascriptExecutor) browser).executeScript(script);
    }

    private static void waitUntil(Function<WebDriver, Boolean> condition) {
        new WebDriverWait(browser, PATIENCE, Duration.ofMillis(100))
                .ignoring(StaleElementReferenceException.class)
                .until(condition::apply);
    }

    // ------------------------------------------------------------------ HTTP and Kafka

    private static String base() {
        return "http://127.0.0.1:" + service.httpPort();
    }

    private static URI uri(String path) {
        return URI.create(base() + path);
    }

    private static String pathSegment(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static HttpResponse<String> send(HttpRequest.Builder request, String cookie) throws Exception {
        if (cookie != null) {
            request.header("Cookie", cookie);
        }
        return http.send(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Logs in as the nurse and returns the session cookie as a Cookie header value. */
    private static String logInOverHttp() throws Exception {
        HttpResponse<String> response = send(HttpRequest.newBuilder(uri("/api/login"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(new JsonObject()
                        .put("username", "nurse").put("password", PASSWORD).encode())), null);
        assertThat(response.statusCode()).isEqualTo(200);
        String setCookie = response.headers().allValues("Set-Cookie").stream()
                .filter(value -> value.startsWith("amsession=")).findFirst().orElseThrow();
        assertThat(setCookie).containsIgnoringCase("HttpOnly").containsIgnoringCase("SameSite=Strict");
        return setCookie.substring(0, setCookie.indexOf(';') < 0 ? setCookie.length() : setCookie.indexOf(';'));
    }

    private static JsonObject getJson(String path, String cookie) throws Exception {
        HttpResponse<String> response = send(HttpRequest.newBuilder(uri(path)).GET(), cookie);
        assertThat(response.statusCode()).as(path).isEqualTo(200);
        return new JsonObject(response.body());
    }

    private static <V> void publish(String topic, Serializer<V> values, List<V> records) {
        try (KafkaProducer<String, V> producer = new KafkaProducer<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                new StringSerializer(), values)) {
            for (V record : records) {
                producer.send(new ProducerRecord<>(topic, deviceOf(record), record));
            }
        }
    }

    private static String deviceOf(Object record) {
        if (record instanceof Alert alert) {
            return alert.getDeviceId();
        }
        if (record instanceof SampleChunk chunk) {
            return chunk.getDeviceId();
        }
        return ((Burden) record).getDeviceId();
    }

    private static Burden burden(BurdenWindow window, long start, long end, double hrMin, double hrMean, double hrMax,
            double pvcPct, double svePct, double afPct) {
        long beats = Math.round(hrMean * (end - start) / 60_000.0);
        long v = Math.round(beats * pvcPct / 100);
        long s = Math.round(beats * svePct / 100);
        Burden.Builder burden = Burden.newBuilder()
                .setDeviceId("bed-12")
                .setWindow(window)
                .setStartTimeMs(start)
                .setEndTimeMs(end)
                .addBeats(beats - v - s).addBeats(s).addBeats(v).addBeats(0).addBeats(0)
                .setPvcBurdenPct(pvcPct)
                .setSveBurdenPct(svePct)
                .setAfBurdenPct(afPct)
                .setHrMinBpm(hrMin)
                .setHrMeanBpm(hrMean)
                .setHrMaxBpm(hrMax)
                .setMonitoredMs(end - start);
        if (v > 0) {
            burden.putEpisodes("COUPLET", (int) Math.max(1, v / 50));
        }
        return burden.build();
    }

    private static Alert otherAlert(String device, String type, Priority priority, long onset, double bpm, int beats,
            String message) {
        return Alert.newBuilder()
                .setAlertId(device + ":" + type + ":" + onset)
                .setDeviceId(device)
                .setType(type)
                .setPriority(priority)
                .setOnsetTimeMs(onset)
                .setMessage(message)
                .setHeartRateBpm(bpm)
                .setBeatCount(beats)
                .setEvidence(Evidence.newBuilder().setStartTimeMs(onset - 5_000).setEndTimeMs(onset + 10_000))
                .build();
    }
}
