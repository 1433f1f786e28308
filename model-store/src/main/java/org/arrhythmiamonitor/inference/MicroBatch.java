package org.arrhythmiamonitor.inference;

import java.util.ArrayList;
import java.util.List;

/**
 * Collects work items (beats from many devices) into one inference call: the batch is due when it
 * holds {@code maxSize} items or its oldest item has waited {@code maxWait}. Times are whatever
 * clock the caller uses (the stream processor uses its context's wall-clock milliseconds, which
 * tests can advance), in the unit of {@code maxWait}. Not thread-safe: one per stream task, used
 * from its thread.
 */
public final class MicroBatch<T> {
    private final int maxSize;
    private final long maxWait;
    private final List<T> items = new ArrayList<>();
    private long oldestAt;

    public MicroBatch(int maxSize, long maxWait) {
        this.maxSize = maxSize;
        this.maxWait = maxWait;
    }

    /** Adds an item; true when the batch is now full. */
    public boolean add(T item, long now) {
        if (items.isEmpty()) {
            oldestAt = now;
        }
        items.add(item);
        return items.size() >= maxSize;
    }

    public boolean due(long now) {
        return !items.isEmpty() && (items.size() >= maxSize || now - oldestAt >= maxWait);
    }

    public boolean isEmpty() {
        return items.isEmpty();
    }

    public int size() {
        return items.size();
    }

    /** The items, oldest first, and an empty batch. */
    public List<T> drain() {
        List<T> out = new ArrayList<>(items);
        items.clear();
        return out;
    }
}
