package org.arrhythmiamonitor.alerting;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import org.arrhythmiamonitor.wire.v1.Alert;

/** The JSON shape of an alert in the HTTP API: camelCase fields, times as epoch ms and ISO-8601. */
final class AlertJson {
    private AlertJson() {
    }

    static JsonObject toJson(Alert alert) {
        JsonObject json = new JsonObject()
                .put("alertId", alert.getAlertId())
                .put("deviceId", alert.getDeviceId())
                .put("type", alert.getType())
                .put("priority", alert.getPriority().name().toLowerCase())
                .put("status", alert.getEndTimeMs() > 0 ? "ended" : "ongoing")
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
            json.put("evidence", new JsonObject()
                    .put("startTimeMs", alert.getEvidence().getStartTimeMs())
                    .put("endTimeMs", alert.getEvidence().getEndTimeMs()));
        }
        return json;
    }
}
