package org.arrhythmiamonitor.testing;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.arrhythmiamonitor.synthetic.SyntheticEcg;
import org.arrhythmiamonitor.wire.v1.Lead;
import org.arrhythmiamonitor.wire.v1.SampleChunk;

/** Cuts a synthetic recording into the chunks a device would send, as JSON bodies or as wire messages. */
public final class SyntheticChunks {
    /** 2026-01-01T00:00:00Z, the device clock of the tests. */
    public static final long T0 = 1_767_225_600_000L;

    private SyntheticChunks() {
    }

    public static SyntheticEcg.Recording record(double fsHz, long seed, SyntheticEcg.Segment... segments) {
        return SyntheticEcg.standard(fsHz, seed).render(List.of(segments));
    }

    /** Chunks of {@code seconds} each (the last may be shorter), numbered from seq 0. */
    public static List<SampleChunk> chunks(String deviceId, SyntheticEcg.Recording recording, double seconds) {
        int size = (int) Math.round(seconds * recording.fsHz());
        List<SampleChunk> chunks = new ArrayList<>();
        int[] samples = recording.samples();
        for (int start = 0, seq = 0; start < samples.length; start += size, seq++) {
            int[] part = Arrays.copyOfRange(samples, start, Math.min(samples.length, start + size));
            Lead.Builder lead = Lead.newBuilder().setName("MLII").setGainPerMv(recording.gainPerMv());
            for (int s : part) {
                lead.addSamples(s);
            }
            chunks.add(SampleChunk.newBuilder()
                    .setDeviceId(deviceId)
                    .setSeq(seq)
                    .setT0EpochMs(T0 + Math.round(start * 1000.0 / recording.fsHz()))
                    .setFsHz(recording.fsHz())
                    .addLeads(lead)
                    .build());
        }
        return chunks;
    }

    /** The JSON body a device posts for a chunk. */
    public static JsonObject json(SampleChunk chunk) {
        JsonArray samples = new JsonArray();
        chunk.getLeads(0).getSamplesList().forEach(samples::add);
        return new JsonObject()
                .put("seq", chunk.getSeq())
                .put("t0", chunk.getT0EpochMs())
                .put("fs", chunk.getFsHz())
                .put("gain", chunk.getLeads(0).getGainPerMv())
                .put("lead", chunk.getLeads(0).getName())
                .put("samples", samples);
    }
}
