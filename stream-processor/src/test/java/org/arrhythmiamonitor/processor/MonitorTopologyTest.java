package org.arrhythmiamonitor.processor;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.arrhythmiamonitor.episode.EpisodeRules;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import com.google.protobuf.Message;
import org.arrhythmiamonitor.beat.BeatClassificationProcessor;
import org.arrhythmiamonitor.beat.BeatClasses;
import org.arrhythmiamonitor.burden.BurdenProcessor;
import org.arrhythmiamonitor.episode.EpisodeProcessor;
import org.arrhythmiamonitor.qrs.BeatDetectionProcessor;
import org.arrhythmiamonitor.state.v1.BeatClassifierState;
import org.arrhythmiamonitor.state.v1.BurdenState;
import org.arrhythmiamonitor.beat.BeatFeatures;
import org.arrhythmiamonitor.beat.BeatReading;
import org.arrhythmiamonitor.beat.RecordBeatClassifier;
import org.arrhythmiamonitor.qrs.EcgAnalyzer;
import org.arrhythmiamonitor.inference.InferenceSettings;
import org.arrhythmiamonitor.inference.ModelRegistry;
import org.arrhythmiamonitor.signal.MainsFrequency;
import org.arrhythmiamonitor.synthetic.ArrhythmiaScript;
import org.arrhythmiamonitor.wfdb.AnnotationCode;
import org.arrhythmiamonitor.synthetic.SyntheticEcg;
import org.arrhythmiamonitor.synthetic.SyntheticEcg.Segment;
import org.arrhythmiamonitor.testing.SyntheticChunks;
import org.arrhythmiamonitor.wire.ProtobufSerde;
import org.arrhythmiamonitor.wire.Topics;
import org.arrhythmiamonitor.wire.v1.Alert;
import org.arrhythmiamonitor.wire.v1.Beat;
import org.arrhythmiamonitor.wire.v1.BeatClass;
import org.arrhythmiamonitor.wire.v1.ClassifiedBeat;
import org.arrhythmiamonitor.wire.v1.Episode;
import org.arrhythmiamonitor.wire.v1.Priority;
import org.arrhythmiamonitor.wire.v1.SampleChunk;
import org.arrhythmiamonitor.wire.v1.SignalIssue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;

class MonitorTopologyTest {
    /** The driver's state directory, removed after each test (it used to be left in the temp directory). */
    @TempDir
    Path stateDir;
    private TopologyTestDriver driver;
    private TestInputTopic<String, SampleChunk> samples;
    private TestOutputTopic<String, Beat> beats;
    private TestOutputTopic<String, Alert> alerts;
    private TestOutputTopic<String, Episode> episodes;
    private TestOutputTopic<String, ClassifiedBeat> classified;
    private ModelRegistry models;

    @BeforeEach
    void createDriver() {
        Properties props = ProcessorConfig.fromJson(new JsonObject()
                .put("bootstrapServers", "unused:9092")
                .put("applicationId", "topology-test")
                .put("stateDir", stateDir.toString()))
                .streamsProperties();
        models = new ModelRegistry(BeatFeatures.MODEL_NAME, BeatFeatures.CONTRACT, InferenceSettings.defaults());
        driver = new TopologyTestDriver(MonitorTopology.build(EpisodeRules.DEFAULTS, MainsFrequency.HZ_50,
                new MonitorTopology.BeatClassification(models, InferenceSettings.defaults(), new SimpleMeterRegistry()),
                props), props);
        samples = driver.createInputTopic(Topics.SAMPLES, new StringSerializer(),
                ProtobufSerde.sampleChunks().serializer());
        beats = driver.createOutputTopic(Topics.BEATS, new StringDeserializer(), ProtobufSerde.beats().deserializer());
        alerts = driver.createOutputTopic(Topics.ALERTS, new StringDeserializer(),
                ProtobufSerde.alerts().deserializer());
        episodes = driver.createOutputTopic(Topics.EPISODES, new StringDeserializer(),
                ProtobufSerde.episodes().deserializer());
        classified = driver.createOutputTopic(Topics.CLASSIFIED_BEATS, new StringDeserializer(),
                ProtobufSerde.classifiedBeats().deserializer());
    }

    @Test
    void beatsAreClassifiedInMicroBatchesWithTheirDeviceTimeOnceTheNextBeatOrTheTimeoutIsThere() {
        send(SyntheticChunks.chunks("patient-11", SyntheticChunks.record(360, 5, new Segment(30, 60)), 1.0));
        List<TestRecord<String, Beat>> detected = beats.readRecordsToList();
        // Fewer beats than a batch holds and no wall-clock time passed: all wait for their batch.
        assertThat(classified.isEmpty()).isTrue();

        driver.advanceWallClockTime(InferenceSettings.DEFAULT_MAX_WAIT.plusMillis(1));
        List<TestRecord<String, ClassifiedBeat>> first = classified.readRecordsToList();
        // The last beat waits for the next one: its interval to it is one of its features.
        assertThat(first).hasSize(detected.size() - 1);

        // Stream time moves on (another device): after the timeout the last beat goes without a next interval.
        send(SyntheticChunks.chunks("patient-12", SyntheticChunks.record(250, 6, new Segment(6, 70)), 1.0)
                .stream().map(c -> c.toBuilder().setT0EpochMs(c.getT0EpochMs() + 40_000).build()).toList());
        driver.advanceWallClockTime(InferenceSettings.DEFAULT_MAX_WAIT.plusMillis(1));
        List<TestRecord<String, ClassifiedBeat>> all = new java.util.ArrayList<>(first);
        all.addAll(classified.readRecordsToList().stream().filter(r -> r.key().equals("patient-11")).toList());

        assertThat(all).hasSize(detected.size());
        for (int i = 0; i < all.size(); i++) {
            ClassifiedBeat c = all.get(i).value();
            assertThat(all.get(i).key()).isEqualTo("patient-11");
            assertThat(all.get(i).timestamp()).isEqualTo(detected.get(i).timestamp());
            assertThat(c.getBeat().getSampleIndex()).isEqualTo(detected.get(i).value().getSampleIndex());
            assertThat(c.getBeat().hasMorphology()).isFalse();
            assertThat(c.getModel()).isEqualTo(models.card().id());
            assertThat(c.getProbabilitiesList()).hasSize(5);
            assertThat(c.getProbabilitiesList().stream().mapToDouble(Float::doubleValue).sum()).isCloseTo(1.0,
                    org.assertj.core.data.Offset.offset(1e-4));
        }
        assertThat(all.get(all.size() - 1).value().getNextRrMs()).isZero();
        assertThat(all.get(0).value().getNextRrMs()).isBetween(900.0, 1100.0);
        // A regular synthetic sinus rhythm: normal beats.
        assertThat(all).filteredOn(r -> r.value().getBeatClass() == BeatClass.N).hasSizeGreaterThan(all.size() * 9 / 10);
    }

