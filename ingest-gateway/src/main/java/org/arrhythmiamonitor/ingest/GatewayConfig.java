package org.arrhythmiamonitor.ingest;

import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import org.arrhythmiamonitor.config.SettingException;

/**
 * Settings of the ingest gateway, read from JSON in the Vert.x manner.
 *
 * @param bootstrapServers Kafka bootstrap servers
 * @param httpHost address to listen on
 * @param httpPort port to listen on (0 picks a free one)
 * @param maxBodyBytes largest request body or WebSocket message accepted; larger ones get 413
 * @param maxChunkSeconds longest chunk accepted, in seconds of signal
 * @param maxClockSkewMs how far a chunk's t0 may be ahead of the gateway's clock
 * @param partitions partitions of the topics the gateway creates when they are missing
 * @param replicationFactor replication of those topics, lowered to the number of brokers
 * @param deliveryTimeoutMs how long the producer keeps retrying a write before the device gets 503
 * @param auth {@code token} (devices present their own bearer token) or {@code none} (anyone may
 *     write any device's stream: for closed test networks only)
 * @param adminToken bearer token of the provisioning API; null disables provisioning
 * @param maxInFlightBytes encoded chunk bytes handed to Kafka and not yet acknowledged, above which
 *     the gateway answers 503 with Retry-After instead of buffering more
 * @param maxInFlightPerSocket chunks of one WebSocket awaiting Kafka before the gateway stops
 *     reading that socket (TCP then slows the device down)
 * @param maxTrackedDevices devices whose recent seqs are remembered for replay detection
 * @param tls TLS for the HTTP and WebSocket port, or null for plain HTTP
 * @param eventLoops HTTP server instances (each on its own event loop) sharing the port
 * @param idleTimeoutSeconds a connection with no traffic either way for this long is closed
 */
