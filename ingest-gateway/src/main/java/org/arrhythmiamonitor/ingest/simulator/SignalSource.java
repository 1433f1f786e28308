package org.arrhythmiamonitor.ingest.simulator;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.arrhythmiamonitor.synthetic.PatientProfile;
import org.arrhythmiamonitor.synthetic.SyntheticEcg;
import org.arrhythmiamonitor.wfdb.SignalSpec;
import org.arrhythmiamonitor.wfdb.WfdbRecord;

/**
 * One lead of ECG a simulated device plays in a loop. Devices share sources (each starts at its
 * own offset), so a fleet of 20 000 devices costs a handful of recordings of memory.
 *
 * @param name what the device is, e.g. {@code vt} or the WFDB record name
 * @param fsHz sampling rate
 * @param gainPerMv ADC units per millivolt
 * @param samples the lead, in ADC units relative to zero millivolts
 */
public record SignalSource(String name, double fsHz, double gainPerMv, int[] samples) {
    /** Shortest synthetic loop; shorter profile cycles are repeated up to it. */
    private static final double MIN_LOOP_S = 600;

    /** One source per profile, each at least ten minutes long. */
    public static List<SignalSource> synthetic(List<PatientProfile> profiles, double fsHz, double bpm, long seed) {
        List<SignalSource> sources = new ArrayList<>();
        for (PatientProfile profile : profiles) {
            SyntheticEcg.Recording recording = SyntheticEcg.standard(fsHz, seed)
                    .render(profile.script(bpm, MIN_LOOP_S, seed));
            seed++;
            sources.add(new SignalSource(profile.label(), fsHz, recording.gainPerMv(), recording.samples()));
        }
        return sources;
    }

    /** The first signal of every WFDB record ({@code *.hea}) in {@code directory}. */
    public static List<SignalSource> wfdb(Path directory) {
        List<String> records;
        try (Stream<Path> files = Files.list(directory)) {
            records = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".hea"))
                    .map(n -> n.substring(0, n.length() - 4)).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list WFDB records in " + directory, e);
        }
        if (records.isEmpty()) {
            throw new IllegalArgumentException("no WFDB records (*.hea) in " + directory);
        }
        List<SignalSource> sources = new ArrayList<>();
        for (String name : records) {
            WfdbRecord record = WfdbRecord.read(directory, name);
            SignalSpec lead = record.header().signals().get(0);
            int[] samples = record.samples()[0].clone();
            for (int i = 0; i < samples.length; i++) {
                samples[i] -= lead.baseline();
            }
            sources.add(new SignalSource(name, record.header().fsHz(), lead.gain(), samples));
        }
        return sources;
    }
}
