package org.arrhythmiamonitor.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchRuntimeException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import ai.onnxruntime.OrtEnvironment;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import ai.onnxruntime.OrtProvider;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** The packaged beat model, loaded and run by ONNX Runtime, against its card. */
class ModelLoaderTest {
    private static final Path MODELS = Path.of("models");
    private static final String NAME = "beat-classifier";

    @TempDir
    Path dir;

    private static InferenceSettings settings(Path directory) {
        InferenceSettings d = InferenceSettings.defaults();
        return new InferenceSettings(directory, ExecutionDevice.CPU, 1, d.maxBatch(), d.maxWait(), Duration.ZERO);
    }

    private static ModelContract contract(ModelCard card) {
        return new ModelContract(card.input(), card.classes());
    }

    private static ModelCard card() {
        return ModelLoader.newestCard(ModelSource.directory(MODELS), NAME);
    }

    @Test
    void theParityFixtureGivesTheCardsOutputsWithin1e4OneByOneAndAsABatch() {
        ModelCard card = card();
        ParityFixture fixture = ParityFixture.of(card);
        assertThat(fixture.count()).isGreaterThanOrEqualTo(4);
        int beatValues = card.input().channels().size() * card.input().length();
        int rrValues = card.input().rrFeatures().size();
        try (BeatClassifierModel model = ModelLoader.load(ModelSource.directory(MODELS), NAME, contract(card),
                settings(MODELS))) {
            float[][] batch = model.classify(fixture.beats(), fixture.rr(), fixture.count());
            for (int i = 0; i < fixture.count(); i++) {
                float[][] single = model.classify(
                        java.util.Arrays.copyOfRange(fixture.beats(), i * beatValues, (i + 1) * beatValues),
                        java.util.Arrays.copyOfRange(fixture.rr(), i * rrValues, (i + 1) * rrValues), 1);
                for (int k = 0; k < fixture.expected()[i].length; k++) {
                    double want = fixture.expected()[i][k];
                    assertThat((double) batch[i][k]).as("example %d class %d in a batch", i, k).isCloseTo(want,
                            org.assertj.core.data.Offset.offset(1e-4));
                    assertThat((double) single[0][k]).as("example %d class %d alone", i, k).isCloseTo(want,
                            org.assertj.core.data.Offset.offset(1e-4));
                }
            }
        }
    }

    @Test
    void aModelFileThatIsNotTheOneItsCardDescribesIsRefused() throws IOException {
        ModelCard card = copyModel("1.0.0");
        byte[] bytes = Files.readAllBytes(dir.resolve(card.file()));
        bytes[bytes.length / 2] ^= 0x5a;
        Files.write(dir.resolve(card.file()), bytes);

        assertThatThrownBy(() -> ModelLoader.load(ModelSource.directory(dir), NAME, contract(card), settings(dir)))
                .isInstanceOf(ModelException.class)
                .hasMessageContaining("sha256").hasMessageContaining(card.sha256());
    }

    @Test
    void aConcernOfTheContractIsLoggedOnceAsAWarningAndTheModelStillServes() {
        ModelCard card = card();
        assertThat(warningsLoading(new ModelContract(card.input(), card.classes(),
                c -> c.id() + " was trained on other features")))
                .containsExactly(card.id() + " was trained on other features");
    }

    @Test
    void aConcernThatFailsIsAWarningAndTheModelStillLoads() {
        ModelCard card = card();
        assertThat(warningsLoading(new ModelContract(card.input(), card.classes(), c -> {
            throw new IllegalStateException("unreadable field");
        }))).containsExactly(card.id() + ": cannot check its card beyond the input spec "
                + "(java.lang.IllegalStateException: unreadable field)");
    }

    /** Loads the packaged model under {@code contract}, checks it loaded, and returns the warnings logged. */
    private static List<String> warningsLoading(ModelContract contract) {
        Logger logger = (Logger) LoggerFactory.getLogger(ModelLoader.class);
        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        logged.start();
        logger.addAppender(logged);
        try (BeatClassifierModel model = ModelLoader.load(ModelSource.directory(MODELS), NAME, contract,
                settings(MODELS))) {
            assertThat(model.card().id()).isEqualTo(card().id());
        } finally {
            logger.detachAppender(logged);
        }
        return logged.list.stream().filter(e -> e.getLevel() == Level.WARN).map(ILoggingEvent::getFormattedMessage)
                .toList();
    }

