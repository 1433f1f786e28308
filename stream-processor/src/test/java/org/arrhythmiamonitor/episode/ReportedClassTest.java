package org.arrhythmiamonitor.episode;

import static org.assertj.core.api.Assertions.assertThat;

import org.arrhythmiamonitor.state.v1.AfState;
import org.arrhythmiamonitor.state.v1.EpisodeState;
import org.arrhythmiamonitor.wire.v1.Beat;
import org.arrhythmiamonitor.wire.v1.BeatClass;
import org.arrhythmiamonitor.wire.v1.ClassifiedBeat;
import org.arrhythmiamonitor.wire.v1.Episode;
import org.arrhythmiamonitor.wire.v1.RhythmSegment;
import org.junit.jupiter.api.Test;

class ReportedClassTest {
    private static final AfState SINUS = AfState.getDefaultInstance();
    private static final AfState IN_AF = AfState.newBuilder().setInAf(true).build();
    private static final EpisodeOutput NOTHING = new EpisodeOutput() {
        @Override
        public void episode(Episode episode) {
        }

        @Override
        public void alertOnly(Episode episode) {
        }

        @Override
        public void rhythm(RhythmSegment segment) {
        }
    };

    /** A readable beat without prematurity index or P-wave similarity, as the rules on S calls see it. */
    private static BeatEvent beat(BeatClass c, boolean premature) {
        return new BeatEvent("d", 0, 0, 800, c, true, Double.NaN, premature, Double.NaN, Double.NaN, false, false, false);
    }

    /** The class reported after a beat reported {@code previous} outside an S run's rate rule. */
    private static BeatClass reported(AfState af, BeatEvent beat, BeatClass previous) {
        return of(af, beat, new ReportedClass.Reported(previous, 0, 0)).beatClass();
    }

    /** The beat after one the classifier called as it was reported, at the same interval. */
    private static ReportedClass.Reported of(AfState af, BeatEvent beat, ReportedClass.Reported previous) {
        return ReportedClass.of(af, beat, previous, new ReportedClass.PreviousCall(previous.beatClass(), beat.rrMs()));
    }

    private static BeatEvent nBeat(double prematurityIndex, double pWaveSimilarity) {
        return new BeatEvent("d", 0, 0, 800, BeatClass.N, true, pWaveSimilarity, prematurityIndex < 0.9,
                prematurityIndex, Double.NaN, false, false, false);
    }

    @Test
    void anNBeatThatCameClearlyEarlyWithoutTheUsualPWaveIsS() {
        assertThat(reported(SINUS, nBeat(0.7, 0.1), BeatClass.N)).isEqualTo(BeatClass.S);
        assertThat(reported(SINUS, nBeat(0.84, 0.49), BeatClass.N)).isEqualTo(BeatClass.S);
    }

    @Test
    void anNBeatKeepsItsClassWithItsUsualPWaveOrWhenBarelyEarly() {
        assertThat(reported(SINUS, nBeat(0.7, 0.9), BeatClass.N)).as("sinus arrhythmia")
                .isEqualTo(BeatClass.N);
        assertThat(reported(SINUS, nBeat(0.87, 0.1), BeatClass.N)).as("premature, not clearly")
                .isEqualTo(BeatClass.N);
        assertThat(reported(SINUS, nBeat(1.0, -0.5), BeatClass.N)).as("on time").isEqualTo(BeatClass.N);
        assertThat(reported(IN_AF, nBeat(0.7, 0.1), BeatClass.N)).as("in AF").isEqualTo(BeatClass.N);
        AfState irregular = AfState.newBuilder().setFilled(32).setIrregularity(0.2).build();
        assertThat(reported(irregular, nBeat(0.7, 0.1), BeatClass.N)).as("AF not yet entered")
                .isEqualTo(BeatClass.N);
        assertThat(reported(SINUS, nBeat(0.7, Double.NaN), BeatClass.N)).as("P wave unknown")
                .isEqualTo(BeatClass.N);
        assertThat(reported(SINUS, nBeat(Double.NaN, 0.1), BeatClass.N)).as("interval unknown")
                .isEqualTo(BeatClass.N);
    }

