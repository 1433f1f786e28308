package org.arrhythmiamonitor.ingest;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnknownFieldSet;
import io.vertx.core.buffer.Buffer;
import java.util.Locale;
import org.arrhythmiamonitor.wire.v1.Lead;
import org.arrhythmiamonitor.wire.v1.SampleChunk;

/**
 * The compact binary encoding: the body is one {@code SampleChunk} Protobuf message (ecg.proto),
 * the very message the gateway writes to Kafka. Samples are zigzag varints, so a 1 s chunk at
 * 250 Hz is about 500 bytes instead of about 1.5 KB of JSON. {@code device_id} may be left empty;
 * when set it must name the device of the URL. {@code received_at_ms} is the gateway's to set. A
 * lead's {@code gain_per_mv} left unset (0) is the JSON default, 1000 (samples in microvolts);
 * fields {@code ecg.proto} does not define are refused, as unknown JSON fields are.
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
        SampleChunk.Builder chunk;
        try {
            chunk = SampleChunk.parseFrom(body.getBytes()).toBuilder();
        } catch (InvalidProtocolBufferException e) {
            ChunkRejectedException refused = new ChunkRejectedException("malformed_protobuf", null,
                    "the body is not a SampleChunk Protobuf message (" + e.getMessage() + ")");
            // A message cut short may still have read its seq (field 2 comes before the samples):
            // a WebSocket answer then names the chunk, as for JSON.
            throw e.getUnfinishedMessage() instanceof SampleChunk part && part.getSeq() > 0
                    ? refused.withSeq(part.getSeq()) : refused;
        }
        // Proto3 cannot tell 0 from unset: unset means the default, as a JSON chunk without gain does.
        for (Lead.Builder lead : chunk.getLeadsBuilderList()) {
            if (lead.getGainPerMv() == 0) {
                lead.setGainPerMv(ChunkJsonDecoder.DEFAULT_GAIN_PER_MV);
            }
        }
        try {
            check(deviceId, chunk, receivedAtMs);
        } catch (ChunkRejectedException e) {
            // The message parsed, so its seq is known: a WebSocket answer names it.
            throw e.withSeq(chunk.getSeq());
        }
        return chunk.setDeviceId(deviceId).setReceivedAtMs(receivedAtMs).build();
    }

    private void check(String deviceId, SampleChunk.Builder chunk, long receivedAtMs) {
        // Protobuf has no null: an empty device_id names none. Errors name the JSON field, as for every field.
        ChunkLimits.checkSentTo("deviceId", "message", chunk.getDeviceId().isEmpty() ? null : chunk.getDeviceId(),
                deviceId);
        limits.checkSeq(chunk.getSeq());
        limits.checkT0(chunk.getT0EpochMs(), receivedAtMs);
        limits.checkFs(chunk.getFsHz());
        limits.checkLeadCount(chunk.getLeadsCount());
        // Fields this version does not know would be written to Kafka as they came, unchecked and
        // unbounded by the chunk limits; JSON refuses an unknown field too.
        checkKnownFields("message", SampleChunk.getDescriptor(), chunk.getUnknownFields());
        int[] lengths = new int[chunk.getLeadsCount()];
        for (int i = 0; i < chunk.getLeadsCount(); i++) {
            Lead lead = chunk.getLeads(i);
            String path = "leads[" + i + "]";
            checkKnownFields(path, Lead.getDescriptor(), lead.getUnknownFields());
            limits.checkLeadName(path + ".name", lead.getName());
            limits.checkGain(path + ".gain", lead.getGainPerMv());
            limits.checkSampleCount(path + ".samples", lead.getSamplesCount(), chunk.getFsHz());
            lengths[i] = lead.getSamplesCount();
        }
        limits.checkEqualLengths("leads", lengths);
        ChunkLimits.checkDistinctLeadNames("leads", chunk.getLeadsList().stream().map(Lead::getName).toList());
    }

    private static void checkKnownFields(String path, Descriptor message, UnknownFieldSet unknown) {
        for (int number : unknown.asMap().keySet()) {
            // A field this message defines lands among the unknown ones when its wire type is not its own.
            FieldDescriptor field = message.findFieldByNumber(number);
            if (field != null) {
                throw ChunkLimits.invalid(path, "has field " + number + " (ecg.proto's " + field.getName() + ", "
                        + (field.isRepeated() ? "repeated " : "") + field.getType().name().toLowerCase(Locale.ROOT)
                        + ") with a wire type other than its own");
            }
        }
        if (!unknown.asMap().isEmpty()) {
            throw ChunkLimits.invalid(path, "has field number(s) " + unknown.asMap().keySet()
                    + " that this gateway's SampleChunk does not define; see ecg.proto");
        }
    }
}
