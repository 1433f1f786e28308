package org.arrhythmiamonitor.ingest;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.regex.Pattern;
import org.arrhythmiamonitor.wire.v1.Lead;
import org.arrhythmiamonitor.wire.v1.SampleChunk;

/**
 * Turns the JSON a device posts into a {@link SampleChunk}, or says exactly what is wrong with it.
 *
 * <pre>
 * {"seq": 42, "t0": 1767225600000, "fs": 250, "gain": 1000, "lead": "MLII", "samples": [12, 15, ...]}
 * {"seq": 42, "t0": 1767225600000, "fs": 250, "leads": [{"name": "MLII", "samples": [...]},
 *                                                      {"name": "V1", "gain": 200, "samples": [...]}]}
 * </pre>
 *
 * Samples are integers in ADC units; {@code gain} is ADC units per millivolt (per lead, or for the
 * whole chunk) and defaults to 1000, so by default samples are microvolts.
 */
public final class ChunkJsonDecoder {
    public static final double DEFAULT_GAIN_PER_MV = 1000.0;
    public static final double MIN_FS_HZ = 100;
    public static final double MAX_FS_HZ = 1000;
    public static final int MAX_LEADS = 12;
    private static final Pattern DEVICE_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final Pattern LEAD_NAME = Pattern.compile("[A-Za-z0-9._ -]{1,16}");

    private final double maxChunkSeconds;

    public ChunkJsonDecoder(double maxChunkSeconds) {
        this.maxChunkSeconds = maxChunkSeconds;
    }

    public static void checkDeviceId(String deviceId) {
        if (deviceId == null || !DEVICE_ID.matcher(deviceId).matches()) {
            throw new ChunkRejectedException("invalid_device_id", "deviceId",
                    "device id must be 1-64 characters of letters, digits, '.', '_' or '-', starting with a letter "
                            + "or digit");
        }
    }

    public SampleChunk decode(String deviceId, Buffer body, long receivedAtMs) {
        checkDeviceId(deviceId);
        if (body == null || body.length() == 0) {
            throw new ChunkRejectedException("malformed_json", null, "the request body is empty; send a JSON chunk");
        }
        JsonObject json;
        try {
            json = body.toJsonObject();
        } catch (DecodeException | ClassCastException e) {
            throw new ChunkRejectedException("malformed_json", null, "the body is not a JSON object ("
                    + jsonProblem(e.getMessage()) + ")");
        }
        long seq = requiredLong(json, "seq");
        if (seq < 0) {
            throw invalid("seq", "must be 0 or greater, got " + seq);
        }
        long t0 = requiredLong(json, "t0");
        if (t0 <= 0) {
            throw invalid("t0", "must be the device time of the first sample in epoch milliseconds, got " + t0);
        }
        double fs = requiredNumber(json, "fs");
        if (!(fs >= MIN_FS_HZ && fs <= MAX_FS_HZ)) {
            throw invalid("fs", "must be a sampling rate of " + (int) MIN_FS_HZ + "-" + (int) MAX_FS_HZ + " Hz, got "
                    + fs);
        }
        if (fs != Math.rint(fs)) {
            // The signal path resamples by exact integer ratios; a fractional rate would be dropped there.
            throw invalid("fs", "must be a whole number of Hz, got " + fs);
        }
        double gain = optionalGain(json, "gain", DEFAULT_GAIN_PER_MV);

        SampleChunk.Builder chunk = SampleChunk.newBuilder()
                .setDeviceId(deviceId)
                .setSeq(seq)
                .setT0EpochMs(t0)
                .setFsHz(fs)
                .setReceivedAtMs(receivedAtMs);
        boolean single = json.containsKey("samples");
        boolean multi = json.containsKey("leads");
        if (single == multi) {
            throw invalid(single ? "leads" : "samples",
                    "send either \"samples\" (one lead) or \"leads\" (one to " + MAX_LEADS + "), not "
                            + (single ? "both" : "neither"));
        }
        int maxSamples = (int) Math.floor(fs * maxChunkSeconds);
        if (single) {
            String name = json.getValue("lead") instanceof String s ? s : "ECG";
            chunk.addLeads(lead(name, "lead", gain, json.getValue("samples"), "samples", maxSamples));
        } else {
            if (!(json.getValue("leads") instanceof JsonArray leads) || leads.isEmpty() || leads.size() > MAX_LEADS) {
                throw invalid("leads", "must be an array of 1 to " + MAX_LEADS + " lead objects");
            }
            for (int i = 0; i < leads.size(); i++) {
                String path = "leads[" + i + "]";
                if (!(leads.getValue(i) instanceof JsonObject lead)) {
                    throw invalid(path, "must be an object with \"name\" and \"samples\"");
                }
                Object name = lead.getValue("name");
                if (!(name instanceof String leadName)) {
                    throw invalid(path + ".name", "must be a string such as \"MLII\" or \"V1\"");
                }
                chunk.addLeads(lead(leadName, path + ".name", optionalGain(lead, path + ".gain", gain),
                        lead.getValue("samples"), path + ".samples", maxSamples));
            }
            int length = chunk.getLeads(0).getSamplesCount();
            for (int i = 1; i < chunk.getLeadsCount(); i++) {
                if (chunk.getLeads(i).getSamplesCount() != length) {
                    throw invalid("leads[" + i + "].samples", "must have as many samples as the first lead ("
                            + length + "), got " + chunk.getLeads(i).getSamplesCount());
                }
            }
        }
        return chunk.build();
    }

