package org.arrhythmiamonitor.ingest;

import com.google.protobuf.InvalidProtocolBufferException;
import io.vertx.core.buffer.Buffer;
import org.arrhythmiamonitor.wire.v1.Lead;
import org.arrhythmiamonitor.wire.v1.SampleChunk;

/**
 * The compact binary encoding: the body is one {@code SampleChunk} Protobuf message (ecg.proto),
 * the very message the gateway writes to Kafka. Samples are zigzag varints, so a 1 s chunk at
 * 250 Hz is about 500 bytes instead of about 1.5 KB of JSON. {@code device_id} may be left empty;
 * when set it must name the device of the URL. {@code received_at_ms} is the gateway's to set.
 * Field paths in errors use the JSON names ({@code fs}, {@code leads[1].gain}), so both encodings
 * are documented once.
 */
public final class ChunkProtobufDecoder {
    public static final String MEDIA_TYPE = "application/x-protobuf";

    private final ChunkLimits limits;

    public ChunkProtobufDecoder(ChunkLimits limits) {
        this.limits = limits;
    }

    public SampleChunk decode(String deviceId, Buffer body, long receivedAtMs) {
        ChunkLimits.checkDeviceId(deviceId);
        if (body == null || body.length() == 0) {
            throw new ChunkRejectedException("malformed_protobuf", null,
                    "the request body is empty; send a SampleChunk message");
        }
        SampleChunk chunk;
        try {
            chunk = SampleChunk.parseFrom(body.getBytes());
        } catch (InvalidProtocolBufferException e) {
            throw new ChunkRejectedException("malformed_protobuf", null,
                    "the body is not a SampleChunk Protobuf message (" + e.getMessage() + ")");
        }
        try {
            check(deviceId, chunk, receivedAtMs);
        } catch (ChunkRejectedException e) {
            // The message parsed, so its seq is known: a WebSocket answer names it.
            throw e.withSeq(chunk.getSeq());
        }
        return chunk.toBuilder().setDeviceId(deviceId).setReceivedAtMs(receivedAtMs).build();
    }

    private void check(String deviceId, SampleChunk chunk, long receivedAtMs) {
        // Protobuf has no null: an empty device_id names none. Errors name the JSON field, as for every field.
        ChunkLimits.checkSentTo("deviceId", "message", chunk.getDeviceId().isEmpty() ? null : chunk.getDeviceId(),
                deviceId);
        limits.checkSeq(chunk.getSeq());
        limits.checkT0(chunk.getT0EpochMs(), receivedAtMs);
        limits.checkFs(chunk.getFsHz());
        limits.checkLeadCount(chunk.getLeadsCount());
        int[] lengths = new int[chunk.getLeadsCount()];
        for (int i = 0; i < chunk.getLeadsCount(); i++) {
            Lead lead = chunk.getLeads(i);
            String path = "leads[" + i + "]";
            limits.checkLeadName(path + ".name", lead.getName());
            limits.checkGain(path + ".gain", lead.getGainPerMv());
            limits.checkSampleCount(path + ".samples", lead.getSamplesCount(), chunk.getFsHz());
            lengths[i] = lead.getSamplesCount();
        }
        limits.checkEqualLengths("leads", lengths);
    }
}
