package org.arrhythmiamonitor.alerting.device;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.stream.IntStream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.arrhythmiamonitor.alerting.device.BurdenHistory.DeviceHistory;
import org.arrhythmiamonitor.kafka.TopicProvisioner;
import org.arrhythmiamonitor.testing.TestKafka;
import org.arrhythmiamonitor.wire.Topics;
import org.arrhythmiamonitor.wire.v1.Burden;
import org.arrhythmiamonitor.wire.v1.BurdenWindow;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Burden histories read from a real broker's {@code ecg.burden}. */
class BurdenHistoryTest {
    private static final long HOUR = 3_600_000;
    /** Device time of every device's first hour. */
    private static final long T0 = 1_700_000_000_000L / HOUR * HOUR;
    private static TestKafka kafka;
    private static KafkaProducer<String, byte[]> producer;

    @BeforeAll
    static void start() {
        kafka = TestKafka.start();
        TopicProvisioner.ensureTopics(kafka.bootstrapServers(), Topics.ALL, 3, (short) 1, 30_000);
        // Bytes, so that a test can also write a record that is not a Burden.
        producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                new StringSerializer(), new ByteArraySerializer());
    }

    @AfterAll
    static void stop() {
        producer.close();
        kafka.close();
    }

    /** Hour {@code i} of a device, with a mean heart rate that tells the hour and its version apart. */
    private static Burden hour(String device, int i, double hrMeanBpm) {
        return Burden.newBuilder()
                .setDeviceId(device)
                .setWindow(BurdenWindow.HOUR)
                .setStartTimeMs(T0 + i * HOUR)
                .setEndTimeMs(T0 + (i + 1) * HOUR)
                .setHrMeanBpm(hrMeanBpm)
                .build();
    }

    private static Burden rolling(String device, long endTimeMs, double hrMeanBpm) {
        return Burden.newBuilder()
                .setDeviceId(device)
                .setWindow(BurdenWindow.ROLLING_24H)
                .setStartTimeMs(endTimeMs - 24 * HOUR)
                .setEndTimeMs(endTimeMs)
                .setHrMeanBpm(hrMeanBpm)
                .build();
    }

    private static void publish(Burden... windows) throws Exception {
        for (Burden window : windows) {
            producer.send(new ProducerRecord<>(Topics.BURDEN, window.getDeviceId(), window.toByteArray())).get();
        }
    }

    private static BurdenHistory started(MeterRegistry registry, int maxDevices) {
        BurdenHistory history = new BurdenHistory(kafka.bootstrapServers(), registry, maxDevices, Duration.ofSeconds(30));
        history.start();
        return history;
    }

    private static void waitFor(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 15_000;
        while (!condition.getAsBoolean()) {
            assertThat(System.currentTimeMillis()).as("waited 15 s").isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    private static List<Double> meanRates(DeviceHistory history) {
        return history.hours().stream().map(Burden::getHrMeanBpm).toList();
    }

    @Test
    void keepsTheLast24HoursAndTheLatestVersionOfEach() throws Exception {
        String device = "burden-bed-1";
        // Published newest first, so that keeping the latest 24 cannot rely on arrival order.
        for (int i = 29; i >= 0; i--) {
            publish(hour(device, i, 60 + i));
        }
        try (BurdenHistory history = started(new SimpleMeterRegistry(), 100)) {
            waitFor(history::caughtUp);
            assertThat(history.alive()).isTrue();
            assertThat(history.lastError()).isNull();
            assertThat(meanRates(history.history(device)))
                    .as("hours 6 to 29, oldest first")
                    .containsExactlyElementsOf(IntStream.range(6, 30).mapToObj(i -> 60.0 + i).toList());

            publish(hour(device, 29, 120), hour(device, 2, 55));
            waitFor(() -> history.history(device).hours().get(23).getHrMeanBpm() == 120);
            assertThat(history.history(device).hours()).hasSize(24);
            assertThat(history.history(device).hours().get(0).getStartTimeMs())
                    .as("an hour older than all 24 kept is not kept").isEqualTo(T0 + 6 * HOUR);

            publish(hour(device, 30, 90));
            waitFor(() -> history.history(device).hours().get(23).getStartTimeMs() == T0 + 30 * HOUR);
            assertThat(meanRates(history.history(device))).hasSize(24).startsWith(67.0).contains(120.0);
        }
    }

    @Test
    void keepsTheLatestRolling24Hours() throws Exception {
        String device = "burden-rolling";
        publish(rolling(device, T0 + 25 * HOUR, 70), rolling(device, T0 + 25 * HOUR + 60_000, 72));
        try (BurdenHistory history = started(new SimpleMeterRegistry(), 100)) {
            waitFor(() -> history.history(device).rolling24h() != null
                    && history.history(device).rolling24h().getHrMeanBpm() == 72);
            assertThat(history.history(device).hours()).as("rolling windows are not hours").isEmpty();

            // A late copy of an older window does not replace the newer one.
            publish(rolling(device, T0 + 25 * HOUR, 70), rolling(device, T0 + 25 * HOUR + 120_000, 74),
                    hour(device, 0, 1));
            waitFor(() -> history.history(device).hours().size() == 1);
            assertThat(history.history(device).rolling24h().getHrMeanBpm()).isEqualTo(74);
        }
    }

    @Test
    void anUnknownDeviceHasNoHistory() throws Exception {
        try (BurdenHistory history = started(new SimpleMeterRegistry(), 100)) {
            waitFor(history::caughtUp);
            DeviceHistory unknown = history.history("burden-never-seen");
            assertThat(unknown.hours()).isEmpty();
            assertThat(unknown.rolling24h()).isNull();
            JsonObject json = unknown.toJson();
            assertThat(json.getString("deviceId")).isEqualTo("burden-never-seen");
            assertThat(json.getJsonArray("hours")).isEmpty();
            assertThat(json.containsKey("rolling24h")).isTrue();
            assertThat(json.getValue("rolling24h")).isNull();
        }
    }

    @Test
    void skipsAndCountsAnUnreadableRecord() throws Exception {
        String device = "burden-corrupt";
        MeterRegistry registry = new SimpleMeterRegistry();
        try (BurdenHistory history = started(registry, 100)) {
            producer.send(new ProducerRecord<>(Topics.BURDEN, device, new byte[] {(byte) 0xff, 0x01, 0x02})).get();
            publish(hour(device, 0, 61));
            waitFor(() -> history.history(device).hours().size() == 1);
            assertThat(registry.counter("ecg.burden.unreadable").count()).isEqualTo(1);
            assertThat(history.alive()).isTrue();
        }
    }

    @Test
    void evictsTheLeastRecentlyUpdatedDevice() throws Exception {
        MeterRegistry registry = new SimpleMeterRegistry();
        // Started before the records, so that each one is read before the next is written.
        try (BurdenHistory history = started(registry, 2)) {
            waitFor(history::caughtUp);
            publish(hour("burden-lru-1", 0, 60));
            waitFor(() -> !history.history("burden-lru-1").hours().isEmpty());
            publish(hour("burden-lru-2", 0, 60));
            waitFor(() -> !history.history("burden-lru-2").hours().isEmpty());
            publish(hour("burden-lru-1", 1, 60));
            waitFor(() -> history.history("burden-lru-1").hours().size() == 2);
            // Devices of the other tests were read, and evicted, first.
            double evictedBefore = registry.counter("ecg.burden.devices.evicted").count();
            publish(hour("burden-lru-3", 0, 60));
            waitFor(() -> !history.history("burden-lru-3").hours().isEmpty());

            assertThat(history.history("burden-lru-2").hours()).as("least recently updated").isEmpty();
            assertThat(history.history("burden-lru-1").hours()).hasSize(2);
            assertThat(registry.counter("ecg.burden.devices.evicted").count()).isEqualTo(evictedBefore + 1);
        }
    }

    @Test
    void rendersAWindowAsJson() throws Exception {
        String device = "burden-json";
        Burden hour = hour(device, 3, 72).toBuilder()
                .addAllBeats(List.of(4_000L, 12L, 300L, 2L, 1L))
                .setPvcBurdenPct(6.9).setSveBurdenPct(0.3).setAfBurdenPct(12.5)
                .setHrMinBpm(55).setHrMaxBpm(131)
                .setMonitoredMs(3_500_000)
                .putEpisodes("VENTRICULAR_RUN", 2).putEpisodes("ATRIAL_FIBRILLATION", 1)
                .build();
        publish(hour, rolling(device, T0 + 4 * HOUR, 73));
        try (BurdenHistory history = started(new SimpleMeterRegistry(), 100)) {
            waitFor(() -> history.history(device).rolling24h() != null && !history.history(device).hours().isEmpty());
            JsonObject json = history.history(device).toJson();
            JsonArray hours = json.getJsonArray("hours");
            assertThat(hours).hasSize(1);
            assertThat(hours.getJsonObject(0)).isEqualTo(new JsonObject()
                    .put("startTimeMs", T0 + 3 * HOUR)
                    .put("endTimeMs", T0 + 4 * HOUR)
                    .put("hrMinBpm", 55.0)
                    .put("hrMeanBpm", 72.0)
                    .put("hrMaxBpm", 131.0)
                    .put("pvcBurdenPct", 6.9)
                    .put("sveBurdenPct", 0.3)
                    .put("afBurdenPct", 12.5)
                    .put("monitoredMs", 3_500_000L)
                    .put("beats", new JsonObject().put("N", 4_000L).put("S", 12L).put("V", 300L).put("F", 2L)
                            .put("Q", 1L))
                    .put("episodes", new JsonObject().put("ATRIAL_FIBRILLATION", 1).put("VENTRICULAR_RUN", 2)));
            assertThat(json.getJsonObject("rolling24h").getLong("endTimeMs")).isEqualTo(T0 + 4 * HOUR);
            assertThat(json.getJsonObject("rolling24h").getJsonObject("beats").getLong("V")).isZero();
        }
    }
}