public record GatewayConfig(String bootstrapServers, String httpHost, int httpPort, long maxBodyBytes,
        double maxChunkSeconds, long maxClockSkewMs, int partitions, short replicationFactor,
        int deliveryTimeoutMs, String auth, String adminToken, long maxInFlightBytes, int maxInFlightPerSocket,
        int maxTrackedDevices, Tls tls, int eventLoops, int idleTimeoutSeconds) {

    public static final int DEFAULT_HTTP_PORT = 8080;
    /** Two minutes: a device sends every few seconds, and one that pauses longer reconnects. */
    public static final int DEFAULT_IDLE_TIMEOUT_S = 120;
    public static final String AUTH_TOKEN = "token";
    public static final String AUTH_NONE = "none";
    /** Whose settings these are, in messages. */
    public static final String SECTION = "gateway";

    /**
     * Either a PEM certificate chain and private key, or a PKCS#12 key store.
     *
     * @param certPath PEM certificate chain
     * @param keyPath PEM private key (PKCS#8)
     * @param keyStorePath PKCS#12 key store, instead of the two PEM files
     * @param keyStorePassword its password
     */
    public record Tls(String certPath, String keyPath, String keyStorePath, String keyStorePassword) {
        public Tls {
            boolean pem = certPath != null || keyPath != null;
            if (pem == (keyStorePath != null)) {
                throw new SettingException(SECTION, name -> "tls needs either " + name.apply("tls.certPath")
                        + " and " + name.apply("tls.keyPath") + " (PEM) or " + name.apply("tls.keyStorePath")
                        + " (PKCS#12)");
            }
            if (pem && (certPath == null || keyPath == null)) {
                throw new SettingException(SECTION, name -> "tls needs both " + name.apply("tls.certPath") + " and "
                        + name.apply("tls.keyPath"));
            }
            readable("tls.certPath", certPath);
            readable("tls.keyPath", keyPath);
            readable("tls.keyStorePath", keyStorePath);
        }

        private static void readable(String key, String path) {
            if (path != null && !Files.isReadable(Path.of(path))) {
                throw SettingException.of(SECTION, key, path + " cannot be read");
            }
        }

        static Tls fromJson(JsonObject json) {
            return json == null ? null : new Tls(json.getString("certPath"), json.getString("keyPath"),
                    json.getString("keyStorePath"), json.getString("keyStorePassword"));
        }
    }

    public GatewayConfig {
        if (bootstrapServers == null || bootstrapServers.isBlank()) {
            throw SettingException.of(SECTION, "bootstrapServers", "is required");
        }
        SettingException.requireListenAddress(SECTION, "httpHost", httpHost);
        SettingException.requirePort(SECTION, "httpPort", httpPort);
        SettingException.requireAtLeast(SECTION, "maxBodyBytes", maxBodyBytes, 1024);
        if (!(maxChunkSeconds > 0 && maxChunkSeconds <= 60)) {
            throw SettingException.of(SECTION, "maxChunkSeconds", "must be in (0, 60], got " + maxChunkSeconds);
        }
        if (maxClockSkewMs < 0) {
            throw SettingException.of(SECTION, "maxClockSkewMs", "must be 0 or more, got " + maxClockSkewMs);
        }
        SettingException.requireAtLeast(SECTION, "partitions", partitions, 1);
        SettingException.requireAtLeast(SECTION, "replicationFactor", replicationFactor, 1);
        SettingException.requireAtLeast(SECTION, "deliveryTimeoutMs", deliveryTimeoutMs, 1000);
        if (!AUTH_TOKEN.equals(auth) && !AUTH_NONE.equals(auth)) {
            throw SettingException.of(SECTION, "auth", "must be 'token' or 'none', got " + auth);
        }
        if (adminToken != null && adminToken.length() < 16) {
            throw SettingException.of(SECTION, "adminToken", "must be at least 16 characters");
        }
        if (maxInFlightBytes < maxBodyBytes) {
            throw new SettingException(SECTION, name -> name.apply("maxInFlightBytes") + " must be at least "
                    + name.apply("maxBodyBytes") + " (" + maxBodyBytes + "), got " + maxInFlightBytes);
        }
        SettingException.requireBetween(SECTION, "eventLoops", eventLoops, 1, 64);
        SettingException.requireAtLeast(SECTION, "maxInFlightPerSocket", maxInFlightPerSocket, 1);
        SettingException.requireAtLeast(SECTION, "maxTrackedDevices", maxTrackedDevices, 1);
        SettingException.requireBetween(SECTION, "idleTimeoutSeconds", idleTimeoutSeconds, 1, 86_400);
    }

    public static GatewayConfig fromJson(JsonObject json) {
        return new GatewayConfig(
                json.getString("bootstrapServers"),
                json.getString("httpHost", "0.0.0.0"),
                json.getInteger("httpPort", DEFAULT_HTTP_PORT),
                json.getLong("maxBodyBytes", 1024L * 1024),
                json.getDouble("maxChunkSeconds", 10.0),
                json.getLong("maxClockSkewMs", 300_000L),
                json.getInteger("partitions", 6),
                json.getInteger("replicationFactor", 3).shortValue(),
                json.getInteger("deliveryTimeoutMs", 30_000),
                json.getString("auth", AUTH_TOKEN),
                blankToNull(json.getString("adminToken")),
                json.getLong("maxInFlightBytes", 64L * 1024 * 1024),
                json.getInteger("maxInFlightPerSocket", 16),
                json.getInteger("maxTrackedDevices", 1_000_000),
                Tls.fromJson(json.getJsonObject("tls")),
                json.getInteger("eventLoops", Runtime.getRuntime().availableProcessors()),
                json.getInteger("idleTimeoutSeconds", DEFAULT_IDLE_TIMEOUT_S));
    }

    /** An empty variable in a compose file or a shell means "not set". */
    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }

    public boolean devicesAuthenticate() {
        return AUTH_TOKEN.equals(auth);
    }
}
