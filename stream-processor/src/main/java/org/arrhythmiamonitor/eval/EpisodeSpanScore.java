package org.arrhythmiamonitor.eval;

import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Episodes of a rhythm (atrial fibrillation, SVT) scored as EC38/EC57 score AF (PhysioNet's
 * {@code epicmp -A}): episode sensitivity and positive predictivity, which say whether episodes
 * are found at all, and duration sensitivity and positive predictivity, which say how much of
 * the rhythm's time is covered. Counts are kept rather than percentages so that records add up to
 * gross totals.
 *
 * @param referenceEpisodes reference episodes scored
 * @param detectedEpisodes detected episodes scored
 * @param referenceEpisodesDetected reference episodes that some detected episode overlaps
 * @param detectedEpisodesTrue detected episodes that overlap some reference episode
 * @param referenceSamples samples of the reference rhythm
 * @param detectedSamples samples of the detected rhythm
 * @param overlapSamples samples that are the rhythm in both
 */
public record EpisodeSpanScore(long referenceEpisodes, long detectedEpisodes, long referenceEpisodesDetected,
        long detectedEpisodesTrue, long referenceSamples, long detectedSamples, long overlapSamples) {
    public static final EpisodeSpanScore ZERO = new EpisodeSpanScore(0, 0, 0, 0, 0, 0, 0);

    /**
     * Compares one record's spans of a rhythm. Only the part of a span at or after {@code scoredFrom}
     * counts, as EC57 leaves the detector's learning period (the first five minutes) unscored: a
     * span wholly before it is dropped, one crossing it is cut there. Spans of one side that
     * overlap or touch are one episode, so no sample is counted twice. An episode is detected
     * (or true) when it shares at least one sample with an episode of the other side.
     *
     * @param reference the reference spans, any order
     * @param detected the detected spans, any order
     * @param scoredFrom first scored sample
     */
    public static EpisodeSpanScore of(List<SampleSpan> reference, List<SampleSpan> detected, long scoredFrom) {
        List<SampleSpan> ref = episodes(reference, scoredFrom);
        List<SampleSpan> det = episodes(detected, scoredFrom);
        long overlap = 0;
        for (SampleSpan r : ref) {
            for (SampleSpan d : det) {
                overlap += r.overlap(d);
            }
        }
        return new EpisodeSpanScore(ref.size(), det.size(), countOverlapping(ref, det), countOverlapping(det, ref),
                samples(ref), samples(det), overlap);
    }

    /** The gross totals of two scores, for records of one sampling rate (the durations are in samples). */
    public EpisodeSpanScore plus(EpisodeSpanScore other) {
        return new EpisodeSpanScore(referenceEpisodes + other.referenceEpisodes,
                detectedEpisodes + other.detectedEpisodes,
                referenceEpisodesDetected + other.referenceEpisodesDetected,
                detectedEpisodesTrue + other.detectedEpisodesTrue, referenceSamples + other.referenceSamples,
                detectedSamples + other.detectedSamples, overlapSamples + other.overlapSamples);
    }

    /** Percent of reference episodes detected; NaN without reference episodes. */
    public double episodeSe() {
        return percent(referenceEpisodesDetected, referenceEpisodes);
    }

    /** Percent of detected episodes that are true; NaN without detected episodes. */
    public double episodePpv() {
        return percent(detectedEpisodesTrue, detectedEpisodes);
    }

    /** Percent of the reference rhythm's time detected; NaN without any. */
    public double durationSe() {
        return percent(overlapSamples, referenceSamples);
    }

    /** Percent of the detected time that is the reference rhythm; NaN without any detected. */
    public double durationPpv() {
        return percent(overlapSamples, detectedSamples);
    }

    /**
     * The percentages (three decimals, JSON null where the denominator is 0: a record without the rhythm
     * has no sensitivity, and reporting 0 or 100 would bias averages) and the counts, durations in
     * seconds.
     */
    public JsonObject toJson(double fsHz) {
        return new JsonObject()
                .put("episode_se", ScoreJson.percent(episodeSe()))
                .put("episode_ppv", ScoreJson.percent(episodePpv()))
                .put("duration_se", ScoreJson.percent(durationSe()))
                .put("duration_ppv", ScoreJson.percent(durationPpv()))
                .put("reference_episodes", referenceEpisodes)
                .put("detected_episodes", detectedEpisodes)
                .put("reference_episodes_detected", referenceEpisodesDetected)
                .put("detected_episodes_true", detectedEpisodesTrue)
                .put("reference_s", seconds(referenceSamples, fsHz))
                .put("detected_s", seconds(detectedSamples, fsHz))
                .put("overlap_s", seconds(overlapSamples, fsHz));
    }

    /** The scored part of the spans, sorted, with overlapping or touching spans joined. */
    private static List<SampleSpan> episodes(List<SampleSpan> spans, long scoredFrom) {
        List<SampleSpan> sorted = spans.stream()
                .filter(s -> s.endSample() > scoredFrom)
                .map(s -> new SampleSpan(Math.max(s.startSample(), scoredFrom), s.endSample()))
                .filter(s -> s.length() > 0)
                .sorted(Comparator.comparingLong(SampleSpan::startSample))
                .toList();
        List<SampleSpan> joined = new ArrayList<>();
        for (SampleSpan s : sorted) {
            SampleSpan last = joined.isEmpty() ? null : joined.get(joined.size() - 1);
            if (last != null && s.startSample() <= last.endSample()) {
                joined.set(joined.size() - 1,
                        new SampleSpan(last.startSample(), Math.max(last.endSample(), s.endSample())));
            } else {
                joined.add(s);
            }
        }
        return joined;
    }

    private static long countOverlapping(List<SampleSpan> spans, List<SampleSpan> others) {
        return spans.stream().filter(s -> others.stream().anyMatch(s::overlaps)).count();
    }

    private static long samples(List<SampleSpan> spans) {
        return spans.stream().mapToLong(SampleSpan::length).sum();
    }

    private static double percent(long part, long whole) {
        return whole == 0 ? Double.NaN : 100.0 * part / whole;
    }

    private static double seconds(long samples, double fsHz) {
        return Math.round(samples / fsHz * 1000) / 1000.0;
    }
}