    @Test
    void aCardWithANormalisationTheContractNamesAsEarlierStillServesAndNoOtherDoes() {
        InputSpec stream = card().input();
        InputSpec reworded = new InputSpec(stream.rateHz(), stream.before(), stream.length(), stream.channels(),
                stream.rrFeatures(), "the same inputs, the rule reworded");
        assertThatThrownBy(() -> ModelLoader.load(ModelSource.directory(MODELS), NAME,
                new ModelContract(reworded, card().classes()), settings(MODELS)))
                .isInstanceOf(ModelException.class).hasMessageContaining("normalisation");
        try (BeatClassifierModel model = ModelLoader.load(ModelSource.directory(MODELS), NAME,
                new ModelContract(reworded, card().classes(), c -> null, java.util.Set.of(stream.normalisation())),
                settings(MODELS))) {
            assertThat(model.card().version()).isEqualTo(card().version());
        }
    }

    @Test
    void aModelWhoseInputIsNotWhatTheStreamGivesIsRefused() {
        InputSpec stream = card().input();
        InputSpec longer = new InputSpec(stream.rateHz(), stream.before(), stream.length() + 20, stream.channels(),
                stream.rrFeatures(), stream.normalisation());
        InputSpec otherRate = new InputSpec(360, stream.before(), stream.length(), stream.channels(),
                stream.rrFeatures(), stream.normalisation());

        assertThatThrownBy(() -> ModelLoader.load(ModelSource.directory(MODELS), NAME, new ModelContract(longer, card().classes()), settings(MODELS)))
                .isInstanceOf(ModelException.class).hasMessageContaining("does not fit").hasMessageContaining("window");
        assertThatThrownBy(() -> ModelLoader.load(ModelSource.directory(MODELS), NAME, new ModelContract(otherRate, card().classes()), settings(MODELS)))
                .isInstanceOf(ModelException.class).hasMessageContaining("rate 250 Hz, the stream gives 360 Hz");
    }

    @Test
    void aModelWhoseClassesAreInAnotherOrderIsRefused() {
        ModelContract reordered = new ModelContract(card().input(), List.of("N", "V", "S", "F", "Q"));
        assertThatThrownBy(() -> ModelLoader.load(ModelSource.directory(MODELS), NAME, reordered, settings(MODELS)))
                .isInstanceOf(ModelException.class)
                .hasMessageContaining("output classes [N, S, V, F, Q], the stream reads [N, V, S, F, Q]");
    }

    @Test
    void missingAndMalformedCardsGetClearErrors() throws IOException {
        ModelContract spec = contract(card());
        assertThatThrownBy(() -> ModelLoader.load(ModelSource.directory(dir), NAME, spec, settings(dir)))
                .isInstanceOf(ModelException.class).hasMessageContaining("no model card for beat-classifier");
        assertThatThrownBy(() -> ModelLoader.load(ModelSource.directory(dir.resolve("absent")), NAME, spec,
                settings(dir))).hasMessageContaining("does not exist");

        Files.writeString(dir.resolve("broken.json"), "{\"name\": \"beat-classifier\", ");
        assertThatThrownBy(() -> ModelLoader.load(ModelSource.directory(dir), NAME, spec, settings(dir)))
                .isInstanceOf(ModelException.class).hasMessageContaining("broken.json is not a JSON object");
        Files.writeString(dir.resolve("broken.json"), card().json().copy().put("version", "one").encode());
        assertThatThrownBy(() -> ModelLoader.load(ModelSource.directory(dir), NAME, spec, settings(dir)))
                .isInstanceOf(ModelException.class).hasMessageContaining("major.minor.patch, got one");
        // A card edited by hand with a key left in twice: which sha256 is meant?
        String twice = card().json().encode().replaceFirst("\\{", "{\"sha256\": \"" + "0".repeat(64) + "\", ");
        Files.writeString(dir.resolve("broken.json"), twice);
        assertThatThrownBy(() -> ModelLoader.load(ModelSource.directory(dir), NAME, spec, settings(dir)))
                .isInstanceOf(ModelException.class).hasMessageContaining("duplicate key \"sha256\"");
    }

