package org.arrhythmiamonitor.synthetic;

import java.nio.file.Path;
import java.util.List;
import org.arrhythmiamonitor.wfdb.AnnotationFile;
import org.arrhythmiamonitor.wfdb.SignalSpec;
import org.arrhythmiamonitor.wfdb.WfdbWriter;

/**
 * Writes a synthetic recording as a WFDB record (lead MLII, format 16) with its ground truth as
 * the reference annotation file {@code .atr}, so {@code monitor eval} and PhysioNet's tools can
 * score the whole pipeline on it.
 */
public final class SyntheticRecordWriter {
    private SyntheticRecordWriter() {
    }

    /** Writes {@code name.hea}, {@code name.dat} and {@code name.atr} into {@code directory}. */
    public static void write(Path directory, String name, SyntheticEcg.Recording recording, String description) {
        int fs = (int) Math.round(recording.fsHz());
        WfdbWriter.write(directory, name, fs, List.of(new SignalSpec(name + ".dat", 16, recording.gainPerMv(), 0,
                "mV", 16, 0, 0, null, "MLII")), new int[][] {recording.samples()},
                List.of("synthetic ECG (Arrhythmia Monitor, ECGSYN-style morphology): " + description));
        AnnotationFile.write(directory.resolve(name + ".atr"), recording.annotations());
    }
}
