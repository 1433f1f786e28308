package org.arrhythmiamonitor.processor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchRuntimeException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.streams.KafkaStreams;
import org.arrhythmiamonitor.beat.BeatFeatures;
import org.arrhythmiamonitor.beat.BeatWindow;
import org.arrhythmiamonitor.inference.InferenceSettings;
import org.arrhythmiamonitor.inference.ModelRegistry;
import org.arrhythmiamonitor.ops.Health;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the processor's {@code /health} says about the model it serves. */
class ProcessorHealthTest {

    @Test
    void healthIsDownWithTheCauseWhileInferenceFails() {
        try (ModelRegistry models = new ModelRegistry(BeatFeatures.MODEL_NAME, BeatFeatures.CONTRACT,
                InferenceSettings.defaults())) {
            Health serving = ProcessorService.health(KafkaStreams.State.RUNNING, models);
            assertThat(serving.up()).isTrue();
            assertThat(serving.details()).containsEntry("model", models.card().id())
                    .doesNotContainKey("inferenceFailure");

            // Beats go on unclassified while inference fails: the rules that need classes are blind.
            RuntimeException failure = catchRuntimeException(() -> models.withModel(m -> {
                m.close();
                return m.classify(new float[BeatFeatures.CHANNELS.size() * BeatWindow.LENGTH],
                        new float[BeatFeatures.RR_FEATURES.size()], 1);
            }));
            assertThat(failure).hasMessageContaining("closed");
            models.inferenceFailed(failure);
            Health failing = ProcessorService.health(KafkaStreams.State.RUNNING, models);
            assertThat(failing.up()).isFalse();
            assertThat(failing.details()).containsEntry("inferenceFailure", failure.getMessage());

            assertThat(ProcessorService.health(KafkaStreams.State.ERROR, models).up()).isFalse();
        }
    }

    @Test
    void whatTheModelDirectoryHoldsBesideTheServedModelIsNamedWhileItServes(@TempDir Path dir) throws IOException {
        Path shipped = Path.of("..", "model-store", "models");
        for (String file : List.of("beat-classifier-1.4.0.json", "beat-classifier-1.4.0.onnx")) {
            Files.copy(shipped.resolve(file), dir.resolve(file));
        }
        Files.writeString(dir.resolve("notes.json"), "{\"comment\": \"deployed by the night shift\"}");
        InferenceSettings d = InferenceSettings.defaults();
        try (ModelRegistry models = new ModelRegistry(BeatFeatures.MODEL_NAME, BeatFeatures.CONTRACT,
                new InferenceSettings(dir, d.device(), 1, d.maxBatch(), d.maxWait(), Duration.ZERO))) {
            Health health = ProcessorService.health(KafkaStreams.State.RUNNING, models);
            assertThat(health.up()).isTrue();
            assertThat(health.details()).containsEntry("model", "beat-classifier:1.4.0");
            assertThat((List<?>) health.details().get("modelProblems")).singleElement().asString()
                    .contains("notes.json");
        }
    }
}
