package org.arrhythmiamonitor.inference;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the newest version of a model in a {@link ModelSource}, checks the file against its card
 * (sha256) and the card against what the stream produces and reads ({@link ModelContract}), and opens an ONNX
 * Runtime session for it. Any mismatch is refused with a {@link ModelException} that says what.
 */
public final class ModelLoader {
    private static final Logger LOG = LoggerFactory.getLogger(ModelLoader.class);
    private static final AtomicBoolean CUDA_WARNED = new AtomicBoolean();
    /** Models (and causes) whose CUDA session failed, warned of once: a reload tries them again. */
    private static final Set<String> CUDA_SESSION_WARNED = ConcurrentHashMap.newKeySet();
    /**
     * How far a loaded model's probabilities may be from its card's parity fixture. The parity test
     * holds this build's CPU runtime to 1e-4; other processors and the CUDA provider round
     * otherwise in the last bits, and what this catches is a different model or input layout.
     */
    static final double PARITY_TOLERANCE = 1e-3;

    private ModelLoader() {
    }

    /** The newest card of {@code name} in {@code source}; any card that cannot be read is refused. */
    public static ModelCard newestCard(ModelSource source, String name) {
        Cards cards = cards(source, name);
        cards.unreadable().values().stream().findFirst().ifPresent(why -> {
            throw new ModelException(why);
        });
        return cards.newest();
    }

    /**
     * Every card in {@code source}: those of {@code name}, and by file name why the others that
     * cannot be read were left out (a card of another name is not a problem).
     */
    static Cards cards(ModelSource source, String name) {
        Map<String, List<String>> filesByVersion = new TreeMap<>();
        Map<String, ModelCard> byFile = new TreeMap<>();
        Map<String, String> unreadable = new TreeMap<>();
        for (String file : source.cards()) {
            try {
                ModelCard card = ModelCard.parse(new String(source.read(file), StandardCharsets.UTF_8),
                        source.describe() + "/" + file);
                if (card.name().equals(name)) {
                    byFile.put(file, card);
                    filesByVersion.computeIfAbsent(card.version(), v -> new ArrayList<>()).add(file);
                }
            } catch (ModelException e) {
                unreadable.put(file, e.getMessage());
            }
        }
        // Two cards of one version would leave the choice to the order of file names: neither is
        // taken, and both are named, as a card that cannot be read is.
        filesByVersion.forEach((version, files) -> {
            if (files.size() > 1) {
                for (String file : files) {
                    byFile.remove(file);
                    unreadable.put(file, source.describe() + ": " + String.join(" and ", files) + " are both cards of "
                            + name + " " + version + "; keep one");
                }
            }
        });
        return new Cards(name, source, List.copyOf(byFile.values()), unreadable);
    }

    /**
     * The cards of one model in a source, and the card files that could not be read.
     *
     * @param unreadable by file name, why it was left out
     */
    record Cards(String name, ModelSource source, List<ModelCard> cards, Map<String, String> unreadable) {
        /** The highest version; none is a {@link ModelException} that also names the unreadable files. */
        ModelCard newest() {
            return cards.stream().max(Comparator.comparing(ModelCard::parsedVersion)).orElseThrow(this::none);
        }

        /** Every card, the highest version first. */
        List<ModelCard> newestFirst() {
            return cards.stream().sorted(Comparator.comparing(ModelCard::parsedVersion).reversed()).toList();
        }

        /** There is no card of the model: which, where, and the files left out. */
        ModelException none() {
            return new ModelException("no model card for " + name + " in " + source.describe()
                    + (unreadable.isEmpty() ? "" : "; left out: " + String.join("; ", unreadable.values())));
        }
    }

    public static BeatClassifierModel load(ModelSource source, String name, ModelContract expected,
            InferenceSettings settings) {
        return load(source, newestCard(source, name), expected, settings);
    }

    /**
     * The newest model that can serve, and what is wrong with the card files and newer versions it
     * passed over.
     *
     * @param problems by what each is about ({@link #problemKey}), the message
     */
    record Usable(BeatClassifierModel model, Map<String, String> problems) {
    }

