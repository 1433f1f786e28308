package org.arrhythmiamonitor.alerting.lifecycle;

import static org.arrhythmiamonitor.alerting.TestAlerts.alert;
import static org.arrhythmiamonitor.alerting.TestAlerts.ended;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.arrhythmiamonitor.alerting.notify.DeviceGroups;
import org.arrhythmiamonitor.alerting.notify.EscalationPolicy;
import org.arrhythmiamonitor.alerting.notify.NotificationRouter;
import org.arrhythmiamonitor.alerting.notify.WebhookSubscriber;
import org.arrhythmiamonitor.wire.v1.Alert;
import org.arrhythmiamonitor.wire.v1.AlertRecord;
import org.arrhythmiamonitor.wire.v1.AlertState;
import org.arrhythmiamonitor.wire.v1.AuditEntry;
import org.arrhythmiamonitor.wire.v1.DeliveryState;
import org.arrhythmiamonitor.wire.v1.Priority;
import org.junit.jupiter.api.Test;

/** The lifecycle rules, without Kafka: proposals applied as the desk would after storing them. */
class AlertLedgerTest {
    private static final long T0 = 1_764_000_000_000L;
    private static final Set<Priority> ALL = EnumSet.of(Priority.HIGH, Priority.MEDIUM, Priority.LOW,
            Priority.TECHNICAL);

    private final WebhookSubscriber ward = new WebhookSubscriber("ward", URI.create("http://127.0.0.1:1/ward"),
            "0123456789abcdef", EnumSet.of(Priority.HIGH, Priority.MEDIUM), List.of("icu"),
            WebhookSubscriber.EVENTS);
    private final WebhookSubscriber nurse = new WebhookSubscriber("nurse-pager", URI.create("http://127.0.0.1:1/n"),
            "0123456789abcdef", ALL, List.of(), Set.of("raised"));
    private final WebhookSubscriber doctor = new WebhookSubscriber("doctor-pager", URI.create("http://127.0.0.1:1/d"),
            "0123456789abcdef", ALL, List.of(), Set.of());
    private final EscalationPolicy escalation = new EscalationPolicy(Duration.ofSeconds(120),
            EnumSet.of(Priority.HIGH), List.of(new EscalationPolicy.RosterLevel("charge nurse", List.of("nurse-pager")),
                    new EscalationPolicy.RosterLevel("cardiologist", List.of("doctor-pager"))));
    private final NotificationRouter router = new NotificationRouter(List.of(ward, nurse, doctor),
            new DeviceGroups(Map.of("icu", List.of("icu-*"))), escalation);
    private final AlertLedger ledger = new AlertLedger(Duration.ofSeconds(600), EnumSet.of(Priority.HIGH), escalation,
            router, 1000);

    private List<AlertRecord> apply(List<AlertRecord> records) {
        records.forEach(ledger::restore);
        return records;
    }

    private AlertRecord apply(AlertRecord record) {
        ledger.restore(record);
        return record;
    }

    private static List<String> actions(AlertRecord record) {
        return record.getHistoryList().stream().map(AuditEntry::getAction).toList();
    }

    @Test
    void aNewAlertIsOpenAndRoutedByPriorityDeviceGroupAndEvent() {
        AlertRecord record = apply(ledger.onAlert(alert("icu-1", "VT", Priority.HIGH, T0), T0 + 500)).get(0);
        assertThat(record.getState()).isEqualTo(AlertState.OPEN);
        assertThat(record.getRaisedAtMs()).isEqualTo(T0 + 500);
        assertThat(record.getDeliveriesMap()).containsOnlyKeys("raised:ward", "raised:nurse-pager");
        assertThat(actions(record)).containsExactly("raised");

        AlertRecord lowElsewhere = apply(ledger.onAlert(alert("home-7", "COUPLET", Priority.LOW, T0), T0)).get(0);
        assertThat(lowElsewhere.getDeliveriesMap()).containsOnlyKeys("raised:nurse-pager");
    }

    @Test
    void aCopyAlreadySeenChangesNothing() {
        Alert vt = alert("icu-1", "VT", Priority.HIGH, T0);
        apply(ledger.onAlert(vt, T0));
        assertThat(ledger.onAlert(vt, T0 + 1000)).isEmpty();
        assertThat(ledger.size()).isEqualTo(1);
    }

