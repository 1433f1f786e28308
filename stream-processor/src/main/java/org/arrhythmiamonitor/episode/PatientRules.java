package org.arrhythmiamonitor.episode;

import java.util.HashMap;
import java.util.Map;
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
    /**
     * The refused settings last warned about, by device: rules are looked up for every record, and
     * one bad record on the table would otherwise write a line per beat until someone mends it.
     */
    private final Map<String, PatientSettings> warned = new HashMap<>();

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
            EpisodeRules rules = defaults.withOverrides(settings.value());
            if (!warned.isEmpty()) {
                warned.remove(device);
            }
            return rules;
        } catch (IllegalArgumentException e) {
            if (!settings.value().equals(warned.put(device, settings.value()))) {
                LOG.warn("Device {}: its settings on ecg.patients are ignored and the defaults apply: {} (logged once "
                        + "per setting)", device, e.getMessage());
            }
            return defaults;
        }
    }
}
