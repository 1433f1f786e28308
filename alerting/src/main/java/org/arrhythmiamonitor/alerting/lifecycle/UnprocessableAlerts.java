package org.arrhythmiamonitor.alerting.lifecycle;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.arrhythmiamonitor.alerting.notify.DeadLetters;
import org.arrhythmiamonitor.wire.Topics;
import org.arrhythmiamonitor.wire.v1.Alert;
import org.arrhythmiamonitor.wire.v1.AlertRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the alerts the lifecycle could not take to {@code ecg.alerts.dead-letter} as JSON: the
 * alert, why, and where {@code ecg.alerts} holds it (partition and offset, which also tell apart a
 * letter written twice: the feed reads a batch again when a write fails, at least once).
 */
final class UnprocessableAlerts {
    private static final Logger LOG = LoggerFactory.getLogger(UnprocessableAlerts.class);

    private final DeadLetters deadLetters;
    private final Counter failures;
    private final Counter abandoned;

    UnprocessableAlerts(DeadLetters deadLetters, MeterRegistry registry) {
        this.deadLetters = deadLetters;
        this.failures = Counter.builder("ecg.alerts.dead_letter_failures")
                .description("Writes of alerts the service could not take to the dead-letter topic that failed")
                .register(registry);
        this.abandoned = Counter.builder("ecg.alerts.dead_letter_abandoned")
                .description("Alerts the service could not take, moved past after the dead-letter topic refused them "
                        + "for the patience; they are only in ecg.alerts")
                .register(registry);
    }

    /** The feed moves past an alert the dead-letter topic would not take: where to find it is logged and counted. */
    void abandon(ConsumerRecord<String, Alert> record, String reason, Duration patience) {
        abandoned.increment();
        LOG.error("Alert {} (key {}), which could not be taken ({}), was refused by {} for {} s: moving past it, so "
                + "that the alerts behind it are not held. It is only in {} partition {} offset {}, until that "
                + "topic's retention", record.value().getAlertId(), record.key(), reason, Topics.ALERTS_DEAD_LETTER,
                patience.toSeconds(), record.topic(), record.partition(), record.offset());
    }

    /** True once Kafka has the letter; false, logged and counted, when it does not. */
    boolean write(ConsumerRecord<String, Alert> record, String reason) {
        Alert alert = record.value();
        JsonObject letter = new JsonObject()
                .put("unprocessableAlert", AlertJson.toJson(AlertRecord.newBuilder().setAlert(alert).build(), false))
                .put("reason", reason)
                .put("source", new JsonObject().put("topic", record.topic()).put("partition", record.partition())
                        .put("offset", record.offset()).put("key", record.key()))
                .put("failedAtMs", System.currentTimeMillis());
        Exception refused = publish(alert, letter);
        if (refused == null) {
            return true;
        }
        if (!failed(record, reason, refused)) {
            return false;
        }
        // Most likely the alert that was too large for the store: retrying cannot help, and waiting for it would
        // stop every alert behind it. Without the alert the letter still names it and where to read it.
        letter.put("unprocessableAlert", new JsonObject().put("alertId", alert.getAlertId())
                .put("omitted", "larger than Kafka accepts; read it from ecg.alerts at source"));
        refused = publish(alert, letter);
        if (refused != null) {
            failed(record, reason, refused);
        }
        return refused == null;
    }

    /** Null once Kafka has the letter, else why not. */
    private Exception publish(Alert alert, JsonObject letter) {
        try {
            deadLetters.publish(alert.getAlertId(), letter);
            return null;
        } catch (Exception e) {
            return e;
        }
    }

    /** Logs and counts a failed write; true when the letter itself was too large for Kafka. */
    private boolean failed(ConsumerRecord<String, Alert> record, String reason, Exception e) {
        if (e instanceof InterruptedException) {
            Thread.currentThread().interrupt();
        }
        failures.increment();
        Throwable cause = e.getCause() != null ? e.getCause() : e;
        LOG.error("Alert {} (key {}, {}-{} offset {}), which could not be taken ({}), could not be written to {}: {}",
                record.value().getAlertId(), record.key(), record.topic(), record.partition(), record.offset(), reason,
                Topics.ALERTS_DEAD_LETTER, cause.toString());
        return cause instanceof RecordTooLargeException;
    }
}
