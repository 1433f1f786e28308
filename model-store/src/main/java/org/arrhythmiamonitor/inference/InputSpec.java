package org.arrhythmiamonitor.inference;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * What a beat model expects as input, as its card declares it and as the stream processor's
 * feature extraction produces it. A model loads only where the two are equal, so a model trained
 * on other windows, features or units cannot silently score the stream.
 *
 * @param rateHz sampling rate of the beat windows
 * @param before window samples before the R peak
 * @param length window samples in all
 * @param channels names of the window channels, in tensor order
 * @param rrFeatures names of the rhythm features, in tensor order
 * @param normalisation how windows are scaled and centred
 */
public record InputSpec(int rateHz, int before, int length, List<String> channels, List<String> rrFeatures,
        String normalisation) {
    public InputSpec {
        channels = List.copyOf(channels);
        rrFeatures = List.copyOf(rrFeatures);
    }

    public JsonObject toJson() {
        return new JsonObject()
                .put("rate_hz", rateHz)
                .put("before", before)
                .put("length", length)
                .put("channels", new JsonArray(channels))
                .put("rr_features", new JsonArray(rrFeatures))
                .put("normalisation", normalisation);
    }

    /** Reads the card's {@code input} object; a missing or mistyped field is a {@link ModelException}. */
    static InputSpec fromJson(JsonObject json, String where) {
        try {
            return new InputSpec(required(json.getInteger("rate_hz"), where, "rate_hz"),
                    required(json.getInteger("before"), where, "before"),
                    required(json.getInteger("length"), where, "length"),
                    strings(required(json.getJsonArray("channels"), where, "channels")),
                    strings(required(json.getJsonArray("rr_features"), where, "rr_features")),
                    required(json.getString("normalisation"), where, "normalisation"));
        } catch (ClassCastException e) {
            throw new ModelException(where + ": input has a field of the wrong type: " + e.getMessage());
        }
    }

    /** The first difference from {@code expected}, for an error message; null when there is none. */
    String differenceFrom(InputSpec expected) {
        if (rateHz != expected.rateHz) {
            return "rate " + rateHz + " Hz, the stream gives " + expected.rateHz + " Hz";
        }
        if (before != expected.before || length != expected.length) {
            return "window of " + length + " samples with " + before + " before the R peak, the stream gives "
                    + expected.length + " with " + expected.before;
        }
        if (!channels.equals(expected.channels)) {
            return "channels " + channels + ", the stream gives " + expected.channels;
        }
        if (!rrFeatures.equals(expected.rrFeatures)) {
            return "RR features " + rrFeatures + ", the stream gives " + expected.rrFeatures;
        }
        if (!normalisation.equals(expected.normalisation)) {
            return "normalisation \"" + normalisation + "\", the stream gives \"" + expected.normalisation + "\"";
        }
        return null;
    }

    private static List<String> strings(JsonArray array) {
        return array.stream().map(String.class::cast).toList();
    }

    private static <T> T required(T value, String where, String field) {
        if (value == null) {
            throw new ModelException(where + ": input." + field + " is missing");
        }
        return value;
    }
}
