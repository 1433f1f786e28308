package org.arrhythmiamonitor.eval;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.arrhythmiamonitor.wfdb.WfdbFormatException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecordSignalTest {

    @Test
    void aRecordThatIsNotThereIsSaidSoNotThatItsAnnotationsAreMissing(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> RecordSignal.read(dir, "999", null, "atr")).isInstanceOf(WfdbFormatException.class)
                .hasMessage("record 999 is not in " + dir + " (no 999.hea)");
        Files.writeString(dir.resolve("100.hea"), "100 1 360 10\n100.dat 212 200 11 1024 0 0 0 MLII\n");
        assertThatThrownBy(() -> RecordSignal.read(dir, "100", null, "atr"))
                .hasMessage("reference annotations " + dir.resolve("100.atr") + " do not exist");
        Path file = Files.writeString(dir.resolve("db"), "");
        assertThatThrownBy(() -> RecordSignal.read(file, "100", null, "atr"))
                .hasMessage("database directory " + file + " does not exist or is not a directory");
    }
}