    @Test
    void twoCardsOfOneVersionAreRefusedByName() throws IOException {
        ModelCard card = copyModel("1.0.0");
        Files.writeString(dir.resolve(NAME + "-1.0.0-copy.json"), card.json().copy().put("sha256", "1".repeat(64))
                .encodePrettily());

        assertThatThrownBy(() -> ModelLoader.newestCard(ModelSource.directory(dir), NAME))
                .isInstanceOf(ModelException.class)
                .hasMessageContaining(NAME + "-1.0.0-copy.json and " + NAME + "-1.0.0.json are both cards of " + NAME
                        + " 1.0.0");
    }

    @Test
    void aModelDirectoryThatIsAFileIsNamedSo() throws IOException {
        Path file = Files.writeString(dir.resolve("models.txt"), "not a directory");
        assertThatThrownBy(() -> ModelLoader.newestCard(ModelSource.directory(file), NAME))
                .isInstanceOf(ModelException.class).hasMessageContaining(file + " is not a directory");
        assertThatThrownBy(() -> ModelLoader.newestCard(ModelSource.directory(dir.resolve("none")), NAME))
                .isInstanceOf(ModelException.class).hasMessageContaining("does not exist");
    }

    @Test
    void aNewVersionReplacesTheModelWhileABrokenOneIsReportedAndSkipped() throws IOException {
        ModelCard first = copyModel("1.0.0");
        try (ModelRegistry registry = new ModelRegistry(NAME, contract(first), settings(dir))) {
            assertThat(registry.card().version()).isEqualTo("1.0.0");
            assertThat(registry.reloadIfChanged()).isFalse();

            copyModel("1.1.0");
            assertThat(registry.reloadIfChanged()).isTrue();
            assertThat(registry.card().version()).isEqualTo("1.1.0");
            float[][] p = registry.withModel(m -> m.classify(new float[2 * 160], new float[7], 1));
            assertThat(p[0]).hasSize(5);

            JsonObject damaged = card().json().copy().put("version", "1.2.0").put("sha256", "0".repeat(64));
            Files.writeString(dir.resolve("beat-classifier-1.2.0.json"), damaged.encode());
            assertThat(registry.reloadIfChanged()).isFalse();
            assertThat(registry.card().version()).isEqualTo("1.1.0");
        }
    }

    @Test
    void anInferenceFailureIsReportedForAMinuteAfterTheLatestAndAReloadReplacesTheBrokenSession()
            throws IOException {
        ModelCard first = copyModel("1.0.0");
        try (ModelRegistry registry = new ModelRegistry(NAME, contract(first), settings(dir))) {
            assertThat(registry.inferenceFailure()).isEmpty();
            // A failure at run time, from ONNX Runtime itself: the session closed under the registry.
            registry.withModel(m -> {
                m.close();
                return null;
            });
            RuntimeException failure = catchRuntimeException(
                    () -> registry.withModel(m -> m.classify(new float[2 * 160], new float[7], 1)));
            assertThat(failure).hasMessageContaining("closed");
            long t0 = 1_000_000;
            registry.inferenceFailed(failure, t0);
            registry.inferenceFailed(failure, t0 + 30_000);
            // Stream tasks share the registry: only time, not another task's success, clears it.
            assertThat(registry.inferenceFailure(t0 + 30_000 + ModelRegistry.FAILURE_HOLD_MS - 1))
                    .hasValue(failure.getMessage());
            assertThat(registry.inferenceFailure(t0 + 30_000 + ModelRegistry.FAILURE_HOLD_MS)).isEmpty();

            // A new version replaces the broken session, which will not close again.
            copyModel("1.1.0");
            assertThat(registry.reloadIfChanged()).isTrue();
            assertThat(registry.withModel(m -> m.classify(new float[2 * 160], new float[7], 1))[0]).hasSize(5);
        }
    }

