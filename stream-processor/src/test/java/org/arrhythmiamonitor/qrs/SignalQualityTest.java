package org.arrhythmiamonitor.qrs;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.arrhythmiamonitor.signal.MainsFrequency;
import org.arrhythmiamonitor.synthetic.ArrhythmiaScript;
import org.arrhythmiamonitor.synthetic.SyntheticEcg;
import org.arrhythmiamonitor.synthetic.SyntheticEcg.Segment;
import org.arrhythmiamonitor.wire.v1.SignalIssue;
import org.junit.jupiter.api.Test;

class SignalQualityTest {
    private static final int FS = 360;

    @Test
    void cleanEcgRaisesNoTechnicalEvent() {
        Run run = analyse(ecg(60));
        assertThat(run.events).isEmpty();
        assertThat(run.beats).allSatisfy(b -> assertThat(b.issues()).isEmpty());
    }

    @Test
    void flatLineIsLeadOffAndTheBeatsAroundItAreFlagged() {
        double[] mv = ecg(60);
        for (int i = 20 * FS; i < 30 * FS; i++) {
            mv[i] = -0.42;
        }
        Run run = analyse(mv);

        assertThat(run.events).extracting(EcgAnalyzer.TechnicalEvent::issue).containsOnly(SignalIssue.LEAD_OFF);
        EcgAnalyzer.TechnicalEvent end = run.events.get(run.events.size() - 1);
        assertThat(end.ongoing()).isFalse();
        // Onset within 1.2 s of the flat line's start (it needs a second to be sure), end within 1.2 s of its end.
        assertThat(run.events.get(0).startSample()).isBetween(20L * FS - FS / 5, 20L * FS + FS / 5);
        assertThat(end.endSample()).isBetween(30L * FS, 31L * FS + FS / 5);
        assertThat(run.beats).filteredOn(b -> b.sampleIndex() > 35L * FS)
                .allSatisfy(b -> assertThat(b.readable()).isTrue());
    }

    @Test
    void aQuietAsystoleOnAFinelyDigitisedDeviceIsNotLeadOff() {
        // 2 µV of amplifier noise at 1 µV per unit and 500 Hz: the line moves, so it is a heart
        // without QRS complexes (asystole, for the episode rules), not a flat line.
        SyntheticEcg.Recording r = new SyntheticEcg(500, 1000, 0.02, 0.002, 0, 7)
                .render(ArrhythmiaScript.start(70).sinus(15).pause(12).sinus(15));
        Run run = analyse(r.fsHz(), r.millivolts());

        assertThat(run.events).isEmpty();
        assertThat(run.beats).isNotEmpty().allSatisfy(b -> assertThat(b.readable()).isTrue());
    }

    @Test
    void aCleanSignalDigitisedCoarselyIsNotSaturation() {
        // At 5 µV per unit, with 2 µV of noise, the isoelectric segments hold one value for tens of
        // milliseconds at a time, as clipped waves do; but they lie at the baseline, not at the
        // edge of the swing.
        SyntheticEcg.Recording r = new SyntheticEcg(250, 200, 0.02, 0.002, 0.05, 7)
                .render(List.of(new Segment(60, 72)));
        Run run = analyse(r.fsHz(), r.millivolts());

        assertThat(run.events).isEmpty();
        assertThat(run.beats).hasSizeGreaterThan(60).allSatisfy(b -> assertThat(b.readable()).isTrue());
    }

    @Test
    void clippingAtTheLowerRailIsSaturation() {
        double[] mv = ecg(60);
        for (int i = 20 * FS; i < 40 * FS; i++) {
            mv[i] = Math.max(-mv[i] * 4, -0.5);
        }
        Run run = analyse(mv);

        assertThat(run.events).extracting(EcgAnalyzer.TechnicalEvent::issue).containsOnly(SignalIssue.SATURATION);
        assertThat(run.beats).filteredOn(b -> b.sampleIndex() > 42L * FS)
                .allSatisfy(b -> assertThat(b.readable()).isTrue());
    }

    @Test
    void clippedSignalIsSaturation() {
        double[] mv = ecg(60);
        for (int i = 20 * FS; i < 40 * FS; i++) {
            mv[i] = Math.min(mv[i] * 4, 0.5);
        }
        Run run = analyse(mv);

        assertThat(run.events).extracting(EcgAnalyzer.TechnicalEvent::issue).containsOnly(SignalIssue.SATURATION);
        // Beats within a second of a clipped plateau are flagged, and nothing after the clipping.
        List<EcgAnalyzer.DetectedBeat> during = run.beats.stream()
                .filter(b -> b.sampleIndex() > 21L * FS && b.sampleIndex() < 39L * FS).toList();
        assertThat(during).isNotEmpty();
        assertThat(during.stream().filter(b -> b.issues().contains(SignalIssue.SATURATION)).count())
                .isGreaterThan(during.size() / 2);
        assertThat(run.beats).filteredOn(b -> b.sampleIndex() > 42L * FS)
                .allSatisfy(b -> assertThat(b.readable()).isTrue());
    }