    /**
     * Loads the newest version of {@code name} that passes every check, passing over card files
     * that cannot be read and newer versions that are refused. A running processor keeps serving
     * through both ({@link ModelRegistry}); a restart that refused them would leave it serving
     * nothing, every clinical alarm that needs beat classes with it. Throws only when no version
     * can serve: the newest's reason first, then the others'.
     */
    static Usable loadNewestUsable(ModelSource source, String name, ModelContract expected,
            InferenceSettings settings) {
        Cards cards = cards(source, name);
        Map<String, String> problems = new LinkedHashMap<>();
        cards.unreadable().forEach((file, why) -> problems.put(unreadableKey(file, why), why));
        List<ModelCard> newestFirst = cards.newestFirst();
        if (newestFirst.isEmpty()) {
            throw cards.none();
        }
        ModelException newestRefusal = null;
        for (ModelCard card : newestFirst) {
            try {
                return new Usable(load(source, card, expected, settings), problems);
            } catch (ModelException e) {
                newestRefusal = newestRefusal == null ? e : newestRefusal;
                problems.put(problemKey(card, e), e.getMessage());
            }
        }
        ModelException refusal = newestRefusal;
        List<String> others = problems.values().stream().filter(m -> !m.equals(refusal.getMessage())).toList();
        if (others.isEmpty()) {
            throw refusal;
        }
        throw new ModelException(refusal.getMessage() + "; and nothing else in " + source.describe()
                + " can serve: " + String.join("; ", others), refusal);
    }

    /** What a card file that cannot be read is about, so that its problem is reported once. */
    static String unreadableKey(String file, String why) {
        return "unreadable " + file + ": " + why;
    }

    /**
     * What a refused version is about: a digest that changes while its file is still being copied
     * is one problem, reported once; any other refusal is its own.
     */
    static String problemKey(ModelCard card, RuntimeException refusal) {
        return refusal instanceof ModelException.DigestMismatch ? "digest " + card.id() + " " + card.sha256()
                : "load " + card.id() + " " + card.sha256() + ": " + refusal.getMessage();
    }

