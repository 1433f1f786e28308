package org.arrhythmiamonitor.alerting;

import io.vertx.core.json.JsonObject;

/**
 * Settings of the alerting service, read from JSON in the Vert.x manner.
 *
 * @param bootstrapServers Kafka bootstrap servers
 * @param httpHost address to listen on
 * @param httpPort port to listen on (0 picks a free one)
 * @param maxAlerts alerts kept in memory; the oldest are dropped from the view first (they stay in Kafka)
 * @param partitions partitions of the topics the service creates when they are missing
 * @param replicationFactor replication of those topics, lowered to the number of brokers
 */
public record AlertingConfig(String bootstrapServers, String httpHost, int httpPort, int maxAlerts, int partitions,
        short replicationFactor) {

    public static final int DEFAULT_HTTP_PORT = 8081;

    public AlertingConfig {
        if (bootstrapServers == null || bootstrapServers.isBlank()) {
            throw new IllegalArgumentException("alerting: bootstrapServers is required");
        }
        if (httpPort < 0 || httpPort > 65_535) {
            throw new IllegalArgumentException("alerting: httpPort must be 0-65535, got " + httpPort);
        }
        if (maxAlerts < 1) {
            throw new IllegalArgumentException("alerting: maxAlerts must be at least 1, got " + maxAlerts);
        }
        if (partitions < 1 || replicationFactor < 1) {
            throw new IllegalArgumentException("alerting: partitions and replicationFactor must be at least 1");
        }
    }

    public static AlertingConfig fromJson(JsonObject json) {
        return new AlertingConfig(
                json.getString("bootstrapServers"),
                json.getString("httpHost", "0.0.0.0"),
                json.getInteger("httpPort", DEFAULT_HTTP_PORT),
                json.getInteger("maxAlerts", 100_000),
                json.getInteger("partitions", 6),
                json.getInteger("replicationFactor", 3).shortValue());
    }
}