    @Test
    void aRepeatWithinTheWindowIsSuppressedAndCountedOnTheFirst() {
        apply(ledger.onAlert(alert("icu-1", "COUPLET", Priority.LOW, T0), T0));
        List<AlertRecord> changes = apply(ledger.onAlert(alert("icu-1", "COUPLET", Priority.LOW, T0 + 60_000), T0));
        assertThat(changes).hasSize(2);
        AlertRecord repeat = changes.get(0);
        assertThat(repeat.getState()).isEqualTo(AlertState.SUPPRESSED);
        assertThat(repeat.getSuppressedBy()).isEqualTo("icu-1:COUPLET:" + T0);
        assertThat(repeat.getDeliveriesMap()).isEmpty();
        assertThat(changes.get(1).getRepeats()).isEqualTo(1);

        // Outside the window, or another device or type: a new alert.
        assertThat(apply(ledger.onAlert(alert("icu-1", "COUPLET", Priority.LOW, T0 + 601_000), T0)).get(0).getState())
                .isEqualTo(AlertState.OPEN);
        assertThat(apply(ledger.onAlert(alert("icu-2", "COUPLET", Priority.LOW, T0 + 1000), T0)).get(0).getState())
                .isEqualTo(AlertState.OPEN);
    }

    @Test
    void afterAClinicianResolvedTheFirstARepeatIsNewsAgain() {
        apply(ledger.onAlert(alert("icu-1", "PAUSE", Priority.MEDIUM, T0), T0));
        apply(ledger.resolve("icu-1:PAUSE:" + T0, "dr.a", "artefact, electrode replaced", T0 + 1000));
        AlertRecord next = apply(ledger.onAlert(alert("icu-1", "PAUSE", Priority.MEDIUM, T0 + 30_000), T0)).get(0);
        assertThat(next.getState()).isEqualTo(AlertState.OPEN);
    }

    @Test
    void aLimitedListOfResolvedAlertsKeepsTheLatestResolvedNotTheMostUrgentOfAllTime() {
        // An old high alert resolved first, then two technical ones resolved since.
        apply(ledger.onAlert(alert("icu-1", "VENTRICULAR_TACHYCARDIA", Priority.HIGH, T0), T0));
        apply(ledger.resolve("icu-1:VENTRICULAR_TACHYCARDIA:" + T0, "dr.a", "reviewed", T0 + 1000));
        for (int i = 2; i <= 3; i++) {
            apply(ledger.onAlert(alert("icu-" + i, "LEAD_OFF", Priority.TECHNICAL, T0 + i * 60_000), T0 + i * 60_000));
            apply(ledger.resolve("icu-" + i + ":LEAD_OFF:" + (T0 + i * 60_000), "dr.a", "fixed", T0 + i * 60_000 + 1000));
        }
        AlertLedger.Page latest = ledger.page(r -> r.getState() == AlertState.RESOLVED, 2,
                AlertLedger.LATEST_RESOLVED_FIRST);
        assertThat(latest.records()).extracting(r -> r.getAlert().getDeviceId()).containsExactly("icu-3", "icu-2");
        assertThat(latest.total()).isEqualTo(3);
        assertThat(ledger.page(r -> r.getState() == AlertState.RESOLVED, 2).records())
                .extracting(r -> r.getAlert().getDeviceId()).as("the most urgent first, for open alerts")
                .containsExactly("icu-1", "icu-3");
    }

    @Test
    void aNewHighAlertAfterTheLastOneWasDealtWithIsNeverSuppressed() {
        Alert first = alert("icu-1", "VT", Priority.HIGH, T0);
        apply(ledger.onAlert(first, T0));
        apply(ledger.acknowledge(first.getAlertId(), "nurse.b", null, T0 + 30_000));
        // The episode ends: acknowledged, so the system resolves it.
        assertThat(apply(ledger.onAlert(ended(first, T0 + 60_000), T0 + 60_000)).get(0).getState())
                .isEqualTo(AlertState.RESOLVED);
        AlertRecord second = apply(ledger.onAlert(alert("icu-1", "VT", Priority.HIGH, T0 + 300_000), T0 + 300_000))
                .get(0);
        assertThat(second.getState()).isEqualTo(AlertState.OPEN);
        assertThat(second.getDeliveriesMap()).containsKey("raised:nurse-pager");
    }

    @Test
    void briefLowEventsTheSystemResolvedStillSuppressTheirRepeats() {
        Alert couplet = alert("icu-1", "COUPLET", Priority.LOW, T0);
        apply(ledger.onAlert(couplet, T0));
        apply(ledger.onAlert(ended(couplet, T0 + 1000), T0 + 1000));
        Alert next = ended(alert("icu-1", "COUPLET", Priority.LOW, T0 + 30_000), T0 + 30_400);
        assertThat(apply(ledger.onAlert(next, T0)).get(0).getState()).isEqualTo(AlertState.SUPPRESSED);
    }

