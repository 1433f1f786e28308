package org.arrhythmiamonitor.beat;

import org.arrhythmiamonitor.wire.v1.BeatClass;
import org.arrhythmiamonitor.wire.v1.ClassifiedBeat;

/**
 * What the classifier makes of one beat once the model has given its probabilities: the model's
 * class, the template match's decision on it, its prematurity index and its P-wave similarity.
 * The stream ({@link BeatClassificationProcessor}) and {@code monitor eval}
 * ({@link RecordBeatClassifier}) both read a beat this way, and both write it into the
 * {@code ClassifiedBeat} the episode rules read with {@link #writeTo}, so they cannot drift apart.
 *
 * @param modelClass the model's most likely class, an index into N, S, V, F, Q
 * @param decision the class after the template match, why it was held if it was, and the QRS difference
 * @param prematurityIndex {@link BeatFeatures#prematurityIndex}
 * @param pWaveSimilarity {@link BeatFeatures#pWaveSimilarity}, NaN when unknown
 * @param probabilities the model's output, N, S, V, F, Q; empty when unknown
 */
public record BeatReading(int modelClass, TemplateMatch.Decision decision, float prematurityIndex,
        double pWaveSimilarity, float[] probabilities) {

    /**
     * Reads the beat in slot {@code slot} of a batch.
     *
     * @param probabilities the model's output for the beat
     * @param match the device's template match, which learns from the beat
     * @param windows the batch's model input windows, {@link BeatFeatures#CHANNELS} per beat
     * @param rr the batch's RR features, {@link BeatFeatures#RR_FEATURES} per beat
     * @param rrS the beat's measured interval from the beat before, seconds; 0 when none was measured
     *        (the {@code prev_rr_s} feature stands another in for it, and is clamped)
     * @param readable whether the signal around the beat was free of issues
     */
    static BeatReading of(float[] probabilities, TemplateMatch match, float[] windows, float[] rr, int slot,
            double rrS, boolean readable, boolean taughtTemplate) {
        int windowAt = slot * BeatFeatures.CHANNELS.size() * BeatWindow.LENGTH;
        float prematurity = BeatFeatures.prematurityIndex(rr, slot * BeatFeatures.RR_FEATURES.size());
        int modelClass = BeatClasses.mostLikely(probabilities);
        return new BeatReading(modelClass, match.classOf(modelClass, windows, windowAt, prematurity, rrS, readable,
                taughtTemplate),
                prematurity, BeatFeatures.pWaveSimilarity(windows, windowAt), probabilities.clone());
    }

    /** The class the stream gives the beat: the model's, checked by the template match. */
    public BeatClass beatClass() {
        return BeatClasses.wire(decision.beatClass());
    }

    /**
     * Sets what the classifier says of the beat on its {@code ClassifiedBeat}: the class, the
     * model's probabilities, its prematurity, P-wave similarity and QRS difference (each left unset when unknown), whether
     * the template was ventricular, whether the beat's QRS family is a conducted shape and whether
     * it came unusually early.
     */
    public ClassifiedBeat.Builder writeTo(ClassifiedBeat.Builder out) {
        out.setBeatClass(beatClass()).setPremature(BeatFeatures.premature(prematurityIndex))
                .setPrematurityIndex(prematurityIndex).setTemplateVentricular(decision.ventricularTemplate())
                .setConductedShape(decision.conductedShape()).setUnusuallyEarly(decision.unusuallyEarly());
        for (float p : probabilities) {
            out.addProbabilities(p);
        }
        if (Double.isFinite(pWaveSimilarity)) {
            out.setPWaveSimilarity((float) pWaveSimilarity);
        }
        if (Double.isFinite(decision.qrsDifference())) {
            out.setQrsDifference((float) decision.qrsDifference());
        }
        return out;
    }
}
