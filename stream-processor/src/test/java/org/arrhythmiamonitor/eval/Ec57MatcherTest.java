package org.arrhythmiamonitor.eval;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class Ec57MatcherTest {
    private static final List<long[]> ALL = List.of(new long[] {0, 100_000});

    @Test
    void matchesWithinTheWindowOnceEachClosestFirst() {
        long[] reference = {1000, 2000, 3000, 4000};
        long[] detected = {1040, 1060, 2054, 3100, 3990};

        QrsScore score = Ec57Matcher.score(reference, detected, 54, ALL);

        // 1040 and 3990 match; 1060 is a second detection of beat 1000; 2054 is inside 54; 3100 is too far.
        assertThat(score).isEqualTo(new QrsScore(3, 1, 2));
        assertThat(score.se()).isEqualTo(75.0);
        assertThat(score.ppv()).isEqualTo(60.0);
    }

    @Test
    void onlyScoredIntervalsCountButEdgesMayPairAcrossThem() {
        long[] reference = {100, 1000, 1500, 2000};
        long[] detected = {990, 1510, 2100, 2500};
        List<long[]> scored = Ec57Matcher.subtract(995, 3000, List.of(new long[] {1400, 1600}));

        QrsScore score = Ec57Matcher.score(reference, detected, 54, scored);

        // 1000 (scored) pairs with 990 (just outside); 1500/1510 are in the excluded interval;
        // 2000 is missed; 2100 and 2500 are false.
        assertThat(score).isEqualTo(new QrsScore(1, 1, 2));
        assertThat(scored).extracting(i -> i[0] + "-" + i[1]).containsExactly("995-1400", "1600-3000");
    }

    @Test
    void emptyScoresAreUndefinedNotHundredPercent() {
        // 0/0: no beats to find is no evidence of finding them all.
        assertThat(QrsScore.ZERO.se()).isNaN();
        assertThat(QrsScore.ZERO.ppv()).isNaN();
        assertThat(new QrsScore(0, 0, 3).se()).isNaN();
        assertThat(new QrsScore(0, 0, 3).ppv()).isZero();
    }
}