    @Test
    void aRepeatStillGoingOnWhenItsFirstIsResolvedBecomesAnAlertOfItsOwn() {
        Alert first = alert("icu-1", "PAUSE", Priority.MEDIUM, T0);
        Alert second = alert("icu-1", "PAUSE", Priority.MEDIUM, T0 + 20_000);
        Alert third = alert("icu-1", "PAUSE", Priority.MEDIUM, T0 + 40_000);
        apply(ledger.onAlert(first, T0));
        apply(ledger.onAlert(second, T0));
        apply(ledger.onAlert(third, T0));
        apply(ledger.onAlert(ended(third, T0 + 45_000), T0));
        List<AlertRecord> changes = apply(ledger.resolve(first.getAlertId(), "dr.a", "reviewed", T0 + 60_000));
        assertThat(changes).extracting(r -> r.getAlert().getAlertId())
                .containsExactly(first.getAlertId(), second.getAlertId());
        AlertRecord promoted = changes.get(1);
        assertThat(promoted.getState()).isEqualTo(AlertState.OPEN);
        assertThat(promoted.getSuppressedBy()).isEmpty();
        assertThat(promoted.getDeliveriesMap()).containsKey("raised:ward");
        assertThat(ledger.get(third.getAlertId()).orElseThrow().getState()).as("over already")
                .isEqualTo(AlertState.SUPPRESSED);
    }

    @Test
    void anOngoingTechnicalConditionIsNeverHiddenUnderABriefOneThatEnded() {
        Alert brief = alert("icu-1", "LEAD_OFF", Priority.TECHNICAL, T0);
        apply(ledger.onAlert(brief, T0));
        apply(ledger.onAlert(ended(brief, T0 + 5000), T0 + 5000));
        AlertRecord again = apply(ledger.onAlert(alert("icu-1", "LEAD_OFF", Priority.TECHNICAL, T0 + 60_000), T0))
                .get(0);
        assertThat(again.getState()).isEqualTo(AlertState.OPEN);
    }

    @Test
    void aSustainedVtAfterAShortOneNobodyAcknowledgedYetIsRaisedOnItsOwn() {
        Alert shortRun = alert("icu-1", "VT", Priority.HIGH, T0);
        apply(ledger.onAlert(shortRun, T0));
        apply(ledger.onAlert(ended(shortRun, T0 + 3000), T0 + 3000));
        AlertRecord sustained = apply(ledger.onAlert(alert("icu-1", "VT", Priority.HIGH, T0 + 300_000), T0 + 300_000))
                .get(0);
        assertThat(sustained.getState()).isEqualTo(AlertState.OPEN);
        assertThat(sustained.getDeliveriesMap()).containsKey("raised:nurse-pager");
        // A brief repeat while the first still waits is counted on it instead.
        Alert brief = ended(alert("icu-1", "VT", Priority.HIGH, T0 + 310_000), T0 + 312_000);
        assertThat(apply(ledger.onAlert(brief, T0)).get(0).getState()).isEqualTo(AlertState.SUPPRESSED);
    }

    @Test
    void aRolledBackChangeLeavesNoTrace() {
        Alert first = alert("icu-1", "PAUSE", Priority.MEDIUM, T0);
        apply(ledger.onAlert(first, T0));
        Alert repeat = alert("icu-1", "PAUSE", Priority.MEDIUM, T0 + 20_000);
        List<AlertRecord> staged = ledger.onAlert(ended(repeat, T0 + 21_000), T0);
        String latestBefore = ledger.latestRaisedFor(repeat);
        AlertRecord firstBefore = ledger.get(first.getAlertId()).orElseThrow();
        staged.forEach(ledger::apply);
        assertThat(ledger.get(repeat.getAlertId())).as("not visible before it is stored").isEmpty();
        ledger.rollBack(first.getAlertId(), firstBefore, latestBefore);
        ledger.rollBack(repeat.getAlertId(), null, latestBefore);
        assertThat(ledger.get(first.getAlertId()).orElseThrow().getRepeats()).isZero();
        // The same repeat, proposed again, is judged against the first as before.
        assertThat(ledger.onAlert(ended(repeat, T0 + 21_000), T0).get(0).getState())
                .isEqualTo(AlertState.SUPPRESSED);
    }

    @Test
    void retentionTakesOnlyAlertsClosedLongEnoughAgo() {
        Alert old = alert("icu-1", "PAUSE", Priority.MEDIUM, T0);
        Alert open = alert("icu-2", "VT", Priority.HIGH, T0);
        apply(ledger.onAlert(old, T0));
        apply(ledger.onAlert(open, T0));
        apply(ledger.resolve(old.getAlertId(), "dr.a", "reviewed", T0 + 1000));
        assertThat(ledger.closedBefore(T0 + 1000)).isEmpty();
        assertThat(ledger.closedBefore(T0 + 1001)).containsExactly(old.getAlertId());
        ledger.forgetDeleted(List.of(old.getAlertId()));
        assertThat(ledger.get(old.getAlertId())).isEmpty();
        assertThat(ledger.count(Priority.MEDIUM, AlertState.RESOLVED)).isZero();
        assertThat(ledger.onAlert(old, T0 + 5000)).as("a late copy is not raised again").isEmpty();
    }

