package org.arrhythmiamonitor.alerting.lifecycle;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import org.arrhythmiamonitor.alerting.notify.EscalationPolicy;
import org.arrhythmiamonitor.alerting.notify.NotificationRouter;
import org.arrhythmiamonitor.wire.v1.Alert;
import org.arrhythmiamonitor.wire.v1.AlertRecord;
import org.arrhythmiamonitor.wire.v1.AlertRecordOrBuilder;
import org.arrhythmiamonitor.wire.v1.AlertState;
import org.arrhythmiamonitor.wire.v1.AuditEntry;
import org.arrhythmiamonitor.wire.v1.Delivery;
import org.arrhythmiamonitor.wire.v1.DeliveryState;
import org.arrhythmiamonitor.wire.v1.Priority;

/**
 * The alert lifecycle's rules and the alerts as they stand. Every change is first proposed (the
 * methods that return new records change nothing), then {@link #apply applied} to the working
 * state that the next proposals of the same batch build on, and {@link #confirm confirmed} once
 * the {@link AlertDesk} has stored it in Kafka ({@link #rollBack rolled back} if not). Reads see
 * only confirmed records: what a restart would restore.
 *
 * <p>Proposals, {@code apply}, {@code confirm} and {@code rollBack} run on the desk's one thread;
 * reads ({@link #get}, {@link #list}) come from HTTP threads and see each record either before or
 * after a stored change, never half of it.
 */
public final class AlertLedger {
    public static final String SYSTEM = "system";
    /** Audit entries kept per alert: a latching alert re-escalated for hours must not grow without end. */
    static final int MAX_HISTORY = 1000;
    static final int MAX_SETTLED_DELIVERIES = 50;
    /** Ids of alerts that left memory at capacity, so that a late copy is not raised again (bounded). */
    private static final int MAX_FORGOTTEN = 1_000_000;
    /** A forgotten alert whose onset was not known. */
    private static final long UNKNOWN_ONSET = Long.MIN_VALUE;
    /** The closing time of a forgotten alert that is no longer in the store: nothing left to delete. */
    private static final long NOT_STORED = Long.MAX_VALUE;
    /**
     * Copies of one episode date its onset alike, to a few milliseconds of a device clock's jitter
     * between chunks; an alert with the same id whose onset lies further off is another episode.
     */
    static final long SAME_EPISODE_MS = 60_000;
    private static final Comparator<AlertRecord> OLDEST_FIRST = Comparator
            .comparingLong((AlertRecord r) -> r.getAlert().getOnsetTimeMs())
            .thenComparing(r -> r.getAlert().getAlertId());
    /**
     * Priority, then open before every other state (what nobody has taken yet), then newest raised,
     * then newest onset: a device whose clock is far off must not sink its alert down the list.
     */
    public static final Comparator<AlertRecord> MOST_URGENT_FIRST = Comparator
            .comparing((AlertRecord r) -> r.getAlert().getPriority(), Priorities.MOST_URGENT_FIRST)
            .thenComparing((AlertRecord r) -> r.getState() != AlertState.OPEN)
            .thenComparing(Comparator.comparingLong(AlertRecord::getRaisedAtMs).reversed())
            .thenComparing(Comparator.comparingLong((AlertRecord r) -> r.getAlert().getOnsetTimeMs()).reversed())
            .thenComparing(r -> r.getAlert().getAlertId());
    /** The latest resolved first: which resolved alerts a limited list keeps. */
    public static final Comparator<AlertRecord> LATEST_RESOLVED_FIRST = Comparator
            .comparingLong(AlertRecord::getResolvedAtMs).reversed().thenComparing(MOST_URGENT_FIRST);

    private final Duration suppressRepeats;
    private final Set<Priority> latching;
    private final EscalationPolicy escalation;
    private final NotificationRouter router;
    private final int capacity;