    /**
     * One source of truth for the features: the stream (chunks through Kafka Streams, beats as
     * protobuf, classified per device in micro-batches with its state saved between them) and
     * {@code monitor eval} and {@code monitor dataset} (the same classes over a whole record) read
     * every beat alike, so what a model is trained and measured on is what it is served.
     */
    @Test
    void theStreamClassifiesEveryBeatAsMonitorEvalDoes() {
        ArrhythmiaScript script = ArrhythmiaScript.start(75).sinus(20).pvc().sinus(8).apc().sinus(8).couplet()
                .sinus(8).bigeminy(5).sinus(10).ventricularRun(8, 165).sinus(10).atrialFibrillation(40, 110)
                .sinus(15);
        SyntheticEcg.Recording recording = SyntheticEcg.standard(360, 21).render(script);
        stream(SyntheticChunks.chunks("parity", recording, 1.0));
        driver.advanceWallClockTime(InferenceSettings.DEFAULT_MAX_WAIT.plusMillis(1));
        List<ClassifiedBeat> streamed = classified.readValuesToList();

        double[] mv = recording.millivolts();
        EcgAnalyzer analyzer = new EcgAnalyzer(360, MainsFrequency.HZ_50);
        List<EcgAnalyzer.DetectedBeat> detected = new ArrayList<>();
        for (int from = 0; from < mv.length; from += 360) {
            analyzer.accept(mv, from, Math.min(mv.length, from + 360), detected::add);
        }
        BeatReading[] read = new RecordBeatClassifier(models).classify(detected, 360).readings();

        // The stream's last beat still waits for its next one.
        assertThat(streamed).hasSize(detected.size() - 1).hasSizeGreaterThan(150);
        // The stream numbers a device's samples from a floor of its own; the offsets agree.
        long floor = streamed.get(0).getBeat().getSampleIndex() - detected.get(0).sampleIndex();
        long ventricular = 0;
        long conducted = 0;
        long early = 0;
        for (int i = 0; i < streamed.size(); i++) {
            ClassifiedBeat live = streamed.get(i);
            ClassifiedBeat eval = read[i].writeTo(ClassifiedBeat.newBuilder()).build();
            assertThat(live.getBeat().getSampleIndex() - floor).as("beat %d", i)
                    .isEqualTo(detected.get(i).sampleIndex());
            float[] p = new float[live.getProbabilitiesCount()];
            for (int k = 0; k < p.length; k++) {
                p[k] = live.getProbabilities(k);
            }
            assertThat(BeatClasses.mostLikely(p)).as("model class of beat %d", i).isEqualTo(read[i].modelClass());
            assertThat(live.getBeatClass()).as("class of beat %d", i).isEqualTo(eval.getBeatClass());
            assertThat(live.getPrematurityIndex()).as("beat %d", i).isCloseTo(eval.getPrematurityIndex(),
                    org.assertj.core.data.Offset.offset(1e-5f));
            assertThat(live.getPWaveSimilarity()).as("beat %d", i).isCloseTo(eval.getPWaveSimilarity(),
                    org.assertj.core.data.Offset.offset(1e-5f));
            assertThat(live.getQrsDifference()).as("beat %d", i).isCloseTo(eval.getQrsDifference(),
                    org.assertj.core.data.Offset.offset(1e-5f));
            assertThat(live.getConductedShape()).as("conducted shape of beat %d", i).isEqualTo(eval.getConductedShape());
            assertThat(live.hasConductedShape()).isTrue();
            assertThat(live.getUnusuallyEarly()).as("unusually early, beat %d", i).isEqualTo(eval.getUnusuallyEarly());
            assertThat(live.hasUnusuallyEarly()).isTrue();
            ventricular += live.getBeatClass() == BeatClass.V ? 1 : 0;
            conducted += live.getConductedShape() ? 1 : 0;
            early += live.getUnusuallyEarly() ? 1 : 0;
        }
        assertThat(early).as("the script's APC and the PVCs' abrupt intervals").isPositive();
        assertThat(ventricular).as("the script's PVCs and ventricular run").isGreaterThanOrEqualTo(15);
        assertThat(conducted).as("the usual beats' shape").isGreaterThan(streamed.size() / 2);
    }

    @Test
    void aDisconnectedLeadBecomesATechnicalEpisodeAndItsBeatsAreFlagged() {
        SyntheticEcg.Recording recording = SyntheticChunks.record(360, 4, new Segment(40, 70));
        // Leads off from 15 s to 25 s: the device sends a constant value.
        for (int i = 15 * 360; i < 25 * 360; i++) {
            recording.samples()[i] = 512;
        }
        send(SyntheticChunks.chunks("patient-9", recording, 1.0));

        List<Episode> technical = episodes.readValuesToList();
        assertThat(technical).hasSize(2).allSatisfy(e -> {
            assertThat(e.getType()).isEqualTo("LEAD_OFF");
            assertThat(e.getTechnical()).isTrue();
            assertThat(e.getEpisodeId()).isEqualTo("patient-9:LEAD_OFF:" + e.getOnsetSample());
        });
        assertThat(technical.get(0).getEndTimeMs()).isZero();
        assertThat(technical.get(1).getOnsetTimeMs()).isEqualTo(technical.get(0).getOnsetTimeMs());
        assertThat(technical.get(0).getOnsetTimeMs() - SyntheticChunks.T0).isBetween(14_800L, 15_200L);
        assertThat(technical.get(1).getEndTimeMs() - SyntheticChunks.T0).isBetween(25_000L, 26_300L);
        List<Beat> detected = beats.readValuesToList();
        assertThat(detected).filteredOn(b -> b.getTimeMs() - SyntheticChunks.T0 > 28_000).isNotEmpty()
                .allSatisfy(b -> assertThat(b.getSignalIssuesList()).isEmpty());
        assertThat(detected).filteredOn(b -> b.getTimeMs() - SyntheticChunks.T0 < 14_000).isNotEmpty()
                .allSatisfy(b -> assertThat(b.getSignalIssuesList()).isEmpty());
    }

    @AfterEach
    void closeDriver() {
        driver.close();
        models.close();
    }

    private void send(List<SampleChunk> chunks) {
        for (SampleChunk chunk : chunks) {
            samples.pipeInput(new TestRecord<>(chunk.getDeviceId(), chunk, Instant.ofEpochMilli(chunk.getT0EpochMs())));
        }
    }

