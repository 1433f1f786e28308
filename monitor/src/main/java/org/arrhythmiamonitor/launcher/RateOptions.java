package org.arrhythmiamonitor.launcher;

import io.vertx.core.json.JsonObject;
import picocli.CommandLine.Option;

/** Heart-rate alert limits, defaulting to the clinical table of the design. */
final class RateOptions {
    @Option(names = "--tachycardia-bpm", defaultValue = "140",
            description = "Extreme tachycardia above this rate (default: ${DEFAULT-VALUE}).")
    double tachycardiaBpm;

    @Option(names = "--tachycardia-beats", defaultValue = "17",
            description = "... sustained for this many beats (default: ${DEFAULT-VALUE}).")
    int tachycardiaBeats;

    @Option(names = "--bradycardia-bpm", defaultValue = "40",
            description = "Extreme bradycardia below this rate (default: ${DEFAULT-VALUE}).")
    double bradycardiaBpm;

    @Option(names = "--bradycardia-beats", defaultValue = "5",
            description = "... sustained for this many beats (default: ${DEFAULT-VALUE}).")
    int bradycardiaBeats;

    JsonObject toJson() {
        return new JsonObject()
                .put("tachycardiaBpm", tachycardiaBpm)
                .put("tachycardiaBeats", tachycardiaBeats)
                .put("bradycardiaBpm", bradycardiaBpm)
                .put("bradycardiaBeats", bradycardiaBeats);
    }
}
