package org.arrhythmiamonitor.beat;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.arrhythmiamonitor.inference.InferenceSettings;
import org.arrhythmiamonitor.inference.MicroBatch;
import org.arrhythmiamonitor.inference.ModelRegistry;
import org.arrhythmiamonitor.state.v1.BeatClassifierState;
import org.arrhythmiamonitor.state.v1.BeatFeatureState;
import org.arrhythmiamonitor.state.v1.ReadyBeat;
import org.arrhythmiamonitor.state.v1.TemplateMatchState;
import org.arrhythmiamonitor.wire.v1.Beat;
import org.arrhythmiamonitor.wire.v1.BeatClass;
import org.arrhythmiamonitor.wire.v1.ClassifiedBeat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code ecg.beats -> ecg.beats.classified}: features per device ({@link BeatFeatureExtractor}),
 * then one ONNX inference call for the beats of all devices of the stream task that are ready,
 * when {@link InferenceSettings#maxBatch()} are or the oldest has waited
 * {@link InferenceSettings#maxWait()}. The class forwarded is the model's, checked against the
 * device's usual QRS ({@link TemplateMatch}); the probabilities are the model's.
 *
 * <p>A beat is ready when the next beat of its device arrives (the interval to it is a feature),
 * or when the task's stream time has moved {@link #NEXT_BEAT_TIMEOUT} past the beat's arrival
 * without one (stream time moves with any device's data, so a device that falls silent still has
 * its last beat classified; its next interval then counts as the timeout, as a pause that long
 * would in {@code monitor eval}). Arrival is measured on stream time, not the beat's device time,
 * so a device whose clock lags the others is not timed out early. Ready beats are kept in the store until their batch
 * has been forwarded, so a crash or a rebalance between the two loses none: the task that takes
 * over finds them in the store and queues them again. A batch whose inference fails twice goes on
 * unclassified ({@link #forwardUnclassified}) rather than being lost, and the registry reports the
 * failure to {@code /health}.
 */
public final class BeatClassificationProcessor implements Processor<String, Beat, String, ClassifiedBeat> {
    public static final String STORE = "beat-classification";
    static final Duration NEXT_BEAT_TIMEOUT = Duration.ofSeconds(3);
    /** Inference calls a batch gets before its beats go on unclassified. */
    static final int INFERENCE_ATTEMPTS = 2;
    private static final Logger LOG = LoggerFactory.getLogger(BeatClassificationProcessor.class);

    private final ModelRegistry models;
    private final InferenceSettings settings;
    private final MeterRegistry meters;
    private ProcessorContext<String, ClassifiedBeat> context;
    private KeyValueStore<String, BeatClassifierState> store;
    private MicroBatch<Queued> batch;
    /** Stream time when each device's waiting beat arrived; {@link #NOT_YET} until the next punctuation after a restart. */
    private final Map<String, Long> waitingSince = new HashMap<>();
    private static final long NOT_YET = Long.MIN_VALUE;
    private Timer inferenceTimer;
    /** Batches whose inference failed twice, and the beats they held, forwarded unclassified. */
    private Counter inferenceFailures;
    private Counter unclassified;
    private final Map<BeatClass, Counter> classified = new HashMap<>();
    /** V and F calls the template match turned, by the model's class then the class given. */
    private final Map<BeatClass, Map<BeatClass, Counter>> turned = new HashMap<>();
    private final Map<TemplateMatch.Guard, Counter> heldBack = new HashMap<>();
    /** V and F calls on a conducted QRS shape, by the class given: the episode rules report them S or N. */
    private final Map<BeatClass, Counter> onConductedShape = new HashMap<>();

    private record Queued(String deviceId, ReadyBeat ready) {
    }

    private record Inference(String model, float[][] probabilities) {
    }

    public BeatClassificationProcessor(ModelRegistry models, InferenceSettings settings, MeterRegistry meters) {
        this.models = models;
        this.settings = settings;
        this.meters = meters;
    }

    @Override
    public void init(ProcessorContext<String, ClassifiedBeat> context) {
        this.context = context;
        this.store = context.getStateStore(STORE);
        this.batch = new MicroBatch<>(settings.maxBatch(), settings.maxWait().toMillis());
        this.inferenceTimer = Timer.builder("ecg.inference.batch").description("Time of one beat inference call")
                .publishPercentiles(0.5, 0.99).register(meters);
        inferenceFailures = Counter.builder("ecg.inference.failures")
                .description("Beat batches whose inference failed twice; their beats went on unclassified")
                .register(meters);
        unclassified = Counter.builder("ecg.beats.unclassified")
                .description("Beats forwarded as Q because their batch's inference failed").register(meters);
        for (int k = 0; k < BeatClasses.NAMES.size(); k++) {
            BeatClass c = BeatClasses.wire(k);
            classified.put(c, Counter.builder("ecg.beats.classified").tag("class", c.name()).register(meters));
        }
        // A rise in either means the model suits these patients less well, or the check is off for them.
        for (BeatClass from : List.of(BeatClass.V, BeatClass.F)) {
            for (BeatClass to : List.of(BeatClass.N, BeatClass.S)) {
                turned.computeIfAbsent(from, k -> new HashMap<>()).put(to, Counter.builder("ecg.beats.template.matched")
                        .description("V and F calls turned N or S because the QRS matched the patient's usual one")
                        .tag("model_class", from.name()).tag("class", to.name()).register(meters));
            }
        }
        for (TemplateMatch.Guard guard : TemplateMatch.Guard.values()) {
            heldBack.put(guard, Counter.builder("ecg.beats.template.held")
                    .description("V and F calls that matched the template but stood: it was young or ventricular")
                    .tag("guard", guard.name().toLowerCase(Locale.ROOT)).register(meters));
        }
        for (BeatClass c : List.of(BeatClass.V, BeatClass.F)) {
            onConductedShape.put(c, Counter.builder("ecg.beats.shape.conducted")
                    .description("V and F calls on a QRS shape the classifier mostly calls N or S: reported S or N,"
                            + " while the run rules keep the call")
                    .tag("class", c.name()).register(meters));
        }
        long now = context.currentSystemTimeMs();
        try (KeyValueIterator<String, BeatClassifierState> all = store.all()) {
            while (all.hasNext()) {
                KeyValue<String, BeatClassifierState> entry = all.next();
                for (ReadyBeat ready : entry.value.getReadyList()) {
                    batch.add(new Queued(entry.key, ready), now);
                }
                if (!entry.value.getPendingBeat().isEmpty()) {
                    waitingSince.put(entry.key, NOT_YET);
                }
            }
        }
        context.schedule(Duration.ofMillis(Math.max(1, settings.maxWait().toMillis())), PunctuationType.WALL_CLOCK_TIME,
                this::flushIfDue);
        context.schedule(Duration.ofSeconds(1), PunctuationType.STREAM_TIME, this::expireWaiting);
    }

    @Override
    public void process(Record<String, Beat> record) {
        String deviceId = record.key();
        Beat beat = record.value();
        if (beat.getMorphology().getSamplesMvCount() != BeatWindow.LENGTH) {
            LOG.warn("Device {}: beat at sample {} has {} morphology samples, not {}; it is not classified", deviceId,
                    beat.getSampleIndex(), beat.getMorphology().getSamplesMvCount(), BeatWindow.LENGTH);
            return;
        }
        BeatClassifierState.Builder state = stateOf(deviceId).toBuilder();
        BeatFeatureExtractor extractor = restoreFeatures(deviceId, state.getFeatures());
        ReadyBeat ready = null;
        if (!state.getPendingBeat().isEmpty()) {
            ready = complete(extractor, beat(state.getPendingBeat()), beat.getRrMs(), beat.getRrMs());
            state.addReady(ready);
        }
        state.setPendingBeat(beat.toByteString()).setFeatures(extractor.snapshot());
        store.put(deviceId, state.build());
        waitingSince.put(deviceId, context.currentStreamTimeMs());
        if (ready != null && batch.add(new Queued(deviceId, ready), context.currentSystemTimeMs())) {
            flush();
        } else if (settings.maxWait().isZero()) {
            flush();
        }
    }

    /**
     * Features of a waiting beat now that its next interval is known.
     *
     * @param nextRrMs the interval to the next beat as reported, 0 when none came
     * @param featureNextRrMs the interval the features use
     */
    private static ReadyBeat complete(BeatFeatureExtractor extractor, Beat beat, double nextRrMs,
            double featureNextRrMs) {
        float[] window = new float[BeatWindow.LENGTH];
        for (int k = 0; k < window.length; k++) {
            window[k] = beat.getMorphology().getSamplesMv(k);
        }
        BeatFeatures f = extractor.next(window, beat.getRrMs() / 1000, featureNextRrMs / 1000,
                beat.getSignalIssuesCount() == 0);
        ReadyBeat.Builder ready = ReadyBeat.newBuilder().setBeat(beat.toBuilder().clearMorphology().build().toByteString())
                .setNextRrMs(nextRrMs).setTimestampMs(beat.getTimeMs()).setTaughtTemplate(f.taughtTemplate());
        for (float v : f.beat()) {
            ready.addWindow(v);
        }
        for (float v : f.template()) {
            ready.addTemplate(v);
        }
        for (float v : f.rr()) {
            ready.addRr(v);
        }
        return ready.build();
    }

    private void expireWaiting(long streamTimeMs) {
        long cutoff = streamTimeMs - NEXT_BEAT_TIMEOUT.toMillis();
        long now = context.currentSystemTimeMs();
        boolean full = false;
        for (Iterator<Map.Entry<String, Long>> it = waitingSince.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Long> waiting = it.next();
            if (waiting.getValue() == NOT_YET) {
                waiting.setValue(streamTimeMs);
                continue;
            }
            if (waiting.getValue() > cutoff) {
                continue;
            }
            it.remove();
            BeatClassifierState.Builder state = stateOf(waiting.getKey()).toBuilder();
            if (state.getPendingBeat().isEmpty()) {
                continue;
            }
            BeatFeatureExtractor extractor = restoreFeatures(waiting.getKey(), state.getFeatures());
            ReadyBeat ready = complete(extractor, beat(state.getPendingBeat()), 0, NEXT_BEAT_TIMEOUT.toMillis());
            store.put(waiting.getKey(), state.clearPendingBeat().addReady(ready).setFeatures(extractor.snapshot()).build());
            full |= batch.add(new Queued(waiting.getKey(), ready), now);
        }
        if (full || settings.maxWait().isZero()) {
            flush();
        }
    }

    private void flushIfDue(long wallClockMs) {
        if (batch.due(wallClockMs)) {
            flush();
        }
    }

    private void flush() {
        if (batch.isEmpty()) {
            return;
        }
        List<Queued> items = batch.drain();
        int n = items.size();
        int beatValues = BeatFeatures.CHANNELS.size() * BeatWindow.LENGTH;
        int rrValues = BeatFeatures.RR_FEATURES.size();
        float[] beats = new float[n * beatValues];
        float[] rr = new float[n * rrValues];
        for (int i = 0; i < n; i++) {
            ReadyBeat ready = items.get(i).ready();
            int at = i * beatValues;
            for (int k = 0; k < BeatWindow.LENGTH; k++) {
                beats[at + k] = ready.getWindow(k);
                beats[at + BeatWindow.LENGTH + k] = ready.getTemplate(k);
            }
            for (int k = 0; k < rrValues; k++) {
                rr[i * rrValues + k] = ready.getRr(k);
            }
        }
        Inference result = infer(beats, rr, n);
        if (result == null) {
            forwardUnclassified(items);
            return;
        }

        // Each device's state is read once per batch: its template match runs through the batch's
        // beats in order, and is written back with the ready beats cleared.
        Map<String, BeatClassifierState> states = new HashMap<>();
        Map<String, TemplateMatch> matches = new HashMap<>();
        for (int i = 0; i < n; i++) {
            Queued q = items.get(i);
            float[] p = result.probabilities()[i];
            Beat beat = beat(q.ready().getBeat());
            TemplateMatch match = matches.computeIfAbsent(q.deviceId(), device -> restoreMatch(device,
                    states.computeIfAbsent(device, this::stateOf).getTemplateMatch()));
            boolean readable = beat.getSignalIssuesCount() == 0;
            boolean taughtTemplate = q.ready().hasTaughtTemplate() ? q.ready().getTaughtTemplate()
                    : readable && !BeatFeatures.premature(BeatFeatures.prematurityIndex(rr, i * rrValues));
            BeatReading reading = BeatReading.of(p, match, beats, rr, i, beat.getRrMs() / 1000, readable,
                    taughtTemplate);
            TemplateMatch.Decision decision = reading.decision();
            BeatClass modelClass = BeatClasses.wire(reading.modelClass());
            BeatClass beatClass = reading.beatClass();
            ClassifiedBeat.Builder out = reading.writeTo(ClassifiedBeat.newBuilder().setBeat(beat))
                    .setModel(result.model()).setNextRrMs(q.ready().getNextRrMs());
            classified.get(beatClass).increment();
            if (beatClass != modelClass) {
                turned.get(modelClass).get(beatClass).increment();
            }
            if (decision.heldBy() != null) {
                heldBack.get(decision.heldBy()).increment();
            }
            if (decision.conductedShape() && onConductedShape.containsKey(beatClass)) {
                onConductedShape.get(beatClass).increment();
            }
            context.forward(new Record<>(q.deviceId(), out.build(), q.ready().getTimestampMs()));
        }
        clearReady(states, matches);
    }

    /**
     * Writes each device's state back with its ready beats cleared (and its template match, when
     * the batch was classified): every ready beat in the store was in the batch, and the whole
     * batch went out.
     */
    private void clearReady(Map<String, BeatClassifierState> states, Map<String, TemplateMatch> matches) {
        states.forEach((device, state) -> {
            BeatClassifierState.Builder next = state.toBuilder().clearReady();
            TemplateMatch match = matches.get(device);
            if (match != null) {
                next.setTemplateMatch(match.snapshot());
            }
            store.put(device, next.build());
        });
    }

    /**
     * One inference call for the batch, made again once when it fails (a passing fault of the
     * execution provider); null when both fail. The failure must not leave the batch: the stream's
     * exception handler would log and skip it, and its beats, drained from the batch, would wait in
     * the store only until the device's next batch cleared them.
     */
    private Inference infer(float[] beats, float[] rr, int n) {
        RuntimeException failed = null;
        for (int attempt = 0; attempt < INFERENCE_ATTEMPTS; attempt++) {
            long started = System.nanoTime();
            try {
                Inference result = models.withModel(m -> new Inference(m.card().id(), m.classify(beats, rr, n)));
                inferenceTimer.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
                return result;
            } catch (RuntimeException e) {
                failed = e;
            }
        }
        inferenceFailures.increment();
        models.inferenceFailed(failed);
        return null;
    }

    /**
     * The batch's beats, which the model could not classify, go on as Q marked unclassified, with
     * their keys and timestamps: the pause, asystole and rate rules need only the beats. The
     * template match learns nothing from them; the device's ready beats are cleared as after any
     * batch.
     */
    private void forwardUnclassified(List<Queued> items) {
        Map<String, BeatClassifierState> states = new HashMap<>();
        for (Queued q : items) {
            states.computeIfAbsent(q.deviceId(), this::stateOf);
            ClassifiedBeat out = ClassifiedBeat.newBuilder().setBeat(beat(q.ready().getBeat()))
                    .setBeatClass(BeatClass.Q).setUnclassified(true).setNextRrMs(q.ready().getNextRrMs()).build();
            unclassified.increment();
            context.forward(new Record<>(q.deviceId(), out, q.ready().getTimestampMs()));
        }
        clearReady(states, Map.of());
    }

    /** The device's saved feature state (running template, RR averages); a damaged one starts afresh. */
    private static BeatFeatureExtractor restoreFeatures(String deviceId, BeatFeatureState saved) {
        return restoredOrAfresh(deviceId, "beat feature state", "usual beat", () -> BeatFeatureExtractor.restore(saved),
                BeatFeatureExtractor::new);
    }

    /** The device's saved template match; a damaged one starts afresh. */
    private static TemplateMatch restoreMatch(String deviceId, TemplateMatchState saved) {
        return restoredOrAfresh(deviceId, "template match", "usual QRS", () -> TemplateMatch.restore(saved),
                TemplateMatch::new);
    }

    /**
     * A device's saved state, or a fresh one when the saved one is damaged (the wrong length, from
     * another version or a corrupted changelog): an exception here would stop the stream thread, and
     * with it every device's classification, where afresh the device only learns its template and QRS
     * families again, as a new device does, behind the young template's guard.
     *
     * @param what the state, in the warning
     * @param learnt what the device learns again, in the warning
     */
    private static <T> T restoredOrAfresh(String deviceId, String what, String learnt, Supplier<T> restore,
            Supplier<T> afresh) {
        try {
            return restore.get();
        } catch (IllegalArgumentException e) {
            LOG.warn("Device {}: its saved {} is damaged ({}); it starts afresh and learns the device's {} again",
                    deviceId, what, e.getMessage(), learnt);
            return afresh.get();
        }
    }

    private BeatClassifierState stateOf(String deviceId) {
        BeatClassifierState state = store.get(deviceId);
        return state == null ? BeatClassifierState.getDefaultInstance() : state;
    }

    private static Beat beat(ByteString bytes) {
        try {
            return Beat.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("a beat in the classification store is damaged", e);
        }
    }
}
