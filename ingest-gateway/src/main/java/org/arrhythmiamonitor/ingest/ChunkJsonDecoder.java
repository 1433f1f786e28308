package org.arrhythmiamonitor.ingest;

import io.vertx.core.buffer.Buffer;
import java.util.List;
import java.util.Map;
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
        Map<String, Object> json = JsonChunkReader.read(body.getBytes());
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
            String name = json.get("lead") instanceof String s ? s : "ECG";
            chunk.addLeads(lead(name, "lead", gain, json.get("samples"), "samples", fs));
        } else {
            if (!(json.get("leads") instanceof List<?> leads) || leads.isEmpty()
                    || leads.size() > ChunkLimits.MAX_LEADS) {
                throw ChunkLimits.invalid("leads", "must be an array of 1 to " + ChunkLimits.MAX_LEADS
                        + " lead objects");
            }
            int[] lengths = new int[leads.size()];
            for (int i = 0; i < leads.size(); i++) {
                String path = "leads[" + i + "]";
                if (!(leads.get(i) instanceof Map<?, ?> lead)) {
                    throw ChunkLimits.invalid(path, "must be an object with \"name\" and \"samples\"");
                }
                Object name = lead.get("name");
                if (!(name instanceof String leadName)) {
                    throw ChunkLimits.invalid(path + ".name", "must be a string such as \"MLII\" or \"V1\"");
                }
                Lead decoded = lead(leadName, path + ".name", optionalGain(lead, path + ".gain", gain),
                        lead.get("samples"), path + ".samples", fs);
                lengths[i] = decoded.getSamplesCount();
                chunk.addLeads(decoded);
            }
            limits.checkEqualLengths("leads", lengths);
        }
        return chunk.build();
    }

    private Lead lead(String name, String namePath, double gain, Object samples, String path, double fs) {
        limits.checkLeadName(namePath, name);
        if (!(samples instanceof JsonChunkReader.Samples values)) {
            throw ChunkLimits.invalid(path, "must be an array of integer samples");
        }
        limits.checkSampleCount(path, values.count(), fs);
        if (values.badIndex() >= 0) {
            throw ChunkLimits.invalid(path + "[" + values.badIndex() + "]", values.badDetail());
        }
        Lead.Builder lead = Lead.newBuilder().setName(name).setGainPerMv(gain);
        int[] all = values.values();
        for (int i = 0; i < values.count(); i++) {
            lead.addSamples(all[i]);
        }
        return lead.build();
    }

    /** {@link JsonChunkReader} reads JSON fractions as doubles. */
    private static boolean isWhole(Number n) {
        double d = n.doubleValue();
        return Double.isFinite(d) && d == Math.rint(d);
    }

    private static long requiredLong(Map<String, Object> json, String field) {
        Object value = json.get(field);
        if (value == null) {
            throw ChunkLimits.invalid(field, "is required");
        }
        if (value instanceof Integer || value instanceof Long || value instanceof Number n && isWhole(n)) {
            return ((Number) value).longValue();
        }
        throw ChunkLimits.invalid(field, "must be an integer, got " + value);
    }

    private static double requiredNumber(Map<String, Object> json, String field) {
        Object value = json.get(field);
        if (value == null) {
            throw ChunkLimits.invalid(field, "is required");
        }
        if (!(value instanceof Number n)) {
            throw ChunkLimits.invalid(field, "must be a number, got " + value);
        }
        return n.doubleValue();
    }

    private double optionalGain(Map<?, ?> json, String path, double fallback) {
        String key = path.substring(path.lastIndexOf('.') + 1);
        Object value = json.get(key);
        if (value == null) {
            return fallback;
        }
        if (!(value instanceof Number n)) {
            throw ChunkLimits.invalid(path, "must be a positive number of ADC units per millivolt, got " + value);
        }
        limits.checkGain(path, n.doubleValue());
        return n.doubleValue();
    }
}
