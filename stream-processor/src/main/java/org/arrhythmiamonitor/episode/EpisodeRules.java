package org.arrhythmiamonitor.episode;

import static java.util.Map.entry;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.arrhythmiamonitor.config.ConfigKeys;
import org.arrhythmiamonitor.config.ConfigKeys.Kind;
import org.arrhythmiamonitor.config.SettingException;
import org.arrhythmiamonitor.wire.v1.PatientSettings;

/**
 * Limits of the episode and alert rules. The defaults are the project's clinical table
 * (DESIGN.md); the processor's configuration may change them for every patient, and a patient's
 * {@link PatientSettings} on {@code ecg.patients} for one.
 *
 * @param tachycardiaBpm extreme tachycardia: rate above this ...
 * @param tachycardiaBeats ... for this many intervals beyond it, in a run its recent rate holds
 *        together ({@link RateRuns})
 * @param bradycardiaBpm extreme bradycardia: rate below this ...
 * @param bradycardiaBeats ... for this many intervals beyond it, likewise
 * @param ventricularRateBpm ventricular runs faster than this are NSVT or, long enough, VT
 * @param vtBeats consecutive V beats above {@code ventricularRateBpm} that make VT
 * @param sustainedVtS VT lasting this long is reported as sustained
 * @param svtRateBpm S runs of {@code svtBeats} or more faster than this are SVT runs
 * @param svtBeats consecutive S beats that make an SVT run
 * @param patternCycles N-V (bigeminy) or N-N-V (trigeminy) cycles in a row that make the pattern
 * @param pauseS an interval longer than this is a pause
 * @param asystoleS no QRS for this long in readable signal is asystole
 * @param afMinDurationS irregular rhythm lasting this long is an atrial fibrillation episode
 * @param noiseMinS noise lasting this long raises a technical alert
 * @param pvcBurdenPct PVC burden over the last 24 h above this raises an alert
 * @param afBurdenPct AF burden over the last 24 h above this raises an alert
 * @param burdenMinMonitoredS burden alerts wait for this much monitored time, so that the first
 *     minutes of a recording cannot raise them
 * @param lowAlertHoldoffS a low-priority alert of a type is not repeated within this much device
 *     time (the episodes still are all recorded): frequent couplets must not become an alert storm
 * @param silentAfterS a device that sends nothing for this long (wall clock) is reported silent
 * @param mutedAlertTypes episode types that raise no alert
 */
