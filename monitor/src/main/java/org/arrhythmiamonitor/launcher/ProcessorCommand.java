package org.arrhythmiamonitor.launcher;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.concurrent.Callable;
import org.arrhythmiamonitor.processor.ProcessorConfig;
import org.arrhythmiamonitor.processor.ProcessorService;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "processor", mixinStandardHelpOptions = true,
        description = "Run one stream-processor instance against a Kafka cluster; start more with the same "
                + "application id to share the work.")
final class ProcessorCommand implements Callable<Integer> {
    @Mixin
    KafkaOptions kafka;

    @Option(names = "--host", defaultValue = "${env:PROCESSOR_HOST:-0.0.0.0}",
            description = "Address of the health and metrics endpoint (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--port", defaultValue = "${env:PROCESSOR_PORT:-8082}",
            description = "Port of the health and metrics endpoint (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--application-id", defaultValue = "${env:PROCESSOR_APPLICATION_ID:-arrhythmia-monitor-processor}",
            description = "Kafka Streams application id (default: ${DEFAULT-VALUE}).")
    String applicationId;

    @Option(names = "--application-server", defaultValue = "${env:PROCESSOR_APPLICATION_SERVER}",
            paramLabel = "HOST:PORT|auto",
            description = "Where the other processor instances reach this one's HTTP API, so that a burden query for "
                    + "a device another instance keeps is redirected there; set it on every instance when you run "
                    + "several. 'auto' is this host's name and --port (default: none, a single instance).")
    String applicationServer;

    @Option(names = "--state-dir",
            defaultValue = "${env:PROCESSOR_STATE_DIR:-${sys:java.io.tmpdir}/arrhythmia-monitor-streams}",
            description = "Directory of the local state stores (default: ${DEFAULT-VALUE}).")
    String stateDir;

    @Option(names = "--threads", defaultValue = "1", description = "Stream threads (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--state-cache-mb", defaultValue = "10", paramLabel = "MB",
            description = "Record cache of the state stores, shared by the stream threads: a device's writes within "
                    + "one commit reach the changelog once while it holds them; 0 writes every change through "
                    + "(default: ${DEFAULT-VALUE}).")
    int stateCacheMb;

    @Option(names = "--mains-notch", defaultValue = "${env:PROCESSOR_MAINS_NOTCH:-50}", paramLabel = "50|60|off",
            description = "Mains frequency the notch filter removes (default: ${DEFAULT-VALUE}).")
    String mainsNotch;

    @Mixin
    RuleOptions rules;

    @Mixin
    InferenceOptions inference;

    @Override
    public Integer call() {
        CommandLineSettings settings = new CommandLineSettings(ProcessorConfig.SECTION)
                .put("httpHost", "--host", host)
                .put("httpPort", "--port", port)
                .put("applicationId", "--application-id", applicationId)
                .put("stateDir", "--state-dir", stateDir)
                .put("streamThreads", "--threads", threads)
                .put("stateCacheMb", "--state-cache-mb", stateCacheMb)
                .put("mainsNotch", "--mains-notch", mainsNotch)
                .putIfGiven("applicationServer", "--application-server", applicationServer(applicationServer, port));
        kafka.putInto(settings);
        rules.putInto(settings);
        inference.putInto(settings);
        ProcessorConfig config = settings.build(ProcessorConfig::fromJson);
        return Lifecycle.runService(lifecycle -> {
            ProcessorService processor = ServiceStarter.processor(lifecycle.vertx(), config, lifecycle, "--port", true);
            return String.format("Stream processor %s running; health and metrics on http://%s:%d (Kafka %s)",
                    applicationId, host, processor.httpPort(), config.bootstrapServers());
        });
    }

    /** The flag's value, with 'auto' read as this host's name and the HTTP port (one container each). */
    static String applicationServer(String value, int port) {
        if (!"auto".equals(value)) {
            return value;
        }
        if (port == 0) {
            // host:0 would be refused as a value nobody typed; other instances need the real port.
            throw new IllegalArgumentException("--application-server auto needs a fixed --port, not 0 (any free port): "
                    + "other instances reach this one there");
        }
        try {
            return InetAddress.getLocalHost().getHostName() + ":" + port;
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("--application-server auto: this host's name is unknown ("
                    + e.getMessage() + "); give host:port", e);
        }
    }
}
