package org.arrhythmiamonitor.inference;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.arrhythmiamonitor.config.StrictJson;

/**
 * A model's card: which file holds it and its digest, what it takes and what it gives, and how it
 * was trained and measured (kept as JSON, for people and for {@link #json()}).
 *
 * @param name model name, for example beat-classifier
 * @param version semantic version, for example 1.0.0
 * @param file the ONNX file, next to the card
 * @param sha256 hex digest of the file
 * @param classes output classes in the order of the probabilities
 */
public record ModelCard(String name, String version, String file, String sha256, InputSpec input,
        List<String> classes, JsonObject json) {

    public String id() {
        return name + ":" + version;
    }

    /** Parses a card; {@code where} names it in errors. */
    public static ModelCard parse(String text, String where) {
        JsonObject json;
        try {
            json = StrictJson.object(text);
        } catch (DecodeException e) {
            throw new ModelException(where + " is not a JSON object: " + e.getMessage());
        }
        try {
            JsonObject input = json.getJsonObject("input");
            JsonObject output = json.getJsonObject("output");
            if (input == null || output == null) {
                throw new ModelException(where + ": the card needs an input and an output section");
            }
            JsonArray classes = output.getJsonArray("classes");
            if (classes == null || classes.isEmpty()) {
                throw new ModelException(where + ": output.classes is missing");
            }
            String sha = text(json, "sha256", where);
            if (!sha.matches("[0-9a-f]{64}")) {
                throw new ModelException(where + ": sha256 must be 64 lower-case hex digits, got " + sha);
            }
            return new ModelCard(text(json, "name", where), Version.parse(text(json, "version", where), where).text(),
                    text(json, "file", where), sha, InputSpec.fromJson(input, where),
                    classes.stream().map(String.class::cast).toList(), json);
        } catch (ClassCastException e) {
            throw new ModelException(where + ": a field has the wrong type: " + e.getMessage());
        }
    }

    Version parsedVersion() {
        return Version.parse(version, id());
    }

    private static String text(JsonObject json, String field, String where) {
        String value = json.getString(field);
        if (value == null || value.isBlank()) {
            throw new ModelException(where + ": " + field + " is missing");
        }
        return value;
    }

    /** major.minor.patch, compared numerically. */
    record Version(int major, int minor, int patch) implements Comparable<Version> {
        static Version parse(String text, String where) {
            String[] parts = text.split("\\.");
            try {
                if (parts.length == 3) {
                    return new Version(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]), Integer.parseInt(parts[2]));
                }
            } catch (NumberFormatException e) {
                // fall through to the error below
            }
            throw new ModelException(where + ": version must be major.minor.patch, got " + text);
        }

        String text() {
            return major + "." + minor + "." + patch;
        }

        @Override
        public int compareTo(Version o) {
            int c = Integer.compare(major, o.major);
            c = c != 0 ? c : Integer.compare(minor, o.minor);
            return c != 0 ? c : Integer.compare(patch, o.patch);
        }
    }
}
