package org.arrhythmiamonitor.episode;

import org.arrhythmiamonitor.rhythm.AfDetector;
import org.arrhythmiamonitor.state.v1.AfState;
import org.arrhythmiamonitor.state.v1.BeatRun;
import org.arrhythmiamonitor.state.v1.EpisodeState;
import org.arrhythmiamonitor.state.v1.HeldRun;
import org.arrhythmiamonitor.state.v1.PatternRun;
import org.arrhythmiamonitor.wire.v1.BeatClass;

/**
 * Runs of ectopic beats and the patterns they form:
 * <ul>
 *   <li>consecutive V beats: 2 are a couplet; 3 or more faster than {@code ventricularRateBpm} a
 *       ventricular run (NSVT), and from {@code vtBeats} ventricular tachycardia, sustained from
 *       {@code sustainedVtS}; 3 not faster a triplet, 4 or more a slow (idioventricular) run;</li>
 *   <li>{@code svtBeats} or more consecutive S beats faster than {@code svtRateBpm}, at a regular
 *       rate and outside an irregular rhythm: an SVT run;</li>
 *   <li>{@code patternCycles} N-V cycles in a row: bigeminy; N-N-V cycles: trigeminy.</li>
 * </ul>
 * Each run is reported once, by what it finally is: a run that becomes VT is not also reported as
 * a couplet, because short runs are reported when they end. VT runs and the patterns are reported
 * as soon as they qualify (their alert must not wait for the end) and again when they end. SVT
 * runs are reported from their {@value #SVT_CONFIRM_BEATS}th beat (or their
 * {@value #SVT_HOLD_BEATS}th, when their intervals spread wider by then) and again when they end;
 * a shorter one is held until the rhythm after it shows that it was not the start of AF, then
 * reported once, ended (low priority: the wait costs little and spares a false alert at most AF
 * onsets). An unreadable beat ends every run that has not yet qualified: noise imitates ectopic
 * beats. A qualified one, reported or held, outlives noise shorter than {@code noiseMinS}, the time
 * noise takes to raise its own alert: a VT with one noisy beat in it is one VT, with one alarm, not
 * two. The beats in noise do not count, and the run goes on if the first readable beat after them
 * continues it. Beats the model could not classify ({@link BeatEvent#classified}) are taken the
 * same way: a VT under way is not ended by the first beat of an inference failure, only by one
 * longer than {@code noiseMinS}.
 */
final class EctopicRuns {
    /**
     * An SVT is regular (re-entry or one ectopic focus); S-labelled beats whose intervals spread
     * wider than this are conducted atrial fibrillation or a mix of premature beats, not an SVT run.
     */
    static final double SVT_MAX_RR_SPREAD = 1.25;
    /**
     * Beats from which a regular SVT run is published while it goes on. The first beats of AF
     * after a slower rhythm are all clearly early and have no P wave, so they are reported S, and
     * two or three of AF's random intervals are often within {@link #SVT_MAX_RR_SPREAD} of each
     * other (about half of the time for intervals spread evenly over 37.5 % either side of their
     * mean), seven seldom (0.4 %). A run that qualifies with fewer beats is held
     * ({@code BeatRun.held}): reported once it reaches this many, or, when it ends shorter, once the
     * rhythm after it has shown whether it was the start of AF ({@link #SVT_HOLD_BEATS}).
     */
    static final int SVT_CONFIRM_BEATS = 8;
    /**
     * Readable beats from a held run's first beat before it is reported, unless AF is entered with
     * its onset dated at or before the run's last beat first, which drops it. The AF detector enters
     * once about 25 of its window's 31 differences are AF's; on the AF records of 20 synthetic
     * seeds ({@code monitor synth --profiles af}) holding for 32 beats left 9 false SVT runs, 40
     * left 7, and 48 no fewer.
     */
    static final int SVT_HOLD_BEATS = 40;
    /** Most held runs kept; the oldest is reported early when more end. */
    private static final int MAX_HELD_RUNS = 16;
    /** Slow V beats in a row from which they are an idioventricular run, not a couplet or triplet. */
    private static final int IDIOVENTRICULAR_BEATS = 4;
    private EctopicRuns() {
    }