    /** A readable N call, a little early (0.9 of the local mean), that came early for this patient or not. */
    private static BeatEvent littleEarly(boolean unusuallyEarly, double pWaveSimilarity, boolean readable) {
        return new BeatEvent("d", 0, 0, 720, BeatClass.N, readable, pWaveSimilarity, false, 0.9, Double.NaN, false,
                false, unusuallyEarly);
    }

    @Test
    void anNBeatThatCameEarlyForThePatientWithAnUnlikePWaveIsS() {
        assertThat(reported(SINUS, littleEarly(true, 0.79, true), BeatClass.N)).isEqualTo(BeatClass.S);
        assertThat(reported(SINUS, littleEarly(true, -0.2, true), BeatClass.N)).isEqualTo(BeatClass.S);
        assertThat(reported(SINUS, littleEarly(true, 0.8, true), BeatClass.N)).as("a P wave like the usual one")
                .isEqualTo(BeatClass.N);
        assertThat(reported(SINUS, littleEarly(false, 0.1, true), BeatClass.N)).as("usual for the patient")
                .isEqualTo(BeatClass.N);
        assertThat(reported(SINUS, littleEarly(true, Double.NaN, true), BeatClass.N)).as("P wave unknown")
                .isEqualTo(BeatClass.N);
        assertThat(reported(SINUS, littleEarly(true, 0.1, false), BeatClass.N)).as("unreadable")
                .isEqualTo(BeatClass.N);
        assertThat(reported(IN_AF, littleEarly(true, 0.1, true), BeatClass.N)).as("in AF").isEqualTo(BeatClass.N);
        AfState irregular = AfState.newBuilder().setFilled(32).setIrregularity(0.2).build();
        assertThat(reported(irregular, littleEarly(true, 0.1, true), BeatClass.N)).as("an irregular rhythm")
                .isEqualTo(BeatClass.N);
        // It begins an S run, measured against the local mean before it (720 / 0.9 ms).
        ReportedClass.Reported first = of(SINUS, littleEarly(true, 0.5, true), ReportedClass.Reported.notInARun(BeatClass.N));
        assertThat(first.sRunLocalRrMs()).isCloseTo(800, org.assertj.core.data.Offset.offset(1e-9));
    }

    @Test
    void anSCallThatCameEarlyForThePatientStaysSThoughNotPremature() {
        BeatEvent sCall = new BeatEvent("d", 0, 0, 720, BeatClass.S, true, 0.5, false, 0.92, Double.NaN, false,
                false, true);
        assertThat(reported(SINUS, sCall, BeatClass.N)).as("as an N call on it would be").isEqualTo(BeatClass.S);
        BeatEvent usualForThePatient = new BeatEvent("d", 0, 0, 720, BeatClass.S, true, 0.5, false, 0.92,
                Double.NaN, false, false, false);
        assertThat(reported(SINUS, usualForThePatient, BeatClass.N)).isEqualTo(BeatClass.N);
        BeatEvent usualPWave = new BeatEvent("d", 0, 0, 720, BeatClass.S, true, 0.96, false, 0.92, Double.NaN, false,
                false, true);
        assertThat(reported(SINUS, usualPWave, BeatClass.N)).isEqualTo(BeatClass.N);
    }

    @Test
    void theEpisodeRulesReadUnusuallyEarlyFromTheClassifiedBeat() {
        ClassifiedBeat n = ClassifiedBeat.newBuilder().setBeatClass(BeatClass.N).setPremature(false)
                .setPrematurityIndex(0.92f).setPWaveSimilarity(0.5f)
                .setBeat(Beat.newBuilder().setDeviceId("d").setRrMs(720)).build();
        EpisodeState state = EpisodeDetector.onBeat(EpisodeState.getDefaultInstance(), n, EpisodeRules.DEFAULTS, NOTHING);
        assertThat(state.getReportedClass()).isEqualTo(BeatClass.N.getNumber());
        state = EpisodeDetector.onBeat(EpisodeState.getDefaultInstance(), n.toBuilder().setUnusuallyEarly(true).build(),
                EpisodeRules.DEFAULTS, NOTHING);
        assertThat(state.getReportedClass()).isEqualTo(BeatClass.S.getNumber());
    }

