package org.arrhythmiamonitor.episode;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import org.arrhythmiamonitor.qrs.SignalMarks;
import org.arrhythmiamonitor.state.v1.EpisodeState;
import org.arrhythmiamonitor.state.v1.GapState;
import org.arrhythmiamonitor.state.v1.SignalMark;
import org.arrhythmiamonitor.state.v1.SignalProgress;
import org.arrhythmiamonitor.state.v1.SignalSpan;
import org.arrhythmiamonitor.wire.v1.Episode;

/**
 * Pause and asystole, from the device's own stream time ({@link SignalProgress} after each
 * chunk), not from classified beats, which wait for their next beat, and not from the task's
 * stream time, which other devices' clocks drive.
 * <ul>
 *   <li>Asystole: no QRS for {@code asystoleS} of readable signal. It is reported as soon as
 *       beat detection is final that far past the last beat, or past the end of the last
 *       unreadable stretch since it, and ends at the next beat, or where unreadable signal begins
 *       (nothing says how long the silence went on in it). Silence that a chunk brings whole
 *       (between two of its beats, or before trouble that began after the last beat) is reported
 *       with the chunk, begun and ended, so the chunk size changes when it is reported, not
 *       where it ends.</li>
 *   <li>Pause: an interval longer than {@code pauseS} (and shorter than asystole), reported when
 *       the beat that ends it is found, if all of it was readable.</li>
 * </ul>
 * Every interval counts, those between two beats of one chunk too: a device may send chunks of
 * 10 s or more, and a pause inside one is still a pause. The chunk's unreadable stretches say
 * where the trouble lay, so silence before trouble that began after the beat still counts.
 * Unreadable signal (lead off, noise, a data gap) is a technical problem, already reported as
 * such: no QRS there is not asystole. But the silence that follows it is counted: a patient who
 * collapses shakes the electrodes before the line goes quiet, and that asystole must still alarm.
 */
final class GapRules {
    private GapRules() {
    }

    static void onProgress(EpisodeState.Builder state, String device, SignalProgress p, EpisodeRules rules,
            EpisodeOutput out) {
        GapState.Builder gap = withKnownTroubleEnd(state.getGap(), p).toBuilder();
        List<SignalSpan> trouble = troubleOf(p);
        long asystoleMs = Math.round(rules.asystoleS() * 1000);
        for (SignalMark beat : beatsOf(p)) {
            if (gap.getHasBeat()) {
                interval(gap, device, beat, trouble, asystoleMs, rules, out);
            }
            // Trouble an earlier chunk saw after this beat (decided only now) still lies after it.
            boolean troubleAfter = gap.getReadableSinceTimeMs() > beat.getTimeMs();
            gap.setHasBeat(true).setLastBeatSample(beat.getSample()).setLastBeatTimeMs(beat.getTimeMs())
                    .setAsystoleOpen(false);
            if (!troubleAfter) {
                gap.setUnreadableSinceBeat(false).setReadableSinceSample(0).setReadableSinceTimeMs(0);
            }
        }
        if (gap.getHasBeat() && !gap.getAsystoleOpen()) {
            SignalMark decided = SignalMark.newBuilder().setTimeMs(p.getDecidedTimeMs()).build();
            Stretch silence = firstSilence(gap, decided, trouble, asystoleMs);
            if (silence != null && silence.end().getTimeMs() < decided.getTimeMs()) {
                // Trouble ended the silence: reported begun and ended, as when a beat ends it.
                out.episode(ended(asystole(device, silence.start()), silence.end(), gap.getLastBeatTimeMs()));
            } else if (silence != null) {
                // Asystole as soon as detection is final that far: it ends at the next beat, or
                // where trouble begins.
                gap.setAsystoleOpen(true).setAsystoleOnsetSample(silence.start().getSample())
                        .setAsystoleOnsetTimeMs(silence.start().getTimeMs());
                out.episode(asystole(device, silence.start()).build());
            }
        }
        // Trouble after the last beat: silence counts again only after it.
        for (SignalSpan span : trouble) {
            if (!gap.getHasBeat() || span.getEnd().getTimeMs() > gap.getLastBeatTimeMs()) {
                if (gap.getAsystoleOpen() && span.getStart().getTimeMs() >= gap.getAsystoleOnsetTimeMs()) {
                    // Nothing says how long the silence went on in the trouble: it ends where that begins.
                    out.episode(ended(openAsystole(device, gap), span.getStart(), gap.getLastBeatTimeMs()));
                    gap.setAsystoleOpen(false);
                }
                gap.setUnreadableSinceBeat(true);
                if (span.getEnd().getTimeMs() > gap.getReadableSinceTimeMs()) {
                    gap.setReadableSinceSample(span.getEnd().getSample())
                            .setReadableSinceTimeMs(span.getEnd().getTimeMs());
                }
            }
        }
        state.setGap(gap);
    }