    @Test
    void aModelThatComputesOtherwiseThanItsCardSaysIsRefusedAndTheServingOneKept() throws IOException {
        ModelCard first = copyModel("1.0.0");
        try (ModelRegistry registry = new ModelRegistry(NAME, contract(first), settings(dir))) {
            // The file is the card's, but the card's fixture says it gives other probabilities: not
            // the model the card describes (a card copied beside another model, a layout changed).
            ModelCard second = copyModel("1.1.0");
            JsonObject json = second.json().copy();
            JsonArray fixture = json.getJsonArray("parity_fixture");
            JsonObject example = fixture.getJsonObject(0);
            JsonArray expected = example.getJsonArray("expected");
            JsonArray reversed = new JsonArray();
            for (int k = expected.size() - 1; k >= 0; k--) {
                reversed.add(expected.getValue(k));
            }
            example.put("expected", reversed);
            Files.writeString(dir.resolve(NAME + "-1.1.0.json"), json.encodePrettily());

            assertThatThrownBy(() -> ModelLoader.load(ModelSource.directory(dir), ModelCard.parse(json.encode(),
                    second.file()), contract(second), settings(dir)))
                    .isInstanceOf(ModelException.class).hasMessageContaining("parity_fixture");
            assertThat(registry.reloadIfChanged()).isFalse();
            assertThat(registry.card().version()).isEqualTo("1.0.0");
        }
    }

    @Test
    void aCardWithoutAParityFixtureOrWithTensorsTheModelLacksIsRefused() throws IOException {
        ModelCard card = copyModel("1.0.0");
        for (JsonObject edited : List.of(card.json().copy().put("parity_fixture", new JsonArray()),
                withoutFixture(card.json().copy()))) {
            Files.writeString(dir.resolve(NAME + "-1.0.0.json"), edited.encode());
            assertThatThrownBy(() -> ModelLoader.load(ModelSource.directory(dir), NAME, contract(card), settings(dir)))
                    .isInstanceOf(ModelException.class)
                    .hasMessage("beat-classifier:1.0.0: its card has no parity_fixture (inputs with the probabilities "
                            + "its exporter computed for them), so nothing shows the file computes what was measured; "
                            + "the training script writes one");
        }
        JsonObject renamed = card.json().copy();
        renamed.getJsonObject("input").put("tensors", new JsonObject()
                .put("x", new JsonArray().add("batch").add(2).add(160)).put("rr", new JsonArray().add("batch").add(7)));
        Files.writeString(dir.resolve(NAME + "-1.0.0.json"), renamed.encode());
        assertThatThrownBy(() -> ModelLoader.load(ModelSource.directory(dir), NAME, contract(card), settings(dir)))
                .isInstanceOf(ModelException.class)
                .hasMessage("beat-classifier:1.0.0: its card's input.tensors is {\"x\":[\"batch\",2,160],\"rr\":"
                        + "[\"batch\",7]}, but the model takes {\"beat\":[\"batch\",2,160],\"rr\":[\"batch\",7]}");
        // As the training script writes it, and as a hand-edited card may order the keys: it loads.
        JsonObject reordered = card.json().copy();
        reordered.getJsonObject("input").put("tensors", new JsonObject()
                .put("rr", new JsonArray().add("batch").add(7L)).put("beat", new JsonArray().add("batch").add(2).add(160)));
        Files.writeString(dir.resolve(NAME + "-1.0.0.json"), reordered.encodePrettily());
        try (BeatClassifierModel model = ModelLoader.load(ModelSource.directory(dir), NAME, contract(card),
                settings(dir))) {
            assertThat(model.card().version()).isEqualTo("1.0.0");
        }
    }

    private static JsonObject withoutFixture(JsonObject card) {
        card.remove("parity_fixture");
        return card;
    }

    @Test
    void aModelThatTakesDoublesIsRefusedBeforeItServes() throws IOException {
        // float64-inputs.onnx: inputs and output of the right names and shapes, but double, as
        // torch.onnx.export writes a float64 module. It loaded, and every batch then failed in the
        // stream, losing its beats.
        String file = NAME + "-1.0.0.onnx";
        Files.copy(Path.of("src/test/resources/float64-inputs.onnx"), dir.resolve(file));
        JsonObject json = card().json().copy().put("version", "1.0.0").put("file", file)
                .put("sha256", ModelLoader.sha256(Files.readAllBytes(dir.resolve(file))));
        Files.writeString(dir.resolve(NAME + "-1.0.0.json"), json.encodePrettily());
        ModelCard card = ModelCard.parse(json.encode(), file);

        assertThatThrownBy(() -> ModelLoader.load(ModelSource.directory(dir), NAME, contract(card), settings(dir)))
                .isInstanceOf(ModelException.class).hasMessageContaining("input beat holds DOUBLE")
                .hasMessageContaining("float32");
    }

