package org.arrhythmiamonitor.burden;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.arrhythmiamonitor.episode.EpisodeRules;
import org.arrhythmiamonitor.episode.EpisodeType;
import org.arrhythmiamonitor.episode.Episodes;
import org.arrhythmiamonitor.state.v1.BurdenAlarm;
import org.arrhythmiamonitor.state.v1.BurdenBeat;
import org.arrhythmiamonitor.state.v1.BurdenHour;
import org.arrhythmiamonitor.state.v1.BurdenState;
import org.arrhythmiamonitor.wire.v1.Burden;
import org.arrhythmiamonitor.wire.v1.BurdenWindow;
import org.arrhythmiamonitor.wire.v1.Episode;
import org.arrhythmiamonitor.wire.v1.Evidence;

/**
 * Arrhythmia burden per device in tumbling hours of device time, and the rolling 24 hours made of
 * the last 24 of them (the current hour included): readable beats by class, PVC and SVE burden
 * (share of those beats), AF burden (share of the monitored time, the readable intervals), heart rate, and
 * episodes by type. State is the hours themselves, about 24 small records per device, so the
 * 24-hour view costs no per-beat history.
 *
 * <p>An hour is published when a beat of a later hour arrives; the rolling view at most once per
 * {@value #ROLLING_EVERY_MS} ms of device time. PVC and AF burden over the patient's threshold in
 * the rolling view, after {@code burdenMinMonitoredS} of monitoring, open a low-priority episode
 * that ends when the burden falls below {@value #CLEAR_FRACTION} of the threshold: a burden that
 * hovers about the threshold (as a 24-hour share does for hours) would otherwise open a new episode,
 * and a new alert, at every crossing.
 */
public final class BurdenAggregator {
    static final long HOUR_MS = 3_600_000;
    static final int HOURS = 24;
    static final long ROLLING_EVERY_MS = 60_000;
    /** Share of the threshold the burden must fall below to end its episode. */
    static final double CLEAR_FRACTION = 0.8;
    private static final int RATE_BEATS = 8;
    private static final int CLASSES = 5;

    /** What the aggregates produce. */
    public interface Output {
        void burden(Burden burden);

        void episode(Episode episode);
    }

    private BurdenAggregator() {
    }

    public static BurdenState onBeat(BurdenState state, String deviceId, BurdenBeat beat, EpisodeRules rules,
            Output out) {
        BurdenState.Builder s = state.toBuilder();
        long hourStart = Math.floorDiv(beat.getTimeMs(), HOUR_MS) * HOUR_MS;
        BurdenHour.Builder hour = currentHour(s, deviceId, hourStart, out);
        int cls = beat.getBeatClass() - 1;
        // A beat in noise (or after a data gap) has a class that is a guess, and noise reads as
        // early beats of odd shape: counted, it made S and V burden out of artefact.
        if (beat.getReadable() && cls >= 0 && cls < CLASSES) {
            hour.setBeats(cls, hour.getBeats(cls) + 1);
        }
        if (beat.getReadable() && beat.getRrMs() >= 200 && beat.getRrMs() <= 3_000) {
            long rr = Math.round(beat.getRrMs());
            hour.setMonitoredMs(hour.getMonitoredMs() + rr).setIntervals(hour.getIntervals() + 1);
            if (beat.getInAf()) {
                hour.setAfMs(hour.getAfMs() + rr);
            }
            List<Float> recent = new ArrayList<>(s.getRecentRrMsList());
            recent.add((float) beat.getRrMs());
            if (recent.size() > RATE_BEATS) {
                recent.remove(0);
            }
            s.clearRecentRrMs().addAllRecentRrMs(recent);
            if (recent.size() == RATE_BEATS) {
                double bpm = 60_000.0 * RATE_BEATS / recent.stream().mapToDouble(Float::doubleValue).sum();
                hour.setHrMinBpm(hour.getHrMinBpm() == 0 ? bpm : Math.min(hour.getHrMinBpm(), bpm));
                hour.setHrMaxBpm(Math.max(hour.getHrMaxBpm(), bpm));
            }
        }
        s.setHours(s.getHoursCount() - 1, hour).setLastSample(beat.getSample()).setLastTimeMs(beat.getTimeMs());
        if (beat.getTimeMs() < s.getLastRollingMs()) {
            // A device clock set back: pace the rolling view (and its alarms) from the new time,
            // or they would wait until the clock caught up with the old one.
            s.setLastRollingMs(beat.getTimeMs());
        }
        if (beat.getTimeMs() - s.getLastRollingMs() >= ROLLING_EVERY_MS) {
            s.setLastRollingMs(beat.getTimeMs());
            Burden rolling = rolling(deviceId, s.build());
            out.burden(rolling);
            s.setPvc(alarm(s.getPvc(), deviceId, EpisodeType.PVC_BURDEN, rolling.getPvcBurdenPct(),
                    rules.pvcBurdenPct(), rolling, beat, rules, out));
            s.setAf(alarm(s.getAf(), deviceId, EpisodeType.AF_BURDEN, rolling.getAfBurdenPct(), rules.afBurdenPct(),
                    rolling, beat, rules, out));
        }
        return s.build();
    }

