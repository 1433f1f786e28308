package org.arrhythmiamonitor.eval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Matches detected beats to reference beats as ANSI/AAMI EC57 (and PhysioNet's bxb) do: a
 * detection within the match window of a reference beat is a true positive, each beat is used
 * once, closest pairs first. Only beats inside the scored intervals count; beats just outside an
 * interval's edge may still pair with beats inside it, so a beat straddling the edge is neither
 * a false negative nor a false positive.
 */
public final class Ec57Matcher {
    private Ec57Matcher() {
    }

    /**
     * @param reference reference beat positions, samples, ascending
     * @param detected detected beat positions, samples, ascending
     * @param window match window in samples (150 ms)
     * @param scored intervals {@code [from, to)} that are scored
     */
    public static QrsScore score(long[] reference, long[] detected, long window, List<long[]> scored) {
        int[] refOf = match(reference, detected, window);
        boolean[] refMatched = new boolean[reference.length];
        boolean[] detMatched = new boolean[detected.length];
        for (int d = 0; d < detected.length; d++) {
            if (refOf[d] >= 0) {
                detMatched[d] = true;
                refMatched[refOf[d]] = true;
            }
        }
        long tp = 0;
        long fn = 0;
        long fp = 0;
        for (int r = 0; r < reference.length; r++) {
            if (inside(reference[r], scored)) {
                if (refMatched[r]) {
                    tp++;
                } else {
                    fn++;
                }
            }
        }
        for (int d = 0; d < detected.length; d++) {
            if (!detMatched[d] && inside(detected[d], scored)) {
                fp++;
            }
        }
        return new QrsScore(tp, fn, fp);
    }

    /**
     * Pairs detected with reference beats, closest pairs first, each beat in at most one pair.
     *
     * @return for each detected beat the index of its reference beat, or -1
     */
    public static int[] match(long[] reference, long[] detected, long window) {
        List<long[]> pairs = new ArrayList<>();
        int first = 0;
        for (int r = 0; r < reference.length; r++) {
            while (first < detected.length && detected[first] < reference[r] - window) {
                first++;
            }
            for (int d = first; d < detected.length && detected[d] <= reference[r] + window; d++) {
                pairs.add(new long[] {Math.abs(detected[d] - reference[r]), r, d});
            }
        }
        pairs.sort(Comparator.<long[]>comparingLong(p -> p[0]).thenComparingLong(p -> p[1]));
        boolean[] refMatched = new boolean[reference.length];
        int[] refOf = new int[detected.length];
        Arrays.fill(refOf, -1);
        for (long[] pair : pairs) {
            int r = (int) pair[1];
            int d = (int) pair[2];
            if (!refMatched[r] && refOf[d] < 0) {
                refMatched[r] = true;
                refOf[d] = r;
            }
        }
        return refOf;
    }

    public static boolean inside(long sample, List<long[]> intervals) {
        for (long[] interval : intervals) {
            if (sample >= interval[0] && sample < interval[1]) {
                return true;
            }
        }
        return false;
    }

    /** {@code [from, to)} minus the given excluded intervals, as ascending disjoint intervals. */
    public static List<long[]> subtract(long from, long to, List<long[]> excluded) {
        List<long[]> sorted = new ArrayList<>(excluded);
        sorted.sort(Comparator.comparingLong(e -> e[0]));
        List<long[]> result = new ArrayList<>();
        long start = from;
        for (long[] e : sorted) {
            if (e[1] <= start || e[0] >= to) {
                continue;
            }
            if (e[0] > start) {
                result.add(new long[] {start, e[0]});
            }
            start = Math.max(start, e[1]);
        }
        if (start < to) {
            result.add(new long[] {start, to});
        }
        return result;
    }

    static long[] sorted(long[] values) {
        long[] copy = values.clone();
        Arrays.sort(copy);
        return copy;
    }
}
