package org.arrhythmiamonitor.episode;

import com.google.protobuf.Message;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.arrhythmiamonitor.alert.AlertRules;
import org.arrhythmiamonitor.state.v1.BurdenBeat;
import org.arrhythmiamonitor.state.v1.EpisodeState;
import org.arrhythmiamonitor.state.v1.SignalProgress;
import org.arrhythmiamonitor.wire.v1.ClassifiedBeat;
import org.arrhythmiamonitor.wire.v1.Episode;
import org.arrhythmiamonitor.wire.v1.RhythmSegment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the {@link EpisodeDetector} per device over classified beats, signal progress and the
 * signal path's technical events, with each patient's rules: the configured defaults with the
 * overrides from the {@code ecg.patients} table, which is co-partitioned with the device streams
 * and read from its store. Forwards episodes, rhythm segments, alerts, and each beat with its
 * rhythm ({@link BurdenBeat}) for the burden aggregates.
 *
 * <p>A wall-clock punctuator finds devices that stopped sending: their stream time stands still,
 * so no stream-time rule can notice.
 */
public final class EpisodeProcessor implements Processor<String, Message, String, Message> {
    public static final String STORE = "episode-state";
    private static final Logger LOG = LoggerFactory.getLogger(EpisodeProcessor.class);
    /** Open episodes whose arrival offset is kept: more than the episode types that can be open at once. */
    private static final int MAX_OPEN_OFFSETS = 64;

    private final EpisodeRules defaults;
    private final String patientsStore;
    private ProcessorContext<String, Message> context;
    private KeyValueStore<String, EpisodeState> store;
    private PatientRules patients;
    /**
     * Wall-clock time this instance began watching: after a restart or a failover the stored
     * arrival times are old, and devices whose backlog has not been read yet are not silent.
     */
    private long watchingSinceMs;

    /**
     * @param patientsStore name of the store of the {@code ecg.patients} table
     */
    public EpisodeProcessor(EpisodeRules defaults, String patientsStore) {
        this.defaults = defaults;
        this.patientsStore = patientsStore;
    }

    @Override
    public void init(ProcessorContext<String, Message> context) {
        this.context = context;
        this.store = context.getStateStore(STORE);
        this.patients = new PatientRules(defaults, context.getStateStore(patientsStore));
        this.watchingSinceMs = context.currentSystemTimeMs();
        long everyMs = Math.max(1_000, Math.min(15_000, Math.round(defaults.silentAfterS() * 1000 / 4)));
        context.schedule(Duration.ofMillis(everyMs), PunctuationType.WALL_CLOCK_TIME, this::findSilentDevices);
    }

    @Override
    public void process(Record<String, Message> record) {
        String device = record.key();
        if (device == null) {
            return;
        }
        EpisodeState saved = store.get(device);
        EpisodeState state = saved == null ? EpisodeState.getDefaultInstance() : saved;
        EpisodeRules rules = patients.of(device);
        Long arrivalOffsetMs = arrivalOffsetOf(record.value());
        if (arrivalOffsetMs == null && state.hasChunkArrivalOffsetMs()) {
            arrivalOffsetMs = state.getChunkArrivalOffsetMs();
        }
        Output out = new Output(device, rules, record.timestamp(), arrivalOffsetMs);
        EpisodeState.Builder next;
        if (record.value() instanceof ClassifiedBeat beat) {
            next = EpisodeDetector.onBeat(state, beat, rules, out).toBuilder();
            out.beat(beat, next.build());
        } else if (record.value() instanceof SignalProgress progress) {
            next = EpisodeDetector.onProgress(state, device, progress, context.currentSystemTimeMs(), rules, out)
                    .toBuilder();
        } else if (record.value() instanceof Episode technical) {
            next = EpisodeDetector.onTechnical(state, technical, out).toBuilder();
        } else {
            return;
        }
        if (arrivalOffsetMs != null) {
            next.setChunkArrivalOffsetMs(arrivalOffsetMs);
        }
        out.flush(next);
        if (record.value() instanceof Episode technical) {
            // Its alert may come later, from another chunk (noise that lasted): keep its onset's offset.
            out.arrivalOffset(technical, next);
        }
        store.put(device, next.build());
    }

    /** How much later than its device time the chunk behind this record reached Kafka; null when unknown. */
    private static Long arrivalOffsetOf(Message value) {
        if (value instanceof ClassifiedBeat beat && beat.getBeat().hasChunkArrivalOffsetMs()) {
            return beat.getBeat().getChunkArrivalOffsetMs();
        }
        if (value instanceof SignalProgress progress && progress.hasChunkArrivalOffsetMs()) {
            return progress.getChunkArrivalOffsetMs();
        }
        if (value instanceof Episode technical && technical.getEvidence().hasChunkArrivalOffsetMs()) {
            return technical.getEvidence().getChunkArrivalOffsetMs();
        }
        return null;
    }