    @Test
    void anSBeatThatCameEarlyStaysS() {
        assertThat(reported(SINUS, beat(BeatClass.S, true), BeatClass.N)).isEqualTo(BeatClass.S);
    }

    @Test
    void anSBeatThatDidNotComeEarlyIsN() {
        assertThat(reported(SINUS, beat(BeatClass.S, false), BeatClass.N)).isEqualTo(BeatClass.N);
        assertThat(reported(SINUS, beat(BeatClass.S, false), BeatClass.BEAT_CLASS_UNSPECIFIED))
                .as("the device's first beat").isEqualTo(BeatClass.N);
    }

    @Test
    void anSCallWithThePatientsUsualPWaveIsNUnlessItContinuesAnSRun() {
        assertThat(reported(SINUS, sCall(0.95), BeatClass.N)).as("a sinus beat that came early")
                .isEqualTo(BeatClass.N);
        assertThat(reported(SINUS, sCall(0.94), BeatClass.N)).as("another P wave: an ectopic focus")
                .isEqualTo(BeatClass.S);
        assertThat(reported(SINUS, sCall(Double.NaN), BeatClass.N)).as("the P wave unknown")
                .isEqualTo(BeatClass.S);
        assertThat(reported(SINUS, sCall(0.99), BeatClass.S)).as("in a run the template may follow its beats")
                .isEqualTo(BeatClass.S);
        // Reported N, it starts no run: the N call after it at the same short interval stays N.
        ReportedClass.Reported sinus = of(SINUS, runBeat(BeatClass.S, 10_000, 600, 1000, 0.97), notInARun(BeatClass.N));
        assertThat(sinus).isEqualTo(notInARun(BeatClass.N));
        assertThat(of(SINUS, runBeat(BeatClass.N, 10_600, 600, 960, 0.97), sinus))
                .isEqualTo(notInARun(BeatClass.N));
        // Inside a run it keeps the run's rate and onset.
        ReportedClass.Reported run = of(SINUS, runBeat(BeatClass.S, 10_000, 600, 1000, 0.2), notInARun(BeatClass.N));
        assertThat(of(SINUS, runBeat(BeatClass.S, 10_600, 600, 960, 0.97), run)).isEqualTo(run);
    }

    /** A readable S call that came early, with this P-wave similarity. */
    private static BeatEvent sCall(double pWaveSimilarity) {
        return new BeatEvent("d", 0, 0, 560, BeatClass.S, true, pWaveSimilarity, true, 0.7, Double.NaN, false, false, false);
    }

    @Test
    void anSBeatThatContinuesARunOfSNeedNotComeEarly() {
        assertThat(reported(SINUS, beat(BeatClass.S, false), BeatClass.S)).isEqualTo(BeatClass.S);
    }

    @Test
    void inAtrialFibrillationAnSBeatIsNEvenWhenEarly() {
        assertThat(reported(IN_AF, beat(BeatClass.S, true), BeatClass.S)).isEqualTo(BeatClass.N);
    }

    @Test
    void aBeatClassifiedWithoutThePrematureFlagKeepsItsS() {
        // From a processor version before the flag (a rolling upgrade, or a replay of the topic).
        ClassifiedBeat old = ClassifiedBeat.newBuilder().setBeatClass(BeatClass.S)
                .setBeat(Beat.newBuilder().setDeviceId("d").setRrMs(800)).build();
        EpisodeState state = EpisodeDetector.onBeat(EpisodeState.getDefaultInstance(), old, EpisodeRules.DEFAULTS,
                NOTHING);
        assertThat(state.getReportedClass()).isEqualTo(BeatClass.S.getNumber());
        EpisodeState late = EpisodeDetector.onBeat(EpisodeState.getDefaultInstance(),
                old.toBuilder().setPremature(false).build(), EpisodeRules.DEFAULTS, NOTHING);
        assertThat(late.getReportedClass()).isEqualTo(BeatClass.N.getNumber());
    }

