package org.arrhythmiamonitor.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import org.arrhythmiamonitor.ingest.SequenceTracker.Admission;
import org.arrhythmiamonitor.ingest.SequenceTracker.Behind;
import org.arrhythmiamonitor.ingest.SequenceTracker.Conflict;
import org.arrhythmiamonitor.ingest.SequenceTracker.Duplicate;
import org.arrhythmiamonitor.ingest.SequenceTracker.Pending;
import org.arrhythmiamonitor.ingest.SequenceTracker.Write;
import org.junit.jupiter.api.Test;

class SequenceTrackerTest {
    /** The tracker's monotonic clock, moved by hand. */
    private long nowMs;
    private final SequenceTracker tracker = new SequenceTracker(100, () -> nowMs);

    /** One-second chunks: seq n starts at n s. */
    private Admission admit(String device, long seq, long t0) {
        return tracker.admit(device, seq, t0, 0, t0 + 1000);
    }

    private Admission admitAndWrite(String device, long seq) {
        Admission admission = admit(device, seq, 1000 * seq);
        if (admission instanceof Write) {
            tracker.written(device, seq);
        }
        return admission;
    }

    @Test
    void newChunksAreWrittenAndAReplayIsADuplicate() {
        assertThat(admitAndWrite("d", 0)).isEqualTo(new Write(0, 0));
        assertThat(admitAndWrite("d", 1)).isEqualTo(new Write(0, 0));
        assertThat(admit("d", 1, 1000)).isInstanceOfSatisfying(Duplicate.class,
                d -> assertThat(d.pending()).isCompleted());
        assertThat(admit("d", 0, 0)).isInstanceOf(Duplicate.class);
    }

    @Test
    void aReplayWhileTheFirstWriteIsPendingWaitsForIt() {
        assertThat(admit("d", 5, 5000)).isInstanceOf(Write.class);
        Admission retry = admit("d", 5, 5000);
        assertThat(retry).isInstanceOfSatisfying(Duplicate.class, d -> assertThat(d.pending()).isNotDone());
        tracker.written("d", 5);
        assertThat(((Duplicate) retry).pending()).isCompleted();
    }

    @Test
    void aFailedWriteMayBeRetriedUntilALaterChunkIsStored() {
        admit("d", 0, 0);
        tracker.failed("d", 0, new RuntimeException("broker gone"));
        assertThat(admit("d", 0, 0)).isEqualTo(new Write(0, 0));
        tracker.written("d", 0);

        admit("d", 1, 1000);
        tracker.failed("d", 1, new RuntimeException("broker gone"));
        // The device sends on without seq 1: it is told to send seq 1 first, which can still go in order.
        assertThat(admit("d", 2, 2000)).isEqualTo(new Behind(1, SequenceTracker.RESEND_WAIT_MS));
        nowMs += SequenceTracker.RESEND_WAIT_MS;
        // It never did: seq 2 is taken, and seq 1 would now land behind it, where the processor drops
        // it: refuse rather than lose it quietly.
        assertThat(admitAndWrite("d", 2)).isEqualTo(new Write(0, 0));
        assertThat(admit("d", 1, 1000)).isInstanceOf(Conflict.class);
    }

    @Test
    void aChunkRefusedForRetryIsNotLostToTheChunksSentAfterIt() {
        // A WebSocket device sends seq 0 and 1 without waiting; seq 0 is refused (the gateway was
        // overloaded) before seq 1 arrives.
        admit("d", 0, 0);
        tracker.failed("d", 0, new IllegalStateException("overloaded"));
        nowMs += 1000;
        assertThat(admit("d", 1, 1000)).as("seq 0 first").isEqualTo(new Behind(0, 4000));
        assertThat(admit("d", 0, 0)).as("the retry").isEqualTo(new Write(0, 0));
        tracker.written("d", 0);
        assertThat(admitAndWrite("d", 1)).isEqualTo(new Write(0, 0));
        // A later chunk already on its way when the write failed leaves the failed one no place: nothing is held.
        admit("d", 2, 2000);
        admit("d", 3, 3000);
        tracker.failed("d", 2, new RuntimeException("broker gone"));
        assertThat(admit("d", 4, 4000)).isEqualTo(new Write(0, 0));
    }

    @Test
    void aChunkGivenUpOnIsNotAskedForAgainNorIsOneKafkaCanNeverTake() {
        admitAndWrite("d", 0);
        admit("d", 1, 1000);
        tracker.failed("d", 1, new RuntimeException("broker gone"));
        nowMs += SequenceTracker.RESEND_WAIT_MS;
        assertThat(admit("d", 2, 2000)).as("seq 1 given up").isEqualTo(new Write(0, 0));
        tracker.failed("d", 2, new RuntimeException("broker gone"));
        assertThat(admit("d", 3, 3000)).as("seq 2, not seq 1 again")
                .isEqualTo(new Behind(2, SequenceTracker.RESEND_WAIT_MS));
        assertThat(admit("d", 2, 2000)).isEqualTo(new Write(0, 0));
        tracker.written("d", 2);
        // Over Kafka's record size: sending it again cannot help, so it holds nothing back.
        admit("d", 3, 3000);
        tracker.rejected("d", 3, new RuntimeException("record too large"));
        assertThat(admit("d", 4, 4000)).isEqualTo(new Write(0, 0));
    }

