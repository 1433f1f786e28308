package org.arrhythmiamonitor.alerting;

import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Predicate;
import org.arrhythmiamonitor.wire.v1.Alert;

/**
 * The alerts the service knows, one entry per alert id (a re-published alert replaces its earlier
 * version), bounded in size, and listed newest first. Thread-safe: the Kafka consumer writes while
 * HTTP requests read.
 */
public final class AlertBook {
    /** Newest onset first; the id breaks ties so that two alerts never compare equal. */
    private static final Comparator<Alert> NEWEST_FIRST = Comparator
            .comparingLong(Alert::getOnsetTimeMs).reversed()
            .thenComparing(Alert::getAlertId);

    /** What an {@link #upsert} did, so the caller can log new alerts and their ends once. */
    public enum Change { NEW, UPDATED, UNCHANGED }

    private final int capacity;
    private final Map<String, Alert> byId = new HashMap<>();
    private final TreeSet<Alert> ordered = new TreeSet<>(NEWEST_FIRST);

    public AlertBook(int capacity) {
        this.capacity = capacity;
    }

    public synchronized Change upsert(Alert alert) {
        Alert previous = byId.put(alert.getAlertId(), alert);
        if (previous != null) {
            ordered.remove(previous);
        }
        ordered.add(alert);
        while (ordered.size() > capacity) {
            byId.remove(ordered.pollLast().getAlertId());
        }
        if (previous == null) {
            return Change.NEW;
        }
        return previous.equals(alert) ? Change.UNCHANGED : Change.UPDATED;
    }

    /** Up to {@code limit} alerts that pass the filter, newest first. */
    public synchronized List<Alert> newestFirst(Predicate<Alert> filter, int limit) {
        return ordered.stream().filter(filter).limit(limit).toList();
    }

    public synchronized int size() {
        return byId.size();
    }
}
