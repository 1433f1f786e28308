package org.arrhythmiamonitor.processor;

import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import java.util.function.Function;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;
import org.apache.kafka.streams.errors.LogAndContinueProcessingExceptionHandler;
import org.arrhythmiamonitor.config.SettingException;
import org.arrhythmiamonitor.episode.EpisodeRules;
import org.arrhythmiamonitor.inference.ExecutionDevice;
import org.arrhythmiamonitor.inference.InferenceSettings;
import org.arrhythmiamonitor.signal.MainsFrequency;

/**
 * Settings of the stream processor, read from JSON in the Vert.x manner.
 *
 * @param bootstrapServers Kafka bootstrap servers
 * @param applicationId Kafka Streams application id: instances with the same id share the work
 * @param stateDir where the local state stores live
 * @param httpHost address of the health and metrics endpoint
 * @param httpPort port of the health and metrics endpoint (0 picks a free one)
 * @param partitions partitions of the topics the processor creates when they are missing
 * @param replicationFactor replication of those topics, lowered to the number of brokers
 * @param streamThreads Kafka Streams threads in this instance
 * @param stateCacheMb the state stores' record cache, MB, shared by the stream threads
 *     ({@code statestore.cache.max.bytes}): a device's writes within one commit reach RocksDB and
 *     the changelog once while the cache holds a commit's writes; 0 writes every change through
 * @param rules limits of the episode and alert rules, for every patient without overrides ({@code episodes})
 * @param mains mains frequency the notch filter removes (50 Hz, 60 Hz or off)
 * @param inference where the beat models come from, where they run and how beats are batched
 * @param applicationServer {@code host:port} at which other instances reach this one's HTTP API
 *     (Kafka Streams {@code application.server}), needed to answer burden queries with several
 *     instances; null when the instance runs alone
 */
