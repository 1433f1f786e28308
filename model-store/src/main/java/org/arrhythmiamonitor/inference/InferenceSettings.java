package org.arrhythmiamonitor.inference;

import java.nio.file.Path;
import java.time.Duration;
import org.arrhythmiamonitor.config.SettingException;

/**
 * How the processor runs its models.
 *
 * @param modelDirectory directory with models and cards; null for the models in the jar
 * @param device CPU, or CUDA with a fallback to CPU
 * @param intraOpThreads ONNX Runtime threads per inference call
 * @param maxBatch beats per inference call at most
 * @param maxWait longest a beat waits for its batch to fill
 * @param reloadInterval how often the model directory is checked for a new version; zero never
 */
public record InferenceSettings(Path modelDirectory, ExecutionDevice device, int intraOpThreads, int maxBatch,
        Duration maxWait, Duration reloadInterval) {
    public static final int DEFAULT_THREADS = 2;
    public static final int MAX_THREADS = 256;
    public static final int DEFAULT_MAX_BATCH = 256;
    public static final long DEFAULT_MAX_WAIT_MS = 5;
    public static final Duration DEFAULT_MAX_WAIT = Duration.ofMillis(DEFAULT_MAX_WAIT_MS);
    /** Whose settings these are, in messages: the processor's {@code inference} settings. */
    public static final String SECTION = "inference";
    /** Why an empty model directory is refused, after the setting's name: read as none, it served the packaged models. */
    public static final String EMPTY_MODEL_DIRECTORY =
            "is empty: name a directory of models and cards, or leave it out for the packaged models";

    public InferenceSettings {
        // Refused under the keys of the processor's inference settings, which is where they are set.
        // More threads than cores only wait for one another; 256 catches a slip of the keyboard.
        SettingException.requireBetween(SECTION, "threads", intraOpThreads, 1, MAX_THREADS);
        SettingException.requireBetween(SECTION, "maxBatch", maxBatch, 1, 65_536);
        if (maxWait.isNegative() || maxWait.compareTo(Duration.ofSeconds(1)) > 0) {
            throw SettingException.of(SECTION, "maxWaitMs", "must be 0-1000, got " + maxWait.toMillis());
        }
        if (reloadInterval.isNegative()) {
            throw SettingException.of(SECTION, "reloadSeconds", "must not be negative, got "
                    + reloadInterval.toSeconds());
        }
    }

    /** The models in the jar on the CPU, two threads, batches of up to 256 beats or 5 ms, no reloading. */
    public static InferenceSettings defaults() {
        return new InferenceSettings(null, ExecutionDevice.CPU, DEFAULT_THREADS, DEFAULT_MAX_BATCH, DEFAULT_MAX_WAIT,
                Duration.ZERO);
    }

    public ModelSource source() {
        return modelDirectory == null ? ModelSource.classpath() : ModelSource.directory(modelDirectory);
    }
}
