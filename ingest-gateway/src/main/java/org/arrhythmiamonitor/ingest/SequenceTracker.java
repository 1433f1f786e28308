package org.arrhythmiamonitor.ingest;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;
import org.arrhythmiamonitor.wire.v1.Lead;
import org.arrhythmiamonitor.wire.v1.SampleChunk;

/**
 * Per-device {@code seq} bookkeeping, so that a device retrying a chunk whose answer it missed is
 * acknowledged without a second write, and a chunk that would land behind a later one (which the
 * processor would then have to drop) is refused with 409 instead of being quietly lost.
 *
 * <p>A retry is the same chunk again, so it repeats its {@code t0} and its samples; a seq already
 * sent with another {@code t0} is a device whose counter restarted, and one sent with other samples
 * a device that numbers two chunks alike: acknowledging either as a duplicate would throw its new
 * samples away, so it is a 409 as well.
 *
 * <p>A chunk whose {@code t0} lies before the end of the device's newest chunk is written all the
 * same: its device clock was set back (a time sync), and refusing it would lose signal and lock the
 * device out until its clock caught up. The processor reads it as continuing the signal, its samples
 * counted on from the last chunk; the first such step of a device is reported so that it is logged.
 *
 * <p>A chunk whose write failed (Kafka did not take it, or the gateway was overloaded) holds back the
 * device's later chunks for up to {@value #RESEND_WAIT_MS} ms: the device was told to send it again,
 * and once a later chunk is stored it could only land behind that one. A device that sends on
 * without it is told to resend it first; one that never does loses it after that wait rather than
 * being held up for good. A later chunk already on its way to Kafka when the write failed leaves the
 * failed one no place, and holds nothing back.
 *
 * <p>Memory is bounded: the newest {@value #WINDOW} seqs per device with their {@code t0} and samples
 * in 32 bits (about
 * 0.4 KB a device), for at most {@code maxDevices} devices (least recently seen forgotten first). A
 * gateway that restarted or forgot a device accepts its next chunk as new; the processor's own
 * order check (it drops seqs it has processed) keeps that from double-counting.
 */
public final class SequenceTracker {
    static final int WINDOW = 64;
    /** How far a chunk may start before the last one ended with its clock not counted as set back. */
    static final long CLOCK_JITTER_MS = 1_000;
    /** How long a failed chunk holds back the device's later ones, waiting to be sent again. */
    static final long RESEND_WAIT_MS = 5_000;

    /** What to do with a chunk. */
    public sealed interface Admission {
    }

    /**
     * Write it; {@code missing} chunks were skipped since the newest one (a gap), usually 0;
     * {@code clockBackMs} is how far it starts before the newest one ended, the first time this
     * device's clock went back by more than {@value #CLOCK_JITTER_MS} ms, else 0.
     */
    public record Write(long missing, long clockBackMs) implements Admission {
    }

    /** Already written (or being written: wait for {@code pending}); answer success without writing. */
    public record Duplicate(CompletableFuture<Void> pending) implements Admission {
    }

    /** Neither new nor a replay. */
    public record Conflict(String detail) implements Admission {
    }

    /**
     * A retry of a failed write while {@code laterSeq}, sent after it, is still being written: try
     * again shortly. Written now it would land behind that chunk if Kafka takes it, where the
     * processor drops it; if Kafka does not, this retry may go first.
     */
    public record Pending(long laterSeq) implements Admission {
    }

    /**
     * A new chunk while {@code failedSeq}, sent before it, was not stored and can still be: send that
     * one again first ({@code heldMs} more at most, after which this chunk is taken without it).
     */
    public record Behind(long failedSeq, long heldMs) implements Admission {
    }

    private static final class Device {
        long highest = -1;
        long highestT0;
        long highestEndMs;
        boolean clockWentBack;
        long highestAcked = -1;
        /** Bit i: seq {@code highest - i} is in Kafka. */
        long acked;
        /** Bit i: the write of seq {@code highest - i} failed. */
        long failed;
        /** When a write of this device last failed, on the tracker's monotonic clock (ms). */
        long failedAtMs;
        /**
         * What each sent seq carried, at {@code seq % WINDOW}: the low 32 bits of its t0 and a hash
         * of its samples, mixed. A retry repeats both exactly; two t0s with the same low bits lie a
         * multiple of 49.7 days apart, and other samples give another hash but once in 2^32, so
         * this tells a retry from a new chunk at half the memory of whole t0s.
         */
        final int[] contents = new int[WINDOW];
        final Map<Long, CompletableFuture<Void>> inFlight = new HashMap<>(2);

