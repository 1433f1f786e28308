package org.arrhythmiamonitor.launcher;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.arrhythmiamonitor.alerting.AlertingConfig;
import org.arrhythmiamonitor.alerting.AlertingService;
import org.arrhythmiamonitor.ingest.DeviceTokens;
import org.arrhythmiamonitor.ingest.GatewayConfig;
import org.arrhythmiamonitor.ingest.GatewayService;
import org.arrhythmiamonitor.ingest.simulator.FleetSimulator;
import org.arrhythmiamonitor.ingest.simulator.SignalSource;
import org.arrhythmiamonitor.ingest.simulator.SimulatorConfig;
import org.arrhythmiamonitor.processor.ProcessorConfig;
import org.arrhythmiamonitor.processor.ProcessorService;
import org.arrhythmiamonitor.synthetic.PatientProfile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Everything in one JVM: an embedded single-node Kafka (KRaft) unless {@code --bootstrap-servers}
 * names one, the stream processor, the ingest gateway and the alerting service.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run the whole system in one JVM on an embedded Kafka broker (or an existing one).")
public final class DemoCommand implements Callable<Integer> {
    @Option(names = "--data-dir", defaultValue = ".monitor-data",
            description = "Where the embedded broker and the processor keep their data (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT",
            description = "Use this Kafka instead of starting the embedded broker.")
    String bootstrapServers;

    @Option(names = "--host", defaultValue = "127.0.0.1",
            description = "Address every service listens on (default: ${DEFAULT-VALUE}; 0.0.0.0 for all).")
    String host;

    @Option(names = "--kafka-port", paramLabel = "PORT",
            description = "Port of the embedded Kafka broker, on 127.0.0.1 (default: " + DEFAULT_KAFKA_PORT
                    + "); not with --bootstrap-servers, which starts no broker.")
    Integer kafkaPort;

    @Option(names = "--gateway-port", defaultValue = "8080", description = "Gateway port (default: ${DEFAULT-VALUE}).")
    int gatewayPort;

    @Option(names = "--alerting-port", defaultValue = "8081",
            description = "Alerting and dashboard port (default: ${DEFAULT-VALUE}).")
    int alertingPort;

    @Option(names = "--processor-port", defaultValue = "8082",
            description = "Processor health and metrics port (default: ${DEFAULT-VALUE}).")
    int processorPort;

    @Option(names = "--mains-notch", defaultValue = "${env:PROCESSOR_MAINS_NOTCH:-50}", paramLabel = "50|60|off",
            description = "Mains frequency the notch filter removes (default: ${DEFAULT-VALUE}).")
    String mainsNotch;

    @Option(names = "--admin-token", defaultValue = "${env:GATEWAY_ADMIN_TOKEN}", paramLabel = "TOKEN",
            description = "Administrator token of the gateway's provisioning API (default: a new random one at "
                    + "every start, printed in the banner).")
    String adminToken;

    @Option(names = "--simulate", defaultValue = "5", paramLabel = "DEVICES",
            description = "Simulated patients streaming through the gateway, dealt round-robin from the profiles "
                    + "normal, pvc, vt, af and pauses, so alerts of several kinds appear within a minute; 0 for none "
                    + "(default: ${DEFAULT-VALUE}).")
    int simulatedDevices;

    @Option(names = "--alerting-config", defaultValue = "${env:ALERTING_CONFIG}", paramLabel = "FILE",
            description = "Alerting settings (users, webhooks, escalation, ...; see docs: alerting). Without users "
                    + "in it the demo creates 'clinician' and 'admin' with new passwords, printed in the banner.")
    Path alertingSettings;

    @Mixin
    RuleOptions rules;

    @Mixin
    InferenceOptions inference;

    private final Lifecycle lifecycle = new Lifecycle();

    /** Where the demo's services ended up listening. */
    public record Running(String bootstrapServers, int gatewayPort, int alertingPort, int processorPort,
            String adminToken, String exampleDeviceToken, AlertingSettings.DemoUsers dashboardUsers) {
    }

    static final int DEFAULT_KAFKA_PORT = 9092;
    /** The device of the README's curl example, whose token the banner shows. */
    static final String EXAMPLE_DEVICE = "demo-001";
    /** The embedded broker serves only this JVM and local tools, so it stays on loopback whatever --host says. */
    private static final String EMBEDDED_HOST = "127.0.0.1";

