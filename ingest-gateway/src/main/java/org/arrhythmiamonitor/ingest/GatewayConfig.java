package org.arrhythmiamonitor.ingest;

import io.vertx.core.json.JsonObject;

/**
 * Settings of the ingest gateway, read from JSON in the Vert.x manner.
 *
 * @param bootstrapServers Kafka bootstrap servers
 * @param httpHost address to listen on
 * @param httpPort port to listen on (0 picks a free one)
 * @param maxBodyBytes largest request body accepted; larger ones get 413
 * @param maxChunkSeconds longest chunk accepted, in seconds of signal
 * @param partitions partitions of the topics the gateway creates when they are missing
 * @param replicationFactor replication of those topics, lowered to the number of brokers
 * @param deliveryTimeoutMs how long the producer keeps retrying a write before the device gets 503
 */
public record GatewayConfig(String bootstrapServers, String httpHost, int httpPort, long maxBodyBytes,
        double maxChunkSeconds, int partitions, short replicationFactor, int deliveryTimeoutMs) {

    public static final int DEFAULT_HTTP_PORT = 8080;

    public GatewayConfig {
        if (bootstrapServers == null || bootstrapServers.isBlank()) {
            throw new IllegalArgumentException("gateway: bootstrapServers is required");
        }
        if (httpPort < 0 || httpPort > 65_535) {
            throw new IllegalArgumentException("gateway: httpPort must be 0-65535, got " + httpPort);
        }
        if (maxBodyBytes < 1024) {
            throw new IllegalArgumentException("gateway: maxBodyBytes must be at least 1024, got " + maxBodyBytes);
        }
        if (!(maxChunkSeconds > 0 && maxChunkSeconds <= 60)) {
            throw new IllegalArgumentException("gateway: maxChunkSeconds must be in (0, 60], got " + maxChunkSeconds);
        }
        if (partitions < 1 || replicationFactor < 1) {
            throw new IllegalArgumentException("gateway: partitions and replicationFactor must be at least 1");
        }
        if (deliveryTimeoutMs < 1000) {
            throw new IllegalArgumentException("gateway: deliveryTimeoutMs must be at least 1000, got "
                    + deliveryTimeoutMs);
        }
    }

    public static GatewayConfig fromJson(JsonObject json) {
        return new GatewayConfig(
                json.getString("bootstrapServers"),
                json.getString("httpHost", "0.0.0.0"),
                json.getInteger("httpPort", DEFAULT_HTTP_PORT),
                json.getLong("maxBodyBytes", 4L * 1024 * 1024),
                json.getDouble("maxChunkSeconds", 10.0),
                json.getInteger("partitions", 6),
                json.getInteger("replicationFactor", 3).shortValue(),
                json.getInteger("deliveryTimeoutMs", 30_000));
    }
}
