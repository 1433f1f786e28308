package org.arrhythmiamonitor.inference;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
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
    /** What the last reload check found wrong, so that each problem is logged once. */
    private Map<String, String> reported = Map.of();
    /**
     * How long a failed inference call counts as the model failing. Every stream task shares the
     * registry: a success of one task must not hide another task's failures, so only time clears
     * one.
     */
    static final long FAILURE_HOLD_MS = 60_000;
    /** The latest inference failure, null before any. */
    private final AtomicReference<Failure> failure = new AtomicReference<>();

    private record Failure(String message, long atMs) {
    }

    /**
     * Loads the newest model that can serve now, reporting the card files and newer versions it
     * passed over as a reload would; none that can serve is a {@link ModelException}.
     */
    public ModelRegistry(String name, ModelContract expected, InferenceSettings settings) {
        this.source = settings.source();
        this.name = name;
        this.expected = expected;
        this.settings = settings;
        ModelLoader.Usable usable = ModelLoader.loadNewestUsable(source, name, expected, settings);
        this.model = usable.model();
        report(usable.problems(), "Serving");
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

    /**
     * Records that an inference call on the served model failed at run time (a model that loads
     * and passes its checks can still fail then: the execution provider's memory, a device fault).
     * A failure with none in the {@link #FAILURE_HOLD_MS} before it is logged as an error with its
     * cause; the rest only count (the caller's metrics).
     */
    public void inferenceFailed(RuntimeException cause) {
        inferenceFailed(cause, System.currentTimeMillis());
    }

    void inferenceFailed(RuntimeException cause, long nowMs) {
        String message = cause.getMessage() == null ? cause.toString() : cause.getMessage();
        Failure before = failure.getAndSet(new Failure(message, nowMs));
        if (before == null || nowMs - before.atMs() >= FAILURE_HOLD_MS) {
            LOG.error("Inference with {} fails; beats are forwarded unclassified until it works again",
                    model.card().id(), cause);
        }
    }

    /** Why the latest inference call failed, while the latest failure is under {@link #FAILURE_HOLD_MS} old. */
    public Optional<String> inferenceFailure() {
        return inferenceFailure(System.currentTimeMillis());
    }

    Optional<String> inferenceFailure(long nowMs) {
        Failure latest = failure.get();
        return latest != null && nowMs - latest.atMs() < FAILURE_HOLD_MS ? Optional.of(latest.message())
                : Optional.empty();
    }

    public ModelCard card() {
        return model.card();
    }

    /**
     * Loads the newest model that differs from the current one (version or digest) and passes its
     * checks, walking down the versions above the current one as a start does
     * ({@link ModelLoader#loadNewestUsable}): a refused newest version neither hides a good one below
     * it (which a restart would serve) nor the refusals of the others. It goes no lower than the
     * current version unless that one's card is gone, and then to the newest good one left, as a
     * restart would. Card files that cannot be read are left out, so a stray or half-written one
     * does not hold back a new version; while there is one, the model only moves to a higher
     * version, since the unreadable card may be the current one's being rewritten. Each problem is
     * logged once, when it first appears, and the check is tried again every time: a model still
     * being copied loads once its file is complete.
     *
     * @return whether the model was replaced
     */
    public synchronized boolean reloadIfChanged() {
        ModelCard current = model.card();
        // By what the problem is about, so that one whose message changes is still logged once:
        // a file still being copied has another digest at every check.
        Map<String, String> problems = new LinkedHashMap<>();
        try {
            ModelLoader.Cards cards = ModelLoader.cards(source, name);
            cards.unreadable().forEach((file, why) -> problems.put(ModelLoader.unreadableKey(file, why), why));
            if (cards.cards().isEmpty()) {
                throw cards.none();
            }
            for (ModelCard candidate : cards.newestFirst()) {
                if (candidate.id().equals(current.id()) && candidate.sha256().equals(current.sha256())) {
                    return false;
                }
                if (candidate.parsedVersion().compareTo(current.parsedVersion()) < 0 && !cards.unreadable().isEmpty()) {
                    String why = "not going back to " + candidate.id() + " while " + String.join(", ",
                            cards.unreadable().keySet()) + " cannot be read (it may be the current card being rewritten)";
                    problems.put(why, why);
                    return false;
                }
                try {
                    replace(ModelLoader.load(source, candidate, expected, settings));
                } catch (RuntimeException e) {
                    problems.put(ModelLoader.problemKey(candidate, e), e.getMessage());
                    if (candidate.parsedVersion().compareTo(current.parsedVersion()) == 0) {
                        // The serving version's card rewritten (its file still being copied, say):
                        // keep serving it rather than go back past it.
                        return false;
                    }
                    continue;
                }
                LOG.info("Model {} replaced by {}", current.id(), candidate.id());
                return true;
            }
            return false;
        } catch (RuntimeException e) {
            // Any failure: a scheduled reload that threw would never run again.
            problems.put(String.valueOf(e.getMessage()), String.valueOf(e.getMessage()));
            return false;
        } finally {
            report(problems, "Keeping");
        }
    }

    private void replace(BeatClassifierModel replacement) {
        BeatClassifierModel old;
        lock.writeLock().lock();
        try {
            old = model;
            model = replacement;
        } finally {
            lock.writeLock().unlock();
        }
        try {
            old.close();
        } catch (RuntimeException e) {
            // The new model serves already: reporting the reload as failed would say the old one
            // still does. A session that will not close (a broken one) is only worth a warning.
            LOG.warn("Model {} replaced by {}, but its session could not be closed: {}", old.card().id(),
                    replacement.card().id(), e.getMessage());
        }
    }

    /**
     * What the latest check (the start, then each reload check) found wrong in the model source:
     * card files that cannot be read, and versions refused, with why; as each was first logged.
     */
    public synchronized Collection<String> problems() {
        return List.copyOf(reported.values());
    }

    /**
     * Logs the problems not reported at the last check; one that goes away and comes back is logged again.
     *
     * @param serving how the served model's line begins: "Serving" at the start, "Keeping" on a reload
     */
    private synchronized void report(Map<String, String> problems, String serving) {
        Map<String, String> now = new LinkedHashMap<>();
        problems.forEach((about, message) -> {
            String logged = reported.get(about);
            if (logged == null) {
                LOG.error("{} model {}; in {}: {}", serving, model.card().id(), source.describe(), message);
            }
            now.put(about, logged != null ? logged : message);
        });
        reported = now;
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
