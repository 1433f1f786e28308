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

    /** The limit that turned a login away. */
    enum Limit {
        USER_AT_ADDRESS, ADDRESS
    }

    /**
     * Counts one login attempt of {@code user} from {@code address} under both of their limits, or
     * under neither: an attempt the address's limit turns away was never checked, so it must not
     * use up the user name's five. Null when counted, else the limit that was full.
     */
    synchronized Limit tryLogin(String user, String address) {
        String userKey = userKey(user, address);
        String addressKey = addressKey(address);
        if (recent(userKey) >= MAX_FAILURES) {
            return Limit.USER_AT_ADDRESS;
        }
        if (recent(addressKey) >= MAX_PER_ADDRESS) {
            return Limit.ADDRESS;
        }
        // Keys are made only for attempts that count: refused ones must not push others' out.
        long now = clock.millis();
        failures.computeIfAbsent(userKey, k -> new ArrayDeque<>()).addLast(now);
        failures.computeIfAbsent(addressKey, k -> new ArrayDeque<>()).addLast(now);
        return null;
    }

    /** How many attempts the key made within the minute; older ones are dropped. */
    private int recent(String key) {
        Deque<Long> times = failures.get(key);
        if (times == null) {
            return 0;
        }
        long now = clock.millis();
        while (!times.isEmpty() && now - times.peekFirst() >= WINDOW_MS) {
            times.pollFirst();
        }
        return times.size();
    }

    /**
     * The user proved the password from the address: that name's failures there no longer count,
     * and the address's attempt is forgiven ({@link #forgiveOne}), not its other failures: logging
     * in with an account of one's own between rounds of guesses would otherwise let one address try
     * a password on every name.
     */
    synchronized void succeeded(String user, String address) {
        failures.remove(userKey(user, address));
        forgiveOne(addressKey(address));
    }

    private static String userKey(String user, String address) {
        return user + '@' + address;
    }

    private static String addressKey(String address) {
        return "*@" + address;
    }

    /**
     * One attempt of the key succeeded: that attempt no longer counts, its failures in the minute
     * still do. For an address, where one user's success says nothing about guesses at other names.
     */
    private void forgiveOne(String key) {
        Deque<Long> times = failures.get(key);
        if (times != null) {
            times.pollLast();
        }
    }
}
