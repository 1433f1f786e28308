package org.arrhythmiamonitor.beat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class PrematuritySpreadTest {
    private static final int N = BeatClasses.NAMES.indexOf("N");
    private static final int S = BeatClasses.NAMES.indexOf("S");
    private static final int V = BeatClasses.NAMES.indexOf("V");

    private PrematuritySpread spread = new PrematuritySpread();

    /** Readable N beats, 1 s apart, with these prematurity indices. */
    private void learnN(double... indices) {
        for (double p : indices) {
            spread.learn(p, 1.0, true, N);
        }
    }

    @Test
    void theSpreadIsTheMedianAbsoluteDeviationOfTheLatestIndices() {
        assertThat(spread.spread()).isNaN();
        learnN(1.0, 1.1, 0.9);
        // Median 1.0; deviations 0, 0.1, 0.1.
        assertThat(spread.spread()).isCloseTo(0.1, within(1e-6));
        learnN(1.3);
        // Median (1.0 + 1.1) / 2; deviations 0.05, 0.05, 0.15, 0.25: their median is (0.05 + 0.15) / 2.
        assertThat(spread.spread()).isCloseTo(0.1, within(1e-6));
        learnN(1.02);
        // 0.9 1.0 1.02 1.1 1.3: median 1.02; deviations 0.12 0.02 0 0.08 0.28.
        assertThat(spread.spread()).isCloseTo(0.08, within(1e-6));
    }

    @Test
    void onlyTheLatestSixtyFourReadableNBeatsCount() {
        for (int i = 0; i < 100; i++) {
            learnN(i % 2 == 0 ? 0.8 : 1.2);
        }
        assertThat(spread.spread()).isCloseTo(0.2, within(1e-6));
        learnN(Collections.nCopies(PrematuritySpread.BEATS - 1, 1.0).stream().mapToDouble(d -> d).toArray());
        // One 1.2 of the alternating beats is left among 63 at 1.0.
        assertThat(spread.recent()).hasSize(PrematuritySpread.BEATS).startsWith(1.2f);
        assertThat(spread.spread()).isZero();
        learnN(1.0);
        assertThat(spread.recent()).containsOnly(1.0f);
        spread.learn(0.5, 1.0, false, N);
        spread.learn(0.5, 1.0, true, S);
        spread.learn(0.5, 1.0, true, V);
        spread.learn(Double.NaN, 1.0, true, N);
        assertThat(spread.recent()).as("unreadable beats, other classes and unknown indices").containsOnly(1.0f);
    }

    @Test
    void anUnusuallyEarlyBeatIsEarlierThanThreeSpreadsAndAbrupt() {
        learnN(Collections.nCopies(PrematuritySpread.MIN_BEATS - 1, 1.0).stream().mapToDouble(d -> d).toArray());
        assertThat(spread.unusuallyEarly(0.7, 0.7)).as("15 beats known").isFalse();
        learnN(1.0);
        assertThat(spread.unusuallyEarly(0.7, 0.7)).as("16 beats known").isTrue();
        // Spread exactly 1/32 (values exact in binary): the limit is 1 - 3/32 = 0.90625.
        spread = new PrematuritySpread();
        for (int i = 0; i < 20; i++) {
            learnN(i % 2 == 0 ? 0.96875 : 1.03125);
        }
        learnN(1.0);
        assertThat(spread.spread()).isEqualTo(0.03125);
        assertThat(spread.unusuallyEarly(0.906, 0.89)).isTrue();
        assertThat(spread.unusuallyEarly(0.90625, 0.89)).as("exactly three spreads").isFalse();
        assertThat(spread.unusuallyEarly(0.906, 0.9)).as("not abrupt: 0.9 of the interval before").isFalse();
        assertThat(spread.unusuallyEarly(Double.NaN, 0.8)).as("index unknown").isFalse();
        assertThat(spread.unusuallyEarly(0.8, 0)).as("no interval").isFalse();
        // A steady rhythm: spread 0, but the index must still be under 0.95.
        learnN(Collections.nCopies(PrematuritySpread.BEATS, 1.0).stream().mapToDouble(d -> d).toArray());
        assertThat(spread.unusuallyEarly(0.949, 0.899)).isTrue();
        assertThat(spread.unusuallyEarly(0.95, 0.899)).isFalse();
        spread.learn(1.0, 0, true, N);
        assertThat(spread.unusuallyEarly(0.8, 0.8)).as("the beat before had no interval").isFalse();
    }

    @Test
    void aBeatOnTimeAfterALongIntervalIsNotUnusuallyEarly() {
        learnN(Collections.nCopies(30, 1.0).stream().mapToDouble(d -> d).toArray());
        // A pause of 2 s: the next beat, on time, is under 0.9 of it, and the pause raised the
        // local mean its index is measured against.
        spread.learn(1.0, 2.0, true, N);
        assertThat(spread.unusuallyEarly(1.0 / 1.1, 1.0)).isFalse();
        // Index 0.9 at an interval of 0.9 s: a local mean of 1 s. The interval before may be up to
        // 1 / 0.9 of it.
        spread.learn(1.0, 1.1, true, N);
        assertThat(spread.unusuallyEarly(0.9, 0.9)).isTrue();
        spread.learn(1.0, 1.12, true, N);
        assertThat(spread.unusuallyEarly(0.9, 0.9)).as("over 1 / 0.9 of the local mean").isFalse();
    }

    @Test
    void everyBeatsIntervalIsTheOneTheNextIsComparedWith() {
        learnN(Collections.nCopies(30, 1.0).stream().mapToDouble(d -> d).toArray());
        // 0.95 s is not under 0.9 of the N beats' 1 s, but is under 0.9 of the 1.1 s before it.
        assertThat(spread.unusuallyEarly(0.9, 0.95)).isFalse();
        spread.learn(1.3, 1.1, true, V);
        assertThat(spread.unusuallyEarly(0.9, 0.95)).as("after a V beat").isTrue();
        spread.learn(1.0, 1.0, true, N);
        spread.learn(1.3, 1.1, false, N);
        assertThat(spread.unusuallyEarly(0.9, 0.95)).as("after an unreadable beat").isTrue();
    }

    @Test
    void aSavedStateIsRestoredAndDamageIsLeftOut() {
        List<Float> saved = new ArrayList<>();
        for (int i = 0; i < 70; i++) {
            saved.add(i == 69 ? Float.NaN : i / 100f);
        }
        PrematuritySpread restored = PrematuritySpread.restore(saved, 0.8);
        // The latest 64 saved (6 to 68 hundredths and the NaN, which is left out), oldest first.
        assertThat(restored.recent()).hasSize(63).startsWith(0.06f).endsWith(0.68f);
        assertThat(restored.lastRrS()).isEqualTo(0.8);
        assertThat(PrematuritySpread.restore(List.of(), -1).lastRrS()).isZero();
        assertThat(PrematuritySpread.restore(List.of(), Double.NaN).lastRrS()).isZero();

        learnN(0.9, 1.0, 1.1);
        PrematuritySpread again = PrematuritySpread.restore(spread.recent(), spread.lastRrS());
        assertThat(again.recent()).containsExactly(0.9f, 1.0f, 1.1f);
        assertThat(again.spread()).isEqualTo(spread.spread());
        assertThat(again.lastRrS()).isEqualTo(1.0);
    }
}