    /**
     * @param reported the class the beat is reported with ({@link ReportedClass}), which the SVT
     *        rule reads; the ventricular rules and the patterns read the classifier's
     */
    static void onBeat(EpisodeState.Builder state, BeatEvent beat, BeatClass reported, EpisodeRules rules,
            EpisodeOutput out) {
        String device = beat.deviceId();
        heldRuns(state, device, out);
        if (beat.timeMs() - lastReportedBeatMs(state) > rules.noiseMinS() * 1000) {
            // Noise (or a gap) too long to say the reported episodes went on through it.
            endAll(state, device, rules, out);
        }
        if (!beat.classified()) {
            if (!state.getVentricular().getOpen()) {
                endVentricular(state, device, rules, out);
            }
            if (!state.getSupraventricular().getOpen()) {
                state.clearSupraventricular();
            }
            if (!state.getBigeminy().getRun().getOpen()) {
                state.clearBigeminy();
            }
            if (!state.getTrigeminy().getRun().getOpen()) {
                state.clearTrigeminy();
            }
            if (state.getBigeminy().getCycles() == 0 && state.getTrigeminy().getCycles() == 0) {
                state.setNormalsSinceVentricular(0);
            }
            return;
        }
        BeatClass c = beat.beatClass();
        if (c == BeatClass.V) {
            BeatRun run = state.getVentricular();
            BeatRun.Builder grown = run.getBeats() == 0 ? Episodes.runFrom(beat.sample(), beat.timeMs())
                    : withBeat(run, state, beat);
            withFastTail(grown, run, state, beat, rules);
            if (!grown.getOpen() && grown.getFastBeats() >= rules.vtBeats() && grown.getFastBeats() < grown.getBeats()
                    && Episodes.rateBpm(grown) <= rules.ventricularRateBpm()) {
                grown = splitAtFastTail(grown, device, rules, out);
            }
            if (!grown.getOpen() && grown.getBeats() >= rules.vtBeats()
                    && Episodes.rateBpm(grown) > rules.ventricularRateBpm()) {
                grown.setOpen(true);
                out.episode(Episodes.ofRun(device, EpisodeType.VENTRICULAR_TACHYCARDIA, grown.build(), false, ""));
            }
            state.setVentricular(grown);
        } else {
            endVentricular(state, device, rules, out);
        }
        // The SVT rule reads the reported class: within a few beats of an SVT the local mean
        // interval follows the run's own rate, and the model, which reads intervals against it,
        // calls the rest N; ReportedClass carries such beats on as S while they stay clearly
        // short against the rate before the run. On the model's S calls, runs broke every few
        // beats (held out, SVT duration Se 11 %, 74 % on the reported class).
        // S beats in an irregular rhythm are AF conducted with varying RR, which the beat model
        // calls S for their prematurity; SVT is regular, so they start no SVT run. Nor does an S
        // call on a beat that did not come early: an SVT begins abruptly, with a premature beat,
        // while the model calls some beats of a steady sinus tachycardia S, which made SVT runs
        // 13-20 s into one.
        // A beat with the patient's usual P wave does not count before the run has qualified:
        // ReportedClass carries such beats on in an S run for 30 s, so one premature beat at the
        // start of a sinus tachycardia made a 30 s SVT run of it.
        // A V call reported S (on a conducted shape, clearly early) does count, though the
        // ventricular rules count it too: held out, the models call stretches of 209's SVT V, and
        // leaving them out lowered SVT duration Se from 74 to 53 % while they raised a VT anyway.
        // A VT of a conducted QRS shape (bundle branch re-entry, rare) then raises an SVT run too.
        boolean sRunGoesOn = state.getSupraventricular().getBeats() > 0;
        boolean sinusPWave = !state.getSupraventricular().getOpen()
                && beat.pWaveSimilarity() >= AfDetector.USUAL_P_WAVE;
        if (reported == BeatClass.S && !sinusPWave && !AfDetector.irregular(state.getAf())
                && (sRunGoesOn || beat.premature() || ReportedClass.earlyForThePatient(beat))) {
            BeatRun run = state.getSupraventricular();
            BeatRun.Builder grown = run.getBeats() == 0 ? Episodes.runFrom(beat.sample(), beat.timeMs())
                    : withBeat(run, state, beat);
            if (!grown.getOpen() && grown.getBeats() >= rules.svtBeats()
                    && Episodes.rateBpm(grown) > rules.svtRateBpm()
                    && Episodes.rrSpread(grown) <= SVT_MAX_RR_SPREAD) {
                grown.setOpen(true).setHeld(true);
            }
            if (grown.getHeld() && confirmed(grown)) {
                grown.setHeld(false);
                out.episode(Episodes.ofRun(device, EpisodeType.SVT_RUN, grown.build(), false, ""));
            }
            state.setSupraventricular(grown);
        } else {
            endSupraventricular(state, device, out);
        }
        patterns(state, beat, rules, out);
    }