public record EpisodeRules(double tachycardiaBpm, int tachycardiaBeats, double bradycardiaBpm, int bradycardiaBeats,
        double ventricularRateBpm, int vtBeats, double sustainedVtS, double svtRateBpm, int svtBeats,
        int patternCycles, double pauseS, double asystoleS, double afMinDurationS, double noiseMinS,
        double pvcBurdenPct, double afBurdenPct, double burdenMinMonitoredS, double lowAlertHoldoffS,
        double silentAfterS, Set<String> mutedAlertTypes) {

    /** Whose settings these are, in messages. */
    public static final String SECTION = "episode rules";

    public static final EpisodeRules DEFAULTS = new EpisodeRules(140, 17, 40, 5, 100, 5, 30, 100, 3, 3, 3.0, 4.0, 30,
            10, 10, 5, 3600, 600, 30, Set.of());

    public EpisodeRules {
        positive("bradycardiaBpm", bradycardiaBpm);
        if (!(tachycardiaBpm < 400)) {
            throw SettingException.of(SECTION, "tachycardiaBpm", "must be below 400, got " + tachycardiaBpm);
        }
        if (!(bradycardiaBpm < tachycardiaBpm)) {
            throw new SettingException(SECTION, name -> name.apply("bradycardiaBpm") + " must be below "
                    + name.apply("tachycardiaBpm") + ", got " + bradycardiaBpm + " and " + tachycardiaBpm);
        }
        SettingException.requireAtLeast(SECTION, "tachycardiaBeats", tachycardiaBeats, 1);
        SettingException.requireAtLeast(SECTION, "bradycardiaBeats", bradycardiaBeats, 1);
        SettingException.requireAtLeast(SECTION, "vtBeats", vtBeats, 3);
        SettingException.requireAtLeast(SECTION, "svtBeats", svtBeats, 2);
        SettingException.requireAtLeast(SECTION, "patternCycles", patternCycles, 2);
        positive("pauseS", pauseS);
        positive("asystoleS", asystoleS);
        if (!(pauseS < asystoleS)) {
            throw new SettingException(SECTION, name -> name.apply("pauseS") + " must be below "
                    + name.apply("asystoleS") + ", got " + pauseS + " and " + asystoleS);
        }
        positive("ventricularRateBpm", ventricularRateBpm);
        positive("svtRateBpm", svtRateBpm);
        positive("sustainedVtS", sustainedVtS);
        positive("afMinDurationS", afMinDurationS);
        positive("noiseMinS", noiseMinS);
        positive("silentAfterS", silentAfterS);
        percent("pvcBurdenPct", pvcBurdenPct);
        percent("afBurdenPct", afBurdenPct);
        notNegative("burdenMinMonitoredS", burdenMinMonitoredS);
        notNegative("lowAlertHoldoffS", lowAlertHoldoffS);
        for (String type : mutedAlertTypes) {
            if (EpisodeType.fromWire(type) == null) {
                throw new SettingException(SECTION, name -> name.apply("mutedAlertTypes") + ": unknown episode type "
                        + type);
            }
        }
        mutedAlertTypes = Set.copyOf(mutedAlertTypes);
    }

    // Finite too: a patient's setting on ecg.patients can be infinite (a JSON file's cannot), and an
    // infinite asystole limit would silence that high-priority alarm without a word.
    private static void positive(String name, double value) {
        if (!(value > 0)) {
            throw SettingException.of(SECTION, name, "must be positive, got " + value);
        }
        finite(name, value);
    }

    private static void finite(String name, double value) {
        if (!Double.isFinite(value)) {
            throw SettingException.of(SECTION, name, "must be a finite number, got " + value);
        }
    }

    private static void notNegative(String name, double value) {
        finite(name, value);
        if (!(value >= 0)) {
            throw SettingException.of(SECTION, name, "must not be negative, got " + value);
        }
    }

    private static void percent(String name, double value) {
        if (!(value > 0 && value <= 100)) {
            throw SettingException.of(SECTION, name, "must be above 0 and at most 100, got " + value);
        }
    }

    private static final Map<String, Kind> KEYS = Map.ofEntries(entry("tachycardiaBpm", Kind.NUMBER),
            entry("tachycardiaBeats", Kind.WHOLE_NUMBER), entry("bradycardiaBpm", Kind.NUMBER),
            entry("bradycardiaBeats", Kind.WHOLE_NUMBER), entry("ventricularRateBpm", Kind.NUMBER),
            entry("vtBeats", Kind.WHOLE_NUMBER), entry("sustainedVtS", Kind.NUMBER), entry("svtRateBpm", Kind.NUMBER),
            entry("svtBeats", Kind.WHOLE_NUMBER), entry("patternCycles", Kind.WHOLE_NUMBER), entry("pauseS", Kind.NUMBER),
            entry("asystoleS", Kind.NUMBER), entry("afMinDurationS", Kind.NUMBER), entry("noiseMinS", Kind.NUMBER),
            entry("pvcBurdenPct", Kind.NUMBER), entry("afBurdenPct", Kind.NUMBER),
            entry("burdenMinMonitoredS", Kind.NUMBER), entry("lowAlertHoldoffS", Kind.NUMBER),
            entry("silentAfterS", Kind.NUMBER), entry("mutedAlertTypes", Kind.LIST));

    /**
     * Reads the rules from the processor's JSON configuration; missing fields keep the defaults,
     * and an unknown field or a value of the wrong type is refused, naming it: a misspelt limit
     * must not leave the default silently in force.
     */
    public static EpisodeRules fromJson(JsonObject json) {
        JsonObject j = json == null ? new JsonObject() : json;
        ConfigKeys.requireKnown(j, SECTION, KEYS);
        EpisodeRules d = DEFAULTS;
        Set<String> muted = new HashSet<>();
        for (Object type : j.getJsonArray("mutedAlertTypes", new JsonArray())) {
            if (!(type instanceof String name)) {
                throw SettingException.of(SECTION, "mutedAlertTypes", "must be a list of episode type names, got "
                        + type);
            }
            muted.add(name);
        }
        return new EpisodeRules(
                j.getDouble("tachycardiaBpm", d.tachycardiaBpm),
                j.getInteger("tachycardiaBeats", d.tachycardiaBeats),
                j.getDouble("bradycardiaBpm", d.bradycardiaBpm),
                j.getInteger("bradycardiaBeats", d.bradycardiaBeats),
                j.getDouble("ventricularRateBpm", d.ventricularRateBpm),
                j.getInteger("vtBeats", d.vtBeats),
                j.getDouble("sustainedVtS", d.sustainedVtS),
                j.getDouble("svtRateBpm", d.svtRateBpm),
                j.getInteger("svtBeats", d.svtBeats),
                j.getInteger("patternCycles", d.patternCycles),
                j.getDouble("pauseS", d.pauseS),
                j.getDouble("asystoleS", d.asystoleS),
                j.getDouble("afMinDurationS", d.afMinDurationS),
                j.getDouble("noiseMinS", d.noiseMinS),
                j.getDouble("pvcBurdenPct", d.pvcBurdenPct),
                j.getDouble("afBurdenPct", d.afBurdenPct),
                j.getDouble("burdenMinMonitoredS", d.burdenMinMonitoredS),
                j.getDouble("lowAlertHoldoffS", d.lowAlertHoldoffS),
                j.getDouble("silentAfterS", d.silentAfterS),
                muted);
    }

    /**
     * These rules with one patient's overrides. Settings that break the rules' own constraints
     * (say a pause longer than asystole) are refused with the reason, and the caller keeps the
     * configured rules for that patient.
     */
    public EpisodeRules withOverrides(PatientSettings p) {
        if (p == null) {
            return this;
        }
        Set<String> muted = new HashSet<>(mutedAlertTypes);
        muted.addAll(p.getMutedAlertTypesList());
        return new EpisodeRules(
                p.hasTachycardiaBpm() ? p.getTachycardiaBpm() : tachycardiaBpm,
                p.hasTachycardiaBeats() ? p.getTachycardiaBeats() : tachycardiaBeats,
                p.hasBradycardiaBpm() ? p.getBradycardiaBpm() : bradycardiaBpm,
                p.hasBradycardiaBeats() ? p.getBradycardiaBeats() : bradycardiaBeats,
                p.hasVentricularRateBpm() ? p.getVentricularRateBpm() : ventricularRateBpm,
                p.hasVtBeats() ? p.getVtBeats() : vtBeats,
                sustainedVtS,
                p.hasSvtRateBpm() ? p.getSvtRateBpm() : svtRateBpm,
                svtBeats,
                patternCycles,
                p.hasPauseS() ? p.getPauseS() : pauseS,
                p.hasAsystoleS() ? p.getAsystoleS() : asystoleS,
                p.hasAfMinDurationS() ? p.getAfMinDurationS() : afMinDurationS,
                noiseMinS,
                p.hasPvcBurdenPct() ? p.getPvcBurdenPct() : pvcBurdenPct,
                p.hasAfBurdenPct() ? p.getAfBurdenPct() : afBurdenPct,
                burdenMinMonitoredS,
                lowAlertHoldoffS,
                silentAfterS,
                muted);
    }
}
