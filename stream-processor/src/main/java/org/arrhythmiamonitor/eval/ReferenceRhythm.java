package org.arrhythmiamonitor.eval;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.arrhythmiamonitor.wfdb.Annotation;
import org.arrhythmiamonitor.wfdb.AnnotationCode;

/**
 * Reads from a record's reference annotations the events that episode and run scoring compare
 * against: atrial fibrillation/flutter episodes (from the rhythm annotations) and runs of
 * ventricular beats (from the beat labels).
 */
public final class ReferenceRhythm {
    private ReferenceRhythm() {
    }

    /**
     * The spans whose reference rhythm is atrial fibrillation or flutter. A rhythm annotation
     * ({@code +}) sets the rhythm from its sample until the next rhythm annotation, the last one
     * until {@code recordLength}; its {@code aux} starting with {@code (AFIB} or {@code (AFL} means
     * AF, so trailing NUL padding or text does not matter. Flutter and fibrillation are one
     * episode where one follows the other, as EC57 scores them as one rhythm. Before the first
     * rhythm annotation the rhythm is unknown and taken as not AF; a rhythm annotation without
     * {@code aux} changes nothing.
     *
     * @param reference the record's annotations in ascending sample order
     * @param recordLength samples in the record: where a rhythm still running at the end stops
     */
    public static List<SampleSpan> afSpans(List<Annotation> reference, long recordLength) {
        return spans(reference, recordLength, ReferenceRhythm::isAf, "AF");
    }

    /**
     * The spans whose reference rhythm is supraventricular tachyarrhythmia ({@code (SVTA}), read
     * as {@link #afSpans} reads AF: what the SVT run rule is scored against.
     */
    public static List<SampleSpan> svtSpans(List<Annotation> reference, long recordLength) {
        return spans(reference, recordLength, aux -> aux.startsWith("(SVTA"), "SVTA");
    }

    private static List<SampleSpan> spans(List<Annotation> reference, long recordLength, Predicate<String> rhythm,
            String name) {
        List<SampleSpan> spans = new ArrayList<>();
        long start = -1;
        for (Annotation a : reference) {
            if (a.code() != AnnotationCode.RHYTHM || a.aux() == null) {
                continue;
            }
            boolean in = rhythm.test(a.aux());
            if (in && start < 0) {
                start = a.sample();
            } else if (!in && start >= 0) {
                add(spans, start, a.sample());
                start = -1;
            }
        }
        if (start >= 0) {
            if (recordLength < start) {
                throw new IllegalArgumentException(name + " starts at sample " + start
                        + ", after the record's end (" + recordLength + " samples)");
            }
            add(spans, start, recordLength);
        }
        return spans;
    }

    /**
     * The runs of two or more consecutive ventricular beats (AAMI class V: {@code V} and
     * {@code E}). Any other beat ends a run; annotations that are not beats (rhythm changes,
     * comments, noise) do not, as they say nothing about the beats around them. The start and end
     * of ventricular flutter ({@code [} and {@code ]}) do end a run: the flutter waves between them
     * are not beats, and V beats on either side of an episode are not one run.
     *
     * @param reference the record's annotations in ascending sample order
     */
    public static List<VentricularRun> ventricularRuns(List<Annotation> reference) {
        List<VentricularRun> runs = new ArrayList<>();
        long first = 0;
        long last = 0;
        int beats = 0;
        for (Annotation a : reference) {
            AnnotationCode code = a.code();
            if (Character.valueOf('V').equals(code.aamiClass())) {
                if (beats == 0) {
                    first = a.sample();
                }
                last = a.sample();
                beats++;
            } else if (code.isBeat() || code == AnnotationCode.VFON || code == AnnotationCode.VFOFF) {
                addRun(runs, first, last, beats);
                beats = 0;
            }
        }
        addRun(runs, first, last, beats);
        return runs;
    }

    private static boolean isAf(String aux) {
        return aux.startsWith("(AFIB") || aux.startsWith("(AFL");
    }

    /** Adds a span unless empty (a rhythm annotation that another at the same sample replaces). */
    private static void add(List<SampleSpan> spans, long start, long end) {
        if (end > start) {
            spans.add(new SampleSpan(start, end));
        }
    }

    private static void addRun(List<VentricularRun> runs, long first, long last, int beats) {
        if (beats >= 2) {
            runs.add(new VentricularRun(first, last, beats));
        }
    }
}
