package org.arrhythmiamonitor.ingest.simulator;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import org.arrhythmiamonitor.wire.v1.Lead;
import org.arrhythmiamonitor.wire.v1.SampleChunk;

/**
 * A device of the simulated fleet: plays its source in a loop, numbers its chunks and stamps them
 * with its own clock, and moves to the next chunk only once the gateway has acknowledged (or
 * finally refused) the current one, as a real device with a send queue does.
 */
final class SimulatedDevice {
    final String id;
    final SignalSource source;
    final int chunkSamples;
    private final long startEpochMs;
    private int position;
    private long seq;
    private long samplesSent;
    String token;
    /** Wall-clock time the current chunk is due, and when it was last sent. */
    long dueMs;
    long sentNs;
    /** The device's stream, when it sends over a WebSocket. */
    WebSocket socket;

    SimulatedDevice(String id, SignalSource source, double chunkSeconds, int startPosition, long startEpochMs) {
        this.id = id;
        this.source = source;
        this.chunkSamples = (int) Math.max(1, Math.round(chunkSeconds * source.fsHz()));
        this.position = startPosition % source.samples().length;
        this.startEpochMs = startEpochMs;
    }

    /** The current chunk (the same until {@link #advance()}), so a retry resends it unchanged. */
    SampleChunk chunk() {
        int[] all = source.samples();
        Lead.Builder lead = Lead.newBuilder().setName("MLII").setGainPerMv(source.gainPerMv());
        for (int i = 0; i < chunkSamples; i++) {
            lead.addSamples(all[(position + i) % all.length]);
        }
        return SampleChunk.newBuilder()
                .setSeq(seq)
                .setT0EpochMs(startEpochMs + Math.round(samplesSent * 1000.0 / source.fsHz()))
                .setFsHz(source.fsHz())
                .addLeads(lead)
                .build();
    }

    /** The JSON body, written directly: a chunk is mostly numbers, not worth an object tree. */
    static Buffer json(SampleChunk chunk) {
        Lead lead = chunk.getLeads(0);
        StringBuilder json = new StringBuilder(16 + 6 * lead.getSamplesCount())
                .append("{\"seq\":").append(chunk.getSeq())
                .append(",\"t0\":").append(chunk.getT0EpochMs())
                .append(",\"fs\":").append((long) chunk.getFsHz())
                .append(",\"gain\":").append(lead.getGainPerMv())
                .append(",\"lead\":\"").append(lead.getName())
                .append("\",\"samples\":[");
        for (int i = 0; i < lead.getSamplesCount(); i++) {
            if (i > 0) {
                json.append(',');
            }
            json.append(lead.getSamples(i));
        }
        return Buffer.buffer(json.append("]}").toString());
    }

    void advance() {
        position = (position + chunkSamples) % source.samples().length;
        samplesSent += chunkSamples;
        seq++;
    }

    long seq() {
        return seq;
    }
}
