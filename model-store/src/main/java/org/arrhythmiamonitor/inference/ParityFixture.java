package org.arrhythmiamonitor.inference;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * A card's {@code parity_fixture}: a few inputs, laid out as {@link BeatClassifierModel#classify}
 * takes them, with the probabilities the exporter's own runtime gave for each.
 *
 * @param count how many examples
 * @param beats count x channels x length values, row-major
 * @param rr count x features values, row-major
 * @param expected count x classes probabilities
 */
public record ParityFixture(int count, float[] beats, float[] rr, float[][] expected) {
    /**
     * The card's fixture.
     *
     * @throws ModelException when the card has none, or it does not fit the card's input spec:
     *     without one, nothing shows that the file computes what its exporter computed
     */
    public static ParityFixture of(ModelCard card) {
        JsonArray fixture = card.json().getJsonArray("parity_fixture");
        if (fixture == null || fixture.isEmpty()) {
            throw new ModelException(card.id() + ": its card has no parity_fixture (inputs with the probabilities its "
                    + "exporter computed for them), so nothing shows the file computes what was measured; the "
                    + "training script writes one");
        }
        InputSpec spec = card.input();
        int channels = spec.channels().size();
        int beatValues = channels * spec.length();
        int rrValues = spec.rrFeatures().size();
        float[] beats = new float[fixture.size() * beatValues];
        float[] rr = new float[fixture.size() * rrValues];
        float[][] expected = new float[fixture.size()][];
        try {
            for (int i = 0; i < fixture.size(); i++) {
                JsonObject example = fixture.getJsonObject(i);
                JsonArray beat = example.getJsonArray("beat");
                JsonArray features = example.getJsonArray("rr");
                JsonArray probabilities = example.getJsonArray("expected");
                if (beat.size() != channels || features.size() != rrValues
                        || probabilities.size() != card.classes().size()) {
                    throw new ModelException(card.id() + ": parity_fixture example " + i + " does not fit the card's "
                            + "input and output (" + channels + " channels, " + rrValues + " RR features, "
                            + card.classes().size() + " classes)");
                }
                for (int c = 0; c < channels; c++) {
                    JsonArray values = beat.getJsonArray(c);
                    if (values.size() != spec.length()) {
                        throw new ModelException(card.id() + ": parity_fixture example " + i + " channel " + c
                                + " has " + values.size() + " samples, the card says " + spec.length());
                    }
                    for (int k = 0; k < spec.length(); k++) {
                        beats[i * beatValues + c * spec.length() + k] = values.getNumber(k).floatValue();
                    }
                }
                for (int k = 0; k < rrValues; k++) {
                    rr[i * rrValues + k] = features.getNumber(k).floatValue();
                }
                expected[i] = new float[probabilities.size()];
                for (int k = 0; k < probabilities.size(); k++) {
                    expected[i][k] = probabilities.getNumber(k).floatValue();
                }
            }
        } catch (ClassCastException | NullPointerException e) {
            throw new ModelException(card.id() + ": parity_fixture is not a list of {beat, rr, expected} examples: " + e);
        }
        return new ParityFixture(fixture.size(), beats, rr, expected);
    }

    /** The largest difference between the model's probabilities and the expected ones. */
    public double largestDifference(float[][] got) {
        double largest = 0;
        for (int i = 0; i < count; i++) {
            for (int k = 0; k < expected[i].length; k++) {
                largest = Math.max(largest, Math.abs((double) got[i][k] - expected[i][k]));
            }
        }
        return largest;
    }
}
