package org.arrhythmiamonitor.alert;

import io.vertx.core.json.JsonObject;

/**
 * Heart-rate limits of the extreme tachycardia and bradycardia alerts. Defaults follow the
 * project's clinical table: above 140 bpm for 17 beats, below 40 bpm for 5 beats.
 */
public record RateThresholds(double tachycardiaBpm, int tachycardiaBeats, double bradycardiaBpm,
        int bradycardiaBeats) {
    public static final RateThresholds DEFAULTS = new RateThresholds(140, 17, 40, 5);

    public RateThresholds {
        if (!(bradycardiaBpm > 0 && bradycardiaBpm < tachycardiaBpm && tachycardiaBpm < 400)) {
            throw new IllegalArgumentException("rate thresholds need 0 < bradycardia < tachycardia < 400 bpm, got "
                    + bradycardiaBpm + " and " + tachycardiaBpm);
        }
        if (tachycardiaBeats < 1 || bradycardiaBeats < 1) {
            throw new IllegalArgumentException("rate alerts need at least 1 beat, got " + tachycardiaBeats + " and "
                    + bradycardiaBeats);
        }
    }

    /** Reads the thresholds from JSON, with the defaults for missing fields. */
    public static RateThresholds fromJson(JsonObject json) {
        JsonObject j = json == null ? new JsonObject() : json;
        return new RateThresholds(
                j.getDouble("tachycardiaBpm", DEFAULTS.tachycardiaBpm()),
                j.getInteger("tachycardiaBeats", DEFAULTS.tachycardiaBeats()),
                j.getDouble("bradycardiaBpm", DEFAULTS.bradycardiaBpm()),
                j.getInteger("bradycardiaBeats", DEFAULTS.bradycardiaBeats()));
    }
}
