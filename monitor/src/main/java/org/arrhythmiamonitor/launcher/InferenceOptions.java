package org.arrhythmiamonitor.launcher;

import io.vertx.core.json.JsonObject;
import org.arrhythmiamonitor.inference.InferenceSettings;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Where the beat models come from, where they run and how beats are batched for them. */
final class InferenceOptions {
    @Option(names = "--model-dir", defaultValue = "${env:PROCESSOR_MODEL_DIR}", paramLabel = "DIR",
            description = "Models and model cards; a new version placed here replaces the running one "
                    + "(default: the models packaged with the processor; an empty PROCESSOR_MODEL_DIR "
                    + "counts as unset).")
    String modelDir;

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

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

    /** Puts these into the processor's {@code inference} settings. */
    void putInto(CommandLineSettings processor) {
        CommandLineSettings settings = processor.object("inference", InferenceSettings.SECTION, new JsonObject())
                .put("device", "--inference-device", device)
                .put("threads", "--inference-threads", threads)
                .put("maxBatch", "--inference-max-batch", maxBatch)
                .put("maxWaitMs", "--inference-max-wait-ms", maxWaitMs);
        // An empty environment variable is how compose files leave a setting unset; an empty
        // --model-dir typed on the command line is a mistake, which the processor's settings refuse.
        boolean typed = spec.commandLine().getParseResult().hasMatchedOption("--model-dir");
        if (modelDir != null && (typed || !modelDir.isBlank())) {
            settings.put("modelDir", "--model-dir", modelDir);
        }
    }
}
