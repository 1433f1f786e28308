package org.arrhythmiamonitor.ingest;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.arrhythmiamonitor.wire.LeadNames;

/**
 * What the gateway accepts in a chunk, whatever its encoding. Both decoders call these checks, so
 * JSON and Protobuf devices get the same limits and the same error for the same mistake.
 *
 * <p>Sample values are not range-checked beyond 32 bits on purpose: a device at its ADC rails is
 * telling us the lead is off or saturated, which the signal path turns into a technical event.
 */
public final class ChunkLimits {
    public static final double MIN_FS_HZ = 100;
    public static final double MAX_FS_HZ = 1000;
    public static final int MAX_LEADS = 12;
    /**
     * Below one ADC unit per millivolt a sample step is over 1 mV, too coarse to show a QRS. Far
     * below it a sample turns into so many millivolts that the processor's filters overflow, and
     * one such chunk (gain 1e-200, say) leaves that device's beat detection NaN for good.
     */
    public static final double MIN_GAIN_PER_MV = 1;
    /** 2000-01-01T00:00:00Z: a device clock before it was never set. */
    public static final long EARLIEST_T0_MS = 946_684_800_000L;
    /** What {@code seq} must be, for messages. */
    static final String SEQ_RANGE = "an integer from 0 to " + Long.MAX_VALUE;
    /** What {@code gain} must be, for messages. */
    static final String GAIN_RANGE = "a number of at least 1 ADC unit per millivolt";
    /** What {@code fs} must be, for messages. */
    static final String FS_RANGE = "a sampling rate of " + (int) MIN_FS_HZ + "-" + (int) MAX_FS_HZ + " Hz";
    private static final Pattern DEVICE_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    /** Spaces alone name no lead: names are compared without the spaces at their ends ({@code LeadNames}). */
    private static final Pattern LEAD_NAME = Pattern.compile("(?=.*[^ ])[A-Za-z0-9._ -]{1,16}");

    private final double maxChunkSeconds;
    private final long maxClockSkewMs;
    /** What {@code t0} must be, for messages. */
    private final String t0Range;

    /**
     * @param maxChunkSeconds longest chunk, in seconds of signal
     * @param maxClockSkewMs how far ahead of the gateway's clock a chunk's t0 may be
     */
    public ChunkLimits(double maxChunkSeconds, long maxClockSkewMs) {
        this.maxChunkSeconds = maxChunkSeconds;
        this.maxClockSkewMs = maxClockSkewMs;
        this.t0Range = "an integer of epoch milliseconds from " + EARLIEST_T0_MS + " (2000-01-01) to "
                + maxClockSkewMs / 1000 + " s ahead of the gateway's clock";
    }

    public static void checkDeviceId(String deviceId) {
        if (deviceId == null || !DEVICE_ID.matcher(deviceId).matches()) {
            throw new ChunkRejectedException("invalid_device_id", "deviceId",
                    "device id must be 1-64 characters of letters, digits, '.', '_' or '-', starting with a letter "
                            + "or digit");
        }
    }

    public void checkSeq(long seq) {
        if (seq < 0) {
            throw invalid("seq", "must be " + SEQ_RANGE + ", got " + seq);
        }
    }

    /** What {@code t0} must be, for messages. */
    String t0Range() {
        return t0Range;
    }

    /**
     * Refuses (403) a chunk that names another device than the stream it was sent to.
     *
     * @param field the field that names it, as the format spells it
     * @param noun what the device sent: a chunk, a message
     * @param sentTo the device it names, null when it names none
     */
    public static void checkSentTo(String field, String noun, String sentTo, String deviceId) {
        if (sentTo != null && !sentTo.equals(deviceId)) {
            throw new ChunkRejectedException(403, "wrong_device", field, "the " + noun + " is for device '" + sentTo
                    + "' but was sent to the stream of '" + deviceId + "'");
        }
    }

    public void checkT0(long t0, long nowMs) {
        if (t0 < EARLIEST_T0_MS) {
            throw invalid("t0", "must be the device time of the first sample in epoch milliseconds (after "
                    + "2000-01-01), got " + t0 + "; is the device clock set?");
        }
        if (t0 > nowMs + maxClockSkewMs) {
            // In milliseconds: whole seconds rounded down read "300 s ahead (at most 300 s allowed)".
            throw invalid("t0", "is " + (t0 - nowMs) + " ms ahead of the gateway's clock (at most "
                    + maxClockSkewMs + " ms allowed); is the device clock set?");
        }
    }

    public void checkFs(double fs) {
        if (!(fs >= MIN_FS_HZ && fs <= MAX_FS_HZ)) {
            throw invalid("fs", "must be " + FS_RANGE + ", got " + fs);
        }
        if (fs != Math.rint(fs)) {
            // The signal path resamples by exact integer ratios; a fractional rate would be dropped there.
            throw invalid("fs", "must be a whole number of Hz, got " + fs);
        }
    }

    public void checkLeadCount(int leads) {
        if (leads < 1 || leads > MAX_LEADS) {
            throw invalid("leads", "must hold 1 to " + MAX_LEADS + " leads, got " + leads);
        }
    }

    public void checkLeadName(String path, String name) {
        if (name == null || !LEAD_NAME.matcher(name).matches()) {
            throw invalid(path, "must be 1-16 letters, digits, spaces, '.', '_' or '-', not spaces alone");
        }
    }

    public void checkGain(String path, double gain) {
        if (!(gain >= MIN_GAIN_PER_MV) || !Double.isFinite(gain)) {
            throw invalid(path, "must be " + GAIN_RANGE + ", got " + gain);
        }
    }

    /** @param count samples in one lead */
    public void checkSampleCount(String path, int count, double fs) {
        if (count == 0) {
            throw invalid(path, "must hold at least one sample");
        }
        int max = maxSamples(fs);
        if (count > max) {
            throw new ChunkRejectedException("chunk_too_long", path, "holds " + count + " samples; at most " + max
                    + " (" + maxChunkSeconds + " s at this rate) per chunk");
        }
    }

    /**
     * Every lead named once (letter case and spaces at the ends aside): two leads called "II" would leave the processor and
     * a dashboard to guess which one the name means.
     */
    public static void checkDistinctLeadNames(String pathPrefix, List<String> names) {
        Map<String, Integer> first = new HashMap<>();
        for (int i = 0; i < names.size(); i++) {
            Integer earlier = first.putIfAbsent(LeadNames.key(names.get(i)), i);
            if (earlier != null) {
                throw invalid(pathPrefix + "[" + i + "].name", "'" + names.get(i) + "' names the same lead as "
                        + pathPrefix + "[" + earlier + "].name ('" + names.get(earlier) + "'); give each lead its own name");
            }
        }
    }

    /** Every lead as long as the first one. */
    public void checkEqualLengths(String pathPrefix, int[] lengths) {
        for (int i = 1; i < lengths.length; i++) {
            if (lengths[i] != lengths[0]) {
                throw invalid(pathPrefix + "[" + i + "].samples", "must have as many samples as the first lead ("
                        + lengths[0] + "), got " + lengths[i]);
            }
        }
    }

    public int maxSamples(double fs) {
        return (int) Math.floor(fs * maxChunkSeconds);
    }

    static ChunkRejectedException invalid(String field, String detail) {
        return new ChunkRejectedException("invalid_chunk", field, field + " " + detail);
    }
}
