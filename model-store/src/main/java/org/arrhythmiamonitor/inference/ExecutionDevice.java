package org.arrhythmiamonitor.inference;

import java.util.Locale;

/** Where ONNX Runtime runs the models. */
public enum ExecutionDevice {
    CPU,
    /** The CUDA execution provider; needs the gpu build (onnxruntime_gpu) and a CUDA device, else CPU. */
    CUDA;

    public static ExecutionDevice parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("inference device must be cpu or cuda, got \"" + text + "\"");
        }
    }
}