    @Test
    void heavyMuscleNoiseIsNoise() {
        double[] mv = ecg(60);
        Random random = new Random(7);
        for (int i = 20 * FS; i < 40 * FS; i++) {
            mv[i] += 0.5 * random.nextGaussian();
        }
        Run run = analyse(mv);

        assertThat(run.events).extracting(EcgAnalyzer.TechnicalEvent::issue).containsOnly(SignalIssue.NOISE);
        assertThat(run.events.get(0).startSample()).isBetween(20L * FS, 22L * FS);
        assertThat(run.beats).filteredOn(b -> b.sampleIndex() > 22L * FS && b.sampleIndex() < 40L * FS)
                .allSatisfy(b -> assertThat(b.issues()).contains(SignalIssue.NOISE));
        assertThat(run.beats).filteredOn(b -> b.sampleIndex() > 45L * FS)
                .isNotEmpty()
                .allSatisfy(b -> assertThat(b.readable()).isTrue());
    }

    @Test
    void aBaselineJumpIsNoiseUntilTheLevelIsBack() {
        double[] mv = ecg(60);
        for (int i = 20 * FS; i < mv.length; i++) {
            mv[i] += 3.5 * Math.exp(-(i - 20.0 * FS) / FS / 2);
        }
        Run run = analyse(mv);

        assertThat(run.events).extracting(EcgAnalyzer.TechnicalEvent::issue).containsOnly(SignalIssue.NOISE);
        EcgAnalyzer.TechnicalEvent end = run.events.get(run.events.size() - 1);
        assertThat(run.events.get(0).startSample()).isBetween(20L * FS, 21L * FS);
        assertThat(end.ongoing()).isFalse();
        assertThat(end.endSample()).isBetween(23L * FS, 26L * FS);
        assertThat(run.beats).filteredOn(b -> b.sampleIndex() > 27L * FS)
                .allSatisfy(b -> assertThat(b.readable()).isTrue());
    }

    @Test
    void aLevelThatNeverSettlesIsTheNewBaselineAfterTenSeconds() {
        // A DC-coupled front end that keeps a 30 mV offset after an electrode was pressed.
        double[] mv = ecg(60);
        for (int i = 20 * FS; i < mv.length; i++) {
            mv[i] += 30;
        }
        Run run = analyse(mv);

        assertThat(run.events).extracting(EcgAnalyzer.TechnicalEvent::issue).containsOnly(SignalIssue.NOISE);
        EcgAnalyzer.TechnicalEvent end = run.events.get(run.events.size() - 1);
        assertThat(end.ongoing()).isFalse();
        assertThat(end.endSample()).isBetween(30L * FS, 32L * FS);
        assertThat(run.beats).filteredOn(b -> b.sampleIndex() > 33L * FS)
                .isNotEmpty()
                .allSatisfy(b -> assertThat(b.readable()).isTrue());
    }

    @Test
    void anElectrodeThatPicksUpOnlyMainsHumIsNoise() {
        // Off the skin: no ECG, 1 mV of 50 Hz, which the notch and band-pass would take away.
        double[] mv = ecg(60);
        for (int i = 20 * FS; i < 40 * FS; i++) {
            mv[i] = Math.sin(2 * Math.PI * 50 * i / FS);
        }
        Run run = analyse(mv);

        assertThat(run.events).extracting(EcgAnalyzer.TechnicalEvent::issue).contains(SignalIssue.NOISE);
        EcgAnalyzer.TechnicalEvent first = run.events.get(0);
        assertThat(first.startSample()).isBetween(20L * FS, 21L * FS);
        assertThat(run.events.get(run.events.size() - 1).endSample()).isBetween(40L * FS, 42L * FS);
        assertThat(run.beats).filteredOn(b -> b.sampleIndex() > 45L * FS)
                .isNotEmpty()
                .allSatisfy(b -> assertThat(b.readable()).isTrue());
    }

    @Test
    void someMainsHumOnTheEcgIsNotNoise() {
        double[] mv = ecg(60);
        for (int i = 0; i < mv.length; i++) {
            mv[i] += 0.2 * Math.sin(2 * Math.PI * 50 * i / FS);
        }
        assertThat(analyse(mv).events).isEmpty();
    }

    @Test
    void breathingWanderIsNotNoise() {
        double[] mv = ecg(60);
        for (int i = 0; i < mv.length; i++) {
            mv[i] += 0.8 * Math.sin(2 * Math.PI * 0.25 * i / FS);
        }
        assertThat(analyse(mv).events).isEmpty();
    }

    private static double[] ecg(double seconds) {
        return SyntheticEcg.standard(FS, 2).render(List.of(new Segment(seconds, 72))).millivolts();
    }

    private record Run(List<EcgAnalyzer.DetectedBeat> beats, List<EcgAnalyzer.TechnicalEvent> events) {
    }

    private static Run analyse(double[] mv) {
        return analyse(FS, mv);
    }

    private static Run analyse(double fsHz, double[] mv) {
        Run run = new Run(new ArrayList<>(), new ArrayList<>());
        new EcgAnalyzer((int) fsHz, MainsFrequency.HZ_50).accept(mv, new EcgAnalyzer.Output() {
            @Override
            public void beat(EcgAnalyzer.DetectedBeat beat) {
                run.beats.add(beat);
            }

            @Override
            public void technicalEvent(EcgAnalyzer.TechnicalEvent event) {
                run.events.add(event);
            }
        });
        return run;
    }
}
