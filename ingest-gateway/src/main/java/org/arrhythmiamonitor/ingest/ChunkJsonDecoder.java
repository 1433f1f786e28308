package org.arrhythmiamonitor.ingest;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.math.BigInteger;
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

    private final ChunkLimits limits;

    public ChunkJsonDecoder(ChunkLimits limits) {
        this.limits = limits;
    }

    public SampleChunk decode(String deviceId, Buffer body, long receivedAtMs) {
        ChunkLimits.checkDeviceId(deviceId);
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
        limits.checkSeq(seq);
        long t0 = requiredLong(json, "t0");
        limits.checkT0(t0, receivedAtMs);
        double fs = requiredNumber(json, "fs");
        limits.checkFs(fs);
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
            throw ChunkLimits.invalid(single ? "leads" : "samples",
                    "send either \"samples\" (one lead) or \"leads\" (one to " + ChunkLimits.MAX_LEADS
                            + "), not " + (single ? "both" : "neither"));
        }
        if (single) {
            String name = json.getValue("lead") instanceof String s ? s : "ECG";
            chunk.addLeads(lead(name, "lead", gain, json.getValue("samples"), "samples", fs));
        } else {
            if (!(json.getValue("leads") instanceof JsonArray leads) || leads.isEmpty()
                    || leads.size() > ChunkLimits.MAX_LEADS) {
                throw ChunkLimits.invalid("leads", "must be an array of 1 to " + ChunkLimits.MAX_LEADS
                        + " lead objects");
            }
            int[] lengths = new int[leads.size()];
            for (int i = 0; i < leads.size(); i++) {
                String path = "leads[" + i + "]";
                if (!(leads.getValue(i) instanceof JsonObject lead)) {
                    throw ChunkLimits.invalid(path, "must be an object with \"name\" and \"samples\"");
                }
                Object name = lead.getValue("name");
                if (!(name instanceof String leadName)) {
                    throw ChunkLimits.invalid(path + ".name", "must be a string such as \"MLII\" or \"V1\"");
                }
                Lead decoded = lead(leadName, path + ".name", optionalGain(lead, path + ".gain", gain),
                        lead.getValue("samples"), path + ".samples", fs);
                lengths[i] = decoded.getSamplesCount();
                chunk.addLeads(decoded);
            }
            limits.checkEqualLengths("leads", lengths);
        }
        return chunk.build();
    }

    private Lead lead(String name, String namePath, double gain, Object samples, String path, double fs) {
        limits.checkLeadName(namePath, name);
        if (!(samples instanceof JsonArray values)) {
            throw ChunkLimits.invalid(path, "must be an array of integer samples");
        }
        limits.checkSampleCount(path, values.size(), fs);
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
            throw ChunkLimits.invalid(path + "[" + index + "]", "is " + value + ", outside the 32-bit integer range");
        }
        throw ChunkLimits.invalid(path + "[" + index + "]", "must be an integer in ADC units, got "
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
            throw ChunkLimits.invalid(field, "is required");
        }
        if (value instanceof Integer || value instanceof Long || value instanceof Number n && isWhole(n)) {
            return ((Number) value).longValue();
        }
        throw ChunkLimits.invalid(field, "must be an integer, got " + value);
    }

    private static double requiredNumber(JsonObject json, String field) {
        Object value = json.getValue(field);
        if (value == null) {
            throw ChunkLimits.invalid(field, "is required");
        }
        if (!(value instanceof Number n)) {
            throw ChunkLimits.invalid(field, "must be a number, got " + value);
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
            throw ChunkLimits.invalid(path, "must be a positive number of ADC units per millivolt, got " + value);
        }
        return n.doubleValue();
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
