package org.arrhythmiamonitor.eval;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.arrhythmiamonitor.beat.RecordBeatClassifier;
import org.arrhythmiamonitor.inference.ModelRegistry;

/**
 * Each record's beat model in a patient-wise cross-validation: the model of the fold that held the
 * record out, so {@code monitor eval --held-out} scores every record through the whole pipeline as
 * an unseen patient. The folds file ({@code train_beat_classifier.py --fold-models} writes one per
 * seed) names each fold's records and its model directory, relative to the file:
 * <pre>{"folds": [{"records": ["208"], "model_dir": "fold1"}, ...]}</pre>
 */
public final class HeldOutModels implements RecordClassifiers, AutoCloseable {
    /** A fold: the records it held out and the model trained without them. */
    public record Fold(List<String> records, Path modelDir) {
    }

    private final Path file;
    private final List<Fold> folds;
    private final List<ModelRegistry> registries = new ArrayList<>();
    private final Map<String, RecordBeatClassifier> byRecord = new LinkedHashMap<>();

    private HeldOutModels(Path file, List<Fold> folds, Function<Path, ModelRegistry> open) {
        this.file = file;
        this.folds = folds;
        try {
            for (Fold fold : folds) {
                ModelRegistry registry = open.apply(fold.modelDir());
                registries.add(registry);
                RecordBeatClassifier classifier = new RecordBeatClassifier(registry);
                fold.records().forEach(r -> byRecord.put(r, classifier));
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** Reads the folds file and loads each fold's model as {@code monitor eval} loads one. */
    public static HeldOutModels open(Path foldsFile) {
        return open(foldsFile, RecordBeatClassifier::registry);
    }

    static HeldOutModels open(Path foldsFile, Function<Path, ModelRegistry> open) {
        return new HeldOutModels(foldsFile, read(foldsFile), open);
    }

    /** The folds of a folds file, checked: every fold has records and a model directory, no record is in two. */
    static List<Fold> read(Path foldsFile) {
        String where = "held-out folds file " + foldsFile;
        JsonObject json;
        try {
            json = new JsonObject(Files.readString(foldsFile));
        } catch (IOException e) {
            throw new IllegalArgumentException(where + " cannot be read: " + e.getMessage(), e);
        } catch (DecodeException e) {
            throw new IllegalArgumentException(where + " is not a JSON object: " + e.getMessage(), e);
        }
        if (!(json.getValue("folds") instanceof JsonArray array) || array.isEmpty()) {
            throw new IllegalArgumentException(where + ": needs \"folds\", a non-empty list of "
                    + "{\"records\": [...], \"model_dir\": \"...\"}");
        }
        Path base = foldsFile.toAbsolutePath().getParent();
        Map<String, Integer> foldOf = new LinkedHashMap<>();
        List<Fold> folds = new ArrayList<>();
        for (int k = 0; k < array.size(); k++) {
            String fold = where + ": fold " + (k + 1);
            if (!(array.getValue(k) instanceof JsonObject entry)
                    || !(entry.getValue("records") instanceof JsonArray records) || records.isEmpty()
                    || !(entry.getValue("model_dir") instanceof String dir) || dir.isBlank()) {
                throw new IllegalArgumentException(fold + " needs \"records\", a non-empty list of record names, "
                        + "and \"model_dir\", a directory");
            }
            List<String> names = new ArrayList<>();
            for (Object record : records) {
                if (!(record instanceof String name) || name.isBlank()) {
                    throw new IllegalArgumentException(fold + ": record names must be strings, got " + record);
                }
                Integer other = foldOf.putIfAbsent(name, k + 1);
                if (other != null) {
                    throw new IllegalArgumentException(where + ": record " + name + " is in folds " + other
                            + " and " + (k + 1) + "; each record is held out by one fold");
                }
                names.add(name);
            }
            Path modelDir = base.resolve(dir);
            if (!Files.isDirectory(modelDir)) {
                throw new IllegalArgumentException(fold + ": model_dir " + modelDir + " is not a directory");
            }
            folds.add(new Fold(List.copyOf(names), modelDir));
        }
        return List.copyOf(folds);
    }

    /** Every record of every fold, in the file's order. */
    public List<String> records() {
        return List.copyOf(byRecord.keySet());
    }

    @Override
    public RecordBeatClassifier forRecord(String record) {
        RecordBeatClassifier classifier = byRecord.get(record);
        if (classifier == null) {
            throw new IllegalArgumentException("record " + record + " is in no fold of " + file);
        }
        return classifier;
    }

    @Override
    public String describe() {
        return "held out: each record scored by the model of the fold that left it out (" + folds.size()
                + " folds, " + file + ")";
    }

    @Override
    public void close() {
        registries.forEach(ModelRegistry::close);
    }
}
