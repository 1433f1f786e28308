package org.arrhythmiamonitor.eval;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.arrhythmiamonitor.beat.BeatReading;
import org.arrhythmiamonitor.episode.EpisodeDetector;
import org.arrhythmiamonitor.episode.EpisodeOutput;
import org.arrhythmiamonitor.episode.EpisodeRules;
import org.arrhythmiamonitor.episode.ReportedClass;
import org.arrhythmiamonitor.qrs.EcgAnalyzer;
import org.arrhythmiamonitor.qrs.SignalMarks;
import org.arrhythmiamonitor.state.v1.EpisodeState;
import org.arrhythmiamonitor.state.v1.SignalProgress;
import org.arrhythmiamonitor.wire.v1.Beat;
import org.arrhythmiamonitor.wire.v1.BeatClass;
import org.arrhythmiamonitor.wire.v1.ClassifiedBeat;
import org.arrhythmiamonitor.wire.v1.Episode;
import org.arrhythmiamonitor.wire.v1.RhythmSegment;
import org.arrhythmiamonitor.wire.v1.SignalIssue;

/**
 * Runs the stream's {@link EpisodeDetector} over one record: its classified beats in order, and
 * after every second of signal the progress the signal path reports (beats final up to
 * {@link EcgAnalyzer#BEAT_DECISION_S} before the end of the second, unreadable where the
 * signal path said so). Device time is the record's time from its start.
 */
final class RecordEpisodes {
    /**
     * A beat as the episode rules need it: R peak, interval from the previous beat, class,
     * readability, and what the classifier read of it ({@link BeatReading}, as the stream forwards
     * it on {@code ClassifiedBeat}); null for a reference label, of which only the class is known.
     */
    record ScoredBeat(long sample, long rrSamples, BeatClass beatClass, boolean readable, BeatReading reading) {
    }

    /**
     * What the rules found: episodes by id in their final state (an episode published when it
     * began and again when it ended appears once, ended), and the AF rhythm segments, closed at
     * the record's end if still open, and the class each beat is reported with
     * ({@link ReportedClass}), in the order of the beats.
     */
    record Found(List<Episode> episodes, List<RhythmSegment> afSegments, BeatClass[] reported) {
        Map<String, Integer> countsByType() {
            Map<String, Integer> counts = new java.util.TreeMap<>();
            episodes.forEach(e -> counts.merge(e.getType(), 1, Integer::sum));
            return counts;
        }
    }

    private RecordEpisodes() {
    }

    /**
     * @param unreadable half-open sample intervals the signal path flagged unreadable
     * @param samples length of the record in samples
     */
    static Found run(List<ScoredBeat> beats, List<long[]> unreadable, long samples, int fs, EpisodeRules rules) {
        Map<String, Episode> episodes = new LinkedHashMap<>();
        Map<Long, RhythmSegment> segments = new LinkedHashMap<>();
        EpisodeOutput out = new EpisodeOutput() {
            @Override
            public void episode(Episode episode) {
                episodes.put(episode.getEpisodeId(), episode);
            }

            @Override
            public void alertOnly(Episode episode) {
            }

            @Override
            public void rhythm(RhythmSegment segment) {
                segments.put(segment.getOnsetSample(), segment);
            }
        };
        String device = "record";
        EpisodeState state = EpisodeState.getDefaultInstance();
        long decisionSamples = Math.round(EcgAnalyzer.BEAT_DECISION_S * fs);
        BeatClass[] classes = new BeatClass[beats.size()];
        int next = 0;
        int reported = 0;
        for (long chunkEnd = fs; chunkEnd - fs < samples; chunkEnd += fs) {
            long end = Math.min(chunkEnd, samples);
            long decided = end - decisionSamples;
            SignalProgress.Builder progress = SignalProgress.newBuilder()
                    .setTimeMs(timeMs(end, fs)).setSampleCount(end).setDecidedTimeMs(timeMs(decided, fs))
                    .setUnreadable(overlaps(unreadable, end - fs, end));
            for (long[] i : unreadable) {
                if (i[0] < end && i[1] > end - fs) {
                    long stop = Math.min(i[1], end);
                    progress.addUnreadableSpans(SignalMarks.span(i[0], timeMs(i[0], fs), stop, timeMs(stop, fs)));
                }
            }
            // Beats reach the rules once decided; the stream reports them with the chunk that decides them.
            while (reported < beats.size() && beats.get(reported).sample() < decided) {
                ScoredBeat b = beats.get(reported++);
                if (!progress.getHasBeat()) {
                    progress.setHasBeat(true).setFirstBeatSample(b.sample()).setFirstBeatTimeMs(timeMs(b.sample(), fs));
                }
                progress.setLastBeatSample(b.sample()).setLastBeatTimeMs(timeMs(b.sample(), fs))
                        .addBeats(SignalMarks.mark(b.sample(), timeMs(b.sample(), fs)));
            }
            state = EpisodeDetector.onProgress(state, device, progress.build(), timeMs(end, fs), rules, out);
            // Classified beats lag: each waits for the next one, as in the stream.
            while (next < reported - 1 || (next < beats.size() && reported == beats.size() && end == samples)) {
                ScoredBeat b = beats.get(next);
                state = EpisodeDetector.onBeat(state, classified(device, b, fs), rules, out);
                classes[next++] = BeatClass.forNumber(state.getReportedClass());
            }
        }
        EpisodeDetector.onRecordEnd(state, device, out);
        List<RhythmSegment> af = new ArrayList<>();
        for (RhythmSegment s : segments.values()) {
            af.add(s.getEndTimeMs() != 0 ? s : s.toBuilder().setEndSample(samples).setEndTimeMs(timeMs(samples, fs))
                    .build());
        }
        // Beats in the record's last half second are never decided, as in a stream that stops.
        for (int i = next; i < classes.length; i++) {
            classes[i] = beats.get(i).beatClass();
        }
        return new Found(new ArrayList<>(episodes.values()), af, classes);
    }

    private static ClassifiedBeat classified(String device, ScoredBeat b, int fs) {
        Beat.Builder beat = Beat.newBuilder().setDeviceId(device).setSampleIndex(b.sample())
                .setTimeMs(timeMs(b.sample(), fs)).setRrMs(b.rrSamples() * 1000.0 / fs);
        if (!b.readable()) {
            beat.addSignalIssues(SignalIssue.NOISE);
        }
        ClassifiedBeat.Builder classified = ClassifiedBeat.newBuilder().setBeat(beat);
        return (b.reading() == null ? classified.setBeatClass(b.beatClass()) : b.reading().writeTo(classified)).build();
    }

    private static long timeMs(long sample, int fs) {
        return Math.round(sample * 1000.0 / fs);
    }

    private static boolean overlaps(List<long[]> intervals, long from, long to) {
        for (long[] i : intervals) {
            if (i[0] < to && i[1] > from) {
                return true;
            }
        }
        return false;
    }
}
