package org.arrhythmiamonitor.beat;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.MockProcessorContext.CapturedPunctuator;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.arrhythmiamonitor.inference.InferenceSettings;
import org.arrhythmiamonitor.inference.ModelRegistry;
import org.arrhythmiamonitor.state.v1.BeatClassifierState;
import org.arrhythmiamonitor.state.v1.BeatFeatureState;
import org.arrhythmiamonitor.state.v1.QrsFamilyState;
import org.arrhythmiamonitor.state.v1.TemplateMatchState;
import org.arrhythmiamonitor.wire.ProtobufSerde;
import org.arrhythmiamonitor.wire.v1.Beat;
import org.arrhythmiamonitor.wire.v1.BeatClass;
import org.arrhythmiamonitor.wire.v1.BeatMorphology;
import org.arrhythmiamonitor.wire.v1.ClassifiedBeat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What happens to beats waiting for their batch when a processor instance stops. */
class BeatClassificationProcessorTest {
    private static final long T0 = 1_767_225_600_000L;

    private ModelRegistry models;
    private KeyValueStore<String, BeatClassifierState> store;

    @BeforeEach
    void open() {
        models = new ModelRegistry(BeatFeatures.MODEL_NAME, BeatFeatures.CONTRACT, InferenceSettings.defaults());
        store = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(BeatClassificationProcessor.STORE),
                Serdes.String(), new ProtobufSerde<>(BeatClassifierState.parser(), "BeatClassifierState"))
                .withLoggingDisabled().build();
    }

    @AfterEach
    void close() {
        models.close();
    }

    private MockProcessorContext<String, ClassifiedBeat> start(BeatClassificationProcessor processor) {
        MockProcessorContext<String, ClassifiedBeat> context = new MockProcessorContext<>();
        context.setCurrentSystemTimeMs(T0);
        context.setCurrentStreamTimeMs(T0);
        store.init(context.getStateStoreContext(), store);
        context.addStateStore(store);
        processor.init(context);
        return context;
    }

    private static Beat beat(String device, int i) {
        BeatMorphology.Builder m = BeatMorphology.newBuilder().setRateHz(250).setBefore(BeatWindow.BEFORE);
        for (int k = 0; k < BeatWindow.LENGTH; k++) {
            m.addSamplesMv((float) Math.exp(-Math.pow(k - BeatWindow.BEFORE, 2) / 12.0));
        }
        return Beat.newBuilder().setDeviceId(device).setSampleIndex(250L * i).setTimeMs(T0 + 1000L * i)
                .setRrMs(i == 0 ? 0 : 1000).setMorphology(m).build();
    }

    /**
     * The i-th beat of a device whose usual beat has a P wave, a QRS complex a little wider than
     * most and a T wave. Every tenth beat comes 550 ms after the one before, without a P wave and
     * with its T wave inverted, as a PVC's is, and is followed by a compensatory pause ({@link
     * #rrMs}), yet has the QRS of the others ({@code earlyQrsScale} 1), or that QRS {@code
     * earlyQrsScale} times as tall: what the model calls V and the template match must not turn
     * when it is the usual QRS.
     */
    private static Beat borderlineBeat(int i, double earlyQrsScale) {
        boolean early = i % 10 == 9;
        BeatMorphology.Builder m = BeatMorphology.newBuilder().setRateHz(250).setBefore(BeatWindow.BEFORE);
        for (int k = 0; k < BeatWindow.LENGTH; k++) {
            double t = (k - BeatWindow.BEFORE) / 250.0;
            m.addSamplesMv((float) ((early ? earlyQrsScale : 1) * Math.exp(-t * t / (2 * 0.03 * 0.03))
                    + (early ? 0 : 0.15) * Math.exp(-Math.pow(t + 0.16, 2) / (2 * 0.025 * 0.025))
                    + (early ? -0.8 : 0.3) * Math.exp(-Math.pow(t - 0.28, 2) / (2 * 0.04 * 0.04))));
        }
        long timeMs = 0;
        for (int k = 1; k <= i; k++) {
            timeMs += rrMs(k);
        }
        return Beat.newBuilder().setDeviceId("a").setSampleIndex(timeMs / 4).setTimeMs(T0 + timeMs)
                .setRrMs(i == 0 ? 0 : rrMs(i)).setMorphology(m).build();
    }

    /** Every tenth beat early, with the full compensatory pause after it that a PVC has. */
    private static int rrMs(int i) {
        return i % 10 == 9 ? 550 : i % 10 == 0 ? 1450 : 1000;
    }

    private static void runWallClockPunctuators(MockProcessorContext<String, ClassifiedBeat> context) {
        for (CapturedPunctuator p : context.scheduledPunctuators()) {
            if (p.getType() == PunctuationType.WALL_CLOCK_TIME) {
                p.getPunctuator().punctuate(context.currentSystemTimeMs());
            }
        }
    }

    @Test
    void beatsWaitingForTheirBatchWhenAnInstanceStopsAreClassifiedByTheNextOne() {
        InferenceSettings slow = new InferenceSettings(null, InferenceSettings.defaults().device(), 1, 256,
                java.time.Duration.ofMillis(1), java.time.Duration.ZERO);
        BeatClassificationProcessor first = new BeatClassificationProcessor(models, slow, new SimpleMeterRegistry());
        MockProcessorContext<String, ClassifiedBeat> before = start(first);
        for (int i = 0; i < 6; i++) {
            for (String device : List.of("a", "b")) {
                Beat b = beat(device, i);
                first.process(new Record<>(device, b, b.getTimeMs()));
            }
        }
        // Nothing forwarded yet: the batch is not full and its wall-clock punctuator has not run.
        assertThat(before.forwarded()).isEmpty();
        first.close();

        BeatClassificationProcessor second = new BeatClassificationProcessor(models, slow, new SimpleMeterRegistry());
        MockProcessorContext<String, ClassifiedBeat> after = start(second);
        after.setCurrentSystemTimeMs(after.currentSystemTimeMs() + 1);
        runWallClockPunctuators(after);

        List<Record<String, ClassifiedBeat>> out = after.forwarded().stream()
                .map(f -> new Record<String, ClassifiedBeat>(f.record().key(), f.record().value(), f.record().timestamp()))
                .toList();
        // Each device's last beat still waits for its next beat.
        assertThat(out).hasSize(10);
        assertThat(out).filteredOn(r -> r.key().equals("a")).extracting(r -> r.value().getBeat().getSampleIndex())
                .containsExactly(0L, 250L, 500L, 750L, 1000L);
        assertThat(out).allSatisfy(r -> assertThat(r.timestamp()).isEqualTo(r.value().getBeat().getTimeMs()));
        // Once forwarded, the beats leave the store.
        assertThat(store.get("a").getReadyCount()).isZero();
        assertThat(store.get("a").getPendingBeat().isEmpty()).isFalse();
        // Between batches a device keeps its waiting beat (with its window) and its template.
        int bytes = store.get("a").getSerializedSize();
        System.out.printf("Beat classification state per device: %d bytes%n", bytes);
        assertThat(bytes).isLessThan(2_000);
    }

    @Test
    void beatsWhoseInferenceFailsGoOnUnclassifiedAndTheProcessorSaysSo() {
        // A real ONNX Runtime failure at run time: the served model's session closed under the
        // registry. The batch was dropped by the stream's exception handler, and its beats left
        // the store with the device's next batch.
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        InferenceSettings slow = new InferenceSettings(null, InferenceSettings.defaults().device(), 1, 256,
                java.time.Duration.ofMillis(1), java.time.Duration.ZERO);
        BeatClassificationProcessor processor = new BeatClassificationProcessor(models, slow, meters);
        MockProcessorContext<String, ClassifiedBeat> context = start(processor);
        models.withModel(m -> {
            m.close();
            return null;
        });
        for (int i = 0; i < 6; i++) {
            for (String device : List.of("a", "b")) {
                Beat b = beat(device, i);
                processor.process(new Record<>(device, b, b.getTimeMs()));
            }
        }
        context.setCurrentSystemTimeMs(context.currentSystemTimeMs() + 1);
        runWallClockPunctuators(context);

        List<Record<String, ClassifiedBeat>> out = context.forwarded().stream()
                .map(f -> new Record<String, ClassifiedBeat>(f.record().key(), f.record().value(), f.record().timestamp()))
                .toList();
        assertThat(out).as("every ready beat, each device's last still waiting").hasSize(10);
        assertThat(out).filteredOn(r -> r.key().equals("b")).extracting(r -> r.value().getBeat().getSampleIndex())
                .containsExactly(0L, 250L, 500L, 750L, 1000L);
        assertThat(out).allSatisfy(r -> {
            assertThat(r.timestamp()).isEqualTo(r.value().getBeat().getTimeMs());
            assertThat(r.value().getBeatClass()).isEqualTo(BeatClass.Q);
            assertThat(r.value().getUnclassified()).isTrue();
            assertThat(r.value().getModel()).isEmpty();
            assertThat(r.value().getProbabilitiesList()).isEmpty();
        });
        assertThat(out.get(1).value().getNextRrMs()).as("the interval the classification waited for").isEqualTo(1000);
        assertThat(store.get("a").getReadyCount()).isZero();
        assertThat(models.inferenceFailure()).hasValueSatisfying(m -> assertThat(m).contains("closed"));
        assertThat(meters.get("ecg.inference.failures").counter().count()).isEqualTo(1);
        assertThat(meters.get("ecg.beats.unclassified").counter().count()).isEqualTo(10);
    }

    /**
     * Device "a"'s first {@code n} {@link #borderlineBeat(int, double) borderline beats} through a
     * new processor, once its store is open and {@code beforeBeats} has run: what it forwards.
     */
    private List<ClassifiedBeat> classifyBorderline(SimpleMeterRegistry meters, int n, double earlyQrsScale,
            Runnable beforeBeats) {
        BeatClassificationProcessor processor = new BeatClassificationProcessor(models,
                InferenceSettings.defaults(), meters);
        MockProcessorContext<String, ClassifiedBeat> context = start(processor);
        beforeBeats.run();
        for (int i = 0; i < n; i++) {
            Beat b = borderlineBeat(i, earlyQrsScale);
            processor.process(new Record<>("a", b, b.getTimeMs()));
        }
        context.setCurrentSystemTimeMs(context.currentSystemTimeMs() + 1_000);
        runWallClockPunctuators(context);
        return context.forwarded().stream().map(f -> (ClassifiedBeat) f.record().value()).toList();
    }

    @Test
    void anEarlyBeatWithThePatientsUsualQrsThatTheModelCallsVIsClassifiedS() {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        List<ClassifiedBeat> out = classifyBorderline(meters, 40, 1.0, () -> { });
        assertThat(out).hasSize(39);
        int v = BeatClasses.NAMES.indexOf("V");
        for (int i = 0; i < out.size(); i++) {
            ClassifiedBeat c = out.get(i);
            assertThat(c.getQrsDifference()).isLessThan(0.001f);
            assertThat(c.hasTemplateVentricular()).as("the template's state is forwarded").isTrue();
            assertThat(c.getTemplateVentricular()).isFalse();
            if (i % 10 != 9) {
                assertThat(c.getBeatClass()).isEqualTo(BeatClass.N);
                continue;
            }
            // The model calls the early beats V; their QRS is the patient's usual one.
            assertThat(BeatClasses.mostLikely(probabilities(c))).isEqualTo(v);
            // The first comes before the template has learnt from 16 beats: the call stands.
            assertThat(c.getBeatClass()).isEqualTo(i < 16 ? BeatClass.V : BeatClass.S);
        }
        assertThat(meters.get("ecg.beats.template.matched").tags("model_class", "V", "class", "S").counter().count())
                .isEqualTo(2.0);
        assertThat(meters.get("ecg.beats.template.held").tags("guard", "young_template").counter().count())
                .isEqualTo(1.0);
        assertThat(meters.get("ecg.beats.template.held").tags("guard", "ventricular_template").counter().count())
                .isZero();
        // Those calls are turned by the template itself; none stood on a conducted shape.
        assertThat(meters.get("ecg.beats.shape.conducted").tags("class", "V").counter().count()).isZero();
        assertThat(store.get("a").getTemplateMatch().getBeats()).isEqualTo(16);
        assertThat(store.get("a").getTemplateMatch().getVentricular()).isFalse();
        // The device's QRS families are kept with the template, learnt from every classified beat.
        assertThat(store.get("a").getTemplateMatch().getFamiliesCount()).isPositive();
        assertThat(store.get("a").getTemplateMatch().getFamiliesList().stream()
                .mapToLong(org.arrhythmiamonitor.state.v1.QrsFamilyState::getLastJoined).max().orElse(0))
                .isEqualTo(out.size());
    }

    @Test
    void aVentricularCallOnAConductedShapeIsCountedAndKeepsItsClass() {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        // The early beats' QRS 1.35 times as tall: too far from the template to match it (0.1), near
        // enough to the usual beats' family (0.15) to be of its shape.
        List<ClassifiedBeat> out = classifyBorderline(meters, 40, 1.35, () -> { });
        List<ClassifiedBeat> onTheShape = out.stream().filter(ClassifiedBeat::getConductedShape)
                .filter(c -> c.getBeatClass() == BeatClass.V).toList();
        assertThat(onTheShape).as("V calls on the usual beats' shape, after it has 16 beats").hasSize(2);
        assertThat(onTheShape).allSatisfy(c -> assertThat(c.getQrsDifference()).isGreaterThan(0.1f));
        assertThat(meters.get("ecg.beats.shape.conducted").tags("class", "V").counter().count()).isEqualTo(2.0);
    }

    @Test
    void aDamagedSavedStateStartsAfreshInsteadOfStoppingTheStream() {
        // A QRS family and a beat template of 5 samples: another version's, or a corrupted changelog's.
        List<Float> five = List.of(1f, 2f, 3f, 4f, 5f);
        List<ClassifiedBeat> out = classifyBorderline(new SimpleMeterRegistry(), 20, 1.0, () -> store.put("a",
                BeatClassifierState.newBuilder().setFeatures(BeatFeatureState.newBuilder().addAllTemplate(five))
                        .setTemplateMatch(TemplateMatchState.newBuilder().setBeats(16)
                                .addFamilies(QrsFamilyState.newBuilder().addAllQrs(five).setBeats(40)))
                        .build()));
        assertThat(out).hasSize(19);
        // Afresh, the template is young again: the model's V call on beat 9 stands (learnt from 16
        // beats, as saved, it would have been turned S).
        assertThat(out.get(9).getBeatClass()).isEqualTo(BeatClass.V);
        assertThat(store.get("a").getFeatures().getTemplateCount()).isEqualTo(BeatWindow.LENGTH);
        TemplateMatchState saved = store.get("a").getTemplateMatch();
        assertThat(saved.getFamiliesList()).allSatisfy(f -> assertThat(f.getQrsCount()).isEqualTo(
                BeatWindow.QRS_END - BeatWindow.QRS_START));
        assertThat(saved.getBeats()).as("learnt again from the first beats").isEqualTo(16);
        assertThat(TemplateMatch.restore(saved)).isNotNull();
    }

    private static float[] probabilities(ClassifiedBeat c) {
        float[] p = new float[c.getProbabilitiesCount()];
        for (int k = 0; k < p.length; k++) {
            p[k] = c.getProbabilities(k);
        }
        return p;
    }
}
