package org.arrhythmiamonitor.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnknownFieldSet;
import io.vertx.core.buffer.Buffer;
import org.arrhythmiamonitor.wire.v1.Lead;
import org.arrhythmiamonitor.wire.v1.SampleChunk;
import org.junit.jupiter.api.Test;

class ChunkProtobufDecoderTest {
    private static final long NOW = 1_767_225_660_000L;
    private final ChunkProtobufDecoder decoder = new ChunkProtobufDecoder(new ChunkLimits(10, 300_000));

    private static SampleChunk.Builder chunk() {
        return SampleChunk.newBuilder().setSeq(7).setT0EpochMs(1_767_225_600_000L).setFsHz(250)
                .addLeads(Lead.newBuilder().setName("MLII").setGainPerMv(200).addSamples(-3).addSamples(12));
    }

    private SampleChunk decode(SampleChunk.Builder chunk) {
        return decoder.decode("dev-1", Buffer.buffer(chunk.build().toByteArray()), NOW);
    }

    @Test
    void theDeviceIdComesFromTheUrlAndTheArrivalTimeFromTheGateway() {
        SampleChunk decoded = decode(chunk().setReceivedAtMs(5));
        assertThat(decoded.getDeviceId()).isEqualTo("dev-1");
        assertThat(decoded.getReceivedAtMs()).isEqualTo(NOW);
        assertThat(decoded.getLeads(0).getSamplesList()).containsExactly(-3, 12);
        assertThat(decode(chunk().setDeviceId("dev-1")).getSeq()).isEqualTo(7);
    }

    @Test
    void theSameLimitsAsJsonWithTheSameFieldNames() {
        assertThatThrownBy(() -> decode(chunk().setFsHz(50))).isInstanceOfSatisfying(ChunkRejectedException.class,
                e -> {
                    assertThat(e.field()).isEqualTo("fs");
                    assertThat(e.seq()).as("a WebSocket answer names it").isEqualTo(7);
                });
        assertThatThrownBy(() -> decode(chunk().setLeads(0, chunk().getLeads(0).toBuilder().setGainPerMv(-200))))
                .isInstanceOfSatisfying(ChunkRejectedException.class,
                        e -> assertThat(e.field()).isEqualTo("leads[0].gain"));
        assertThatThrownBy(() -> decode(chunk().setLeads(0, chunk().getLeads(0).toBuilder().setGainPerMv(1e-300))))
                .isInstanceOfSatisfying(ChunkRejectedException.class,
                        e -> assertThat(e.field()).isEqualTo("leads[0].gain"));
        assertThatThrownBy(() -> decode(chunk().clearLeads())).isInstanceOfSatisfying(ChunkRejectedException.class,
                e -> assertThat(e.field()).isEqualTo("leads"));
        assertThatThrownBy(() -> decode(chunk().setT0EpochMs(0))).isInstanceOfSatisfying(ChunkRejectedException.class,
                e -> assertThat(e.field()).isEqualTo("t0"));
    }

    @Test
    void twoLeadsOfOneNameAreRefused() {
        SampleChunk.Builder twice = chunk().addLeads(chunk().getLeads(0));
        assertThatThrownBy(() -> decode(twice)).isInstanceOfSatisfying(ChunkRejectedException.class, e -> {
            assertThat(e.field()).isEqualTo("leads[1].name");
            assertThat(e.getMessage()).isEqualTo("leads[1].name 'MLII' names the same lead as leads[0].name ('MLII'); "
                    + "give each lead its own name");
            assertThat(e.seq()).isEqualTo(7);
        });
    }

    @Test
    void garbageAndOtherDevicesMessagesAreRefused() {
        assertThatThrownBy(() -> decoder.decode("dev-1", Buffer.buffer(new byte[] {(byte) 0xff, 1, 2}), NOW))
                .isInstanceOfSatisfying(ChunkRejectedException.class,
                        e -> assertThat(e.error()).isEqualTo("malformed_protobuf"));
        assertThatThrownBy(() -> decode(chunk().setDeviceId("dev-2")))
                .isInstanceOfSatisfying(ChunkRejectedException.class, e -> {
                    assertThat(e.status()).isEqualTo(403);
                    assertThat(e.error()).isEqualTo("wrong_device");
                    assertThat(e.field()).as("the JSON field's name, as for every field").isEqualTo("deviceId");
                    assertThat(e.seq()).isEqualTo(7);
                });
    }

    @Test
    void aGainLeftUnsetIsTheJsonDefaultOfMicrovolts() {
        // Proto3 cannot tell an unset gain_per_mv from 0; a JSON chunk without gain means 1000.
        SampleChunk decoded = decode(chunk().setLeads(0, chunk().getLeads(0).toBuilder().clearGainPerMv()));
        assertThat(decoded.getLeads(0).getGainPerMv()).isEqualTo(ChunkJsonDecoder.DEFAULT_GAIN_PER_MV);
    }

    @Test
    void fieldsEcgProtoDoesNotDefineAreRefusedNotStored() {
        UnknownFieldSet extra = UnknownFieldSet.newBuilder().addField(15, UnknownFieldSet.Field.newBuilder()
                .addLengthDelimited(ByteString.copyFrom(new byte[100_000])).build()).build();
        assertThatThrownBy(() -> decode(chunk().setUnknownFields(extra)))
                .isInstanceOfSatisfying(ChunkRejectedException.class, e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.field()).isEqualTo("message");
                    assertThat(e.getMessage()).contains("[15]");
                    assertThat(e.seq()).isEqualTo(7);
                });
        assertThatThrownBy(() -> decode(chunk().setLeads(0, chunk().getLeads(0).toBuilder().setUnknownFields(extra))))
                .isInstanceOfSatisfying(ChunkRejectedException.class,
                        e -> assertThat(e.field()).isEqualTo("leads[0]"));
    }

    @Test
    void aFieldOfTheWrongWireTypeIsNamedAsSuchNotAsUndefined() {
        // seq (field 2, an int64 varint) sent as bytes: Protobuf keeps it among the unknown fields.
        UnknownFieldSet seqAsBytes = UnknownFieldSet.newBuilder().addField(2, UnknownFieldSet.Field.newBuilder()
                .addLengthDelimited(ByteString.copyFromUtf8("24")).build()).build();
        assertThatThrownBy(() -> decode(chunk().clearSeq().setUnknownFields(seqAsBytes)))
                .isInstanceOfSatisfying(ChunkRejectedException.class, e -> {
                    assertThat(e.field()).isEqualTo("message");
                    assertThat(e.getMessage()).contains("has field 2 (ecg.proto's seq, int64) with a wire type "
                            + "other than its own").doesNotContain("does not define");
                });
    }

    @Test
    void aMessageCutShortIsNamedByItsSeqWhenThatWasRead() {
        byte[] whole = chunk().setSeq(1000).build().toByteArray();
        byte[] cut = java.util.Arrays.copyOf(whole, whole.length - 2);
        assertThatThrownBy(() -> decoder.decode("dev-1", Buffer.buffer(cut), NOW))
                .isInstanceOfSatisfying(ChunkRejectedException.class, e -> {
                    assertThat(e.error()).isEqualTo("malformed_protobuf");
                    assertThat(e.seq()).as("a WebSocket answer names it").isEqualTo(1000);
                });
    }
}
