package org.arrhythmiamonitor.launcher;

import java.util.concurrent.Callable;
import org.arrhythmiamonitor.ingest.GatewayConfig;
import org.arrhythmiamonitor.ingest.GatewayService;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "gateway", mixinStandardHelpOptions = true,
        description = "Run the ingest gateway against a Kafka cluster.")
final class GatewayCommand implements Callable<Integer> {
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

    @Override
    public Integer call() {
        GatewayConfig config = GatewayConfig.fromJson(kafka.toJson()
                .put("httpHost", host).put("httpPort", port).put("maxChunkSeconds", maxChunkSeconds));
        return Lifecycle.runService(lifecycle -> {
            GatewayService gateway = ServiceStarter.gateway(lifecycle.vertx(), config, lifecycle, "--port");
            return String.format("Ingest gateway on http://%s:%d (Kafka %s)", host, gateway.httpPort(),
                    config.bootstrapServers());
        });
    }
}