    /**
     * Counts an episode in the hour of its onset, once. One whose hour has no beat yet is not
     * counted: opening the hour for it would close the hour before, whose last beats may still be
     * on their way (a beat waits for the next one to be classified).
     */
    public static BurdenState onEpisode(BurdenState state, Episode episode) {
        if (!countsNow(episode)) {
            return state;
        }
        long hourStart = Math.floorDiv(episode.getOnsetTimeMs(), HOUR_MS) * HOUR_MS;
        BurdenState.Builder s = state.toBuilder();
        for (int i = s.getHoursCount() - 1; i >= 0; i--) {
            if (s.getHours(i).getStartMs() == hourStart) {
                BurdenHour.Builder h = s.getHoursBuilder(i);
                h.putEpisodes(episode.getType(), h.getEpisodesOrDefault(episode.getType(), 0) + 1);
                return s.build();
            }
        }
        return state;
    }

    /**
     * Whether this publication of an episode is the one it is counted at. Most types are published
     * when they begin and again when they end, and count when they begin; those known only once
     * over (couplets, pauses, short runs) come once, already ended; an asystole comes either way
     * (begun once the device's time is 4 s past the last beat, or whole when one chunk brings the
     * silence and the beat that ends it), so it counts when it ends; so does an SVT run, which is
     * published while it goes on only from its 8th beat, and a shorter one only once, ended
     * ({@code EctopicRuns}).
     */
    private static boolean countsNow(Episode episode) {
        boolean ended = episode.getEndTimeMs() != 0 && episode.getEndTimeMs() != episode.getOnsetTimeMs();
        EpisodeType type = EpisodeType.fromWire(episode.getType());
        if (type == null) {
            return true;
        }
        return switch (type) {
            case COUPLET, TRIPLET, VENTRICULAR_RUN, IDIOVENTRICULAR_RUN, PAUSE, DATA_GAP -> true;
            case ASYSTOLE, SVT_RUN -> ended;
            default -> !ended;
        };
    }

    /**
     * The hour a beat belongs to, opening it (and publishing the hours it closes) as needed. A beat
     * from before the current hour (a device clock set back) counts in the current hour: the hours
     * before are published, and dropping the beats would leave the burden blind until the clock
     * caught up again.
     */
    private static BurdenHour.Builder currentHour(BurdenState.Builder s, String deviceId, long hourStart,
            Output out) {
        if (s.getHoursCount() > 0) {
            BurdenHour last = s.getHours(s.getHoursCount() - 1);
            if (hourStart <= last.getStartMs()) {
                return last.toBuilder();
            }
            out.burden(toBurden(deviceId, BurdenWindow.HOUR, last.getStartMs(), last.getStartMs() + HOUR_MS,
                    List.of(last)));
        }
        s.addHours(BurdenHour.newBuilder().setStartMs(hourStart).addAllBeats(List.of(0L, 0L, 0L, 0L, 0L)));
        while (s.getHoursCount() > HOURS
                || s.getHours(0).getStartMs() <= hourStart - HOURS * HOUR_MS) {
            s.removeHours(0);
        }
        return s.getHours(s.getHoursCount() - 1).toBuilder();
    }

    /** The rolling 24 hours up to the latest beat. */
    public static Burden rolling(String deviceId, BurdenState state) {
        if (state.getHoursCount() == 0) {
            return Burden.newBuilder().setDeviceId(deviceId).setWindow(BurdenWindow.ROLLING_24H)
                    .addAllBeats(List.of(0L, 0L, 0L, 0L, 0L)).build();
        }
        long end = state.getLastTimeMs() + 1;
        List<BurdenHour> hours = state.getHoursList().stream()
                .filter(h -> h.getStartMs() > end - 1 - HOURS * HOUR_MS)
                .toList();
        return toBurden(deviceId, BurdenWindow.ROLLING_24H, hours.get(0).getStartMs(), end, hours);
    }

    /** Each hour kept, oldest first. */
    public static List<Burden> hourly(String deviceId, BurdenState state) {
        return state.getHoursList().stream()
                .map(h -> toBurden(deviceId, BurdenWindow.HOUR, h.getStartMs(), h.getStartMs() + HOUR_MS, List.of(h)))
                .toList();
    }

