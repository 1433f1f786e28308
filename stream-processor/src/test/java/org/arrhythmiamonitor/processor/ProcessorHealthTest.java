package org.arrhythmiamonitor.processor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchRuntimeException;

import org.apache.kafka.streams.KafkaStreams;
import org.arrhythmiamonitor.beat.BeatFeatures;
import org.arrhythmiamonitor.beat.BeatWindow;
import org.arrhythmiamonitor.inference.InferenceSettings;
import org.arrhythmiamonitor.inference.ModelRegistry;
import org.arrhythmiamonitor.ops.Health;
import org.junit.jupiter.api.Test;

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
}
