package org.arrhythmiamonitor.qrs;

import com.google.protobuf.Message;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.LongUnaryOperator;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.arrhythmiamonitor.episode.Episodes;
import org.arrhythmiamonitor.signal.MainsFrequency;
import org.arrhythmiamonitor.state.v1.ChunkStart;
import org.arrhythmiamonitor.state.v1.EcgAnalyzerState;
import org.arrhythmiamonitor.state.v1.SampleStreamState;
import org.arrhythmiamonitor.state.v1.SignalProgress;
import org.arrhythmiamonitor.beat.BeatWindow;
import org.arrhythmiamonitor.wire.v1.Beat;
import org.arrhythmiamonitor.wire.v1.BeatMorphology;
import org.arrhythmiamonitor.wire.v1.Episode;
import org.arrhythmiamonitor.wire.v1.Evidence;
import org.arrhythmiamonitor.wire.v1.Lead;
import org.arrhythmiamonitor.wire.v1.Priority;
import org.arrhythmiamonitor.wire.v1.SampleChunk;
import org.arrhythmiamonitor.wire.v1.SignalIssue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs each device's signal path ({@link EcgAnalyzer}: resampling, band-pass and notch, signal
 * quality, QRS detection) over its sample chunks. Forwards every beat ({@link Beat}, with the
 * device time of its R peak as record timestamp) and every start and end of unreadable signal as a
 * technical {@link Episode}, a {@code DATA_GAP} episode where samples are missing, and after
 * each chunk a {@link SignalProgress} for the time-driven episode rules. The analyzer's state
 * lives in a store with a changelog, so a device's detection resumes where it stopped on whichever
 * instance takes over.
 *
 * <p>A chunk whose {@code seq} is not above the last one processed is a retry (the device resent
 * it after a timeout, or the gateway wrote it twice) and is skipped: feeding the same samples
 * twice would corrupt the detector and shift every later sample index, and with it the ids of
 * later alerts.
 *
 * <p>Samples are missing where {@code seq} jumps, and also where it does not but the chunk starts
 * more than {@value #MAX_CHUNK_JITTER_MS} ms after the last one ended (a device that was off, or
 * not recording, and resumed its count). The detector runs on across the gap, since its sample
 * count has no hole, so the gap is made explicit: the signal progress of the chunk is unreadable
 * (no asystole or pause can span it), and after a gap longer than {@value #BRIDGED_GAP_MS} ms the
 * first beat is flagged {@code DATA_GAP} with an unknown interval (no run, rate or rhythm spans
 * it).
 */
public final class BeatDetectionProcessor implements Processor<String, SampleChunk, String, Message> {
    public static final String STORE = "sample-stream-state";
    /** ECG strip kept as evidence before a technical event's onset. */
    private static final long EVIDENCE_BEFORE_MS = 5_000;
    /** A chunk may start this much after the last one ended (device clock jitter) without a gap. */
    static final long MAX_CHUNK_JITTER_MS = 1_000;
    /**
     * Runs, rates and rhythm carry on across a gap up to this long (a lost chunk in a tachycardia
     * is still the same tachycardia); after a longer one they start afresh.
     */
    static final long BRIDGED_GAP_MS = 10_000;
    /**
     * Chunk starts kept to date what is decided late (beats about half a second after their R
     * peak, technical events up to a few seconds after they began): those of the last 10 s of
     * samples, at most {@value #MAX_KEPT_CHUNKS}.
     */
    private static final double KEPT_CHUNKS_S = 10;
    private static final int MAX_KEPT_CHUNKS = 64;
    private static final Logger LOG = LoggerFactory.getLogger(BeatDetectionProcessor.class);

    private final MainsFrequency mains;
    private ProcessorContext<String, Message> context;
    private KeyValueStore<String, SampleStreamState> store;

    /**
     * The gateway's floor ({@code ChunkLimits.MIN_GAIN_PER_MV}), checked again for chunks other
     * producers write: far below it samples overflow to infinity, and one such chunk would leave
     * the device's filters NaN for good.
     */
    static final double MIN_GAIN_PER_MV = 1;

    public BeatDetectionProcessor(MainsFrequency mains) {
        this.mains = mains;
    }

    @Override
    public void init(ProcessorContext<String, Message> context) {
        this.context = context;
        this.store = context.getStateStore(STORE);
    }

    /** Unset (0, read as 1000) or a finite gain of at least {@link #MIN_GAIN_PER_MV}. */
    private static boolean usableGain(Lead lead) {
        double gain = lead.getGainPerMv();
        return gain == 0 || gain >= MIN_GAIN_PER_MV && Double.isFinite(gain);
    }

    @Override
    public void process(Record<String, SampleChunk> record) {
        SampleChunk chunk = record.value();
        String deviceId = record.key();
        double fs = chunk == null ? 0 : chunk.getFsHz();
        if (deviceId == null || chunk == null || chunk.getLeadsCount() == 0 || fs != Math.rint(fs)
                || fs < EcgAnalyzer.MIN_RATE_HZ || fs > EcgAnalyzer.MAX_RATE_HZ || !usableGain(chunk.getLeads(0))) {
            LOG.warn("Skipping a sample chunk without device id, leads, a whole sampling rate of {}-{} Hz or a gain "
                    + "of at least {} per mV (device {}, seq {}, fs {}, gain {})", EcgAnalyzer.MIN_RATE_HZ,
                    EcgAnalyzer.MAX_RATE_HZ, MIN_GAIN_PER_MV, deviceId, chunk == null ? "?" : chunk.getSeq(), fs,
                    chunk == null || chunk.getLeadsCount() == 0 ? "?" : chunk.getLeads(0).getGainPerMv());
            return;
        }
        SampleStreamState saved = store.get(deviceId);
        SampleStreamState.Builder state = saved == null ? SampleStreamState.newBuilder() : saved.toBuilder();
        boolean restarted = false;
        if (state.getHasSeq() && chunk.getSeq() <= state.getLastSeq()) {
            if (state.getLastChunkEndMs() == 0 || chunk.getT0EpochMs() < state.getLastChunkEndMs()) {
                long skipped = state.getDuplicateChunks() + 1;
                // The gateway answers retries itself, so few reach here; many mean a device whose
                // counter and clock both went back, and that should not go unnoticed. Powers of two
                // keep the log short.
                if (Long.bitCount(skipped) == 1) {
                    LOG.warn("Device {}: chunk {} at or below the last processed seq {} and not newer than it; "
                            + "skipped as a retry ({} so far)", deviceId, chunk.getSeq(), state.getLastSeq(), skipped);
                }
                store.put(deviceId, state.setDuplicateChunks(skipped).build());
                return;
            }
            // A retry repeats its chunk's start time, which lies before the end of the last chunk
            // processed (unknown in stores written before it was kept: all are retries). A chunk
            // that starts after it is new signal from a device that reset its counter (against
            // the contract, but a reboot may do it): dropping it would leave the device silent
            // until its seq caught up with the old one.
            LOG.warn("Device {}: seq restarted at {} after {} with newer samples (t0 {} after the last chunk's end "
                    + "{}); processing it and continuing from the new seq", deviceId, chunk.getSeq(),
                    state.getLastSeq(), chunk.getT0EpochMs(), state.getLastChunkEndMs());
            restarted = true;
        }
        EcgAnalyzer analyzer = analyzerFor(deviceId, saved, (int) fs);
        // A device already analysed whose detector starts over (a new sampling rate, state it cannot
        // resume): the new detector is blind while it learns, and the old one's last beats, still
        // waiting for their look-ahead, went with it.
        boolean relearning = saved != null && saved.hasAnalyzer() && analyzer.inputCount() == 0;
        if (analyzer.inputCount() == 0) {
            // A restarted detector counts samples from 0 again: a marker from the old count is void,
            // and so are the events it had open. What goes out is numbered from the chunk's device
            // time instead (see sample_base), so a detector that lost its state does not hand out
            // the onset samples, and with them the alert ids, of episodes it reported before.
            state.setBeatAfterGapPending(false).clearOpenEventOnsetMs().clearOpenEventArrivalOffsetMs()
                    .clearRecentChunks()
                    .setSampleBase(Math.max(sampleBase(chunk.getT0EpochMs(), fs), state.getNextSample()));
        }
        long base = state.getSampleBase();
        // Topics keep arrival time (LogAppendTime), so this record's timestamp is when the chunk
        // reached Kafka: how far that lies from its device time finds its samples for a strip.
        long arrivalOffsetMs = record.timestamp() - chunk.getT0EpochMs();
        String missing = missingBefore(state, chunk, restarted);
        boolean gap = missing != null;
        long chunkStart = analyzer.inputCount();
        if (gap) {
            LOG.info("Device {}: {}; continuing after the gap", deviceId, missing);
            state.setSeqGaps(state.getSeqGaps() + 1);
            if (state.getLastChunkEndMs() > 0 && chunk.getT0EpochMs() - state.getLastChunkEndMs() > BRIDGED_GAP_MS) {
                state.setBeatAfterGapPending(true).setFirstSampleAfterGap(chunkStart);
            }
            context.forward(new Record<>(deviceId, dataGap(deviceId, state, chunk, base + chunkStart, missing,
                    arrivalOffsetMs),
                    chunk.getT0EpochMs(), record.headers()));
        }
        long lastChunkEndMs = state.getLastChunkEndMs();
        Lead lead = chunk.getLeads(0);
        double gain = lead.getGainPerMv() != 0 ? lead.getGainPerMv() : 1000.0;
        double[] mv = new double[lead.getSamplesCount()];
        for (int i = 0; i < mv.length; i++) {
            mv[i] = lead.getSamples(i) / gain;
        }
        double msPerSample = 1000.0 / fs;
        // Device time of a sample. A beat or event decided in this chunk may lie in an earlier one:
        // it is dated in the chunk it lies in, not back from this one's start, since a gap may lie
        // between them.
        List<ChunkStart> earlier = List.copyOf(state.getRecentChunksList());
        LongUnaryOperator timeOf = sampleIndex -> sampleIndex >= chunkStart
                ? chunk.getT0EpochMs() + Math.round((sampleIndex - chunkStart) * msPerSample)
                : timeInEarlierChunk(earlier, sampleIndex, chunkStart, lastChunkEndMs, msPerSample);
        SignalProgress.Builder progress = SignalProgress.newBuilder().setUnreadable(gap || relearning);
        if (gap) {
            // The missing stretch: from the last chunk's end (from the start of time when unknown).
            progress.addUnreadableSpans(SignalMarks.span(base + chunkStart, Math.max(0, lastChunkEndMs), base + chunkStart,
                    chunk.getT0EpochMs()));
        }
        if (relearning) {
            // No beat can be found there, so no silence there is the patient's: without this a
            // regular rhythm raised a pause, or an asystole, at a change of sampling rate. (The new
            // detector's first beat has no interval of its own.)
            long learnedMs = Math.round(EcgAnalyzer.LEARNING_S * 1000);
            progress.addUnreadableSpans(SignalMarks.span(base + chunkStart, chunk.getT0EpochMs(),
                    base + chunkStart + Math.round(EcgAnalyzer.LEARNING_S * fs), chunk.getT0EpochMs() + learnedMs));
        }
        analyzer.accept(mv, new EcgAnalyzer.Output() {
            @Override
            public void beat(EcgAnalyzer.DetectedBeat detected) {
                long timeMs = timeOf.applyAsLong(detected.sampleIndex());
                long sample = base + detected.sampleIndex();
                if (!progress.getHasBeat()) {
                    progress.setHasBeat(true).setFirstBeatSample(sample).setFirstBeatTimeMs(timeMs);
                }
                progress.setLastBeatSample(sample).setLastBeatTimeMs(timeMs)
                        .addBeats(SignalMarks.mark(sample, timeMs));
                Beat.Builder beat = Beat.newBuilder()
                        .setDeviceId(deviceId)
                        .setSampleIndex(sample)
                        .setTimeMs(timeMs)
                        .setRrMs(detected.rrSamples() * msPerSample)
                        .setAmplitudeMv(detected.amplitudeMv())
                        .addAllSignalIssues(detected.issues())
                        .setMorphology(morphology(detected.window()))
                        .setChunkArrivalOffsetMs(arrivalOffsetMs);
                if (state.getBeatAfterGapPending() && detected.sampleIndex() >= state.getFirstSampleAfterGap()) {
                    // Its interval runs across the missing samples, which the detector never saw.
                    beat.addSignalIssues(SignalIssue.DATA_GAP).setRrMs(0);
                    state.setBeatAfterGapPending(false);
                }
                context.forward(new Record<>(deviceId, beat.build(), timeMs, record.headers()));
            }

            @Override
            public void technicalEvent(EcgAnalyzer.TechnicalEvent event) {
                progress.setUnreadable(true);
                // Dated once, when it began: counted back from a later chunk across a data gap, the
                // same sample would get another time, and the end another onset than the start.
                String issue = event.issue().name();
                long onsetSample = base + event.startSample();
                long onsetMs = timeOf.applyAsLong(event.startSample());
                long eventArrivalOffsetMs = arrivalOffsetMs;
                if (event.ongoing()) {
                    state.putOpenEventOnsetMs(issue, onsetMs).putOpenEventArrivalOffsetMs(issue, arrivalOffsetMs);
                } else {
                    onsetMs = state.getOpenEventOnsetMsOrDefault(issue, onsetMs);
                    eventArrivalOffsetMs = state.getOpenEventArrivalOffsetMsOrDefault(issue, arrivalOffsetMs);
                    state.removeOpenEventOnsetMs(issue).removeOpenEventArrivalOffsetMs(issue);
                }
                Episode.Builder episode = Episode.newBuilder()
                        .setEpisodeId(Episodes.id(deviceId, issue, onsetSample))
                        .setDeviceId(deviceId)
                        .setType(event.issue().name())
                        .setTechnical(true)
                        .setPriority(Priority.TECHNICAL)
                        .setOnsetSample(onsetSample)
                        .setOnsetTimeMs(onsetMs);
                long evidenceEnd = onsetMs;
                if (!event.ongoing()) {
                    evidenceEnd = timeOf.applyAsLong(event.endSample());
                    episode.setEndSample(base + event.endSample()).setEndTimeMs(evidenceEnd);
                    progress.addUnreadableSpans(SignalMarks.span(onsetSample, onsetMs, base + event.endSample(), evidenceEnd));
                }
                episode.setEvidence(Evidence.newBuilder().setStartTimeMs(onsetMs - EVIDENCE_BEFORE_MS)
                        .setEndTimeMs(Math.max(evidenceEnd, onsetMs + EVIDENCE_BEFORE_MS))
                        .setChunkArrivalOffsetMs(eventArrivalOffsetMs));
                LOG.info("Device {}: {} {} at sample {}", deviceId, event.issue(), event.ongoing() ? "began" : "ended",
                        base + (event.ongoing() ? event.startSample() : event.endSample()));
                context.forward(new Record<>(deviceId, episode.build(), event.ongoing() ? onsetMs : evidenceEnd,
                        record.headers()));
            }
        });
        long endMs = chunk.getT0EpochMs() + Math.round(mv.length * msPerSample);
        progress.setChunkArrivalOffsetMs(arrivalOffsetMs).setTimeMs(endMs)
                .setSampleCount(base + analyzer.inputCount())
                .setDecidedTimeMs(endMs - Math.round(EcgAnalyzer.BEAT_DECISION_S * 1000))
                .setUnreadable(progress.getUnreadable() || analyzer.unreadableNow());
        // Trouble still in force runs to the chunk's end; the next chunk's progress takes it on.
        for (EcgAnalyzer.TechnicalEvent open : analyzer.openEvents()) {
            progress.addUnreadableSpans(SignalMarks.span(base + open.startSample(), state.getOpenEventOnsetMsOrDefault(
                    open.issue().name(), timeOf.applyAsLong(open.startSample())),
                    base + analyzer.inputCount(), endMs));
        }
        context.forward(new Record<>(deviceId, progress.build(), endMs, record.headers()));
        keepChunkStart(state, ChunkStart.newBuilder().setSample(chunkStart).setT0Ms(chunk.getT0EpochMs()).build(),
                analyzer.inputCount() - Math.round(KEPT_CHUNKS_S * fs));
        store.put(deviceId, state.setAnalyzer(analyzer.snapshot()).setLastSeq(chunk.getSeq()).setHasSeq(true)
                .setLastChunkEndMs(endMs).setNextSample(base + analyzer.inputCount()).build());
    }

    /**
     * Device time of a sample before this chunk: from the start of the chunk it lies in, or, older
     * than the chunks kept, back from the oldest kept (back from the last chunk's end in states
     * saved before the chunks were kept).
     */
    static long timeInEarlierChunk(List<ChunkStart> earlier, long sampleIndex, long chunkStart, long lastChunkEndMs,
            double msPerSample) {
        for (int k = earlier.size() - 1; k >= 0; k--) {
            if (earlier.get(k).getSample() <= sampleIndex || k == 0) {
                ChunkStart start = earlier.get(k);
                return start.getT0Ms() + Math.round((sampleIndex - start.getSample()) * msPerSample);
            }
        }
        return lastChunkEndMs - Math.round((chunkStart - sampleIndex) * msPerSample);
    }

    /**
     * Adds the chunk's start, and lets go of the oldest starts once the one after them lies at or
     * before {@code keepFrom} (that one still dates the samples from there on), and past
     * {@value #MAX_KEPT_CHUNKS} starts.
     */
    private static void keepChunkStart(SampleStreamState.Builder state, ChunkStart start, long keepFrom) {
        List<ChunkStart> kept = new ArrayList<>(state.getRecentChunksList());
        kept.add(start);
        int from = 0;
        while (kept.size() - from > MAX_KEPT_CHUNKS
                || from + 1 < kept.size() && kept.get(from + 1).getSample() <= keepFrom) {
            from++;
        }
        state.clearRecentChunks().addAllRecentChunks(kept.subList(from, kept.size()));
    }

    /**
     * The number of a detector's first sample: the chunk's device time on the device's sample
     * clock. A count restarted while the device's state is kept (a new sampling rate) starts past
     * the old one's last number ({@code next_sample}); one restarted after the state was lost
     * starts past it too as long as the old count ran no faster than device time (it has no holes
     * for gaps; a sample clock running fast against the chunks' timestamps, or a device clock set
     * back, can break that, and the alerting ledger then tells episodes apart by onset time).
     */
    static long sampleBase(long t0EpochMs, double fsHz) {
        return Math.round(t0EpochMs * (fsHz / 1000.0));
    }

    /**
     * What is missing between the last chunk and this one, said for the DATA_GAP episode; null
     * when nothing is.
     */
    private static String missingBefore(SampleStreamState.Builder state, SampleChunk chunk, boolean restarted) {
        if (restarted) {
            return "seq restarted at " + chunk.getSeq() + " after " + state.getLastSeq();
        }
        if (!state.getHasSeq()) {
            return null;
        }
        if (chunk.getSeq() > state.getLastSeq() + 1) {
            return "chunks " + (state.getLastSeq() + 1) + " to " + (chunk.getSeq() - 1) + " missing";
        }
        long silentMs = chunk.getT0EpochMs() - state.getLastChunkEndMs();
        if (state.getLastChunkEndMs() > 0 && silentMs > MAX_CHUNK_JITTER_MS) {
            return String.format(Locale.ROOT, "no samples for %.1f s before chunk %d", silentMs / 1000.0,
                    chunk.getSeq());
        }
        return null;
    }

    /**
     * Chunks lost between the last one and this: a technical episode from the end of the last
     * chunk to the start of this one. Samples are counted without the gap, so it has no length in
     * samples.
     */
    private static Episode dataGap(String deviceId, SampleStreamState.Builder state, SampleChunk chunk, long sample,
            String detail, long arrivalOffsetMs) {
        long from = state.getLastChunkEndMs();
        long to = Math.max(from, chunk.getT0EpochMs());
        return Episode.newBuilder()
                .setEpisodeId(deviceId + ":DATA_GAP:" + sample)
                .setDeviceId(deviceId)
                .setType("DATA_GAP")
                .setTechnical(true)
                .setPriority(Priority.TECHNICAL)
                .setOnsetSample(sample)
                .setOnsetTimeMs(from)
                .setEndSample(sample)
                .setEndTimeMs(to)
                .setDetail(detail)
                .setEvidence(Evidence.newBuilder().setStartTimeMs(from - EVIDENCE_BEFORE_MS)
                        .setEndTimeMs(to + EVIDENCE_BEFORE_MS).setChunkArrivalOffsetMs(arrivalOffsetMs))
                .build();
    }

    private static BeatMorphology morphology(float[] window) {
        BeatMorphology.Builder m = BeatMorphology.newBuilder().setRateHz(BeatWindow.RATE_HZ)
                .setBefore(BeatWindow.BEFORE);
        for (float v : window) {
            m.addSamplesMv(v);
        }
        return m.build();
    }

    private EcgAnalyzer analyzerFor(String deviceId, SampleStreamState saved, int fsHz) {
        if (saved == null || !saved.hasAnalyzer()) {
            return new EcgAnalyzer(fsHz, mains);
        }
        EcgAnalyzerState analyzer = saved.getAnalyzer();
        if (analyzer.getInputRateHz() != fsHz || analyzer.getMainsHz() != mains.hz()) {
            LOG.info("Device {} changed its sampling rate from {} to {} Hz, or the mains notch changed; "
                    + "restarting its beat detection", deviceId, analyzer.getInputRateHz(), fsHz);
            return new EcgAnalyzer(fsHz, mains);
        }
        try {
            return EcgAnalyzer.restore(analyzer);
        } catch (IllegalArgumentException e) {
            // State another version left that this one cannot continue: better 2 s of learning than a stuck device.
            LOG.warn("Device {}: cannot resume its beat detection ({}); restarting it", deviceId, e.getMessage());
            return new EcgAnalyzer(fsHz, mains);
        }
    }
}
