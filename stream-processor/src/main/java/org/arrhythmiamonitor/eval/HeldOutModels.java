package org.arrhythmiamonitor.eval;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.arrhythmiamonitor.beat.RecordBeatClassifier;
import org.arrhythmiamonitor.config.StrictJson;
import org.arrhythmiamonitor.inference.ModelCard;
import org.arrhythmiamonitor.inference.ModelException;
import org.arrhythmiamonitor.inference.ModelRegistry;

/**
 * Each record's beat model in a patient-wise cross-validation: the model of the fold that held the
 * record out, so {@code monitor eval --held-out} scores every record through the whole pipeline as
 * an unseen patient. The folds file ({@code train_beat_classifier.py --fold-models} writes one per
 * seed) names each fold's records and its model directory, relative to the file:
 * <pre>{"folds": [{"records": ["208"], "model_dir": "fold1", "model_sha256": "5a9a..."}, ...]}</pre>
 * A held-out figure is only as good as that pairing, so each fold's model must say, in its card's
 * {@code training} section, that it held out the fold's records and was not trained on any of them,
 * and must be the file the folds file names, when it names one.
 */
public final class HeldOutModels implements RecordClassifiers, AutoCloseable {
    /** @param sha256 the model file the folds file names for the fold; null when it names none */
    private record Fold(int number, List<String> records, Path modelDir, String sha256) {
    }

    private final Path file;
    private final List<String> scored;
    /** Folds in the file; {@link #registries} holds the models of those that score a record. */
    private final int inFile;
    private final List<ModelRegistry> registries = new ArrayList<>();
    private final Map<String, RecordBeatClassifier> byRecord = new LinkedHashMap<>();

