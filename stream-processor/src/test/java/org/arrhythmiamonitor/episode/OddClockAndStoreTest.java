package org.arrhythmiamonitor.episode;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Random;
import org.arrhythmiamonitor.beat.BeatFeatureExtractor;
import org.arrhythmiamonitor.beat.BeatFeatures;
import org.arrhythmiamonitor.state.v1.EpisodeState;
import org.arrhythmiamonitor.wire.v1.Beat;
import org.arrhythmiamonitor.wire.v1.BeatClass;
import org.arrhythmiamonitor.wire.v1.ClassifiedBeat;
import org.junit.jupiter.api.Test;

/**
 * The episode rules (held SVT runs, {@link EctopicRuns#SVT_CONFIRM_BEATS}, AF, rate runs) where the
 * store or the device clock is not what the stream usually gives: {@link EpisodeDetector} called
 * directly, so that the clock can go back and the state can be one written before the fields existed.
 */
class OddClockAndStoreTest {
    private static final double FS = 250;
    private static final long T0 = 1_699_999_200_000L;

    /** One device's beats through the episode rules. */
    private static final class Device {
        EpisodeState state = EpisodeState.getDefaultInstance();
        final PublishedEpisodes out = new PublishedEpisodes();
        double sample;
        long timeMs = T0;
        double localRrMs;

        Device beat(BeatClass c, double rrMs, double pWave) {
            sample += rrMs * FS / 1000;
            timeMs += Math.round(rrMs);
            localRrMs = localRrMs == 0 ? rrMs : localRrMs;
            double prematurity = rrMs / localRrMs;
            localRrMs += BeatFeatureExtractor.LOCAL_WEIGHT * (rrMs - localRrMs);
            ClassifiedBeat b = ClassifiedBeat.newBuilder()
                    .setBeat(Beat.newBuilder().setDeviceId("d").setSampleIndex(Math.round(sample)).setTimeMs(timeMs)
                            .setRrMs(rrMs))
                    .setBeatClass(c).setPremature(BeatFeatures.premature(prematurity))
                    .setPrematurityIndex((float) prematurity).setPWaveSimilarity((float) pWave).build();
            state = EpisodeDetector.onBeat(state, b, EpisodeRules.DEFAULTS, out);
            return this;
        }

        Device beats(int n, BeatClass c, double rrMs, double pWave) {
            for (int i = 0; i < n; i++) {
                beat(c, rrMs, pWave);
            }
            return this;
        }

        List<Long> svtRunOnsets() {
            return out.episodes.stream().filter(e -> e.getType().equals("SVT_RUN")).map(e -> e.getOnsetSample())
                    .distinct().toList();
        }
    }

    /** Sinus rhythm, a 4-beat SVT run, one sinus beat, the clock set back, 60 s of AF, sinus again. */
    private static Device svtRunThenAf(long clockSetBackMs) {
        return svtRunThenAf(clockSetBackMs, 0, 0);
    }

    /**
     * The same with the clock set back {@code intoAfMs} into the AF, and the AF's beats from
     * {@code lostFromMs} on closing one interval in three after a lost second of signal (device
     * time goes on by it; the signal path bridges the gap, so the interval does not).
     */
    private static Device svtRunThenAf(long clockSetBackMs, long intoAfMs, long lostFromMs) {
        Device d = new Device();
        Random random = new Random(3);
        for (int i = 0; i < 60; i++) {
            d.beat(BeatClass.N, 800 + 20 * random.nextGaussian(), 0.97);
        }
        d.beats(4, BeatClass.S, 400, 0.2).beat(BeatClass.N, 800, 0.97);
        int n = 0;
        for (long afMs = 0; afMs < 60_000; n++) {
            if (afMs >= intoAfMs && clockSetBackMs != 0) {
                d.timeMs -= clockSetBackMs;
                clockSetBackMs = 0;
            }
            if (lostFromMs > 0 && afMs >= lostFromMs && n % 3 == 0) {
                d.timeMs += 1_000;
                afMs += 1_000;
            }
            double rrMs = 500 * (1 + 0.75 * (random.nextDouble() - 0.5));
            d.beat(BeatClass.N, rrMs, 0.2);
            afMs += Math.round(rrMs);
        }
        return d.beats(80, BeatClass.N, 800, 0.97);
    }

    private static List<Long> afEpisodeOnsets(Device d) {
        return d.out.episodes.stream().filter(e -> e.getType().equals("ATRIAL_FIBRILLATION"))
                .map(e -> e.getOnsetSample()).toList();
    }