    /**
     * Whether a held SVT run that goes on is an SVT now: still regular at
     * {@link #SVT_CONFIRM_BEATS}, or as long as a held run waits ({@link #SVT_HOLD_BEATS}), outside
     * AF all the while; the spread only grows, so one odd early interval would hold it to its end.
     */
    private static boolean confirmed(BeatRun.Builder run) {
        return run.getBeats() >= SVT_HOLD_BEATS
                || run.getBeats() >= SVT_CONFIRM_BEATS && Episodes.rrSpread(run) <= SVT_MAX_RR_SPREAD;
    }

    /** The run with this beat: grown by its interval, or taken on without one after noise. */
    private static BeatRun.Builder withBeat(BeatRun run, EpisodeState.Builder state, BeatEvent beat) {
        return state.getPreviousReadable() ? Episodes.grow(run, beat.sample(), beat.timeMs(), beat.rrMs())
                : Episodes.resume(run, beat.sample(), beat.timeMs());
    }

    /** The last beat of the reported runs and patterns, or the latest possible time when none is open. */
    private static long lastReportedBeatMs(EpisodeState.Builder state) {
        return Math.min(Math.min(lastIfOpen(state.getVentricular()), lastIfOpen(state.getSupraventricular())),
                Math.min(lastIfOpen(state.getBigeminy().getRun()), lastIfOpen(state.getTrigeminy().getRun())));
    }

    private static long lastIfOpen(BeatRun run) {
        return run.getOpen() ? run.getLastTimeMs() : Long.MAX_VALUE;
    }

    /**
     * Ends every run and pattern at its last beat: the signal can no longer tell whether it goes on.
     * Held SVT runs are reported: nor can it tell any more whether the rhythm after them turns
     * irregular.
     */
    static void endAll(EpisodeState.Builder state, String device, EpisodeRules rules, EpisodeOutput out) {
        endVentricular(state, device, rules, out);
        endSupraventricular(state, device, out);
        releaseHeld(state, device, Long.MAX_VALUE, out);
        endPattern(state.getBigeminy(), device, EpisodeType.BIGEMINY, out);
        endPattern(state.getTrigeminy(), device, EpisodeType.TRIGEMINY, out);
        state.clearBigeminy().clearTrigeminy().setNormalsSinceVentricular(0);
    }