    @Test
    void cardsThatCannotBeReadDoNotHoldBackANewVersionNorSendTheModelBack() throws IOException {
        copyModel("1.0.0");
        ModelCard second = copyModel("1.1.0");
        try (ModelRegistry registry = new ModelRegistry(NAME, contract(second), settings(dir))) {
            Files.writeString(dir.resolve("notes.json"), "not a card");
            // The current version's card half rewritten: no way back to 1.0.0 because of it.
            Files.writeString(dir.resolve(NAME + "-1.1.0.json"), "{\"name\": \"beat-classifier\", ");
            assertThat(registry.reloadIfChanged()).isFalse();
            assertThat(registry.card().version()).isEqualTo("1.1.0");
            assertThat(registry.problems()).hasSize(3).anySatisfy(p -> assertThat(p).contains("notes.json"))
                    .anySatisfy(p -> assertThat(p).contains(NAME + "-1.1.0.json is not a JSON object"))
                    .anySatisfy(p -> assertThat(p).startsWith("not going back to beat-classifier:1.0.0 while "
                            + "beat-classifier-1.1.0.json, notes.json cannot be read"));

            copyModel("1.2.0");
            assertThat(registry.reloadIfChanged()).isTrue();
            assertThat(registry.card().version()).isEqualTo("1.2.0");
            assertThat(registry.problems()).hasSize(2);

            // A model still being copied after its card: another digest at every check, one problem.
            ModelCard third = copyModel("1.3.0");
            byte[] model = Files.readAllBytes(dir.resolve(third.file()));
            Files.write(dir.resolve(third.file()), java.util.Arrays.copyOf(model, 1000));
            assertThat(registry.reloadIfChanged()).isFalse();
            String copying = registry.problems().stream().filter(p -> p.contains("1.3.0")).findFirst().orElseThrow();
            Files.write(dir.resolve(third.file()), java.util.Arrays.copyOf(model, 2000));
            assertThat(registry.reloadIfChanged()).isFalse();
            assertThat(registry.problems()).hasSize(3).contains(copying);
            Files.write(dir.resolve(third.file()), model);
            assertThat(registry.reloadIfChanged()).isTrue();
            assertThat(registry.card().version()).isEqualTo("1.3.0");

            // Every card readable again: taking versions away rolls back to the newest left.
            Files.delete(dir.resolve("notes.json"));
            copyModel("1.1.0");
            Files.delete(dir.resolve(NAME + "-1.2.0.json"));
            Files.delete(dir.resolve(NAME + "-1.3.0.json"));
            assertThat(registry.reloadIfChanged()).isTrue();
            assertThat(registry.card().version()).isEqualTo("1.1.0");
            assertThat(registry.problems()).isEmpty();
        }
        // A restart serves what the running processor served: the stray file is a problem, not a stop.
        Files.writeString(dir.resolve("notes.json"), "not a card");
        try (ModelRegistry restarted = new ModelRegistry(NAME, contract(second), settings(dir))) {
            assertThat(restarted.card().version()).isEqualTo("1.1.0");
            assertThat(restarted.problems()).singleElement().asString().contains("notes.json is not a JSON object");
        }
    }

    @Test
    void aStartServesTheNewestVersionThatCanServeAndNamesTheRefusedNewerOne() throws IOException {
        ModelCard first = copyModel("1.0.0");
        // Another class order: the running processor refuses it on a reload and keeps 1.0.0.
        writeReorderedCard("1.1.0");
        try (RegistryErrors errors = new RegistryErrors();
                ModelRegistry registry = new ModelRegistry(NAME, contract(first), settings(dir))) {
            assertThat(registry.card().version()).isEqualTo("1.0.0");
            assertThat(registry.problems()).singleElement().asString()
                    .startsWith("beat-classifier:1.1.0 in model directory " + dir + " does not fit this processor");
            // Logged once, at the start, and not again by the reload checks that refuse it alike.
            assertThat(registry.reloadIfChanged()).isFalse();
            assertThat(errors.logged()).singleElement()
                    .satisfies(e -> assertThat(e.getFormattedMessage()).startsWith("Serving model beat-classifier:1.0.0; in "));
        }

        // Nothing that can serve: the newest's reason, then the others'.
        Files.writeString(dir.resolve(NAME + "-1.0.0.json"), first.json().copy().put("sha256", "0".repeat(64)).encode());
        assertThatThrownBy(() -> new ModelRegistry(NAME, contract(first), settings(dir)))
                .isInstanceOf(ModelException.class)
                .hasMessageStartingWith("beat-classifier:1.1.0 in model directory " + dir + " does not fit this processor")
                .hasMessageContaining("; and nothing else in model directory " + dir + " can serve: beat-classifier:1.0.0: ")
                .hasMessageContaining("has sha256");
    }

