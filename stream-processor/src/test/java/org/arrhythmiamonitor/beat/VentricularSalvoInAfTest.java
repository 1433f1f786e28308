package org.arrhythmiamonitor.beat;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.arrhythmiamonitor.episode.EpisodeDetector;
import org.arrhythmiamonitor.episode.EpisodeRules;
import org.arrhythmiamonitor.episode.EpisodeType;
import org.arrhythmiamonitor.episode.PublishedEpisodes;
import org.arrhythmiamonitor.state.v1.EpisodeState;
import org.arrhythmiamonitor.wire.v1.Beat;
import org.arrhythmiamonitor.wire.v1.BeatClass;
import org.arrhythmiamonitor.wire.v1.ClassifiedBeat;
import org.arrhythmiamonitor.wire.v1.Episode;
import org.junit.jupiter.api.Test;

/**
 * Salvos of ventricular beats inside atrial fibrillation where the model calls many conducted beats
 * V (as in record 203), so that the template looks ventricular at times: in AF a V call near the
 * template is reported N unless the template is ventricular, the beat before was called V and the
 * interval is within 10 % of the one before (a regular ventricular rhythm). The beats go through the
 * template match and the episode rules as the stream runs them.
 */
class VentricularSalvoInAfTest {
    private static final int N = BeatClasses.NAMES.indexOf("N");
    private static final int V = BeatClasses.NAMES.indexOf("V");
    private static final float[] USUAL = TemplateMatchTest.USUAL;
    /** Conducted beats the model calls V: the usual shape, 1.4 times as tall. */
    private static final float[] TALLER = BeatFeaturesTest.scaled(USUAL, 1.4f);
    /** The salvos' QRS: the usual shape 1.45 times as tall, near the template once it looks ventricular. */
    private static final float[] SALVO = BeatFeaturesTest.scaled(USUAL, 1.45f);

    private final BeatFeatureExtractor extractor = new BeatFeatureExtractor();
    private final TemplateMatch match = new TemplateMatch();
    private final float[] row = new float[BeatFeatures.CHANNELS.size() * BeatWindow.LENGTH];
    private final float[] rr = new float[BeatFeatures.RR_FEATURES.size()];
    private final PublishedEpisodes published = new PublishedEpisodes();
    private final Random random = new Random(2);
    private EpisodeState state = EpisodeState.getDefaultInstance();
    private long timeMs;

    @Test
    void aSalvoCoupledAtItsOwnRateKeepsItsVentricularCallsFromItsSecondBeatOn() {
        conductedAf(300);
        int salvoBeats = 0;
        int reportedVentricular = 0;
        for (int k = 0; k < 20; k++) {
            conductedAf(12);
            for (int i = 0; i < 6; i++) {
                ClassifiedBeat beat = next(V, SALVO, 400);
                salvoBeats++;
                boolean reportedV = state.getReportedClass() == BeatClass.V.getNumber();
                reportedVentricular += reportedV ? 1 : 0;
                if (i > 0) {
                    assertThat(reportedV).as("salvo %d, beat %d (%s)", k, i, beat).isTrue();
                }
            }
        }
        assertThat(EpisodeDetector.inAf(state)).as("still in AF").isTrue();
        assertThat(reportedVentricular).isGreaterThanOrEqualTo(salvoBeats * 5 / 6);
        assertThat(published.episodes).extracting(Episode::getType)
                .contains(EpisodeType.VENTRICULAR_TACHYCARDIA.name());
    }

    @Test
    void aSalvoCoupledAsAfIsKeepsItsVentricularCallsFromItsThirdBeatOn() {
        // The second beat's interval is measured against the first's coupling interval, which AF
        // makes anything: only from the third beat on are both intervals the salvo's own.
        conductedAf(300);
        for (int k = 0; k < 20; k++) {
            conductedAf(12);
            for (int i = 0; i < 6; i++) {
                ClassifiedBeat beat = next(V, SALVO, i == 0 ? 600 + random.nextInt(500) : 400);
                if (i > 1) {
                    assertThat(state.getReportedClass()).as("salvo %d, beat %d (%s)", k, i, beat)
                            .isEqualTo(BeatClass.V.getNumber());
                }
            }
        }
        assertThat(EpisodeDetector.inAf(state)).as("still in AF").isTrue();
    }

    @Test
    void conductedBeatsCalledVAreNOnAVentricularTemplateAfterAVCallWhenIrregular() {
        // Two V calls in a row among the conducted beats: the guard's case but for the rhythm, whose
        // intervals differ by far more than a ventricular rhythm's.
        conductedAf(300);
        int guardedButIrregular = 0;
        for (int k = 0; k < 200; k++) {
            next(V, TALLER, 700);
            ClassifiedBeat second = next(V, TALLER, k % 2 == 0 ? 500 : 1000);
            if (second.getTemplateVentricular() && second.getQrsDifference() <= 0.3) {
                guardedButIrregular++;
                assertThat(state.getReportedClass()).as("beat %d (%s)", k, second).isEqualTo(BeatClass.N.getNumber());
            }
            conductedAf(3);
        }
        assertThat(EpisodeDetector.inAf(state)).as("still in AF").isTrue();
        assertThat(guardedButIrregular).as("beats the guard would have kept V").isPositive();
    }

    /** Irregular conducted beats without P waves, 45 % of them the taller shape the model calls V. */
    private void conductedAf(int beats) {
        for (int i = 0; i < beats; i++) {
            long rrMs = 450 + random.nextInt(650);
            if (random.nextDouble() < 0.45) {
                next(V, TALLER, rrMs);
            } else {
                next(N, USUAL, rrMs);
            }
        }
    }

    private ClassifiedBeat next(int modelClass, float[] shape, long rrMs) {
        timeMs += rrMs;
        BeatFeatures features = extractor.next(shape, rrMs / 1000.0, 0.8, true);
        features.writeTo(row, rr, 0);
        float prematurity = BeatFeatures.prematurityIndex(rr, 0);
        TemplateMatch.Decision decision = match.classOf(modelClass, row, 0, prematurity, rrMs / 1000.0, true,
                features.taughtTemplate());
        // No P wave: atrial fibrillation.
        ClassifiedBeat beat = new BeatReading(modelClass, decision, prematurity, 0.2, new float[0])
                .writeTo(ClassifiedBeat.newBuilder().setBeat(Beat.newBuilder().setDeviceId("d")
                        .setSampleIndex(timeMs * 360 / 1000).setTimeMs(timeMs).setRrMs(rrMs)))
                .build();
        state = EpisodeDetector.onBeat(state, beat, EpisodeRules.DEFAULTS, published);
        return beat;
    }
}
