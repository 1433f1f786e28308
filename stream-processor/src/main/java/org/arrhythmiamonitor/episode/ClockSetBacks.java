package org.arrhythmiamonitor.episode;

import java.util.List;
import org.arrhythmiamonitor.state.v1.ClockSetBack;

/**
 * How long a stretch of a device's stream lasted when its clock went back inside it (a time sync
 * while it streamed, which the gateway accepts): device time gives the end minus the onset, short
 * by every step back in between. The episode rules note each step at the beat where it happened
 * ({@code AfState.clock_set_backs}, the latest few), and the durations and rates they report add
 * those back: an hour back inside 90 s of AF at 100 a minute read "ended after 30 s" at 151 a minute.
 */
public final class ClockSetBacks {
    private ClockSetBacks() {
    }

    /** The milliseconds the clock went back at beats after {@code fromSample}, up to {@code toSample}. */
    public static long addedBackMs(List<ClockSetBack> backs, long fromSample, long toSample) {
        long added = 0;
        for (ClockSetBack back : backs) {
            if (back.getSample() > fromSample && back.getSample() <= toSample) {
                added += back.getBackMs();
            }
        }
        return added;
    }
}