    /**
     * Keeps the run's fast tail ({@code BeatRun.fast_beats}): its latest intervals in a row faster
     * than the ventricular rate, from the beat that began the first of them. A beat taken on after
     * noise, without an interval, ends it.
     */
    private static void withFastTail(BeatRun.Builder grown, BeatRun before, EpisodeState.Builder state,
            BeatEvent beat, EpisodeRules rules) {
        boolean fast = before.getBeats() > 0 && state.getPreviousReadable() && beat.rrMs() > 0
                && 60_000.0 / beat.rrMs() > rules.ventricularRateBpm();
        if (!fast) {
            grown.clearFastBeats().clearFastRrSumMs().clearFastOnsetSample().clearFastOnsetTimeMs();
        } else if (before.getFastBeats() == 0) {
            grown.setFastBeats(2).setFastRrSumMs(beat.rrMs()).setFastOnsetSample(before.getLastSample())
                    .setFastOnsetTimeMs(before.getLastTimeMs());
        } else {
            grown.setFastBeats(before.getFastBeats() + 1).setFastRrSumMs(before.getFastRrSumMs() + beat.rrMs());
        }
    }

    /**
     * A run slow as a whole whose fast tail has become long enough for a ventricular tachycardia:
     * the tail goes on as the run, with its own onset and rate, so that a VT after a slow
     * ventricular rhythm (an escape or idioventricular rhythm) is raised at its {@code vtBeats}-th
     * beat. Averaged with the slow beats it was raised only once the fast ones outweighed them,
     * after 38 beats following 10 escape beats at 35 a minute, with its onset at the first escape
     * beat. The slow part, up to the beat that began the tail, is reported as the run it was when
     * it is long enough to be an idioventricular run; shorter, it was the VT's lead-in.
     */
    private static BeatRun.Builder splitAtFastTail(BeatRun.Builder grown, String device, EpisodeRules rules,
            EpisodeOutput out) {
        int tailIntervals = grown.getFastBeats() - 1;
        BeatRun slow = grown.clone().setBeats(grown.getBeats() - tailIntervals)
                .setLastSample(grown.getFastOnsetSample()).setLastTimeMs(grown.getFastOnsetTimeMs())
                .setIntervals(Math.max(0, grown.getIntervals() - tailIntervals))
                .setRrSumMs(Math.max(0, grown.getRrSumMs() - grown.getFastRrSumMs()))
                .clearFastBeats().clearFastRrSumMs().clearFastOnsetSample().clearFastOnsetTimeMs().build();
        if (slow.getBeats() >= IDIOVENTRICULAR_BEATS) {
            reportEnded(slow, device, rules, out);
        }
        return Episodes.runFrom(grown.getFastOnsetSample(), grown.getFastOnsetTimeMs())
                .setBeats(grown.getFastBeats()).setIntervals(tailIntervals).setRrSumMs(grown.getFastRrSumMs())
                .setLastSample(grown.getLastSample()).setLastTimeMs(grown.getLastTimeMs())
                .setFastBeats(grown.getFastBeats()).setFastRrSumMs(grown.getFastRrSumMs())
                .setFastOnsetSample(grown.getFastOnsetSample()).setFastOnsetTimeMs(grown.getFastOnsetTimeMs());
    }

    private static void endVentricular(EpisodeState.Builder state, String device, EpisodeRules rules,
            EpisodeOutput out) {
        BeatRun run = state.getVentricular();
        state.clearVentricular();
        reportEnded(run, device, rules, out);
    }