    /** Sends chunks as a device does, with wall-clock time passing, so inference batches flush as they go. */
    private void stream(List<SampleChunk> chunks) {
        for (SampleChunk chunk : chunks) {
            send(List.of(chunk));
            driver.advanceWallClockTime(InferenceSettings.DEFAULT_MAX_WAIT.plusMillis(1));
        }
    }

    @Test
    void aTachycardiaEpisodeRaisesOneAlertAndItsEndUpdatesIt() {
        SyntheticEcg.Recording recording = SyntheticChunks.record(250, 3,
                new Segment(20, 72), new Segment(30, 165), new Segment(20, 72));
        stream(SyntheticChunks.chunks("patient-7", recording, 1.0));

        // The abrupt jump from 72 to 165 bpm is also, rightly, a supraventricular run (low priority).
        List<TestRecord<String, Alert>> raised = alerts.readRecordsToList().stream()
                .filter(r -> r.value().getType().equals("EXTREME_TACHYCARDIA")).toList();
        assertThat(raised).hasSize(2);
        Alert open = raised.get(0).value();
        Alert ended = raised.get(1).value();
        assertThat(raised).allSatisfy(r -> assertThat(r.key()).isEqualTo("patient-7"));
        assertThat(open.getType()).isEqualTo("EXTREME_TACHYCARDIA");
        assertThat(open.getEndTimeMs()).isZero();
        assertThat(ended.getAlertId()).isEqualTo(open.getAlertId());
        assertThat(ended.getEndTimeMs()).isGreaterThan(open.getOnsetTimeMs());

        // Onset and end in device time, within a beat of the scripted rhythm change.
        long onsetOffsetMs = open.getOnsetTimeMs() - SyntheticChunks.T0;
        long endOffsetMs = ended.getEndTimeMs() - SyntheticChunks.T0;
        assertThat(onsetOffsetMs).isBetween(19_000L, 20_500L);
        assertThat(endOffsetMs).isBetween(49_000L, 50_500L);
        // The alert's record time is the device time of the beat that completed the 17-beat run.
        long alertRecordOffset = raised.get(0).timestamp() - SyntheticChunks.T0;
        assertThat(alertRecordOffset).isBetween(onsetOffsetMs + 16 * 330L, onsetOffsetMs + 18 * 380L);
    }

    @Test
    void aVentricularTachycardiaRunRaisesOneHighAlertWithinTwoSecondsOfItsFifthBeat() {
        SyntheticEcg.Recording recording = SyntheticChunks.record(250, 21,
                new Segment(30, 75), Segment.ventricular(4, 150), new Segment(20, 75));
        List<SampleChunk> chunks = SyntheticChunks.chunks("patient-vt", recording, 1.0);
        // The fifth ventricular beat of the run defines the episode.
        long fifthV = -1;
        int vCount = 0;
        for (int peak : recording.rPeaks()) {
            if (peak >= 30 * 250 && peak < 34 * 250 && ++vCount == 5) {
                fifthV = SyntheticChunks.T0 + Math.round(peak * 1000.0 / 250);
            }
        }
        long raisedAtStreamTime = -1;
        for (SampleChunk chunk : chunks) {
            stream(List.of(chunk));
            if (raisedAtStreamTime < 0 && alerts.getQueueSize() > 0) {
                raisedAtStreamTime = chunk.getT0EpochMs() + 1000;
            }
        }
        List<Alert> raised = alerts.readValuesToList();
        assertThat(raised.stream().filter(a -> a.getPriority() == Priority.HIGH)
                .map(Alert::getAlertId).distinct()).hasSize(1);
        Alert vt = raised.get(0);
        assertThat(vt.getType()).isEqualTo("VENTRICULAR_TACHYCARDIA");
        assertThat(vt.getEndTimeMs()).isZero();
        assertThat(raised.get(raised.size() - 1).getEndTimeMs()).isPositive();
        long latencyMs = raisedAtStreamTime - fifthV;
        System.out.println("VT alert latency in stream time after the 5th V beat: " + latencyMs + " ms");
        assertThat(latencyMs).isBetween(0L, 2000L);
    }

    @Test
    void beatsGoToTheirTopicWithDeviceTimeAndRr() {
        SyntheticEcg.Recording recording = SyntheticChunks.record(360, 4, new Segment(30, 60));
        send(SyntheticChunks.chunks("patient-8", recording, 2.0));

        List<TestRecord<String, Beat>> found = beats.readRecordsToList();
        // 30 beats, less the first 2 s the detector learns from.
        assertThat(found).hasSizeBetween(26, 29);
        for (TestRecord<String, Beat> beat : found.subList(1, found.size())) {
            assertThat(beat.value().getRrMs()).isBetween(900.0, 1100.0);
            assertThat(beat.timestamp()).isEqualTo(beat.value().getTimeMs());
        }
        assertThat(alerts.isEmpty()).isTrue();
    }

    @Test
    void retriedChunksAreSkippedAndGapsBridged() {
        List<SampleChunk> chunks = SyntheticChunks.chunks("patient-10",
                SyntheticChunks.record(250, 8, new Segment(30, 170)), 1.0);
        stream(chunks.subList(0, 15));
        stream(chunks.subList(10, 15)); // the device resent chunks 10-14
        stream(chunks.subList(16, chunks.size())); // chunk 15 never arrived

        assertThat(alerts.readValuesToList()).extracting(Alert::getType)
                .containsExactlyInAnyOrder("EXTREME_TACHYCARDIA", "DATA_GAP");
        List<Episode> gaps = episodes.readValuesToList().stream().filter(e -> e.getType().equals("DATA_GAP")).toList();
        assertThat(gaps).singleElement().satisfies(gap -> {
            assertThat(gap.getEndTimeMs() - gap.getOnsetTimeMs()).isEqualTo(1000);
            assertThat(gap.getDetail()).isEqualTo("chunks 15 to 15 missing");
        });
        List<Long> beatIndexes = beats.readRecordsToList().stream().map(r -> r.value().getSampleIndex()).toList();
        assertThat(beatIndexes).as("no beat twice").doesNotHaveDuplicates().isSorted();
        // 30 s at 170 bpm, less the 2 s of learning and the missing second.
        assertThat(beatIndexes).hasSizeBetween(74, 80);
    }

