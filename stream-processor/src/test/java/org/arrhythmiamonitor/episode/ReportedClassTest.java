package org.arrhythmiamonitor.episode;

import static org.assertj.core.api.Assertions.assertThat;

import org.arrhythmiamonitor.state.v1.AfState;
import org.arrhythmiamonitor.state.v1.EpisodeState;
import org.arrhythmiamonitor.wire.v1.Beat;
import org.arrhythmiamonitor.wire.v1.BeatClass;
import org.arrhythmiamonitor.wire.v1.ClassifiedBeat;
import org.arrhythmiamonitor.wire.v1.Episode;
import org.arrhythmiamonitor.wire.v1.RhythmSegment;
import org.junit.jupiter.api.Test;

class ReportedClassTest {
    private static final AfState SINUS = AfState.getDefaultInstance();
    private static final AfState IN_AF = AfState.newBuilder().setInAf(true).build();
    private static final EpisodeOutput NOTHING = new EpisodeOutput() {
        @Override
        public void episode(Episode episode) {
        }

        @Override
        public void alertOnly(Episode episode) {
        }

        @Override
        public void rhythm(RhythmSegment segment) {
        }
    };

    /** A readable beat without prematurity index or P-wave similarity, as the rules on S calls see it. */
    private static BeatEvent beat(BeatClass c, boolean premature) {
        return new BeatEvent("d", 0, 0, 800, c, true, Double.NaN, premature, Double.NaN);
    }

    private static BeatEvent nBeat(double prematurityIndex, double pWaveSimilarity) {
        return new BeatEvent("d", 0, 0, 800, BeatClass.N, true, pWaveSimilarity, prematurityIndex < 0.9,
                prematurityIndex);
    }

    @Test
    void anNBeatThatCameClearlyEarlyWithoutTheUsualPWaveIsS() {
        assertThat(ReportedClass.of(SINUS, nBeat(0.7, 0.1), BeatClass.N)).isEqualTo(BeatClass.S);
        assertThat(ReportedClass.of(SINUS, nBeat(0.84, 0.49), BeatClass.N)).isEqualTo(BeatClass.S);
    }

    @Test
    void anNBeatKeepsItsClassWithItsUsualPWaveOrWhenBarelyEarly() {
        assertThat(ReportedClass.of(SINUS, nBeat(0.7, 0.9), BeatClass.N)).as("sinus arrhythmia")
                .isEqualTo(BeatClass.N);
        assertThat(ReportedClass.of(SINUS, nBeat(0.87, 0.1), BeatClass.N)).as("premature, not clearly")
                .isEqualTo(BeatClass.N);
        assertThat(ReportedClass.of(SINUS, nBeat(1.0, -0.5), BeatClass.N)).as("on time").isEqualTo(BeatClass.N);
        assertThat(ReportedClass.of(IN_AF, nBeat(0.7, 0.1), BeatClass.N)).as("in AF").isEqualTo(BeatClass.N);
        AfState irregular = AfState.newBuilder().setFilled(32).setIrregularity(0.2).build();
        assertThat(ReportedClass.of(irregular, nBeat(0.7, 0.1), BeatClass.N)).as("AF not yet entered")
                .isEqualTo(BeatClass.N);
        assertThat(ReportedClass.of(SINUS, nBeat(0.7, Double.NaN), BeatClass.N)).as("P wave unknown")
                .isEqualTo(BeatClass.N);
        assertThat(ReportedClass.of(SINUS, nBeat(Double.NaN, 0.1), BeatClass.N)).as("interval unknown")
                .isEqualTo(BeatClass.N);
    }

    @Test
    void anSBeatThatCameEarlyStaysS() {
        assertThat(ReportedClass.of(SINUS, beat(BeatClass.S, true), BeatClass.N)).isEqualTo(BeatClass.S);
    }

    @Test
    void anSBeatThatDidNotComeEarlyIsN() {
        assertThat(ReportedClass.of(SINUS, beat(BeatClass.S, false), BeatClass.N)).isEqualTo(BeatClass.N);
        assertThat(ReportedClass.of(SINUS, beat(BeatClass.S, false), BeatClass.BEAT_CLASS_UNSPECIFIED))
                .as("the device's first beat").isEqualTo(BeatClass.N);
    }

    @Test
    void anSBeatThatContinuesARunOfSNeedNotComeEarly() {
        assertThat(ReportedClass.of(SINUS, beat(BeatClass.S, false), BeatClass.S)).isEqualTo(BeatClass.S);
    }

    @Test
    void inAtrialFibrillationAnSBeatIsNEvenWhenEarly() {
        assertThat(ReportedClass.of(IN_AF, beat(BeatClass.S, true), BeatClass.S)).isEqualTo(BeatClass.N);
    }

    @Test
    void aBeatClassifiedWithoutThePrematureFlagKeepsItsS() {
        // From a processor version before the flag (a rolling upgrade, or a replay of the topic).
        ClassifiedBeat old = ClassifiedBeat.newBuilder().setBeatClass(BeatClass.S)
                .setBeat(Beat.newBuilder().setDeviceId("d").setRrMs(800)).build();
        EpisodeState state = EpisodeDetector.onBeat(EpisodeState.getDefaultInstance(), old, EpisodeRules.DEFAULTS,
                NOTHING);
        assertThat(state.getReportedClass()).isEqualTo(BeatClass.S.getNumber());
        EpisodeState late = EpisodeDetector.onBeat(EpisodeState.getDefaultInstance(),
                old.toBuilder().setPremature(false).build(), EpisodeRules.DEFAULTS, NOTHING);
        assertThat(late.getReportedClass()).isEqualTo(BeatClass.N.getNumber());
    }

    @Test
    void otherClassesAreTheModelsWhateverTheInterval() {
        for (BeatClass c : new BeatClass[] {BeatClass.N, BeatClass.V, BeatClass.F, BeatClass.Q}) {
            assertThat(ReportedClass.of(SINUS, beat(c, false), BeatClass.N)).isEqualTo(c);
            assertThat(ReportedClass.of(IN_AF, beat(c, true), BeatClass.S)).isEqualTo(c);
        }
    }
}
