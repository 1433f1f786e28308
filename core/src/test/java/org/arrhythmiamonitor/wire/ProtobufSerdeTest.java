package org.arrhythmiamonitor.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.kafka.common.errors.SerializationException;
import org.arrhythmiamonitor.wire.v1.Alert;
import org.arrhythmiamonitor.wire.v1.Evidence;
import org.arrhythmiamonitor.wire.v1.Lead;
import org.arrhythmiamonitor.wire.v1.Priority;
import org.arrhythmiamonitor.wire.v1.SampleChunk;
import org.junit.jupiter.api.Test;

class ProtobufSerdeTest {
    @Test
    void sampleChunkRoundTripsAndStaysCompact() {
        Lead.Builder lead = Lead.newBuilder().setName("MLII").setGainPerMv(200);
        for (int i = 0; i < 250; i++) {
            lead.addSamples((int) (100 * Math.sin(i / 10.0)));
        }
        SampleChunk chunk = SampleChunk.newBuilder()
                .setDeviceId("dev-1").setSeq(7).setT0EpochMs(1_767_225_600_000L).setFsHz(250).addLeads(lead).build();
        var serde = ProtobufSerde.sampleChunks();

        byte[] bytes = serde.serializer().serialize(Topics.SAMPLES, chunk);

        assertThat(serde.deserializer().deserialize(Topics.SAMPLES, bytes)).isEqualTo(chunk);
        // Zigzag varints: samples within +-100 take at most two bytes each.
        assertThat(bytes.length).isLessThan(250 * 2 + 64);
    }

    @Test
    void alertRoundTrips() {
        Alert alert = Alert.newBuilder().setAlertId("d:EXTREME_TACHYCARDIA:10").setDeviceId("d")
                .setType("EXTREME_TACHYCARDIA").setPriority(Priority.HIGH).setOnsetSample(10).setOnsetTimeMs(5)
                .setEvidence(Evidence.newBuilder().setStartTimeMs(1).setEndTimeMs(9)).build();
        var serde = ProtobufSerde.alerts();

        assertThat(serde.deserializer().deserialize(Topics.ALERTS, serde.serializer().serialize(Topics.ALERTS, alert)))
                .isEqualTo(alert);
    }

    @Test
    void nullStaysNullForTombstones() {
        var serde = ProtobufSerde.alerts();
        assertThat(serde.serializer().serialize(Topics.ALERTS, null)).isNull();
        assertThat(serde.deserializer().deserialize(Topics.ALERTS, null)).isNull();
    }

    @Test
    void garbageIsRejectedWithTopicAndTypeInTheMessage() {
        byte[] garbage = {(byte) 0xff, (byte) 0xff, (byte) 0xff, 0x01};
        assertThatThrownBy(() -> ProtobufSerde.sampleChunks().deserializer().deserialize(Topics.SAMPLES, garbage))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining(Topics.SAMPLES)
                .hasMessageContaining("SampleChunk");
    }
}