    /** The interval from the last beat to {@code beat}: the end of an asystole, an asystole, or a pause. */
    private static void interval(GapState.Builder gap, String device, SignalMark beat, List<SignalSpan> trouble,
            long asystoleMs, EpisodeRules rules, EpisodeOutput out) {
        long lastMs = gap.getLastBeatTimeMs();
        if (gap.getAsystoleOpen()) {
            // It ends at this beat, or where trouble began before it.
            SignalMark end = trouble.stream().map(SignalSpan::getStart)
                    .filter(start -> start.getTimeMs() >= gap.getAsystoleOnsetTimeMs()
                            && start.getTimeMs() < beat.getTimeMs())
                    .findFirst().orElse(beat);
            out.episode(ended(openAsystole(device, gap), end, lastMs));
            return;
        }
        Stretch silence = firstSilence(gap, beat, trouble, asystoleMs);
        if (silence != null) {
            out.episode(ended(asystole(device, silence.start()), silence.end(), lastMs));
            return;
        }
        long silentMs = beat.getTimeMs() - lastMs;
        boolean readable = !gap.getUnreadableSinceBeat() && trouble.stream().noneMatch(
                span -> overlaps(span, lastMs, beat.getTimeMs()));
        if (readable && silentMs > rules.pauseS() * 1000) {
            out.episode(Episodes.start(device, EpisodeType.PAUSE, gap.getLastBeatSample(), lastMs)
                    .setEndSample(beat.getSample())
                    .setEndTimeMs(beat.getTimeMs())
                    .setBeatCount(2)
                    .setDetail(String.format(Locale.ROOT, "RR %.1f s", silentMs / 1000.0))
                    .setEvidence(Episodes.evidence(lastMs, beat.getTimeMs()))
                    .build());
        }
    }

    /** A stretch of the device's stream, without a QRS and readable. */
    private record Stretch(SignalMark start, SignalMark end) {
        long millis() {
            return end.getTimeMs() - start.getTimeMs();
        }
    }

    /**
     * The first readable stretch of at least {@code asystoleMs} from the last beat to {@code until}
     * (a beat, or how far detection is final), or null: silence counts from the last beat, or from
     * the end of trouble after it, until the next trouble or {@code until}.
     */
    private static Stretch firstSilence(GapState.Builder gap, SignalMark until, List<SignalSpan> trouble,
            long asystoleMs) {
        SignalMark from = gap.getReadableSinceTimeMs() > gap.getLastBeatTimeMs()
                ? SignalMarks.mark(gap.getReadableSinceSample(), gap.getReadableSinceTimeMs())
                : SignalMarks.mark(gap.getLastBeatSample(), gap.getLastBeatTimeMs());
        for (SignalSpan span : trouble) {
            if (span.getEnd().getTimeMs() <= from.getTimeMs() || span.getStart().getTimeMs() >= until.getTimeMs()) {
                continue;
            }
            Stretch before = new Stretch(from, span.getStart());
            if (before.millis() >= asystoleMs) {
                return before;
            }
            from = span.getEnd();
        }
        Stretch last = new Stretch(from, until);
        return last.millis() >= asystoleMs ? last : null;
    }

    private static boolean overlaps(SignalSpan span, long fromMs, long toMs) {
        return span.getStart().getTimeMs() < toMs && span.getEnd().getTimeMs() > fromMs;
    }

    /** The chunk's beats; a progress written before they were listed names only its first and last. */
    private static List<SignalMark> beatsOf(SignalProgress p) {
        if (p.getBeatsCount() > 0 || !p.getHasBeat()) {
            return p.getBeatsList();
        }
        List<SignalMark> ends = new ArrayList<>(2);
        ends.add(SignalMarks.mark(p.getFirstBeatSample(), p.getFirstBeatTimeMs()));
        if (p.getLastBeatSample() != p.getFirstBeatSample()) {
            ends.add(SignalMarks.mark(p.getLastBeatSample(), p.getLastBeatTimeMs()));
        }
        return ends;
    }

    /**
     * The chunk's unreadable stretches, in order of their start. A progress that says the chunk
     * was unreadable without saying where (written before the stretches were listed) is taken to
     * have been unreadable all through, and since the last beat.
     */
    private static List<SignalSpan> troubleOf(SignalProgress p) {
        if (p.getUnreadableSpansCount() == 0) {
            return p.getUnreadable()
                    ? List.of(SignalMarks.span(0, 0, p.getSampleCount(), p.getTimeMs()))
                    : List.of();
        }
        List<SignalSpan> spans = new ArrayList<>(p.getUnreadableSpansList());
        spans.sort(Comparator.comparingLong(span -> span.getStart().getTimeMs()));
        return spans;
    }

    /**
     * State saved before readable_since existed says there was trouble since the last beat but not
     * where it ended: take it to end with this chunk, so no silence before it counts.
     */
    private static GapState withKnownTroubleEnd(GapState gap, SignalProgress p) {
        return gap.getUnreadableSinceBeat() && gap.getReadableSinceTimeMs() == 0
                ? gap.toBuilder().setReadableSinceSample(p.getSampleCount()).setReadableSinceTimeMs(p.getTimeMs())
                        .build()
                : gap;
    }

    /** The asystole ended at {@code end}; its strip runs from the last beat before it. */
    private static Episode ended(Episode.Builder asystole, SignalMark end, long lastBeatMs) {
        return asystole.setEndSample(end.getSample()).setEndTimeMs(end.getTimeMs())
                .setEvidence(Episodes.evidence(lastBeatMs, end.getTimeMs())).build();
    }

    private static Episode.Builder openAsystole(String device, GapState.Builder gap) {
        return asystole(device, SignalMarks.mark(gap.getAsystoleOnsetSample(), gap.getAsystoleOnsetTimeMs()));
    }

    private static Episode.Builder asystole(String device, SignalMark onset) {
        return Episodes.start(device, EpisodeType.ASYSTOLE, onset.getSample(), onset.getTimeMs());
    }
}
