package org.arrhythmiamonitor.episode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.arrhythmiamonitor.wire.v1.PatientSettings;
import org.junit.jupiter.api.Test;

/** The rules file: a mistake in it must stop the start with its key, never leave a default in force. */
class EpisodeRulesTest {
    @Test
    void readsTheFieldsItKnowsAndKeepsTheDefaultsOfTheOthers() {
        EpisodeRules rules = EpisodeRules.fromJson(new JsonObject().put("pauseS", 2.5).put("vtBeats", 4)
                .put("mutedAlertTypes", new JsonArray().add("COUPLET")));
        assertThat(rules.pauseS()).isEqualTo(2.5);
        assertThat(rules.vtBeats()).isEqualTo(4);
        assertThat(rules.mutedAlertTypes()).containsExactly("COUPLET");
        assertThat(rules.asystoleS()).isEqualTo(EpisodeRules.DEFAULTS.asystoleS());
    }

    @Test
    void anUnknownKeyIsRefusedWithTheKnownOnes() {
        assertThatThrownBy(() -> EpisodeRules.fromJson(new JsonObject().put("pauseSec", 5)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("episode rules: unknown setting 'pauseSec'; known: [")
                .hasMessageContaining("pauseS, ");
    }

    @Test
    void aValueOfTheWrongTypeNamesItsKeyAndTheTypeExpected() {
        assertThatThrownBy(() -> EpisodeRules.fromJson(new JsonObject().put("pauseS", "x")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("episode rules: pauseS must be a number, got \"x\"");
        assertThatThrownBy(() -> EpisodeRules.fromJson(new JsonObject().put("vtBeats", 4.5)))
                .hasMessage("episode rules: vtBeats must be a whole number, got 4.5");
        assertThatThrownBy(() -> EpisodeRules.fromJson(new JsonObject().put("mutedAlertTypes", "COUPLET")))
                .hasMessageContaining("mutedAlertTypes must be a list");
        assertThatThrownBy(() -> EpisodeRules.fromJson(new JsonObject()
                .put("mutedAlertTypes", new JsonArray().add(7))))
                .hasMessageContaining("mutedAlertTypes must be a list of episode type names, got 7");
    }

    @Test
    void aPatientsInfiniteLimitIsRefusedNotAnAlarmSilenced() {
        // ecg.patients carries Protobuf doubles, which can be infinite where a JSON file's cannot.
        assertThatThrownBy(() -> EpisodeRules.DEFAULTS.withOverrides(PatientSettings.newBuilder()
                .setAsystoleS(Double.POSITIVE_INFINITY).build()))
                .hasMessage("episode rules: asystoleS must be a finite number, got Infinity");
        assertThatThrownBy(() -> EpisodeRules.DEFAULTS.withOverrides(PatientSettings.newBuilder()
                .setAfMinDurationS(Double.POSITIVE_INFINITY).build()))
                .hasMessageContaining("afMinDurationS must be a finite number");
        assertThat(EpisodeRules.DEFAULTS.withOverrides(PatientSettings.newBuilder().setAsystoleS(6).build())
                .asystoleS()).isEqualTo(6);
    }
}
