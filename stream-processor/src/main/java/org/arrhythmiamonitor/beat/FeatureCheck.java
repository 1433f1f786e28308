package org.arrhythmiamonitor.beat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.arrhythmiamonitor.inference.ModelCard;
import org.arrhythmiamonitor.qrs.EcgAnalyzer;
import org.arrhythmiamonitor.qrs.EcgAnalyzer.DetectedBeat;
import org.arrhythmiamonitor.signal.MainsFrequency;
import org.arrhythmiamonitor.synthetic.ArrhythmiaScript;
import org.arrhythmiamonitor.synthetic.SyntheticEcg;

/**
 * A fingerprint of the beat features this build computes, kept in a model's card so that a model
 * trained on the features of another build is noticed. The input spec cannot see such drift: a
 * change anywhere in the signal path (filters, detector, noise rules, template) leaves the names
 * and shapes as they were and changes the numbers. It happened once: a noise rule changed the
 * template channel in seven MIT-BIH records after the shipped model had been trained.
 *
 * <p>The fingerprint runs the signal path and {@link BeatFeatureExtractor} over a fixed synthetic
 * recording (ectopic beats, a ventricular run, atrial fibrillation, noise, a baseline leap, a lead
 * off) and keeps a
 * few numbers per beat. They are compared with a tolerance, not hashed: {@code Math} functions may
 * differ in the last bit between JVMs, while any change of the features worth the name moves
 * them far more.
 */
public final class FeatureCheck {
    /** The card's field. */
    public static final String CARD_FIELD = "feature_check";
    static final String PROBE = "synthetic recording, 360 Hz, seed 7: sinus 72/min with PVCs, an APC, a couplet, "
            + "bigeminy, an 8-beat ventricular run, 2 mV noise, a 3 mV baseline leap, a lead off and atrial fibrillation";
    static final List<String> PER_BEAT = List.of("beat channel energy (mV^2)", "template energy (mV^2)",
            "template at the R peak (mV)", "prev_over_local");
    /** Absolute, or relative to the value where it is larger than 1. */
    static final double TOLERANCE = 1e-3;
    private static final int FS_HZ = 360;
    private static final int LEAP_AT_S = 100;
    private static final double LEAP_MV = 3;
    private static final double LEAP_DECAY_S = 3;

    private static volatile JsonObject current;

    private FeatureCheck() {
    }

    /** The fingerprint of this build's features (computed once, in well under a second). */
    public static JsonObject current() {
        return computed().copy();
    }

    /** The one computed fingerprint, not to be changed: read by every card check. */
    private static JsonObject computed() {
        JsonObject c = current;
        if (c == null) {
            c = compute();
            current = c;
        }
        return c;
    }

    /**
     * What is wrong with {@code card} for this build's features, for a warning; null when its
     * fingerprint matches.
     */
    public static String concernAbout(ModelCard card) {
        Object check = card.json().getValue(CARD_FIELD);
        if (!(check instanceof JsonObject expected)) {
            return card.id() + " has no " + CARD_FIELD + " in its card, so nothing shows that it was trained on "
                    + "the beat features this build computes";
        }
        String difference;
        try {
            difference = differenceFrom(expected, computed());
        } catch (ClassCastException | NullPointerException e) {
            // A card edited by hand, or written by something else: say so, as a warning.
            return card.id() + "'s " + CARD_FIELD + " is not laid out as the export writes it (" + e
                    + "), so nothing shows that it was trained on the beat features this build computes";
        }
        return difference == null ? null : card.id() + " was trained on beat features this build does not compute ("
                + difference + "); its measured accuracy does not hold here: export the data again with "
                + "`bin/monitor dataset` and retrain (model-store/training/README.md)";
    }

    /**
     * The first difference of {@code actual} from {@code expected}; null when within the tolerance.
     *
     * @throws ClassCastException or NullPointerException where {@code expected} is not laid out as
     *     {@link #current()} is
     */
    static String differenceFrom(JsonObject expected, JsonObject actual) {
        JsonArray want = expected.getJsonArray("beats");
        JsonArray got = actual.getJsonArray("beats");
        if (want == null) {
            return CARD_FIELD + " has no beats";
        }
        if (want.size() != got.size()) {
            return "the probe gives " + got.size() + " beats, the card says " + want.size();
        }
        for (int b = 0; b < want.size(); b++) {
            JsonArray w = want.getJsonArray(b);
            JsonArray g = got.getJsonArray(b);
            if (w.size() != g.size()) {
                return "beat " + b + " has " + g.size() + " numbers, the card " + w.size();
            }
            for (int k = 0; k < w.size(); k++) {
                double x = w.getDouble(k);
                double y = g.getDouble(k);
                if (!(Math.abs(x - y) <= TOLERANCE * Math.max(1, Math.abs(x)))) {
                    return String.format(Locale.ROOT, "beat %d of the probe: %s %s, the card says %s", b,
                            k < PER_BEAT.size() ? PER_BEAT.get(k) : "number " + k, y, x);
                }
            }
        }
        return null;
    }

    static JsonObject compute() {
        ArrhythmiaScript script = ArrhythmiaScript.start(72).sinus(20).pvc().sinus(10).apc().sinus(10).couplet()
                .sinus(10).bigeminy(4).sinus(10).ventricularRun(8, 160).sinus(15).noiseBurstMv(2.0).noiseBurst(8)
                .sinus(15).leadOff(5).sinus(20).atrialFibrillation(40, 110).sinus(20);
        double[] mv = SyntheticEcg.standard(FS_HZ, 7).render(script).millivolts();
        // A level leap that creeps back over seconds, as an electrode that moves gives (MIT-BIH 116
        // and 208): the noise rules that keep such beats out of the template act on it.
        int leap = LEAP_AT_S * FS_HZ;
        for (int k = leap; k < mv.length; k++) {
            mv[k] += LEAP_MV * Math.exp(-(k - leap) / (LEAP_DECAY_S * FS_HZ));
        }
        EcgAnalyzer analyzer = new EcgAnalyzer(FS_HZ, MainsFrequency.HZ_50);
        List<DetectedBeat> detected = new ArrayList<>();
        analyzer.accept(mv, detected::add);
        analyzer.finish(detected::add);
        BeatFeatureExtractor extractor = new BeatFeatureExtractor();
        JsonArray beats = new JsonArray();
        for (int d = 0; d < detected.size(); d++) {
            BeatFeatures f = extractor.next(detected, d, FS_HZ);
            beats.add(new JsonArray().add(round(energy(f.beat()))).add(round(energy(f.template())))
                    .add(round(f.template()[BeatWindow.BEFORE])).add(round(f.rr()[BeatFeatures.RR_FEATURES.indexOf("prev_over_local")])));
        }
        return new JsonObject().put("probe", PROBE).put("per_beat", String.join(", ", PER_BEAT)).put("beats", beats);
    }

    private static double energy(float[] x) {
        double sum = 0;
        for (float v : x) {
            sum += (double) v * v;
        }
        return sum;
    }

    private static double round(double x) {
        return Math.round(x * 1e5) / 1e5;
    }
}
