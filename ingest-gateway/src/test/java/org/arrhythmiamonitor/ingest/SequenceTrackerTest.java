package org.arrhythmiamonitor.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import org.arrhythmiamonitor.ingest.SequenceTracker.Admission;
import org.arrhythmiamonitor.ingest.SequenceTracker.Conflict;
import org.arrhythmiamonitor.ingest.SequenceTracker.Duplicate;
import org.arrhythmiamonitor.ingest.SequenceTracker.Write;
import org.junit.jupiter.api.Test;

class SequenceTrackerTest {
    private final SequenceTracker tracker = new SequenceTracker(100);

    private Admission admitAndWrite(String device, long seq) {
        Admission admission = tracker.admit(device, seq, 1000 * seq);
        if (admission instanceof Write) {
            tracker.written(device, seq);
        }
        return admission;
    }

    @Test
    void newChunksAreWrittenAndAReplayIsADuplicate() {
        assertThat(admitAndWrite("d", 0)).isEqualTo(new Write(0));
        assertThat(admitAndWrite("d", 1)).isEqualTo(new Write(0));
        assertThat(tracker.admit("d", 1, 1000)).isInstanceOfSatisfying(Duplicate.class,
                d -> assertThat(d.pending()).isCompleted());
        assertThat(tracker.admit("d", 0, 0)).isInstanceOf(Duplicate.class);
    }

    @Test
    void aReplayWhileTheFirstWriteIsPendingWaitsForIt() {
        assertThat(tracker.admit("d", 5, 5000)).isInstanceOf(Write.class);
        Admission retry = tracker.admit("d", 5, 5000);
        assertThat(retry).isInstanceOfSatisfying(Duplicate.class, d -> assertThat(d.pending()).isNotDone());
        tracker.written("d", 5);
        assertThat(((Duplicate) retry).pending()).isCompleted();
    }

    @Test
    void aFailedWriteMayBeRetriedUntilALaterChunkIsStored() {
        tracker.admit("d", 0, 0);
        tracker.failed("d", 0, new RuntimeException("broker gone"));
        assertThat(tracker.admit("d", 0, 0)).isEqualTo(new Write(0));
        tracker.written("d", 0);

        tracker.admit("d", 1, 1000);
        tracker.failed("d", 1, new RuntimeException("broker gone"));
        assertThat(admitAndWrite("d", 2)).isEqualTo(new Write(0));
        // Seq 1 would now land behind seq 2, where the processor drops it: refuse rather than lose it quietly.
        assertThat(tracker.admit("d", 1, 1000)).isInstanceOf(Conflict.class);
    }

    @Test
    void gapsAreCountedAndOutOfOrderOrRestartedSeqsAreConflicts() {
        admitAndWrite("d", 10);
        assertThat(admitAndWrite("d", 14)).isEqualTo(new Write(3));
        assertThat(tracker.admit("d", 12, 12_000)).isInstanceOfSatisfying(Conflict.class,
                c -> assertThat(c.detail()).contains("seq order"));
        // A device that restarted its counter: an old seq with a newer clock.
        assertThat(tracker.admit("d", 0, 99_000)).isInstanceOfSatisfying(Conflict.class,
                c -> assertThat(c.detail()).contains("keep increasing"));
    }

    @Test
    void aSeqAlreadySentWithAnotherT0IsAConflictNotADuplicate() {
        for (long seq = 0; seq < 3; seq++) {
            admitAndWrite("d", seq);
        }
        // The device restarted its counter 10 s later: new samples under old seqs.
        assertThat(tracker.admit("d", 0, 12_000)).isInstanceOfSatisfying(Conflict.class,
                c -> assertThat(c.detail()).contains("seq 0 was already sent with another t0", "12000",
                        "newest seq of this device is 2"));
        assertThat(tracker.admit("d", 1, 13_000)).isInstanceOf(Conflict.class);
        assertThat(tracker.admit("d", 1, 1000)).isInstanceOf(Duplicate.class);

        assertThat(tracker.admit("d", 3, 3000)).isInstanceOf(Write.class);
        assertThat(tracker.admit("d", 3, 3001)).as("while in flight").isInstanceOf(Conflict.class);
        assertThat(tracker.admit("d", 3, 3000)).isInstanceOf(Duplicate.class);
        tracker.failed("d", 3, new RuntimeException("broker gone"));
        assertThat(tracker.admit("d", 3, 3001)).as("after a failed write").isInstanceOf(Conflict.class);
        assertThat(tracker.admit("d", 3, 3000)).isEqualTo(new Write(0));
    }

    @Test
    void devicesAreIndependentAndMemoryIsBounded() {
        for (int i = 0; i < 500; i++) {
            admitAndWrite("device-" + i, 0);
        }
        assertThat(tracker.devices()).isEqualTo(100);
        // A forgotten device starts afresh; the processor's own order check catches a real replay.
        assertThat(tracker.admit("device-0", 0, 0)).isEqualTo(new Write(0));
    }
}
