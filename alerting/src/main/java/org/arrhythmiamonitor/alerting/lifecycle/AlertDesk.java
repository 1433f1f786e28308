package org.arrhythmiamonitor.alerting.lifecycle;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.arrhythmiamonitor.wire.v1.Alert;
import org.arrhythmiamonitor.wire.v1.AlertRecord;
import org.arrhythmiamonitor.wire.v1.AlertState;
import org.arrhythmiamonitor.wire.v1.Delivery;
import org.arrhythmiamonitor.wire.v1.DeliveryState;
import org.arrhythmiamonitor.wire.v1.Priority;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where every alert change happens, one at a time, on one thread: the change is proposed by the
 * {@link AlertLedger}, stored by the {@link AlertStore}, and only then applied and announced (to
 * live dashboards and to the webhook notifier). A change Kafka does not store is not made, and the
 * caller gets an {@link AlertStoreException}.
 *
 * <p>One thread keeps the lifecycle free of races (an acknowledgement and an escalation of the
 * same alert cannot interleave) at a throughput far above what alerts need: a save is a few
 * milliseconds.
 */
public final class AlertDesk implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AlertDesk.class);
    private static final Logger ALERTS = LoggerFactory.getLogger("ALERTS");

    /** Receives pending webhook deliveries once the record that holds them is stored. */
    public interface DeliverySink {
        void deliver(AlertRecord record, String deliveryId, Delivery delivery);
    }

    private final AlertLedger ledger;
    private final AlertStore store;
    private final Clock clock;
    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "alert-desk");
        t.setDaemon(true);
        return t;
    });
    private final List<Consumer<AlertRecord>> listeners = new CopyOnWriteArrayList<>();
    private volatile DeliverySink deliveries = (record, id, delivery) -> { };
    private static final int EXPIRE_BATCH = 2000;
    private final MeterRegistry registry;
    private final Counter failedAlerts;
    private final Counter escalations;
    /** Desk thread only: delivery outcomes waiting to be stored together. */
    private final List<Outcome> outcomes = new ArrayList<>();
    private boolean outcomeFlushQueued;

    public AlertDesk(AlertLedger ledger, AlertStore store, Clock clock, MeterRegistry registry) {
        this.ledger = ledger;
        this.store = store;
        this.clock = clock;
        this.registry = registry;
        // At zero from the start, so a Prometheus rule on its increase sees the first one.
        this.failedAlerts = Counter.builder("ecg.alerts.failed")
                .description("Alerts the lifecycle could not take, written to the dead-letter topic")
                .register(registry);
        this.escalations = Counter.builder("ecg.alerts.escalations")
                .description("Escalations of unacknowledged alerts to the on-call roster").register(registry);
        for (Priority priority : Priorities.ALL) {
            for (AlertState state : Priorities.STATES) {
                Gauge.builder("ecg.alerts.current", ledger, l -> l.count(priority, state))
                        .description("Alerts the service holds, by priority and state")
                        .tags("priority", Priorities.name(priority), "state", Priorities.name(state))
                        .register(registry);
            }
        }
    }

    /** Takes what the store holds as the current state; at start, before anything else runs. */
    public int restore(List<AlertRecord> records) {
        return call(() -> {
            records.forEach(ledger::restore);
            ledger.evictToCapacity();
            return records.size();
        }).join();
    }

    public void onChange(Consumer<AlertRecord> listener) {
        listeners.add(listener);
    }

    public void deliverTo(DeliverySink sink) {
        this.deliveries = sink;
    }

    /**
     * Deletes the alerts closed longer ago than {@code retain} from the store and from memory, a
     * few thousand per transaction; returns how many.
     */
    public CompletableFuture<Integer> expire(Duration retain) {
        return call(() -> {
            List<String> ids = ledger.closedBefore(now() - retain.toMillis());
            for (int from = 0; from < ids.size(); from += EXPIRE_BATCH) {
                List<String> batch = ids.subList(from, Math.min(ids.size(), from + EXPIRE_BATCH));
                store.delete(batch);
                ledger.forgetDeleted(batch);
            }
            if (!ids.isEmpty()) {
                LOG.info("Deleted {} alerts closed more than {} days ago", ids.size(), retain.toDays());
            }
            return ids.size();
        });
    }

    /** Sends again every delivery still pending in the store (after a restart). */
    public CompletableFuture<Integer> resumePendingDeliveries() {
        return call(() -> {
            int resumed = 0;
            for (AlertRecord record : ledger.withPendingDeliveries()) {
                for (var entry : inOrder(record)) {
                    if (entry.getValue().getState() == DeliveryState.PENDING) {
                        deliveries.deliver(record, entry.getKey(), entry.getValue());
                        resumed++;
                    }
                }
            }
            return resumed;
        });
    }

    /** An alert the lifecycle could not take (a record too large for Kafka, a bug), and why. */
    public record Unprocessable(Alert alert, String reason) {
    }

    /** What a batch of alerts changed, and the alerts of it that could not be taken. */
    public record Received(List<AlertRecord> changed, List<Unprocessable> unprocessable) {
    }

    /**
     * Alerts from {@code ecg.alerts}, in order; completes when their changes are stored, all in
     * one transaction (one per alert would cap the service near a hundred alerts a second). The
     * alerts it could not take are returned, not dead-lettered here: the caller writes them to the
     * dead-letter topic before it commits their offsets, and only once the batch is stored, so a
     * batch read again during an outage does not dead-letter them again.
     */
    public CompletableFuture<Received> receive(List<Alert> alerts) {
        return call(() -> {
            List<AlertRecord> changed = new ArrayList<>();
            List<Unprocessable> unprocessable = new ArrayList<>();
            // A bug or an alert the rules cannot take must not stop every later alert.
            for (List<AlertRecord> stored : storeAll(alerts, alert -> ledger.onAlert(alert, now()),
                    (alert, e) -> unprocessable.add(skip(alert, e)))) {
                if (stored != null) {
                    changed.addAll(stored);
                }
            }
            return new Received(changed, unprocessable);
        });
    }

    /**
     * Proposes and stores the changes of every item in one transaction, and returns what was
     * stored per item (null for an item that failed, which {@code failed} was told about). When one
     * item's record is too large for Kafka, the items are stored one by one, so that only it
     * fails. Any other store failure is thrown: nothing, or only some whole items, were stored.
     */
    private <T> List<List<AlertRecord>> storeAll(List<T> items, Function<T, List<AlertRecord>> propose,
            BiConsumer<T, RuntimeException> failed) {
        List<List<AlertRecord>> stored = new ArrayList<>(Collections.nCopies(items.size(), null));
        Batch batch = new Batch();
        for (int i = 0; i < items.size(); i++) {
            try {
                List<AlertRecord> proposed = propose.apply(items.get(i));
                batch.stage(proposed);
                stored.set(i, proposed);
            } catch (RuntimeException e) {
                failed.accept(items.get(i), e);
            }
        }
        try {
            batch.commit();
            return stored;
        } catch (AlertStoreException e) {
            if (!e.tooLarge()) {
                throw e;
            }
        }
        for (int i = 0; i < items.size(); i++) {
            if (stored.get(i) == null) {
                continue;
            }
            try {
                List<AlertRecord> proposed = propose.apply(items.get(i));
                commit(proposed);
                stored.set(i, proposed);
            } catch (AlertStoreException e) {
                if (!e.tooLarge()) {
                    throw e;
                }
                stored.set(i, null);
                failed.accept(items.get(i), e);
            } catch (RuntimeException e) {
                stored.set(i, null);
                failed.accept(items.get(i), e);
            }
        }
        return stored;
    }

    public CompletableFuture<AlertRecord> acknowledge(String alertId, String user, String note) {
        return call(() -> {
            List<AlertRecord> changes = ledger.acknowledge(alertId, user, note, now());
            commit(changes);
            AlertRecord record = changes.get(0);
            Timer.builder("ecg.alerts.time_to_acknowledge")
                    .description("From the alert's arrival to its acknowledgement")
                    .tag("priority", Priorities.name(record.getAlert().getPriority()))
                    .publishPercentileHistogram()
                    .register(registry)
                    .record(Duration.ofMillis(Math.max(0, record.getAcknowledgedAtMs() - record.getRaisedAtMs())));
            return record;
        });
    }

    public CompletableFuture<AlertRecord> resolve(String alertId, String user, String note) {
        return call(() -> {
            List<AlertRecord> changes = ledger.resolve(alertId, user, note, now());
            commit(changes);
            return changes.get(0);
        });
    }

    private Unprocessable skip(Alert alert, RuntimeException e) {
        failedAlerts.increment();
        LOG.error("Alert {} could not be taken; it goes to the dead-letter topic: {}", alert.getAlertId(), e.toString(),
                e);
        return new Unprocessable(alert, e.toString());
    }

    /**
     * Escalates every alert whose time is up; a timer calls it every second, tests after moving
     * their clock. Each escalation is stored on its own, so one that fails does not hold up the
     * others; it is tried again at the next tick.
     */
    public CompletableFuture<List<AlertRecord>> tick() {
        return call(() -> {
            List<AlertRecord> escalated = new ArrayList<>();
            for (AlertRecord record : ledger.escalationsDue(now())) {
                try {
                    commit(List.of(record));
                } catch (AlertStoreException e) {
                    if (!e.tooLarge()) {
                        // Kafka is down or slow: the others would wait as long; all are tried at the next tick.
                        LOG.warn("Escalation of {} not stored, trying again at the next tick: {}",
                                record.getAlert().getAlertId(), e.getMessage());
                        break;
                    }
                    LOG.error("Escalation of {} cannot be stored: {}", record.getAlert().getAlertId(), e.getMessage());
                    continue;
                }
                escalated.add(record);
                escalations.increment();
                ALERTS.warn("[{}] {} device={} not acknowledged: escalated to level {} ({})",
                        record.getAlert().getPriority(), record.getAlert().getType(), record.getAlert().getDeviceId(),
                        record.getEscalationLevel(), record.getEscalatedTo());
            }
            return escalated;
        });
    }

    private record Outcome(String alertId, String deliveryId, DeliveryState state, int attempts, String error,
            CompletableFuture<Optional<AlertRecord>> result) {
    }

    /**
     * Stores a webhook delivery's outcome. Outcomes that arrive while the desk is busy are stored
     * together in one transaction: under load there is one for every alert.
     */
    public CompletableFuture<Optional<AlertRecord>> deliveryOutcome(String alertId, String deliveryId,
            DeliveryState state, int attempts, String error) {
        CompletableFuture<Optional<AlertRecord>> result = new CompletableFuture<>();
        thread.execute(() -> {
            outcomes.add(new Outcome(alertId, deliveryId, state, attempts, error, result));
            if (!outcomeFlushQueued) {
                outcomeFlushQueued = true;
                thread.execute(this::storeOutcomes);
            }
        });
        return result;
    }

    private void storeOutcomes() {
        outcomeFlushQueued = false;
        List<Outcome> taken = new ArrayList<>(outcomes);
        outcomes.clear();
        try {
            List<List<AlertRecord>> stored = storeAll(taken,
                    o -> ledger.deliveryOutcome(o.alertId(), o.deliveryId(), o.state(), o.attempts(), o.error(), now())
                            .map(List::of).orElse(List.of()),
                    (o, e) -> o.result().completeExceptionally(e));
            for (int i = 0; i < taken.size(); i++) {
                List<AlertRecord> records = stored.get(i);
                if (records != null) {
                    taken.get(i).result().complete(records.stream().findFirst());
                }
            }
        } catch (RuntimeException e) {
            // Not stored: completes those not completed yet.
            taken.forEach(o -> o.result().completeExceptionally(e));
        }
    }

    private void commit(List<AlertRecord> proposed) {
        Batch batch = new Batch();
        batch.stage(proposed);
        batch.commit();
    }

    /**
     * Changes made together: applied as they are proposed (so that each sees the ones before it,
     * as the rules need), stored in one Kafka transaction, and undone in memory if the store
     * refuses them. Announced only once stored.
     */
    private final class Batch {
        /** Each changed alert's record before the batch, null for a new alert. */
        private final Map<String, AlertRecord> before = new LinkedHashMap<>();
        /** The suppression index's entry for each changed alert's device and type before the batch. */
        private final Map<String, String> latestBefore = new HashMap<>();
        private final List<AlertRecord> staged = new ArrayList<>();

        void stage(List<AlertRecord> records) {
            for (AlertRecord record : records) {
                String id = record.getAlert().getAlertId();
                if (!before.containsKey(id)) {
                    before.put(id, ledger.get(id).orElse(null));
                    latestBefore.put(id, ledger.latestRaisedFor(record.getAlert()));
                }
                ledger.apply(record);
                staged.add(record);
            }
        }

        void commit() {
            if (staged.isEmpty()) {
                return;
            }
            try {
                store.save(staged);
            } catch (RuntimeException e) {
                rollBack();
                throw e;
            }
            Map<String, AlertRecord> previous = new LinkedHashMap<>(before);
            for (AlertRecord record : staged) {
                ledger.confirm(record);
            }
            ledger.evictToCapacity();
            for (AlertRecord record : staged) {
                String id = record.getAlert().getAlertId();
                AlertRecord earlier = previous.put(id, record);
                logChange(earlier, record);
                announce(earlier, record);
            }
        }

        private void rollBack() {
            List<String> ids = new ArrayList<>(before.keySet());
            Collections.reverse(ids);
            for (String id : ids) {
                ledger.rollBack(id, before.get(id), latestBefore.get(id));
            }
        }
    }

    private void announce(AlertRecord before, AlertRecord record) {
        for (Consumer<AlertRecord> listener : listeners) {
            try {
                listener.accept(record);
            } catch (RuntimeException e) {
                LOG.warn("An alert listener failed: {}", e.toString());
            }
        }
        for (var entry : inOrder(record)) {
            boolean isNew = before == null || !before.containsDeliveries(entry.getKey());
            if (isNew && entry.getValue().getState() == DeliveryState.PENDING) {
                deliveries.deliver(record, entry.getKey(), entry.getValue());
            }
        }
    }

    private static final List<String> EVENT_ORDER = List.of("raised", "escalated", "acknowledged", "resolved");

    /**
     * The alert's deliveries in the order their events happened: a sink sends one subscriber's
     * deliveries of an alert in the order it is handed them, and an alert over on arrival has its
     * raised and resolved events at the same time.
     */
    private static List<Map.Entry<String, Delivery>> inOrder(AlertRecord record) {
        return record.getDeliveriesMap().entrySet().stream()
                .sorted(Comparator.comparingLong((Map.Entry<String, Delivery> e) -> e.getValue().getCreatedAtMs())
                        .thenComparingInt(e -> EVENT_ORDER.indexOf(e.getValue().getEvent()))
                        .thenComparing(Map.Entry::getKey))
                .toList();
    }

    private static void logChange(AlertRecord before, AlertRecord after) {
        Alert alert = after.getAlert();
        boolean resolvedOnArrival = after.getState() == AlertState.RESOLVED;
        if (before == null && (after.getState() == AlertState.OPEN || resolvedOnArrival)) {
            // A brief event that was over when it arrived (a couplet) is raised and resolved in one
            // step; it is still an alert, so the console shows it like any other.
            ALERTS.info("[{}] {} device={} {}{}", alert.getPriority(), alert.getType(), alert.getDeviceId(),
                    alert.getMessage(), resolvedOnArrival ? " (over, resolved on arrival)" : "");
        } else if (before != null && before.getState() != after.getState()) {
            ALERTS.info("[{}] {} device={} {} -> {}", alert.getPriority(), alert.getType(), alert.getDeviceId(),
                    Priorities.name(before.getState()), Priorities.name(after.getState()));
        }
    }

    private long now() {
        return clock.millis();
    }

    private <T> CompletableFuture<T> call(Supplier<T> work) {
        return CompletableFuture.supplyAsync(work, thread);
    }

    public AlertLedger ledger() {
        return ledger;
    }

    @Override
    public void close() {
        thread.shutdown();
        try {
            thread.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