    private Lead lead(String name, String namePath, double gain, Object samples, String path, int maxSamples) {
        if (!LEAD_NAME.matcher(name).matches()) {
            throw invalid(namePath, "must be 1-16 letters, digits, spaces, '.', '_' or '-'");
        }
        if (!(samples instanceof JsonArray values)) {
            throw invalid(path, "must be an array of integer samples");
        }
        if (values.isEmpty()) {
            throw invalid(path, "must hold at least one sample");
        }
        if (values.size() > maxSamples) {
            throw new ChunkRejectedException("chunk_too_long", path, "holds " + values.size()
                    + " samples; at most " + maxSamples + " (" + maxChunkSeconds + " s at this rate) per chunk");
        }
        Lead.Builder lead = Lead.newBuilder().setName(name).setGainPerMv(gain);
        for (int i = 0; i < values.size(); i++) {
            lead.addSamples(sample(values.getValue(i), path, i));
        }
        return lead.build();
    }

    private static int sample(Object value, String path, int index) {
        if (value instanceof Integer i) {
            return i;
        }
        if (value instanceof Long || value instanceof BigInteger || value instanceof Number n && isWhole(n)) {
            double d = ((Number) value).doubleValue();
            if (d >= Integer.MIN_VALUE && d <= Integer.MAX_VALUE) {
                return (int) d;
            }
            throw invalid(path + "[" + index + "]", "is " + value + ", outside the 32-bit integer range");
        }
        throw invalid(path + "[" + index + "]", "must be an integer in ADC units, got "
                + (value == null ? "null" : value));
    }

    private static boolean isWhole(Number n) {
        if (n instanceof BigDecimal b) {
            return b.stripTrailingZeros().scale() <= 0;
        }
        double d = n.doubleValue();
        return Double.isFinite(d) && d == Math.rint(d);
    }

    private static long requiredLong(JsonObject json, String field) {
        Object value = json.getValue(field);
        if (value == null) {
            throw invalid(field, "is required");
        }
        if (value instanceof Integer || value instanceof Long || value instanceof Number n && isWhole(n)) {
            return ((Number) value).longValue();
        }
        throw invalid(field, "must be an integer, got " + value);
    }

    private static double requiredNumber(JsonObject json, String field) {
        Object value = json.getValue(field);
        if (value == null) {
            throw invalid(field, "is required");
        }
        if (!(value instanceof Number n)) {
            throw invalid(field, "must be a number, got " + value);
        }
        return n.doubleValue();
    }

    private static double optionalGain(JsonObject json, String path, double fallback) {
        String key = path.substring(path.lastIndexOf('.') + 1);
        Object value = json.getValue(key);
        if (value == null) {
            return fallback;
        }
        if (!(value instanceof Number n) || !(n.doubleValue() > 0) || !Double.isFinite(n.doubleValue())) {
            throw invalid(path, "must be a positive number of ADC units per millivolt, got " + value);
        }
        return n.doubleValue();
    }

    private static ChunkRejectedException invalid(String field, String detail) {
        return new ChunkRejectedException("invalid_chunk", field, field + " " + detail);
    }

    /** Jackson's message without its prefix and its source-location boilerplate. */
    private static String jsonProblem(String message) {
        if (message == null) {
            return "unreadable JSON";
        }
        String problem = message.replaceFirst("^Failed to decode:\\s*", "");
        for (String cut : new String[] {"\n", " (start marker", " at [Source", "\n at [Source"}) {
            int at = problem.indexOf(cut);
            if (at > 0) {
                problem = problem.substring(0, at);
            }
        }
        return problem;
    }
}
