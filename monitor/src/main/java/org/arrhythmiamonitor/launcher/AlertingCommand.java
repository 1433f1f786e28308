package org.arrhythmiamonitor.launcher;

import io.vertx.core.Vertx;
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
        Lifecycle lifecycle = new Lifecycle();
        try {
            Vertx vertx = lifecycle.vertx();
            AlertingService alerting = ServiceStarter.alerting(vertx, config, lifecycle, "--port");
            System.out.printf("Alerting on http://%s:%d/api/alerts (Kafka %s)%n", host, alerting.httpPort(),
                    config.bootstrapServers());
        } catch (RuntimeException e) {
            lifecycle.closeAll();
            throw e;
        }
        lifecycle.runUntilShutdown();
        return 0;
    }
}
