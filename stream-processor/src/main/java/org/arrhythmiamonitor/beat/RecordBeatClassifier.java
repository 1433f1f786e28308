package org.arrhythmiamonitor.beat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.arrhythmiamonitor.inference.InferenceSettings;
import org.arrhythmiamonitor.inference.ModelCard;
import org.arrhythmiamonitor.inference.ModelRegistry;
import org.arrhythmiamonitor.qrs.EcgAnalyzer.DetectedBeat;

/**
 * Classifies the beats of a whole recording as the stream does: the same
 * {@link BeatFeatureExtractor} over the beats in order, each with the interval to the next beat,
 * then the model in batches. For {@code monitor eval}.
 */
public final class RecordBeatClassifier {
    private static final int BATCH = 256;

    private final ModelRegistry models;

    public RecordBeatClassifier(ModelRegistry models) {
        this.models = models;
    }

    public String model() {
        return models.card().id();
    }

    /**
     * The beat classifier's models as {@code monitor eval} reads them: the newest in {@code modelDir}
     * (null: those packaged with the processor), on the default device, without watching for new ones.
     */
    public static ModelRegistry registry(Path modelDir) {
        InferenceSettings d = InferenceSettings.defaults();
        return new ModelRegistry(BeatFeatures.MODEL_NAME, BeatFeatures.CONTRACT, new InferenceSettings(modelDir,
                d.device(), d.intraOpThreads(), d.maxBatch(), d.maxWait(), Duration.ZERO));
    }

    /**
     * Each beat as the stream's classifier reads it, in the order of the beats.
     *
     * @param model the card of the model that classified the last batch (the registry does not
     *     watch for new versions here, so the card of every batch)
     */
    public record Classified(BeatReading[] readings, ModelCard model) {
        /** The model's class of each beat, as indexes into N, S, V, F, Q. */
        public int[] modelClasses() {
            int[] classes = new int[readings.length];
            for (int i = 0; i < classes.length; i++) {
                classes[i] = readings[i].modelClass();
            }
            return classes;
        }
    }

    /** A batch's probabilities with the model that gave them. */
    private record Batch(ModelCard model, float[][] probabilities) {
    }

    public Classified classify(List<DetectedBeat> beats, int fsHz) {
        BeatFeatureExtractor extractor = new BeatFeatureExtractor();
        TemplateMatch match = new TemplateMatch();
        int beatValues = BeatFeatures.CHANNELS.size() * BeatWindow.LENGTH;
        int rrValues = BeatFeatures.RR_FEATURES.size();
        BeatReading[] readings = new BeatReading[beats.size()];
        float[] window = new float[BATCH * beatValues];
        float[] rr = new float[BATCH * rrValues];
        boolean[] taughtTemplate = new boolean[BATCH];
        int filled = 0;
        ModelCard used = models.card();
        for (int i = 0; i < beats.size(); i++) {
            BeatFeatures features = extractor.next(beats, i, fsHz);
            features.writeTo(window, rr, filled);
            taughtTemplate[filled] = features.taughtTemplate();
            filled++;
            if (filled == BATCH || i == beats.size() - 1) {
                int count = filled;
                Batch batch = models.withModel(m -> new Batch(m.card(), m.classify(window, rr, count)));
                used = batch.model();
                for (int k = 0; k < count; k++) {
                    int at = i - count + 1 + k;
                    DetectedBeat beat = beats.get(at);
                    readings[at] = BeatReading.of(batch.probabilities()[k], match, window, rr, k,
                            beat.rrSamples() / fsHz, beat.readable(), taughtTemplate[k]);
                }
                filled = 0;
            }
        }
        return new Classified(readings, used);
    }
}