    @Test
    void otherClassesAreTheModelsWhateverTheInterval() {
        for (BeatClass c : new BeatClass[] {BeatClass.N, BeatClass.V, BeatClass.F, BeatClass.Q}) {
            assertThat(reported(SINUS, beat(c, false), BeatClass.N)).isEqualTo(c);
            assertThat(reported(IN_AF, beat(c, true), BeatClass.S)).isEqualTo(c);
        }
    }

    private static BeatEvent vBeat(double qrsDifference, boolean readable) {
        return new BeatEvent("d", 0, 0, 800, BeatClass.V, readable, Double.NaN, true, 0.7, qrsDifference, false, false, false);
    }

    @Test
    void inAtrialFibrillationAVCallWithTheUsualQrsIsN() {
        assertThat(reported(IN_AF, vBeat(0.29, true), BeatClass.N)).isEqualTo(BeatClass.N);
        assertThat(reported(IN_AF, vBeat(0.0, true), BeatClass.V)).as("after a V").isEqualTo(BeatClass.N);
    }

    @Test
    void aVCallStandsWithAQrsOfItsOwnOutsideAfUnreadableUnknownOrOnAVentricularTemplate() {
        assertThat(reported(IN_AF, vBeat(0.31, true), BeatClass.N)).as("a QRS of its own").isEqualTo(BeatClass.V);
        assertThat(reported(SINUS, vBeat(0.0, true), BeatClass.N)).as("sinus rhythm").isEqualTo(BeatClass.V);
        AfState leaving = IN_AF.toBuilder().setLeaveCount(1).build();
        assertThat(reported(leaving, vBeat(0.0, true), BeatClass.N)).as("AF turning regular")
                .isEqualTo(BeatClass.V);
        AfState irregular = AfState.newBuilder().setFilled(32).setIrregularity(0.2).build();
        assertThat(reported(irregular, vBeat(0.0, true), BeatClass.N)).as("AF not yet entered")
                .isEqualTo(BeatClass.V);
        assertThat(reported(IN_AF, vBeat(0.0, false), BeatClass.N)).as("unreadable").isEqualTo(BeatClass.V);
        assertThat(reported(IN_AF, vBeat(Double.NaN, true), BeatClass.N)).as("flat template or older classifier")
                .isEqualTo(BeatClass.V);
        BeatEvent f = new BeatEvent("d", 0, 0, 800, BeatClass.F, true, Double.NaN, true, 0.7, 0.0, false, false, false);
        assertThat(reported(IN_AF, f, BeatClass.N)).as("a fusion call").isEqualTo(BeatClass.F);
        BeatEvent onAVentricularTemplate = onAVentricularTemplate(800, 0.0);
        assertThat(reported(IN_AF, onAVentricularTemplate, BeatClass.V))
                .as("a ventricular template, or one an older classifier did not say, in a run of V").isEqualTo(BeatClass.V);
    }

    /** A readable V call {@code rrMs} after the beat before, checked on a ventricular template. */
    private static BeatEvent onAVentricularTemplate(double rrMs, double qrsDifference) {
        return new BeatEvent("d", 0, 0, rrMs, BeatClass.V, true, Double.NaN, true, 0.7, qrsDifference, true, false,
                false);
    }

    @Test
    void inAtrialFibrillationAVCallOnAVentricularTemplateIsNUnlessTheBeatBeforeWasCalledV() {
        // The model's wrong V calls in AF make the template look ventricular at times (record 203);
        // a regular ventricular rhythm that may have become the template keeps its V (here the intervals are alike).
        BeatEvent onAVentricularTemplate = onAVentricularTemplate(800, 0.2);
        assertThat(reported(IN_AF, onAVentricularTemplate, BeatClass.N)).isEqualTo(BeatClass.N);
        assertThat(reported(IN_AF, onAVentricularTemplate, BeatClass.S)).isEqualTo(BeatClass.N);
        assertThat(reported(IN_AF, onAVentricularTemplate, BeatClass.V)).isEqualTo(BeatClass.V);
        assertThat(ReportedClass.of(IN_AF, onAVentricularTemplate, new ReportedClass.Reported(BeatClass.N, 0, 0),
                new ReportedClass.PreviousCall(BeatClass.V, 800)).beatClass())
                .as("a salvo whose first beat was reported N").isEqualTo(BeatClass.V);
        assertThat(reported(SINUS, onAVentricularTemplate, BeatClass.N)).as("sinus rhythm").isEqualTo(BeatClass.V);
    }

