package org.arrhythmiamonitor.beat;

import static org.assertj.core.api.Assertions.assertThat;

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
 * A ventricular tachycardia whose QRS looks like one of the patient's conducted shapes (bundle
 * branch re-entry in a patient whose aberrated premature beats have that shape): the beats go
 * through the template match and the episode rules as the stream runs them, and the VT alarm must
 * come although the beats are reported S or N.
 */
class ConductedShapeAlarmTest {
    private static final int N = BeatClasses.NAMES.indexOf("N");
    private static final int S = BeatClasses.NAMES.indexOf("S");
    private static final int V = BeatClasses.NAMES.indexOf("V");
    private static final float[] USUAL = TemplateMatchTest.USUAL;
    private static final float[] ABERRANT = TemplateMatchTest.ABERRANT;

    private final BeatFeatureExtractor extractor = new BeatFeatureExtractor();
    private final TemplateMatch match = new TemplateMatch();
    private final float[] row = new float[BeatFeatures.CHANNELS.size() * BeatWindow.LENGTH];
    private final float[] rr = new float[BeatFeatures.RR_FEATURES.size()];
    private final PublishedEpisodes published = new PublishedEpisodes();
    private EpisodeState state = EpisodeState.getDefaultInstance();
    private long timeMs;

    @Test
    void aVentricularTachycardiaOnAConductedShapeRaisesItsAlarm() {
        for (int i = 0; i < 20; i++) {
            next(N, USUAL, 1000);
        }
        for (int i = 0; i < 40; i++) {
            next(S, ABERRANT, 700);
            next(N, USUAL, 1000);
        }
        int onConductedShape = 0;
        int reportedVentricular = 0;
        for (int i = 0; i < 8; i++) {
            ClassifiedBeat vt = next(V, ABERRANT, 400);
            assertThat(vt.getBeatClass()).as("the classifier keeps the call").isEqualTo(BeatClass.V);
            onConductedShape += vt.getConductedShape() ? 1 : 0;
            reportedVentricular += state.getReportedClass() == BeatClass.V.getNumber() ? 1 : 0;
        }
        assertThat(onConductedShape).isEqualTo(8);
        assertThat(reportedVentricular).isZero();
        assertThat(published.episodes).extracting(Episode::getType).contains(EpisodeType.VENTRICULAR_TACHYCARDIA.name());
    }

    /** A beat of this shape {@code rrMs} after the last, called {@code modelClass}, through the classifier and the episode rules. */
    private ClassifiedBeat next(int modelClass, float[] shape, long rrMs) {
        timeMs += rrMs;
        BeatFeatures features = extractor.next(shape, rrMs / 1000.0, 1.0, true);
        features.writeTo(row, rr, 0);
        float prematurity = BeatFeatures.prematurityIndex(rr, 0);
        TemplateMatch.Decision decision = match.classOf(modelClass, row, 0, prematurity, rrMs / 1000.0, true,
                features.taughtTemplate());
        ClassifiedBeat beat = new BeatReading(modelClass, decision, prematurity, BeatFeatures.pWaveSimilarity(row, 0),
                new float[0])
                .writeTo(ClassifiedBeat.newBuilder().setBeat(Beat.newBuilder().setDeviceId("d")
                        .setSampleIndex(timeMs * 360 / 1000).setTimeMs(timeMs).setRrMs(rrMs)))
                .build();
        state = EpisodeDetector.onBeat(state, beat, EpisodeRules.DEFAULTS, published);
        return beat;
    }
}
