package org.arrhythmiamonitor.launcher;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import org.arrhythmiamonitor.ingest.simulator.DeviceTokensRequiredException;
import org.arrhythmiamonitor.ingest.simulator.FleetSimulator;
import org.arrhythmiamonitor.ingest.simulator.SignalSource;
import org.arrhythmiamonitor.ingest.simulator.SimulatorConfig;
import org.arrhythmiamonitor.ingest.simulator.SimulatorStats;
import org.arrhythmiamonitor.synthetic.PatientProfile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "simulate", mixinStandardHelpOptions = true,
        description = "Stream ECG from a fleet of simulated devices to a gateway and print sent, accepted, "
                + "rejected and retried chunks per second with the acknowledgement latency.")
final class SimulateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--gateway", defaultValue = "http://localhost:8080", paramLabel = "URL",
            description = "Gateway base URL (default: ${DEFAULT-VALUE})")
    URI gateway;

    @Option(names = "--devices", defaultValue = "10", description = "Number of devices (default: ${DEFAULT-VALUE})")
    int devices;

    @Option(names = "--source", defaultValue = "synthetic", paramLabel = "synthetic|wfdb:DIR",
            description = "synthetic: the generator's patient profiles; wfdb:DIR: the first lead of every record in "
                    + "DIR, played in a loop (default: ${DEFAULT-VALUE})")
    String source;

    @Option(names = "--profiles", split = ",", defaultValue = "normal,pvc,vt,af,pauses", paramLabel = "NAMES",
            description = "Synthetic patient profiles, dealt round-robin to the devices (default: ${DEFAULT-VALUE})")
    List<String> profiles;

    @Option(names = "--fs", defaultValue = "250", description = "Sampling rate of synthetic devices, Hz "
            + "(default: ${DEFAULT-VALUE})")
    double fs;

    @Option(names = "--speed", defaultValue = "realtime", paramLabel = "realtime|xK",
            description = "realtime, or xK to send K seconds of signal per second; sped-up device clocks start "
                    + "24 h back (default: ${DEFAULT-VALUE})")
    String speed;

    @Option(names = "--chunk-seconds", defaultValue = "1", description = "Signal per chunk (default: ${DEFAULT-VALUE})")
    double chunkSeconds;

    @Option(names = "--encoding", defaultValue = "json", paramLabel = "json|protobuf",
            description = "Body encoding (default: ${DEFAULT-VALUE})")
    String encoding;

    @Option(names = "--transport", defaultValue = "http", paramLabel = "http|websocket",
            description = "A POST per chunk, or one WebSocket stream per device (default: ${DEFAULT-VALUE})")
    String transport;

    @Option(names = "--admin-token", defaultValue = "${env:GATEWAY_ADMIN_TOKEN}", paramLabel = "TOKEN",
            description = "Gateway administrator token: issues a token per device (POST /v1/devices/{id}/token). "
                    + "Without it chunks go without a token, which only a gateway with --auth none accepts.")
    String adminToken;

    // Not the demo's own "sim": the README's command, run beside the demo, reissued the tokens of
    // the demo's patients (POST /token replaces a device's token), which then fell silent.
    @Option(names = "--device-prefix", defaultValue = "fleet", description = "Device ids are PREFIX-SOURCE-N "
            + "(default: ${DEFAULT-VALUE}). With --admin-token each device's token is issued anew, which "
            + "replaces the token of a device already streaming under that id.")
    String devicePrefix;

    @Option(names = "--connections", defaultValue = "64", description = "HTTP connections (default: ${DEFAULT-VALUE})")
    int connections;

    @Option(names = "--duration", defaultValue = "0", paramLabel = "SECONDS",
            description = "Stop after this long; 0 runs until Ctrl-C (default: ${DEFAULT-VALUE})")
    double durationS;

    @Option(names = "--insecure", description = "Trust any TLS certificate (a test gateway's self-signed one)")
    boolean insecure;

    @Override
    public Integer call() throws Exception {
        SimulatorConfig config = new CommandLineSettings(SimulatorConfig.SECTION)
                .flag("gateway", "--gateway")
                .flag("devices", "--devices")
                .flag("speed", "--speed")
                .flag("chunkSeconds", "--chunk-seconds")
                .flag("connections", "--connections")
                .flag("durationMs", "--duration")
                .flag("devicePrefix", "--device-prefix")
                .checkOptions(spec.commandLine(), () -> new SimulatorConfig(gateway, devices, sources(),
                        speedFactor(), chunkSeconds, protobuf(), webSocket(), adminToken, devicePrefix, connections,
                        1000, durationMs(), insecure));
        Lifecycle lifecycle = new Lifecycle();
        lifecycle.installShutdownHook();
        if (adminToken != null) {
            System.out.printf("Provisioning %d devices at %s ...%n", devices, gateway);
        }
        FleetSimulator simulator;
        try {
            simulator = FleetSimulator.start(lifecycle.vertx(), config, System.out::println).toCompletionStage()
                    .toCompletableFuture().get();
        } catch (ExecutionException e) {
            lifecycle.closeAll();
            // Said again here with what to do, which only this command knows: its flags and the gateway's.
            if (e.getCause() instanceof DeviceTokensRequiredException) {
                throw new LaunchException("the gateway at " + gateway + " wants a token from every device (it runs "
                        + "with --auth token): give --admin-token (or set GATEWAY_ADMIN_TOKEN) with its "
                        + "administrator token, and the simulator provisions a token per device; without one only a "
                        + "gateway started with --auth none accepts the chunks", e.getCause());
            }
            throw new LaunchException("the simulator could not start: " + e.getCause().getMessage(), e.getCause());
        }
        lifecycle.add("fleet simulator", () -> {
            simulator.close();
            System.out.println(simulator.summary());
        });
        System.out.printf("Simulating %d devices at %s ...%n", devices, speed);
        if (durationS > 0) {
            SimulatorStats.Figures total = simulator.finished().toCompletionStage().toCompletableFuture().get();
            lifecycle.closeAll();
            if (total.accepted() == 0) {
                // A run that got nothing through must not read as a success to a script.
                throw new LaunchException("the gateway at " + gateway + " accepted no chunk in " + durationS
                        + " s (" + total.sent() + " sending attempts); see the lines above for why", null);
            }
            return 0;
        }
        lifecycle.awaitShutdown();
        return 0;
    }

    private List<SignalSource> sources() {
        if ("synthetic".equals(source)) {
            if (fs < 100 || fs > 1000) {
                throw new IllegalArgumentException("--fs must be 100-1000 Hz, got " + fs);
            }
            ListFlag.check(spec.commandLine(), "--profiles", "profile", profiles);
            return SignalSource.synthetic(profiles.stream()
                    .map(p -> FlagValue.parse("--profiles", p.trim(), PatientProfile::of)).toList(), fs, 72, 1);
        }
        if (source.startsWith("wfdb:")) {
            for (String synthetic : List.of("--fs", "--profiles")) {
                if (spec.commandLine().getParseResult().hasMatchedOption(synthetic)) {
                    // Records play at their own rate and are no profiles: the flag would be ignored.
                    throw new IllegalArgumentException(synthetic + " is for --source synthetic; records of "
                            + source + " play as they were recorded, at their own sampling rate");
                }
            }
            if (source.length() == 5) {
                throw new IllegalArgumentException("--source wfdb:DIR must name a directory, got an empty one");
            }
            Path dir = Path.of(source.substring(5));
            if (!Files.isDirectory(dir)) {
                throw new IllegalArgumentException("--source " + source + ": " + dir + " is not a directory");
            }
            try {
                return SignalSource.wfdb(dir);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--source " + source + ": " + e.getMessage(), e);
            }
        }
        throw new IllegalArgumentException("--source must be 'synthetic' or 'wfdb:DIR', got '" + source + "'");
    }

    /**
     * The duration in whole milliseconds. 0 means "until Ctrl-C", so a duration that rounds to it
     * (0.0001 s) or is no number at all (NaN, which rounds to 0) must not become that.
     */
    private long durationMs() {
        if (Double.isNaN(durationS) || Double.isInfinite(durationS) || durationS > 0 && durationS < 0.001) {
            throw new IllegalArgumentException("--duration must be 0 (until Ctrl-C) or at least 0.001 s, got "
                    + durationS);
        }
        // Negative: the settings refuse it, so it must not round to 0 either.
        return durationS < 0 ? Math.min(-1, Math.round(durationS * 1000)) : Math.round(durationS * 1000);
    }

    private double speedFactor() {
        if ("realtime".equals(speed)) {
            return 1;
        }
        if (speed.matches("x\\d+(\\.\\d+)?")) {
            return Double.parseDouble(speed.substring(1));
        }
        throw new IllegalArgumentException("--speed must be 'realtime' or xK such as x10, got '" + speed + "'");
    }

    private boolean webSocket() {
        return switch (transport) {
            case "http" -> false;
            case "websocket" -> true;
            default -> throw new IllegalArgumentException("--transport must be http or websocket, got '" + transport
                    + "'");
        };
    }

    private boolean protobuf() {
        return switch (encoding) {
            case "json" -> false;
            case "protobuf" -> true;
            default -> throw new IllegalArgumentException("--encoding must be json or protobuf, got '" + encoding
                    + "'");
        };
    }
}
