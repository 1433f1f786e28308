package org.arrhythmiamonitor.launcher;

import java.util.concurrent.Callable;
import org.arrhythmiamonitor.alerting.AlertingConfig;
import org.arrhythmiamonitor.alerting.AlertingService;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "alerting", mixinStandardHelpOptions = true,
        description = "Run the alerting service and dashboard against a Kafka cluster.")
final class AlertingCommand implements Callable<Integer> {
    @Mixin
    KafkaOptions kafka;

    @Option(names = "--host", defaultValue = "${env:ALERTING_HOST:-0.0.0.0}",
            description = "Address to listen on (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--port", defaultValue = "${env:ALERTING_PORT:-8081}",
            description = "HTTP port (default: ${DEFAULT-VALUE}).")
    int port;

    @Override
    public Integer call() {
        AlertingConfig config = AlertingConfig.fromJson(kafka.toJson().put("httpHost", host).put("httpPort", port));
        return Lifecycle.runService(lifecycle -> {
            AlertingService alerting = ServiceStarter.alerting(lifecycle.vertx(), config, lifecycle, "--port");
            return String.format("Alerting on http://%s:%d/api/alerts (Kafka %s)", host, alerting.httpPort(),
                    config.bootstrapServers());
        });
    }
}