    @Test
    void anEpisodeWithAnOldEpisodesIdButAnotherOnsetIsANewAlert() {
        // The processor lost the device's state: its sample count started again, and a new VT
        // an hour later has the onset sample, so the id, of the old one.
        Alert old = alert("icu-1", "VT", Priority.HIGH, T0);
        apply(ledger.onAlert(old, T0));
        apply(ledger.acknowledge(old.getAlertId(), "dr.a", null, T0 + 1000));
        Alert next = old.toBuilder().setOnsetTimeMs(T0 + 3_600_000).build();

        AlertRecord raised = apply(ledger.onAlert(next, T0 + 3_600_500)).get(0);
        assertThat(raised.getAlert().getAlertId()).isEqualTo(old.getAlertId() + "@" + (T0 + 3_600_000));
        assertThat(raised.getState()).isEqualTo(AlertState.OPEN);
        assertThat(ledger.get(old.getAlertId())).get().satisfies(r -> {
            assertThat(r.getState()).isEqualTo(AlertState.ACKNOWLEDGED);
            assertThat(r.getAlert().getOnsetTimeMs()).isEqualTo(T0);
        });
        AlertRecord end = apply(ledger.onAlert(ended(next, T0 + 3_610_000), T0 + 3_610_500)).get(0);
        assertThat(end.getAlert().getAlertId()).as("its end updates it").isEqualTo(raised.getAlert().getAlertId());
        assertThat(end.getAlert().getEndTimeMs()).isEqualTo(T0 + 3_610_000);
    }

    @Test
    void anEpisodeKeptApartIsFoundByItsOwnIdAfterTheOldAlertLeft() {
        Alert old = alert("icu-1", "VT", Priority.HIGH, T0);
        apply(ledger.onAlert(old, T0));
        apply(ledger.acknowledge(old.getAlertId(), "dr.a", null, T0 + 1000));
        apply(ledger.resolve(old.getAlertId(), "dr.a", "reviewed", T0 + 2000));
        Alert next = old.toBuilder().setOnsetTimeMs(T0 + 3_600_000).build();
        String own = apply(ledger.onAlert(next, T0 + 3_600_500)).get(0).getAlert().getAlertId();
        ledger.forgetDeleted(List.of(old.getAlertId()));
        // As after a restart, which remembers nothing of the deleted alert.
        AlertLedger restarted = new AlertLedger(Duration.ZERO, EnumSet.of(Priority.HIGH), escalation, router, 100);
        ledger.page(r -> true, 100).records().forEach(restarted::restore);

        assertThat(restarted.onAlert(ended(next, T0 + 3_610_000), T0 + 3_610_500)).singleElement()
                .satisfies(r -> assertThat(r.getAlert().getAlertId()).isEqualTo(own));
    }

    @Test
    void technicalAlertsAreNotSplitByTheirOnset() {
        Alert leadOff = alert("icu-1", "LEAD_OFF", Priority.TECHNICAL, T0);
        apply(ledger.onAlert(leadOff, T0));
        Alert end = ended(leadOff.toBuilder().setOnsetTimeMs(T0 + 120_000).build(), T0 + 130_000);
        assertThat(apply(ledger.onAlert(end, T0 + 130_500))).singleElement()
                .satisfies(r -> assertThat(r.getAlert().getAlertId()).isEqualTo(leadOff.getAlertId()));
    }

    @Test
    void aCopyWhoseOnsetMovedByAClocksJitterIsTheSameAlert() {
        Alert vt = alert("icu-1", "VT", Priority.HIGH, T0);
        apply(ledger.onAlert(vt, T0));
        AlertRecord end = apply(ledger.onAlert(ended(vt.toBuilder().setOnsetTimeMs(T0 + 3).build(), T0 + 9000),
                T0 + 9500)).get(0);
        assertThat(end.getAlert().getAlertId()).isEqualTo(vt.getAlertId());
    }

