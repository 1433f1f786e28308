package org.arrhythmiamonitor.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the MIT-BIH Arrhythmia Database is on this machine, for tests that need real records. */
public final class MitBih {
    private MitBih() {
    }

    /**
     * The {@code mitdb} directory: {@code $ECG_DATA_DIR/mitdb}, else {@code ../shared/data/mitdb}
     * beside the repository. Skips the calling test, saying why, when the data is absent.
     */
    public static Path directory() {
        return database("mitdb", "101.hea", "MIT-BIH Arrhythmia Database");
    }

    /** The {@code nstdb} directory with the noise records {@code bw} and {@code ma}; skips when absent. */
    public static Path noiseDirectory() {
        return database("nstdb", "ma.hea", "MIT-BIH Noise Stress Test Database noise records");
    }

    private static Path database(String name, String probe, String what) {
        String configured = System.getenv("ECG_DATA_DIR");
        if (configured == null) {
            configured = System.getProperty("ecg.data.dir");
        }
        Path dir = configured != null ? Path.of(configured, name) : Path.of("..", "..", "shared", "data", name);
        assumeTrue(Files.isRegularFile(dir.resolve(probe)),
                what + " not found at " + dir.toAbsolutePath()
                        + " (set ECG_DATA_DIR to the folder holding " + name + "/); skipping");
        return dir;
    }
}