    @Test
    void aDeviceThatRestartsItsSeqAfterADowntimeIsNotSkippedAsRetries() {
        List<SampleChunk> chunks = SyntheticChunks.chunks("patient-11",
                SyntheticChunks.record(250, 9, new Segment(30, 70)), 1.0);
        stream(chunks.subList(0, 15));
        int before = beats.readRecordsToList().size();
        // Rebooted after 5 s off, counting from 0 again: same seqs as before, newer samples.
        List<SampleChunk> afterReboot = new ArrayList<>();
        for (int i = 15; i < chunks.size(); i++) {
            afterReboot.add(chunks.get(i).toBuilder().setSeq(i - 15)
                    .setT0EpochMs(chunks.get(i).getT0EpochMs() + 5000).build());
        }
        stream(afterReboot);
        stream(afterReboot.subList(3, 5)); // and a retry after the reboot is still one

        List<Episode> gaps = episodes.readValuesToList().stream().filter(e -> e.getType().equals("DATA_GAP")).toList();
        assertThat(gaps).singleElement().satisfies(gap -> {
            assertThat(gap.getEndTimeMs() - gap.getOnsetTimeMs()).isEqualTo(5000);
            assertThat(gap.getDetail()).isEqualTo("seq restarted at 0 after 14");
        });
        List<Long> after = beats.readRecordsToList().stream().map(r -> r.value().getSampleIndex()).toList();
        assertThat(after).as("no beat twice").doesNotHaveDuplicates().isSorted();
        // 15 s at 70 bpm after the reboot: about 17 beats, not none.
        assertThat(after).hasSizeBetween(14, 19);
        assertThat(before).isGreaterThan(10);
    }

    @Test
    void anEpisodeKeepsTheArrivalOffsetOfItsOnsetWhenLaterChunksArriveWithAnother() {
        // From the middle of a tachycardia the chunks arrive an hour later than before, relative
        // to their device time (its clock was set back, or they were uploaded late): the episode's
        // evidence still starts at its onset, among the chunks that came with the first offset.
        List<SampleChunk> chunks = SyntheticChunks.chunks("patient-24", SyntheticChunks.record(250, 3,
                new Segment(10, 72), new Segment(30, 165), new Segment(20, 72)), 1.0);
        for (int i = 0; i < chunks.size(); i++) {
            SampleChunk chunk = chunks.get(i);
            long arrival = chunk.getT0EpochMs() + (i < 30 ? 0 : 3_600_000);
            samples.pipeInput(new TestRecord<>(chunk.getDeviceId(), chunk, Instant.ofEpochMilli(arrival)));
            driver.advanceWallClockTime(InferenceSettings.DEFAULT_MAX_WAIT.plusMillis(1));
        }

        List<Alert> tachycardia = alerts.readValuesToList().stream()
                .filter(a -> a.getType().equals("EXTREME_TACHYCARDIA")).toList();
        assertThat(tachycardia).hasSize(2);
        assertThat(tachycardia.get(1).getEndTimeMs()).as("ended after the offset changed")
                .isGreaterThan(chunks.get(30).getT0EpochMs());
        assertThat(tachycardia).allSatisfy(a -> assertThat(a.getEvidence().getChunkArrivalOffsetMs()).isZero());
    }

    @Test
    void aDetectorThatStartsAgainNumbersItsSamplesPastEveryOneItPublishedBefore() {
        // Two tachycardias, the second after the device switched from 250 to 500 Hz, which
        // restarts its beat detection: counted from 0 again, it would publish the first one's
        // sample numbers, and with them its alert ids, a second time.
        List<Beat> first = tachycardiasAtTwoRates("patient-20", 250, 500);

        assertThat(first.get(0).getSampleIndex()).as("numbered from the first chunk's device time")
                .isBetween(SyntheticChunks.T0 / 4, SyntheticChunks.T0 / 4 + 250 * 3);
    }

    @Test
    void aDeviceThatLowersItsSamplingRateGoesOnPastItsOldNumbers() {
        // 500 Hz, then 250 Hz: the new rate's device-time number (t0 * 250 / 1000) is half the old
        // count's, so the restart starts from where the old count stopped instead.
        tachycardiasAtTwoRates("patient-21", 500, 250);
    }

    /**
     * A tachycardia at one rate, then 40 s later another at the other: the numbers go on and the
     * two alerts have ids of their own. Returns the beats before the change.
     */
    private List<Beat> tachycardiasAtTwoRates(String device, double firstHz, double thenHz) {
        List<SampleChunk> before = SyntheticChunks.chunks(device,
                SyntheticChunks.record(firstHz, 12, new Segment(25, 170), new Segment(15, 70)), 1.0);
        List<SampleChunk> after = SyntheticChunks.chunks(device,
                SyntheticChunks.record(thenHz, 12, new Segment(25, 170), new Segment(15, 70)), 1.0).stream()
                .map(c -> c.toBuilder().setSeq(c.getSeq() + before.size())
                        .setT0EpochMs(c.getT0EpochMs() + 40_000).build()).toList();
        stream(before);
        List<Beat> first = beats.readValuesToList();
        stream(after);
        List<Beat> second = beats.readValuesToList();

        assertThat(second.get(0).getSampleIndex()).isGreaterThan(first.get(first.size() - 1).getSampleIndex());
        assertThat(alerts.readValuesToList().stream().filter(a -> a.getType().equals("EXTREME_TACHYCARDIA"))
                .filter(a -> a.getEndTimeMs() == 0)).extracting(Alert::getAlertId).hasSize(2).doesNotHaveDuplicates();
        return first;
    }

    @ParameterizedTest(name = "{0} Hz, then {1} Hz")
    @CsvSource({"250, 500", "500, 250"})
    void aChangeOfSamplingRateInASlowRegularRhythmIsNoPauseNorAsystole(double firstHz, double thenHz) {
        // 45/min: 1.33 s between beats, so the 2 s the new detector learns for lay over 4 s of
        // silence between two beats, read as a pause or an asystole before.
        String device = "patient-rate-" + (int) firstHz;
        List<SampleChunk> before = SyntheticChunks.chunks(device,
                SyntheticChunks.record(firstHz, 5, new Segment(30, 45)), 1.0);
        List<SampleChunk> after = SyntheticChunks.chunks(device,
                SyntheticChunks.record(thenHz, 6, new Segment(30, 45)), 1.0).stream()
                .map(c -> c.toBuilder().setSeq(c.getSeq() + before.size())
                        .setT0EpochMs(c.getT0EpochMs() + 30_000).build()).toList();
        stream(before);
        stream(after);

        assertThat(episodes.readValuesToList()).extracting(Episode::getType).doesNotContain("PAUSE", "ASYSTOLE");
        assertThat(beats.readValuesToList().stream().filter(b -> b.getTimeMs() > SyntheticChunks.T0 + 33_000))
                .as("beats found again after the new detector learnt").isNotEmpty();
    }

