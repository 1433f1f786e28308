package org.arrhythmiamonitor.rhythm;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.arrhythmiamonitor.state.v1.AfState;
import org.arrhythmiamonitor.wire.v1.BeatClass;
import org.arrhythmiamonitor.wire.v1.RhythmSegment;
import org.junit.jupiter.api.Test;

/**
 * The detector's state rules that scripted beat sequences do not reach; the rhythms themselves are
 * tested through the episode stage (EpisodeStageTest).
 */
class AfDetectorTest {
    private static final double FS = 250;

    @Test
    void atrialFibrillationNeverStartsBeforeTheLastEpisodeEnded() {
        // The two windows date changes at their own middles, so an AF that one window ended could
        // otherwise restart, dated by the other, before that end: segments would overlap.
        AfState.Builder window = irregularWindow(AfDetector.WINDOW - 1);
        long middle = window.getRrTimeMs(AfDetector.WINDOW / 2 - 1);
        long lastTime = window.getRrTimeMs(AfDetector.WINDOW - 2);
        long endedTime = middle + 3_000;

        RhythmSegment fresh = enterWith(window.clone().build(), lastTime);
        RhythmSegment afterAnEnd = enterWith(window.clone().setEndedTimeMs(endedTime)
                .setEndedSample(Math.round(endedTime * FS / 1000)).build(), lastTime);

        assertThat(fresh.getOnsetTimeMs()).as("dated to the window's middle").isLessThan(endedTime);
        assertThat(afterAnEnd.getOnsetTimeMs()).isEqualTo(endedTime);
        assertThat(afterAnEnd.getOnsetSample()).isEqualTo(Math.round(endedTime * FS / 1000));
    }

    /** The segment that one more irregular N beat opens on a window one interval short of full. */
    private static RhythmSegment enterWith(AfState state, long lastTime) {
        List<RhythmSegment> out = new ArrayList<>();
        long time = lastTime + 700;
        AfState after = AfDetector.onBeat(state, "d", new AfDetector.Beat(Math.round(time * FS / 1000), time, 700,
                BeatClass.N, true, Double.NaN), BeatClass.N, true, out::add);
        assertThat(after.getInAf()).isTrue();
        assertThat(out).hasSize(1);
        return out.get(0);
    }

    /** A window of intervals between N beats as irregular as AF, without P-wave similarity. */
    private static AfState.Builder irregularWindow(int intervals) {
        Random random = new Random(5);
        AfState.Builder s = AfState.newBuilder();
        long time = 0;
        for (int i = 0; i < intervals; i++) {
            float rr = (float) (400 + 500 * random.nextDouble());
            time += Math.round(rr);
            s.addRrMs(rr).addRrSample(Math.round(time * FS / 1000)).addRrTimeMs(time).addRrTouchesS(false)
                    .addRrCouplesS(false).addRrPWave(Float.NaN);
        }
        return s.setPos(intervals % AfDetector.WINDOW).setFilled(intervals);
    }
}
