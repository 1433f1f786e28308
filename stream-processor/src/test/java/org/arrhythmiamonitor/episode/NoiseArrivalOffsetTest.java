package org.arrhythmiamonitor.episode;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Message;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.arrhythmiamonitor.processor.MonitorTopology;
import org.arrhythmiamonitor.state.v1.SignalProgress;
import org.arrhythmiamonitor.wire.ProtobufSerde;
import org.arrhythmiamonitor.wire.Topics;
import org.arrhythmiamonitor.wire.v1.Alert;
import org.arrhythmiamonitor.wire.v1.Episode;
import org.arrhythmiamonitor.wire.v1.Evidence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A noise alert is raised once noise has lasted, on a later chunk than the one the noise began in:
 * its strip must still be looked for where the noise's first chunk arrived.
 */
class NoiseArrivalOffsetTest {
    private TopologyTestDriver driver;

    @AfterEach
    void close() {
        driver.close();
    }

    @Test
    void aNoiseAlertCarriesTheArrivalOffsetOfTheChunkTheNoiseBeganIn() {
        StreamsBuilder builder = new StreamsBuilder();
        KStream<String, Message> input = builder
                .stream("p", Consumed.with(Serdes.String(), new ProtobufSerde<>(SignalProgress.parser(), "SignalProgress")))
                .mapValues(p -> (Message) p)
                .merge(builder.stream("t", Consumed.with(Serdes.String(), ProtobufSerde.episodes()))
                        .mapValues(e -> (Message) e));
        MonitorTopology.buildEpisodeStage(builder, input, EpisodeRules.DEFAULTS);
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "noise-offset");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, System.getProperty("java.io.tmpdir") + "/noise-offset-" + System.nanoTime());
        driver = new TopologyTestDriver(builder.build(), props);
        TestInputTopic<String, SignalProgress> progress = driver.createInputTopic("p", new StringSerializer(),
                new ProtobufSerde<>(SignalProgress.parser(), "SignalProgress").serializer());
        TestInputTopic<String, Episode> technical = driver.createInputTopic("t", new StringSerializer(),
                ProtobufSerde.episodes().serializer());
        TestOutputTopic<String, Alert> alerts = driver.createOutputTopic(Topics.ALERTS, new StringDeserializer(),
                ProtobufSerde.alerts().deserializer());

        long t0 = 1_700_000_000_000L;
        progress.pipeInput("d", SignalProgress.newBuilder().setTimeMs(t0).setSampleCount(250)
                .setChunkArrivalOffsetMs(0).build(), t0);
        // What BeatDetectionProcessor publishes to ecg.episodes when noise begins (offset 0) ...
        Episode noise = Episode.newBuilder().setEpisodeId("d:NOISE:250").setDeviceId("d").setType("NOISE")
                .setTechnical(true).setOnsetSample(250).setOnsetTimeMs(t0)
                .setEvidence(Evidence.newBuilder().setStartTimeMs(t0 - 2000).setEndTimeMs(t0 + 2000)
                        .setChunkArrivalOffsetMs(0)).build();
        technical.pipeInput("d", noise, t0);
        // ... then the chunks arrive an hour later than their device time.
        for (int s = 1; s <= 12; s++) {
            progress.pipeInput("d", SignalProgress.newBuilder().setTimeMs(t0 + s * 1000).setSampleCount(250 + s * 250)
                    .setUnreadable(true).setChunkArrivalOffsetMs(3_600_000).build(), t0 + s * 1000);
        }
        // Its end, as BeatDetectionProcessor now publishes it: with the onset's offset.
        technical.pipeInput("d", noise.toBuilder().setEndSample(3500).setEndTimeMs(t0 + 13_000).build(), t0 + 13_000);
        List<Alert> noiseAlerts = alerts.readValuesToList().stream().filter(a -> a.getType().equals("NOISE")).toList();
        assertThat(noiseAlerts).hasSize(2);
        assertThat(noiseAlerts).allSatisfy(a -> assertThat(a.getEvidence().getChunkArrivalOffsetMs())
                .as("the offset ecg.episodes has for d:NOISE:250").isZero());
    }
}
