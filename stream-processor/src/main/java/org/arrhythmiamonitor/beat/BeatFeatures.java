package org.arrhythmiamonitor.beat;

import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.arrhythmiamonitor.inference.InputSpec;
import org.arrhythmiamonitor.inference.ModelContract;

/**
 * What the beat classifier sees of one beat: its window, the device's running template of its
 * usual beat (so the model can compare a beat with the patient's own normal morphology, which is
 * what makes inter-patient classification work) and its rhythm context.
 *
 * @param beat the beat's window minus its median, millivolts, {@link BeatWindow#LENGTH} values
 * @param template the device's template before this beat, same normalisation
 * @param rr {@link #RR_FEATURES}, in that order
 * @param taughtTemplate whether the beat went on to teach the template (not a model input: the
 *        template match follows the same template, {@code TemplateMatch})
 */
public record BeatFeatures(float[] beat, float[] template, float[] rr, boolean taughtTemplate) {
    /** Order of the values in {@link #rr}; seconds, and ratios of them. */
    public static final List<String> RR_FEATURES = List.of("prev_rr_s", "next_rr_s", "local_rr_s", "prev_over_local",
            "next_over_local", "next_over_prev", "local_over_long");
    public static final List<String> CHANNELS = List.of("beat", "template");
    public static final String NORMALISATION = "band-passed 0.5-40 Hz ECG in millivolts minus the window's median;"
            + " template: running mean of readable, non-premature beats, but at over 100 a minute not of"
            + " beats of another QRS shape (correlation under 0.7)";
    /**
     * Model 1.4.0's card, as released: the template rule then let 96 such beats in a row teach it.
     * Dropping that changed no example of the DS1 export (byte for byte), so those models still
     * serve, and copies of the card in model directories need no edit.
     */
    static final String NORMALISATION_UNTIL_96 = "band-passed 0.5-40 Hz ECG in millivolts minus the window's median;"
            + " template: running mean of readable, non-premature beats, but at over 100 a minute not of"
            + " beats of another QRS shape (correlation under 0.7) until 96 have come in a row";
    /** The input every beat model served to this processor must declare in its card. */
    public static final InputSpec SPEC = new InputSpec(BeatWindow.RATE_HZ, BeatWindow.BEFORE, BeatWindow.LENGTH,
            CHANNELS, RR_FEATURES, NORMALISATION);
    /**
     * That input, and the classes in the order the processor reads the probabilities; a model whose
     * card's {@link FeatureCheck} differs from this build's is loaded with a warning.
     */
    public static final ModelContract CONTRACT = new ModelContract(SPEC, BeatClasses.NAMES,
            FeatureCheck::concernAbout, Set.of(NORMALISATION_UNTIL_96));
    /** The model the stream serves: the newest version of this name in the model source. */
    public static final String MODEL_NAME = "beat-classifier";

    private static final int PREV_OVER_LOCAL = RR_FEATURES.indexOf("prev_over_local");
    /** A stretch with less variation than this, RMS in millivolts, is flat: no shape to compare. */
    static final double FLAT_MV = 0.001;

    /**
     * A prematurity index under this is early enough to call a beat supraventricular premature on its
     * shape alone: without the patient's usual P wave ({@code ReportedClass}), or with the patient's
     * usual QRS where the model saw a ventricular or fusion beat ({@link TemplateMatch}).
     */
    public static final double CLEARLY_PREMATURE = 0.85;

    /**
     * Whether a beat came early: its prematurity index ({@link #prematurityIndex}) under
     * {@link BeatFeatureExtractor#PREMATURE_RATIO}, as the feature extractor judges it for the template.
     */
    public static boolean premature(double prematurityIndex) {
        return prematurityIndex < BeatFeatureExtractor.PREMATURE_RATIO;
    }

    /**
     * Whether a beat came clearly early: its prematurity index under {@link #CLEARLY_PREMATURE}. NaN
     * (unknown) fails the comparison: not clearly early, so a beat turned on its shape is N.
     */
    public static boolean clearlyPremature(double prematurityIndex) {
        return prematurityIndex < CLEARLY_PREMATURE;
    }

    /**
     * The beat's interval from the previous beat over the device's local mean interval (the
     * {@code prev_over_local} feature), a prematurity index as Holter analysis uses it.
     *
     * @param rr RR features in {@link #RR_FEATURES} order, this beat's from {@code offset}
     */
    public static float prematurityIndex(float[] rr, int offset) {
        return rr[offset + PREV_OVER_LOCAL];
    }

