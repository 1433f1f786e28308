package org.arrhythmiamonitor.qrs;

import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.arrhythmiamonitor.state.v1.QrsDetectorState;
import org.arrhythmiamonitor.wire.v1.Beat;
import org.arrhythmiamonitor.wire.v1.Lead;
import org.arrhythmiamonitor.wire.v1.SampleChunk;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs each device's {@link QrsDetector} over its sample chunks and forwards every beat with the
 * device time of its R peak as record timestamp. The detector's state lives in a store with a
 * changelog, so a device's detection resumes where it stopped on whichever instance takes over.
 */
public final class BeatDetectionProcessor implements Processor<String, SampleChunk, String, Beat> {
    public static final String STORE = "qrs-detector-state";
    private static final Logger LOG = LoggerFactory.getLogger(BeatDetectionProcessor.class);

    private ProcessorContext<String, Beat> context;
    private KeyValueStore<String, QrsDetectorState> store;

    @Override
    public void init(ProcessorContext<String, Beat> context) {
        this.context = context;
        this.store = context.getStateStore(STORE);
    }

    @Override
    public void process(Record<String, SampleChunk> record) {
        SampleChunk chunk = record.value();
        String deviceId = record.key();
        if (deviceId == null || chunk == null || chunk.getLeadsCount() == 0 || !(chunk.getFsHz() > 0)) {
            LOG.warn("Skipping a sample chunk without device id, leads or sampling rate (device {}, seq {})",
                    deviceId, chunk == null ? "?" : chunk.getSeq());
            return;
        }
        QrsDetector detector = detectorFor(deviceId, chunk.getFsHz());
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
        store.put(deviceId, detector.snapshot());
    }

    private QrsDetector detectorFor(String deviceId, double fsHz) {
        QrsDetectorState saved = store.get(deviceId);
        if (saved == null) {
            return new QrsDetector(fsHz);
        }
        if (saved.getFsHz() != fsHz) {
            LOG.info("Device {} changed its sampling rate from {} to {} Hz; restarting its beat detection",
                    deviceId, saved.getFsHz(), fsHz);
            return new QrsDetector(fsHz);
        }
        return QrsDetector.restore(saved);
    }
}