    @Override
    public Integer call() {
        // Installed before anything starts, so Ctrl-C during start-up also stops what did start.
        lifecycle.installShutdownHook();
        start();
        lifecycle.awaitShutdown();
        return 0;
    }

    /** Starts everything and returns; {@link #stop()} stops it. Tests drive the demo through these. */
    public Running start() {
        return lifecycle.startOrUndo(() -> {
            if (host.isBlank()) {
                // Checked before the broker: every service would be refused it, after the broker's start.
                throw new IllegalArgumentException("--host must name an address to listen on (127.0.0.1, or 0.0.0.0 "
                        + "for all), got an empty one");
            }
            if (dataDir.toString().isEmpty()) {
                // An empty path is the current directory only by accident (OutputPaths).
                throw new IllegalArgumentException("--data-dir must name a directory, got an empty path (for the "
                        + "current directory, give .)");
            }
            if (simulatedDevices < 0) {
                throw new IllegalArgumentException("--simulate must be 0 (no simulated patients) or more, got "
                        + simulatedDevices);
            }
            // Every setting is checked before the broker starts: a mistake in a file is reported at
            // once, not after the broker's start-up and then its shutdown.
            if (bootstrapServers != null && kafkaPort != null) {
                // Ignored, the operator would think the demo's broker is where they said.
                throw new IllegalArgumentException("--kafka-port is the port of the embedded broker, which "
                        + "--bootstrap-servers '" + bootstrapServers + "' replaces: give one or the other");
            }
            int port = kafkaPort != null ? kafkaPort : DEFAULT_KAFKA_PORT;
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("--kafka-port must be 1-65535, got " + port);
            }
            String kafka = bootstrapServers != null ? bootstrapServers : EMBEDDED_HOST + ":" + port;
            CommandLineSettings processorJson = common(ProcessorConfig.SECTION, new JsonObject(), kafka)
                    .put("httpPort", "--processor-port", processorPort)
                    .put("stateDir", "--data-dir", dataDir.resolve("streams").toAbsolutePath().toString())
                    .put("mainsNotch", "--mains-notch", mainsNotch);
            rules.putInto(processorJson);
            inference.putInto(processorJson);
            ProcessorConfig processorConfig = processorJson.build(ProcessorConfig::fromJson);
            CommandLineSettings alertingJson = common(AlertingConfig.SECTION,
                    AlertingSettings.read(alertingSettings, true), kafka).put("httpPort", "--alerting-port", alertingPort);
            AlertingSettings.DemoUsers users = null;
            // Only a missing or empty list is filled in; a value of another type is left for
            // AlertingConfig to refuse with its own message.
            Object listed = alertingJson.json().getValue("users");
            if (listed == null || listed instanceof JsonArray list && list.isEmpty()) {
                users = AlertingSettings.DemoUsers.generate();
                alertingJson.put("users", users.toJson());
            }
            AlertingConfig alertingConfig = alertingJson.build(AlertingConfig::fromJson);
            // Empty is unset, as the gateway reads an empty GATEWAY_ADMIN_TOKEN: used as given, the
            // banner printed "Bearer " and the demo's simulator stopped it with a stack trace.
            String admin = adminToken != null && !adminToken.isBlank() ? adminToken : DeviceTokens.issue();
            GatewayConfig gatewayConfig = common(GatewayConfig.SECTION, new JsonObject(), kafka)
                    .put("httpPort", "--gateway-port", gatewayPort)
                    .put("adminToken", "--admin-token", admin)
                    .build(GatewayConfig::fromJson);

            if (bootstrapServers == null) {
                System.out.println("Starting the embedded Kafka broker (data in " + dataDir.toAbsolutePath() + ") ...");
                lifecycle.add("embedded Kafka broker", EmbeddedKafka.start(dataDir.resolve("kafka"), EMBEDDED_HOST, port));
            }
            Vertx vertx = lifecycle.vertx();
            ProcessorService processor = ServiceStarter.processor(vertx, processorConfig, lifecycle,
                    "--processor-port", false);
            AlertingService alerting = ServiceStarter.alerting(vertx, alertingConfig, lifecycle, "--alerting-port");
            GatewayService gateway = ServiceStarter.gateway(vertx, gatewayConfig, lifecycle, "--gateway-port");
            Running running = new Running(kafka, gateway.httpPort(), alerting.httpPort(), processor.httpPort(),
                    admin, gateway.issueToken(EXAMPLE_DEVICE), users);
            printBanner(running);
            if (simulatedDevices > 0) {
                startSimulator(vertx, running);
            }
            return running;
        });
    }

    /** What the three services share: where Kafka is, the address they listen on, topics for one broker. */
    private CommandLineSettings common(String section, JsonObject fromFile, String kafka) {
        return new CommandLineSettings(section, fromFile)
                .put("bootstrapServers", bootstrapServers != null ? "--bootstrap-servers" : "--kafka-port", kafka)
                .put("httpHost", "--host", host)
                .put("partitions", 3)
                .put("replicationFactor", 1);
    }

    private void startSimulator(Vertx vertx, Running running) {
        List<PatientProfile> profiles = List.of(PatientProfile.NORMAL, PatientProfile.PVC, PatientProfile.VT,
                PatientProfile.AF, PatientProfile.PAUSES);
        SimulatorConfig config = new SimulatorConfig(URI.create("http://127.0.0.1:" + running.gatewayPort()),
                simulatedDevices, SignalSource.synthetic(profiles, 250, 72, 1), 1, 1, false, false, running.adminToken(),
                "sim", 8, 60_000, 0, false);
        FleetSimulator simulator = FleetSimulator.start(vertx, config, System.out::println).toCompletionStage()
                .toCompletableFuture().join();
        lifecycle.add("fleet simulator", simulator);
        System.out.printf("Simulating %d patients (%s): a line of figures every minute.%n%n", simulatedDevices,
                String.join(", ", simulator.deviceIds()));
    }

    public void stop() {
        lifecycle.closeAll();
    }

    private void printBanner(Running r) {
        String web = "localhost".equals(host) || "0.0.0.0".equals(host) || "127.0.0.1".equals(host)
                ? "localhost" : host;
        String logins = r.dashboardUsers() == null
                ? "                  log in with the users of " + alertingSettings + "\n"
                : String.format("""
                                  log in as clinician / %s
                                        or admin     / %s   (new at every start)
                                """, r.dashboardUsers().clinicianPassword(), r.dashboardUsers().adminPassword());
        String password = r.dashboardUsers() == null ? "PASSWORD" : r.dashboardUsers().clinicianPassword();
        System.out.printf("""

                Arrhythmia Monitor demo is running. Ctrl-C stops it.
                  Dashboard            http://%s:%d/
                %s  Kafka                %s%s
                  Ingest gateway       http://%s:%d   POST /v1/devices/{deviceId}/ecg
                  Alerts API           http://%s:%d/api/alerts   (after POST /api/login)
                  Stream processor     http://%s:%d/health
                  Metrics              /metrics on each of the three ports

                Devices send their own bearer token. Post a 10 s chunk of tachycardia as %s
                (its token is new at every start) and watch the alert arrive:
                  TOKEN=%s
                  curl -s -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \\
                       --data @examples/tachycardia-chunk.json http://%s:%d/v1/devices/%s/ecg
                  curl -s -c /tmp/am.cookies -H 'Content-Type: application/json' \\
                       -d '{"username": "%s", "password": "%s"}' http://%s:%d/api/login
                  curl -s -b /tmp/am.cookies http://%s:%d/api/alerts

                Provision another device (the answer holds its token, shown once):
                  curl -s -H 'Authorization: Bearer %s' -H 'Content-Type: application/json' \\
                       -d '{"deviceId": "my-device"}' http://%s:%d/v1/devices

                """,
                web, r.alertingPort(), logins,
                r.bootstrapServers(), bootstrapServers == null ? " (embedded, KRaft)" : "",
                web, r.gatewayPort(), web, r.alertingPort(), web, r.processorPort(),
                EXAMPLE_DEVICE, r.exampleDeviceToken(), web, r.gatewayPort(), EXAMPLE_DEVICE,
                "clinician", password, web, r.alertingPort(), web, r.alertingPort(),
                r.adminToken(), web, r.gatewayPort());
    }
}
