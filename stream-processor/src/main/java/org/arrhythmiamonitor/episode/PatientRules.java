package org.arrhythmiamonitor.episode;

import org.apache.kafka.streams.state.TimestampedKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;
import org.arrhythmiamonitor.wire.v1.PatientSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Each patient's rules: the configured defaults with the overrides of the {@code ecg.patients}
 * table, read from the table's store (co-partitioned with the device streams, so a device's
 * settings are always local to the task that processes it).
 */
public final class PatientRules {
    private static final Logger LOG = LoggerFactory.getLogger(PatientRules.class);

    private final EpisodeRules defaults;
    private final TimestampedKeyValueStore<String, PatientSettings> patients;

    public PatientRules(EpisodeRules defaults, TimestampedKeyValueStore<String, PatientSettings> patients) {
        this.defaults = defaults;
        this.patients = patients;
    }

    public EpisodeRules defaults() {
        return defaults;
    }

    /** The device's rules; settings that contradict each other are logged and the defaults apply. */
    public EpisodeRules of(String device) {
        ValueAndTimestamp<PatientSettings> settings = patients.get(device);
        if (settings == null || settings.value() == null) {
            return defaults;
        }
        try {
            return defaults.withOverrides(settings.value());
        } catch (IllegalArgumentException e) {
            LOG.warn("Device {}: its settings on ecg.patients are ignored and the defaults apply: {}", device,
                    e.getMessage());
            return defaults;
        }
    }
}
