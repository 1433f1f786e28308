package org.arrhythmiamonitor.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.arrhythmiamonitor.wfdb.AnnotationCode.APC;
import static org.arrhythmiamonitor.wfdb.AnnotationCode.FLWAV;
import static org.arrhythmiamonitor.wfdb.AnnotationCode.NORMAL;
import static org.arrhythmiamonitor.wfdb.AnnotationCode.NOISE;
import static org.arrhythmiamonitor.wfdb.AnnotationCode.NOTE;
import static org.arrhythmiamonitor.wfdb.AnnotationCode.PVC;
import static org.arrhythmiamonitor.wfdb.AnnotationCode.VESC;
import static org.arrhythmiamonitor.wfdb.AnnotationCode.VFOFF;
import static org.arrhythmiamonitor.wfdb.AnnotationCode.VFON;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;
import org.arrhythmiamonitor.eval.VentricularRun.RunLength;
import org.arrhythmiamonitor.testing.MitBih;
import org.arrhythmiamonitor.wfdb.Annotation;
import org.arrhythmiamonitor.wfdb.AnnotationCode;
import org.arrhythmiamonitor.wfdb.AnnotationFile;
import org.arrhythmiamonitor.wfdb.WfdbHeader;
import org.junit.jupiter.api.Test;

class ReferenceRhythmTest {
    @Test
    void anAfRhythmHoldsUntilTheNextRhythmAnnotationOrTheRecordEnd() {
        List<Annotation> reference = List.of(
                Annotation.beat(50, NORMAL),
                Annotation.rhythm(100, "(N"),
                Annotation.beat(150, NORMAL),
                Annotation.rhythm(1000, "(AFIB"),
                Annotation.beat(1100, NORMAL),
                new Annotation(1200, NOTE, 0, 0, 0, "(AFL"),
                Annotation.beat(1300, PVC));

        assertThat(ReferenceRhythm.afSpans(reference, 5000)).containsExactly(new SampleSpan(1000, 5000));
    }

    @Test
    void fibrillationFollowedByFlutterIsOneSpanAndOtherRhythmsEndIt() {
        List<Annotation> reference = List.of(
                Annotation.rhythm(0, "(AFL"),
                Annotation.rhythm(100, "(N"),
                Annotation.rhythm(200, "(AFIB"),
                Annotation.beat(250, NORMAL),
                Annotation.rhythm(300, "(AFL"),
                Annotation.rhythm(400, "(T"),
                Annotation.rhythm(500, "(AFIB\0"),
                Annotation.rhythm(600, "(AFIB"),
                new Annotation(650, AnnotationCode.RHYTHM, 0, 0, 0, null),
                Annotation.rhythm(700, "(SVTA"),
                Annotation.rhythm(800, "(AB"));

        assertThat(ReferenceRhythm.afSpans(reference, 1000))
                .containsExactly(new SampleSpan(0, 100), new SampleSpan(200, 400), new SampleSpan(500, 700));
    }

    @Test
    void svtSpansRunFromEachSvtaToTheNextRhythm() {
        List<Annotation> reference = List.of(
                Annotation.rhythm(0, "(N"),
                Annotation.rhythm(100, "(SVTA"),
                Annotation.beat(150, NORMAL),
                Annotation.rhythm(300, "(N"),
                Annotation.rhythm(400, "(AFIB"),
                Annotation.rhythm(900, "(SVTA\0"));

        assertThat(ReferenceRhythm.svtSpans(reference, 1000))
                .containsExactly(new SampleSpan(100, 300), new SampleSpan(900, 1000));
    }

    @Test
    void recordsWithoutAfHaveNoSpans() {
        assertThat(ReferenceRhythm.afSpans(List.of(Annotation.rhythm(0, "(N"), Annotation.beat(10, NORMAL)), 100))
                .isEmpty();
        assertThat(ReferenceRhythm.afSpans(List.of(Annotation.beat(10, NORMAL)), 100)).isEmpty();
    }

    @Test
    void runsAreTwoOrMoreConsecutiveVentricularBeatsClassedByLength() {
        List<Annotation> reference = beats("NVNVVNVVVNVVVVVNVEVVVVN");

        assertThat(ReferenceRhythm.ventricularRuns(reference)).containsExactly(
                new VentricularRun(30, 40, 2),
                new VentricularRun(60, 80, 3),
                new VentricularRun(100, 140, 5),
                new VentricularRun(160, 210, 6));
        assertThat(ReferenceRhythm.ventricularRuns(reference)).extracting(VentricularRun::lengthClass)
                .containsExactly(RunLength.COUPLET, RunLength.SHORT_RUN, RunLength.SHORT_RUN, RunLength.LONG_RUN);
    }

