package org.arrhythmiamonitor.inference;

import java.util.ArrayList;
import java.util.List;

/**
 * Collects work items (beats from many devices) into one inference call: the batch is due when it
 * holds {@code maxSize} items or its oldest item has waited {@code maxWaitNanos}. Not thread-safe:
 * one per stream task, used from its thread.
 */
public final class MicroBatch<T> {
    private final int maxSize;
    private final long maxWaitNanos;
    private final List<T> items = new ArrayList<>();
    private long oldestNanos;

    public MicroBatch(int maxSize, long maxWaitNanos) {
        this.maxSize = maxSize;
        this.maxWaitNanos = maxWaitNanos;
    }

    /** Adds an item; true when the batch is now full. */
    public boolean add(T item, long nowNanos) {
        if (items.isEmpty()) {
            oldestNanos = nowNanos;
        }
        items.add(item);
        return items.size() >= maxSize;
    }

    public boolean due(long nowNanos) {
        return !items.isEmpty() && (items.size() >= maxSize || nowNanos - oldestNanos >= maxWaitNanos);
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