    @Test
    void evidenceSaysHowMuchLaterThanTheirDeviceTimeTheChunksArrived() {
        // A device whose clock is an hour behind: its chunks reach Kafka an hour after their device
        // time says, where a strip reader must look for them.
        long behindMs = 3_600_000;
        for (SampleChunk chunk : SyntheticChunks.chunks("patient-23", SyntheticChunks.record(250, 3,
                new Segment(10, 72), new Segment(30, 165)), 1.0)) {
            samples.pipeInput(new TestRecord<>(chunk.getDeviceId(), chunk,
                    Instant.ofEpochMilli(chunk.getT0EpochMs() + behindMs)));
            driver.advanceWallClockTime(InferenceSettings.DEFAULT_MAX_WAIT.plusMillis(1));
        }

        assertThat(beats.readValuesToList()).isNotEmpty()
                .allSatisfy(b -> assertThat(b.getChunkArrivalOffsetMs()).isEqualTo(behindMs));
        assertThat(alerts.readValuesToList()).filteredOn(a -> a.getType().equals("EXTREME_TACHYCARDIA"))
                .isNotEmpty().allSatisfy(a -> assertThat(a.getEvidence().getChunkArrivalOffsetMs()).isEqualTo(behindMs));
        assertThat(episodes.readValuesToList()).isNotEmpty()
                .allSatisfy(e -> assertThat(e.getEvidence().getChunkArrivalOffsetMs()).isEqualTo(behindMs));
    }

    @Test
    void aDeviceThatResumesItsCountAfterAnHourOffIsADataGapNotAsystole() {
        List<SampleChunk> chunks = SyntheticChunks.chunks("patient-12",
                SyntheticChunks.record(250, 10, new Segment(30, 70)), 1.0);
        stream(chunks.subList(0, 15));
        long lastEndMs = chunks.get(14).getT0EpochMs() + 1000;
        // Switched off for an hour; the next chunk has the next seq, but its samples are an hour later.
        List<SampleChunk> later = chunks.subList(15, chunks.size()).stream()
                .map(c -> c.toBuilder().setT0EpochMs(c.getT0EpochMs() + 3_600_000).build()).toList();
        stream(later);

        List<Episode> found = episodes.readValuesToList();
        assertThat(found).extracting(Episode::getType).containsOnly("DATA_GAP");
        assertThat(found).singleElement().satisfies(gap -> {
            assertThat(gap.getOnsetTimeMs()).isEqualTo(lastEndMs);
            assertThat(gap.getEndTimeMs()).isEqualTo(later.get(0).getT0EpochMs());
            assertThat(gap.getDetail()).isEqualTo("no samples for 3600.0 s before chunk 15");
        });
        assertThat(alerts.readValuesToList()).extracting(Alert::getType).containsExactly("DATA_GAP");
        List<Beat> all = beats.readValuesToList();
        assertThat(all).extracting(Beat::getTimeMs).as("no beat dated inside the gap")
                .noneMatch(t -> t > lastEndMs && t < later.get(0).getT0EpochMs());
        List<Beat> flagged = all.stream().filter(b -> b.getSignalIssuesList().contains(SignalIssue.DATA_GAP)).toList();
        assertThat(flagged).singleElement().satisfies(b -> {
            assertThat(b.getTimeMs()).isGreaterThanOrEqualTo(later.get(0).getT0EpochMs());
            assertThat(b.getRrMs()).as("unknown across the gap").isZero();
        });
        assertThat(all.get(all.indexOf(flagged.get(0)) - 1).getTimeMs()).isLessThan(lastEndMs);
    }

    @Test
    void aBeatDecidedAfterAChunkTooShortToHoldOneIsDatedInTheChunkItLiesIn() {
        // The README's example: 10 s of tachycardia in one chunk; then, 20 s later, a chunk of three
        // samples; then ECG 10 s after that. The tachycardia's last beats, decided only in the
        // chunks after it, were dated back from the end of the three samples: 20 s into the gap,
        // and the episode ended there ("ended after 27.8 s"; 335 days where the chunks after
        // the example were dated now).
        SampleChunk fast = SyntheticChunks.chunks("patient-41",
                SyntheticChunks.record(250, 5, new Segment(10, 170)), 10.0).get(0);
        long fastEndMs = fast.getT0EpochMs() + 10_000;
        SampleChunk tiny = SampleChunk.newBuilder(fast).setSeq(1).setT0EpochMs(fastEndMs + 20_000)
                .setLeads(0, fast.getLeads(0).toBuilder().clearSamples().addAllSamples(List.of(1, 2, 3))).build();
        SampleChunk normal = SyntheticChunks.chunks("patient-41",
                SyntheticChunks.record(250, 6, new Segment(10, 72)), 10.0).get(0).toBuilder()
                .setSeq(2).setT0EpochMs(tiny.getT0EpochMs() + 10_000).build();
        stream(List.of(fast, tiny, normal));

        assertThat(beats.readValuesToList()).extracting(Beat::getTimeMs).as("no beat dated inside the gaps")
                .noneMatch(t -> t > fastEndMs && t < normal.getT0EpochMs());
        List<Alert> tachycardia = alerts.readValuesToList().stream()
                .filter(a -> a.getType().equals("EXTREME_TACHYCARDIA")).toList();
        assertThat(tachycardia).isNotEmpty().last().satisfies(ended -> {
            assertThat(ended.getEndTimeMs()).as("its last fast beat").isBetween(fastEndMs - 1_000, fastEndMs);
            assertThat(ended.getMessage()).doesNotContain("ended after 2");
        });
    }

    @Test
    void aLeadOffAcrossADataGapEndsWithTheOnsetItBeganWith() {
        SyntheticEcg.Recording recording = SyntheticChunks.record(360, 4, new Segment(40, 70));
        for (int i = 15 * 360; i < 25 * 360; i++) {
            recording.samples()[i] = 512;
        }
        List<SampleChunk> chunks = SyntheticChunks.chunks("patient-19", recording, 1.0);
        // The device was out of range for two minutes while the lead was off.
        stream(chunks.subList(0, 20));
        stream(chunks.subList(20, chunks.size()).stream()
                .map(c -> c.toBuilder().setT0EpochMs(c.getT0EpochMs() + 120_000).build()).toList());

        List<Alert> leadOff = alerts.readValuesToList().stream().filter(a -> a.getType().equals("LEAD_OFF")).toList();
        assertThat(leadOff).hasSize(2);
        assertThat(leadOff.get(1).getEndTimeMs()).isPositive();
        assertThat(leadOff.get(1).getAlertId()).isEqualTo(leadOff.get(0).getAlertId());
        assertThat(leadOff.get(1).getOnsetTimeMs()).as("the same episode, dated once")
                .isEqualTo(leadOff.get(0).getOnsetTimeMs());
    }