    @Test
    void aReloadWalksPastRefusedNewerVersionsToOneThatServesAndKeepsNamingEach() throws IOException {
        ModelCard first = copyModel("1.0.0");
        writeReorderedCard("1.1.0");
        JsonObject damaged = card().json().copy().put("version", "1.3.0").put("file", NAME + "-1.0.0.onnx")
                .put("sha256", "0".repeat(64));
        Files.writeString(dir.resolve(NAME + "-1.3.0.json"), damaged.encode());
        try (RegistryErrors errors = new RegistryErrors();
                ModelRegistry registry = new ModelRegistry(NAME, contract(first), settings(dir))) {
            assertThat(registry.card().version()).isEqualTo("1.0.0");
            assertThat(registry.problems()).hasSize(2);
            // Before, a reload tried the newest alone: 1.1.0's refusal left /health after the first check.
            assertThat(registry.reloadIfChanged()).isFalse();
            assertThat(registry.problems()).hasSize(2)
                    .anySatisfy(p -> assertThat(p).startsWith("beat-classifier:1.1.0 in model directory"))
                    .anySatisfy(p -> assertThat(p).contains("1.3.0"));
            assertThat(errors.logged()).hasSize(2);

            // A good version below the refused newest one is served, as a restart would serve it.
            copyModel("1.2.0");
            assertThat(registry.reloadIfChanged()).isTrue();
            assertThat(registry.card().version()).isEqualTo("1.2.0");
            assertThat(registry.problems()).singleElement().asString().contains("1.3.0");
            assertThat(registry.reloadIfChanged()).isFalse();
            assertThat(errors.logged()).hasSize(2);
        }
    }

    @Test
    void aReloadThatRefusesTheServingVersionsRewrittenCardKeepsServingItRatherThanGoBack() throws IOException {
        copyModel("1.2.0");
        JsonObject damaged = card().json().copy().put("version", "1.3.0").put("file", NAME + "-1.2.0.onnx")
                .put("sha256", "0".repeat(64));
        Files.writeString(dir.resolve(NAME + "-1.3.0.json"), damaged.encode());
        ModelCard serving = copyModel("1.4.0");
        try (ModelRegistry registry = new ModelRegistry(NAME, contract(serving), settings(dir))) {
            assertThat(registry.card().version()).isEqualTo("1.4.0");
            // Its card rewritten, its file not yet (still being copied, say).
            Files.writeString(dir.resolve(NAME + "-1.4.0.json"), serving.json().copy().put("sha256", "0".repeat(64))
                    .encode());
            assertThat(registry.reloadIfChanged()).isFalse();
            assertThat(registry.card().version()).isEqualTo("1.4.0");
            // Taken away, it goes back to the newest good version left, past a refused one, as a start would.
            Files.delete(dir.resolve(NAME + "-1.4.0.json"));
            assertThat(registry.reloadIfChanged()).isTrue();
            assertThat(registry.card().version()).isEqualTo("1.2.0");
        }
    }

    @Test
    void cudaWithoutTheGpuBuildFallsBackToTheCpu() {
        assumeThat(OrtEnvironment.getAvailableProviders()).doesNotContain(OrtProvider.CUDA);
        InferenceSettings d = InferenceSettings.defaults();
        InferenceSettings cuda = new InferenceSettings(MODELS, ExecutionDevice.CUDA, 1, d.maxBatch(), d.maxWait(),
                Duration.ZERO);
        try (BeatClassifierModel model = ModelLoader.load(ModelSource.directory(MODELS), NAME, contract(card()), cuda)) {
            assertThat(model.device()).isEqualTo(ExecutionDevice.CPU);
            assertThat(model.classify(new float[2 * 160], new float[7], 1)[0]).hasSize(5);
        }
    }

