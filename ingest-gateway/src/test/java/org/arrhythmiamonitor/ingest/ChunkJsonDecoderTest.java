package org.arrhythmiamonitor.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.buffer.Buffer;
import org.arrhythmiamonitor.wire.v1.SampleChunk;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ChunkJsonDecoderTest {
    /** One minute after the chunks' t0: the gateway's clock in these tests. */
    private static final long NOW = 1_767_225_660_000L;
    private final ChunkJsonDecoder decoder = new ChunkJsonDecoder(new ChunkLimits(10, 300_000));

    private SampleChunk decode(String json) {
        return decoder.decode("dev-1", Buffer.buffer(json), NOW);
    }

    @Test
    void singleLeadChunkWithDefaultGainInMicrovolts() {
        SampleChunk chunk = decode("{\"seq\": 3, \"t0\": 1767225600000, \"fs\": 250, \"samples\": [1, -2, 300]}");

        assertThat(chunk.getDeviceId()).isEqualTo("dev-1");
        assertThat(chunk.getSeq()).isEqualTo(3);
        assertThat(chunk.getT0EpochMs()).isEqualTo(1_767_225_600_000L);
        assertThat(chunk.getFsHz()).isEqualTo(250.0);
        assertThat(chunk.getReceivedAtMs()).isEqualTo(NOW);
        assertThat(chunk.getLeadsList()).singleElement().satisfies(lead -> {
            assertThat(lead.getName()).isEqualTo("ECG");
            assertThat(lead.getGainPerMv()).isEqualTo(1000.0);
            assertThat(lead.getSamplesList()).containsExactly(1, -2, 300);
        });
    }

    @Test
    void multiLeadChunkWithPerLeadGain() {
        SampleChunk chunk = decode("{\"seq\": 0, \"t0\": 1767225600000, \"fs\": 360, \"gain\": 200, \"leads\": ["
                + "{\"name\": \"MLII\", \"samples\": [1, 2]}, {\"name\": \"V1\", \"gain\": 400, \"samples\": [3, 4.0]}]}");

        assertThat(chunk.getLeadsCount()).isEqualTo(2);
        assertThat(chunk.getLeads(0).getGainPerMv()).isEqualTo(200.0);
        assertThat(chunk.getLeads(1).getName()).isEqualTo("V1");
        assertThat(chunk.getLeads(1).getGainPerMv()).isEqualTo(400.0);
        assertThat(chunk.getLeads(1).getSamplesList()).containsExactly(3, 4);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            empty body            |                                                                 | malformed_json | 
            not JSON              | {"seq": 1,                                                      | malformed_json | 
            JSON array            | [1, 2, 3]                                                       | malformed_json | 
            content after object  | {"seq": 1, "t0": 1767225600000, "fs": 250, "samples": [1]} 2    | malformed_json | 
            truncated samples     | {"seq": 1, "t0": 1767225600000, "fs": 250, "samples": [1, 2     | malformed_json | 
            nested sample         | {"seq": 1, "t0": 1767225600000, "fs": 250, "samples": [[1]]}    | invalid_chunk  | samples[0]
            seq as object         | {"seq": {"n": 1}, "t0": 1767225600000, "fs": 250, "samples": [1]} | invalid_chunk | seq
            NaN literal           | {"seq": 1, "t0": 1767225600000, "fs": 250, "samples": [NaN]}                | malformed_json | 
            missing seq           | {"t0": 1767225600000, "fs": 250, "samples": [1]}                            | invalid_chunk  | seq
            negative seq          | {"seq": -1, "t0": 1767225600000, "fs": 250, "samples": [1]}                 | invalid_chunk  | seq
            seq as string         | {"seq": "1", "t0": 1767225600000, "fs": 250, "samples": [1]}                | invalid_chunk  | seq
            t0 before 2000        | {"seq": 1, "t0": 5, "fs": 250, "samples": [1]}                 | invalid_chunk  | t0
            t0 in the future      | {"seq": 1, "t0": 1767226000000, "fs": 250, "samples": [1]}     | invalid_chunk  | t0
            missing t0            | {"seq": 1, "fs": 250, "samples": [1]}                           | invalid_chunk  | t0
            fractional t0         | {"seq": 1, "t0": 1767225600000.5, "fs": 250, "samples": [1]}                | invalid_chunk  | t0
            fs too low            | {"seq": 1, "t0": 1767225600000, "fs": 50, "samples": [1]}                   | invalid_chunk  | fs
            fs too high           | {"seq": 1, "t0": 1767225600000, "fs": 2000, "samples": [1]}                 | invalid_chunk  | fs
            fs as string          | {"seq": 1, "t0": 1767225600000, "fs": "250", "samples": [1]}                | invalid_chunk  | fs
            fractional fs         | {"seq": 1, "t0": 1767225600000, "fs": 250.5, "samples": [1]}              | invalid_chunk  | fs
            zero gain             | {"seq": 1, "t0": 1767225600000, "fs": 250, "gain": 0, "samples": [1]}       | invalid_chunk  | gain
            no samples or leads   | {"seq": 1, "t0": 1767225600000, "fs": 250}                                  | invalid_chunk  | samples
            samples and leads     | {"seq": 1, "t0": 1767225600000, "fs": 250, "samples": [1], "leads": []}     | invalid_chunk  | leads
            samples not array     | {"seq": 1, "t0": 1767225600000, "fs": 250, "samples": 7}                    | invalid_chunk  | samples
            empty samples         | {"seq": 1, "t0": 1767225600000, "fs": 250, "samples": []}                   | invalid_chunk  | samples
            fractional sample     | {"seq": 1, "t0": 1767225600000, "fs": 250, "samples": [1, 1.5]}             | invalid_chunk  | samples[1]
            null sample           | {"seq": 1, "t0": 1767225600000, "fs": 250, "samples": [null]}               | invalid_chunk  | samples[0]
            string sample         | {"seq": 1, "t0": 1767225600000, "fs": 250, "samples": ["1"]}                | invalid_chunk  | samples[0]
            huge sample           | {"seq": 1, "t0": 1767225600000, "fs": 250, "samples": [99999999999]}        | invalid_chunk  | samples[0]
            bad lead name         | {"seq": 1, "t0": 1767225600000, "fs": 250, "lead": "<script>", "samples": [1]} | invalid_chunk | lead
            empty leads           | {"seq": 1, "t0": 1767225600000, "fs": 250, "leads": []}                     | invalid_chunk  | leads
            lead without name     | {"seq": 1, "t0": 1767225600000, "fs": 250, "leads": [{"samples": [1]}]}     | invalid_chunk  | leads[0].name
            leads of unequal size | {"seq": 1, "t0": 1767225600000, "fs": 250, "leads": [{"name": "I", "samples": [1]}, {"name": "II", "samples": [1, 2]}]} | invalid_chunk | leads[1].samples
            """)
    void rejectsWhatItCannotUseAndNamesTheField(String name, String json, String error, String field) {
        assertThatThrownBy(() -> decode(json == null ? "" : json))
                .isInstanceOfSatisfying(ChunkRejectedException.class, e -> {
                    assertThat(e.error()).isEqualTo(error);
                    assertThat(e.field()).isEqualTo(field);
                    assertThat(e.getMessage()).isNotBlank();
                });
    }

    @Test
    void fieldOrderDoesNotMatterAndUnknownFieldsAreIgnored() {
        SampleChunk chunk = decode("{\"samples\": [5, -6], \"battery\": {\"level\": [0.9]}, \"fs\": 500, "
                + "\"t0\": 1767225600000, \"seq\": 9, \"lead\": \"V1\"}");
        assertThat(chunk.getSeq()).isEqualTo(9);
        assertThat(chunk.getLeads(0).getName()).isEqualTo("V1");
        assertThat(chunk.getLeads(0).getSamplesList()).containsExactly(5, -6);
    }

    @Test
    void chunksLongerThanTheLimitAreRefused() {
        StringBuilder samples = new StringBuilder("0");
        samples.append(",0".repeat(2500));
        assertThatThrownBy(() -> decode("{\"seq\": 1, \"t0\": 1767225600000, \"fs\": 250, \"samples\": [" + samples + "]}"))
                .isInstanceOfSatisfying(ChunkRejectedException.class,
                        e -> assertThat(e.error()).isEqualTo("chunk_too_long"))
                .hasMessageContaining("2500");
    }

    @ParameterizedTest
    @CsvSource({"'', ", "'-starts-with-dash', ", "'has space', ", "'a/b', "})
    void deviceIdsAreChecked(String deviceId) {
        assertThatThrownBy(() -> decoder.decode(deviceId, Buffer.buffer("{}"), 0))
                .isInstanceOfSatisfying(ChunkRejectedException.class,
                        e -> assertThat(e.error()).isEqualTo("invalid_device_id"));
    }
}
