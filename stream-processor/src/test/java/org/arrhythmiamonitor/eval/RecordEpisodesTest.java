package org.arrhythmiamonitor.eval;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.arrhythmiamonitor.beat.BeatClasses;
import org.arrhythmiamonitor.beat.BeatReading;
import org.arrhythmiamonitor.beat.TemplateMatch;
import org.arrhythmiamonitor.episode.EpisodeRules;
import org.arrhythmiamonitor.wire.v1.BeatClass;
import org.junit.jupiter.api.Test;

class RecordEpisodesTest {
    private static final int FS = 250;

    /**
     * {@code monitor eval} hands the episode rules what the stream's classifier forwards with each
     * beat: a V call in AF within 0.3 of the template is reported N, as in the stream; without the
     * QRS difference, or on a ventricular template right after a V call, the V stands.
     */
    @Test
    void theRulesReadTheQrsDifferenceAndTheTemplatesStateAsTheStreamForwardsThem() {
        Random random = new Random(43);
        List<RecordEpisodes.ScoredBeat> beats = new ArrayList<>();
        long sample = 0;
        for (int i = 0; i < 300; i++) {
            long rr = i < 60 ? 200 : 100 + random.nextInt(125);
            sample += rr;
            beats.add(beat(sample, rr, BeatClass.N, Double.NaN, false));
        }
        int usual = beats.size();
        sample += 150;
        beats.add(beat(sample, 150, BeatClass.V, 0.05, false));
        sample += 180;
        beats.add(beat(sample, 180, BeatClass.N, Double.NaN, false));
        int afterAnN = beats.size();
        sample += 150;
        beats.add(beat(sample, 150, BeatClass.V, 0.05, true));
        int ownQrs = beats.size();
        sample += 150;
        beats.add(beat(sample, 150, BeatClass.V, 2.0, false));
        int ventricularTemplate = beats.size();
        sample += 150;
        beats.add(beat(sample, 150, BeatClass.V, 0.05, true));
        int unknown = beats.size();
        sample += 150;
        beats.add(beat(sample, 150, BeatClass.V, Double.NaN, false));
        for (int i = 0; i < 20; i++) {
            long rr = 100 + random.nextInt(125);
            sample += rr;
            beats.add(beat(sample, rr, BeatClass.N, Double.NaN, false));
        }

        RecordEpisodes.Found found = RecordEpisodes.run(beats, List.of(), sample + 10 * FS, FS, EpisodeRules.DEFAULTS);

        assertThat(found.afSegments()).as("AF found").isNotEmpty();
        assertThat(found.reported()[usual]).as("the usual QRS").isEqualTo(BeatClass.N);
        assertThat(found.reported()[afterAnN]).as("a ventricular template after an N").isEqualTo(BeatClass.N);
        assertThat(found.reported()[ownQrs]).as("a QRS of its own").isEqualTo(BeatClass.V);
        assertThat(found.reported()[ventricularTemplate]).as("a ventricular template after a V").isEqualTo(BeatClass.V);
        assertThat(found.reported()[unknown]).as("no QRS difference").isEqualTo(BeatClass.V);
    }

    private static RecordEpisodes.ScoredBeat beat(long sample, long rrSamples, BeatClass c, double qrsDifference,
            boolean ventricularTemplate) {
        int k = BeatClasses.NAMES.indexOf(c.name());
        return new RecordEpisodes.ScoredBeat(sample, rrSamples, c, true, new BeatReading(k,
                new TemplateMatch.Decision(k, null, qrsDifference, ventricularTemplate, false, false), 1f, Double.NaN,
                new float[0]));
    }
}