    @Test
    void inAtrialFibrillationOnlyARegularVentricularRhythmKeepsItsVOnAVentricularTemplate() {
        // A ventricular rhythm long enough to become the template is regular; AF's conducted beats,
        // which the model may call V beat after beat (record 203), are not.
        BeatEvent at800 = onAVentricularTemplate(800, 0.2);
        ReportedClass.Reported notInARun = new ReportedClass.Reported(BeatClass.V, 0, 0);
        // 885: within 0.1 of the interval before, not of this one; 880: 0.1 of it exactly.
        for (double previousRrMs : new double[] {728, 800, 880, 885}) {
            assertThat(ReportedClass.of(IN_AF, at800, notInARun, new ReportedClass.PreviousCall(BeatClass.V, previousRrMs))
                    .beatClass()).as("after %s ms", previousRrMs).isEqualTo(BeatClass.V);
        }
        for (double previousRrMs : new double[] {720, 890, 0}) {
            assertThat(ReportedClass.of(IN_AF, at800, notInARun, new ReportedClass.PreviousCall(BeatClass.V, previousRrMs))
                    .beatClass()).as("after %s ms (0: unknown)", previousRrMs).isEqualTo(BeatClass.N);
        }
        BeatEvent at1100 = onAVentricularTemplate(1100, 0.2);
        assertThat(ReportedClass.of(IN_AF, at1100, notInARun, new ReportedClass.PreviousCall(BeatClass.V, 1000))
                .beatClass()).as("0.1 longer exactly").isEqualTo(BeatClass.V);
        BeatEvent unmeasured = onAVentricularTemplate(0, 0.2);
        assertThat(ReportedClass.of(IN_AF, unmeasured, notInARun, new ReportedClass.PreviousCall(BeatClass.V, 800))
                .beatClass()).as("its own interval unknown").isEqualTo(BeatClass.N);
        assertThat(ReportedClass.of(IN_AF, unmeasured, notInARun, new ReportedClass.PreviousCall(BeatClass.V, 0))
                .beatClass()).as("both intervals unknown").isEqualTo(BeatClass.N);
        assertThat(ReportedClass.of(SINUS, at800, notInARun, new ReportedClass.PreviousCall(BeatClass.V, 400))
                .beatClass()).as("sinus rhythm").isEqualTo(BeatClass.V);
    }

    /** A readable beat at {@code timeMs}, {@code rrMs} after the last, against a local mean of {@code localRrMs}. */
    private static BeatEvent runBeat(BeatClass c, long timeMs, double rrMs, double localRrMs, double pWaveSimilarity) {
        return new BeatEvent("d", 0, timeMs, rrMs, c, true, pWaveSimilarity, rrMs / localRrMs < 0.9, rrMs / localRrMs,
                Double.NaN, false, false, false);
    }

    private static BeatEvent runBeat(BeatClass c, long timeMs, double rrMs, double localRrMs) {
        return runBeat(c, timeMs, rrMs, localRrMs, 0.9);
    }

    private static ReportedClass.Reported notInARun(BeatClass c) {
        return new ReportedClass.Reported(c, 0, 0);
    }

