package org.arrhythmiamonitor.episode;

import static org.assertj.core.api.Assertions.assertThat;

import org.arrhythmiamonitor.state.v1.AfState;
import org.arrhythmiamonitor.wire.v1.BeatClass;
import org.junit.jupiter.api.Test;

class ReportedClassTest {
    private static final AfState SINUS = AfState.getDefaultInstance();
    private static final AfState IN_AF = AfState.newBuilder().setInAf(true).build();

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
    void otherClassesAreTheModelsWhateverTheInterval() {
        for (BeatClass c : new BeatClass[] {BeatClass.N, BeatClass.V, BeatClass.F, BeatClass.Q}) {
            assertThat(ReportedClass.of(SINUS, c, false, BeatClass.N)).isEqualTo(c);
            assertThat(ReportedClass.of(IN_AF, c, true, BeatClass.S)).isEqualTo(c);
        }
    }
}
