package org.arrhythmiamonitor.launcher;

import io.vertx.core.Vertx;
import org.arrhythmiamonitor.alerting.AlertingConfig;
import org.arrhythmiamonitor.alerting.AlertingService;
import org.arrhythmiamonitor.ingest.GatewayConfig;
import org.arrhythmiamonitor.ingest.GatewayService;
import org.arrhythmiamonitor.processor.ProcessorConfig;
import org.arrhythmiamonitor.processor.ProcessorService;

/** Starts each service and registers it for an orderly stop; shared by the demo and the single-service commands. */
final class ServiceStarter {
    private ServiceStarter() {
    }

    /**
     * @param exitOnFailure whether stream processing that fails for good ends the process (exit
     *        status 1, after the orderly stop), as it should for a service of its own: kept running
     *        it answers its health check DOWN and processes nothing, and a supervisor (Docker's
     *        restart policy, systemd) restarts only a process that exits. The demo says so and
     *        stays up, with its gateway and dashboard.
     */
    static ProcessorService processor(Vertx vertx, ProcessorConfig config, Lifecycle lifecycle, String portFlag,
            boolean exitOnFailure) {
        ProcessorService service = lifecycle.add("stream processor", Lifecycle.await(ProcessorService.start(vertx,
                config), "The stream processor", config.httpPort(), portFlag));
        service.failed().thenAccept(reason -> {
            if (!exitOnFailure) {
                System.err.println("monitor: the stream processor " + reason + "; no ECG is analysed any more: "
                        + "stop the demo and start it again");
                return;
            }
            System.err.println("monitor: the stream processor " + reason + "; stopping, so that it can be restarted");
            // Not on the stream thread that reported it: exit runs the shutdown hook, which closes the streams.
            new Thread(() -> System.exit(1), "processor-failed").start();
        });
        return service;
    }

    static GatewayService gateway(Vertx vertx, GatewayConfig config, Lifecycle lifecycle, String portFlag) {
        return lifecycle.add("ingest gateway", Lifecycle.await(GatewayService.start(vertx, config),
                "The ingest gateway", config.httpPort(), portFlag));
    }

    static AlertingService alerting(Vertx vertx, AlertingConfig config, Lifecycle lifecycle, String portFlag) {
        return lifecycle.add("alerting", Lifecycle.await(AlertingService.start(vertx, config),
                "The alerting service", config.httpPort(), portFlag));
    }
}