    @Test
    void nCallsThatGoOnAtTheRateOfAnSRunAreS() {
        // An S run at 100 bpm in a sinus rhythm at 60: the local mean follows the run's rate, and
        // from its third beat on the model calls the beats N, as they are no longer early against it.
        ReportedClass.Reported first = of(SINUS, runBeat(BeatClass.S, 10_000, 600, 1000), notInARun(BeatClass.N));
        assertThat(first).isEqualTo(new ReportedClass.Reported(BeatClass.S, 1000, 10_000));
        ReportedClass.Reported second = of(SINUS, runBeat(BeatClass.S, 10_600, 600, 960), first);
        assertThat(second).as("the run keeps the rate it began against").isEqualTo(first);
        ReportedClass.Reported third = of(SINUS, runBeat(BeatClass.N, 11_200, 600, 620), second);
        assertThat(third).isEqualTo(first);
        ReportedClass.Reported fourth = of(SINUS, runBeat(BeatClass.N, 12_049, 849, 610), third);
        assertThat(fourth).as("still under 0.85 of 1000 ms").isEqualTo(first);

        assertThat(of(SINUS, runBeat(BeatClass.N, 12_899, 850, 640), fourth))
                .as("not clearly early against the rate before the run: the run is over")
                .isEqualTo(notInARun(BeatClass.N));
        assertThat(of(SINUS, runBeat(BeatClass.N, 11_850, 1250, 640), first))
                .as("the pause after a single S beat").isEqualTo(notInARun(BeatClass.N));
        assertThat(of(SINUS, runBeat(BeatClass.N, 12_000, 600, 600), notInARun(BeatClass.N)))
                .as("no run to continue").isEqualTo(notInARun(BeatClass.N));
        AfState irregular = AfState.newBuilder().setFilled(32).setIrregularity(0.12).build();
        assertThat(of(irregular, runBeat(BeatClass.N, 11_200, 600, 620), first).beatClass())
                .as("an irregular rhythm").isEqualTo(BeatClass.N);
        BeatEvent noisy = new BeatEvent("d", 0, 11_200, 600, BeatClass.N, false, 0.9, false, 600 / 620.0, Double.NaN, false, false, false);
        assertThat(of(SINUS, noisy, first).beatClass()).as("unreadable").isEqualTo(BeatClass.N);
        assertThat(of(SINUS, runBeat(BeatClass.V, 11_200, 600, 620), first))
                .as("a V call ends the S run").isEqualTo(notInARun(BeatClass.V));
        // A restarted detector's first beat has no interval (0): nothing says it is fast.
        BeatEvent unmeasured = new BeatEvent("d", 0, 11_200, 0, BeatClass.N, true, 0.9, false, Double.NaN, Double.NaN, false, false, false);
        assertThat(of(SINUS, unmeasured, first).beatClass()).as("no interval").isEqualTo(BeatClass.N);
    }

    @Test
    void pastThirtySecondsOnlyBeatsWithoutTheUsualPWaveGoOnWithAnSRun() {
        // A premature beat as the patient starts to exercise: the sinus tachycardia after it is
        // clearly faster than the rate before, but it has the usual P wave.
        ReportedClass.Reported run = of(SINUS, runBeat(BeatClass.S, 0, 600, 1000), notInARun(BeatClass.N));
        assertThat(of(SINUS, runBeat(BeatClass.N, 29_999, 700, 700), run).beatClass())
                .isEqualTo(BeatClass.S);
        assertThat(of(SINUS, runBeat(BeatClass.N, 30_000, 700, 700), run))
                .as("30 s on, the usual P wave").isEqualTo(notInARun(BeatClass.N));
        assertThat(of(SINUS, runBeat(BeatClass.N, 30_000, 700, 700, 0.2), run))
                .as("30 s on, another P wave: an ectopic focus").isEqualTo(run);
        assertThat(of(SINUS, runBeat(BeatClass.N, 30_000, 700, 700, Double.NaN), run))
                .as("the P wave unknown").isEqualTo(run);
        assertThat(of(SINUS, runBeat(BeatClass.N, -3_600_000, 700, 700), run))
                .as("the device clock set back an hour during the run: past the limit too")
                .isEqualTo(notInARun(BeatClass.N));
    }

