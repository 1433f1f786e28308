package org.arrhythmiamonitor.signal;

import java.util.Locale;

/** The mains frequency whose interference the notch removes: 50 Hz (Europe, most of Asia), 60 Hz (the Americas), or none. */
public enum MainsFrequency {
    OFF(0), HZ_50(50), HZ_60(60);

    private final int hz;

    MainsFrequency(int hz) {
        this.hz = hz;
    }

    public int hz() {
        return hz;
    }

    /** The setting for a frequency as saved in state: 50, 60, or anything else for off. */
    public static MainsFrequency ofHz(int hz) {
        return hz == 50 ? HZ_50 : hz == 60 ? HZ_60 : OFF;
    }

    /** Parses {@code 50}, {@code 60} or {@code off}, as operators write it in configuration. */
    public static MainsFrequency parse(String text) {
        String value = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        return switch (value) {
            case "50", "50hz" -> HZ_50;
            case "60", "60hz" -> HZ_60;
            case "off", "none", "0" -> OFF;
            default -> throw new IllegalArgumentException("mains notch must be 50, 60 or off, got '" + text + "'");
        };
    }

    @Override
    public String toString() {
        return this == OFF ? "off" : hz + " Hz";
    }
}