    @Test
    void thePackagedModelsAreOnTheClasspath() {
        assertThat(ModelSource.classpath().cards()).contains(card().name() + "-" + card().version() + ".json");
        try (ModelRegistry registry = new ModelRegistry(NAME, contract(card()), InferenceSettings.defaults())) {
            assertThat(registry.card().sha256()).isEqualTo(card().sha256());
        }
    }

    @Test
    void settingsOutOfRangeAreRefused() {
        assertThatThrownBy(() -> new InferenceSettings(null, ExecutionDevice.CPU, 0, 1, Duration.ZERO, Duration.ZERO))
                .hasMessage("inference: threads must be 1-256, got 0");
        assertThatThrownBy(() -> new InferenceSettings(null, ExecutionDevice.CPU, 1000, 1, Duration.ZERO, Duration.ZERO))
                .hasMessage("inference: threads must be 1-256, got 1000");
        assertThatThrownBy(() -> new InferenceSettings(null, ExecutionDevice.CPU, 1, 0, Duration.ZERO, Duration.ZERO))
                .hasMessage("inference: maxBatch must be 1-65536, got 0");
        assertThatThrownBy(() -> ExecutionDevice.parse("tpu")).hasMessageContaining("cpu or cuda, got \"tpu\"");
    }

    @Test
    void aModelCopiedInFullThatStillCannotLoadIsReportedForWhatItIs() throws IOException {
        ModelCard first = copyModel("1.0.0");
        try (ModelRegistry registry = new ModelRegistry(NAME, contract(first), settings(dir))) {
            byte[] garbage = new byte[4000];
            java.util.Arrays.fill(garbage, (byte) 7);
            String file = NAME + "-1.1.0.onnx";
            JsonObject json = card().json().copy().put("version", "1.1.0").put("file", file)
                    .put("sha256", ModelLoader.sha256(garbage));
            Files.writeString(dir.resolve(NAME + "-1.1.0.json"), json.encodePrettily());
            Files.write(dir.resolve(file), java.util.Arrays.copyOf(garbage, 1000)); // still being copied
            assertThat(registry.reloadIfChanged()).isFalse();
            assertThat(registry.problems()).singleElement().satisfies(p -> assertThat(p).contains("has sha256"));
            Files.write(dir.resolve(file), garbage); // copied in full: ONNX Runtime refuses it
            assertThat(registry.reloadIfChanged()).isFalse();
            assertThat(registry.problems()).as("the problem now is that ONNX Runtime cannot load it")
                    .singleElement().satisfies(p -> assertThat(p).contains("ONNX Runtime cannot load"));
        }
    }

    /** The error lines {@link ModelRegistry} logs while this is open. */
    private static final class RegistryErrors implements AutoCloseable {
        private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
        private final Logger logger = (Logger) LoggerFactory.getLogger(ModelRegistry.class);

        RegistryErrors() {
            appender.start();
            logger.addAppender(appender);
        }

        List<ILoggingEvent> logged() {
            return appender.list.stream().filter(e -> e.getLevel() == Level.ERROR).toList();
        }

        @Override
        public void close() {
            logger.detachAppender(appender);
        }
    }

    /** A card of {@code version} whose classes are in another order than the stream's: refused. */
    private void writeReorderedCard(String version) throws IOException {
        JsonObject reordered = card().json().copy().put("version", version);
        reordered.getJsonObject("output").put("classes", new JsonArray(List.of("N", "V", "S", "F", "Q")));
        Files.writeString(dir.resolve(NAME + "-" + version + ".json"), reordered.encode());
    }

    /** The packaged model under {@code version} in the temporary directory. */
    private ModelCard copyModel(String version) throws IOException {
        ModelCard card = card();
        String file = NAME + "-" + version + ".onnx";
        Files.copy(MODELS.resolve(card.file()), dir.resolve(file), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        JsonObject json = card.json().copy().put("version", version).put("file", file);
        Files.writeString(dir.resolve(NAME + "-" + version + ".json"), json.encodePrettily());
        return ModelCard.parse(json.encode(), file);
    }
}