    @Test
    void aRetryIsHeldBehindAnEarlierChunkThatFailedWithItUntilThatOneIsSentAgain() {
        // Kafka gone: seq 0 and 1, sent together, both fail. A device retrying seq 1 first (or on
        // another connection) would have it stored, and seq 0 then refused for good.
        admitAndWrite("d", 0);
        admit("d", 1, 1000);
        admit("d", 2, 2000);
        tracker.failed("d", 1, new RuntimeException("broker gone"));
        tracker.failed("d", 2, new RuntimeException("seq 1 not stored"));
        nowMs += 1000;
        assertThat(admit("d", 2, 2000)).isEqualTo(new Behind(1, 4000));
        assertThat(admit("d", 1, 1000)).isEqualTo(new Write(0, 0));
        // Seq 1 on its way again: seq 2 may follow it (the publisher sends it once seq 1 is stored).
        assertThat(admit("d", 2, 2000)).isEqualTo(new Write(0, 0));

        // Given up after the wait, as for a new chunk.
        admitAndWrite("d", 3);
        admit("d", 4, 4000);
        admit("d", 5, 5000);
        tracker.failed("d", 4, new RuntimeException("broker gone"));
        tracker.failed("d", 5, new RuntimeException("seq 4 not stored"));
        nowMs += SequenceTracker.RESEND_WAIT_MS;
        assertThat(admit("d", 5, 5000)).isEqualTo(new Write(0, 0));
    }

    @Test
    void aFailedWriteWaitsWhileALaterChunkIsBeingWritten() {
        // A WebSocket device sends on without waiting: seq 5 is refused (say the gateway was
        // overloaded) while seq 6 is already on its way to Kafka.
        admit("d", 5, 5000);
        admit("d", 6, 6000);
        tracker.failed("d", 5, new RuntimeException("overloaded"));
        // Written now, seq 5 would land behind seq 6, where the processor drops it after its 202.
        assertThat(admit("d", 5, 5000)).isInstanceOfSatisfying(Pending.class,
                p -> assertThat(p.laterSeq()).isEqualTo(6));
        // Seq 6 was not stored either: seq 5 may go first again.
        tracker.failed("d", 6, new RuntimeException("broker gone"));
        assertThat(admit("d", 5, 5000)).isEqualTo(new Write(0, 0));
        tracker.written("d", 5);
        assertThat(admit("d", 6, 6000)).isEqualTo(new Write(0, 0));
    }

    @Test
    void gapsAreCountedAndOutOfOrderOrRestartedSeqsAreConflicts() {
        admitAndWrite("d", 10);
        assertThat(admitAndWrite("d", 14)).isEqualTo(new Write(3, 0));
        assertThat(admit("d", 12, 12_000)).isInstanceOfSatisfying(Conflict.class,
                c -> assertThat(c.detail()).contains("seq order"));
        // A device that restarted its counter: an old seq with a newer clock.
        assertThat(admit("d", 0, 99_000)).isInstanceOfSatisfying(Conflict.class,
                c -> assertThat(c.detail()).contains("keep increasing"));
    }

    @Test
    void aRetryOlderThanTheSeqsTheGatewayRemembersIsNotCalledNeverStored() {
        for (long seq = 0; seq <= SequenceTracker.WINDOW + 5; seq++) {
            admitAndWrite("d", seq);
        }
        assertThat(admit("d", 2, 2000)).isInstanceOfSatisfying(Conflict.class, c -> assertThat(c.detail())
                .contains("no longer knows whether it was stored: if it was acknowledged, it was")
                .doesNotContain("never stored"));
    }

    @Test
    void aSeqAlreadySentWithAnotherT0IsAConflictNotADuplicate() {
        for (long seq = 0; seq < 3; seq++) {
            admitAndWrite("d", seq);
        }
        // The device restarted its counter 10 s later: new samples under old seqs.
        assertThat(admit("d", 0, 12_000)).isInstanceOfSatisfying(Conflict.class,
                c -> assertThat(c.detail()).contains("seq 0 was already sent with another t0 or other samples", "12000",
                        "newest seq of this device is 2"));
        assertThat(admit("d", 1, 13_000)).isInstanceOf(Conflict.class);
        assertThat(admit("d", 1, 1000)).isInstanceOf(Duplicate.class);

        assertThat(admit("d", 3, 3000)).isInstanceOf(Write.class);
        assertThat(admit("d", 3, 3001)).as("while in flight").isInstanceOf(Conflict.class);
        assertThat(admit("d", 3, 3000)).isInstanceOf(Duplicate.class);
        tracker.failed("d", 3, new RuntimeException("broker gone"));
        assertThat(admit("d", 3, 3001)).as("after a failed write").isInstanceOf(Conflict.class);
        assertThat(admit("d", 3, 3000)).isEqualTo(new Write(0, 0));
    }

    @Test
    void aClockSetBackIsWrittenAndReportedOncePerDevice() {
        admitAndWrite("d", 0);
        admitAndWrite("d", 1);
        // Chunk 2 starts 700 s before chunk 1 ended: a time sync set the device clock back.
        assertThat(admit("d", 2, 2000 - 700_000)).isEqualTo(new Write(0, 700_000));
        tracker.written("d", 2);
        assertThat(admit("d", 3, 3000 - 1_400_000)).as("reported once").isEqualTo(new Write(0, 0));
        // Clock jitter of up to a second is no step.
        admitAndWrite("e", 0);
        assertThat(admit("e", 1, 500)).isEqualTo(new Write(0, 0));
    }

    @Test
    void devicesAreIndependentAndMemoryIsBounded() {
        for (int i = 0; i < 500; i++) {
            admitAndWrite("device-" + i, 0);
        }
        assertThat(tracker.devices()).isEqualTo(100);
        // A forgotten device starts afresh; the processor's own order check catches a real replay.
        assertThat(admit("device-0", 0, 0)).isEqualTo(new Write(0, 0));
    }
}