    @Test
    void anEpisodeWithAForgottenAlertsIdButAnotherOnsetIsRaised() {
        Alert old = alert("icu-1", "PAUSE", Priority.MEDIUM, T0);
        apply(ledger.onAlert(old, T0));
        apply(ledger.resolve(old.getAlertId(), "dr.a", "reviewed", T0 + 1000));
        ledger.forgetDeleted(List.of(old.getAlertId()));
        assertThat(ledger.onAlert(old, T0 + 5000)).as("a late copy is not raised again").isEmpty();

        Alert next = old.toBuilder().setOnsetTimeMs(T0 + 86_400_000).build();
        assertThat(ledger.onAlert(next, T0 + 86_400_500)).singleElement()
                .satisfies(r -> assertThat(r.getState()).isEqualTo(AlertState.OPEN));
    }

    @Test
    void anAlertWithoutAKnownPriorityIsTreatedAsHigh() {
        Alert unknown = alert("icu-1", "NEW_TYPE", Priority.PRIORITY_UNSPECIFIED, T0);
        AlertRecord record = apply(ledger.onAlert(unknown, T0)).get(0);
        assertThat(record.getAlert().getPriority()).isEqualTo(Priority.HIGH);
        assertThat(ledger.escalationsDue(T0 + 120_000)).hasSize(1);
    }

    @Test
    void escalatingForHoursKeepsTheRecordBounded() {
        Alert vt = alert("icu-1", "VT", Priority.HIGH, T0);
        apply(ledger.onAlert(vt, T0));
        long now = T0;
        for (int step = 1; step <= 600; step++) {
            now += 120_000;
            for (AlertRecord record : apply(ledger.escalationsDue(now))) {
                for (String id : record.getDeliveriesMap().keySet()) {
                    ledger.deliveryOutcome(vt.getAlertId(), id, DeliveryState.DELIVERED, 1, null, now)
                            .ifPresent(ledger::restore);
                }
            }
        }
        AlertRecord record = ledger.get(vt.getAlertId()).orElseThrow();
        assertThat(record.getEscalations()).isEqualTo(600);
        assertThat(record.getDeliveriesCount()).isLessThanOrEqualTo(AlertLedger.MAX_SETTLED_DELIVERIES + 1);
        assertThat(record.getHistoryCount()).isLessThanOrEqualTo(AlertLedger.MAX_HISTORY);
        assertThat(record.getHistory(0).getAction()).isEqualTo("raised");
        assertThat(record.getSerializedSize()).isLessThan(200_000);
    }

    @Test
    void theEndOfAnEpisodeResolvesANonLatchingAlert() {
        Alert pause = alert("icu-1", "PAUSE", Priority.MEDIUM, T0);
        apply(ledger.onAlert(pause, T0));
        AlertRecord resolved = apply(ledger.onAlert(ended(pause, T0 + 4000), T0 + 5000)).get(0);
        assertThat(resolved.getState()).isEqualTo(AlertState.RESOLVED);
        assertThat(resolved.getResolvedBy()).isEqualTo(AlertLedger.SYSTEM);
        assertThat(resolved.getDeliveriesMap()).containsKey("resolved:ward");
    }

    @Test
    void aHighPriorityAlertLatchesOpenUntilAcknowledgedThenResolves() {
        Alert vt = alert("icu-1", "VT", Priority.HIGH, T0);
        apply(ledger.onAlert(vt, T0));
        AlertRecord afterEnd = apply(ledger.onAlert(ended(vt, T0 + 8000), T0 + 9000)).get(0);
        assertThat(afterEnd.getState()).isEqualTo(AlertState.OPEN);
        assertThat(actions(afterEnd)).containsExactly("raised", "episode_ended");

        AlertRecord acked = apply(ledger.acknowledge(vt.getAlertId(), "nurse.b", null, T0 + 20_000)).get(0);
        assertThat(acked.getState()).isEqualTo(AlertState.RESOLVED);
        assertThat(acked.getAcknowledgedBy()).isEqualTo("nurse.b");
        assertThat(actions(acked)).containsExactly("raised", "episode_ended", "acknowledged", "resolved");
    }

    @Test
    void aLatchingMediumAlertStaysOpenUntilAcknowledgedButDoesNotEscalate() {
        AlertLedger latchingMedium = new AlertLedger(Duration.ofSeconds(600), EnumSet.of(Priority.HIGH, Priority.MEDIUM),
                escalation, router, 1000);
        Alert pause = alert("icu-1", "PAUSE", Priority.MEDIUM, T0);
        latchingMedium.onAlert(pause, T0).forEach(latchingMedium::restore);
        latchingMedium.onAlert(ended(pause, T0 + 3000), T0 + 3000).forEach(latchingMedium::restore);
        assertThat(latchingMedium.get(pause.getAlertId()).orElseThrow().getState()).isEqualTo(AlertState.OPEN);
        assertThat(latchingMedium.escalationsDue(T0 + 3_600_000)).isEmpty();
        List<AlertRecord> acked = latchingMedium.acknowledge(pause.getAlertId(), "nurse.b", null, T0 + 60_000);
        assertThat(acked.get(0).getState()).isEqualTo(AlertState.RESOLVED);
    }

