package org.arrhythmiamonitor.synthetic;

import java.util.Locale;
import java.util.Random;

/**
 * Kinds of patient the demo and the fleet simulator play, each a scripted cycle of about five
 * minutes that starts with its characteristic event within the first half minute, so a new
 * dashboard shows alerts quickly. {@link #MIXED} holds every scripted arrhythmia once, for
 * scoring the whole pipeline with {@code monitor synth} and {@code monitor eval}.
 */
public enum PatientProfile {
    /** Sinus rhythm with an occasional atrial premature beat. */
    NORMAL {
        @Override
        public ArrhythmiaScript cycle(double bpm) {
            return ArrhythmiaScript.start(bpm).sinus(100).apc().sinus(100).apc().sinus(100);
        }
    },
    /** Frequent PVCs: isolated, couplets, bigeminy and trigeminy (PVC burden well over 10 %). */
    PVC {
        @Override
        public ArrhythmiaScript cycle(double bpm) {
            ArrhythmiaScript script = ArrhythmiaScript.start(bpm).sinus(8).bigeminy(6).sinus(20).couplet();
            for (int i = 0; i < 10; i++) {
                script.sinus(6).pvc();
            }
            return script.sinus(20).trigeminy(5).sinus(30).couplet().sinus(60).bigeminy(8).sinus(60);
        }
    },
    /** Non-sustained ventricular runs and a run of ventricular tachycardia. */
    VT {
        @Override
        public ArrhythmiaScript cycle(double bpm) {
            return ArrhythmiaScript.start(bpm).sinus(15).ventricularRun(8, 170).sinus(45).triplet().sinus(60)
                    .ventricularRun(4, 150).sinus(60).pvc().sinus(40).ventricularRun(12, 180).sinus(60);
        }
    },
    /** Paroxysmal atrial fibrillation: two minutes of sinus rhythm, then three of AF. */
    AF {
        @Override
        public ArrhythmiaScript cycle(double bpm) {
            return ArrhythmiaScript.start(bpm).sinus(10).atrialFibrillation(180, 115).sinus(110);
        }
    },
    /** Sinus pauses, an asystole, a lead that comes off and a burst of muscle noise. */
    PAUSES {
        @Override
        public ArrhythmiaScript cycle(double bpm) {
            return ArrhythmiaScript.start(bpm).sinus(12).pause(3.5).sinus(50).leadOff(20).sinus(40).pause(5.0)
                    .sinus(60).noiseBurst(15).sinus(50).pause(3.2).sinus(50);
        }
    },
    /** Every scripted arrhythmia once, for evaluation (about 16 minutes). */
    MIXED {
        @Override
        public ArrhythmiaScript cycle(double bpm) {
            return ArrhythmiaScript.start(bpm).sinus(320).pvc().sinus(20).apc().sinus(20).couplet().sinus(20)
                    .triplet().sinus(30).ventricularRun(10, 165).sinus(30).bigeminy(6).sinus(20).trigeminy(5)
                    .sinus(30).svtRun(6, 150).sinus(30).atrialFibrillation(150, 110).sinus(40).pause(3.5)
                    .sinus(30).pause(5).sinus(30).leadOff(15).sinus(30).noiseBurst(10).sinus(60);
        }
    };

    /** One cycle of this patient's rhythm, sinus rhythm at {@code bpm}. */
    public abstract ArrhythmiaScript cycle(double bpm);

    /**
     * The cycle repeated until the script lasts at least {@code minSeconds}, each repetition with
     * fresh variation. The cycle's length is planned, as {@link SyntheticEcg#standard} with
     * {@code seed} would lay it out, without drawing the signal.
     */
    public ArrhythmiaScript script(double bpm, double minSeconds, long seed) {
        double cycleS = cycle(bpm).plan(new Random(seed), SyntheticEcg.STANDARD_HRV).durationS();
        return cycle(bpm).repeat((int) Math.max(1, Math.ceil(minSeconds / cycleS)));
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The profile called {@code name} (case-insensitive), or an error listing the names. */
    public static PatientProfile of(String name) {
        for (PatientProfile profile : values()) {
            if (profile.label().equalsIgnoreCase(name)) {
                return profile;
            }
        }
        throw new IllegalArgumentException("unknown patient profile '" + name + "'; choose one of "
                + java.util.Arrays.stream(values()).map(PatientProfile::label).toList());
    }
}
