package org.arrhythmiamonitor.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IoReasonsTest {

    @Test
    void aFileErrorSaysWhyAndNamesAPathOnlyWhenItIsAnotherOne(@TempDir Path dir) {
        Path missing = dir.resolve("rules.json");
        IOException notThere = null;
        try {
            Files.readString(missing);
        } catch (IOException e) {
            notThere = e;
        }
        assertThat(notThere).isInstanceOf(NoSuchFileException.class).hasMessage(missing.toString());
        assertThat(IoReasons.of(notThere, missing)).isEqualTo("does not exist");
        Path data = Path.of("/data/kafka");
        assertThat(IoReasons.of(new AccessDeniedException("/data"), data)).isEqualTo("permission denied (/data)");
        assertThat(IoReasons.of(new FileSystemException("/data/kafka", null, "Read-only file system"), data))
                .isEqualTo("Read-only file system");
        assertThat(IoReasons.of(new IOException("disk full"), data)).isEqualTo("disk full");
    }
}
