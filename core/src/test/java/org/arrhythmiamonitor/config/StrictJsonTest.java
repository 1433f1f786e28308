package org.arrhythmiamonitor.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.DecodeException;
import org.junit.jupiter.api.Test;

class StrictJsonTest {

    @Test
    void anObjectReadsAsVertxReadsIt() {
        String text = "{\"a\": 1, \"b\": {\"c\": [1, {\"d\": true}]}, \"e\": {\"a\": 2}}";
        assertThat(StrictJson.object(text)).isEqualTo(new io.vertx.core.json.JsonObject(text));
    }

    @Test
    void aKeyGivenTwiceAtAnyDepthIsRefusedByName() {
        assertThatThrownBy(() -> StrictJson.object("{\"retry\": 1,\n \"retry\": 2}"))
                .isInstanceOf(DecodeException.class)
                .hasMessageContaining("duplicate key \"retry\"").hasMessageContaining("line 2");
        assertThatThrownBy(() -> StrictJson.object("{\"escalation\": {\"afterMinutes\": 5, \"afterMinutes\": 10}}"))
                .isInstanceOf(DecodeException.class).hasMessageContaining("duplicate key \"afterMinutes\"");
        assertThatThrownBy(() -> StrictJson.object("{\"users\": [{\"name\": \"a\", \"name\": \"b\"}]}"))
                .isInstanceOf(DecodeException.class).hasMessageContaining("duplicate key \"name\"");
        // Vert.x accepts comments: one before the key must not end the check there.
        assertThatThrownBy(() -> StrictJson.object("{\n  // edited\n  \"retry\": 1,\n  \"retry\": 2\n}"))
                .isInstanceOf(DecodeException.class).hasMessageContaining("duplicate key \"retry\" at line 4");
    }

    @Test
    void otherFaultsAreVertxsOwn() {
        assertThatThrownBy(() -> StrictJson.object("{\"a\": }")).isInstanceOf(DecodeException.class)
                .hasMessageContaining("Failed to decode");
        assertThatThrownBy(() -> StrictJson.object("[1, 2]")).isInstanceOf(DecodeException.class);
    }
}
