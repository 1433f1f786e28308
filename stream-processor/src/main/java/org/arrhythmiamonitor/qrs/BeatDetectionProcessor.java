package org.arrhythmiamonitor.qrs;

import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.arrhythmiamonitor.state.v1.QrsDetectorState;
import org.arrhythmiamonitor.state.v1.SampleStreamState;
import org.arrhythmiamonitor.wire.v1.Beat;
import org.arrhythmiamonitor.wire.v1.Lead;
import org.arrhythmiamonitor.wire.v1.SampleChunk;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs each device's {@link QrsDetector} over its sample chunks and forwards every beat with the
 * device time of its R peak as record timestamp. The detector's state lives in a store with a
 * changelog, so a device's detection resumes where it stopped on whichever instance takes over.
 *
 * <p>A chunk whose {@code seq} is not above the last one processed is a retry (the device resent
 * it after a timeout, or the gateway wrote it twice) and is skipped: feeding the same samples
 * twice would corrupt the detector and shift every later sample index, and with it the ids of
 * later alerts.
 */
public final class BeatDetectionProcessor implements Processor<String, SampleChunk, String, Beat> {
    public static final String STORE = "sample-stream-state";
    private static final Logger LOG = LoggerFactory.getLogger(BeatDetectionProcessor.class);

    private ProcessorContext<String, Beat> context;
    private KeyValueStore<String, SampleStreamState> store;

    @Override
    public void init(ProcessorContext<String, Beat> context) {
        this.context = context;
        this.store = context.getStateStore(STORE);
    }

    @Override
    public void process(Record<String, SampleChunk> record) {
        SampleChunk chunk = record.value();
        String deviceId = record.key();
        if (deviceId == null || chunk == null || chunk.getLeadsCount() == 0
                || !(chunk.getFsHz() >= QrsDetector.MIN_FS_HZ && chunk.getFsHz() <= QrsDetector.MAX_FS_HZ)) {
            LOG.warn("Skipping a sample chunk without device id, leads or a sampling rate of {}-{} Hz "
                    + "(device {}, seq {})", QrsDetector.MIN_FS_HZ, QrsDetector.MAX_FS_HZ, deviceId,
                    chunk == null ? "?" : chunk.getSeq());
            return;
        }
        SampleStreamState saved = store.get(deviceId);
        SampleStreamState.Builder state = saved == null ? SampleStreamState.newBuilder() : saved.toBuilder();
        if (state.getHasSeq() && chunk.getSeq() <= state.getLastSeq()) {
            LOG.debug("Device {}: chunk {} already processed (last {}); skipped as a retry", deviceId,
                    chunk.getSeq(), state.getLastSeq());
            store.put(deviceId, state.setDuplicateChunks(state.getDuplicateChunks() + 1).build());
            return;
        }
        if (state.getHasSeq() && chunk.getSeq() > state.getLastSeq() + 1) {
            LOG.info("Device {}: chunks {} to {} are missing; continuing after the gap", deviceId,
                    state.getLastSeq() + 1, chunk.getSeq() - 1);
            state.setSeqGaps(state.getSeqGaps() + 1);
        }
        QrsDetector detector = detectorFor(deviceId, saved, chunk.getFsHz());
        Lead lead = chunk.getLeads(0);
        double gain = lead.getGainPerMv() > 0 ? lead.getGainPerMv() : 1000.0;
        double[] mv = new double[lead.getSamplesCount()];
        for (int i = 0; i < mv.length; i++) {
            mv[i] = lead.getSamples(i) / gain;
        }
        long chunkStart = detector.nextSampleIndex();
        double msPerSample = 1000.0 / chunk.getFsHz();
        detector.accept(mv, (rPeak, rrSamples) -> {
            long timeMs = chunk.getT0EpochMs() + Math.round((rPeak - chunkStart) * msPerSample);
            Beat beat = Beat.newBuilder()
                    .setDeviceId(deviceId)
                    .setSampleIndex(rPeak)
                    .setTimeMs(timeMs)
                    .setRrMs(rrSamples * msPerSample)
                    .build();
            context.forward(new Record<>(deviceId, beat, timeMs, record.headers()));
        });
        store.put(deviceId, state.setDetector(detector.snapshot()).setLastSeq(chunk.getSeq()).setHasSeq(true).build());
    }

    private static QrsDetector detectorFor(String deviceId, SampleStreamState saved, double fsHz) {
        if (saved == null || !saved.hasDetector()) {
            return new QrsDetector(fsHz);
        }
        QrsDetectorState detector = saved.getDetector();
        if (detector.getFsHz() != fsHz) {
            LOG.info("Device {} changed its sampling rate from {} to {} Hz; restarting its beat detection",
                    deviceId, detector.getFsHz(), fsHz);
            return new QrsDetector(fsHz);
        }
        return QrsDetector.restore(detector);
    }
}
