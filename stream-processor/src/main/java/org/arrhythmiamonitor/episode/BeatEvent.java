package org.arrhythmiamonitor.episode;

import org.arrhythmiamonitor.wire.v1.BeatClass;
import org.arrhythmiamonitor.wire.v1.ClassifiedBeat;

/**
 * One classified beat as the episode rules see it.
 *
 * @param sample R peak on the device's sample clock
 * @param timeMs device time of the R peak
 * @param rrMs interval from the previous detected beat, ms; 0 for the first
 * @param beatClass AAMI class; {@code BEAT_CLASS_UNSPECIFIED} for a beat the model could not
 *        classify ({@code ClassifiedBeat.unclassified}): it counts for the rate, the gaps and the
 *        monitored time, not for the class burden, and the class-based rules take it as they take
 *        a beat in noise ({@link #classified})
 * @param readable whether the signal around the beat was free of issues
 * @param pWaveSimilarity how alike the beat's P wave is to the template's, NaN when unknown
 * @param premature whether it came early; true when unknown (a beat from an older classifier)
 * @param prematurityIndex its interval over the local mean interval, NaN when unknown
 * @param qrsDifference how far its QRS is from the template's ({@code ClassifiedBeat.qrs_difference}),
 *        NaN when unknown
 * @param ventricularTemplate whether that template was ventricular; true when unknown (a beat from
 *        an older classifier): then it says nothing of the patient's usual QRS
 * @param conductedShape whether its QRS family is one the classifier calls N or S
 *        ({@code ClassifiedBeat.conducted_shape}); false when unknown
 * @param unusuallyEarly whether it came early for this patient ({@code ClassifiedBeat.unusually_early});
 *        false when unknown
 */
public record BeatEvent(String deviceId, long sample, long timeMs, double rrMs, BeatClass beatClass,
        boolean readable, double pWaveSimilarity, boolean premature, double prematurityIndex,
        double qrsDifference, boolean ventricularTemplate, boolean conductedShape, boolean unusuallyEarly) {

    /** The beat as the stream carries it; fields a classifier version did not set read as unknown. */
    public static BeatEvent of(ClassifiedBeat classified) {
        var beat = classified.getBeat();
        return new BeatEvent(beat.getDeviceId(), beat.getSampleIndex(), beat.getTimeMs(), beat.getRrMs(),
                classified.getUnclassified() ? BeatClass.BEAT_CLASS_UNSPECIFIED : classified.getBeatClass(),
                beat.getSignalIssuesCount() == 0,
                classified.hasPWaveSimilarity() ? classified.getPWaveSimilarity() : Double.NaN,
                !classified.hasPremature() || classified.getPremature(),
                classified.hasPrematurityIndex() ? classified.getPrematurityIndex() : Double.NaN,
                classified.hasQrsDifference() ? classified.getQrsDifference() : Double.NaN,
                !classified.hasTemplateVentricular() || classified.getTemplateVentricular(),
                classified.getConductedShape(), classified.getUnusuallyEarly());
    }

    /**
     * Whether the beat has a class the class-based rules can read: readable, and classified. While
     * inference fails nothing says whether a ventricular run or AF goes on or ends, as in noise.
     */
    public boolean classified() {
        return readable && beatClass != BeatClass.BEAT_CLASS_UNSPECIFIED;
    }
}