    static Burden toBurden(String deviceId, BurdenWindow window, long start, long end, List<BurdenHour> hours) {
        long[] beats = new long[CLASSES];
        long monitored = 0;
        long af = 0;
        long intervals = 0;
        double min = 0;
        double max = 0;
        Map<String, Integer> episodes = new HashMap<>();
        for (BurdenHour h : hours) {
            for (int c = 0; c < CLASSES; c++) {
                beats[c] += h.getBeats(c);
            }
            monitored += h.getMonitoredMs();
            af += h.getAfMs();
            intervals += h.getIntervals();
            if (h.getHrMinBpm() > 0) {
                min = min == 0 ? h.getHrMinBpm() : Math.min(min, h.getHrMinBpm());
            }
            max = Math.max(max, h.getHrMaxBpm());
            h.getEpisodesMap().forEach((type, n) -> episodes.merge(type, n, Integer::sum));
        }
        long total = 0;
        for (long b : beats) {
            total += b;
        }
        Burden.Builder b = Burden.newBuilder()
                .setDeviceId(deviceId)
                .setWindow(window)
                .setStartTimeMs(start)
                .setEndTimeMs(end)
                .setPvcBurdenPct(percent(beats[2], total))
                .setSveBurdenPct(percent(beats[1], total))
                .setAfBurdenPct(percent(af, monitored))
                .setHrMinBpm(round(min))
                .setHrMeanBpm(round(monitored > 0 ? 60_000.0 * intervals / monitored : 0))
                .setHrMaxBpm(round(max))
                .putAllEpisodes(episodes)
                .setMonitoredMs(monitored);
        for (long c : beats) {
            b.addBeats(c);
        }
        return b.build();
    }

    private static BurdenAlarm alarm(BurdenAlarm alarm, String deviceId, EpisodeType type, double burdenPct,
            double thresholdPct, Burden rolling, BurdenBeat beat, EpisodeRules rules, Output out) {
        boolean enoughData = rolling.getMonitoredMs() >= rules.burdenMinMonitoredS() * 1000;
        boolean over = enoughData && burdenPct > thresholdPct;
        boolean clear = enoughData && burdenPct < CLEAR_FRACTION * thresholdPct;
        if (over && !alarm.getOpen()) {
            out.episode(burdenEpisode(deviceId, type, beat.getSample(), beat.getTimeMs(), burdenPct, thresholdPct)
                    .build());
            return BurdenAlarm.newBuilder().setOpen(true).setOnsetSample(beat.getSample())
                    .setOnsetTimeMs(beat.getTimeMs()).build();
        }
        if (clear && alarm.getOpen()) {
            // Never before its onset, in sample or in time, as every run's end (Episodes.ofRun):
            // a device clock set back before the onset put it there, and its alert read "ended after
            // -9000.0 s".
            out.episode(burdenEpisode(deviceId, type, alarm.getOnsetSample(), alarm.getOnsetTimeMs(), burdenPct,
                    thresholdPct).setEndSample(Math.max(beat.getSample(), alarm.getOnsetSample()))
                    .setEndTimeMs(Math.max(beat.getTimeMs(), alarm.getOnsetTimeMs())).build());
            return BurdenAlarm.getDefaultInstance();
        }
        return alarm;
    }

    /** How much ECG before the beat that crossed a burden threshold is its alert's evidence. */
    static final long EVIDENCE_MS = 10_000;

    private static Episode.Builder burdenEpisode(String deviceId, EpisodeType type, long sample, long timeMs,
            double burdenPct, double thresholdPct) {
        return Episode.newBuilder()
                .setEpisodeId(Episodes.id(deviceId, type.name(), sample))
                .setDeviceId(deviceId)
                .setType(type.name())
                .setPriority(type.priority())
                .setOnsetSample(sample)
                .setOnsetTimeMs(timeMs)
                .setDetail(String.format(java.util.Locale.ROOT, "%.1f %% over the last 24 h (threshold %.1f %%)",
                        burdenPct, thresholdPct))
                // The ECG just before the crossing, which the dashboard shows: the 24 hours it sums are
                // in the detail, and a strip from their start showed the day before.
                .setEvidence(Evidence.newBuilder().setStartTimeMs(timeMs - EVIDENCE_MS).setEndTimeMs(timeMs));
    }

    private static double percent(long part, long whole) {
        return whole > 0 ? Math.round(100_000.0 * part / whole) / 1000.0 : 0;
    }

    private static double round(double bpm) {
        return Math.round(bpm * 10) / 10.0;
    }
}
