package org.arrhythmiamonitor.launcher;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;
import org.arrhythmiamonitor.config.IoReasons;

/**
 * A real single-node Kafka broker in KRaft mode (broker and controller in one process), the same
 * broker classes a cluster runs, on a log directory that is formatted on first use and reused on
 * later starts, so the demo keeps its data across restarts.
 */
public final class EmbeddedKafka implements AutoCloseable {
    private static final int NODE_ID = 1;
    private static final String CONTROLLER_LISTENER = "CONTROLLER";

    private final KafkaRaftServer server;
    private final String bootstrapServers;

    /** The data directories of the brokers this JVM runs. */
    private static final Set<Path> HELD = ConcurrentHashMap.newKeySet();
    private final Path held;

    private EmbeddedKafka(KafkaRaftServer server, String bootstrapServers, Path held) {
        this.held = held;
        this.server = server;
        this.bootstrapServers = bootstrapServers;
    }

    /**
     * Formats {@code logDir} if it is new, then starts the broker on {@code host:port}.
     *
     * @throws LaunchException when the port is taken or the directory cannot be used
     */
    public static EmbeddedKafka start(Path logDir, String host, int port) {
        requireFreePort(host, port);
        int controllerPort = freePort(host);
        Properties props = brokerProperties(logDir, host, port, controllerPort);
        try {
            Files.createDirectories(logDir);
            if (!Files.exists(logDir.resolve("meta.properties"))) {
                format(logDir);
            }
        } catch (IOException e) {
            throw new LaunchException("Cannot use Kafka data directory " + logDir + ": " + IoReasons.of(e, logDir), e);
        }
        Path held = logDir.toAbsolutePath().normalize();
        if (!HELD.add(held)) {
            throw new LaunchException("The Kafka data directory " + logDir + " is in use by this process's own "
                    + "broker: choose another --data-dir.", null);
        }
        try {
            requireUnlocked(logDir);
        } catch (RuntimeException e) {
            HELD.remove(held);
            throw e;
        }
        KafkaRaftServer server;
        try {
            server = new KafkaRaftServer(KafkaConfig.fromProps(props), Time.SYSTEM);
            server.startup();
        } catch (RuntimeException e) {
            HELD.remove(held);
            String cause = rootMessage(e);
            String hint = cause.contains("lock") ? " Another demo seems to use this data directory: stop it or choose "
                    + "another --data-dir." : "";
            throw new LaunchException("The embedded Kafka broker did not start on " + host + ":" + port
                    + " with data in " + logDir + ": " + cause + "." + hint, e);
        }
        return new EmbeddedKafka(server, host + ":" + port, held);
    }

    /**
     * Kafka locks its data directory ({@code .lock}); a broker started on a locked one logs its
     * failure as pages of stack trace before it stops. Tried here first, and let go at once, so
     * that another demo on the same directory is said in one line. Only for other processes: the
     * directories of this JVM's brokers are known ({@link #HELD}), and a probe of one of them must
     * not be made at all, as closing any channel to a file drops all of the process's POSIX locks
     * on it, the running broker's too.
     */
    private static void requireUnlocked(Path logDir) {
        try (FileChannel channel = FileChannel.open(logDir.resolve(".lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE)) {
            FileLock lock = channel.tryLock();
            if (lock == null) {
                throw new LaunchException("The Kafka data directory " + logDir + " is in use by another process: "
                        + "another demo seems to use it. Stop that one or choose another --data-dir.", null);
            }
            lock.release();
        } catch (IOException e) {
            throw new LaunchException("Cannot use Kafka data directory " + logDir + ": " + IoReasons.of(e, logDir), e);
        }
    }

    private static Properties brokerProperties(Path logDir, String host, int port, int controllerPort) {
        Properties props = new Properties();
        props.put("process.roles", "broker,controller");
        props.put("node.id", String.valueOf(NODE_ID));
        props.put("controller.quorum.voters", NODE_ID + "@" + host + ":" + controllerPort);
        props.put("listeners", "PLAINTEXT://" + host + ":" + port + "," + CONTROLLER_LISTENER + "://" + host + ":"
                + controllerPort);
        props.put("advertised.listeners", "PLAINTEXT://" + host + ":" + port);
        props.put("controller.listener.names", CONTROLLER_LISTENER);
        props.put("inter.broker.listener.name", "PLAINTEXT");
        props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
        props.put("log.dirs", logDir.toAbsolutePath().toString());
        // One broker: every internal topic has one replica, and fewer partitions start faster.
        props.put("offsets.topic.replication.factor", "1");
        props.put("offsets.topic.num.partitions", "5");
        props.put("transaction.state.log.replication.factor", "1");
        props.put("transaction.state.log.min.isr", "1");
        props.put("transaction.state.log.num.partitions", "5");
        props.put("share.coordinator.state.topic.replication.factor", "1");
        props.put("share.coordinator.state.topic.min.isr", "1");
        props.put("default.replication.factor", "1");
        props.put("min.insync.replicas", "1");
        props.put("num.partitions", "3");
        props.put("group.initial.rebalance.delay.ms", "0");
        // The demo keeps a day of data, enough to replay it, without filling a laptop's disk.
        props.put("log.retention.hours", "24");
        return props;
    }

    private static void format(Path logDir) {
        String dir = logDir.toAbsolutePath().toString();
        try {
            new Formatter()
                    .setNodeId(NODE_ID)
                    .setClusterId(Uuid.randomUuid().toString())
                    .setDirectories(List.of(dir))
                    .setMetadataLogDirectory(dir)
                    .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
                    .setControllerListenerName(CONTROLLER_LISTENER)
                    .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                    .run();
        } catch (Exception e) {
            throw new LaunchException("Could not format the Kafka data directory " + logDir + ": " + rootMessage(e), e);
        }
    }

    private static void requireFreePort(String host, int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(host, port));
        } catch (IOException e) {
            throw new LaunchException("Port " + port + " on " + host + " is in use (is another Kafka running?). "
                    + "Choose another with --kafka-port, or use that Kafka with --bootstrap-servers.", e);
        }
    }

    private static int freePort(String host) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(host, 0));
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new LaunchException("No free port on " + host + " for the Kafka controller: " + e.getMessage(), e);
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() != null ? root.getMessage() : root.getClass().getSimpleName();
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** Stops the broker; its log is flushed and the directory can be reused by the next start. */
    @Override
    public void close() {
        server.shutdown();
        server.awaitShutdown();
        HELD.remove(held);
    }
}
