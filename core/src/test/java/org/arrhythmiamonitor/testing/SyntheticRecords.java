package org.arrhythmiamonitor.testing;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.arrhythmiamonitor.synthetic.SyntheticEcg;
import org.arrhythmiamonitor.wfdb.Annotation;
import org.arrhythmiamonitor.wfdb.AnnotationCode;
import org.arrhythmiamonitor.wfdb.AnnotationFile;
import org.arrhythmiamonitor.wfdb.SignalSpec;
import org.arrhythmiamonitor.wfdb.WfdbWriter;

/** Writes synthetic ECG as WFDB records with reference annotations, for tests of the evaluation. */
public final class SyntheticRecords {
    private SyntheticRecords() {
    }

    /**
     * Writes {@code name.hea}, {@code name.dat} (lead MLII, format 16) and {@code name.atr} with a
     * normal beat at every R peak whose QRS the record holds in full.
     */
    public static void write(Path db, String name, int fs, long seed, SyntheticEcg.Segment... segments) {
        SyntheticEcg.Recording recording = SyntheticEcg.standard(fs, seed).render(List.of(segments));
        WfdbWriter.write(db, name, fs, List.of(new SignalSpec(name + ".dat", 16, recording.gainPerMv(), 0, "mV", 16,
                0, 0, null, "MLII")), new int[][] {recording.samples()}, List.of("synthetic"));
        List<Annotation> beats = new ArrayList<>();
        for (int peak : recording.rPeaks()) {
            // A QRS cut off by the end of the record is not a beat anyone could find.
            if (peak < recording.samples().length - 0.1 * fs) {
                beats.add(Annotation.beat(peak, AnnotationCode.NORMAL));
            }
        }
        AnnotationFile.write(db.resolve(name + ".atr"), beats);
    }
}
