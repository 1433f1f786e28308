package org.arrhythmiamonitor.alerting.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.arrhythmiamonitor.alerting.lifecycle.DeadLetterProgress.Position;
import org.junit.jupiter.api.Test;

class DeadLetterProgressTest {
    private final DeadLetterProgress progress = new DeadLetterProgress(Duration.ofSeconds(60));
    private final Position at = new Position(0, 7);

    @Test
    void anAlertIsMovedPastAfterThePatienceOfRefusalsInARow() {
        for (long t = 0; t < 60_000; t += 1000) {
            assertThat(progress.refusedTooLong(at, t)).as("at %d ms", t).isFalse();
        }
        assertThat(progress.refusedTooLong(at, 60_000)).isTrue();
        assertThat(progress.settled(at)).as("a re-read does not write or count it again").isTrue();
        progress.committed(0, 8);
        assertThat(progress.settled(at)).isFalse();
    }

    @Test
    void refusalsWithAPauseBetweenThemDoNotAddUp() {
        // One refusal, then the store was down for five minutes and no letter was tried.
        assertThat(progress.refusedTooLong(at, 0)).isFalse();
        for (long t = 300_000; t < 360_000; t += 1000) {
            assertThat(progress.refusedTooLong(at, t)).as("the patience started again at 300 s: %d ms", t).isFalse();
        }
        assertThat(progress.refusedTooLong(at, 360_000)).isTrue();
    }

    @Test
    void aWrittenLetterIsSettledUntilTheCommitPassesIt() {
        assertThat(progress.refusedTooLong(at, 0)).isFalse();
        progress.written(at);
        assertThat(progress.settled(at)).isTrue();
        progress.committed(1, 100);
        assertThat(progress.settled(at)).as("another partition's commit").isTrue();
        progress.committed(0, 7);
        assertThat(progress.settled(at)).as("a commit before it").isTrue();
        progress.committed(0, 8);
        assertThat(progress.settled(at)).isFalse();
    }
}
