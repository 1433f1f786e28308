package org.arrhythmiamonitor.ingest;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Per-device {@code seq} bookkeeping, so that a device retrying a chunk whose answer it missed is
 * acknowledged without a second write, and a chunk that would land behind a later one (which the
 * processor would then have to drop) is refused with 409 instead of being quietly lost.
 *
 * <p>Memory is bounded: the newest {@value #WINDOW} seqs per device, for at most
 * {@code maxDevices} devices (least recently seen forgotten first). A gateway that restarted or
 * forgot a device accepts its next chunk as new; the processor's own order check (it drops seqs it
 * has processed) keeps that from double-counting.
 */
public final class SequenceTracker {
    static final int WINDOW = 64;

    /** What to do with a chunk. */
    public sealed interface Admission {
    }

    /** Write it; {@code missing} chunks were skipped since the newest one (a gap), usually 0. */
    public record Write(long missing) implements Admission {
    }

    /** Already written (or being written: wait for {@code pending}); answer success without writing. */
    public record Duplicate(CompletableFuture<Void> pending) implements Admission {
    }

    /** Neither new nor a replay. */
    public record Conflict(String detail) implements Admission {
    }

    private static final class Device {
        long highest = -1;
        long highestT0;
        long highestAcked = -1;
        /** Bit i: seq {@code highest - i} is in Kafka. */
        long acked;
        /** Bit i: the write of seq {@code highest - i} failed. */
        long failed;
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
    }

    private final Map<String, Device> devices;

    public SequenceTracker(int maxDevices) {
        this.devices = new LinkedHashMap<>(1024, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Device> eldest) {
                return size() > maxDevices && eldest.getValue().inFlight.isEmpty();
            }
        };
    }

    public synchronized Admission admit(String deviceId, long seq, long t0) {
        Device d = devices.computeIfAbsent(deviceId, id -> new Device());
        CompletableFuture<Void> pending = d.inFlight.get(seq);
        if (pending != null) {
            return new Duplicate(pending);
        }
        if (seq > d.highest) {
            long missing = d.highest < 0 ? 0 : seq - d.highest - 1;
            d.shiftTo(seq);
            d.highestT0 = t0;
            d.inFlight.put(seq, new CompletableFuture<>());
            return new Write(missing);
        }
        long bit = d.bit(seq);
        if ((d.acked & bit) != 0) {
            return new Duplicate(CompletableFuture.completedFuture(null));
        }
        if ((d.failed & bit) != 0 && seq > d.highestAcked) {
            d.failed &= ~bit;
            d.inFlight.put(seq, new CompletableFuture<>());
            return new Write(0);
        }
        if (t0 > d.highestT0) {
            return new Conflict("seq " + seq + " is not above " + d.highest + ", the newest seq of this device, yet "
                    + "its t0 is later: seq must keep increasing, also across device restarts");
        }
        return new Conflict("seq " + seq + " arrived after seq " + Math.max(d.highest, d.highestAcked)
                + " and was never stored; chunks of one device must be written in seq order (send the next one "
                + "after the previous one was acknowledged)");
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
        complete(d, seq, error);
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
}
