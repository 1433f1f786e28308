package org.arrhythmiamonitor.burden;

import com.google.protobuf.Message;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
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
 */
public final class BurdenProcessor implements Processor<String, Message, String, Message> {
    public static final String STORE = "burden-state";

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
            Map<String, Boolean> raisedBefore = state.getRaisedAlertsMap();
            // Alarms come at most once a minute: the raised ids are copied only when one does.
            var raised = new Object() {
                Set<String> ids;
            };
            state = BurdenAggregator.onBeat(state, device, beat, patient, new BurdenAggregator.Output() {
                @Override
                public void burden(Burden burden) {
                    context.forward(record.withValue(burden));
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