    @Test
    void aDeviceClockSetBackDuringAfDoesNotHoldItsEpisodeBack() {
        // The 30 s were counted in device time alone: an hour back 10 s into AF, and 50 s more of
        // it raised no episode.
        List<Long> control = afEpisodeOnsets(svtRunThenAf(0));
        assertThat(control).hasSize(2);
        assertThat(afEpisodeOnsets(svtRunThenAf(3_600_000, 10_000, 0))).isEqualTo(control);
        assertThat(afEpisodeOnsets(svtRunThenAf(5_000, 10_000, 0))).isEqualTo(control);
    }

    @Test
    void lostSignalDuringAfStillCountsTowardsItsEpisode() {
        // Device time runs ahead of the bridged intervals by the signal lost; counted in samples,
        // 30 s of AF with a second lost every third beat made no episode.
        Device lossy = svtRunThenAf(0, 0, 5_000);
        assertThat(afEpisodeOnsets(lossy)).hasSize(2);
        assertThat(lossy.state.getAf().getClockSetBacksList()).isEmpty();
    }

    @Test
    void aDeviceClockSetBackBeforeAfKeepsTheSvtRunBeforeItAndTheAfEpisode() {
        // Compared by time alone, AF's onset came before the run's end once the clock went back an
        // hour: the real run was dropped, and a false one of AF's first beats reported.
        List<Long> control = svtRunThenAf(0).svtRunOnsets();
        assertThat(control).hasSize(1);
        Device setBack = svtRunThenAf(3_600_000);
        assertThat(setBack.svtRunOnsets()).isEqualTo(control);
        // The AF detector dated the onset with the time of a beat before the clock went back, an
        // hour after its own, and the AF never lasted the 30 s its episode needs.
        assertThat(setBack.out.episodes).filteredOn(e -> e.getType().equals("ATRIAL_FIBRILLATION")).hasSize(2);
    }

    @Test
    void extremeTachycardiaEndsWhereVentricularTachycardiaBeginsThoughTheClockWentBackThere() {
        // The VT's beats ended the open tachycardia as unmeasured intervals with no noise allowance
        // (0 ms after its last beat); a beat an hour earlier by the device clock was within it, so
        // the tachycardia went on through the VT.
        int beforeVt = EpisodeRules.DEFAULTS.vtBeats() - 1;
        Device d = new Device().beats(20, BeatClass.N, 800, 0.97).beats(20, BeatClass.N, 350, 0.97)
                .beats(beforeVt, BeatClass.V, 350, 0.2);
        long lastFastMs = d.timeMs;
        d.timeMs -= 3_600_000;
        d.beats(10, BeatClass.V, 350, 0.2).beats(10, BeatClass.N, 800, 0.97);
        List<String> order = d.out.episodes.stream()
                .map(e -> e.getType() + (e.getEndTimeMs() > 0 ? " ended" : "")).toList();
        // Ended at the beat that opens the VT (the rules see the VT first), not after the VT.
        assertThat(order).containsExactly("EXTREME_TACHYCARDIA", "VENTRICULAR_TACHYCARDIA",
                "EXTREME_TACHYCARDIA ended", "VENTRICULAR_TACHYCARDIA ended");
        assertThat(d.out.episodes.get(2)).satisfies(e -> {
            assertThat(e.getEndTimeMs()).as("dated at its last fast beat, the VT's before the clock went back")
                    .isEqualTo(lastFastMs);
            assertThat(e.getBeatCount()).isEqualTo(1 + 20 + beforeVt);
        });
    }

    @Test
    void anOpenSvtRunFromAStoreWrittenBeforeHeldRunsIsNotReportedAgain() {
        // Such a run was published at its 3rd beat; it reads held = false, so its 8th beat does not
        // publish it again, and its end is reported as before.
        Device d = new Device().beats(10, BeatClass.N, 800, 0.97).beats(4, BeatClass.S, 400, 0.2);
        assertThat(d.state.getSupraventricular().getHeld()).isTrue();
        d.state = d.state.toBuilder().setSupraventricular(d.state.getSupraventricular().toBuilder().clearHeld())
                .build();
        d.beats(8, BeatClass.S, 400, 0.2).beats(45, BeatClass.N, 800, 0.97);
        assertThat(d.out.episodes).singleElement().satisfies(e -> {
            assertThat(e.getType()).isEqualTo("SVT_RUN");
            assertThat(e.getEndTimeMs()).isPositive();
            assertThat(e.getBeatCount()).isEqualTo(12);
        });
    }
}
