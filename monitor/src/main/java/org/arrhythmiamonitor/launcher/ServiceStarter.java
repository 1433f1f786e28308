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

    static ProcessorService processor(Vertx vertx, ProcessorConfig config, Lifecycle lifecycle, String portFlag) {
        return lifecycle.add("stream processor", Lifecycle.await(ProcessorService.start(vertx, config),
                "The stream processor", config.httpPort(), portFlag));
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
