package org.arrhythmiamonitor.launcher;

import io.vertx.core.json.JsonObject;
import org.arrhythmiamonitor.inference.InferenceSettings;
import picocli.CommandLine.Option;

/** Where the beat models come from, where they run and how beats are batched for them. */
final class InferenceOptions {
    @Option(names = "--model-dir", defaultValue = "${env:PROCESSOR_MODEL_DIR}", paramLabel = "DIR",
            description = "Models and model cards; a new version placed here replaces the running one "
                    + "(default: the models packaged with the processor).")
    String modelDir;

    @Option(names = "--inference-device", defaultValue = "${env:PROCESSOR_INFERENCE_DEVICE:-cpu}", paramLabel = "cpu|cuda",
            description = "cuda needs the -Pgpu build and a CUDA device, else the CPU is used with a warning "
                    + "(default: ${DEFAULT-VALUE}).")
    String device;

    @Option(names = "--inference-threads", defaultValue = "" + InferenceSettings.DEFAULT_THREADS,
            description = "ONNX Runtime threads per inference call (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--inference-max-batch", defaultValue = "" + InferenceSettings.DEFAULT_MAX_BATCH,
            description = "Beats per inference call at most (default: ${DEFAULT-VALUE}).")
    int maxBatch;

    @Option(names = "--inference-max-wait-ms", defaultValue = "" + InferenceSettings.DEFAULT_MAX_WAIT_MS,
            description = "Longest a beat waits for its batch to fill, ms (default: ${DEFAULT-VALUE}).")
    long maxWaitMs;

    JsonObject toJson() {
        JsonObject json = new JsonObject().put("device", device).put("threads", threads).put("maxBatch", maxBatch)
                .put("maxWaitMs", maxWaitMs);
        return modelDir == null || modelDir.isBlank() ? json : json.put("modelDir", modelDir);
    }
}
