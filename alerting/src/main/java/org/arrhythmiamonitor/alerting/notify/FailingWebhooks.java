package org.arrhythmiamonitor.alerting.notify;

import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which webhook subscribers are failing now: every attempt since their last success failed. A pager
 * that stops answering is otherwise seen only in a WARN line and a counter, while escalation goes
 * on paging nobody; {@code /health} names it from this, and the Prometheus rule on dead letters
 * pages the operator.
 */
final class FailingWebhooks {
    /** A subscriber's current run of failed attempts. */
    record Failing(long sinceMs, int failedAttempts, String lastError) {
        Failing next(String error) {
            return new Failing(sinceMs, failedAttempts + 1, error);
        }

        /** As {@code /health} shows it. */
        Map<String, Object> toMap() {
            return Map.of("failingSince", Instant.ofEpochMilli(sinceMs).toString(),
                    "failedAttempts", failedAttempts, "lastError", lastError);
        }
    }

    private final Map<String, Failing> failing = new ConcurrentHashMap<>();

    void succeeded(String subscriber) {
        failing.remove(subscriber);
    }

    void failed(String subscriber, String error, long nowMs) {
        failing.merge(subscriber, new Failing(nowMs, 1, error), (before, first) -> before.next(error));
    }

    /** The failing subscribers by id, in id order; empty while every one answers. */
    Map<String, Failing> snapshot() {
        return new TreeMap<>(failing);
    }
}
