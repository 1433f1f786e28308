package org.arrhythmiamonitor.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IoReasonsTest {

    @Test
    void aFileErrorSaysWhyNotOnlyWhere(@TempDir Path dir) {
        Path missing = dir.resolve("rules.json");
        IOException notThere = null;
        try {
            Files.readString(missing);
        } catch (IOException e) {
            notThere = e;
        }
        assertThat(notThere).isInstanceOf(NoSuchFileException.class).hasMessage(missing.toString());
        assertThat(IoReasons.of(notThere)).isEqualTo(missing + " does not exist");
        assertThat(IoReasons.of(new AccessDeniedException("/data/kafka"))).isEqualTo("permission denied on /data/kafka");
        IOException directory = null;
        try {
            Files.readString(dir);
        } catch (IOException e) {
            directory = e;
        }
        assertThat(IoReasons.of(directory)).isEqualTo("Is a directory");
        assertThat(IoReasons.of(new IOException("disk full"))).isEqualTo("disk full");
    }
}
