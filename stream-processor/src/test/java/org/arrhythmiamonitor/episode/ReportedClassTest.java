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

    @Test
    void anSBeatThatCameEarlyStaysS() {
        assertThat(ReportedClass.of(SINUS, BeatClass.S, true, BeatClass.N)).isEqualTo(BeatClass.S);
    }

    @Test
    void anSBeatThatDidNotComeEarlyIsN() {
        assertThat(ReportedClass.of(SINUS, BeatClass.S, false, BeatClass.N)).isEqualTo(BeatClass.N);
        assertThat(ReportedClass.of(SINUS, BeatClass.S, false, BeatClass.BEAT_CLASS_UNSPECIFIED))
                .as("the device's first beat").isEqualTo(BeatClass.N);
    }

    @Test
    void anSBeatThatContinuesARunOfSNeedNotComeEarly() {
        assertThat(ReportedClass.of(SINUS, BeatClass.S, false, BeatClass.S)).isEqualTo(BeatClass.S);
    }

    @Test
    void inAtrialFibrillationAnSBeatIsNEvenWhenEarly() {
        assertThat(ReportedClass.of(IN_AF, BeatClass.S, true, BeatClass.S)).isEqualTo(BeatClass.N);
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
            assertThat(ReportedClass.of(SINUS, c, false, BeatClass.N)).isEqualTo(c);
            assertThat(ReportedClass.of(IN_AF, c, true, BeatClass.S)).isEqualTo(c);
        }
    }
}
