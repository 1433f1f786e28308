package org.arrhythmiamonitor.launcher;

import io.vertx.core.json.JsonObject;
import java.util.concurrent.Callable;
import org.arrhythmiamonitor.config.SettingException;
import org.arrhythmiamonitor.ingest.GatewayConfig;
import org.arrhythmiamonitor.ingest.GatewayService;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "gateway", mixinStandardHelpOptions = true,
        description = "Run the ingest gateway against a Kafka cluster.")
final class GatewayCommand implements Callable<Integer> {
    /** A terabyte of chunks waiting for Kafka is a typo, and more would overflow the byte count. */
    private static final long MAX_INFLIGHT_MB = 1_048_576;

    @Mixin
    KafkaOptions kafka;

    @Option(names = "--host", defaultValue = "${env:GATEWAY_HOST:-0.0.0.0}",
            description = "Address to listen on (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--port", defaultValue = "${env:GATEWAY_PORT:-8080}",
            description = "HTTP port (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--max-chunk-seconds", defaultValue = "10",
            description = "Longest chunk accepted, in seconds of signal (default: ${DEFAULT-VALUE}).")
    double maxChunkSeconds;

    @Option(names = "--auth", defaultValue = "${env:GATEWAY_AUTH:-token}", paramLabel = "token|none",
            description = "token: each device sends its own token (default); none: anyone may write any device's "
                    + "stream, for closed test networks only (default: ${DEFAULT-VALUE}).")
    String auth;

    @Option(names = "--admin-token", defaultValue = "${env:GATEWAY_ADMIN_TOKEN}", paramLabel = "TOKEN",
            description = "Bearer token of the provisioning API (POST /v1/devices); without it devices cannot be "
                    + "provisioned through this gateway. Prefer the GATEWAY_ADMIN_TOKEN variable: flags show in ps.")
    String adminToken;

    @Option(names = "--tls-cert", paramLabel = "PEM", defaultValue = "${env:GATEWAY_TLS_CERT}",
            description = "Serve HTTPS/WSS with this PEM certificate chain (with --tls-key).")
    String tlsCert;

    @Option(names = "--tls-key", paramLabel = "PEM", defaultValue = "${env:GATEWAY_TLS_KEY}",
            description = "PEM private key (PKCS#8) of --tls-cert.")
    String tlsKey;

    @Option(names = "--max-inflight-mb", defaultValue = "64",
            description = "Chunk megabytes waiting for Kafka above which devices get 503 with Retry-After "
                    + "(default: ${DEFAULT-VALUE}).")
    long maxInFlightMb;

    @Option(names = "--idle-timeout", paramLabel = "SECONDS",
            defaultValue = "${env:GATEWAY_IDLE_TIMEOUT:-" + GatewayConfig.DEFAULT_IDLE_TIMEOUT_S + "}",
            description = "Close a connection (HTTP or WebSocket) with no traffic either way for this long; devices "
                    + "that pause longer reconnect (default: ${DEFAULT-VALUE}).")
    int idleTimeoutSeconds;

    @Override
    public Integer call() {
        // Checked here, in the flag's own unit: the settings would speak of maxInFlightBytes.
        if (maxInFlightMb < 1 || maxInFlightMb > MAX_INFLIGHT_MB) {
            throw new IllegalArgumentException("--max-inflight-mb must be 1-" + MAX_INFLIGHT_MB + " (MiB), got "
                    + maxInFlightMb);
        }
        CommandLineSettings settings = new CommandLineSettings(GatewayConfig.SECTION)
                .put("httpHost", "--host", host)
                .put("httpPort", "--port", port)
                .put("maxChunkSeconds", "--max-chunk-seconds", maxChunkSeconds)
                .put("auth", "--auth", auth)
                .put("adminToken", "--admin-token", adminToken)
                .put("idleTimeoutSeconds", "--idle-timeout", idleTimeoutSeconds)
                // Not named by its flag: the gateway would give the value in bytes.
                .put("maxInFlightBytes", maxInFlightMb * 1024 * 1024);
        kafka.putInto(settings);
        if (tlsCert != null || tlsKey != null) {
            settings.put("tls", new JsonObject().put("certPath", tlsCert).put("keyPath", tlsKey))
                    .flag("tls.certPath", "--tls-cert")
                    .flag("tls.keyPath", "--tls-key");
        }
        GatewayConfig config = settings.build(GatewayConfig::fromJson);
        return Lifecycle.runService(lifecycle -> {
            GatewayService gateway;
            try {
                gateway = ServiceStarter.gateway(lifecycle.vertx(), config, lifecycle, "--port");
            } catch (SettingException e) {
                // Found at start (the TLS files): named by the flags that gave them, as the others are.
                throw new IllegalArgumentException(settings.describe(e), e);
            }
            return String.format("Ingest gateway on %s://%s:%d (Kafka %s, auth=%s)",
                    config.tls() == null ? "http" : "https", host, gateway.httpPort(), config.bootstrapServers(), auth);
        });
    }
}