    /** Desk thread only: the state proposals build on, including changes being stored. */
    private final Map<String, AlertRecord> working = new HashMap<>();
    /** What Kafka has: what every read sees (HTTP threads). */
    private final Map<String, AlertRecord> committed = new ConcurrentHashMap<>();
    /** Desk thread only: the latest alert raised (not suppressed) per device and type. */
    private final Map<String, String> latestRaised = new HashMap<>();
    /** Desk thread only: open alerts that escalate, the ones each tick looks at. */
    private final Set<String> escalating = new LinkedHashSet<>();
    /**
     * Desk thread only: resolved and suppressed alerts that may leave memory at capacity, the first
     * to leave; those the lifecycle still needs ({@link #keptAtCapacity}) are not in it.
     */
    private final TreeSet<AlertRecord> closed = new TreeSet<>(OLDEST_FIRST);
    /**
     * Desk thread only: alerts no longer in memory. Those that left at capacity are still in the
     * store, and the retention must find them there (one that falls out of this bounded map is found
     * again at the next start, which reads the store).
     */
    private final Map<String, Forgotten> forgotten = new java.util.LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Forgotten> eldest) {
            return size() > MAX_FORGOTTEN;
        }
    };
    private final int[][] counts = new int[Priority.values().length][AlertState.values().length];

    /**
     * An alert that left memory: its onset ({@link #UNKNOWN_ONSET} if not known) and when it closed,
     * {@link #NOT_STORED} once the retention deleted it from the store.
     */
    private record Forgotten(long onsetMs, long closedAtMs) {
    }

    /**
     * @param latching priorities whose alert stays open when its episode ends, until a clinician
     *     acknowledges it; escalating priorities always latch
     */
    public AlertLedger(Duration suppressRepeats, Set<Priority> latching, EscalationPolicy escalation,
            NotificationRouter router, int capacity) {
        this.suppressRepeats = suppressRepeats;
        this.latching = Set.copyOf(latching);
        this.escalation = escalation;
        this.router = router;
        this.capacity = capacity;
    }

    // ---------------------------------------------------------------- proposals

    /**
     * What an alert from the processor changes: nothing for a copy already seen; a new open (or
     * suppressed) alert; or the update of a known one, which resolves it when its episode ended.
     */
    public List<AlertRecord> onAlert(Alert received, long nowMs) {
        Alert alert = withOwnId(failSafe(received));
        AlertRecord existing = working.get(alert.getAlertId());
        if (existing == null) {
            if (forgotten.containsKey(alert.getAlertId())) {
                // Left memory at capacity: older than every alert held, so not news; raising it again
                // would overwrite its stored record and notify it twice.
                return List.of();
            }
            return raise(alert, nowMs);
        }
        if (existing.getAlert().equals(alert)) {
            return List.of();
        }
        AlertRecord.Builder next = existing.toBuilder().setAlert(alert).setVersion(existing.getVersion() + 1);
        if (existing.getState() == AlertState.SUPPRESSED) {
            // Its first alert keeps the clinician's attention; this one only follows the episode.
            return List.of(next.build());
        }
        boolean ended = alert.getEndTimeMs() > 0 && existing.getAlert().getEndTimeMs() == 0;
        if (ended) {
            switch (existing.getState()) {
                case OPEN -> {
                    if (latches(alert.getPriority())) {
                        audit(next, nowMs, SYSTEM, "episode_ended", AlertState.OPEN, AlertState.OPEN,
                                "episode ended; stays open until acknowledged");
                    } else {
                        resolveBySystem(next, alert, AlertState.OPEN, nowMs);
                    }
                }
                case ACKNOWLEDGED -> resolveBySystem(next, alert, AlertState.ACKNOWLEDGED, nowMs);
                default -> audit(next, nowMs, SYSTEM, "episode_ended", existing.getState(), existing.getState(), null);
            }
        }
        return withPromotedRepeats(next.build(), nowMs);
    }

    /**
     * The processor's alert id is the device, the type and the onset sample. A restarted detection
     * numbers its samples from device time, past the old ones, but a device whose clock was set
     * back (or a processor version that counted from 0 again) can give a new episode an old id.
     * Its onset time tells them apart, and it is kept under the id with its onset time appended,
     * instead of updating the old alert, or being dropped as a late copy of a forgotten one.
     */
    private Alert withOwnId(Alert alert) {
        String id = alert.getAlertId();
        String own = id + "@" + alert.getOnsetTimeMs();
        if (working.containsKey(own)) {
            // Found apart before (the old alert may have left since, by retention and a restart).
            return alert.toBuilder().setAlertId(own).build();
        }
        if (alert.getPriority() == Priority.TECHNICAL) {
            // Not worth the risk of splitting one: a recording problem, already on its way to an end.
            return alert;
        }
        AlertRecord existing = working.get(id);
        Forgotten gone = forgotten.get(id);
        long onset = existing != null ? existing.getAlert().getOnsetTimeMs()
                : gone != null ? gone.onsetMs() : UNKNOWN_ONSET;
        if (onset == UNKNOWN_ONSET || Math.abs(onset - alert.getOnsetTimeMs()) <= SAME_EPISODE_MS) {
            return alert;
        }
        return alert.toBuilder().setAlertId(own).build();
    }

    private boolean latches(Priority priority) {
        return latching.contains(priority) || escalation.escalates(priority);
    }

    /** An alert without a known priority is treated as high: an unknown alarm must not go unseen. */
    private static Alert failSafe(Alert alert) {
        return Priorities.ALL.contains(alert.getPriority()) ? alert : alert.toBuilder().setPriority(Priority.HIGH).build();
    }

    private List<AlertRecord> raise(Alert alert, long nowMs) {
        AlertRecord.Builder record = AlertRecord.newBuilder().setAlert(alert).setRaisedAtMs(nowMs).setVersion(1);
        AlertRecord previous = Optional.ofNullable(latestRaised.get(deviceType(alert))).map(working::get).orElse(null);
        if (previous != null && isRepeatOf(alert, previous)) {
            record.setState(AlertState.SUPPRESSED).setSuppressedBy(previous.getAlert().getAlertId());
            audit(record, nowMs, SYSTEM, "suppressed", AlertState.ALERT_STATE_UNSPECIFIED, AlertState.SUPPRESSED,
                    "repeat of " + previous.getAlert().getAlertId() + " within " + suppressRepeats.toSeconds() + " s");
            AlertRecord.Builder repeated = previous.toBuilder().setRepeats(previous.getRepeats() + 1)
                    .setVersion(previous.getVersion() + 1);
            audit(repeated, nowMs, SYSTEM, "repeated", previous.getState(), previous.getState(),
                    "repeat " + alert.getAlertId());
            return List.of(record.build(), repeated.build());
        }
        record.setState(AlertState.OPEN);
        audit(record, nowMs, SYSTEM, "raised", AlertState.ALERT_STATE_UNSPECIFIED, AlertState.OPEN, null);
        record.putAllDeliveries(router.route(alert, "raised", nowMs));
        if (alert.getEndTimeMs() > 0 && !latches(alert.getPriority())) {
            // Published already over (a short event): it is resolved as it arrives, after the raised notification.
            resolveBySystem(record, alert, AlertState.OPEN, nowMs);
        }
        return List.of(record.build());
    }

    /**
     * A repeat is the same type on the same device with an onset within the window of the
     * previous one, and it is suppressed only when that hides nothing:
     * <ul>
     *   <li>while the previous alert still asks for attention (open or acknowledged), a repeat that
     *       is already over, or one whose previous episode still goes on; but an ongoing new
     *       episode of a latching type (high, medium) under a previous one that has ended is news
     *       (a sustained VT after a short one that nobody acknowledged yet);</li>
     *   <li>under a brief non-latching event the system resolved (a couplet), only a repeat that is
     *       already over: an ongoing one (the lead off again, for good) is an alert of its own.</li>
     * </ul>
     * Never after a clinician resolved the previous one, nor after a latching alert was dealt with.
     */
    private boolean isRepeatOf(Alert alert, AlertRecord previous) {
        long apart = Math.abs(alert.getOnsetTimeMs() - previous.getAlert().getOnsetTimeMs());
        if (apart >= suppressRepeats.toMillis()) {
            return false;
        }
        boolean over = alert.getEndTimeMs() > 0;
        boolean previousOngoing = previous.getAlert().getEndTimeMs() == 0;
        return switch (previous.getState()) {
            case OPEN, ACKNOWLEDGED -> over || previousOngoing || !latches(alert.getPriority());
            case RESOLVED -> over && SYSTEM.equals(previous.getResolvedBy()) && !latches(alert.getPriority());
            default -> false;
        };
    }

    /**
     * When an alert closes, the repeats suppressed under it whose episode still goes on become
     * alerts of their own: the condition is there, and nothing else would show it.
     */
    private List<AlertRecord> withPromotedRepeats(AlertRecord record, long nowMs) {
        if (record.getState() != AlertState.RESOLVED || record.getRepeats() == 0) {
            return List.of(record);
        }
        List<AlertRecord> changes = new ArrayList<>();
        changes.add(record);
        String id = record.getAlert().getAlertId();
        for (AlertRecord repeat : working.values()) {
            if (repeat.getState() == AlertState.SUPPRESSED && id.equals(repeat.getSuppressedBy())
                    && repeat.getAlert().getEndTimeMs() == 0) {
                AlertRecord.Builder promoted = repeat.toBuilder().setState(AlertState.OPEN).clearSuppressedBy()
                        .setRaisedAtMs(nowMs).setVersion(repeat.getVersion() + 1);
                audit(promoted, nowMs, SYSTEM, "raised", AlertState.SUPPRESSED, AlertState.OPEN,
                        "its first alert " + id + " was resolved while this episode goes on");
                promoted.putAllDeliveries(router.route(repeat.getAlert(), "raised", nowMs));
                changes.add(promoted.build());
            }
        }
        return changes;
    }

    private void resolveBySystem(AlertRecord.Builder next, Alert alert, AlertState from, long nowMs) {
        next.setState(AlertState.RESOLVED).setResolvedBy(SYSTEM).setResolvedAtMs(nowMs)
                .setResolutionNote("episode ended");
        audit(next, nowMs, SYSTEM, "resolved", from, AlertState.RESOLVED, "episode ended");
        next.putAllDeliveries(router.route(alert, "resolved", nowMs));
        cancelEscalations(next, nowMs);
    }

    /**
     * Cancels the escalation deliveries still pending on an alert that stops being open: someone
     * has it, and a pager retried for minutes more would call a clinician for nothing. The
     * notifier stops such a delivery at its next attempt, and a restart does not send it again.
     * Notifications of the alert's events (raised, acknowledged, resolved) are not cancelled.
     */
    private static void cancelEscalations(AlertRecord.Builder record, long nowMs) {
        for (Map.Entry<String, Delivery> entry : List.copyOf(record.getDeliveriesMap().entrySet())) {
            Delivery delivery = entry.getValue();
            if (isEscalation(delivery) && delivery.getState() == DeliveryState.PENDING) {
                String reason = whyNotOpen(record);
                record.putDeliveries(entry.getKey(), delivery.toBuilder().setState(DeliveryState.CANCELLED)
                        .setCancelReason(reason).build());
                audit(record, nowMs, SYSTEM, "notification_cancelled", record.getState(), record.getState(),
                        delivery.getEvent() + " to " + delivery.getSubscriber() + ": " + reason);
            }
        }
    }

    /** True for an escalation delivery of an alert that is no longer open: it must not be sent. */
    private static boolean outlived(AlertRecordOrBuilder record, Delivery delivery) {
        return isEscalation(delivery) && record.getState() != AlertState.OPEN;
    }

    private static boolean isEscalation(Delivery delivery) {
        return NotificationRouter.ESCALATED.equals(delivery.getEvent());
    }

    private static String whyNotOpen(AlertRecordOrBuilder record) {
        return switch (record.getState()) {
            case ACKNOWLEDGED -> "alert acknowledged by " + record.getAcknowledgedBy();
            case RESOLVED -> "alert resolved by " + record.getResolvedBy();
            default -> "alert " + Priorities.name(record.getState());
        };
    }

    /**
     * A clinician acknowledges an open alert; if its episode is over, that also resolves it. The
     * acknowledged alert comes first, then any repeats that its resolution brings back.
     */
    public List<AlertRecord> acknowledge(String alertId, String user, String note, long nowMs) {
        AlertRecord existing = require(alertId);
        if (existing.getState() != AlertState.OPEN) {
            throw new TransitionException(alertId, existing.getState(), "acknowledge",
                    existing.getState() == AlertState.SUPPRESSED
                            ? "it is a suppressed repeat of " + existing.getSuppressedBy() + "; acknowledge that one"
                            : null);
        }
        Alert alert = existing.getAlert();
        AlertRecord.Builder next = existing.toBuilder()
                .setState(AlertState.ACKNOWLEDGED)
                .setAcknowledgedBy(user)
                .setAcknowledgedAtMs(nowMs)
                .setVersion(existing.getVersion() + 1);
        audit(next, nowMs, user, "acknowledged", AlertState.OPEN, AlertState.ACKNOWLEDGED, note);
        next.putAllDeliveries(router.route(alert, "acknowledged", nowMs));
        cancelEscalations(next, nowMs);
        if (alert.getEndTimeMs() > 0) {
            resolveBySystem(next, alert, AlertState.ACKNOWLEDGED, nowMs);
        }
        return withPromotedRepeats(next.build(), nowMs);
    }

    /** A clinician resolves an open or acknowledged alert, with a note saying why (first in the list). */
    public List<AlertRecord> resolve(String alertId, String user, String note, long nowMs) {
        AlertRecord existing = require(alertId);
        if (existing.getState() != AlertState.OPEN && existing.getState() != AlertState.ACKNOWLEDGED) {
            throw new TransitionException(alertId, existing.getState(), "resolve", null);
        }
        AlertRecord.Builder next = existing.toBuilder()
                .setState(AlertState.RESOLVED)
                .setResolvedBy(user)
                .setResolvedAtMs(nowMs)
                .setResolutionNote(note)
                .setVersion(existing.getVersion() + 1);
        audit(next, nowMs, user, "resolved", existing.getState(), AlertState.RESOLVED, note);
        next.putAllDeliveries(router.route(existing.getAlert(), "resolved", nowMs));
        cancelEscalations(next, nowMs);
        return withPromotedRepeats(next.build(), nowMs);
    }

    /** The open escalating alerts whose time is up, each one level further up the roster. */
    public List<AlertRecord> escalationsDue(long nowMs) {
        List<AlertRecord> due = new ArrayList<>();
        if (escalation.levels().isEmpty()) {
            return due;
        }
        for (String id : escalating) {
            AlertRecord record = working.get(id);
            long since = record.getEscalations() == 0 ? record.getRaisedAtMs() : record.getLastEscalatedAtMs();
            if (nowMs - since < escalation.after().toMillis()) {
                continue;
            }
            int level = Math.min(record.getEscalationLevel() + 1, escalation.levels().size());
            int step = record.getEscalations() + 1;
            AlertRecord.Builder next = record.toBuilder()
                    .setEscalationLevel(level)
                    .setEscalatedTo(escalation.level(level).name())
                    .setEscalations(step)
                    .setLastEscalatedAtMs(nowMs)
                    .setVersion(record.getVersion() + 1);
            audit(next, nowMs, SYSTEM, "escalated", AlertState.OPEN, AlertState.OPEN,
                    "not acknowledged; level " + level + ": " + escalation.level(level).name());
            pruneSettledDeliveries(next);
            next.putAllDeliveries(router.routeEscalation(level, step, nowMs));
            due.add(next.build());
        }
        return due;
    }

    /**
     * The outcome of a webhook delivery: delivered, dead-lettered after its last attempt, or
     * cancelled by the notifier because the alert is no longer open (an escalation stored pending
     * on an acknowledged alert by a version that did not cancel it; the reason is the ledger's).
     */
    public Optional<AlertRecord> deliveryOutcome(String alertId, String deliveryId, DeliveryState state, int attempts,
            String error, long nowMs) {
        AlertRecord existing = working.get(alertId);
        if (existing == null || !existing.containsDeliveries(deliveryId)) {
            return Optional.empty();
        }
        Delivery delivery = existing.getDeliveriesOrThrow(deliveryId);
        if (delivery.getState() != DeliveryState.PENDING
                || state == DeliveryState.CANCELLED && !outlived(existing, delivery)) {
            return Optional.empty();
        }
        Delivery.Builder updated = delivery.toBuilder().setState(state).setAttempts(attempts);
        if (error != null) {
            updated.setLastError(error);
        }
        AlertRecord.Builder next = existing.toBuilder().setVersion(existing.getVersion() + 1);
        if (state == DeliveryState.CANCELLED) {
            next.putDeliveries(deliveryId, updated.setCancelReason(whyNotOpen(existing)).build());
            audit(next, nowMs, SYSTEM, "notification_cancelled", existing.getState(), existing.getState(),
                    delivery.getEvent() + " to " + delivery.getSubscriber() + ": " + whyNotOpen(existing));
            return Optional.of(next.build());
        }
        next.putDeliveries(deliveryId, updated.build());
        audit(next, nowMs, SYSTEM, state == DeliveryState.DELIVERED ? "notified" : "notification_failed",
                existing.getState(), existing.getState(), delivery.getEvent() + " to " + delivery.getSubscriber()
                        + (state == DeliveryState.DELIVERED ? "" : " after " + attempts + " attempts: " + error));
        return Optional.of(next.build());
    }

    /**
     * Keeps the record bounded while a latching alert escalates for hours: settled (delivered,
     * dead-lettered or cancelled) deliveries beyond the latest {@link #MAX_SETTLED_DELIVERIES} are dropped;
     * their outcome stays in the audit trail. Pending ones are always kept.
     */
    private static void pruneSettledDeliveries(AlertRecord.Builder record) {
        List<Map.Entry<String, Delivery>> settled = record.getDeliveriesMap().entrySet().stream()
                .filter(e -> e.getValue().getState() != DeliveryState.PENDING)
                .sorted(Comparator.comparingLong(e -> e.getValue().getCreatedAtMs()))
                .toList();
        for (int i = 0; i < settled.size() - MAX_SETTLED_DELIVERIES; i++) {
            record.removeDeliveries(settled.get(i).getKey());
        }
    }

    private AlertRecord require(String alertId) {
        AlertRecord record = working.get(alertId);
        if (record == null) {
            throw new UnknownAlertException(alertId);
        }
        return record;
    }

    private static void audit(AlertRecord.Builder record, long nowMs, String actor, String action, AlertState from,
            AlertState to, String note) {
        AuditEntry.Builder entry = AuditEntry.newBuilder().setAtMs(nowMs).setActor(actor).setAction(action)
                .setFromState(from).setToState(to);
        if (note != null && !note.isEmpty()) {
            entry.setNote(note);
        }
        if (record.getHistoryCount() >= MAX_HISTORY) {
            // Keep the first entry (how it was raised) and the latest ones.
            List<AuditEntry> kept = new ArrayList<>(record.getHistoryList());
            kept.remove(1);
            record.clearHistory().addAllHistory(kept);
        }
        record.addHistory(entry);
    }

    // ---------------------------------------------------------------- applying and confirming changes

    /**
     * Makes a proposed record the working state that later proposals build on (desk thread). Reads
     * do not see it until {@link #confirm} says it is stored; {@link #rollBack} undoes it.
     */
    public void apply(AlertRecord record) {
        String id = record.getAlert().getAlertId();
        AlertRecord previous = working.put(id, record);
        if (previous != null) {
            closed.remove(previous);
        }
        boolean open = record.getState() == AlertState.OPEN;
        if (open && escalation.escalates(record.getAlert().getPriority())) {
            escalating.add(id);
        } else {
            escalating.remove(id);
        }
        if (record.getState() != AlertState.SUPPRESSED) {
            String key = deviceType(record.getAlert());
            AlertRecord latest = Optional.ofNullable(latestRaised.get(key)).map(working::get).orElse(null);
            if (latest == null || latest.getAlert().getOnsetTimeMs() <= record.getAlert().getOnsetTimeMs()) {
                setLatestRaised(key, id);
            }
        }
        // After the suppression index: whether it may leave memory depends on it.
        reconsider(id);
    }

    /**
     * A closed alert the lifecycle still needs stays in memory at capacity, as open ones do:
     * <ul>
     *   <li>a brief non-latching alert the system resolved, while it is the one its device and
     *       type's repeats are judged against ({@link #isRepeatOf}): gone, the next repeat would be
     *       raised and notified again;</li>
     *   <li>a suppressed repeat whose episode goes on: gone, it would not be raised when its first
     *       is resolved ({@link #withPromotedRepeats}), and its updates would be dropped as late
     *       copies of a forgotten alert.</li>
     * </ul>
     * Both are bounded: one per device and type, and episodes not yet ended; the retention still
     * deletes them.
     */
    private boolean keptAtCapacity(AlertRecord record) {
        Alert alert = record.getAlert();
        return switch (record.getState()) {
            case SUPPRESSED -> alert.getEndTimeMs() == 0;
            case RESOLVED -> !suppressRepeats.isZero() && SYSTEM.equals(record.getResolvedBy())
                    && !latches(alert.getPriority()) && alert.getAlertId().equals(latestRaised.get(deviceType(alert)));
            default -> true;
        };
    }

    /** Puts the alert in {@link #closed} or takes it out, as it stands now. */
    private void reconsider(String alertId) {
        AlertRecord record = alertId == null ? null : working.get(alertId);
        if (record == null) {
            return;
        }
        closed.remove(record);
        boolean isClosed = record.getState() == AlertState.RESOLVED || record.getState() == AlertState.SUPPRESSED;
        if (isClosed && !keptAtCapacity(record)) {
            closed.add(record);
        }
    }

    /** Sets (null: removes) the suppression index's entry; the alert it named may leave memory now. */
    private void setLatestRaised(String key, String alertId) {
        String before = alertId == null ? latestRaised.remove(key) : latestRaised.put(key, alertId);
        if (before != null && !before.equals(alertId)) {
            reconsider(before);
        }
        reconsider(alertId);
    }

    /** The record is stored: reads see it from now on. */
    public void confirm(AlertRecord record) {
        AlertRecord previous = committed.put(record.getAlert().getAlertId(), record);
        if (previous != null) {
            count(previous, -1);
        }
        count(record, +1);
    }

    /** A stored record at start: the working and the confirmed state at once. */
    public void restore(AlertRecord record) {
        apply(record);
        confirm(record);
    }

    /**
     * Undoes an applied record whose storing failed: {@code before} is the alert's confirmed
     * record (null for a new alert), {@code latestBefore} the alert id the suppression index
     * held for its device and type before the batch.
     */
    public void rollBack(String alertId, AlertRecord before, String latestBefore) {
        AlertRecord staged = working.remove(alertId);
        if (staged != null) {
            closed.remove(staged);
            escalating.remove(alertId);
        }
        if (before != null) {
            apply(before);
        }
        // Staged and earlier record are the same alert, so the same device and type.
        AlertRecord either = staged != null ? staged : before;
        if (either != null) {
            setLatestRaised(deviceType(either.getAlert()), latestBefore);
        }
    }

    /**
     * Resolved and suppressed alerts closed before {@code cutoffMs} (resolution time, or arrival
     * for a suppressed repeat): what the retention removes, those that left memory at capacity
     * included (they are still in the store).
     */
    public List<String> closedBefore(long cutoffMs) {
        List<String> ids = new ArrayList<>();
        for (AlertRecord record : working.values()) {
            if (closedAt(record) < cutoffMs) {
                ids.add(record.getAlert().getAlertId());
            }
        }
        forgotten.forEach((id, gone) -> {
            if (gone.closedAtMs() < cutoffMs) {
                ids.add(id);
            }
        });
        return ids;
    }

    private static long closedAt(AlertRecord record) {
        return switch (record.getState()) {
            case RESOLVED -> record.getResolvedAtMs();
            case SUPPRESSED -> record.getRaisedAtMs();
            default -> Long.MAX_VALUE;
        };
    }

    /** Removes alerts deleted from the store (retention); a late copy of one is not raised again. */
    public void forgetDeleted(List<String> ids) {
        for (String id : ids) {
            AlertRecord record = working.remove(id);
            AlertRecord confirmed = committed.remove(id);
            if (confirmed != null) {
                count(confirmed, -1);
            }
            if (record != null) {
                closed.remove(record);
                escalating.remove(id);
                latestRaised.remove(deviceType(record.getAlert()), id);
            }
            AlertRecord known = record != null ? record : confirmed;
            Forgotten earlier = forgotten.get(id);
            long onset = known != null ? known.getAlert().getOnsetTimeMs()
                    : earlier != null ? earlier.onsetMs() : UNKNOWN_ONSET;
            forgotten.put(id, new Forgotten(onset, NOT_STORED));
        }
    }

    /** The alert id the suppression index holds for this alert's device and type (null: none). */
    public String latestRaisedFor(Alert alert) {
        return latestRaised.get(deviceType(alert));
    }

    /**
     * At capacity, resolved and suppressed alerts leave memory, oldest first, but not those the
     * lifecycle still needs ({@link #keptAtCapacity}). Called after a batch is confirmed, so that
     * nothing staged is evicted.
     */
    public void evictToCapacity() {
        while (committed.size() > capacity && !closed.isEmpty()) {
            AlertRecord record = closed.pollFirst();
            String id = record.getAlert().getAlertId();
            working.remove(id);
            AlertRecord confirmed = committed.remove(id);
            if (confirmed != null) {
                count(confirmed, -1);
            }
            forgotten.put(id, new Forgotten(record.getAlert().getOnsetTimeMs(), closedAt(record)));
            latestRaised.remove(deviceType(record.getAlert()), id);
        }
    }

    private void count(AlertRecord record, int delta) {
        counts[record.getAlert().getPriorityValue() % counts.length][record.getStateValue() % counts[0].length] += delta;
    }

    private static String deviceType(Alert alert) {
        return alert.getDeviceId() + '\u0000' + alert.getType();
    }

    // ---------------------------------------------------------------- reads (stored state only)

    public Optional<AlertRecord> get(String alertId) {
        return Optional.ofNullable(committed.get(alertId));
    }

    /**
     * Whether a delivery of the alert must not be sent any more: an escalation of an alert that is
     * no longer open, or gone from memory (only closed alerts leave it). Any thread.
     */
    public boolean outlived(String alertId, Delivery delivery) {
        return isEscalation(delivery) && get(alertId).map(r -> outlived(r, delivery)).orElse(true);
    }

    /** At most {@code limit} records, most urgent first, and how many the filter matched in all. */
    public record Page(List<AlertRecord> records, int total) {
    }

    /** Up to {@code limit} records that pass the filter, most urgent first, with how many passed, from one pass. */
    public Page page(Predicate<AlertRecord> filter, int limit) {
        return page(filter, limit, MOST_URGENT_FIRST);
    }

    /**
     * The matching records, most urgent first; when there are more than {@code limit}, those that
     * come first by {@code kept} (the most urgent, or for resolved alerts the latest resolved).
     */
    public Page page(Predicate<AlertRecord> filter, int limit, Comparator<AlertRecord> kept) {
        List<AlertRecord> matched = committed.values().stream().filter(filter).toList();
        return new Page(matched.stream().sorted(kept).limit(limit).sorted(MOST_URGENT_FIRST).toList(),
                matched.size());
    }

    /** Every record with a delivery still pending: after a restart these are sent again. */
    public List<AlertRecord> withPendingDeliveries() {
        return committed.values().stream()
                .filter(r -> r.getDeliveriesMap().values().stream().anyMatch(d -> d.getState() == DeliveryState.PENDING))
                .toList();
    }

    public int size() {
        return committed.size();
    }

    /** Alerts in memory with this priority and state (a metrics gauge; approximate while changes apply). */
    public int count(Priority priority, AlertState state) {
        return counts[priority.getNumber()][state.getNumber()];
    }
}
