package org.arrhythmiamonitor.launcher;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonObject;
import org.arrhythmiamonitor.config.SettingException;
import org.junit.jupiter.api.Test;

/** Which name a refused setting is given: the flag that gave it, or the key a file gave it under. */
class CommandLineSettingsTest {
    /** Refuses {@code key} of {@code section} as a service would. */
    private static Object refuse(String section, String key) {
        throw SettingException.of(section, key, "must be positive, got -1");
    }

    @Test
    void aSettingAFlagGaveIsNamedByTheFlagAlone() {
        CommandLineSettings settings = new CommandLineSettings("gateway").put("httpPort", "--port", -1);
        assertThatThrownBy(() -> settings.build(json -> refuse("gateway", "httpPort")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--port must be positive, got -1");
    }

    @Test
    void aSettingAFileGaveKeepsItsKeyAndSection() {
        CommandLineSettings settings = new CommandLineSettings("alerting", new JsonObject().put("maxAlerts", -1))
                .put("httpPort", "--port", 8081);
        assertThatThrownBy(() -> settings.build(json -> refuse("alerting", "maxAlerts")))
                .hasMessage("alerting: maxAlerts must be positive, got -1");
    }

    @Test
    void aFlagOverAFileNamesTheSettingAndAnOptionalFlagNotGivenNamesItsDefault() {
        CommandLineSettings rules = new CommandLineSettings("processor").object("episodes", "episode rules",
                new JsonObject().put("pauseS", 9.0).put("vtBeats", 2))
                .putIfGiven("pauseS", "--pause", null)
                .putIfGiven("vtBeats", "--vt-beats", 1)
                .putIfGiven("asystoleS", "--asystole", null);
        assertThatThrownBy(() -> rules.check(() -> refuse("episode rules", "pauseS")))
                .hasMessage("episode rules: pauseS must be positive, got -1");
        assertThatThrownBy(() -> rules.check(() -> refuse("episode rules", "vtBeats")))
                .hasMessage("--vt-beats must be positive, got -1");
        assertThatThrownBy(() -> rules.check(() -> refuse("episode rules", "asystoleS")))
                .hasMessage("--asystole must be positive, got -1");
    }

    @Test
    void theSectionTellsApartTheSameKeyOfTwoSettings() {
        CommandLineSettings processor = new CommandLineSettings("processor").put("threads", "--threads", 1);
        processor.object("inference", "inference", new JsonObject()).put("threads", "--inference-threads", 0);
        assertThatThrownBy(() -> processor.check(() -> refuse("inference", "threads")))
                .hasMessage("--inference-threads must be positive, got -1");
        assertThatThrownBy(() -> processor.check(() -> refuse("processor", "threads")))
                .hasMessage("--threads must be positive, got -1");
    }

    @Test
    void aRefusalThatNamesAFlagAndAKeyKeepsTheSection() {
        CommandLineSettings settings = new CommandLineSettings("episode rules", new JsonObject().put("low", 150))
                .put("high", "--high", 140);
        assertThatThrownBy(() -> settings.check(() -> {
            throw new SettingException("episode rules", name -> name.apply("low") + " must be below "
                    + name.apply("high") + ", got 150 and 140");
        })).hasMessage("episode rules: low must be below --high, got 150 and 140");
    }

    @Test
    void otherErrorsPassUnchanged() {
        CommandLineSettings settings = new CommandLineSettings("simulator").flag("speed", "--speed");
        assertThatThrownBy(() -> settings.check(() -> {
            throw new IllegalArgumentException("--speed must be 'realtime' or xK such as x10, got 'fast'");
        })).isNotInstanceOf(SettingException.class)
                .hasMessage("--speed must be 'realtime' or xK such as x10, got 'fast'");
    }
}
