package org.arrhythmiamonitor.ingest.simulator;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * A device of the simulated fleet: plays its source in a loop, numbers its chunks and stamps them
 * with its own clock, and moves to the next chunk only once the gateway has acknowledged (or
 * finally refused) the current one, as a real device with a send queue does.
 */
final class SimulatedDevice {
    private static final String LEAD = "MLII";
    final String id;
    final SignalSource source;
    final int chunkSamples;
    private final long startEpochMs;
    /** The first chunk's seq: see the constructor. */
    private final long firstSeq;
    private int position;
    private long seq;
    String token;
    /** Wall-clock time the current chunk is due, and when it was last sent. */
    long dueMs;
    long sentNs;
    /** The device's stream, when it sends over a WebSocket. */
    WebSocket socket;
    /** The current chunk was sent on {@link #socket} and its answer has not come yet. */
    boolean awaitingAnswer;

    SimulatedDevice(String id, SignalSource source, double chunkSeconds, int startPosition, long startEpochMs) {
        this.id = id;
        this.source = source;
        this.chunkSamples = (int) Math.max(1, Math.round(chunkSeconds * source.fsHz()));
        this.position = startPosition % source.samples().length;
        this.startEpochMs = startEpochMs;
        // Devices never reset seq, not even when restarted (the processor skips a chunk whose seq
        // it has seen as a retry). Numbering chunks by their start time continues the sequence
        // across restarts of the simulator, as a device's persisted counter would, when it runs in
        // real time (the demo); a sped-up run starts its clock a day back and may not.
        this.firstSeq = startEpochMs / Math.max(1, Math.round(chunkSamples * 1000.0 / source.fsHz()));
        this.seq = firstSeq;
    }

    /**
     * The current chunk's body (the same until {@link #advance()}, so a retry resends it
     * unchanged), written straight from the samples as a device's firmware would: a
     * {@code SampleChunk} Protobuf message, or the JSON chunk.
     */
    Buffer body(boolean protobuf) {
        long t0 = startEpochMs + Math.round((seq - firstSeq) * chunkSamples * 1000.0 / source.fsHz());
        int[] all = source.samples();
        return protobuf ? protobuf(t0, all) : json(t0, all);
    }

    private Buffer protobuf(long t0, int[] all) {
        int packed = 0;
        for (int i = 0; i < chunkSamples; i++) {
            packed += CodedOutputStream.computeSInt32SizeNoTag(all[(position + i) % all.length]);
        }
        int lead = CodedOutputStream.computeStringSize(1, LEAD) + CodedOutputStream.computeDoubleSize(2,
                source.gainPerMv()) + CodedOutputStream.computeTagSize(3)
                + CodedOutputStream.computeUInt32SizeNoTag(packed) + packed;
        int size = CodedOutputStream.computeInt64Size(2, seq) + CodedOutputStream.computeInt64Size(3, t0)
                + CodedOutputStream.computeDoubleSize(4, source.fsHz()) + CodedOutputStream.computeTagSize(5)
                + CodedOutputStream.computeUInt32SizeNoTag(lead) + lead;
        byte[] bytes = new byte[size];
        CodedOutputStream out = CodedOutputStream.newInstance(bytes);
        try {
            out.writeInt64(2, seq);
            out.writeInt64(3, t0);
            out.writeDouble(4, source.fsHz());
            out.writeTag(5, WireFormat.WIRETYPE_LENGTH_DELIMITED);
            out.writeUInt32NoTag(lead);
            out.writeString(1, LEAD);
            out.writeDouble(2, source.gainPerMv());
            out.writeTag(3, WireFormat.WIRETYPE_LENGTH_DELIMITED);
            out.writeUInt32NoTag(packed);
            for (int i = 0; i < chunkSamples; i++) {
                out.writeSInt32NoTag(all[(position + i) % all.length]);
            }
            out.checkNoSpaceLeft();
        } catch (IOException e) {
            throw new UncheckedIOException("a chunk does not fit the array sized for it", e);
        }
        return Buffer.buffer(bytes);
    }

    private Buffer json(long t0, int[] all) {
        StringBuilder json = new StringBuilder(16 + 6 * chunkSamples)
                .append("{\"seq\":").append(seq)
                .append(",\"t0\":").append(t0)
                .append(",\"fs\":").append((long) source.fsHz())
                .append(",\"gain\":").append(source.gainPerMv())
                .append(",\"lead\":\"").append(LEAD)
                .append("\",\"samples\":[");
        for (int i = 0; i < chunkSamples; i++) {
            if (i > 0) {
                json.append(',');
            }
            json.append(all[(position + i) % all.length]);
        }
        return Buffer.buffer(json.append("]}").toString());
    }

    void advance() {
        position = (position + chunkSamples) % source.samples().length;
        seq++;
    }

    long seq() {
        return seq;
    }
}