    @Test
    void sixSecondsWithoutQrsOnASteadyBaselineIsAsystole() {
        stream(SyntheticChunks.chunks("patient-13", withoutQrs(SyntheticChunks.record(250, 11, new Segment(30, 70)),
                12, 18, 0), 1.0));

        assertThat(episodes.readValuesToList()).extracting(Episode::getType).contains("ASYSTOLE");
    }

    @Test
    void aQuietAsystoleOnACleanDeviceIsTheAsystoleAlarmNotALeadOff() {
        // 2 µV of noise, 1 µV per unit, 500 Hz: nearly flat, but a line that moves is a heart
        // without QRS complexes; only a line that does not move at all is a lead off.
        SyntheticEcg.Recording quiet = new SyntheticEcg(500, 1000, 0.02, 0.002, 0, 9)
                .render(ArrhythmiaScript.start(70).sinus(15).pause(10).sinus(15));
        stream(SyntheticChunks.chunks("patient-27", quiet, 1.0));

        assertThat(alerts.readValuesToList()).extracting(Alert::getType).contains("ASYSTOLE")
                .doesNotContain("LEAD_OFF");
    }

    @Test
    void anAsystoleWithSomeNoiseLastsUntilTheBeatsComeBack() {
        // 50 µV of noise: the detector's threshold decays to it in a long silence, and before the
        // least QRS size the noise read as beats 5-8 s in, ending the asystole and starting a
        // false SVT run; and once the beats came back, their T waves read as beats too, another
        // SVT run.
        SyntheticEcg.Recording noisy = new SyntheticEcg(250, 1000, 0.02, 0.05, 0.05, 9)
                .render(ArrhythmiaScript.start(70).sinus(20).pause(40).sinus(20));
        stream(SyntheticChunks.chunks("patient-28", noisy, 1.0));

        List<Episode> ended = episodes.readValuesToList().stream().filter(e -> e.getEndTimeMs() > 0).toList();
        assertThat(ended).singleElement().satisfies(asystole -> {
            assertThat(asystole.getType()).isEqualTo("ASYSTOLE");
            assertThat(asystole.getEndTimeMs() - asystole.getOnsetTimeMs()).as("ms").isGreaterThan(39_000);
        });
    }

    @ParameterizedTest(name = "{1} beats at {0} a minute")
    @CsvSource({"115, 80", "150, 100", "125, 300"})
    void aSustainedVentricularTachycardiaIsOneVtToItsLastBeat(double bpm, int beats) {
        // Its beats used to become the feature template about 10 s in: the model then called them
        // N, then S, and the VT's alarm ended while a low-priority SVT run took over. Later, after
        // 96 of its beats: a 144 s VT at 125 a minute was reported ended 64 s in.
        SyntheticEcg.Recording recording = SyntheticEcg.standard(250, 5)
                .render(ArrhythmiaScript.start(70).sinus(60).ventricularRun(beats, bpm).sinus(30));
        stream(SyntheticChunks.chunks("patient-29", recording, 1.0));

        long lastV = SyntheticChunks.T0 + recording.annotations().stream()
                .filter(a -> a.code() == AnnotationCode.PVC).mapToLong(a -> Math.round(a.sample() * 1000.0 / 250))
                .max().orElseThrow();
        List<Episode> found = episodes.readValuesToList();
        assertThat(found).filteredOn(e -> e.getType().equals("VENTRICULAR_TACHYCARDIA") && e.getEndTimeMs() > 0)
                .singleElement().satisfies(vt -> {
                    assertThat(vt.getEndTimeMs()).as("end, ms before the last V beat").isGreaterThan(lastV - 2_000);
                    assertThat(vt.getDetail()).isEqualTo("sustained");
                });
        assertThat(found).extracting(Episode::getType).doesNotContain("SVT_RUN");
    }

    @Test
    void silenceAndAPauseInsideTenSecondChunksAreFound() {
        // A device may send 10 s chunks: the silence lies between two beats of one chunk.
        stream(SyntheticChunks.chunks("patient-17", withoutQrs(SyntheticChunks.record(250, 11, new Segment(30, 70)),
                12, 18, 0), 10.0));
        assertThat(episodes.readValuesToList()).extracting(Episode::getType).contains("ASYSTOLE");

        SyntheticEcg.Recording pause = SyntheticEcg.standard(250, 12)
                .render(ArrhythmiaScript.start(70).sinus(12).pause(3.4).sinus(12));
        stream(SyntheticChunks.chunks("patient-18", pause, 10.0));
        assertThat(episodes.readValuesToList()).filteredOn(e -> e.getDeviceId().equals("patient-18"))
                .extracting(Episode::getType).containsExactly("PAUSE");
    }

    @Test
    void aBaselineJumpThatSwallowsTheQrsIsNoiseNotAsystole() {
        // As in MIT-BIH 116 and 208: the level leaps by 3-4 mV and creeps back over seconds, the
        // QRS complexes lost in it; the same gap on a steady baseline is asystole (test above).
        stream(SyntheticChunks.chunks("patient-14", withoutQrs(SyntheticChunks.record(250, 11, new Segment(30, 70)),
                12, 18, 3.5), 1.0));

        List<String> types = episodes.readValuesToList().stream().map(Episode::getType).toList();
        assertThat(types).doesNotContain("ASYSTOLE", "PAUSE").contains("NOISE");
        assertThat(beats.readValuesToList()).filteredOn(b -> b.getTimeMs() > SyntheticChunks.T0 + 22_000)
                .isNotEmpty()
                .allSatisfy(b -> assertThat(b.getSignalIssuesList()).isEmpty());
    }

    @Test
    void aLeadThatPicksUpOnlyMainsHumIsNoiseNotAsystole() {
        SyntheticEcg.Recording r = SyntheticChunks.record(250, 11, new Segment(30, 70));
        int[] samples = r.samples().clone();
        for (int i = 12 * 250; i < 18 * 250; i++) {
            samples[i] = (int) Math.round(Math.sin(2 * Math.PI * 50 * i / 250.0) * r.gainPerMv());
        }
        stream(SyntheticChunks.chunks("patient-15",
                new SyntheticEcg.Recording(r.fsHz(), r.gainPerMv(), samples, r.rPeaks(), r.annotations()), 1.0));

        assertThat(episodes.readValuesToList()).extracting(Episode::getType).doesNotContain("ASYSTOLE", "PAUSE")
                .contains("NOISE");
    }

