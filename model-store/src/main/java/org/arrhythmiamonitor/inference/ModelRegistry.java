package org.arrhythmiamonitor.inference;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The model the stream uses now. When a new version appears in the model directory it is loaded
 * and checked beside the old one and then takes its place between two batches, so the stream never
 * stops; a new version that fails its checks is reported and the old one stays.
 */
public final class ModelRegistry implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ModelRegistry.class);

    private final ModelSource source;
    private final String name;
    private final ModelContract expected;
    private final InferenceSettings settings;
    /** Inference holds the read lock, so a replaced session is closed only once no batch runs on it. */
    private final ReadWriteLock lock = new ReentrantReadWriteLock();
    private volatile BeatClassifierModel model;
    private ScheduledExecutorService watcher;

    /** Loads the newest model now; a missing or mismatched model is a {@link ModelException}. */
    public ModelRegistry(String name, ModelContract expected, InferenceSettings settings) {
        this.source = settings.source();
        this.name = name;
        this.expected = expected;
        this.settings = settings;
        this.model = ModelLoader.load(source, name, expected, settings);
        if (!settings.reloadInterval().isZero() && settings.modelDirectory() != null) {
            long every = settings.reloadInterval().toMillis();
            watcher = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "model-reload-" + name);
                t.setDaemon(true);
                return t;
            });
            watcher.scheduleWithFixedDelay(this::reloadIfChanged, every, every, TimeUnit.MILLISECONDS);
        }
    }

    /** Runs {@code inference} on the current model; a reload waits until it is done. */
    public <T> T withModel(Function<BeatClassifierModel, T> inference) {
        lock.readLock().lock();
        try {
            return inference.apply(model);
        } finally {
            lock.readLock().unlock();
        }
    }

    public ModelCard card() {
        return model.card();
    }

    /**
     * Loads the newest model if it differs from the current one (version or digest).
     *
     * @return whether the model was replaced
     */
    public boolean reloadIfChanged() {
        ModelCard current = model.card();
        try {
            ModelCard newest = ModelLoader.newestCard(source, name);
            if (newest.id().equals(current.id()) && newest.sha256().equals(current.sha256())) {
                return false;
            }
            BeatClassifierModel replacement = ModelLoader.load(source, newest, expected, settings);
            BeatClassifierModel old;
            lock.writeLock().lock();
            try {
                old = model;
                model = replacement;
            } finally {
                lock.writeLock().unlock();
            }
            old.close();
            LOG.info("Model {} replaced by {}", current.id(), newest.id());
            return true;
        } catch (RuntimeException e) {
            // Any failure: a scheduled reload that threw would never run again.
            LOG.error("Keeping model {}: the new one in {} cannot be used: {}", current.id(), source.describe(),
                    e.getMessage());
            return false;
        }
    }

    @Override
    public void close() {
        if (watcher != null) {
            watcher.shutdownNow();
        }
        lock.writeLock().lock();
        try {
            model.close();
        } finally {
            lock.writeLock().unlock();
        }
    }
}