    @Test
    void aVentricularCallOnAConductedShapeIsReportedSWhenClearlyEarlyElseN() {
        assertThat(reported(SINUS, shapeBeat(BeatClass.V, 0.7, true), BeatClass.N)).isEqualTo(BeatClass.S);
        assertThat(reported(SINUS, shapeBeat(BeatClass.V, 0.87, true), BeatClass.N)).isEqualTo(BeatClass.N);
        assertThat(reported(SINUS, shapeBeat(BeatClass.F, 1.0, true), BeatClass.N)).isEqualTo(BeatClass.N);
        assertThat(reported(SINUS, shapeBeat(BeatClass.V, Double.NaN, true), BeatClass.N)).as("index unknown")
                .isEqualTo(BeatClass.N);
        assertThat(reported(SINUS, shapeBeat(BeatClass.V, 0.7, false), BeatClass.N)).as("a shape of its own")
                .isEqualTo(BeatClass.V);
        assertThat(reported(IN_AF, shapeBeat(BeatClass.V, 0.7, true), BeatClass.N)).as("in AF: no premature beats")
                .isEqualTo(BeatClass.N);
        assertThat(reported(SINUS, shapeBeat(BeatClass.Q, 0.7, true), BeatClass.N)).isEqualTo(BeatClass.Q);
        BeatEvent onAVentricularTemplate = new BeatEvent("d", 0, 0, 560, BeatClass.V, false, Double.NaN, true, 0.7,
                Double.NaN, true, true, false);
        assertThat(reported(SINUS, onAVentricularTemplate, BeatClass.N))
                .as("unlike the AF rule, on a ventricular template and unreadable too").isEqualTo(BeatClass.S);
    }

    @Test
    void theRunRulesStillSeeAVentricularTachycardiaOnAConductedShape() {
        // Bundle branch re-entry looks like the patient's conducted bundle branch block: reported S,
        // yet five fast V calls in a row are a ventricular tachycardia, and its alarm must come.
        PublishedEpisodes collect = new PublishedEpisodes();
        EpisodeState state = EpisodeState.getDefaultInstance();
        for (int i = 0; i < 6; i++) {
            ClassifiedBeat vt = ClassifiedBeat.newBuilder().setBeatClass(BeatClass.V).setConductedShape(true)
                    .setPremature(true).setPrematurityIndex(0.5f)
                    .setBeat(Beat.newBuilder().setDeviceId("d").setSampleIndex(144L * i).setTimeMs(400L * i)
                            .setRrMs(i == 0 ? 0 : 400)).build();
            state = EpisodeDetector.onBeat(state, vt, EpisodeRules.DEFAULTS, collect);
            assertThat(state.getReportedClass()).isEqualTo(BeatClass.S.getNumber());
        }
        assertThat(collect.episodes).extracting(Episode::getType).contains(EpisodeType.VENTRICULAR_TACHYCARDIA.name());
    }

    private static BeatEvent shapeBeat(BeatClass c, double prematurityIndex, boolean conductedShape) {
        return new BeatEvent("d", 0, 0, 560, c, true, Double.NaN, !(prematurityIndex >= 0.9), prematurityIndex,
                Double.NaN, false, conductedShape, false);
    }

    @Test
    void theRunsRateIsKeptInTheDevicesState() {
        ClassifiedBeat early = ClassifiedBeat.newBuilder().setBeatClass(BeatClass.S).setPremature(true)
                .setPrematurityIndex(0.6f).setPWaveSimilarity(0.9f)
                .setBeat(Beat.newBuilder().setDeviceId("d").setRrMs(600)).build();
        EpisodeState state = EpisodeDetector.onBeat(EpisodeState.getDefaultInstance(), early, EpisodeRules.DEFAULTS,
                NOTHING);
        assertThat(state.getReportedSRunLocalRrMs()).isCloseTo(1000, org.assertj.core.data.Offset.offset(0.1));
        ClassifiedBeat onTime = early.toBuilder().setBeatClass(BeatClass.N).setPremature(false)
                .setPrematurityIndex(0.97f).build();
        state = EpisodeDetector.onBeat(state, onTime, EpisodeRules.DEFAULTS, NOTHING);
        assertThat(state.getReportedClass()).isEqualTo(BeatClass.S.getNumber());
    }
}