    @Test
    void beatsCarryTheirPrematurityAndHowAlikeTheirPWaveIsToTheTemplateAndAtrialFibrillationIsFound() {
        SyntheticEcg.Recording recording = SyntheticEcg.standard(250, 8)
                .render(ArrhythmiaScript.start(70).sinus(60).atrialFibrillation(150, 110).sinus(60));
        stream(SyntheticChunks.chunks("patient-16", recording, 1.0));
        driver.advanceWallClockTime(InferenceSettings.DEFAULT_MAX_WAIT.plusMillis(1));

        List<ClassifiedBeat> all = classified.readValuesToList();
        assertThat(all).isNotEmpty().allSatisfy(b -> {
            assertThat(b.hasPWaveSimilarity()).isTrue();
            assertThat(b.hasPrematurityIndex()).isTrue();
            assertThat(b.getPremature()).isEqualTo(b.getPrematurityIndex() < 0.9f);
        });
        // Every sinus beat has the same P wave; AF has fibrillatory waves instead, at a phase that
        // differs from beat to beat.
        assertThat(medianPWave(all, 20, 55)).isGreaterThan(0.9);
        assertThat(medianPWave(all, 90, 205)).isLessThan(0.5);

        List<Episode> af = episodes.readValuesToList().stream()
                .filter(e -> e.getType().equals("ATRIAL_FIBRILLATION")).toList();
        assertThat(af).isNotEmpty();
        assertThat((af.get(0).getOnsetTimeMs() - SyntheticChunks.T0) / 1000.0).isBetween(55.0, 90.0);
    }

    /** Median P-wave similarity of the beats between two times from the recording's start. */
    private static double medianPWave(List<ClassifiedBeat> beats, double fromS, double toS) {
        double[] values = beats.stream()
                .filter(b -> b.getBeat().getTimeMs() >= SyntheticChunks.T0 + fromS * 1000
                        && b.getBeat().getTimeMs() < SyntheticChunks.T0 + toS * 1000)
                .mapToDouble(ClassifiedBeat::getPWaveSimilarity).sorted().toArray();
        assertThat(values).hasSizeGreaterThan(20);
        return values[values.length / 2];
    }

    /**
     * The recording with its QRS complexes gone between two times: a slow 0.05 mV wave with
     * 0.01 mV of noise instead (not a flat line, which is lead off, nor a quantised plateau, which
     * is clipping), on a baseline that jumps by {@code jumpMv} at the start and decays with a 2 s
     * time constant, through the rest of the recording.
     */
    private static SyntheticEcg.Recording withoutQrs(SyntheticEcg.Recording r, double fromS, double toS,
            double jumpMv) {
        int[] samples = r.samples().clone();
        int from = (int) (fromS * r.fsHz());
        int to = (int) (toS * r.fsHz());
        int level = samples[from];
        java.util.Random noise = new java.util.Random(3);
        for (int i = from; i < samples.length; i++) {
            double t = (i - from) / r.fsHz();
            double jump = jumpMv * Math.exp(-t / 2) * r.gainPerMv();
            double wave = i < to
                    ? level + (0.05 * Math.sin(2 * Math.PI * t) + 0.01 * noise.nextGaussian()) * r.gainPerMv()
                    : samples[i];
            samples[i] = (int) Math.round(wave + jump);
        }
        return new SyntheticEcg.Recording(r.fsHz(), r.gainPerMv(), samples, r.rPeaks(), r.annotations());
    }

    /**
     * The stores the pipeline writes per device, and the most bytes each may hold for one; the
     * classifier's without the beats waiting for their inference batch, which are counted apart.
     */
    private static final Map<String, Integer> STATE_LIMITS = Map.of(
            BeatDetectionProcessor.STORE, 5_500,
            BeatClassificationProcessor.STORE, 6_000,
            EpisodeProcessor.STORE, 3_000,
            BurdenProcessor.STORE, 3_000);

    @Test
    void aDevicesStateStaysSmallAndBoundedOverADayAndMore() {
        // Every store but the operators' per-patient settings is measured.
        Set<String> measured = new HashSet<>(STATE_LIMITS.keySet());
        measured.add(MonitorTopology.PATIENTS_STORE);
        assertThat(driver.getAllStateStores().keySet()).isEqualTo(measured);
        // Thirteen minutes of most rhythms the rules follow, noise and a lead off among them...
        ArrhythmiaScript block = ArrhythmiaScript.start(70).sinus(60).pvc().sinus(20).couplet().sinus(20)
                .ventricularRun(8, 160).sinus(30).svtRun(6, 150).sinus(20).bigeminy(10).sinus(30)
                .atrialFibrillation(120, 110).sinus(30).pause(3.5).sinus(20).noiseBurst(5).sinus(20).leadOff(5)
                .sinus(20).repeat(2);
        List<SampleChunk> first = SyntheticChunks.chunks("d", SyntheticEcg.standard(250, 21).render(block), 1.0);
        StateSizes sizes = new StateSizes();
        first.forEach(chunk -> streamMeasuring(chunk, sizes));
        assertThat(episodes.readValuesToList()).extracting(Episode::getType).contains("ATRIAL_FIBRILLATION",
                "VENTRICULAR_TACHYCARDIA", "SVT_RUN", "BIGEMINY", "PAUSE", "LEAD_OFF");
        // ...then a minute with a ventricular and an SVT run at the start of each of the next 26
        // hours of device time: the burden keeps 24 hours, and nothing else may grow with time or
        // with the episodes that come and go.
        long hourMs = 3_600_000;
        long start = first.get(first.size() - 1).getT0EpochMs() + hourMs;
        Map<String, Integer> afterThreeHours = Map.of();
        for (int h = 0; h < 26; h++) {
            SyntheticEcg.Recording minute = SyntheticEcg.standard(250, 100 + h).render(ArrhythmiaScript.start(75)
                    .sinus(20).ventricularRun(6, 150).sinus(15).svtRun(6, 150).sinus(15));
            for (SampleChunk c : SyntheticChunks.chunks("d", minute, 1.0)) {
                streamMeasuring(c.toBuilder().setSeq(first.size() + 60L * h + c.getSeq())
                        .setT0EpochMs(start + h * hourMs + (c.getT0EpochMs() - SyntheticChunks.T0)).build(), sizes);
            }
            if (h == 2) {
                afterThreeHours = stateBytes("d");
            }
        }
        assertThat(episodes.readValuesToList().stream().filter(e -> e.getType().equals("VENTRICULAR_TACHYCARDIA"))
                .map(Episode::getEpisodeId).distinct()).as("a ventricular run every hour").hasSize(26);
        System.out.printf("State per device, most bytes over 27 h of device time: %s; at most %d beats waiting"
                + " for their inference batch, %d bytes with them%n", sizes.bytes, sizes.mostReady,
                sizes.mostWithReady);
        STATE_LIMITS.forEach((store, limit) -> assertThat(sizes.bytes.get(store)).as(store).isLessThan(limit));
        // A second of ECG holds at most three beats at these rates: the batch flushes after each chunk here.
        assertThat(sizes.mostReady).isBetween(1, 3);
        Map<String, Integer> atTheEnd = stateBytes("d");
        for (String store : List.of(BeatDetectionProcessor.STORE, BeatClassificationProcessor.STORE,
                EpisodeProcessor.STORE)) {
            // Counters and sample numbers may take a byte more as they grow, nothing else.
            assertThat(atTheEnd.get(store)).as("%s after 26 hours against 3", store)
                    .isLessThanOrEqualTo(afterThreeHours.get(store) + 16);
        }
        KeyValueStore<String, BurdenState> burden = driver.getKeyValueStore(BurdenProcessor.STORE);
        assertThat(burden.get("d").getHoursCount()).isEqualTo(24);
    }

