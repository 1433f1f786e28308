package org.arrhythmiamonitor.processor;

import com.google.protobuf.Message;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TopologyConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.state.Stores;
import org.arrhythmiamonitor.alert.HeartRateAlertProcessor;
import org.arrhythmiamonitor.alert.RateThresholds;
import org.arrhythmiamonitor.beat.BeatClassificationProcessor;
import org.arrhythmiamonitor.inference.InferenceSettings;
import org.arrhythmiamonitor.inference.ModelRegistry;
import org.arrhythmiamonitor.state.v1.BeatClassifierState;
import org.arrhythmiamonitor.qrs.BeatDetectionProcessor;
import org.arrhythmiamonitor.signal.MainsFrequency;
import org.arrhythmiamonitor.state.v1.SampleStreamState;
import org.arrhythmiamonitor.state.v1.RateRuleState;
import org.arrhythmiamonitor.wire.ProtobufSerde;
import org.arrhythmiamonitor.wire.Topics;
import org.arrhythmiamonitor.wire.v1.Alert;
import org.arrhythmiamonitor.wire.v1.Beat;
import org.arrhythmiamonitor.wire.v1.Episode;

/**
 * The processor's Kafka Streams topology, built in one place so that the unit test
 * (TopologyTestDriver) and the integration test (real broker) run the same code:
 *
 * <pre>
 * ecg.samples --[resample, band-pass, notch, signal quality, QRS detection]--+--> ecg.beats --[heart-rate rule]--> ecg.alerts
 *                                                                          |       +--[features, micro-batched ONNX]--> ecg.beats.classified
 *                                                                          +--> ecg.episodes (technical)
 * </pre>
 */
public final class MonitorTopology {
    private static final Serde<String> DEVICE_IDS = Serdes.String();

    private MonitorTopology() {
    }

    /**
     * The models, how to batch them and where to count what they classify.
     */
    public record BeatClassification(ModelRegistry models, InferenceSettings settings, MeterRegistry meters) {
    }

    public static Topology build(RateThresholds thresholds, MainsFrequency mains, BeatClassification classification,
            Properties streamsProperties) {
        StreamsBuilder builder = new StreamsBuilder(new TopologyConfig(new StreamsConfig(streamsProperties)));
        buildTopology(builder, thresholds, mains, classification);
        return builder.build();
    }

    public static void buildTopology(StreamsBuilder builder, RateThresholds thresholds, MainsFrequency mains,
            BeatClassification classification) {
        builder.addStateStore(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(BeatClassificationProcessor.STORE), DEVICE_IDS,
                new ProtobufSerde<>(BeatClassifierState.parser(), "BeatClassifierState")));
        builder.addStateStore(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(BeatDetectionProcessor.STORE), DEVICE_IDS,
                new ProtobufSerde<>(SampleStreamState.parser(), "SampleStreamState")));
        builder.addStateStore(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(HeartRateAlertProcessor.STORE), DEVICE_IDS,
                new ProtobufSerde<>(RateRuleState.parser(), "RateRuleState")));

        KStream<String, Message> analysed = builder
                .stream(Topics.SAMPLES, Consumed.with(DEVICE_IDS, ProtobufSerde.sampleChunks())
                        .withName("sample-chunks"))
                .process(() -> new BeatDetectionProcessor(mains), Named.as("signal-path"),
                        BeatDetectionProcessor.STORE);
        KStream<String, Beat> beats = analysed
                .filter((device, message) -> message instanceof Beat, Named.as("beats"))
                .mapValues(message -> (Beat) message, Named.as("as-beats"));
        analysed.filter((device, message) -> message instanceof Episode, Named.as("technical-episodes"))
                .mapValues(message -> (Episode) message, Named.as("as-episodes"))
                .to(Topics.EPISODES, Produced.with(DEVICE_IDS, ProtobufSerde.episodes()).withName("episodes-out"));
        beats.to(Topics.BEATS, Produced.with(DEVICE_IDS, ProtobufSerde.beats()).withName("beats-out"));
        beats.process(() -> new BeatClassificationProcessor(classification.models(), classification.settings(),
                        classification.meters()), Named.as("beat-classification"), BeatClassificationProcessor.STORE)
                .to(Topics.CLASSIFIED_BEATS, Produced.with(DEVICE_IDS, ProtobufSerde.classifiedBeats())
                        .withName("classified-beats-out"));

        KStream<String, Alert> alerts = beats.process(() -> new HeartRateAlertProcessor(thresholds),
                Named.as("heart-rate-rule"), HeartRateAlertProcessor.STORE);
        alerts.to(Topics.ALERTS, Produced.with(DEVICE_IDS, ProtobufSerde.alerts()).withName("alerts-out"));
    }
}