    @Test
    void acknowledgingThenTheEpisodeEndingResolves() {
        Alert vt = alert("icu-1", "VT", Priority.HIGH, T0);
        apply(ledger.onAlert(vt, T0));
        AlertRecord acked = apply(ledger.acknowledge(vt.getAlertId(), "nurse.b", "seen", T0 + 1000)).get(0);
        assertThat(acked.getState()).isEqualTo(AlertState.ACKNOWLEDGED);
        assertThat(acked.getHistory(1).getNote()).isEqualTo("seen");
        assertThat(apply(ledger.onAlert(ended(vt, T0 + 8000), T0 + 9000)).get(0).getState())
                .isEqualTo(AlertState.RESOLVED);
    }

    @Test
    void transitionsTheStateDoesNotAllowAreRefused() {
        Alert vt = alert("icu-1", "VT", Priority.HIGH, T0);
        apply(ledger.onAlert(vt, T0));
        apply(ledger.resolve(vt.getAlertId(), "dr.a", "treated", T0 + 1000));
        assertThatThrownBy(() -> ledger.acknowledge(vt.getAlertId(), "dr.a", null, T0))
                .isInstanceOf(TransitionException.class).hasMessageContaining("it is resolved");
        assertThatThrownBy(() -> ledger.resolve(vt.getAlertId(), "dr.a", "again", T0))
                .isInstanceOf(TransitionException.class);
        assertThatThrownBy(() -> ledger.acknowledge("nope", "dr.a", null, T0))
                .isInstanceOf(UnknownAlertException.class);
    }

    @Test
    void anUnacknowledgedHighAlertClimbsTheRosterOnTimeAndRepeatsTheLastLevel() {
        Alert vt = alert("icu-1", "VT", Priority.HIGH, T0);
        apply(ledger.onAlert(vt, T0));
        apply(ledger.onAlert(alert("icu-1", "PAUSE", Priority.MEDIUM, T0), T0));
        assertThat(ledger.escalationsDue(T0 + 119_999)).isEmpty();

        AlertRecord first = apply(ledger.escalationsDue(T0 + 120_000)).get(0);
        assertThat(first.getEscalationLevel()).isEqualTo(1);
        assertThat(first.getEscalatedTo()).isEqualTo("charge nurse");
        assertThat(first.getDeliveriesMap()).containsKey("escalated-1:nurse-pager");

        assertThat(ledger.escalationsDue(T0 + 200_000)).isEmpty();
        AlertRecord second = apply(ledger.escalationsDue(T0 + 240_000)).get(0);
        assertThat(second.getEscalationLevel()).isEqualTo(2);
        assertThat(second.getDeliveriesMap()).containsKey("escalated-2:doctor-pager");
        AlertRecord third = apply(ledger.escalationsDue(T0 + 360_000)).get(0);
        assertThat(third.getEscalationLevel()).isEqualTo(2);
        assertThat(third.getDeliveriesMap()).containsKey("escalated-3:doctor-pager");

        apply(ledger.acknowledge(vt.getAlertId(), "dr.c", null, T0 + 400_000));
        assertThat(ledger.escalationsDue(T0 + 10_000_000)).isEmpty();
    }

    @Test
    void resolvingAnEscalatedAlertCancelsItsPendingPagesButNotItsEvents() {
        Alert vt = alert("icu-1", "VT", Priority.HIGH, T0);
        apply(ledger.onAlert(vt, T0));
        apply(ledger.escalationsDue(T0 + 120_000));
        AlertRecord resolved = apply(ledger.resolve(vt.getAlertId(), "dr.c", "artefact", T0 + 130_000)).get(0);
        assertThat(resolved.getDeliveriesOrThrow("escalated-1:nurse-pager").getState())
                .isEqualTo(DeliveryState.CANCELLED);
        assertThat(resolved.getDeliveriesOrThrow("escalated-1:nurse-pager").getCancelReason())
                .isEqualTo("alert resolved by dr.c");
        assertThat(actions(resolved)).endsWith("resolved", "notification_cancelled");
        assertThat(resolved.getDeliveriesOrThrow("raised:ward").getState()).isEqualTo(DeliveryState.PENDING);
        assertThat(resolved.getDeliveriesOrThrow("resolved:ward").getState()).isEqualTo(DeliveryState.PENDING);
        // A cancelled page stays cancelled: an attempt's late outcome does not change it.
        assertThat(ledger.deliveryOutcome(vt.getAlertId(), "escalated-1:nurse-pager", DeliveryState.DELIVERED, 1,
                null, T0 + 131_000)).isEmpty();
        // Only escalations of alerts no longer open are cancelled.
        assertThat(ledger.deliveryOutcome(vt.getAlertId(), "raised:ward", DeliveryState.CANCELLED, 0, null,
                T0 + 131_000)).isEmpty();
    }