    @Test
    void aChunksManyBeatsReachEachChangelogOnceACommit() {
        // A 10 s chunk at 120/min: each processor writes the device's state at every beat,
        // the store's cache hands the changelog the last of them at the commit (the test driver
        // commits after each input and each wall-clock advance).
        SyntheticEcg.Recording recording = SyntheticChunks.record(250, 30, new Segment(10, 120));
        stream(SyntheticChunks.chunks("d", recording, 10.0));
        assertThat(classified.readValuesToList()).hasSizeGreaterThan(10);
        for (String store : STATE_LIMITS.keySet()) {
            TestOutputTopic<String, byte[]> changelog = driver.createOutputTopic("topology-test-" + store + "-changelog",
                    new StringDeserializer(), new ByteArrayDeserializer());
            assertThat(changelog.readRecordsToList()).as(store).hasSizeBetween(1, 2);
        }
    }

    /** The most bytes each store held for the device, and the most beats waiting for inference. */
    private static final class StateSizes {
        final Map<String, Integer> bytes = new TreeMap<>();
        int mostReady;
        int mostWithReady;
    }

    /**
     * Sends a chunk and measures the device's state twice: with the beats waiting for their
     * inference batch (before the wall clock lets it flush) and after.
     */
    private void streamMeasuring(SampleChunk chunk, StateSizes sizes) {
        send(List.of(chunk));
        KeyValueStore<String, BeatClassifierState> classifier = driver.getKeyValueStore(BeatClassificationProcessor.STORE);
        BeatClassifierState waiting = classifier.get(chunk.getDeviceId());
        if (waiting != null) {
            sizes.mostReady = Math.max(sizes.mostReady, waiting.getReadyCount());
            sizes.mostWithReady = Math.max(sizes.mostWithReady, waiting.getSerializedSize());
        }
        driver.advanceWallClockTime(InferenceSettings.DEFAULT_MAX_WAIT.plusMillis(1));
        stateBytes(chunk.getDeviceId()).forEach((store, n) -> sizes.bytes.merge(store, n, Math::max));
    }

    /** The serialized size of each store's value for a device; the classifier's without waiting beats. */
    private Map<String, Integer> stateBytes(String deviceId) {
        Map<String, Integer> out = new TreeMap<>();
        for (String store : STATE_LIMITS.keySet()) {
            KeyValueStore<String, Message> kv = driver.getKeyValueStore(store);
            Message value = kv.get(deviceId);
            if (value instanceof BeatClassifierState classifier) {
                value = classifier.toBuilder().clearReady().build();
            }
            if (value != null) {
                out.put(store, value.getSerializedSize());
            }
        }
        return out;
    }

    @Test
    void devicesAreTrackedIndependently() {
        SyntheticEcg.Recording fast = SyntheticChunks.record(250, 5, new Segment(30, 170));
        SyntheticEcg.Recording normal = SyntheticChunks.record(500, 6, new Segment(30, 70));
        List<SampleChunk> a = SyntheticChunks.chunks("fast", fast, 1.0);
        List<SampleChunk> b = SyntheticChunks.chunks("normal", normal, 1.0);
        for (int i = 0; i < a.size(); i++) {
            stream(List.of(a.get(i), b.get(i)));
        }
        assertThat(alerts.readRecordsToList()).singleElement().satisfies(r -> assertThat(r.key()).isEqualTo("fast"));
    }

    @Test
    void aChunkWhoseGainNoGatewayAcceptsIsSkippedAndDetectionGoesOn() {
        // Written by a producer other than the gateway: a gain of 1e-200 makes every sample
        // infinite, and one such chunk would leave the device's filters NaN for good.
        List<SampleChunk> chunks = new ArrayList<>(SyntheticChunks.chunks("patient-11",
                SyntheticChunks.record(250, 9, new Segment(30, 60)), 1.0));
        SampleChunk bad = chunks.get(10);
        chunks.set(10, bad.toBuilder().setLeads(0, bad.getLeads(0).toBuilder().setGainPerMv(1e-200)).build());
        stream(chunks);

        List<Long> beatTimes = beats.readRecordsToList().stream().map(r -> r.value().getTimeMs()).toList();
        long afterBad = chunks.get(11).getT0EpochMs();
        assertThat(beatTimes.stream().filter(t -> t >= afterBad)).as("beats after the bad chunk").hasSizeGreaterThan(15);
    }

    @Test
    void anUnreadableRecordIsSkippedAndTheDeviceGoesOn() {
        TestInputTopic<String, byte[]> raw = driver.createInputTopic(Topics.SAMPLES, new StringSerializer(),
                new ByteArraySerializer());
        raw.pipeInput("patient-9", new byte[] {(byte) 0xff, 0x01, 0x02});

        stream(SyntheticChunks.chunks("patient-9", SyntheticChunks.record(250, 7, new Segment(20, 170)), 1.0));

        assertThat(alerts.readRecordsToList()).hasSize(1);
        assertThat(driver.metrics().entrySet().stream()
                .filter(e -> e.getKey().name().equals("dropped-records-total"))
                .mapToDouble(e -> ((Number) e.getValue().metricValue()).doubleValue())
                .sum()).isEqualTo(1.0);
    }
}
