package org.arrhythmiamonitor.alerting.lifecycle;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import org.arrhythmiamonitor.wire.v1.Alert;
import org.arrhythmiamonitor.wire.v1.AlertRecord;
import org.arrhythmiamonitor.wire.v1.AlertState;
import org.arrhythmiamonitor.wire.v1.AuditEntry;

/**
 * The JSON shape of an alert in the HTTP API, the live stream and webhook payloads (documented in
 * {@code src/site/markdown/alerting.md}): camelCase, times as epoch ms and ISO-8601, and
 * {@code null} for what does not apply yet, so clients see every field on every alert.
 */
public final class AlertJson {
    private AlertJson() {
    }

    public static JsonObject toJson(AlertRecord record, boolean withHistory) {
        Alert alert = record.getAlert();
        JsonObject json = new JsonObject()
                .put("alertId", alert.getAlertId())
                .put("deviceId", alert.getDeviceId())
                .put("type", alert.getType())
                .put("priority", Priorities.name(alert.getPriority()))
                .put("state", Priorities.name(record.getState()))
                .put("episode", alert.getEndTimeMs() > 0 ? "ended" : "ongoing")
                .put("message", alert.getMessage())
                .put("onsetSample", alert.getOnsetSample())
                .put("onsetTimeMs", alert.getOnsetTimeMs())
                .put("onsetTime", Instant.ofEpochMilli(alert.getOnsetTimeMs()).toString())
                .put("heartRateBpm", alert.getHeartRateBpm())
                .put("beatCount", alert.getBeatCount());
        if (alert.getEndTimeMs() > 0) {
            json.put("endTimeMs", alert.getEndTimeMs())
                    .put("endTime", Instant.ofEpochMilli(alert.getEndTimeMs()).toString());
        }
        if (alert.hasEvidence()) {
            JsonObject evidence = new JsonObject()
                    .put("startTimeMs", alert.getEvidence().getStartTimeMs())
                    .put("endTimeMs", alert.getEvidence().getEndTimeMs());
            if (alert.getEvidence().hasChunkArrivalOffsetMs()) {
                evidence.put("chunkArrivalOffsetMs", alert.getEvidence().getChunkArrivalOffsetMs());
            }
            json.put("evidence", evidence);
        }
        json.put("raisedAtMs", record.getRaisedAtMs())
                .put("acknowledgedBy", emptyToNull(record.getAcknowledgedBy()))
                .put("acknowledgedAtMs", zeroToNull(record.getAcknowledgedAtMs()))
                .put("resolvedBy", emptyToNull(record.getResolvedBy()))
                .put("resolvedAtMs", zeroToNull(record.getResolvedAtMs()))
                .put("resolutionNote", emptyToNull(record.getResolutionNote()))
                .put("escalationLevel", record.getEscalationLevel())
                .put("escalatedTo", emptyToNull(record.getEscalatedTo()))
                .put("repeats", record.getRepeats())
                .put("suppressedBy", emptyToNull(record.getSuppressedBy()))
                .put("version", record.getVersion());
        if (withHistory) {
            JsonArray history = new JsonArray();
            for (AuditEntry entry : record.getHistoryList()) {
                history.add(new JsonObject()
                        .put("atMs", entry.getAtMs())
                        .put("at", Instant.ofEpochMilli(entry.getAtMs()).toString())
                        .put("actor", entry.getActor())
                        .put("action", entry.getAction())
                        .put("from", state(entry.getFromState()))
                        .put("to", state(entry.getToState()))
                        .put("note", emptyToNull(entry.getNote())));
            }
            json.put("history", history);
        }
        return json;
    }

    private static String state(AlertState state) {
        return state == AlertState.ALERT_STATE_UNSPECIFIED ? null : Priorities.name(state);
    }

    private static String emptyToNull(String value) {
        return value.isEmpty() ? null : value;
    }

    private static Long zeroToNull(long value) {
        return value == 0 ? null : value;
    }
}
