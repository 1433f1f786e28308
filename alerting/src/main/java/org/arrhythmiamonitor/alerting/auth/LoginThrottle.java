package org.arrhythmiamonitor.alerting.auth;

import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Slows password guessing: after {@link #MAX_FAILURES} failed logins for one key (user name and
 * address) within a minute, further attempts are refused until the minute has passed. An attempt
 * counts as it starts and is forgiven when it succeeds, so parallel guesses cannot slip past a
 * count that is not updated yet. Bounded: the keys with the oldest attempts are forgotten first.
 */
final class LoginThrottle {
    static final int MAX_FAILURES = 5;
    /** Attempts per address over every user name: enough for a ward's staff, not for spraying a password. */
    static final int MAX_PER_ADDRESS = 20;
    private static final long WINDOW_MS = 60_000;
    private static final int MAX_NAMES = 10_000;

    private final Clock clock;
    private final Map<String, Deque<Long>> failures = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Deque<Long>> eldest) {
            return size() > MAX_NAMES;
        }
    };

    LoginThrottle(Clock clock) {
        this.clock = clock;
    }

    /** Counts an attempt for the key; false (and not counted) when the key has used {@code max} in the minute. */
    synchronized boolean tryAttempt(String key, int max) {
        Deque<Long> times = failures.computeIfAbsent(key, k -> new ArrayDeque<>());
        long now = clock.millis();
        while (!times.isEmpty() && now - times.peekFirst() >= WINDOW_MS) {
            times.pollFirst();
        }
        if (times.size() >= max) {
            return false;
        }
        times.addLast(now);
        return true;
    }

    /** The key proved the password (a user name and address): its failures no longer count. */
    synchronized void succeeded(String key) {
        failures.remove(key);
    }

    /**
     * One attempt of the key succeeded: that attempt no longer counts, its failures in the minute
     * still do. For an address, where one user's success says nothing about guesses at other names.
     */
    synchronized void forgiveOne(String key) {
        Deque<Long> times = failures.get(key);
        if (times != null) {
            times.pollLast();
        }
    }
}
