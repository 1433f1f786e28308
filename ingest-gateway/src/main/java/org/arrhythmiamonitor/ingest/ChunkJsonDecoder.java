package org.arrhythmiamonitor.ingest;

import io.vertx.core.buffer.Buffer;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
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
 * whole chunk) and defaults to 1000, so by default samples are microvolts. Fields not in the format
 * are refused, and so is a {@code deviceId} other than the URL's, as in the Protobuf encoding.
 */
public final class ChunkJsonDecoder {
    public static final double DEFAULT_GAIN_PER_MV = 1000.0;
    /** The fields the README documents; {@code deviceId}, when sent, must name the URL's device. */
    private static final Set<String> FIELDS = Set.of("deviceId", "seq", "t0", "fs", "gain", "lead", "samples",
            "leads");
    private static final Set<String> LEAD_FIELDS = Set.of("name", "gain", "samples");

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
        if (!json.containsKey("seq")) {
            // A misspelt "Seq" is named as the unknown field it is, not as a missing seq.
            checkFieldNames(json.keySet(), FIELDS, "");
        }
        long seq = requiredLong(json, "seq", ChunkLimits.SEQ_RANGE);
        limits.checkSeq(seq);
        try {
            return chunk(deviceId, json, seq, receivedAtMs);
        } catch (ChunkRejectedException e) {
            throw e.withSeq(seq);
        }
    }

    private SampleChunk chunk(String deviceId, Map<String, Object> json, long seq, long receivedAtMs) {
        checkFieldNames(json.keySet(), FIELDS, "");
        Object sentTo = json.get("deviceId");
        if (sentTo != null && !(sentTo instanceof String)) {
            throw ChunkLimits.invalid("deviceId", "must be the device id of the URL as a string, got "
                    + JsonChunkReader.describe(sentTo));
        }
        ChunkLimits.checkSentTo("deviceId", "chunk", (String) sentTo, deviceId);
        long t0 = requiredLong(json, "t0", limits.t0Range());
        limits.checkT0(t0, receivedAtMs);
        double fs = requiredNumber(json, "fs", ChunkLimits.FS_RANGE);
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
            Object name = json.get("lead");
            if (name != null && !(name instanceof String)) {
                throw ChunkLimits.invalid("lead", "must be a string such as \"MLII\" or \"V1\", got "
                        + JsonChunkReader.describe(name));
            }
            chunk.addLeads(lead(name == null ? "ECG" : (String) name, "lead", gain, json.get("samples"), "samples",
                    fs));
        } else {
            if (json.containsKey("lead")) {
                throw ChunkLimits.invalid("lead", "names the lead of \"samples\"; with \"leads\" give each lead "
                        + "its \"name\"");
            }
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
                checkFieldNames(lead.keySet(), LEAD_FIELDS, path + ".");
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
            ChunkLimits.checkDistinctLeadNames("leads", chunk.getLeadsList().stream().map(Lead::getName).toList());
        }
        return chunk.build();
    }

    /**
     * Refuses a field the format does not have: ignoring it would hide a typo, and a misspelt
     * optional field ({@code "gian": 200}) silently leaves its default in force.
     */
    private static void checkFieldNames(Set<?> names, Set<String> known, String pathPrefix) {
        for (Object name : names) {
            if (!known.contains(name)) {
                throw ChunkLimits.invalid(pathPrefix + name, "is not a field of " + (pathPrefix.isEmpty()
                        ? "a chunk" : "a lead") + "; the fields are " + String.join(", ", new TreeSet<>(known)));
            }
        }
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

    /** @param expected what the field must be, for the message when it is not */
    private static long requiredLong(Map<String, Object> json, String field, String expected) {
        Object value = json.get(field);
        if (value == null) {
            throw ChunkLimits.invalid(field, "is required");
        }
        OptionalLong exact = JsonChunkReader.exactLong(value);
        if (exact.isEmpty()) {
            throw ChunkLimits.invalid(field, "must be " + expected + ", got " + JsonChunkReader.describe(value));
        }
        return exact.getAsLong();
    }

    /** @param expected what the field must be, for the message when it is not */
    private static double requiredNumber(Map<String, Object> json, String field, String expected) {
        Object value = json.get(field);
        if (value == null) {
            throw ChunkLimits.invalid(field, "is required");
        }
        if (!(value instanceof Number n) || !Double.isFinite(n.doubleValue())) {
            throw ChunkLimits.invalid(field, "must be " + expected + ", got " + JsonChunkReader.describe(value));
        }
        return n.doubleValue();
    }

    private double optionalGain(Map<?, ?> json, String path, double fallback) {
        String key = path.substring(path.lastIndexOf('.') + 1);
        Object value = json.get(key);
        if (value == null) {
            return fallback;
        }
        if (!(value instanceof Number n) || !Double.isFinite(n.doubleValue())) {
            throw ChunkLimits.invalid(path, "must be " + ChunkLimits.GAIN_RANGE + ", got "
                    + JsonChunkReader.describe(value));
        }
        limits.checkGain(path, n.doubleValue());
        return n.doubleValue();
    }
}
