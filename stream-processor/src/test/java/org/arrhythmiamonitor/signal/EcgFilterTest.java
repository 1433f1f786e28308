package org.arrhythmiamonitor.signal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class EcgFilterTest {
    private static final double FS = 250;

    @ParameterizedTest(name = "{0} Hz with notch {1}: gain {2}-{3}")
    @CsvSource({
        "0.05, 50, 0.0, 0.02",  // baseline wander removed
        "0.5, 50, 0.65, 0.75",  // -3 dB corner
        "5, 50, 0.97, 1.03",    // ECG band passes
        "10, 50, 0.97, 1.03",
        "20, 50, 0.9, 1.03",
        "40, off, 0.65, 0.75",  // -3 dB corner
        "50, 50, 0.0, 0.01",    // mains removed
        "60, 60, 0.0, 0.01",
        "60, 50, 0.0, 0.25",    // the low-pass still attenuates mains above 40 Hz
        "100, off, 0.0, 0.05"})
    void passesTheDiagnosticBandAndRemovesMains(double hz, String mains, double min, double max) {
        EcgFilter filter = new EcgFilter(FS, MainsFrequency.parse(mains));
        double peak = 0;
        int settle = (int) (FS * 40);
        for (int i = 0; i < settle + FS * 10; i++) {
            double y = filter.filter(Math.sin(2 * Math.PI * hz * i / FS));
            if (i >= settle) {
                peak = Math.max(peak, Math.abs(y));
            }
        }
        assertThat(peak).isBetween(min, max);
    }

    @Test
    void qrsBandDelayIsAFewMilliseconds() {
        double delayMs = new EcgFilter(FS, MainsFrequency.HZ_50).delaySamples() * 1000 / FS;
        assertThat(delayMs).isBetween(5.0, 20.0);
    }

    @Test
    void mainsSettingIsParsedOrExplained() {
        assertThat(MainsFrequency.parse("60")).isEqualTo(MainsFrequency.HZ_60);
        assertThat(MainsFrequency.parse(" OFF ")).isEqualTo(MainsFrequency.OFF);
        assertThatThrownBy(() -> MainsFrequency.parse("55")).hasMessageContaining("50, 60 or off");
    }
}
