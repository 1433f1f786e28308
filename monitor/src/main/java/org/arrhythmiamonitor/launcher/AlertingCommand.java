package org.arrhythmiamonitor.launcher;

import java.nio.file.Path;
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

    @Option(names = "--config", defaultValue = "${env:ALERTING_CONFIG}", paramLabel = "FILE",
            description = "JSON settings: users, webhooks, deviceGroups, escalation, retry, suppressRepeatsSeconds, "
                    + "sessions (see docs: alerting). Without users nobody can log in.")
    Path settings;

    @Override
    public Integer call() {
        CommandLineSettings fromCommandLine = new CommandLineSettings(AlertingConfig.SECTION,
                AlertingSettings.read(settings))
                .put("httpHost", "--host", host)
                .put("httpPort", "--port", port);
        kafka.putInto(fromCommandLine);
        AlertingConfig config = fromCommandLine.build(AlertingConfig::fromJson);
        return Lifecycle.runService(lifecycle -> {
            AlertingService alerting = ServiceStarter.alerting(lifecycle.vertx(), config, lifecycle, "--port");
            return String.format("Alerting: dashboard on http://%s:%d/ , API at /api (Kafka %s, %d users)", host,
                    alerting.httpPort(), config.bootstrapServers(), config.users().size());
        });
    }
}