    /** A ventricular run that ended, reported by what it finally was. */
    private static void reportEnded(BeatRun run, String device, EpisodeRules rules, EpisodeOutput out) {
        if (run.getBeats() < 2) {
            return;
        }
        double rate = Episodes.rateBpm(run);
        boolean fast = rate > rules.ventricularRateBpm();
        if (run.getOpen()) {
            boolean sustained = run.getLastTimeMs() - run.getOnsetTimeMs() >= rules.sustainedVtS() * 1000;
            out.episode(Episodes.ofRun(device, EpisodeType.VENTRICULAR_TACHYCARDIA, run, true,
                    sustained ? "sustained" : "non-sustained"));
        } else if (run.getBeats() == 2) {
            out.episode(Episodes.ofRun(device, EpisodeType.COUPLET, run, true, ""));
        } else if (run.getBeats() == 3 && !fast) {
            out.episode(Episodes.ofRun(device, EpisodeType.TRIPLET, run, true, ""));
        } else if (fast) {
            out.episode(Episodes.ofRun(device, EpisodeType.VENTRICULAR_RUN, run, true,
                    "non-sustained ventricular tachycardia"));
        } else {
            // Not NSVT, which needs more than the ventricular rate: usually an escape or accelerated
            // idioventricular rhythm, worth seeing but not worth a medium-priority call.
            out.episode(Episodes.ofRun(device, EpisodeType.IDIOVENTRICULAR_RUN, run, true, ""));
        }
    }

    /**
     * Ends the SVT run. A published one is reported ended; a held one is held on until
     * {@link #SVT_HOLD_BEATS} readable beats from its first have passed.
     */
    private static void endSupraventricular(EpisodeState.Builder state, String device, EpisodeOutput out) {
        BeatRun run = state.getSupraventricular();
        state.clearSupraventricular();
        if (!run.getOpen()) {
            return;
        }
        if (!run.getHeld()) {
            reportSvtEnded(run, device, out);
            return;
        }
        if (state.getHeldSvtRunsCount() >= MAX_HELD_RUNS) {
            releaseFirstHeld(state, device, out);
        }
        long release = state.getAf().getBeatNumber() + Math.max(1, SVT_HOLD_BEATS - run.getBeats());
        state.addHeldSvtRuns(HeldRun.newBuilder().setRun(run.toBuilder().setHeld(false)).setReleaseBeat(release));
    }

    /**
     * Held SVT runs on a new beat: those that AF, now entered, is dated to have begun by the end of
     * are dropped (they were its first beats); those due are reported.
     */
    private static void heldRuns(EpisodeState.Builder state, String device, EpisodeOutput out) {
        if (state.getHeldSvtRunsCount() == 0) {
            return;
        }
        AfState af = state.getAf();
        if (AfDetector.inAf(af)) {
            BeatRun segment = af.getSegment();
            for (int i = state.getHeldSvtRunsCount() - 1; i >= 0; i--) {
                BeatRun run = state.getHeldSvtRuns(i).getRun();
                // Only when sample and time agree: a device clock set back moves time back while
                // samples go on, and a restarted detection numbers samples afresh.
                if (segment.getOnsetSample() <= run.getLastSample() && segment.getOnsetTimeMs() <= run.getLastTimeMs()) {
                    state.removeHeldSvtRuns(i);
                }
            }
        }
        releaseHeld(state, device, af.getBeatNumber(), out);
    }

    /**
     * At the end of a recording ({@code monitor eval}): the held runs are reported as a device that
     * falls silent reports them, and a held run still going on as going on, as every other run
     * still going on at the end is.
     */
    static void reportHeld(EpisodeState.Builder state, String device, EpisodeOutput out) {
        releaseHeld(state, device, Long.MAX_VALUE, out);
        BeatRun run = state.getSupraventricular();
        if (run.getOpen() && run.getHeld()) {
            state.setSupraventricular(run.toBuilder().setHeld(false));
            out.episode(Episodes.ofRun(device, EpisodeType.SVT_RUN, run, false, ""));
        }
    }

    /** Reports the held SVT runs due by {@code beatNumber}, ended. */
    private static void releaseHeld(EpisodeState.Builder state, String device, long beatNumber, EpisodeOutput out) {
        while (state.getHeldSvtRunsCount() > 0 && state.getHeldSvtRuns(0).getReleaseBeat() <= beatNumber) {
            releaseFirstHeld(state, device, out);
        }
    }

    private static void releaseFirstHeld(EpisodeState.Builder state, String device, EpisodeOutput out) {
        reportSvtEnded(state.getHeldSvtRuns(0).getRun(), device, out);
        state.removeHeldSvtRuns(0);
    }

