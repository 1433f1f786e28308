package org.arrhythmiamonitor.alerting.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Utils;
import org.arrhythmiamonitor.alerting.device.SampleStrips.Strip;
import org.arrhythmiamonitor.kafka.KafkaUnavailableException;
import org.arrhythmiamonitor.kafka.TopicProvisioner;
import org.arrhythmiamonitor.testing.TestKafka;
import org.arrhythmiamonitor.wire.ProtobufSerde;
import org.arrhythmiamonitor.wire.Topics;
import org.arrhythmiamonitor.wire.v1.Lead;
import org.arrhythmiamonitor.wire.v1.SampleChunk;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Strips read back from a real broker's {@code ecg.samples}. */
class SampleStripsTest {
    private static final int PARTITIONS = 3;
    private static final double FS = 250;
    /** One-second chunks. */
    private static final int CHUNK = 250;
    private static TestKafka kafka;
    private static KafkaProducer<String, SampleChunk> producer;
    private static SampleStrips strips;
    /**
     * Device time of every device's first chunk. The broker stamps records with their arrival,
     * and the strips look for a range near it, so device time must be close to now, as it is live.
     */
    private static long base;

    @BeforeAll
    static void start() {
        kafka = TestKafka.start();
        TopicProvisioner.ensureTopics(kafka.bootstrapServers(), Topics.ALL, PARTITIONS, (short) 1, 30_000);
        producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                new StringSerializer(), ProtobufSerde.sampleChunks().serializer());
        strips = new SampleStrips(kafka.bootstrapServers());
        base = System.currentTimeMillis() / 1000 * 1000 - 30_000;
    }

    @AfterAll
    static void stop() {
        strips.close();
        producer.close();
        kafka.close();
    }

    /** Sample {@code k} of a device's stream has the value {@code offset + k}, so every value says where it came from. */
    private static Lead lead(String name, double gain, int offset, long seq) {
        Lead.Builder lead = Lead.newBuilder().setName(name).setGainPerMv(gain);
        for (int i = 0; i < CHUNK; i++) {
            lead.addSamples(offset + (int) seq * CHUNK + i);
        }
        return lead.build();
    }

    private static SampleChunk chunk(String device, long seq, Lead... leads) {
        return SampleChunk.newBuilder()
                .setDeviceId(device)
                .setSeq(seq)
                .setT0EpochMs(base + seq * 1000)
                .setFsHz(FS)
                .addAllLeads(List.of(leads))
                .build();
    }

    private static SampleChunk mlii(String device, int offset, long seq) {
        return chunk(device, seq, lead("MLII", 200, offset, seq));
    }

    private static void publish(SampleChunk... chunks) throws Exception {
        for (SampleChunk chunk : chunks) {
            producer.send(new ProducerRecord<>(Topics.SAMPLES, chunk.getDeviceId(), chunk)).get();
        }
    }

    private static int partitionOf(String device) {
        return Utils.toPositive(Utils.murmur2(device.getBytes(StandardCharsets.UTF_8))) % PARTITIONS;
    }

    private static int[] range(int offset, int fromIndex, int toIndex) {
        return IntStream.range(fromIndex, toIndex).map(k -> offset + k).toArray();
    }

    @Test
    void returnsOnlyTheDevicesSamplesCutToTheRange() throws Exception {
        String device = "strip-bed-1";
        String neighbour = IntStream.range(0, 100).mapToObj(i -> "strip-neighbour-" + i)
                .filter(d -> partitionOf(d) == partitionOf(device)).findFirst().orElseThrow();
        String elsewhere = IntStream.range(0, 100).mapToObj(i -> "strip-elsewhere-" + i)
                .filter(d -> partitionOf(d) != partitionOf(device)).findFirst().orElseThrow();
        for (long seq = 0; seq < 5; seq++) {
            publish(mlii(neighbour, 1_000_000, seq), mlii(device, 0, seq), mlii(elsewhere, 2_000_000, seq));
        }

        Strip strip = strips.read(device, base + 1_500, base + 3_200).orElseThrow();
        assertThat(strip.deviceId()).isEqualTo(device);
        assertThat(strip.lead()).isEqualTo("MLII");
        assertThat(strip.fsHz()).isEqualTo(FS);
        assertThat(strip.gainPerMv()).isEqualTo(200);
        assertThat(strip.startTimeMs()).isEqualTo(base + 1_500);
        assertThat(strip.endTimeMs()).isEqualTo(base + 3_200);
        assertThat(strip.truncatedAtGap()).isFalse();
        // 1.5 s at 250 Hz is sample 375; 3.2 s is sample 800, the first one left out.
        assertThat(strip.samples()).containsExactly(range(0, 375, 800));

        assertThat(strips.read(neighbour, base + 1_500, base + 3_200).orElseThrow().samples())
                .containsExactly(range(1_000_000, 375, 800));

        Strip beforeTheFirstChunk = strips.read(device, base - 500, base + 500).orElseThrow();
        assertThat(beforeTheFirstChunk.startTimeMs()).as("starts at the first sample there is").isEqualTo(base);
        assertThat(beforeTheFirstChunk.samples()).containsExactly(range(0, 0, 125));

        Strip pastTheLastChunk = strips.read(device, base + 4_900, base + 6_000).orElseThrow();
        assertThat(pastTheLastChunk.samples()).containsExactly(range(0, 1_225, 1_250));
        assertThat(pastTheLastChunk.truncatedAtGap()).as("nothing is missing, the data just ends").isFalse();
    }

    @Test
    void cutsBetweenSamplesAtRatesThatAreNotWholeMilliseconds() throws Exception {
        Lead.Builder lead = Lead.newBuilder().setName("ECG").setGainPerMv(1000);
        IntStream.range(0, 360).forEach(lead::addSamples);
        publish(SampleChunk.newBuilder().setDeviceId("strip-360").setSeq(7).setT0EpochMs(base).setFsHz(360)
                .addLeads(lead).build());

        // Samples lie at base + 0, 2.78, 5.56, 8.33 ... ms: only sample 1 lies in [base + 1, base + 4).
        Strip strip = strips.read("strip-360", base + 1, base + 4).orElseThrow();
        assertThat(strip.samples()).containsExactly(1);
        assertThat(strip.startTimeMs()).isEqualTo(base + 3);
        // Sample 359 lies at base + 997.2 ms, the last one before base + 1000.
        assertThat(strips.read("strip-360", base + 997, base + 1_000).orElseThrow().samples()).containsExactly(359);
    }

    @Test
    void prefersLeadIiOverTheFirstLead() throws Exception {
        // One lead, though its name is spelt otherwise in the second chunk, as the gateway takes it.
        publish(chunk("strip-two-leads", 0, lead("V1", 100, 5_000, 0), lead("MLII", 200, 0, 0)),
                chunk("strip-two-leads", 1, lead("V1", 100, 5_000, 1), lead("mlii ", 200, 0, 1)),
                chunk("strip-no-limb-lead", 0, lead("V1", 100, 5_000, 0), lead("V5", 200, 0, 0)));

        Strip twoLeads = strips.read("strip-two-leads", base + 500, base + 1_500).orElseThrow();
        assertThat(twoLeads.lead()).isEqualTo("MLII");
        assertThat(twoLeads.gainPerMv()).isEqualTo(200);
        assertThat(twoLeads.samples()).containsExactly(range(0, 125, 375));

        Strip noLimbLead = strips.read("strip-no-limb-lead", base, base + 1_000).orElseThrow();
        assertThat(noLimbLead.lead()).as("the first lead when neither MLII nor II is there").isEqualTo("V1");
        assertThat(noLimbLead.gainPerMv()).isEqualTo(100);
        assertThat(noLimbLead.samples()).containsExactly(range(5_000, 0, 250));
    }

    @Test
    void endsTheStripAtAGap() throws Exception {
        String device = "strip-gap";
        // Chunks 1 and 3 never arrived; chunk 2 arrived twice (a retry).
        publish(mlii(device, 0, 0), mlii(device, 0, 2), mlii(device, 0, 2), mlii(device, 0, 4), mlii(device, 0, 5));

        Strip strip = strips.read(device, base + 2_500, base + 5_500).orElseThrow();
        assertThat(strip.samples()).containsExactly(range(0, 625, 750));
        assertThat(strip.truncatedAtGap()).isTrue();

        Strip afterAGap = strips.read(device, base + 4_000, base + 5_500).orElseThrow();
        assertThat(afterAGap.samples()).as("a gap before the range does not matter")
                .containsExactly(range(0, 1_000, 1_375));
        assertThat(afterAGap.truncatedAtGap()).isFalse();

        Strip acrossAGap = strips.read(device, base + 500, base + 2_500).orElseThrow();
        assertThat(acrossAGap.samples()).containsExactly(range(0, 125, 250));
        assertThat(acrossAGap.truncatedAtGap()).isTrue();
    }

    @Test
    void chunksUploadedLongAfterTheirDeviceTimeAreFoundNearTheArrivalGiven() throws Exception {
        String device = "strip-store-and-forward";
        long dayBefore = base - 86_400_000L;
        for (long seq = 0; seq < 3; seq++) {
            publish(mlii(device, 0, seq).toBuilder().setT0EpochMs(dayBefore + seq * 1000).build());
        }

        assertThat(strips.read(device, dayBefore + 500, dayBefore + 1_500)).as("near their device time").isEmpty();
        Strip strip = strips.read(device, dayBefore + 500, dayBefore + 1_500, System.currentTimeMillis(), null)
                .orElseThrow();
        assertThat(strip.startTimeMs()).isEqualTo(dayBefore + 500);
        assertThat(strip.samples()).containsExactly(range(0, 125, 375));
    }

    @Test
    void anAlertRaisedTwoMinutesAfterItsChunksArrivedGetsTheWholeStrip() throws Exception {
        String device = "strip-lag";
        publish(mlii(device, 0, 0), mlii(device, 0, 1));
        Thread.sleep(1_500);
        long between = System.currentTimeMillis() - 700;
        publish(mlii(device, 0, 2), mlii(device, 0, 3));
        // Raised a little over 2 min after the onset's chunk arrived (processor lag, a promoted repeat).
        Strip strip = strips.read(device, base, base + 4_000, between + 120_000, null).orElseThrow();
        assertThat(strip.startTimeMs()).isEqualTo(base);
        assertThat(strip.samples()).containsExactly(range(0, 0, 1000));
    }

    @Test
    void aStripNearItsDeviceTimeIsFoundWhateverArrivalIsGiven() throws Exception {
        // An alert raised long after its chunks arrived (the processor caught up on a backlog).
        String device = "strip-backlog";
        for (long seq = 0; seq < 3; seq++) {
            publish(mlii(device, 0, seq));
        }
        Strip strip = strips.read(device, base + 500, base + 1_500, System.currentTimeMillis() + 3_600_000, null)
                .orElseThrow();
        assertThat(strip.samples()).containsExactly(range(0, 125, 375));
    }

    @Test
    void afterAClockWasSetBackTheChunksThatArrivedWithTheAlertsOffsetAreRead() throws Exception {
        // Two runs of chunks with the same device times, the second sent after the device's clock
        // was set back. With a slack of 1 s instead of 2 min, 3 s apart is far enough.
        try (SampleStrips nearby = new SampleStrips(kafka.bootstrapServers(), java.time.Duration.ofSeconds(1))) {
            String device = "strip-clock-set-back";
            long deviceTime = System.currentTimeMillis() / 1000 * 1000;
            for (long seq = 0; seq < 3; seq++) {
                publish(mlii(device, 0, seq).toBuilder().setT0EpochMs(deviceTime + seq * 1000).build());
            }
            Thread.sleep(3_000);
            long sentAgain = System.currentTimeMillis();
            for (long seq = 3; seq < 6; seq++) {
                publish(mlii(device, 50_000, seq).toBuilder().setT0EpochMs(deviceTime + (seq - 3) * 1000).build());
            }
            long offset = sentAgain - deviceTime;

            assertThat(nearby.read(device, deviceTime + 500, deviceTime + 1_500).orElseThrow().samples())
                    .as("by device time alone: the chunks from before the clock went back")
                    .containsExactly(range(0, 125, 375));
            assertThat(nearby.read(device, deviceTime + 500, deviceTime + 1_500, null, offset).orElseThrow().samples())
                    .as("with the alert's arrival offset").containsExactly(range(50_000, 750 + 125, 750 + 375));
        }
    }

    @Test
    void aRangeWithoutSamplesIsEmpty() throws Exception {
        publish(mlii("strip-short", 0, 0));

        assertThat(strips.read("strip-short", base + 10_000, base + 11_000)).isEmpty();
        assertThat(strips.read("strip-short", base - 5_000, base)).isEmpty();
        assertThat(strips.read("strip-never-sent", base, base + 1_000)).isEmpty();
    }

    @Test
    void rejectsEmptyAndLongRanges() {
        assertThatThrownBy(() -> strips.read("strip-bed-1", base, base))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must be after its start");
        assertThatThrownBy(() -> strips.read("strip-bed-1", base, base - 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must be after its start");
        assertThatThrownBy(() -> strips.read("strip-bed-1", base, base + 60_001))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at most 60 s");
        assertThatThrownBy(() -> strips.read(" ", base, base + 1_000))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("device id");
        assertThat(strips.read("strip-never-sent", base, base + 60_000)).isEmpty();
    }

    @Test
    void servesConcurrentCallers() throws Exception {
        String device = "strip-busy";
        for (long seq = 0; seq < 10; seq++) {
            publish(mlii(device, 7, seq));
        }
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Optional<Strip>>> reads = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                long from = base + i * 500L;
                reads.add(pool.submit(() -> strips.read(device, from, from + 1_000)));
            }
            for (int i = 0; i < reads.size(); i++) {
                assertThat(reads.get(i).get().orElseThrow().samples())
                        .containsExactly(range(7, i * 125, i * 125 + 250));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void givesUpWhenKafkaDoesNotAnswer() {
        try (SampleStrips nowhere = new SampleStrips("127.0.0.1:1")) {
            long started = System.nanoTime();
            assertThatThrownBy(() -> nowhere.read("strip-bed-1", base, base + 1_000))
                    .isInstanceOf(KafkaUnavailableException.class)
                    .hasMessageContaining("did not answer within 5000 ms");
            assertThat((System.nanoTime() - started) / 1_000_000).isLessThan(10_000);
        }
    }

    @Test
    void refusesReadsOnceClosed() {
        SampleStrips closed = new SampleStrips(kafka.bootstrapServers());
        closed.close();
        assertThatThrownBy(() -> closed.read("strip-bed-1", base, base + 1_000))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }
}
