package org.arrhythmiamonitor.kafka;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.arrhythmiamonitor.wire.Topics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the pipeline topics when they are missing, so that a service started against a new
 * cluster works without a manual step, and with the partition count the operator chose rather
 * than the broker's auto-create default.
 *
 * <p>Topics are created with {@code message.timestamp.type=LogAppendTime}: Kafka timestamps
 * records with their arrival time, so retention and the broker's timestamp checks work on
 * arrival time, whatever a device's clock says. Device (event) time travels in the payload.
 * Settings topics ({@link Topics#COMPACTED}) are compacted, so the latest value per device is
 * kept for as long as the device exists. Every topic has the same partition count, which keeps
 * the per-patient settings co-partitioned with the device streams they join.
 */
public final class TopicProvisioner {
    private static final Logger LOG = LoggerFactory.getLogger(TopicProvisioner.class);

    private TopicProvisioner() {
    }

    private static Map<String, String> configOf(String topic) {
        if (Topics.COMPACTED.contains(topic)) {
            return Map.of(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, "LogAppendTime",
                    TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT);
        }
        return Map.of(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, "LogAppendTime");
    }

    /**
     * Ensures every topic exists. A replication factor above the number of brokers is lowered to
     * the number of brokers, so the same defaults serve a laptop and a cluster.
     */
    public static void ensureTopics(String bootstrapServers, Collection<String> topics, int partitions,
            short replicationFactor, long timeoutMs) {
        try (Admin admin = Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeoutMs,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.min(timeoutMs, 30_000)))) {
            int brokers = admin.describeCluster().nodes().get(timeoutMs, TimeUnit.MILLISECONDS).size();
            short replicas = (short) Math.max(1, Math.min(replicationFactor, brokers));
            var existing = admin.listTopics().names().get(timeoutMs, TimeUnit.MILLISECONDS);
            List<NewTopic> missing = topics.stream()
                    .filter(topic -> !existing.contains(topic))
                    .map(topic -> new NewTopic(topic, partitions, replicas).configs(configOf(topic)))
                    .toList();
            if (missing.isEmpty()) {
                return;
            }
            for (var entry : admin.createTopics(missing).values().entrySet()) {
                try {
                    entry.getValue().get(timeoutMs, TimeUnit.MILLISECONDS);
                    LOG.info("Created topic {} ({} partitions, replication factor {})", entry.getKey(), partitions,
                            replicas);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                }
            }
        } catch (KafkaException e) {
            // Admin.create fails this way on an unresolvable or malformed address.
            throw new KafkaUnavailableException("Cannot use Kafka at " + bootstrapServers + ": " + e.getMessage()
                    + (e.getCause() != null ? " (" + e.getCause().getMessage() + ")" : ""), e);
        } catch (ExecutionException e) {
            throw new KafkaUnavailableException("Could not create topics " + topics + " on " + bootstrapServers
                    + ": " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new KafkaUnavailableException("Kafka at " + bootstrapServers + " did not answer within "
                    + timeoutMs + " ms; is the broker running and the address right?", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaUnavailableException("Interrupted while creating topics on " + bootstrapServers, e);
        }
    }
}