    @Test
    void deliveryOutcomesAreRecordedOnce() {
        Alert vt = alert("icu-1", "VT", Priority.HIGH, T0);
        apply(ledger.onAlert(vt, T0));
        AlertRecord delivered = apply(ledger.deliveryOutcome(vt.getAlertId(), "raised:ward", DeliveryState.DELIVERED,
                2, null, T0 + 10).orElseThrow());
        assertThat(delivered.getDeliveriesOrThrow("raised:ward").getState()).isEqualTo(DeliveryState.DELIVERED);
        assertThat(delivered.getDeliveriesOrThrow("raised:ward").getAttempts()).isEqualTo(2);
        assertThat(ledger.deliveryOutcome(vt.getAlertId(), "raised:ward", DeliveryState.DELIVERED, 3, null, T0))
                .isEmpty();
        assertThat(ledger.withPendingDeliveries()).hasSize(1);
    }

    @Test
    void listsMostUrgentFirstAndCountsByPriorityAndState() {
        apply(ledger.onAlert(alert("a", "COUPLET", Priority.LOW, T0 + 5000), T0));
        apply(ledger.onAlert(alert("b", "VT", Priority.HIGH, T0), T0));
        apply(ledger.onAlert(alert("c", "PAUSE", Priority.MEDIUM, T0 + 9000), T0));
        assertThat(ledger.page(r -> true, 10).records()).extracting(r -> r.getAlert().getDeviceId())
                .containsExactly("b", "c", "a");
        assertThat(ledger.count(Priority.HIGH, AlertState.OPEN)).isEqualTo(1);
        apply(ledger.acknowledge("b:VT:" + T0, "n", null, T0));
        assertThat(ledger.count(Priority.HIGH, AlertState.OPEN)).isZero();
        assertThat(ledger.count(Priority.HIGH, AlertState.ACKNOWLEDGED)).isEqualTo(1);
    }

    @Test
    void atCapacityTheOldestClosedAlertsLeaveMemoryFirst() {
        AlertLedger small = new AlertLedger(Duration.ZERO, EnumSet.of(Priority.HIGH), escalation, router, 2);
        Alert old = alert("a", "PAUSE", Priority.MEDIUM, T0);
        small.onAlert(old, T0).forEach(small::restore);
        small.onAlert(ended(old, T0 + 1), T0).forEach(small::restore);
        small.onAlert(alert("b", "VT", Priority.HIGH, T0 + 1000), T0).forEach(small::restore);
        small.onAlert(alert("c", "VT", Priority.HIGH, T0 + 2000), T0).forEach(small::restore);
        small.evictToCapacity();
        assertThat(small.size()).isEqualTo(2);
        assertThat(small.get(old.getAlertId())).isEmpty();
        assertThat(small.onAlert(ended(old, T0 + 1), T0)).as("a late copy is not raised again").isEmpty();
    }

    @Test
    void atCapacityOpenAndAcknowledgedAlertsNeverLeaveMemoryEvenWhenOlderThanClosedOnes() {
        AlertLedger small = new AlertLedger(Duration.ZERO, EnumSet.of(Priority.HIGH), escalation, router, 1);
        Alert open = alert("a", "VT", Priority.HIGH, T0);
        Alert acknowledged = alert("b", "VT", Priority.HIGH, T0 + 1000);
        Alert resolved = alert("c", "PAUSE", Priority.MEDIUM, T0 + 2000);
        small.onAlert(open, T0).forEach(small::restore);
        small.onAlert(acknowledged, T0).forEach(small::restore);
        small.acknowledge(acknowledged.getAlertId(), "nurse.b", null, T0 + 5000).forEach(small::restore);
        small.onAlert(resolved, T0).forEach(small::restore);
        small.onAlert(ended(resolved, T0 + 3000), T0 + 3000).forEach(small::restore);
        small.evictToCapacity();
        // Over capacity with nothing closed left to drop: memory grows rather than lose an alert
        // that asks for attention.
        assertThat(small.size()).isEqualTo(2);
        assertThat(small.get(resolved.getAlertId())).isEmpty();
        assertThat(small.get(open.getAlertId()).orElseThrow().getState()).isEqualTo(AlertState.OPEN);
        assertThat(small.resolve(acknowledged.getAlertId(), "dr.a", "reviewed", T0 + 9000).get(0).getState())
                .isEqualTo(AlertState.RESOLVED);
    }

