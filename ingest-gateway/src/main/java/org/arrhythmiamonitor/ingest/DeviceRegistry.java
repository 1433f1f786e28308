package org.arrhythmiamonitor.ingest;

import com.google.protobuf.ByteString;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.arrhythmiamonitor.kafka.KafkaUnavailableException;
import org.arrhythmiamonitor.kafka.TopicFollower;
import org.arrhythmiamonitor.wire.ProtobufSerde;
import org.arrhythmiamonitor.wire.Topics;
import org.arrhythmiamonitor.wire.v1.DeviceCredential;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which devices may write, kept in the compacted topic {@code ecg.devices} so every gateway
 * instance knows every device and a revocation reaches all of them within a poll. Each instance
 * reads the whole topic at start (one small record per device) and follows it afterwards; lookups
 * are in memory, so authenticating a chunk costs one SHA-256 and two map reads.
 */
public final class DeviceRegistry implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DeviceRegistry.class);
    /** Reads unanswered this long mean the credentials may be stale: said by {@link #silentFor()}. */
    static final Duration SILENCE_LIMIT = Duration.ofSeconds(30);

    /** What a device's token is good for. */
    public enum Access {
        GRANTED, MISSING_TOKEN, INVALID_TOKEN, REVOKED, OTHER_DEVICE
    }

    private final Map<String, DeviceCredential> byDevice = new ConcurrentHashMap<>();
    private final Map<ByteString, DeviceCredential> byTokenHash = new ConcurrentHashMap<>();
    /** Offset of the record each device's entry came from; one partition per key keeps them comparable. */
    private final Map<String, Long> offsets = new ConcurrentHashMap<>();
    private final KafkaProducer<String, DeviceCredential> producer;
    private final TopicFollower<DeviceCredential> follower;
    private final ExecutorService writer = Executors.newSingleThreadExecutor(runnable -> {
        Thread thread = new Thread(runnable, "device-registry-writer");
        thread.setDaemon(true);
        return thread;
    });

    private DeviceRegistry(String bootstrapServers, Duration silenceLimit) {
        this.producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.MAX_BLOCK_MS_CONFIG, 5000,
                ProducerConfig.CLIENT_ID_CONFIG, "ingest-gateway-devices"),
                new StringSerializer(), ProtobufSerde.devices().serializer());
        this.follower = new TopicFollower<>(bootstrapServers, Topics.DEVICES, ProtobufSerde.devices().deserializer(),
                "ingest-gateway-devices", record -> {
                    if (record.value() != null) {
                        apply(record.value(), record.offset());
                    }
                }, () -> { }, silenceLimit);
    }

    /** Reads every credential (waiting at most {@code timeout}) and keeps following the topic. */
    public static DeviceRegistry open(String bootstrapServers, Duration timeout) {
        return open(bootstrapServers, timeout, SILENCE_LIMIT);
    }

    /** As {@link #open(String, Duration)}, with reads unanswered for {@code silenceLimit} reported. */
    static DeviceRegistry open(String bootstrapServers, Duration timeout, Duration silenceLimit) {
        DeviceRegistry registry = new DeviceRegistry(bootstrapServers, silenceLimit);
        registry.follower.start();
        try {
            if (!registry.follower.awaitCaughtUp(timeout)) {
                registry.close();
                throw new KafkaUnavailableException("could not read the device credentials (topic " + Topics.DEVICES
                        + ") from Kafka at " + bootstrapServers + " within " + timeout.toSeconds() + " s", null);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            registry.close();
            throw new IllegalStateException("interrupted while reading device credentials", e);
        }
        LOG.info("{} device credentials loaded", registry.byDevice.size());
        return registry;
    }

    /**
     * Takes the newest credential of a device, dropping the token it replaces. Offsets order the
     * writer's own update against the follower's, which may still be reading older records.
     */
    private synchronized void apply(DeviceCredential credential, long offset) {
        Long seen = offsets.get(credential.getDeviceId());
        if (seen != null && seen > offset) {
            return;
        }
        offsets.put(credential.getDeviceId(), offset);
        DeviceCredential previous = byDevice.put(credential.getDeviceId(), credential);
        if (previous != null && !previous.getTokenSha256().equals(credential.getTokenSha256())) {
            byTokenHash.remove(previous.getTokenSha256(), previous);
        }
        byTokenHash.put(credential.getTokenSha256(), credential);
    }

    /** @param tokenHash SHA-256 of the presented token, null when none was presented */
    public Access authenticate(String deviceId, ByteString tokenHash) {
        if (tokenHash == null) {
            return Access.MISSING_TOKEN;
        }
        DeviceCredential credential = byTokenHash.get(tokenHash);
        if (credential == null) {
            return Access.INVALID_TOKEN;
        }
        if (credential.getRevokedAtMs() > 0) {
            return Access.REVOKED;
        }
        return credential.getDeviceId().equals(deviceId) ? Access.GRANTED : Access.OTHER_DEVICE;
    }

    /** The device's credential without its secret, or null when it was never provisioned. */
    public DeviceCredential find(String deviceId) {
        return byDevice.get(deviceId);
    }

    /**
     * Issues a new token for the device, replacing any earlier one (and lifting a revocation).
     * Completes with the token once Kafka has stored its hash.
     */
    public CompletionStage<String> issueToken(String deviceId) {
        String token = DeviceTokens.issue();
        DeviceCredential credential = DeviceCredential.newBuilder()
                .setDeviceId(deviceId)
                .setTokenSha256(ByteString.copyFrom(DeviceTokens.hash(token)))
                .setIssuedAtMs(System.currentTimeMillis())
                .build();
        return write(credential).thenApply(written -> token);
    }

    /** Revokes the device's token; completes with false when the device is unknown. */
    public CompletionStage<Boolean> revoke(String deviceId) {
        DeviceCredential current = byDevice.get(deviceId);
        if (current == null) {
            return CompletableFuture.completedFuture(false);
        }
        if (current.getRevokedAtMs() > 0) {
            return CompletableFuture.completedFuture(true);
        }
        return write(current.toBuilder().setRevokedAtMs(System.currentTimeMillis()).build()).thenApply(w -> true);
    }

    private CompletionStage<DeviceCredential> write(DeviceCredential credential) {
        CompletableFuture<DeviceCredential> written = new CompletableFuture<>();
        // Off the caller's thread (an event loop): send can wait for metadata while Kafka is down.
        CompletableFuture.runAsync(() -> send(credential, written), writer).exceptionally(error -> {
            written.completeExceptionally(error);
            return null;
        });
        return written;
    }

    private void send(DeviceCredential credential, CompletableFuture<DeviceCredential> written) {
        try {
            producer.send(new ProducerRecord<>(Topics.DEVICES, credential.getDeviceId(), credential), (m, error) -> {
                if (error != null) {
                    written.completeExceptionally(error);
                } else {
                    // Applied here as well as by the follower, so the answer's token works at once.
                    apply(credential, m.offset());
                    written.complete(credential);
                }
            });
        } catch (RuntimeException e) {
            written.completeExceptionally(e);
        }
    }

    /**
     * How long reads of the credentials have gone unanswered beyond {@link #SILENCE_LIMIT}, else
     * null: tokens issued or revoked through another gateway meanwhile are not known here.
     */
    public Duration silentFor() {
        return follower.silentFor();
    }

    public int size() {
        return byDevice.size();
    }

    @Override
    public void close() {
        follower.close();
        writer.shutdown();
        producer.close(Duration.ofSeconds(5));
    }
}
