package org.arrhythmiamonitor.alert;

import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.arrhythmiamonitor.state.v1.RateRuleState;
import org.arrhythmiamonitor.wire.v1.Alert;
import org.arrhythmiamonitor.wire.v1.Beat;

/** Applies the {@link HeartRateRule} to each device's beats, keeping the rule's state per device. */
public final class HeartRateAlertProcessor implements Processor<String, Beat, String, Alert> {
    public static final String STORE = "heart-rate-rule-state";

    private final HeartRateRule rule;
    private ProcessorContext<String, Alert> context;
    private KeyValueStore<String, RateRuleState> store;

    public HeartRateAlertProcessor(RateThresholds thresholds) {
        this.rule = new HeartRateRule(thresholds);
    }

    @Override
    public void init(ProcessorContext<String, Alert> context) {
        this.context = context;
        this.store = context.getStateStore(STORE);
    }

    @Override
    public void process(Record<String, Beat> record) {
        RateRuleState state = store.get(record.key());
        RateRuleState next = rule.onBeat(state == null ? RateRuleState.getDefaultInstance() : state, record.value(),
                alert -> context.forward(record.withValue(alert)));
        store.put(record.key(), next);
    }
}
