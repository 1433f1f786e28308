package org.arrhythmiamonitor.processor;

import com.google.protobuf.Message;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.arrhythmiamonitor.beat.BeatClassificationProcessor;
import org.arrhythmiamonitor.burden.BurdenProcessor;
import org.arrhythmiamonitor.episode.EpisodeProcessor;
import org.arrhythmiamonitor.episode.EpisodeRules;
import org.arrhythmiamonitor.inference.InferenceSettings;
import org.arrhythmiamonitor.inference.ModelRegistry;
import org.arrhythmiamonitor.qrs.BeatDetectionProcessor;
import org.arrhythmiamonitor.signal.MainsFrequency;
import org.arrhythmiamonitor.state.v1.BeatClassifierState;
import org.arrhythmiamonitor.state.v1.BurdenBeat;
import org.arrhythmiamonitor.state.v1.BurdenState;
import org.arrhythmiamonitor.state.v1.EpisodeState;
import org.arrhythmiamonitor.state.v1.SampleStreamState;
import org.arrhythmiamonitor.state.v1.SignalProgress;
import org.arrhythmiamonitor.wire.ProtobufSerde;
import org.arrhythmiamonitor.wire.Topics;
import org.arrhythmiamonitor.wire.v1.Alert;
import org.arrhythmiamonitor.wire.v1.Beat;
import org.arrhythmiamonitor.wire.v1.Burden;
import org.arrhythmiamonitor.wire.v1.ClassifiedBeat;
import org.arrhythmiamonitor.wire.v1.Episode;
import org.arrhythmiamonitor.wire.v1.PatientSettings;
import org.arrhythmiamonitor.wire.v1.RhythmSegment;

/**
 * The processor's Kafka Streams topology, built in one place so that the unit tests
 * (TopologyTestDriver) and the integration tests (real broker) run the same code:
 *
 * <pre>
 * ecg.samples --[resample, band-pass, notch, signal quality, QRS detection]--+--> ecg.beats
 *   |                                                                         +--> ecg.episodes (technical)
 *   +--> beats --[features, micro-batched ONNX]--> ecg.beats.classified
 *        classified beats + technical events + signal progress
 *          --[episode rules, AF detection; ecg.patients table]--> ecg.episodes, ecg.rhythm, ecg.alerts
 *          --[burden: hourly, rolling 24 h; ecg.patients table]--> ecg.burden, ecg.episodes, ecg.alerts
 * </pre>
 *
 * Every stage after the samples runs in the same sub-topology, in memory: the episode rules see
 * each device's signal progress (its own stream time) right after its chunk, with no extra topic.
 */
public final class MonitorTopology {
    /** Store of the {@code ecg.patients} table, which the episode and burden rules read. */
    public static final String PATIENTS_STORE = "patients";
    private static final Serde<String> DEVICE_IDS = Serdes.String();

    private MonitorTopology() {
    }

    /**
     * The models, how to batch them and where to count what they classify.
     */
    public record BeatClassification(ModelRegistry models, InferenceSettings settings, MeterRegistry meters) {
    }

    public static Topology build(EpisodeRules rules, MainsFrequency mains, BeatClassification classification,
            Properties streamsProperties) {
        StreamsBuilder builder = new StreamsBuilder(new TopologyConfig(new StreamsConfig(streamsProperties)));
        buildTopology(builder, rules, mains, classification);
        return builder.build();
    }

    public static void buildTopology(StreamsBuilder builder, EpisodeRules rules, MainsFrequency mains,
            BeatClassification classification) {
        builder.addStateStore(store(BeatClassificationProcessor.STORE,
                new ProtobufSerde<>(BeatClassifierState.parser(), "BeatClassifierState")));
        builder.addStateStore(store(BeatDetectionProcessor.STORE,
                new ProtobufSerde<>(SampleStreamState.parser(), "SampleStreamState")));

        KStream<String, Message> analysed = builder
                .stream(Topics.SAMPLES, Consumed.with(DEVICE_IDS, ProtobufSerde.sampleChunks())
                        .withName("sample-chunks"))
                .process(() -> new BeatDetectionProcessor(mains), Named.as("signal-path"),
                        BeatDetectionProcessor.STORE);
        KStream<String, Beat> beats = analysed
                .filter((device, message) -> message instanceof Beat, Named.as("beats"))
                .mapValues(message -> (Beat) message, Named.as("as-beats"));
        KStream<String, Message> technical = analysed
                .filter((device, message) -> message instanceof Episode, Named.as("technical-episodes"));
        technical.mapValues(message -> (Episode) message, Named.as("as-episodes"))
                .to(Topics.EPISODES, Produced.with(DEVICE_IDS, ProtobufSerde.episodes()).withName("episodes-out"));
        KStream<String, Message> progress = analysed
                .filter((device, message) -> message instanceof SignalProgress, Named.as("signal-progress"));
        beats.to(Topics.BEATS, Produced.with(DEVICE_IDS, ProtobufSerde.beats()).withName("beats-out"));
        KStream<String, Message> classified = beats
                .process(() -> new BeatClassificationProcessor(classification.models(), classification.settings(),
                        classification.meters()), Named.as("beat-classification"), BeatClassificationProcessor.STORE)
                .mapValues(beat -> (Message) beat, Named.as("as-classified-messages"));
        classified.mapValues(message -> (ClassifiedBeat) message,
                        Named.as("as-classified-beats"))
                .to(Topics.CLASSIFIED_BEATS, Produced.with(DEVICE_IDS, ProtobufSerde.classifiedBeats())
                        .withName("classified-beats-out"));
        buildEpisodeStage(builder, classified.merge(technical, Named.as("beats-and-technical"))
                .merge(progress, Named.as("episode-input")), rules);
    }

