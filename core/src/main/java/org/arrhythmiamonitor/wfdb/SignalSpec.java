package org.arrhythmiamonitor.wfdb;

/**
 * One signal line of a WFDB header.
 *
 * @param fileName the signal file, relative to the header
 * @param format storage format (16 and 212 are supported)
 * @param gain ADC units per physical unit (WFDB's default 200 when the header gives none)
 * @param baseline ADC value that corresponds to 0 physical units
 * @param units physical units, {@code mV} by default
 * @param adcResolution bits of the ADC
 * @param adcZero the ADC value of the middle of its range
 * @param initialValue the first sample's value
 * @param checksum 16-bit sum of all samples of the signal, or null when the header has none
 * @param description the lead, for example {@code MLII}
 */
public record SignalSpec(String fileName, int format, double gain, int baseline, String units, int adcResolution,
        int adcZero, int initialValue, Integer checksum, String description) {
}
