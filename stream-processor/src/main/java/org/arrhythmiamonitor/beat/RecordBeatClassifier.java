package org.arrhythmiamonitor.beat;

import java.util.List;
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
     * Each beat's class as the model gives it and as the stream gives it (the model's, checked by
     * {@link TemplateMatch}), as indexes into N, S, V, F, Q, its prematurity index
     * ({@link BeatFeatures#prematurityIndex}) and how alike its P wave is to the template's
     * ({@link BeatFeatures#pWaveSimilarity}, NaN when unknown), how far its QRS is from the
     * template's and whether the template was ventricular ({@link TemplateMatch.Decision}), as the
     * stream's {@code ClassifiedBeat} carries them.
     */
    public record Classified(int[] modelClasses, int[] classes, double[] prematurityIndex,
            double[] pWaveSimilarity, double[] qrsDifference, boolean[] ventricularTemplate) {
    }

    public Classified classify(List<DetectedBeat> beats, int fsHz) {
        BeatFeatureExtractor extractor = new BeatFeatureExtractor();
        TemplateMatch match = new TemplateMatch();
        int beatValues = BeatFeatures.CHANNELS.size() * BeatWindow.LENGTH;
        int rrValues = BeatFeatures.RR_FEATURES.size();
        int[] modelClasses = new int[beats.size()];
        int[] classes = new int[beats.size()];
        double[] prematurity = new double[beats.size()];
        double[] pWave = new double[beats.size()];
        double[] qrsDifference = new double[beats.size()];
        boolean[] ventricularTemplate = new boolean[beats.size()];
        float[] window = new float[BATCH * beatValues];
        float[] rr = new float[BATCH * rrValues];
        int filled = 0;
        for (int i = 0; i < beats.size(); i++) {
            DetectedBeat beat = beats.get(i);
            double next = i + 1 < beats.size() ? beats.get(i + 1).rrSamples() / fsHz : 0;
            extractor.next(beat.window(), beat.rrSamples() / fsHz, next, beat.readable()).writeTo(window, rr, filled);
            filled++;
            if (filled == BATCH || i == beats.size() - 1) {
                int count = filled;
                float[][] p = models.withModel(m -> m.classify(window, rr, count));
                for (int k = 0; k < count; k++) {
                    int at = i - count + 1 + k;
                    BeatReading reading = BeatReading.of(p[k], match, window, rr, k, beats.get(at).readable());
                    modelClasses[at] = reading.modelClass();
                    classes[at] = reading.decision().beatClass();
                    prematurity[at] = reading.prematurityIndex();
                    pWave[at] = reading.pWaveSimilarity();
                    qrsDifference[at] = reading.decision().qrsDifference();
                    ventricularTemplate[at] = reading.decision().ventricularTemplate();
                }
                filled = 0;
            }
        }
        return new Classified(modelClasses, classes, prematurity, pWave, qrsDifference, ventricularTemplate);
    }
}
