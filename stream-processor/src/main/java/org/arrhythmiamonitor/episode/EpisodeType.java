package org.arrhythmiamonitor.episode;

import org.arrhythmiamonitor.wire.v1.Priority;

/**
 * Every episode the monitor reports, with the priority of the alert it raises (IEC 60601-1-8
 * style: high for what needs a clinician now, technical for problems with the recording).
 */
public enum EpisodeType {
    ASYSTOLE(Priority.HIGH, "Asystole"),
    VENTRICULAR_TACHYCARDIA(Priority.HIGH, "Ventricular tachycardia"),
    EXTREME_BRADYCARDIA(Priority.HIGH, "Extreme bradycardia"),
    EXTREME_TACHYCARDIA(Priority.HIGH, "Extreme tachycardia"),
    VENTRICULAR_RUN(Priority.MEDIUM, "Ventricular run"),
    /** 4 or more V beats at or below the ventricular rate: an escape or accelerated idioventricular rhythm. */
    IDIOVENTRICULAR_RUN(Priority.LOW, "Slow ventricular run"),
    ATRIAL_FIBRILLATION(Priority.MEDIUM, "Atrial fibrillation/flutter"),
    PAUSE(Priority.MEDIUM, "Pause"),
    SVT_RUN(Priority.LOW, "Supraventricular run"),
    COUPLET(Priority.LOW, "Ventricular couplet"),
    TRIPLET(Priority.LOW, "Ventricular triplet"),
    BIGEMINY(Priority.LOW, "Ventricular bigeminy"),
    TRIGEMINY(Priority.LOW, "Ventricular trigeminy"),
    PVC_BURDEN(Priority.LOW, "PVC burden over threshold"),
    AF_BURDEN(Priority.LOW, "AF burden over threshold"),
    LEAD_OFF(Priority.TECHNICAL, "Lead off"),
    SATURATION(Priority.TECHNICAL, "Signal saturated"),
    NOISE(Priority.TECHNICAL, "Noise too high"),
    DATA_GAP(Priority.TECHNICAL, "Data gap"),
    DEVICE_SILENT(Priority.TECHNICAL, "Device silent");

    private final Priority priority;
    private final String label;

    EpisodeType(Priority priority, String label) {
        this.priority = priority;
        this.label = label;
    }

    public Priority priority() {
        return priority;
    }

    public boolean technical() {
        return priority == Priority.TECHNICAL;
    }

    /** What a clinician reads. */
    public String label() {
        return label;
    }

    /** The type named on the wire, or null for a type this version does not know. */
    public static EpisodeType fromWire(String name) {
        try {
            return valueOf(name);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
