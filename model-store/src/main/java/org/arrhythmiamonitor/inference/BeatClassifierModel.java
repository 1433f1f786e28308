package org.arrhythmiamonitor.inference;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One loaded beat model: an ONNX Runtime session that takes a batch of beat windows
 * ({@code beat}: batch x channels x length) and rhythm features ({@code rr}: batch x features) and
 * gives class probabilities ({@code probabilities}: batch x classes). Sessions are safe to call
 * from several threads.
 */
public final class BeatClassifierModel implements AutoCloseable {
    static final String BEAT_INPUT = "beat";
    static final String RR_INPUT = "rr";
    static final String OUTPUT = "probabilities";

    private final ModelCard card;
    private final OrtSession session;
    private final ExecutionDevice device;
    private final int beatValues;
    private final int rrValues;
    private final AtomicBoolean closed = new AtomicBoolean();

    BeatClassifierModel(ModelCard card, OrtSession session, ExecutionDevice device) {
        this.card = card;
        this.session = session;
        this.device = device;
        InputSpec spec = card.input();
        this.beatValues = spec.channels().size() * spec.length();
        this.rrValues = spec.rrFeatures().size();
        checkSignature();
    }

    public ModelCard card() {
        return card;
    }

    /** Where the session actually runs, after any fallback. */
    public ExecutionDevice device() {
        return device;
    }

    public int classCount() {
        return card.classes().size();
    }

    /**
     * Classifies {@code count} beats.
     *
     * @param beats count x channels x length values, row-major
     * @param rr count x features values, row-major
     * @return count x classes probabilities
     */
    public float[][] classify(float[] beats, float[] rr, int count) {
        if (count == 0) {
            return new float[0][];
        }
        if (beats.length < count * beatValues || rr.length < count * rrValues) {
            throw new IllegalArgumentException("a batch of " + count + " beats needs " + count * beatValues
                    + " window and " + count * rrValues + " RR values, got " + beats.length + " and " + rr.length);
        }
        InputSpec spec = card.input();
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OnnxTensor beat = OnnxTensor.createTensor(env, FloatBuffer.wrap(beats, 0, count * beatValues),
                    new long[] {count, spec.channels().size(), spec.length()});
             OnnxTensor features = OnnxTensor.createTensor(env, FloatBuffer.wrap(rr, 0, count * rrValues),
                    new long[] {count, rrValues});
             OrtSession.Result result = session.run(Map.of(BEAT_INPUT, beat, RR_INPUT, features))) {
            return (float[][]) result.get(OUTPUT).orElseThrow().getValue();
        } catch (OrtException e) {
            throw new IllegalStateException("inference with " + card.id() + " failed: " + e.getMessage(), e);
        }
    }

    /**
     * A card that declares its tensors ({@code input.tensors}) must declare the model's: whoever
     * wires the model up elsewhere goes by the card.
     */
    private void checkDeclaredTensors() {
        JsonObject input = card.json().getJsonObject("input");
        JsonObject declared = input == null ? null : input.getJsonObject("tensors");
        if (declared == null) {
            return;
        }
        InputSpec spec = card.input();
        JsonObject actual = new JsonObject()
                .put(BEAT_INPUT, new JsonArray().add("batch").add(spec.channels().size()).add(spec.length()))
                .put(RR_INPUT, new JsonArray().add("batch").add(spec.rrFeatures().size()));
        if (!declared.equals(actual)) {
            throw new ModelException(card.id() + ": its card's input.tensors is " + declared.encode() + ", but the "
                    + "model takes " + actual.encode());
        }
    }

    private void checkSignature() {
        checkDeclaredTensors();
        try {
            Map<String, NodeInfo> inputs = session.getInputInfo();
            Map<String, NodeInfo> outputs = session.getOutputInfo();
            check(inputs.get(BEAT_INPUT), "input " + BEAT_INPUT, card.input().channels().size(), card.input().length());
            check(inputs.get(RR_INPUT), "input " + RR_INPUT, card.input().rrFeatures().size());
            check(outputs.get(OUTPUT), "output " + OUTPUT, card.classes().size());
        } catch (OrtException e) {
            throw new ModelException(card.id() + ": cannot read the model's inputs and outputs: " + e.getMessage(), e);
        }
    }

    /** The tensor must exist, hold floats, and its non-batch dimensions must be what the card says. */
    private void check(NodeInfo node, String what, long... dims) {
        if (node == null || !(node.getInfo() instanceof TensorInfo tensor)) {
            throw new ModelException(card.id() + ": the ONNX model has no tensor " + what);
        }
        if (tensor.type != OnnxJavaType.FLOAT) {
            throw new ModelException(card.id() + ": " + what + " holds " + tensor.type + " values; the engine exchanges "
                    + "float32 tensors with the model");
        }
        long[] shape = tensor.getShape();
        boolean fits = shape.length == dims.length + 1;
        for (int k = 0; fits && k < dims.length; k++) {
            fits = shape[k + 1] == dims[k];
        }
        if (!fits) {
            throw new ModelException(card.id() + ": " + what + " has shape " + Arrays.toString(shape)
                    + ", the card declares [batch, " + Arrays.toString(dims).replaceAll("[\\[\\]]", "") + "]");
        }
    }

    @Override
    public void close() {
        // ONNX Runtime refuses to close a session twice; a model already closed is left as it is.
        if (closed.getAndSet(true)) {
            return;
        }
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException("cannot close the session of " + card.id(), e);
        }
    }
}
