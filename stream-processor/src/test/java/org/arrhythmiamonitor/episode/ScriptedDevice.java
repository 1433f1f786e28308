package org.arrhythmiamonitor.episode;

import java.util.function.DoubleSupplier;
import org.apache.kafka.streams.TestInputTopic;
import org.arrhythmiamonitor.beat.BeatFeatureExtractor;
import org.arrhythmiamonitor.beat.BeatFeatures;
import org.arrhythmiamonitor.state.v1.SignalProgress;
import org.arrhythmiamonitor.wire.v1.Beat;
import org.arrhythmiamonitor.wire.v1.BeatClass;
import org.arrhythmiamonitor.wire.v1.ClassifiedBeat;
import org.arrhythmiamonitor.wire.v1.SignalIssue;

/**
 * One device's scripted beats, as the episode stage receives them: classified beats, and after
 * every second of device time the signal path's progress, with the beats that second brought.
 */
final class ScriptedDevice {
    // On the hour, so that hourly burden windows line up with the script.
    static final long T0 = 1_699_999_200_000L;
    private static final double FS = 250;

    private final String id;
    private final TestInputTopic<String, ClassifiedBeat> beats;
    private final TestInputTopic<String, SignalProgress> progress;
    private long timeMs = T0;
    private long nextProgressMs = T0 + 1000;
    private boolean unreadable;
    private SignalProgress.Builder second = SignalProgress.newBuilder();
    private long lastBeatSample;
    /** The local mean interval, kept as the feature extractor keeps it, to say whether a beat came early. */
    private double localRrMs;
    /** The P-wave similarity of the next beats; NaN leaves it unset, as an older classifier did. */
    private DoubleSupplier pWave = () -> Double.NaN;
    /** The QRS difference from the template of the next beats; NaN leaves it unset. */
    private DoubleSupplier qrsDifference = () -> Double.NaN;
    /** Whether the next beats' QRS is one of the patient's conducted shapes. */
    private boolean conductedShape;

    ScriptedDevice(String id, TestInputTopic<String, ClassifiedBeat> beats,
            TestInputTopic<String, SignalProgress> progress) {
        this.id = id;
        this.beats = beats;
        this.progress = progress;
    }

    /** A beat of class {@code c}, {@code rrMs} after the previous one. */
    ScriptedDevice beat(BeatClass c, double rrMs) {
        advanceTo(timeMs + Math.round(rrMs));
        long sample = sampleAt(timeMs);
        Beat.Builder b = Beat.newBuilder().setDeviceId(id).setSampleIndex(sample).setTimeMs(timeMs).setRrMs(rrMs);
        if (unreadable) {
            b.addSignalIssues(SignalIssue.NOISE);
        }
        if (localRrMs == 0) {
            localRrMs = rrMs;
        }
        double prematurityIndex = rrMs / localRrMs;
        boolean premature = BeatFeatures.premature(prematurityIndex);
        localRrMs += BeatFeatureExtractor.LOCAL_WEIGHT * (rrMs - localRrMs);
        ClassifiedBeat.Builder classified = ClassifiedBeat.newBuilder().setBeat(b).setBeatClass(c)
                .setPremature(premature).setPrematurityIndex((float) prematurityIndex).setConductedShape(conductedShape);
        double similarity = pWave.getAsDouble();
        if (!Double.isNaN(similarity)) {
            classified.setPWaveSimilarity((float) similarity);
        }
        double difference = qrsDifference.getAsDouble();
        if (!Double.isNaN(difference)) {
            classified.setQrsDifference((float) difference).setTemplateVentricular(false);
        }
        beats.pipeInput(id, classified.build(), timeMs);
        if (!second.getHasBeat()) {
            second.setHasBeat(true).setFirstBeatSample(sample).setFirstBeatTimeMs(timeMs);
        }
        second.setLastBeatSample(sample).setLastBeatTimeMs(timeMs);
        lastBeatSample = sample;
        return this;
    }

    ScriptedDevice beats(int n, BeatClass c, double rrMs) {
        for (int i = 0; i < n; i++) {
            beat(c, rrMs);
        }
        return this;
    }

    /** The P-wave similarity the next beats carry, one value drawn per beat. */
    ScriptedDevice pWaves(DoubleSupplier similarity) {
        this.pWave = similarity;
        return this;
    }

    /** How far the next beats' QRS is from the template's (not ventricular), one value drawn per beat. */
    ScriptedDevice qrsDifferences(DoubleSupplier difference) {
        this.qrsDifference = difference;
        return this;
    }

    /** Whether the next beats' QRS is one of the patient's conducted shapes ({@code conducted_shape}). */
    ScriptedDevice conductedShapes(boolean value) {
        this.conductedShape = value;
        return this;
    }

    /** Lets device time pass without beats, reporting progress every second. */
    ScriptedDevice silence(long ms) {
        advanceTo(timeMs + ms);
        return this;
    }

    /** Sets the device's clock back, as a device that restarted with another time does. */
    ScriptedDevice clockBack(long ms) {
        timeMs -= ms;
        nextProgressMs = timeMs + 1000;
        return this;
    }

    /** Marks the signal from now on unreadable (or readable again). */
    ScriptedDevice unreadable(boolean value) {
        this.unreadable = value;
        return this;
    }

    long timeMs() {
        return timeMs;
    }

    long lastBeatSample() {
        return lastBeatSample;
    }

    static long sampleAt(long timeMs) {
        return Math.round((timeMs - T0) * FS / 1000);
    }

    private void advanceTo(long target) {
        while (nextProgressMs <= target) {
            second.setTimeMs(nextProgressMs).setSampleCount(sampleAt(nextProgressMs))
                    .setDecidedTimeMs(nextProgressMs - 500).setUnreadable(second.getUnreadable() || unreadable);
            progress.pipeInput(id, second.build(), nextProgressMs);
            second = SignalProgress.newBuilder();
            nextProgressMs += 1000;
        }
        timeMs = target;
    }
}