        void shiftTo(long seq) {
            long shift = seq - highest;
            acked = shift >= WINDOW ? 0 : acked << shift;
            failed = shift >= WINDOW ? 0 : failed << shift;
            highest = seq;
        }

        long bit(long seq) {
            long age = highest - seq;
            return age >= 0 && age < WINDOW ? 1L << age : 0;
        }

        void sent(long seq, int content) {
            contents[(int) (seq % WINDOW)] = content;
        }

        /**
         * The oldest seq whose write failed and which can still be written in order: above every
         * seq stored or on its way to Kafka; -1 when there is none.
         */
        long waitingForResend() {
            if (failed == 0) {
                // The common case, asked for every chunk: nothing failed, no need to look further.
                return -1;
            }
            long after = highestAcked;
            for (long seq : inFlight.keySet()) {
                after = Math.max(after, seq);
            }
            long ages = highest - after;
            if (ages <= 0) {
                return -1;
            }
            long candidates = ages >= WINDOW ? failed : failed & ((1L << ages) - 1);
            return candidates == 0 ? -1 : highest - (63 - Long.numberOfLeadingZeros(candidates));
        }

        /**
         * The oldest seq below {@code seq} whose write failed, which no stored chunk lies ahead of,
         * and which is not on its way to Kafka again; -1 when there is none.
         */
        long failedBefore(long seq) {
            for (long s = Math.max(highestAcked + 1, highest - WINDOW + 1); s < seq; s++) {
                if ((failed & bit(s)) != 0 && !inFlight.containsKey(s)) {
                    return s;
                }
            }
            return -1;
        }

        /** False only when what seq carried is remembered ({@code bit} is {@link #bit} of seq) and is other. */
        boolean mayBeRetry(long bit, long seq, int content) {
            return bit == 0 || contents[(int) (seq % WINDOW)] == content;
        }
    }

    private final Map<String, Device> devices;
    private final LongSupplier monotonicMs;