    public static BeatClassifierModel load(ModelSource source, ModelCard card, ModelContract expected,
            InferenceSettings settings) {
        String difference = expected.differenceFrom(card);
        if (difference != null) {
            throw new ModelException(card.id() + " in " + source.describe() + " does not fit this processor: it expects "
                    + difference);
        }
        byte[] model = source.read(card.file());
        String digest = sha256(model);
        if (!digest.equals(card.sha256())) {
            throw new ModelException.DigestMismatch(card.id() + ": " + card.file() + " in " + source.describe() + " has sha256 "
                    + digest + " but its card says " + card.sha256() + "; refusing a model that is not the one described");
        }
        try {
            OrtEnvironment env = OrtEnvironment.getEnvironment();
            ExecutionDevice device = ExecutionDevice.CPU;
            OrtSession session;
            // The session keeps what it needs of its options; they are native memory to free.
            try (OrtSession.SessionOptions options = options(settings)) {
                boolean cuda = settings.device() == ExecutionDevice.CUDA && addCuda(options);
                try {
                    session = env.createSession(model, options);
                    device = cuda ? ExecutionDevice.CUDA : ExecutionDevice.CPU;
                } catch (OrtException e) {
                    if (!cuda) {
                        throw e;
                    }
                    // The provider is there but the device may not be usable (no driver, no memory):
                    // the CPU serves, as where the provider is missing. A model the CPU cannot open
                    // either fails for its own reason, which is the one to report.
                    try (OrtSession.SessionOptions cpu = options(settings)) {
                        session = env.createSession(model, cpu);
                    }
                    if (CUDA_SESSION_WARNED.add(card.id() + " " + e.getMessage())) {
                        LOG.warn("inference.device=cuda but the CUDA execution provider could not open a session for "
                                + "{} ({}); running inference on the CPU", card.id(), e.getMessage());
                    }
                }
            }
            BeatClassifierModel loaded;
            try {
                loaded = new BeatClassifierModel(card, session, device);
                tryOut(loaded);
            } catch (RuntimeException e) {
                // Refused for its inputs or outputs, or for what it gave on trial: the session is
                // native memory, and a refused file in a model directory is tried again at every
                // reload check.
                session.close();
                throw e;
            }
            LOG.info("Loaded {} ({} bytes, sha256 {}) from {} on {}", card.id(), model.length, digest.substring(0, 12),
                    source.describe(), device);
            warnOfConcern(expected, card);
            return loaded;
        } catch (OrtException e) {
            throw new ModelException(card.id() + ": ONNX Runtime cannot load " + card.file() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Runs the model once before it serves, on its card's parity fixture: a model that loads but
     * cannot classify, or classifies otherwise than its exporter did, is refused here, where the
     * one it would replace keeps serving, instead of failing on the stream's first batch, where the
     * batch's beats would be lost.
     */
    private static void tryOut(BeatClassifierModel model) {
        ModelCard card = model.card();
        ParityFixture fixture = ParityFixture.of(card);
        float[][] got;
        int count = fixture.count();
        try {
            got = model.classify(fixture.beats(), fixture.rr(), count);
        } catch (RuntimeException e) {
            throw new ModelException(card.id() + ": its trial inference failed: " + e.getMessage(), e);
        }
        if (got.length != count) {
            throw new ModelException(card.id() + ": its trial inference gave " + got.length + " rows of probabilities for "
                    + count + " beats");
        }
        for (float[] row : got) {
            if (row.length != card.classes().size()) {
                throw new ModelException(card.id() + ": its trial inference gave " + row.length
                        + " probabilities a beat for " + card.classes().size() + " classes");
            }
            for (float p : row) {
                if (!Float.isFinite(p)) {
                    throw new ModelException(card.id() + ": its trial inference gave " + p + " for a probability");
                }
            }
        }
        double off = fixture.largestDifference(got);
        if (off > PARITY_TOLERANCE) {
            throw new ModelException(String.format(Locale.ROOT, "%s: on its card's parity_fixture it gives probabilities "
                    + "up to %.6f away from the card's (at most %s): not the model the card describes, or a runtime "
                    + "that computes it otherwise", card.id(), off, PARITY_TOLERANCE));
        }
    }

    /**
     * Logs what the contract's concern says of the card. A concern is a warning, so one that fails
     * (a card field it cannot read) is itself only a warning: it must not keep a model from loading.
     */
    private static void warnOfConcern(ModelContract expected, ModelCard card) {
        String concern;
        try {
            concern = expected.concern().apply(card);
        } catch (RuntimeException e) {
            concern = card.id() + ": cannot check its card beyond the input spec (" + e + ")";
        }
        if (concern != null) {
            LOG.warn("{}", concern);
        }
    }

    private static OrtSession.SessionOptions options(InferenceSettings settings) throws OrtException {
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        try {
            options.setIntraOpNumThreads(settings.intraOpThreads());
            options.setInterOpNumThreads(1);
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            return options;
        } catch (OrtException | RuntimeException e) {
            options.close();
            throw e;
        }
    }

    /** Adds the CUDA execution provider; where it is missing, warns once and leaves the session on the CPU. */
    private static boolean addCuda(OrtSession.SessionOptions options) {
        String why;
        if (!OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA)) {
            why = "this ONNX Runtime build has no CUDA execution provider (build with -Pgpu for onnxruntime_gpu)";
        } else {
            try {
                options.addCUDA(0);
                return true;
            } catch (OrtException | RuntimeException | UnsatisfiedLinkError e) {
                why = "the CUDA execution provider did not start (" + e.getMessage() + ")";
            }
        }
        if (CUDA_WARNED.compareAndSet(false, true)) {
            LOG.warn("inference.device=cuda but {}; running inference on the CPU", why);
        }
        return false;
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }
}
