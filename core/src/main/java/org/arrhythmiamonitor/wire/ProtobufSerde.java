package org.arrhythmiamonitor.wire;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;
import org.arrhythmiamonitor.wire.v1.Alert;
import org.arrhythmiamonitor.wire.v1.AlertRecord;
import org.arrhythmiamonitor.wire.v1.Beat;
import org.arrhythmiamonitor.wire.v1.Burden;
import org.arrhythmiamonitor.wire.v1.ClassifiedBeat;
import org.arrhythmiamonitor.wire.v1.DeviceCredential;
import org.arrhythmiamonitor.wire.v1.Episode;
import org.arrhythmiamonitor.wire.v1.PatientSettings;
import org.arrhythmiamonitor.wire.v1.RhythmSegment;
import org.arrhythmiamonitor.wire.v1.SampleChunk;

/** Kafka serde for one Protobuf message type, the wire format of every topic. */
public final class ProtobufSerde<T extends Message> implements Serde<T> {
    private final Parser<T> parser;
    private final String typeName;

    public ProtobufSerde(Parser<T> parser, String typeName) {
        this.parser = parser;
        this.typeName = typeName;
    }

    public static ProtobufSerde<SampleChunk> sampleChunks() {
        return new ProtobufSerde<>(SampleChunk.parser(), "SampleChunk");
    }

    public static ProtobufSerde<Beat> beats() {
        return new ProtobufSerde<>(Beat.parser(), "Beat");
    }

    public static ProtobufSerde<ClassifiedBeat> classifiedBeats() {
        return new ProtobufSerde<>(ClassifiedBeat.parser(), "ClassifiedBeat");
    }

    public static ProtobufSerde<Episode> episodes() {
        return new ProtobufSerde<>(Episode.parser(), "Episode");
    }

    public static ProtobufSerde<RhythmSegment> rhythm() {
        return new ProtobufSerde<>(RhythmSegment.parser(), "RhythmSegment");
    }

    public static ProtobufSerde<Burden> burden() {
        return new ProtobufSerde<>(Burden.parser(), "Burden");
    }

    public static ProtobufSerde<PatientSettings> patients() {
        return new ProtobufSerde<>(PatientSettings.parser(), "PatientSettings");
    }

    public static ProtobufSerde<DeviceCredential> devices() {
        return new ProtobufSerde<>(DeviceCredential.parser(), "DeviceCredential");
    }

    public static ProtobufSerde<Alert> alerts() {
        return new ProtobufSerde<>(Alert.parser(), "Alert");
    }

    public static ProtobufSerde<AlertRecord> alertRecords() {
        return new ProtobufSerde<>(AlertRecord.parser(), "AlertRecord");
    }

    @Override
    public Serializer<T> serializer() {
        return (topic, message) -> message == null ? null : message.toByteArray();
    }

    @Override
    public Deserializer<T> deserializer() {
        return (topic, bytes) -> {
            if (bytes == null) {
                return null;
            }
            try {
                return parser.parseFrom(bytes);
            } catch (InvalidProtocolBufferException e) {
                throw new SerializationException(
                        "Record on topic " + topic + " is not a valid " + typeName + " message ("
                                + bytes.length + " bytes): " + e.getMessage(), e);
            }
        };
    }
}