    /**
     * @param monotonicMs milliseconds on a clock that never steps (System.nanoTime's, not the wall
     *        clock, which a time sync may set back an hour): it times the wait for a failed chunk
     *        ({@link #RESEND_WAIT_MS})
     */
    public SequenceTracker(int maxDevices, LongSupplier monotonicMs) {
        this.monotonicMs = monotonicMs;
        this.devices = new LinkedHashMap<>(1024, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Device> eldest) {
                return size() > maxDevices && eldest.getValue().inFlight.isEmpty();
            }
        };
    }

    /**
     * @param samplesHash a hash of the chunk's samples ({@link #samplesHash}), which a retry repeats
     * @param endMs device time just after the chunk's last sample
     */
    public synchronized Admission admit(String deviceId, long seq, long t0, int samplesHash, long endMs) {
        int content = (int) t0 * 31 + samplesHash;
        Device d = devices.computeIfAbsent(deviceId, id -> new Device());
        if (seq > d.highest) {
            long waiting = d.waitingForResend();
            if (waiting >= 0) {
                long heldMs = resendWaitLeftMs(d);
                if (heldMs > 0) {
                    return new Behind(waiting, heldMs);
                }
                // Given up: not asked for again once a later chunk fails too.
                d.failed = 0;
            }
            long missing = d.highest < 0 ? 0 : seq - d.highest - 1;
            long back = d.highest < 0 ? 0 : d.highestEndMs - t0;
            boolean firstStepBack = back > CLOCK_JITTER_MS && !d.clockWentBack;
            d.clockWentBack |= firstStepBack;
            d.shiftTo(seq);
            d.highestT0 = t0;
            d.highestEndMs = endMs;
            d.sent(seq, content);
            d.inFlight.put(seq, new CompletableFuture<>());
            return new Write(missing, firstStepBack ? back : 0);
        }
        CompletableFuture<Void> pending = d.inFlight.get(seq);
        long bit = d.bit(seq);
        boolean sent = pending != null || ((d.acked | d.failed) & bit) != 0;
        if (sent && !d.mayBeRetry(bit, seq, content)) {
            return new Conflict("seq " + seq + " was already sent with another t0 or other samples than this "
                    + "chunk's (t0 " + t0 + "), so this is not a retry of it: has the device's counter restarted, or "
                    + "did it number two chunks alike? seq must keep increasing, also across device restarts; the "
                    + "newest seq of this device is " + d.highest);
        }
        if (pending != null) {
            return new Duplicate(pending);
        }
        if ((d.acked & bit) != 0) {
            return new Duplicate(CompletableFuture.completedFuture(null));
        }
        if ((d.failed & bit) != 0 && seq > d.highestAcked) {
            long later = d.inFlight.keySet().stream().mapToLong(Long::longValue).filter(s -> s > seq).min()
                    .orElse(-1);
            if (later >= 0) {
                return new Pending(later);
            }
            // An earlier chunk that failed too and is not being sent again: this one first would
            // leave it no place, as for a new chunk.
            long earlier = d.failedBefore(seq);
            if (earlier >= 0) {
                long heldMs = resendWaitLeftMs(d);
                if (heldMs > 0) {
                    return new Behind(earlier, heldMs);
                }
            }
            d.failed &= ~bit;
            d.inFlight.put(seq, new CompletableFuture<>());
            return new Write(0, 0);
        }
        if (t0 > d.highestT0) {
            return new Conflict("seq " + seq + " is not above " + d.highest + ", the newest seq of this device, yet "
                    + "its t0 is later: seq must keep increasing, also across device restarts");
        }
        if (bit == 0) {
            // Older than the seqs the gateway remembers: whether it was stored is not known here.
            return new Conflict("seq " + seq + " is " + WINDOW + " or more behind " + d.highest + ", the newest seq "
                    + "of this device, and the gateway no longer knows whether it was stored: if it was acknowledged, "
                    + "it was; chunks of one device must be written in seq order");
        }
        return new Conflict("seq " + seq + " arrived after seq " + Math.max(d.highest, d.highestAcked)
                + " and was never stored; chunks of one device are written in seq order, so one that comes after a "
                + "later one has no place (a device with chunks in flight on two connections, or sending out of "
                + "order)");
    }

    /** How much longer the device's failed chunk holds back the chunks after it, ms; 0 or less once given up. */
    private long resendWaitLeftMs(Device d) {
        return Math.min(RESEND_WAIT_MS, RESEND_WAIT_MS - (monotonicMs.getAsLong() - d.failedAtMs));
    }

    /** Kafka has the chunk. */
    public synchronized void written(String deviceId, long seq) {
        Device d = devices.get(deviceId);
        if (d == null) {
            return;
        }
        d.acked |= d.bit(seq);
        d.highestAcked = Math.max(d.highestAcked, seq);
        complete(d, seq, null);
    }

    /** Kafka did not take the chunk; a retry of it may be written. */
    public synchronized void failed(String deviceId, long seq, Throwable error) {
        Device d = devices.get(deviceId);
        if (d == null) {
            return;
        }
        d.failed |= d.bit(seq);
        d.failedAtMs = monotonicMs.getAsLong();
        complete(d, seq, error);
    }

    /**
     * Kafka will never take the chunk (it is over its record size): the device must send other
     * chunks, so it holds none back, and sent again it is refused as never stored.
     */
    public synchronized void rejected(String deviceId, long seq, Throwable error) {
        Device d = devices.get(deviceId);
        if (d != null) {
            complete(d, seq, error);
        }
    }

    private static void complete(Device d, long seq, Throwable error) {
        CompletableFuture<Void> pending = d.inFlight.remove(seq);
        if (pending != null) {
            if (error == null) {
                pending.complete(null);
            } else {
                pending.completeExceptionally(error);
            }
        }
    }

    public synchronized int devices() {
        return devices.size();
    }

    /** A hash of every lead's samples, in order, with their names and gains: what a retry repeats. */
    public static int samplesHash(SampleChunk chunk) {
        int hash = 1;
        for (Lead lead : chunk.getLeadsList()) {
            hash = 31 * hash + lead.getName().hashCode();
            hash = 31 * hash + Double.hashCode(lead.getGainPerMv());
            for (int i = 0; i < lead.getSamplesCount(); i++) {
                hash = 31 * hash + lead.getSamples(i);
            }
        }
        return 31 * hash + Double.hashCode(chunk.getFsHz());
    }
}
