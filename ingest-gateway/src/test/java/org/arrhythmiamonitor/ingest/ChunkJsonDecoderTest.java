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
            gain below 1 unit/mV  | {"seq": 1, "t0": 1767225600000, "fs": 250, "gain": 1e-300, "samples": [1]}  | invalid_chunk  | gain
            lead gain below 1     | {"seq": 1, "t0": 1767225600000, "fs": 250, "leads": [{"name": "I", "gain": 0.5, "samples": [1]}]} | invalid_chunk | leads[0].gain
            no samples or leads   | {"seq": 1, "t0": 1767225600000, "fs": 250}                                  | invalid_chunk  | samples
            samples and leads     | {"seq": 1, "t0": 1767225600000, "fs": 250, "samples": [1], "leads": []}     | invalid_chunk  | leads
            samples not array     | {"seq": 1, "t0": 1767225600000, "fs": 250, "samples": 7}                    | invalid_chunk  | samples
            empty samples         | {"seq": 1, "t0": 1767225600000, "fs": 250, "samples": []}                   | invalid_chunk  | samples
            fractional sample     | {"seq": 1, "t0": 1767225600000, "fs": 250, "samples": [1, 1.5]}             | invalid_chunk  | samples[1]
            null sample           | {"seq": 1, "t0": 1767225600000, "fs": 250, "samples": [null]}               | invalid_chunk  | samples[0]
            string sample         | {"seq": 1, "t0": 1767225600000, "fs": 250, "samples": ["1"]}                | invalid_chunk  | samples[0]
            huge sample           | {"seq": 1, "t0": 1767225600000, "fs": 250, "samples": [99999999999]}        | invalid_chunk  | samples[0]
            bad lead name         | {"seq": 1, "t0": 1767225600000, "fs": 250, "lead": "<script>", "samples": [1]} | invalid_chunk | lead
            lead name of spaces   | {"seq": 1, "t0": 1767225600000, "fs": 250, "lead": "  ", "samples": [1]}   | invalid_chunk  | lead
            misspelt seq          | {"Seq": 1, "t0": 1767225600000, "fs": 250, "samples": [1]}                  | invalid_chunk  | Seq
            empty leads           | {"seq": 1, "t0": 1767225600000, "fs": 250, "leads": []}                     | invalid_chunk  | leads
            lead without name     | {"seq": 1, "t0": 1767225600000, "fs": 250, "leads": [{"samples": [1]}]}     | invalid_chunk  | leads[0].name
            leads of unequal size | {"seq": 1, "t0": 1767225600000, "fs": 250, "leads": [{"name": "I", "samples": [1]}, {"name": "II", "samples": [1, 2]}]} | invalid_chunk | leads[1].samples
            two leads of one name | {"seq": 1, "t0": 1767225600000, "fs": 250, "leads": [{"name": "II", "samples": [1]}, {"name": "V1", "samples": [1]}, {"name": "ii ", "samples": [1]}]} | invalid_chunk | leads[2].name
            seq beyond a long     | {"seq": 99999999999999999999999, "t0": 1767225600000, "fs": 250, "samples": [1]} | invalid_chunk | seq
            seq just beyond       | {"seq": 9223372036854775808, "t0": 1767225600000, "fs": 250, "samples": [1]} | invalid_chunk | seq
            seq in exponent form  | {"seq": 1e30, "t0": 1767225600000, "fs": 250, "samples": [1]}               | invalid_chunk  | seq
            fractional seq        | {"seq": 1.5, "t0": 1767225600000, "fs": 250, "samples": [1]}                | invalid_chunk  | seq
            t0 beyond a long      | {"seq": 1, "t0": 18446745840935151616, "fs": 250, "samples": [1]}           | invalid_chunk  | t0
            fs beyond a double    | {"seq": 1, "t0": 1767225600000, "fs": 1e400, "samples": [1]}                | invalid_chunk  | fs
            seq's exponent beyond any number | {"seq": 1e9999999999, "t0": 1767225600000, "fs": 250, "samples": [1]} | invalid_chunk | seq
            fs's exponent beyond any number  | {"seq": 1, "t0": 1767225600000, "fs": 1e9999999999, "samples": [1]} | invalid_chunk | fs
            gain's exponent below any number | {"seq": 1, "t0": 1767225600000, "fs": 250, "gain": 1e-9999999999, "samples": [1]} | invalid_chunk | gain
            lead's exponent beyond any number | {"seq": 1, "t0": 1767225600000, "fs": 250, "lead": 1e9999999999, "samples": [1]} | invalid_chunk | lead
            unknown field of such a number   | {"seq": 1, "t0": 1767225600000, "fs": 250, "x": 1e9999999999, "samples": [1]} | invalid_chunk | x
            gain as string        | {"seq": 1, "t0": 1767225600000, "fs": 250, "gain": "200", "samples": [1]}   | invalid_chunk  | gain
            misspelt gain         | {"seq": 1, "t0": 1767225600000, "fs": 250, "gian": 200, "samples": [1]}     | invalid_chunk  | gian
            unknown field         | {"seq": 1, "t0": 1767225600000, "fs": 250, "battery": {"level": 0.9}, "samples": [1]} | invalid_chunk | battery
            field sent twice      | {"seq": 1, "t0": 1767225600000, "fs": 250, "gain": 200, "gain": 1000, "samples": [1]} | invalid_chunk | gain
            lead field sent twice | {"seq": 1, "t0": 1767225600000, "fs": 250, "leads": [{"name": "I", "samples": [1]}, {"name": "II", "samples": [1], "samples": [2]}]} | invalid_chunk | leads[1].samples
            unknown lead field    | {"seq": 1, "t0": 1767225600000, "fs": 250, "leads": [{"name": "I", "gian": 2, "samples": [1]}]} | invalid_chunk | leads[0].gian
            lead not a string     | {"seq": 1, "t0": 1767225600000, "fs": 250, "lead": 5, "samples": [1]}       | invalid_chunk  | lead
            lead beside leads     | {"seq": 1, "t0": 1767225600000, "fs": 250, "lead": "I", "leads": [{"name": "I", "samples": [1]}]} | invalid_chunk | lead
            another device's id   | {"deviceId": "dev-2", "seq": 1, "t0": 1767225600000, "fs": 250, "samples": [1]} | wrong_device | deviceId
            device id not a string | {"deviceId": 1, "seq": 1, "t0": 1767225600000, "fs": 250, "samples": [1]}  | invalid_chunk  | deviceId
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
    void fieldOrderDoesNotMatterAndTheDeviceIdMayBeRepeated() {
        SampleChunk chunk = decode("{\"samples\": [5, -6], \"deviceId\": \"dev-1\", \"fs\": 500, "
                + "\"t0\": 1767225600000.0, \"seq\": 9, \"lead\": \"V1\"}");
        assertThat(chunk.getSeq()).isEqualTo(9);
        assertThat(chunk.getT0EpochMs()).isEqualTo(1_767_225_600_000L);
        assertThat(chunk.getLeads(0).getName()).isEqualTo("V1");
        assertThat(chunk.getLeads(0).getSamplesList()).containsExactly(5, -6);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            seq over a long     | {"seq": 99999999999999999999999, "t0": 1767225600000, "fs": 250, "samples": [1]} | seq must be an integer from 0 to 9223372036854775807, got 99999999999999999999999
            seq just over       | {"seq": 9223372036854775808, "t0": 1767225600000, "fs": 250, "samples": [1]} | seq must be an integer from 0 to 9223372036854775807, got 9223372036854775808
            seq as string       | {"seq": "1", "t0": 1767225600000, "fs": 250, "samples": [1]}   | seq must be an integer from 0 to 9223372036854775807, got "1"
            t0 over a long      | {"seq": 1, "t0": 18446745840935151616, "fs": 250, "samples": [1]} | t0 must be an integer of epoch milliseconds from 946684800000 (2000-01-01) to 300 s ahead of the gateway's clock, got 18446745840935151616
            fs as string        | {"seq": 1, "t0": 1767225600000, "fs": "250", "samples": [1]}   | fs must be a sampling rate of 100-1000 Hz, got "250"
            fs beyond any number | {"seq": 1, "t0": 1767225600000, "fs": 1e9999999999, "samples": [1]} | fs must be a sampling rate of 100-1000 Hz, got 1e9999999999
            gain as string      | {"seq": 1, "t0": 1767225600000, "fs": 250, "gain": "2", "samples": [1]} | gain must be a number of at least 1 ADC unit per millivolt, got "2"
            gain below 1        | {"seq": 1, "t0": 1767225600000, "fs": 250, "gain": 1e-300, "samples": [1]} | gain must be a number of at least 1 ADC unit per millivolt, got 1.0E-300
            misspelt gain       | {"seq": 1, "t0": 1767225600000, "fs": 250, "gian": 2, "samples": [1]} | gian is not a field of a chunk; the fields are deviceId, fs, gain, lead, leads, samples, seq, t0
            misspelt seq        | {"Seq": 1, "t0": 1767225600000, "fs": 250, "samples": [1]} | Seq is not a field of a chunk; the fields are deviceId, fs, gain, lead, leads, samples, seq, t0
            missing seq         | {"t0": 1767225600000, "fs": 250, "samples": [1]}              | seq is required
            NaN                 | {"seq": 1, "t0": 1767225600000, "fs": 250, "samples": [NaN]}   | the body is not valid JSON: non-standard token 'NaN' at line 1, column 59
            truncated           | {"seq": 1, "t0": 1767225600000, "fs": 250, "samples": [1, 2   | the body is not valid JSON: unexpected end-of-input: expected close marker for Array at line 1, column 60
            """)
    void messagesNameTheFieldWhatItMustBeAndTheValueAsSent(String name, String json, String message) {
        assertThatThrownBy(() -> decode(json)).isInstanceOf(ChunkRejectedException.class).hasMessage(message);
    }

    @Test
    void aRejectionCarriesTheSeqWhenItCouldBeRead() {
        assertThatThrownBy(() -> decode("{\"seq\": 7, \"t0\": 1767225600000, \"fs\": 50, \"samples\": [1]}"))
                .isInstanceOfSatisfying(ChunkRejectedException.class, e -> assertThat(e.seq()).isEqualTo(7));
        assertThatThrownBy(() -> decode("{\"seq\": 3, \"broken\": "))
                .isInstanceOfSatisfying(ChunkRejectedException.class, e -> assertThat(e.seq()).isEqualTo(3));
        // The number may have been cut short: 12 could be the start of 123.
        assertThatThrownBy(() -> decode("{\"seq\": 12"))
                .isInstanceOfSatisfying(ChunkRejectedException.class, e -> assertThat(e.seq()).isEqualTo(-1));
        assertThatThrownBy(() -> decode("{\"seq\": \"7\", \"t0\": 1767225600000, \"fs\": 250, \"samples\": [1]}"))
                .isInstanceOfSatisfying(ChunkRejectedException.class, e -> assertThat(e.seq()).isEqualTo(-1));
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
