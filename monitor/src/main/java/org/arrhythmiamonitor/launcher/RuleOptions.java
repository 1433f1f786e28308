package org.arrhythmiamonitor.launcher;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.arrhythmiamonitor.config.IoReasons;
import org.arrhythmiamonitor.config.StrictJson;
import org.arrhythmiamonitor.episode.EpisodeRules;
import picocli.CommandLine.Option;

/**
 * Limits of the episode and alert rules for every patient, defaulting to the clinical table of
 * the design. Per-patient overrides come from the {@code ecg.patients} topic instead.
 */
final class RuleOptions {
    @Option(names = "--episode-rules", paramLabel = "FILE",
            description = "JSON file of episode rule limits (any field of EpisodeRules, e.g. {\"pauseS\": 2.5}); "
                    + "the flags below override it.")
    Path file;

    @Option(names = "--tachycardia-bpm", description = "Extreme tachycardia above this rate (default: 140).")
    Double tachycardiaBpm;

    @Option(names = "--tachycardia-beats", description = "... for this many intervals (default: 17).")
    Integer tachycardiaBeats;

    @Option(names = "--bradycardia-bpm", description = "Extreme bradycardia below this rate (default: 40).")
    Double bradycardiaBpm;

    @Option(names = "--bradycardia-beats", description = "... for this many intervals (default: 5).")
    Integer bradycardiaBeats;

    /**
     * Puts the rules into the processor's {@code episodes} settings, which check them; refuses an
     * unreadable file.
     */
    void putInto(CommandLineSettings processor) {
        processor.object("episodes", EpisodeRules.SECTION, readFile())
                .putIfGiven("tachycardiaBpm", "--tachycardia-bpm", tachycardiaBpm)
                .putIfGiven("tachycardiaBeats", "--tachycardia-beats", tachycardiaBeats)
                .putIfGiven("bradycardiaBpm", "--bradycardia-bpm", bradycardiaBpm)
                .putIfGiven("bradycardiaBeats", "--bradycardia-beats", bradycardiaBeats);
    }

    private JsonObject readFile() {
        if (file == null) {
            return new JsonObject();
        }
        try {
            return StrictJson.object(Files.readString(file));
        } catch (IOException e) {
            throw new LaunchException("--episode-rules: cannot read " + file + ": " + IoReasons.of(e, file), e);
        } catch (DecodeException e) {
            throw new LaunchException("--episode-rules: " + file + " is not a JSON object: " + e.getMessage(), e);
        }
    }
}
