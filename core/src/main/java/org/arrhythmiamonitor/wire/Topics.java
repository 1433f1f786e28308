package org.arrhythmiamonitor.wire;

import java.util.List;

/** Names of the Kafka topics that connect the services. Keys are device ids but on {@link #ALERT_STATE} and {@link #ALERTS_DEAD_LETTER}. */
public final class Topics {
    /** Raw sample chunks from the gateway ({@code SampleChunk}). */
    public static final String SAMPLES = "ecg.samples";
    /** Detected heartbeats ({@code Beat}). */
    public static final String BEATS = "ecg.beats";
    /** Heartbeats with their AAMI class and the model's probabilities ({@code ClassifiedBeat}). */
    public static final String CLASSIFIED_BEATS = "ecg.beats.classified";
    /** Rhythm segments such as atrial fibrillation, with onset and offset ({@code RhythmSegment}). */
    public static final String RHYTHM = "ecg.rhythm";
    /** Clinical and technical episodes with onset and offset ({@code Episode}). */
    public static final String EPISODES = "ecg.episodes";
    /** Clinical and technical alerts ({@code Alert}). */
    public static final String ALERTS = "ecg.alerts";

    /** Hourly and rolling 24 h arrhythmia burden ({@code Burden}). */
    public static final String BURDEN = "ecg.burden";
    /** Per-patient settings, compacted: the latest value per device holds ({@code PatientSettings}). */
    public static final String PATIENTS = "ecg.patients";
    /** Device credentials issued by the gateway, compacted ({@code DeviceCredential}). */
    public static final String DEVICES = "ecg.devices";

    /**
     * The alerting service's store: one {@code AlertRecord} per alert (state, audit trail,
     * notifications), compacted. The one topic keyed by alert id rather than device id.
     */
    public static final String ALERT_STATE = "ecg.alert-state";
    /** Webhook notifications given up after their last retry, as JSON (key = alert id). */
    public static final String ALERTS_DEAD_LETTER = "ecg.alerts.dead-letter";

    /** Every topic the services exchange data on, in pipeline order. */
    public static final List<String> ALL = List.of(SAMPLES, BEATS, CLASSIFIED_BEATS, RHYTHM, EPISODES, BURDEN,
            ALERTS, PATIENTS, DEVICES, ALERT_STATE, ALERTS_DEAD_LETTER);
    /** Topics that keep only the latest record per key. */
    public static final List<String> COMPACTED = List.of(PATIENTS, DEVICES, ALERT_STATE);

    private Topics() {
    }
}
