package org.arrhythmiamonitor.ingest.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import org.arrhythmiamonitor.ingest.ChunkJsonDecoder;
import org.arrhythmiamonitor.ingest.ChunkLimits;
import org.arrhythmiamonitor.ingest.ChunkProtobufDecoder;
import org.arrhythmiamonitor.wire.v1.SampleChunk;
import org.junit.jupiter.api.Test;

/** The simulator writes chunk bodies itself; the gateway's own decoders must read them as meant. */
class SimulatedDeviceTest {
    private static final long START = 1_767_225_600_000L;

    @Test
    void protobufAndJsonBodiesCarryTheSameChunkAndLoopTheSource() {
        int[] samples = new int[500];
        for (int i = 0; i < samples.length; i++) {
            samples[i] = (i % 7 - 3) * 1000 + i;
        }
        SimulatedDevice device = new SimulatedDevice("d-1", new SignalSource("s", 250, 200, samples), 1.0, 400,
                START);
        ChunkLimits limits = new ChunkLimits(10, 300_000);
        long now = START + 60_000;
        for (int k = 0; k < 3; k++) {
            SampleChunk binary = new ChunkProtobufDecoder(limits).decode("d-1", device.body(true), now);
            SampleChunk json = new ChunkJsonDecoder(limits).decode("d-1", device.body(false), now);
            assertThat(json.toBuilder().setLeads(0, json.getLeads(0).toBuilder().setName("MLII")).build())
                    .isEqualTo(binary);
            // Numbered by start time in chunks since the epoch: a restart continues the count.
            assertThat(binary.getSeq()).isEqualTo(START / 1000 + k);
            assertThat(binary.getT0EpochMs()).isEqualTo(START + 1000L * k);
            assertThat(binary.getFsHz()).isEqualTo(250.0);
            assertThat(binary.getLeads(0).getGainPerMv()).isEqualTo(200.0);
            assertThat(binary.getLeads(0).getSamplesCount()).isEqualTo(250);
            // Chunk k starts at sample 400 + 250 k of the 500-sample loop.
            assertThat(binary.getLeads(0).getSamples(0)).isEqualTo(samples[(400 + 250 * k) % 500]);
            device.advance();
        }
    }
}