    private static void reportSvtEnded(BeatRun run, String device, EpisodeOutput out) {
        out.episode(Episodes.ofRun(device, EpisodeType.SVT_RUN, run, true, ""));
    }

    /**
     * Bigeminy counts V beats that follow exactly one N beat, trigeminy V beats that follow exactly
     * two; the N beat(s) before the first such V belong to the first cycle.
     */
    private static void patterns(EpisodeState.Builder state, BeatEvent beat, EpisodeRules rules, EpisodeOutput out) {
        String device = beat.deviceId();
        int normals = state.getNormalsSinceVentricular();
        if (beat.beatClass() == BeatClass.V) {
            state.setBigeminy(cycle(state.getBigeminy(), normals, 1, state, beat, EpisodeType.BIGEMINY, rules, out));
            state.setTrigeminy(cycle(state.getTrigeminy(), normals, 2, state, beat, EpisodeType.TRIGEMINY, rules,
                    out));
            state.setNormalsSinceVentricular(0);
        } else if (beat.beatClass() == BeatClass.N) {
            normals++;
            state.setNormalsSinceVentricular(normals);
            state.setBigeminy(extend(state.getBigeminy(), normals, 1, state, beat, EpisodeType.BIGEMINY, out));
            state.setTrigeminy(extend(state.getTrigeminy(), normals, 2, state, beat, EpisodeType.TRIGEMINY, out));
        } else {
            endPattern(state.getBigeminy(), device, EpisodeType.BIGEMINY, out);
            endPattern(state.getTrigeminy(), device, EpisodeType.TRIGEMINY, out);
            state.clearBigeminy().clearTrigeminy().setNormalsSinceVentricular(0);
        }
    }

    /** A V beat after {@code normals} N beats, for a pattern of {@code perCycle} N beats per V. */
    private static PatternRun cycle(PatternRun pattern, int normals, int perCycle, EpisodeState.Builder state,
            BeatEvent beat, EpisodeType type, EpisodeRules rules, EpisodeOutput out) {
        if (normals < perCycle || (normals > perCycle && pattern.getCycles() > 0)) {
            endPattern(pattern, beat.deviceId(), type, out);
            pattern = PatternRun.getDefaultInstance();
            if (normals < perCycle) {
                return pattern;
            }
        }
        PatternRun.Builder next = pattern.toBuilder();
        if (pattern.getCycles() == 0) {
            // The cycle opens with the N beat before this V.
            next.setRun(Episodes.runFrom(state.getPreviousSample(), state.getPreviousTimeMs()));
        }
        BeatRun run = next.getRun();
        next.setCycles(pattern.getCycles() + 1)
                .setRun(withBeat(run, state, beat));
        if (!run.getOpen() && next.getCycles() >= rules.patternCycles()) {
            next.setRun(next.getRun().toBuilder().setOpen(true));
            out.episode(Episodes.ofRun(beat.deviceId(), type, next.getRun(), false, ""));
        }
        return next.build();
    }

    /** An N beat: part of the pattern while the N count stays within a cycle, otherwise its end. */
    private static PatternRun extend(PatternRun pattern, int normals, int perCycle, EpisodeState.Builder state,
            BeatEvent beat, EpisodeType type,
            EpisodeOutput out) {
        if (pattern.getCycles() == 0) {
            return pattern;
        }
        if (normals > perCycle) {
            endPattern(pattern, beat.deviceId(), type, out);
            return PatternRun.getDefaultInstance();
        }
        return pattern.toBuilder().setRun(withBeat(pattern.getRun(), state, beat))
                .build();
    }

    private static void endPattern(PatternRun pattern, String device, EpisodeType type, EpisodeOutput out) {
        if (pattern.getRun().getOpen()) {
            out.episode(Episodes.ofRun(device, type, pattern.getRun(), true, pattern.getCycles() + " cycles"));
        }
    }
}