    private void findSilentDevices(long wallMs) {
        List<KeyValue<String, EpisodeState>> changed = new ArrayList<>();
        List<Output> outputs = new ArrayList<>();
        try (KeyValueIterator<String, EpisodeState> all = store.all()) {
            while (all.hasNext()) {
                KeyValue<String, EpisodeState> entry = all.next();
                EpisodeRules rules = patients.of(entry.key);
                Output out = new Output(entry.key, rules, entry.value.getTechnical().getStreamTimeMs(),
                        entry.value.hasChunkArrivalOffsetMs() ? entry.value.getChunkArrivalOffsetMs() : null);
                EpisodeState next = EpisodeDetector.onWallClock(entry.value, entry.key, wallMs, watchingSinceMs, rules,
                        out);
                if (next != null) {
                    changed.add(KeyValue.pair(entry.key, next));
                    outputs.add(out);
                }
            }
        }
        for (int i = 0; i < changed.size(); i++) {
            EpisodeState.Builder next = changed.get(i).value.toBuilder();
            outputs.get(i).flush(next);
            store.put(changed.get(i).key, next.build());
        }
    }

    /** Something to forward; an episode that is not published only raises or updates its alert. */
    private record Pending(Message message, boolean publish) {
    }

    /**
     * Collects what one step produced and forwards it after the step, with the device time of
     * what it is about as timestamp; alerts need the new state for their hold-off. Episodes get
     * in their evidence the arrival offset of the chunk that first published them (see
     * withArrivalOffset).
     */
    private final class Output implements EpisodeOutput {
        private final String device;
        private final EpisodeRules rules;
        private final long timestamp;
        private final Long arrivalOffsetMs;
        private final List<Pending> pending = new ArrayList<>();

        Output(String device, EpisodeRules rules, long timestamp, Long arrivalOffsetMs) {
            this.device = device;
            this.rules = rules;
            this.timestamp = timestamp;
            this.arrivalOffsetMs = arrivalOffsetMs;
        }

        @Override
        public void episode(Episode episode) {
            pending.add(new Pending(episode, true));
        }

        @Override
        public void alertOnly(Episode episode) {
            pending.add(new Pending(episode, false));
        }

        @Override
        public void rhythm(RhythmSegment segment) {
            pending.add(new Pending(segment, true));
        }

        void beat(ClassifiedBeat classified, EpisodeState state) {
            var b = classified.getBeat();
            pending.add(new Pending(BurdenBeat.newBuilder().setSample(b.getSampleIndex()).setTimeMs(b.getTimeMs())
                    .setBeatClass(state.getReportedClass())
                    .setRrMs(b.getRrMs())
                    .setReadable(b.getSignalIssuesCount() == 0)
                    // Nothing says whether AF went on while the model could not classify (the AF
                    // detector takes such beats as noise): monitored time, not AF time.
                    .setInAf(EpisodeDetector.inAf(state) && !classified.getUnclassified()).build(), true));
        }

        void flush(EpisodeState.Builder state) {
            // Most records bring no episode: the raised ids are copied only when one does.
            Set<String> raised = null;
            for (Pending item : pending) {
                Message message = item.message();
                boolean publish = item.publish();
                if (message instanceof Episode found) {
                    Episode episode = withArrivalOffset(found, state);
                    long at = episode.getEndTimeMs() != 0 ? episode.getEndTimeMs() : Math.max(timestamp,
                            episode.getOnsetTimeMs());
                    if (publish) {
                        LOG.info("Device {}: {} {}", device, episode.getType(),
                                episode.getEndTimeMs() == 0 ? "began" : "ended");
                        context.forward(new Record<>(device, episode, at));
                    }
                    if (raised == null) {
                        raised = new HashSet<>(state.getRaisedAlertsMap().keySet());
                    }
                    AlertRules.alertFor(episode, rules, state, raised)
                            .ifPresent(alert -> context.forward(new Record<>(device, alert, at)));
                } else {
                    context.forward(new Record<>(device, message, timestamp));
                }
            }
            pending.clear();
            if (raised != null) {
                state.clearRaisedAlerts();
                raised.forEach(id -> state.putRaisedAlerts(id, true));
            }
        }

        /**
         * The episode with the arrival offset of the chunk that first published it: its evidence
         * starts at its onset, and a later chunk (its end, say) may have arrived with another
         * offset, after a device clock was set back or an upload backlog.
         */
        private Episode withArrivalOffset(Episode episode, EpisodeState.Builder state) {
            if (!episode.hasEvidence()) {
                return episode;
            }
            Long offset = arrivalOffset(episode, state);
            if (offset == null) {
                return episode;
            }
            return episode.toBuilder().setEvidence(episode.getEvidence().toBuilder().setChunkArrivalOffsetMs(offset))
                    .build();
        }

        /**
         * The offset an episode keeps: the one it was first seen with while open (remembered by
         * id until it ends), else its own, else that of the chunk in hand; null when unknown.
         */
        Long arrivalOffset(Episode episode, EpisodeState.Builder state) {
            String id = episode.getEpisodeId();
            Long offset = arrivalOffsetMs;
            if (state.containsOpenArrivalOffsetMs(id)) {
                offset = state.getOpenArrivalOffsetMsOrThrow(id);
            } else if (episode.getEvidence().hasChunkArrivalOffsetMs()) {
                offset = episode.getEvidence().getChunkArrivalOffsetMs();
            }
            if (episode.getEndTimeMs() != 0) {
                state.removeOpenArrivalOffsetMs(id);
            } else if (offset != null) {
                if (state.getOpenArrivalOffsetMsCount() >= MAX_OPEN_OFFSETS && !state.containsOpenArrivalOffsetMs(id)) {
                    state.clearOpenArrivalOffsetMs(); // Episodes whose end never came: forget them.
                }
                state.putOpenArrivalOffsetMs(id, offset);
            }
            return offset;
        }
    }
}
