package org.arrhythmiamonitor.alerting.auth;

import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Slows password guessing: after {@link #MAX_FAILURES} failed logins for one user name within a
 * minute, further attempts for that name are refused until the minute has passed. Bounded: the
 * names with the oldest failures are forgotten first.
 */
final class LoginThrottle {
    static final int MAX_FAILURES = 5;
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

    synchronized boolean blocked(String username) {
        Deque<Long> times = failures.get(username);
        if (times == null) {
            return false;
        }
        long now = clock.millis();
        while (!times.isEmpty() && now - times.peekFirst() >= WINDOW_MS) {
            times.pollFirst();
        }
        return times.size() >= MAX_FAILURES;
    }

    synchronized void failed(String username) {
        failures.computeIfAbsent(username, u -> new ArrayDeque<>()).addLast(clock.millis());
    }

    synchronized void succeeded(String username) {
        failures.remove(username);
    }
}
