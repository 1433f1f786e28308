package org.arrhythmiamonitor.wfdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WfdbWriterTest {
    @TempDir
    Path dir;

    @Test
    void writtenRecordsReadBackWithTheirChecksums() {
        int[][] samples = {{-3, 0, 5, 32_000, -32_000, 7}, {1, 2, 3, 4, 5, 6}};
        List<SignalSpec> specs = List.of(
                new SignalSpec("x", 16, 200, 0, "mV", 16, 0, 0, null, "MLII"),
                new SignalSpec("x", 16, 1000, 10, "mV", 16, 0, 0, null, "V1"));

        WfdbWriter.write(dir, "rec", 360, specs, samples, List.of("made by a test"));
        WfdbRecord read = WfdbRecord.read(dir, "rec");

        assertThat(read.samples()).isDeepEqualTo(samples);
        assertThat(read.fsHz()).isEqualTo(360);
        assertThat(read.header().signals()).extracting(SignalSpec::description).containsExactly("MLII", "V1");
        assertThat(read.header().signals().get(1).gain()).isEqualTo(1000);
        assertThat(read.header().signals().get(1).baseline()).isEqualTo(10);
        assertThat(read.header().comments()).containsExactly("made by a test");
    }

    @Test
    void refusesSamplesThatDoNotFitFormat16() {
        List<SignalSpec> specs = List.of(new SignalSpec("x", 16, 200, 0, "mV", 16, 0, 0, null, "MLII"));
        assertThatThrownBy(() -> WfdbWriter.write(dir, "rec", 360, specs, new int[][] {{40_000}}, List.of()))
                .hasMessageContaining("does not fit format 16");
    }
}
