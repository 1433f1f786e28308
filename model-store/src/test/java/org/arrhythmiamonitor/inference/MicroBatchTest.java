package org.arrhythmiamonitor.inference;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class MicroBatchTest {
    @Test
    void aBatchIsDueWhenFullOrWhenItsOldestItemHasWaitedLongEnough() {
        MicroBatch<String> batch = new MicroBatch<>(3, 5_000_000);
        assertThat(batch.due(0)).isFalse();
        assertThat(batch.add("a", 1_000_000)).isFalse();
        assertThat(batch.add("b", 5_000_000)).isFalse();
        assertThat(batch.due(5_999_999)).isFalse();
        assertThat(batch.due(6_000_000)).isTrue();
        assertThat(batch.add("c", 6_000_000)).isTrue();
        assertThat(batch.drain()).isEqualTo(List.of("a", "b", "c"));
        assertThat(batch.isEmpty()).isTrue();
        assertThat(batch.due(100_000_000)).isFalse();
        // The wait counts from the oldest item of the new batch.
        batch.add("d", 100_000_000);
        assertThat(batch.due(104_000_000)).isFalse();
        assertThat(batch.due(105_000_000)).isTrue();
    }
}