    /**
     * The episode rules and the burden aggregates over a stream of classified beats,
     * {@link SignalProgress} and technical episodes. Tests feed it scripted beats through the same
     * method.
     */
    public static void buildEpisodeStage(StreamsBuilder builder, KStream<String, Message> input, EpisodeRules rules) {
        builder.table(Topics.PATIENTS, Consumed.with(DEVICE_IDS, ProtobufSerde.patients()).withName("patients-in"),
                Materialized.<String, PatientSettings, KeyValueStore<Bytes, byte[]>>as(PATIENTS_STORE)
                        .withKeySerde(DEVICE_IDS).withValueSerde(ProtobufSerde.patients()));
        builder.addStateStore(store(EpisodeProcessor.STORE,
                new ProtobufSerde<>(EpisodeState.parser(), "EpisodeState")));
        builder.addStateStore(store(BurdenProcessor.STORE, new ProtobufSerde<>(BurdenState.parser(), "BurdenState")));

        KStream<String, Message> found = input.process(() -> new EpisodeProcessor(rules, PATIENTS_STORE),
                Named.as("episode-rules"), EpisodeProcessor.STORE, PATIENTS_STORE);
        route(found, "episode-rules");
        found.filter((device, message) -> message instanceof RhythmSegment, Named.as("rhythm"))
                .mapValues(message -> (RhythmSegment) message, Named.as("as-rhythm"))
                .to(Topics.RHYTHM, Produced.with(DEVICE_IDS, ProtobufSerde.rhythm()).withName("rhythm-out"));

        KStream<String, Message> burden = found
                .filter((device, message) -> message instanceof BurdenBeat || message instanceof Episode,
                        Named.as("burden-input"))
                .process(() -> new BurdenProcessor(rules, PATIENTS_STORE), Named.as("burden"), BurdenProcessor.STORE,
                        PATIENTS_STORE);
        route(burden, "burden");
        burden.filter((device, message) -> message instanceof Burden, Named.as("burden-updates"))
                .mapValues(message -> (Burden) message, Named.as("as-burden"))
                .to(Topics.BURDEN, Produced.with(DEVICE_IDS, ProtobufSerde.burden()).withName("burden-out"));
    }

    /** Sends a stage's episodes and alerts to their topics. */
    private static void route(KStream<String, Message> out, String stage) {
        out.filter((device, message) -> message instanceof Episode, Named.as(stage + "-episodes"))
                .mapValues(message -> (Episode) message, Named.as(stage + "-as-episodes"))
                .to(Topics.EPISODES, Produced.with(DEVICE_IDS, ProtobufSerde.episodes())
                        .withName(stage + "-episodes-out"));
        out.filter((device, message) -> message instanceof Alert, Named.as(stage + "-alerts"))
                .mapValues(message -> (Alert) message, Named.as(stage + "-as-alerts"))
                .to(Topics.ALERTS, Produced.with(DEVICE_IDS, ProtobufSerde.alerts()).withName(stage + "-alerts-out"));
    }

    /**
     * A per-device store. Cached: the processors write a device's state at every beat (the
     * classifier twice, with the beats waiting for their batch), and the cache writes only the
     * latest to RocksDB and the changelog at each commit, as the beats of one chunk come together
     * (the processors forward their records themselves, so the cache delays nothing downstream).
     */
    private static <T extends Message> StoreBuilder<KeyValueStore<String, T>> store(
            String name, Serde<T> serde) {
        return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(name), DEVICE_IDS, serde)
                .withCachingEnabled();
    }
}
