package org.arrhythmiamonitor.beat;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TemplateMatchTest {
    private static final int N = 0;
    private static final int S = 1;
    private static final int V = 2;
    private static final int F = 3;
    private static final int Q = 4;
    private static final double USUAL_QRS = 0.02;
    private static final double OTHER_QRS = 1.5;
    private static final double ON_TIME = 1.0;

    @Test
    void aVentricularCallWithThePatientsUsualQrsIsSupraventricular() {
        TemplateMatch match = afterUsualBeats();
        assertThat(match.classOf(V, USUAL_QRS, ON_TIME, true)).isEqualTo(N);
        assertThat(match.classOf(F, USUAL_QRS, ON_TIME, true)).isEqualTo(N);
        assertThat(match.classOf(V, TemplateMatch.MAX_QRS_DIFFERENCE, ON_TIME, true)).isEqualTo(N);
        // Clearly early with the usual QRS: an atrial or nodal premature beat.
        assertThat(match.classOf(V, USUAL_QRS, 0.8, true)).isEqualTo(S);
        // Early, but not clearly: as a sinus beat in sinus arrhythmia can be.
        assertThat(match.classOf(V, USUAL_QRS, 0.87, true)).isEqualTo(N);
    }

    @Test
    void aDifferentQrsAnUnknownOneAndOtherCallsStand() {
        TemplateMatch match = afterUsualBeats();
        assertThat(match.classOf(V, OTHER_QRS, 0.7, true)).isEqualTo(V);
        assertThat(match.classOf(V, TemplateMatch.MAX_QRS_DIFFERENCE + 0.001, ON_TIME, true)).isEqualTo(V);
        assertThat(match.classOf(F, Double.NaN, ON_TIME, true)).isEqualTo(F);
        assertThat(match.classOf(S, USUAL_QRS, 0.7, true)).isEqualTo(S);
        assertThat(match.classOf(Q, USUAL_QRS, ON_TIME, true)).isEqualTo(Q);
        assertThat(match.classOf(N, OTHER_QRS, ON_TIME, true)).isEqualTo(N);
    }

    @Test
    void aYoungTemplateTurnsNothing() {
        // A device that starts in a ventricular rhythm: its template is its first beat, then an
        // average of a few, so every beat matches it.
        TemplateMatch match = new TemplateMatch();
        for (int i = 0; i < 100; i++) {
            assertThat(match.classOf(V, 0.0, ON_TIME, true)).isEqualTo(V);
        }
        // Before the template has learnt from 16 beats, whatever they were.
        TemplateMatch young = new TemplateMatch();
        for (int i = 0; i < BeatFeatureExtractor.TEMPLATE_BEATS - 1; i++) {
            young.classOf(N, USUAL_QRS, ON_TIME, true);
        }
        assertThat(young.classOf(V, USUAL_QRS, ON_TIME, true)).isEqualTo(V);
        assertThat(young.classOf(V, USUAL_QRS, ON_TIME, true)).isEqualTo(N);
    }

    @Test
    void aLongVentricularRhythmThatBecameTheTemplateStaysVentricular() {
        TemplateMatch match = afterUsualBeats();
        // A slow ventricular rhythm: not early, so each beat joins the template, and the template
        // becomes its QRS. After i beats the template is (15/16)^i the usual QRS, so the difference
        // from it shrinks by the square of that; it is under the match threshold from about the
        // 21st beat on.
        int matching = 0;
        for (int i = 0; i < 40; i++) {
            double difference = OTHER_QRS * Math.pow(15.0 / 16, 2 * i);
            matching += difference <= TemplateMatch.MAX_QRS_DIFFERENCE ? 1 : 0;
            assertThat(match.classOf(V, difference, ON_TIME, true)).isEqualTo(V);
        }
        assertThat(matching).isGreaterThan(15);
        // The model then calls 40 beats of the rhythm N: they match the template and dilute the
        // share of V beats in it, but the template is still the ventricular rhythm's.
        for (int i = 0; i < 40; i++) {
            match.classOf(N, USUAL_QRS, ON_TIME, true);
        }
        assertThat(match.snapshot().getVentricularShare()).isLessThan(TemplateMatch.MAX_VENTRICULAR_SHARE);
        assertThat(match.classOf(V, USUAL_QRS, ON_TIME, true)).isEqualTo(V);
        // The usual beats come back, unlike the template until it has learnt them: after 16 of
        // them the template is the usual beat again and calls are checked.
        for (int i = 0; i < BeatFeatureExtractor.TEMPLATE_BEATS - 1; i++) {
            match.classOf(N, OTHER_QRS, ON_TIME, true);
        }
        assertThat(match.classOf(V, USUAL_QRS, ON_TIME, true)).isEqualTo(V);
        match.classOf(N, OTHER_QRS, ON_TIME, true);
        assertThat(match.classOf(V, USUAL_QRS, ON_TIME, true)).isEqualTo(N);
    }

    @Test
    void aVentricularRhythmThatComesBackStartsTheWaitAgain() {
        TemplateMatch match = afterUsualBeats();
        for (int i = 0; i < 30; i++) {
            match.classOf(V, OTHER_QRS, ON_TIME, true);
        }
        // Usual beats begin to come back, then the ventricular rhythm does.
        for (int i = 0; i < 30; i++) {
            match.classOf(N, OTHER_QRS, ON_TIME, true);
        }
        assertThat(match.snapshot().getUnlikeBeats()).isPositive();
        for (int i = 0; i < 10; i++) {
            match.classOf(V, OTHER_QRS, ON_TIME, true);
        }
        for (int i = 0; i < BeatFeatureExtractor.TEMPLATE_BEATS - 1; i++) {
            match.classOf(N, OTHER_QRS, ON_TIME, true);
        }
        assertThat(match.snapshot().getVentricular()).isTrue();
        assertThat(match.classOf(V, USUAL_QRS, ON_TIME, true)).isEqualTo(V);
    }

    @Test
    void earlyAndUnreadableBeatsDoNotCountTowardsTheTemplate() {
        TemplateMatch match = afterUsualBeats();
        // Premature V beats (bigeminy) and V beats in noise stay out of the template as they stay
        // out of the share: the next matching call is still turned.
        for (int i = 0; i < 30; i++) {
            match.classOf(V, OTHER_QRS, 0.6, true);
            match.classOf(V, OTHER_QRS, ON_TIME, false);
        }
        assertThat(match.classOf(V, USUAL_QRS, ON_TIME, true)).isEqualTo(N);
    }

    @Test
    void whatTheCheckKnowsOfTheTemplateSurvivesARestart() {
        TemplateMatch match = afterUsualBeats();
        for (int i = 0; i < 8; i++) {
            match.classOf(V, OTHER_QRS, ON_TIME, true);
        }
        // Usual beats come back: some of the 16 the template needs to learn them again.
        for (int i = 0; i < 12; i++) {
            match.classOf(N, OTHER_QRS, ON_TIME, true);
        }
        TemplateMatch restored = TemplateMatch.restore(match.snapshot());
        assertThat(restored.snapshot()).isEqualTo(match.snapshot());
        assertThat(restored.snapshot().getVentricular()).isTrue();
        assertThat(restored.snapshot().getUnlikeBeats()).isBetween(1, BeatFeatureExtractor.TEMPLATE_BEATS - 1);
        assertThat(restored.classOf(V, USUAL_QRS, ON_TIME, true)).isEqualTo(V);
        assertThat(afterUsualBeats().classOf(V, USUAL_QRS, ON_TIME, true)).isEqualTo(N);
    }

    /** A device whose template holds nothing but its usual beat. */
    private static TemplateMatch afterUsualBeats() {
        TemplateMatch match = new TemplateMatch();
        for (int i = 0; i < 20; i++) {
            match.classOf(N, USUAL_QRS, ON_TIME, true);
        }
        return match;
    }
}
