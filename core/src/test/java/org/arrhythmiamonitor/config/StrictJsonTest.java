package org.arrhythmiamonitor.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.List;
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
    void otherFaultsAreNamedWithTheirPlaceWithoutTheParsersSettings() {
        assertThatThrownBy(() -> StrictJson.object("{\"a\": }")).isInstanceOf(DecodeException.class)
                .hasMessageStartingWith("not valid JSON at line 1, column 7: Unexpected character ('}'");
        // A file holding only "{": it read "[Source: REDACTED (StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION ...".
        assertThatThrownBy(() -> StrictJson.object("{")).isInstanceOf(DecodeException.class)
                .hasMessageStartingWith("not valid JSON at line 1, column 2: Unexpected end-of-input")
                .hasMessageNotContaining("REDACTED");
        assertThatThrownBy(() -> StrictJson.object("[1, 2]")).isInstanceOf(DecodeException.class);
    }

    @Test
    void bytesAreReadInTheEncodingJsonAllowsAndFaultsAreNamedByPlaceNotByText() {
        JsonObject expected = new JsonObject().put("note", "called Dr \u00c9mile \uD83D\uDE00");
        byte[] utf8 = expected.encode().getBytes(StandardCharsets.UTF_8);
        assertThat(StrictJson.object(utf8)).isEqualTo(expected);
        byte[] withBom = new byte[utf8.length + 3];
        withBom[0] = (byte) 0xEF;
        withBom[1] = (byte) 0xBB;
        withBom[2] = (byte) 0xBF;
        System.arraycopy(utf8, 0, withBom, 3, utf8.length);
        assertThat(StrictJson.object(withBom)).as("a byte order mark, as Windows editors write").isEqualTo(expected);
        assertThat(StrictJson.object(expected.encode().getBytes(StandardCharsets.UTF_16BE))).isEqualTo(expected);
        assertThat(StrictJson.object("/* c */ {\"a\": 1}".getBytes(StandardCharsets.UTF_8)))
                .isEqualTo(new JsonObject().put("a", 1));

        assertThatThrownBy(() -> StrictJson.object("{\"password\": hunter2}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(DecodeException.class).hasMessage("not valid JSON at line 1, column 14");
        byte[] brokenUtf8 = {'{', '"', 'n', '"', ':', '"', (byte) 0xC3, '(', '"', '}'};
        assertThatThrownBy(() -> StrictJson.object(brokenUtf8)).isInstanceOf(DecodeException.class)
                .hasMessageStartingWith("not valid");
        for (String notAnObject : List.of("[1]", "5", "\"x\"", "null", "  ")) {
            assertThatThrownBy(() -> StrictJson.object(notAnObject.getBytes(StandardCharsets.UTF_8))).as(notAnObject)
                    .isInstanceOf(DecodeException.class).hasMessage("not a JSON object");
        }
        assertThatThrownBy(() -> StrictJson.object("{\"note\": \"a\", \"note\": \"b\"}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(DecodeException.class).hasMessage("duplicate key \"note\" at line 1, column 21: give each key once");
    }
}