public record ProcessorConfig(String bootstrapServers, String applicationId, String stateDir, String httpHost,
        int httpPort, int partitions, short replicationFactor, int streamThreads, int stateCacheMb, EpisodeRules rules,
        MainsFrequency mains, InferenceSettings inference, String applicationServer) {

    public static final int DEFAULT_HTTP_PORT = 8082;
    /** Kafka Streams' own default: enough for a commit's writes of about 7 000 devices sending 1 s chunks. */
    public static final int DEFAULT_STATE_CACHE_MB = 10;
    /** Whose settings these are, in messages. */
    public static final String SECTION = "processor";

    public ProcessorConfig {
        if (bootstrapServers == null || bootstrapServers.isBlank()) {
            throw SettingException.of(SECTION, "bootstrapServers", "is required");
        }
        SettingException.requireListenAddress(SECTION, "httpHost", httpHost);
        SettingException.requirePort(SECTION, "httpPort", httpPort);
        if (stateDir == null || stateDir.isBlank()) {
            throw SettingException.of(SECTION, "stateDir", "must name a directory, got '" + stateDir + "'");
        }
        // Kafka Streams would fail on it later, with a message about instances sharing a directory.
        if (Files.exists(Path.of(stateDir)) && !Files.isDirectory(Path.of(stateDir))) {
            throw SettingException.of(SECTION, "stateDir", "is a file, not a directory: " + stateDir);
        }
        // Kafka Streams names its topics and state directories after it: other characters fail only
        // once the streams run, as an invalid topic name.
        if (applicationId == null || !applicationId.matches("[A-Za-z0-9._-]{1,100}")) {
            throw SettingException.of(SECTION, "applicationId", "must be 1-100 letters, digits, '.', '_' or '-', got '"
                    + applicationId + "'");
        }
        if (applicationServer != null && !(applicationServer.matches("[^:/\\s]+:\\d{1,5}")
                && validPort(applicationServer.substring(applicationServer.lastIndexOf(':') + 1)))) {
            throw SettingException.of(SECTION, "applicationServer", "must be host:port with a port of 1-65535, got '"
                    + applicationServer + "'");
        }
        SettingException.requireAtLeast(SECTION, "partitions", partitions, 1);
        SettingException.requireAtLeast(SECTION, "replicationFactor", replicationFactor, 1);
        SettingException.requireAtLeast(SECTION, "streamThreads", streamThreads, 1);
        SettingException.requireBetween(SECTION, "stateCacheMb", stateCacheMb, 0, 65_536);
    }

    private static boolean validPort(String digits) {
        int port = Integer.parseInt(digits);
        return port >= 1 && port <= 65_535;
    }

    public static ProcessorConfig fromJson(JsonObject json) {
        return new ProcessorConfig(
                json.getString("bootstrapServers"),
                json.getString("applicationId", "arrhythmia-monitor-processor"),
                json.getString("stateDir", System.getProperty("java.io.tmpdir") + "/arrhythmia-monitor-streams"),
                json.getString("httpHost", "0.0.0.0"),
                json.getInteger("httpPort", DEFAULT_HTTP_PORT),
                json.getInteger("partitions", 6),
                json.getInteger("replicationFactor", 3).shortValue(),
                json.getInteger("streamThreads", 1),
                json.getInteger("stateCacheMb", DEFAULT_STATE_CACHE_MB),
                EpisodeRules.fromJson(json.getJsonObject("episodes")),
                parsed(SECTION, "mainsNotch", String.valueOf(json.getValue("mainsNotch", "50")), MainsFrequency::parse,
                        "50, 60 or off"),
                inference(json.getJsonObject("inference", new JsonObject())),
                json.getString("applicationServer"));
    }

    /** This instance's {@code application.server}, or null when it runs alone. */
    public HostInfo applicationHost() {
        return applicationServer == null ? null : HostInfo.buildFromEndpoint(applicationServer);
    }

    /**
     * {@code inference}: {@code device} (cpu|cuda), {@code threads}, {@code maxBatch},
     * {@code maxWaitMs}, {@code modelDir} (default: the models in the jar) and
     * {@code reloadSeconds} (how often modelDir is checked for a new version; 0 never).
     */
    static InferenceSettings inference(JsonObject json) {
        InferenceSettings d = InferenceSettings.defaults();
        String dir = json.getString("modelDir");
        if (dir != null && dir.isBlank()) {
            throw SettingException.of(InferenceSettings.SECTION, "modelDir", InferenceSettings.EMPTY_MODEL_DIRECTORY);
        }
        Path modelDir = dir == null ? null : Path.of(dir);
        return new InferenceSettings(modelDir,
                parsed(InferenceSettings.SECTION, "device", json.getString("device", d.device().name()),
                        ExecutionDevice::parse, "cpu or cuda"),
                json.getInteger("threads", d.intraOpThreads()),
                json.getInteger("maxBatch", d.maxBatch()),
                Duration.ofMillis(json.getLong("maxWaitMs", d.maxWait().toMillis())),
                Duration.ofSeconds(json.getLong("reloadSeconds", modelDir == null ? 0L : 10L)));
    }

    /** Parses a setting's text, refusing it by its key: the parser's own message cannot say which setting it was. */
    private static <T> T parsed(String section, String key, String text, Function<String, T> parser, String accepted) {
        try {
            return parser.apply(text);
        } catch (IllegalArgumentException e) {
            throw SettingException.of(section, key, "must be " + accepted + ", got '" + text + "'");
        }
    }

    /** Kafka Streams settings: exactly-once processing, state under {@link #stateDir}. */
    public Properties streamsProperties() {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir);
        if (applicationServer != null) {
            props.put(StreamsConfig.APPLICATION_SERVER_CONFIG, applicationServer);
        }
        props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, streamThreads);
        props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, stateCacheMb * 1024L * 1024L);
        // -1: internal topics take the broker's default replication, right for one broker and for many.
        props.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, -1);
        // A malformed record is logged and counted (dropped-records metric) instead of stopping every device.
        props.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
                LogAndContinueExceptionHandler.class.getName());
        // Likewise a record that makes a processor throw: logged and skipped, the other devices go on.
        props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG,
                LogAndContinueProcessingExceptionHandler.class.getName());
        props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, true);
        // Wall-clock punctuation (the inference batch's max wait) runs between polls: an idle poll must not
        // block longer than that wait.
        props.put(StreamsConfig.POLL_MS_CONFIG, Math.max(1, inference.maxWait().toMillis()));
        return props;
    }
}
