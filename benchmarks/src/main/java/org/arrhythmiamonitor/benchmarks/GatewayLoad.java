package org.arrhythmiamonitor.benchmarks;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.arrhythmiamonitor.ingest.DeviceTokens;
import org.arrhythmiamonitor.ingest.GatewayConfig;
import org.arrhythmiamonitor.ingest.GatewayService;
import org.arrhythmiamonitor.ingest.simulator.FleetSimulator;
import org.arrhythmiamonitor.ingest.simulator.SignalSource;
import org.arrhythmiamonitor.ingest.simulator.SimulatorConfig;
import org.arrhythmiamonitor.launcher.EmbeddedKafka;
import org.arrhythmiamonitor.synthetic.PatientProfile;

/**
 * Load figure of the gateway with its broker: a single-node Kafka (KRaft), the gateway with token
 * authentication, and the fleet simulator, all on this machine, streaming 1 s chunks at 250 Hz
 * from {@code devices} devices in real time for {@code seconds}. Prints the simulator's line
 * every second and the totals; the sustained figure is the accepted chunks per second.
 *
 * <pre>
 * java -cp "benchmarks/target/benchmarks-0.1.0-SNAPSHOT.jar:benchmarks/target/lib/*" \
 *     org.arrhythmiamonitor.benchmarks.GatewayLoad DEVICES SECONDS json|protobuf [CONNECTIONS [http|websocket [SPEED]]]
 * </pre>
 */
public final class GatewayLoad {
    private GatewayLoad() {
    }

    public static void main(String[] args) throws Exception {
        int devices = args.length > 0 ? Integer.parseInt(args[0]) : 5000;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 60;
        boolean protobuf = args.length > 2 && "protobuf".equals(args[2]);
        int connections = args.length > 3 ? Integer.parseInt(args[3]) : 64;
        boolean webSocket = args.length > 4 && "websocket".equals(args[4]);
        // Chunks per device and second: above 1 stands in for more devices than one process may
        // hold sockets for (a WebSocket fleet of 20 000 needs 40 000 descriptors in one JVM).
        double speed = args.length > 5 ? Double.parseDouble(args[5]) : 1;
        Path dir = Files.createTempDirectory("gateway-load");
        String admin = DeviceTokens.issue();
        int kafkaPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            kafkaPort = socket.getLocalPort();
        }
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"), "127.0.0.1", kafkaPort)) {
            Vertx vertx = Vertx.vertx();
            GatewayService gateway = GatewayService.start(vertx, GatewayConfig.fromJson(new JsonObject()
                    .put("bootstrapServers", kafka.bootstrapServers()).put("httpHost", "127.0.0.1")
                    .put("httpPort", 0).put("partitions", 6).put("replicationFactor", 1)
                    .put("adminToken", admin))).await();
            SimulatorConfig config = new SimulatorConfig(URI.create("http://127.0.0.1:" + gateway.httpPort()),
                    devices, SignalSource.synthetic(List.of(PatientProfile.values()), 250, 72, 1), speed, 1, protobuf,
                    webSocket,
                    admin, "load", connections, 1000, seconds * 1000L, false);
            long provisioning = System.nanoTime();
            FleetSimulator simulator = FleetSimulator.start(vertx, config, System.out::println).await();
            System.out.printf("provisioned %d devices in %.1f s; streaming %s over %s for %d s%n", devices,
                    (System.nanoTime() - provisioning) / 1e9, protobuf ? "protobuf" : "json",
                    webSocket ? "WebSockets" : "HTTP POSTs", seconds);
            simulator.finished().await();
            System.out.println(simulator.summary());
            simulator.close();
            gateway.close();
            vertx.close().await();
        }
    }
}