    @Test
    void anyOtherBeatSplitsARunAndARunMayEndTheRecord() {
        assertThat(ReferenceRhythm.ventricularRuns(beats("VVNVV")))
                .containsExactly(new VentricularRun(0, 10, 2), new VentricularRun(30, 40, 2));
        assertThat(ReferenceRhythm.ventricularRuns(beats("VVAVVV")))
                .containsExactly(new VentricularRun(0, 10, 2), new VentricularRun(30, 50, 3));
    }

    @Test
    void annotationsThatAreNotBeatsDoNotSplitARun() {
        List<Annotation> reference = List.of(
                Annotation.beat(0, NORMAL),
                Annotation.beat(10, PVC),
                Annotation.rhythm(15, "(VT"),
                Annotation.beat(20, PVC),
                new Annotation(25, NOISE, 1, 0, 0, null),
                new Annotation(26, NOTE, 0, 0, 0, "comment"),
                Annotation.beat(30, VESC),
                Annotation.rhythm(35, "(N"),
                Annotation.beat(40, NORMAL));

        assertThat(ReferenceRhythm.ventricularRuns(reference)).containsExactly(new VentricularRun(10, 30, 3));
    }

    @Test
    void ventricularFlutterEndsARun() {
        List<Annotation> reference = List.of(
                Annotation.beat(0, PVC),
                Annotation.beat(10, PVC),
                new Annotation(15, VFON, 0, 0, 0, null),
                new Annotation(20, FLWAV, 0, 0, 0, null),
                new Annotation(25, VFOFF, 0, 0, 0, null),
                Annotation.beat(30, PVC),
                Annotation.beat(40, PVC));

        assertThat(ReferenceRhythm.ventricularRuns(reference))
                .containsExactly(new VentricularRun(0, 10, 2), new VentricularRun(30, 40, 2));
    }

    @Test
    void findsAfAndVentricularRunsInMitBihReferenceAnnotations() {
        Path mitdb = MitBih.directory();

        // Record 201: AF from its first rhythm annotation to nodal rhythm, again later, and near the end.
        List<SampleSpan> af201 = ReferenceRhythm.afSpans(AnnotationFile.read(mitdb.resolve("201.atr")),
                WfdbHeader.read(mitdb.resolve("201.hea")).numSamples());
        assertThat(af201).hasSize(3).first().isEqualTo(new SampleSpan(60, 136_226));

        // Record 203: AF throughout, broken only by the VT episodes, flutter joined to fibrillation.
        List<Annotation> ref203 = AnnotationFile.read(mitdb.resolve("203.atr"));
        List<SampleSpan> af203 = ReferenceRhythm.afSpans(ref203, 650_000);
        assertThat(af203).last().isEqualTo(new SampleSpan(611_153, 650_000));
        assertThat(af203).contains(new SampleSpan(273_375, 281_447));

        // Records 203 and 207: couplets, short and long runs, and a run at every VT episode onset.
        for (String record : List.of("203", "207")) {
            List<Annotation> reference = AnnotationFile.read(mitdb.resolve(record + ".atr"));
            List<VentricularRun> runs = ReferenceRhythm.ventricularRuns(reference);
            assertThat(runs).as(record).extracting(VentricularRun::lengthClass)
                    .contains(RunLength.COUPLET, RunLength.SHORT_RUN, RunLength.LONG_RUN);
            reference.stream().filter(a -> "(VT".equals(a.aux())).forEach(vt -> assertThat(runs)
                    .as("%s: run at the VT episode starting at sample %d", record, vt.sample())
                    .anyMatch(r -> r.beats() >= 3 && r.firstSample() >= vt.sample()
                            && r.firstSample() < vt.sample() + 360));
        }
    }

    /** One beat every 10 samples, N, A, V or E by the letters of {@code labels}. */
    private static List<Annotation> beats(String labels) {
        return IntStream.range(0, labels.length()).mapToObj(i -> Annotation.beat(10L * i, switch (labels.charAt(i)) {
            case 'N' -> NORMAL;
            case 'A' -> APC;
            case 'V' -> PVC;
            case 'E' -> VESC;
            default -> throw new IllegalArgumentException("label " + labels.charAt(i));
        })).toList();
    }
}
