package org.arrhythmiamonitor.burden;

import com.google.protobuf.Message;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.arrhythmiamonitor.alert.AlertRules;
import org.arrhythmiamonitor.episode.EpisodeRules;
import org.arrhythmiamonitor.episode.PatientRules;
import org.arrhythmiamonitor.state.v1.BurdenBeat;
import org.arrhythmiamonitor.state.v1.BurdenState;
import org.arrhythmiamonitor.wire.v1.Burden;
import org.arrhythmiamonitor.wire.v1.Episode;

/**
 * Keeps each device's {@link BurdenAggregator} state in a store that the processor's HTTP API
 * queries ({@code GET /api/devices/{deviceId}/burden}), and forwards burden updates, burden
 * episodes and their alerts.
 *
 * <p>The rolling view goes out at most once a minute of device time, so a device that stops
 * sending would leave its last minute (its first beat, for a short recording) out of the view the
 * dashboard shows for good: once a device has sent no beat for {@link #QUIET} of wall-clock time,
 * its view is published as it stands.
 */
public final class BurdenProcessor implements Processor<String, Message, String, Message> {
    public static final String STORE = "burden-state";
    static final Duration QUIET = Duration.ofSeconds(15);
    /**
     * Devices whose beats since their last published view are not in it, with the wall-clock time
     * of the latest. In memory: after a restart the next beats or minute publish it anyway.
     */
    private final Map<String, Long> unpublishedSince = new HashMap<>();

    private final EpisodeRules defaults;
    private final String patientsStore;
    private ProcessorContext<String, Message> context;
    private KeyValueStore<String, BurdenState> store;
    private PatientRules rules;

    public BurdenProcessor(EpisodeRules defaults, String patientsStore) {
        this.defaults = defaults;
        this.patientsStore = patientsStore;
    }

    @Override
    public void init(ProcessorContext<String, Message> context) {
        this.context = context;
        this.store = context.getStateStore(STORE);
        this.rules = new PatientRules(defaults, context.getStateStore(patientsStore));
        context.schedule(QUIET.dividedBy(3), PunctuationType.WALL_CLOCK_TIME, this::publishQuiet);
    }

    /** Publishes the view of every device quiet for {@link #QUIET} whose latest beats are not in its view. */
    private void publishQuiet(long wallMs) {
        for (Iterator<Map.Entry<String, Long>> it = unpublishedSince.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Long> entry = it.next();
            if (wallMs - entry.getValue() < QUIET.toMillis()) {
                continue;
            }
            it.remove();
            BurdenState state = store.get(entry.getKey());
            if (state != null) {
                context.forward(new Record<>(entry.getKey(), (Message) BurdenAggregator.rolling(entry.getKey(), state),
                        state.getLastTimeMs()));
            }
        }
    }

    @Override
    public void process(Record<String, Message> record) {
        String device = record.key();
        if (device == null) {
            return;
        }
        BurdenState saved = store.get(device);
        BurdenState state = saved == null ? BurdenState.getDefaultInstance() : saved;
        if (record.value() instanceof BurdenBeat beat) {
            EpisodeRules patient = rules.of(device);
            unpublishedSince.put(device, context.currentSystemTimeMs());
            Map<String, Boolean> raisedBefore = state.getRaisedAlertsMap();
            // Alarms come at most once a minute: the raised ids are copied only when one does.
            var raised = new Object() {
                Set<String> ids;
            };
            state = BurdenAggregator.onBeat(state, device, beat, patient, new BurdenAggregator.Output() {
                @Override
                public void burden(Burden burden) {
                    context.forward(record.withValue(burden));
                    unpublishedSince.remove(device);
                }

                @Override
                public void episode(Episode episode) {
                    context.forward(record.withValue(episode));
                    if (raised.ids == null) {
                        raised.ids = new HashSet<>(raisedBefore.keySet());
                    }
                    AlertRules.alertFor(episode, patient, null, raised.ids)
                            .ifPresent(alert -> context.forward(record.withValue(alert)));
                }
            });
            if (raised.ids != null) {
                BurdenState.Builder next = state.toBuilder().clearRaisedAlerts();
                raised.ids.forEach(id -> next.putRaisedAlerts(id, true));
                state = next.build();
            }
        } else if (record.value() instanceof Episode episode) {
            state = BurdenAggregator.onEpisode(state, episode);
        } else {
            return;
        }
        store.put(device, state);
    }

}