    /**
     * How much the stretch where the P wave lies, {@link BeatWindow#P_WAVE_START} to
     * {@link BeatWindow#P_WAVE_END}, looks like the same stretch of the device's template: their
     * correlation, near 1 when the beat has the patient's usual P wave, near 0 or below when there is
     * none or fibrillatory waves stand in its place (AF), whose phase differs from beat to beat and
     * averages out of the template. NaN when either stretch is flat (under {@value #FLAT_MV} mV RMS).
     *
     * @param windows a batch as {@link #writeTo} fills it: this beat's row from {@code at}
     */
    public static double pWaveSimilarity(float[] windows, int at) {
        Centred c = centred(windows, at + BeatWindow.P_WAVE_START, windows,
                at + BeatWindow.LENGTH + BeatWindow.P_WAVE_START, BeatWindow.P_WAVE_END - BeatWindow.P_WAVE_START);
        return correlation(c);
    }

    /**
     * How far the beat's QRS complex, {@link BeatWindow#QRS_START} to {@link BeatWindow#QRS_END}, is
     * from the template's: the energy of their difference over the template's energy, each minus its
     * mean. 0 for the patient's usual QRS; a different shape, width or size raises it (a ventricular
     * beat's QRS is typically 1 or more). NaN when the template's stretch is flat.
     *
     * @param windows a batch as {@link #writeTo} fills it: this beat's row from {@code at}
     */
    public static double qrsDifference(float[] windows, int at) {
        return difference(centred(windows, at + BeatWindow.QRS_START, windows,
                at + BeatWindow.LENGTH + BeatWindow.QRS_START, BeatWindow.QRS_END - BeatWindow.QRS_START));
    }

    /**
     * How much a beat's QRS complex looks like a template's, {@link BeatWindow#QRS_START} to
     * {@link BeatWindow#QRS_END} of windows each {@link BeatWindow#LENGTH} long: their correlation,
     * which a change of size alone leaves at 1, unlike {@link #qrsDifference}. NaN when either
     * stretch is flat.
     */
    public static double qrsShapeSimilarity(float[] beat, float[] template) {
        Centred c = centred(beat, BeatWindow.QRS_START, template, BeatWindow.QRS_START,
                BeatWindow.QRS_END - BeatWindow.QRS_START);
        return correlation(c);
    }

    /**
     * {@link #qrsDifference} from another template's QRS stretch, {@link #templateQrs} of an earlier
     * beat.
     */
    public static double qrsDifference(float[] windows, int at, float[] templateQrs) {
        return difference(centred(windows, at + BeatWindow.QRS_START, templateQrs, 0, templateQrs.length));
    }

    /** The QRS stretch of the template in a batch row, {@link BeatWindow#QRS_START} to {@link BeatWindow#QRS_END}. */
    public static float[] templateQrs(float[] windows, int at) {
        int from = at + BeatWindow.LENGTH + BeatWindow.QRS_START;
        return Arrays.copyOfRange(windows, from, from + BeatWindow.QRS_END - BeatWindow.QRS_START);
    }

    private static double correlation(Centred c) {
        return c.beatPower > c.floor && c.templatePower > c.floor
                ? c.cross / Math.sqrt(c.beatPower * c.templatePower) : Double.NaN;
    }

    private static double difference(Centred c) {
        return c.templatePower > c.floor ? (c.beatPower - 2 * c.cross + c.templatePower) / c.templatePower : Double.NaN;
    }

    /** Sums over {@code n} values of the beat and the template from where each starts, each minus its mean. */
    private record Centred(double cross, double beatPower, double templatePower, double floor) {
    }

    private static Centred centred(float[] beat, int beatFrom, float[] template, int templateFrom, int n) {
        double beatMean = 0;
        double templateMean = 0;
        for (int k = 0; k < n; k++) {
            beatMean += beat[beatFrom + k];
            templateMean += template[templateFrom + k];
        }
        beatMean /= n;
        templateMean /= n;
        double cross = 0;
        double beatPower = 0;
        double templatePower = 0;
        for (int k = 0; k < n; k++) {
            double b = beat[beatFrom + k] - beatMean;
            double t = template[templateFrom + k] - templateMean;
            cross += b * t;
            beatPower += b * b;
            templatePower += t * t;
        }
        return new Centred(cross, beatPower, templatePower, n * FLAT_MV * FLAT_MV);
    }

    /** Copies these features into row {@code slot} of a batch: windows [n, 2, length], RR [n, features]. */
    public void writeTo(float[] windows, float[] rrs, int slot) {
        int at = slot * CHANNELS.size() * BeatWindow.LENGTH;
        System.arraycopy(beat, 0, windows, at, BeatWindow.LENGTH);
        System.arraycopy(template, 0, windows, at + BeatWindow.LENGTH, BeatWindow.LENGTH);
        System.arraycopy(rr, 0, rrs, slot * RR_FEATURES.size(), RR_FEATURES.size());
    }

    /** The same beat's features with its window cut elsewhere, for training copies placed off the R peak. */
    public BeatFeatures withWindow(float[] window) {
        return new BeatFeatures(BeatFeatureExtractor.centred(window), template, rr, taughtTemplate);
    }
}
