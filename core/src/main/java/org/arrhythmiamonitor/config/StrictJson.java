package org.arrhythmiamonitor.config;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * JSON objects from files people write (settings, episode rules, model cards, folds files), read
 * strictly: a key given twice, at any depth, is refused. A lenient reader keeps the last value, so
 * a setting pasted in twice, the first one edited, silently loses the edit.
 */
public final class StrictJson {
    private static final JsonFactory FACTORY = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            // As Vert.x reads JSON: a comment must not end the check early and let Vert.x accept the rest.
            .enable(JsonReadFeature.ALLOW_JAVA_COMMENTS).build();
    /** Jackson's message for a key given twice: "Duplicate field 'k'" (2.x), "Duplicate Object property "k"" (later). */
    private static final Pattern DUPLICATE = Pattern.compile("Duplicate (?:field|Object property) ['\"](.*)['\"]");

    private StrictJson() {
    }

    /**
     * The object {@code text} holds.
     *
     * @throws DecodeException when it is not JSON, not an object, or gives a key twice (named,
     *         with its line and column)
     */
    public static JsonObject object(String text) {
        try (JsonParser parser = FACTORY.createParser(text)) {
            while (parser.nextToken() != null) {
                // Reading every token is the check; Vert.x builds the object below.
            }
        } catch (JsonParseException e) {
            String duplicate = duplicateKey(e);
            if (duplicate != null) {
                throw new DecodeException(duplicate);
            }
            if (e.getOriginalMessage().startsWith("Duplicate")) {
                // A message this pattern does not know: refuse all the same.
                throw new DecodeException(e.getOriginalMessage() + ": give each key once");
            }
            // Any other fault, with its place: Vert.x's message for it ("Failed to decode:...
            // [Source: REDACTED (StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION disabled)...") told an
            // operator more of Jackson's settings than of the file.
            JsonLocation at = e.getLocation();
            throw new DecodeException("not valid JSON at line " + at.getLineNr() + ", column " + at.getColumnNr()
                    + ": " + withoutSource(e.getOriginalMessage()));
        } catch (IOException e) {
            throw new DecodeException(e.getMessage(), e);
        }
        return new JsonObject(text);
    }

    /** Jackson's message up to where it would cite the source, which this reader keeps out of it. */
    private static String withoutSource(String message) {
        String first = message.lines().findFirst().orElse("");
        int cut = first.indexOf(" (start marker at");
        cut = cut >= 0 ? cut : first.indexOf("[Source:");
        return (cut >= 0 ? first.substring(0, cut) : first).strip();
    }

    /** The message for a key given twice, naming it and its place; null for another fault. */
    private static String duplicateKey(JsonParseException e) {
        Matcher duplicate = DUPLICATE.matcher(e.getOriginalMessage());
        if (!duplicate.matches()) {
            return null;
        }
        JsonLocation at = e.getLocation();
        return "duplicate key \"" + duplicate.group(1) + "\" at line " + at.getLineNr() + ", column " + at.getColumnNr()
                + ": give each key once";
    }

    /**
     * The object {@code json} holds: UTF-8, or UTF-16 or UTF-32, with or without a byte order mark,
     * as Jackson detects them (a file saved on Windows may start with one). Refused as
     * {@link #object(String)} refuses, and also bytes that are not valid in their encoding (read as
     * text first, they would become U+FFFD and be stored so) and JSON that is not an object. The
     * message names the place of a fault, never the text found there: a request body may hold a
     * password.
     *
     * @throws DecodeException when it is not an object of valid JSON, or gives a key twice
     */
    public static JsonObject object(byte[] json) {
        try (JsonParser parser = FACTORY.createParser(json)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new DecodeException("not a JSON object");
            }
            while (parser.nextToken() != null) {
                // Reading every token is the check.
            }
        } catch (JsonParseException e) {
            String duplicate = duplicateKey(e);
            JsonLocation at = e.getLocation();
            throw new DecodeException(duplicate != null ? duplicate
                    : "not valid JSON at line " + at.getLineNr() + ", column " + at.getColumnNr());
        } catch (IOException e) {
            // Bytes Jackson cannot decode in any encoding it detects (its CharConversionException).
            throw new DecodeException("not valid text in UTF-8, UTF-16 or UTF-32");
        }
        return new JsonObject(Buffer.buffer(json));
    }
}