    private HeldOutModels(Path file, List<Fold> folds, int inFile, List<String> scored) {
        this.file = file;
        this.scored = scored;
        this.inFile = inFile;
        Map<String, Integer> foldOfModel = new LinkedHashMap<>();
        try {
            for (Fold fold : folds) {
                String where = where(file) + ": fold " + fold.number();
                ModelRegistry registry = load(fold, where);
                registries.add(registry);
                ModelCard card = registry.card();
                checkHeldOut(card, fold, where);
                Integer same = foldOfModel.putIfAbsent(card.sha256(), fold.number());
                if (same != null) {
                    throw new IllegalArgumentException(where + ": its model " + card.sha256() + " is fold " + same
                            + "'s too; each fold needs the model trained without its own records");
                }
                RecordBeatClassifier classifier = new RecordBeatClassifier(registry);
                fold.records().forEach(r -> byRecord.put(r, classifier));
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /**
     * Reads the folds file, checks that it holds every record of {@code records}, and loads and
     * checks the model of each fold that holds one of them as {@code monitor eval} loads one. The
     * file's folds, records and directories are checked whole; a fold's model only when it scores
     * a record.
     *
     * @param records the records to score; empty for every record of the file
     */
    public static HeldOutModels open(Path foldsFile, List<String> records) {
        List<Fold> folds = read(foldsFile);
        List<String> all = folds.stream().flatMap(f -> f.records().stream()).toList();
        for (String record : records) {
            if (!all.contains(record)) {
                throw new IllegalArgumentException("record " + record + " is in no fold of " + where(foldsFile)
                        + ", so no model there held it out");
            }
        }
        if (records.isEmpty()) {
            return new HeldOutModels(foldsFile, folds, folds.size(), all);
        }
        List<Fold> scoring = folds.stream().filter(f -> f.records().stream().anyMatch(records::contains)).toList();
        return new HeldOutModels(foldsFile, scoring, folds.size(), List.copyOf(records));
    }

    private static String where(Path foldsFile) {
        return "held-out folds file " + foldsFile;
    }

    private static final Set<String> FOLD_KEYS = Set.of("records", "model_dir", "model_sha256");

    private static void refuseUnknownKeys(JsonObject json, Set<String> known, String where) {
        for (String key : json.fieldNames()) {
            if (!known.contains(key)) {
                throw new IllegalArgumentException(where + ": unknown key \"" + key + "\"; known: " + new TreeSet<>(known));
            }
        }
    }

    /** The folds of a folds file, checked: every fold has records and a model directory of its own, no record is in two. */
    private static List<Fold> read(Path foldsFile) {
        String where = where(foldsFile);
        JsonObject json;
        try {
            json = StrictJson.object(Files.readString(foldsFile));
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(where + " does not exist", e);
        } catch (IOException e) {
            throw new IllegalArgumentException(where + " cannot be read: " + e, e);
        } catch (DecodeException e) {
            throw new IllegalArgumentException(where + " is not a JSON object: " + e.getMessage(), e);
        }
        refuseUnknownKeys(json, Set.of("folds"), where);
        if (!(json.getValue("folds") instanceof JsonArray array) || array.isEmpty()) {
            throw new IllegalArgumentException(where + ": needs \"folds\", a non-empty list of "
                    + "{\"records\": [...], \"model_dir\": \"...\"}");
        }
        Path base = foldsFile.toAbsolutePath().getParent();
        Map<String, Integer> foldOfRecord = new LinkedHashMap<>();
        Map<Path, Integer> foldOfDir = new LinkedHashMap<>();
        Map<String, Integer> foldOfSha = new LinkedHashMap<>();
        List<Fold> folds = new ArrayList<>();
        for (int k = 1; k <= array.size(); k++) {
            String fold = where + ": fold " + k;
            if (!(array.getValue(k - 1) instanceof JsonObject entry)
                    || !(entry.getValue("records") instanceof JsonArray records) || records.isEmpty()
                    || !(entry.getValue("model_dir") instanceof String dir) || dir.isBlank()) {
                throw new IllegalArgumentException(fold + " needs \"records\", a non-empty list of record names, "
                        + "and \"model_dir\", a directory");
            }
            // A misspelt model_sha256 would otherwise switch the check of the model file off.
            refuseUnknownKeys(entry, FOLD_KEYS, fold);
            List<String> names = recordNames(records, k, foldOfRecord, where);
            Path modelDir = base.resolve(dir).normalize();
            if (!Files.isDirectory(modelDir)) {
                throw new IllegalArgumentException(fold + ": model_dir " + modelDir + " is not a directory");
            }
            Integer shared = foldOfDir.putIfAbsent(modelDir, k);
            if (shared != null) {
                throw new IllegalArgumentException(fold + ": model_dir " + modelDir + " is fold " + shared
                        + "'s too; each fold needs the model trained without its own records");
            }
            Object sha = entry.getValue("model_sha256");
            if (sha != null && !(sha instanceof String text && text.matches("[0-9a-f]{64}"))) {
                throw new IllegalArgumentException(fold + ": model_sha256 must be 64 lower-case hex digits, got "
                        + sha);
            }
            Integer same = sha == null ? null : foldOfSha.putIfAbsent((String) sha, k);
            if (same != null) {
                throw new IllegalArgumentException(fold + ": model_sha256 " + sha + " is fold " + same
                        + "'s too; each fold needs the model trained without its own records");
            }
            folds.add(new Fold(k, List.copyOf(names), modelDir, (String) sha));
        }
        return List.copyOf(folds);
    }

    /** A fold's record names, each in no fold before it ({@code foldOfRecord}, which learns them). */
    private static List<String> recordNames(JsonArray records, int k, Map<String, Integer> foldOfRecord,
            String where) {
        String fold = where + ": fold " + k;
        List<String> names = new ArrayList<>();
        for (Object record : records) {
            if (!(record instanceof String name) || name.isBlank()) {
                throw new IllegalArgumentException(fold + ": record names must be non-empty strings, got "
                        + (record instanceof String ? "\"" + record + "\"" : record));
            }
            Integer other = foldOfRecord.putIfAbsent(name, k);
            if (other != null) {
                throw new IllegalArgumentException(other == k ? fold + " lists record " + name + " twice"
                        : where + ": record " + name + " is in folds " + other + " and " + k
                                + "; each record is held out by one fold");
            }
            names.add(name);
        }
        return names;
    }

    private static ModelRegistry load(Fold fold, String where) {
        try {
            return RecordBeatClassifier.registry(fold.modelDir());
        } catch (ModelException | IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
        }
    }

    /** The card must say the model held out every record of the fold and learnt from none of them. */
    private static void checkHeldOut(ModelCard card, Fold fold, String where) {
        String model = "the card of " + card.id() + " in " + fold.modelDir();
        List<String> heldOut = names(card, "held_out_records", where + ": " + model);
        List<String> learnt = names(card, "records", where + ": " + model);
        for (String record : fold.records()) {
            if (!heldOut.contains(record) || learnt.contains(record)) {
                throw new IllegalArgumentException(where + ": " + model + " does not say it held out record "
                        + record + " (training.held_out_records " + heldOut + ", training.records " + learnt
                        + "); it is not that fold's model");
            }
        }
        if (fold.sha256() != null && !fold.sha256().equals(card.sha256())) {
            throw new IllegalArgumentException(where + ": " + model + " is " + card.sha256() + ", not the model "
                    + fold.sha256() + " the folds file names (a newer model in that directory?)");
        }
    }

    /** A list of record names in the card's {@code training} section. */
    private static List<String> names(ModelCard card, String field, String where) {
        if (card.json().getValue("training") instanceof JsonObject training
                && training.getValue(field) instanceof JsonArray array
                && array.stream().allMatch(name -> name instanceof String)) {
            return array.stream().map(String.class::cast).toList();
        }
        throw new IllegalArgumentException(where + " has no training." + field + " (a list of record names): "
                + "a cross-validation fold's card says what its model learnt from and held out "
                + "(train_beat_classifier.py --fold-models writes both)");
    }

    /** The records to score: those asked for, or every record of the folds. */
    public List<String> records() {
        return scored;
    }

    @Override
    public RecordBeatClassifier forRecord(String record) {
        RecordBeatClassifier classifier = byRecord.get(record);
        if (classifier == null) {
            throw new IllegalArgumentException("record " + record + " is in no fold of " + where(file));
        }
        return classifier;
    }

    @Override
    public String describe() {
        int loaded = registries.size();
        return "held out: each record scored by the model of the fold that left it out ("
                + (loaded == inFile ? "" : loaded + " of ") + inFile + " fold" + (inFile == 1 ? "" : "s") + ", "
                + file + ")";
    }

    @Override
    public void close() {
        registries.forEach(ModelRegistry::close);
    }
}
