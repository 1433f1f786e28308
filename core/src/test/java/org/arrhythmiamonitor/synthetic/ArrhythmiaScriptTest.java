package org.arrhythmiamonitor.synthetic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.List;
import org.arrhythmiamonitor.wfdb.Annotation;
import org.arrhythmiamonitor.wfdb.AnnotationCode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ArrhythmiaScriptTest {
    private static final double FS = 250;

    private static SyntheticEcg.Recording render(ArrhythmiaScript script) {
        return SyntheticEcg.standard(FS, 7).render(script);
    }

    private static String beatString(SyntheticEcg.Recording recording) {
        StringBuilder beats = new StringBuilder();
        recording.annotations().stream().filter(a -> a.code().isBeat()).forEach(a -> beats.append(a.code().mnemonic()));
        return beats.toString();
    }

    private static List<String> rhythms(SyntheticEcg.Recording recording) {
        return recording.annotations().stream().filter(a -> a.code() == AnnotationCode.RHYTHM).map(Annotation::aux)
                .toList();
    }

    @Test
    void ectopicBeatsAndRunsAreAnnotatedWhereTheyAre() {
        SyntheticEcg.Recording recording = render(ArrhythmiaScript.start(60).sinus(5).pvc().sinus(5).couplet()
                .sinus(5).ventricularRun(6, 160).sinus(5).apc().sinus(5).svtRun(4, 150).sinus(5));
        assertThat(beatString(recording)).matches("N+VN+VVN+VVVVVVN+AN+AAAAN+");
        assertThat(rhythms(recording)).containsExactly("(N", "(VT", "(N", "(SVTA", "(N");
        // Every annotated beat is an R peak of the signal.
        assertThat(recording.annotations().stream().filter(a -> a.code().isBeat()).mapToLong(Annotation::sample)
                .toArray()).containsExactly(Arrays.stream(recording.rPeaks()).asLongStream().toArray());
    }

    @Test
    void aPvcIsFollowedByAFullCompensatoryPauseAndAnApcResetsTheSinusNode() {
        SyntheticEcg.Recording recording = new SyntheticEcg(FS, 1000, 0, 0, 0, 1)
                .render(ArrhythmiaScript.start(60).sinus(4).pvc().sinus(4).apc().sinus(4));
        int[] peaks = recording.rPeaks();
        String beats = beatString(recording);
        int v = beats.indexOf('V');
        assertThat(peaks[v] - peaks[v - 1]).isEqualTo(150);
        assertThat(peaks[v + 1] - peaks[v - 1]).isEqualTo(500);
        int a = beats.indexOf('A');
        assertThat(peaks[a] - peaks[a - 1]).isCloseTo(175, within(1));
        assertThat(peaks[a + 1] - peaks[a]).isEqualTo(250);
    }

    @Test
    void bigeminyAndTrigeminyAlternateAndAreLabelled() {
        SyntheticEcg.Recording recording = render(ArrhythmiaScript.start(70).sinus(5).bigeminy(4).sinus(5)
                .trigeminy(3).sinus(5));
        assertThat(beatString(recording)).contains("NVNVNVNVN").contains("NNVNNVNNVN");
        assertThat(rhythms(recording)).containsExactly("(N", "(B", "(N", "(T", "(N");
    }

    @Test
    void atrialFibrillationIsIrregularWithoutPWavesAndLabelledWithOnsetAndOffset() {
        SyntheticEcg.Recording recording = render(ArrhythmiaScript.start(70).sinus(20).atrialFibrillation(120, 110)
                .sinus(20));
        assertThat(rhythms(recording)).containsExactly("(N", "(AFIB", "(N");
        long onset = recording.annotations().stream().filter(a -> "(AFIB".equals(a.aux())).findFirst().orElseThrow()
                .sample();
        assertThat(onset / FS).isBetween(19.0, 22.0);
        // Successive RR differences in AF are large; in sinus rhythm with 2 % variability they are small.
        assertThat(meanAbsRrChange(recording, 25, 135)).isGreaterThan(0.12);
        assertThat(meanAbsRrChange(recording, 140, 160)).isLessThan(0.04);
    }

    private static double meanAbsRrChange(SyntheticEcg.Recording recording, double fromS, double toS) {
        int[] peaks = Arrays.stream(recording.rPeaks()).filter(p -> p >= fromS * FS && p < toS * FS)
                .toArray();
        double sum = 0;
        for (int i = 2; i < peaks.length; i++) {
            sum += Math.abs((peaks[i] - peaks[i - 1]) - (peaks[i - 1] - peaks[i - 2])) / FS;
        }
        return sum / (peaks.length - 2) / ((peaks[peaks.length - 1] - peaks[0]) / FS / (peaks.length - 1));
    }

    @Test
    void pausesLeadOffAndNoiseShowInTheSignal() {
        SyntheticEcg.Recording recording = render(ArrhythmiaScript.start(60).sinus(10).pause(4.5).sinus(10)
                .leadOff(10).sinus(10).noiseBurst(10).sinus(5));
        int[] peaks = recording.rPeaks();
        int longest = 0;
        for (int i = 1; i < peaks.length; i++) {
            longest = Math.max(longest, peaks[i] - peaks[i - 1]);
        }
        assertThat(longest / FS).as("the lead-off gap").isGreaterThan(10.0);
        int[] samples = recording.samples();
        int leadOffStart = (int) (24.6 * FS);
        assertThat(Arrays.stream(samples, leadOffStart, leadOffStart + (int) (9 * FS)).distinct().count())
                .as("flat while the lead is off").isEqualTo(1);
        assertThat(Arrays.stream(recording.rPeaks()).filter(p -> p > leadOffStart && p < leadOffStart + 9 * FS))
                .isEmpty();
        assertThat(std(samples, 45, 53)).as("noise burst").isGreaterThan(1.5 * std(samples, 35, 43));
    }

    private static double std(int[] samples, double fromS, double toS) {
        double[] part = Arrays.stream(samples, (int) (fromS * FS), (int) (toS * FS)).asDoubleStream()
                .toArray();
        double mean = Arrays.stream(part).average().orElse(0);
        return Math.sqrt(Arrays.stream(part).map(x -> (x - mean) * (x - mean)).average().orElse(0));
    }

    @ParameterizedTest
    @EnumSource(PatientProfile.class)
    void everyProfileRendersWithBeatsAtAnyRate(PatientProfile profile) {
        for (double fs : new double[] {100, 360, 1000}) {
            SyntheticEcg.Recording recording = SyntheticEcg.standard(fs, 3).render(profile.cycle(72));
            assertThat(recording.samples().length / fs).isGreaterThan(200);
            assertThat(recording.rPeaks().length).isGreaterThan(200);
        }
        assertThat(PatientProfile.of(profile.label())).isEqualTo(profile);
    }

    @Test
    void badScriptsAreRefusedWithTheReason() {
        assertThatThrownBy(() -> ArrhythmiaScript.start(500)).hasMessageContaining("20-300 bpm");
        assertThatThrownBy(() -> ArrhythmiaScript.start(60).sinus(-1)).hasMessageContaining("duration");
        assertThatThrownBy(() -> ArrhythmiaScript.start(60).ventricularRun(0, 150)).hasMessageContaining("beats");
        assertThatThrownBy(() -> PatientProfile.of("zombie")).hasMessageContaining("pvc");
    }
}
