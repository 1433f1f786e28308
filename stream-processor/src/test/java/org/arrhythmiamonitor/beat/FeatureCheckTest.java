package org.arrhythmiamonitor.beat;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.arrhythmiamonitor.inference.ModelCard;
import org.arrhythmiamonitor.inference.ModelLoader;
import org.arrhythmiamonitor.inference.ModelSource;
import org.junit.jupiter.api.Test;

class FeatureCheckTest {

    @Test
    void theShippedBeatModelWasTrainedOnTheFeaturesThisBuildComputes() {
        ModelCard card = ModelLoader.newestCard(ModelSource.classpath(), BeatFeatures.MODEL_NAME);
        assertThat(FeatureCheck.concernAbout(card))
                .as("a change of the signal path or of BeatFeatureExtractor changed what the model is served; "
                        + "export DS1 again and retrain it (model-store/training/README.md)")
                .isNull();
    }

    @Test
    void theProbeHasTheBeatsThatShapeTheTemplate() {
        JsonArray beats = FeatureCheck.current().getJsonArray("beats");
        assertThat(beats.size()).isBetween(250, 400);
        long premature = beats.stream().map(JsonArray.class::cast).filter(b -> b.getDouble(3) < 0.8).count();
        assertThat(premature).as("ectopic and fibrillation beats, which stay out of the template").isGreaterThan(20);
        long templateMoves = 0;
        for (int b = 1; b < beats.size(); b++) {
            templateMoves += beats.getJsonArray(b).getDouble(1).equals(beats.getJsonArray(b - 1).getDouble(1)) ? 0 : 1;
        }
        assertThat(templateMoves).as("beats the template learns from").isGreaterThan(100)
                .as("and beats it leaves out").isLessThan(beats.size() - 20);
    }

    @Test
    void aChangedFeatureIsNamedWhileALastBitDifferenceIsNot() {
        JsonObject expected = FeatureCheck.current();
        assertThat(FeatureCheck.differenceFrom(expected, FeatureCheck.current())).isNull();

        JsonObject lastBit = scaled(expected, 5, 1, 1 + 1e-7);
        assertThat(FeatureCheck.differenceFrom(expected, lastBit)).isNull();

        JsonObject template = scaled(expected, 5, 1, 1.01);
        assertThat(FeatureCheck.differenceFrom(expected, template))
                .startsWith("beat 5 of the probe: template energy (mV^2) ");

        JsonObject fewer = expected.copy();
        fewer.getJsonArray("beats").remove(0);
        assertThat(FeatureCheck.differenceFrom(expected, fewer))
                .isEqualTo("the probe gives " + (expected.getJsonArray("beats").size() - 1) + " beats, the card says "
                        + expected.getJsonArray("beats").size());
    }

    @Test
    void aCardWithoutTheCheckOrWithAnotherIsAConcernThatSaysWhatToDo() {
        ModelCard shipped = ModelLoader.newestCard(ModelSource.classpath(), BeatFeatures.MODEL_NAME);
        JsonObject without = shipped.json().copy();
        without.remove(FeatureCheck.CARD_FIELD);
        assertThat(FeatureCheck.concernAbout(ModelCard.parse(without.encode(), "card")))
                .isEqualTo(shipped.id() + " has no feature_check in its card, so nothing shows that it was trained on "
                        + "the beat features this build computes");

        JsonObject other = shipped.json().copy().put(FeatureCheck.CARD_FIELD,
                scaled(FeatureCheck.current(), 0, 0, 2));
        assertThat(FeatureCheck.concernAbout(ModelCard.parse(other.encode(), "card")))
                .startsWith(shipped.id() + " was trained on beat features this build does not compute (beat 0 of the probe: "
                        + "beat channel energy (mV^2) ")
                .endsWith("; its measured accuracy does not hold here: export the data again with `bin/monitor dataset` "
                        + "and retrain (model-store/training/README.md)");
    }

    @Test
    void aCheckNotLaidOutAsTheExportWritesItIsAConcernNotAFailure() {
        ModelCard shipped = ModelLoader.newestCard(ModelSource.classpath(), BeatFeatures.MODEL_NAME);
        JsonObject notAnArray = FeatureCheck.current().put("beats", "x");
        JsonObject textInARow = FeatureCheck.current();
        textInARow.getJsonArray("beats").getJsonArray(3).set(1, "x");
        JsonObject nullInARow = FeatureCheck.current();
        nullInARow.getJsonArray("beats").getJsonArray(3).set(1, null);
        for (JsonObject check : new JsonObject[] {notAnArray, textInARow, nullInARow}) {
            ModelCard card = ModelCard.parse(shipped.json().copy().put(FeatureCheck.CARD_FIELD, check).encode(), "card");
            assertThat(FeatureCheck.concernAbout(card)).as(check.encode().substring(0, 80))
                    .startsWith(shipped.id() + "'s feature_check is not laid out as the export writes it (")
                    .endsWith("), so nothing shows that it was trained on the beat features this build computes");
        }
    }

    /** {@code check} with beat {@code beat}'s number {@code k} multiplied by {@code factor}. */
    private static JsonObject scaled(JsonObject check, int beat, int k, double factor) {
        JsonObject copy = check.copy();
        JsonArray row = copy.getJsonArray("beats").getJsonArray(beat);
        row.set(k, row.getDouble(k) * factor);
        return copy;
    }
}