    @Test
    void atCapacityABriefAlertTheSystemResolvedStaysInMemoryWhileItSuppressesItsRepeats() {
        // Memory full of an alert nobody dealt with: every closed alert would be the first to leave.
        AlertLedger small = new AlertLedger(Duration.ofSeconds(600), EnumSet.of(Priority.HIGH), escalation, router, 1);
        small.onAlert(alert("b", "VT", Priority.HIGH, T0), T0).forEach(small::restore);
        Alert brief = ended(alert("icu-1", "NOISE", Priority.TECHNICAL, T0 + 1000), T0 + 3000);
        assertThat(small.onAlert(brief, T0 + 3000)).singleElement().satisfies(r -> {
            assertThat(r.getState()).isEqualTo(AlertState.RESOLVED);
            small.restore(r);
        });
        small.evictToCapacity();

        Alert again = ended(alert("icu-1", "NOISE", Priority.TECHNICAL, T0 + 60_000), T0 + 62_000);
        List<AlertRecord> changes = small.onAlert(again, T0 + 62_000);
        assertThat(changes.get(0).getState()).as("a repeat, not paged again").isEqualTo(AlertState.SUPPRESSED);
        assertThat(changes.get(0).getDeliveriesMap()).isEmpty();
        changes.forEach(small::restore);
        small.evictToCapacity();
        assertThat(small.get(brief.getAlertId()).orElseThrow().getRepeats()).isEqualTo(1);

        // Once a later alert of the type is the one repeats are judged against, the first may leave.
        Alert later = alert("icu-1", "NOISE", Priority.TECHNICAL, T0 + 700_000);
        small.onAlert(later, T0 + 700_000).forEach(small::restore);
        small.evictToCapacity();
        assertThat(small.get(brief.getAlertId())).isEmpty();
        assertThat(small.get(later.getAlertId())).isPresent();
    }

    @Test
    void aRolledBackAlertGivesTheSuppressionBackToTheOneBeforeEvenAtCapacity() {
        AlertLedger small = new AlertLedger(Duration.ofSeconds(600), EnumSet.of(Priority.HIGH), escalation, router, 1);
        small.onAlert(alert("b", "VT", Priority.HIGH, T0), T0).forEach(small::restore);
        Alert brief = ended(alert("icu-1", "NOISE", Priority.TECHNICAL, T0 + 1000), T0 + 3000);
        small.onAlert(brief, T0 + 3000).forEach(small::restore);
        Alert later = alert("icu-1", "NOISE", Priority.TECHNICAL, T0 + 700_000);
        String latestBefore = small.latestRaisedFor(later);
        small.onAlert(later, T0 + 700_000).forEach(small::apply);
        small.rollBack(later.getAlertId(), null, latestBefore);
        small.evictToCapacity();
        assertThat(small.get(brief.getAlertId())).isPresent();
        Alert again = ended(alert("icu-1", "NOISE", Priority.TECHNICAL, T0 + 60_000), T0 + 62_000);
        assertThat(small.onAlert(again, T0 + 62_000).get(0).getState()).isEqualTo(AlertState.SUPPRESSED);
    }

    @Test
    void atCapacityARepeatStillGoingOnStaysInMemoryAndIsRaisedWhenItsFirstIsResolved() {
        AlertLedger small = new AlertLedger(Duration.ofSeconds(600), EnumSet.of(Priority.HIGH), escalation, router, 2);
        Alert first = alert("icu-1", "PAUSE", Priority.MEDIUM, T0);
        Alert second = alert("icu-1", "PAUSE", Priority.MEDIUM, T0 + 20_000);
        small.onAlert(alert("b", "VT", Priority.HIGH, T0), T0).forEach(small::restore);
        small.onAlert(first, T0).forEach(small::restore);
        assertThat(small.onAlert(second, T0 + 20_000).get(0).getState()).isEqualTo(AlertState.SUPPRESSED);
        small.onAlert(second, T0 + 20_000).forEach(small::restore);
        small.evictToCapacity();
        assertThat(small.get(second.getAlertId())).as("still going on: not dropped").isPresent();

        List<AlertRecord> changes = small.resolve(first.getAlertId(), "dr.a", "reviewed", T0 + 60_000);
        assertThat(changes).extracting(r -> r.getAlert().getAlertId())
                .containsExactly(first.getAlertId(), second.getAlertId());
        assertThat(changes.get(1).getState()).isEqualTo(AlertState.OPEN);
        assertThat(changes.get(1).getDeliveriesMap()).containsKey("raised:ward");
        changes.forEach(small::restore);
        // Its episode's later updates still reach it (a dropped one would be taken for a late copy).
        assertThat(small.onAlert(ended(second, T0 + 90_000), T0 + 90_000)).isNotEmpty();
    }
}
