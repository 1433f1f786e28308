package org.arrhythmiamonitor.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.arrhythmiamonitor.config.ConfigKeys.Kind;
import org.junit.jupiter.api.Test;

/** A refused setting names its keys apart from its text, so that a launcher can name its flags instead. */
class SettingExceptionTest {
    @Test
    void theMessageNamesTheKeysAfterTheSection() {
        SettingException e = SettingException.of("gateway", "httpPort", "must be 0-65535, got -1");
        assertThat(e).hasMessage("gateway: httpPort must be 0-65535, got -1");
        assertThat(e.section()).isEqualTo("gateway");
        assertThat(e.keys()).containsExactly("httpPort");
    }

    @Test
    void everyKeyTheMessageNamesCanBeNamedOtherwise() {
        SettingException e = new SettingException("episode rules", name -> name.apply("bradycardiaBpm")
                + " must be below " + name.apply("tachycardiaBpm") + ", got 40.0 and 30.0");
        assertThat(e).hasMessage("episode rules: bradycardiaBpm must be below tachycardiaBpm, got 40.0 and 30.0");
        assertThat(e.keys()).containsExactly("bradycardiaBpm", "tachycardiaBpm");
        assertThat(e.describe(key -> "<" + key + ">"))
                .isEqualTo("<bradycardiaBpm> must be below <tachycardiaBpm>, got 40.0 and 30.0");
    }

    @Test
    void aValueOfTheWrongTypeIsRefusedUnderItsKey() {
        assertThatThrownBy(() -> ConfigKeys.requireKnown(new JsonObject().put("httpPort", "80"), "alerting",
                Map.of("httpPort", Kind.WHOLE_NUMBER)))
                .isInstanceOfSatisfying(SettingException.class, e -> assertThat(e.keys()).containsExactly("httpPort"))
                .hasMessage("alerting: httpPort must be a whole number, got \"80\"");
    }
}
