package org.arrhythmiamonitor.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

/** What an operator sees when a command cannot start: one clear line and a non-zero exit, no stack trace. */
class MonitorCommandLineTest {
    @TempDir
    Path dataDir;

    private record Outcome(int exitCode, String err) {
    }

    /** Runs the command line and fails if anything was logged with a stack trace. */
    private static Outcome run(String... args) {
        StringWriter err = new StringWriter();
        CommandLine commandLine = Monitor.commandLine();
        commandLine.setErr(new PrintWriter(err, true));
        Logger root = (Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        logged.start();
        root.addAppender(logged);
        int code;
        try {
            code = commandLine.execute(args);
        } finally {
            root.detachAppender(logged);
        }
        assertThat(logged.list).as("events logged with a stack trace")
                .noneMatch(event -> event.getThrowableProxy() != null && event.getLevel().isGreaterOrEqual(Level.ERROR));
        return new Outcome(code, err.toString());
    }

    @Test
    void anInvalidPortIsExplained() {
        Outcome outcome = run("gateway", "--port", "70000", "--bootstrap-servers", "localhost:1");
        assertThat(outcome.exitCode()).isEqualTo(1);
        assertThat(outcome.err()).contains("--port must be 0-65535, got 70000").doesNotContain("httpPort");
    }

    private static Arguments refused(String err, String... args) {
        return Arguments.of(String.join(" ", args), err, args);
    }

    /** Flags of the services whose values their settings check: refused with status 1. */
    static Stream<Arguments> refusedFlags() {
        return Stream.of(
                refused("monitor processor: --threads must be at least 1, got 0", "processor", "--threads", "0"),
                refused("monitor processor: --replication-factor must be at least 1, got 0",
                        "processor", "--replication-factor", "0"),
                refused("monitor processor: --state-cache-mb must be 0-65536, got -1",
                        "processor", "--state-cache-mb", "-1"),
                refused("monitor processor: --mains-notch must be 50, 60 or off, got '55'",
                        "processor", "--mains-notch", "55"),
                // Kafka Streams would take it and fail later, on a topic named after it.
                refused("monitor processor: --application-id must be 1-100 letters, digits, '.', '_' or '-', "
                        + "got 'a b'", "processor", "--application-id", "a b"),
                refused("monitor processor: --application-server must be host:port with a port of 1-65535, got 'ward:'",
                        "processor", "--application-server", "ward:"),
                refused("monitor processor: --model-dir is empty: name a directory of models and cards, or leave it "
                        + "out for the packaged models", "processor", "--model-dir", ""),
                refused("monitor processor: --inference-device must be cpu or cuda, got 'tpu'",
                        "processor", "--inference-device", "tpu"),
                refused("monitor processor: --inference-max-batch must be 1-65536, got 0",
                        "processor", "--inference-max-batch", "0"),
                refused("monitor processor: --inference-max-wait-ms must be 0-1000, got 5000",
                        "processor", "--inference-max-wait-ms", "5000"),
                refused("monitor processor: --bradycardia-bpm must be below --tachycardia-bpm, got 40.0 and 30.0",
                        "processor", "--tachycardia-bpm", "30"),
                refused("monitor processor: --tachycardia-beats must be at least 1, got 0",
                        "processor", "--tachycardia-beats", "0"),
                refused("monitor gateway: --max-chunk-seconds must be in (0, 60], got 100.0",
                        "gateway", "--max-chunk-seconds", "100"),
                refused("monitor gateway: --auth must be 'token' or 'none', got tokens", "gateway", "--auth", "tokens"),
                refused("monitor gateway: --admin-token must be at least 16 characters",
                        "gateway", "--admin-token", "short"),
                refused("monitor gateway: tls needs both --tls-cert and --tls-key", "gateway", "--tls-cert", "c.pem"),
                refused("monitor gateway: --bootstrap-servers is required", "gateway", "--bootstrap-servers", " "),
                refused("monitor alerting: --partitions must be at least 1, got 0", "alerting", "--partitions", "0"),
                refused("monitor alerting: --port must be 0-65535, got -1", "alerting", "--port", "-1"),
                refused("monitor demo: --alerting-port must be 0-65535, got 70000", "demo", "--alerting-port", "70000"),
                refused("monitor demo: --kafka-port must be 1-65535, got 70000", "demo", "--kafka-port", "70000"),
                refused("monitor demo: --processor-port must be 0-65535, got 70000",
                        "demo", "--processor-port", "70000"),
                refused("monitor demo: --inference-threads must be 1-256, got 0",
                        "demo", "--inference-threads", "0"),
                refused("monitor demo: --bradycardia-bpm must be positive, got 0.0", "demo", "--bradycardia-bpm", "0"),
                refused("monitor processor: --application-server must be host:port with a port of 1-65535, got "
                        + "'host:99999'", "processor", "--application-server", "host:99999",
                        "--bootstrap-servers", "localhost:1"),
                refused("monitor gateway: --idle-timeout must be 1-86400, got 0",
                        "gateway", "--idle-timeout", "0", "--bootstrap-servers", "localhost:1"),
                // Kafka Streams would fail on it later, advising a directory per instance.
                refused("monitor processor: --state-dir is a file, not a directory: pom.xml",
                        "processor", "--state-dir", "pom.xml", "--bootstrap-servers", "localhost:1"),
                refused("monitor processor: --state-dir must name a directory, got ''",
                        "processor", "--state-dir", "", "--bootstrap-servers", "localhost:1"));
    }

    /**
     * Flags of the commands that run once and exit (simulate, dataset, synth): a value they refuse is a bad
     * option, as one picocli cannot parse is, refused with the usage and status 2.
     */
    static Stream<Arguments> badOptions() {
        return Stream.of(
                refused("--devices must be 1-1000000, got 0", "simulate", "--devices", "0"),
                refused("--profiles: unknown patient profile 'zombie'; choose one of "
                        + "[normal, pvc, vt, af, pauses, mixed]", "simulate", "--profiles", "zombie"),
                refused("--chunk-seconds must be 0.05-10 s, got 50.0",
                        "simulate", "--chunk-seconds", "50"),
                refused("--connections must be 1-10000, got 0", "simulate", "--connections", "0"),
                refused("--duration must not be negative (0 runs until stopped)",
                        "simulate", "--duration", "-1"),
                // Both round to 0 ms, which would mean "until Ctrl-C".
                refused("--duration must be 0 (until Ctrl-C) or at least 0.001 s, got NaN",
                        "simulate", "--duration", "NaN"),
                refused("--duration must be 0 (until Ctrl-C) or at least 0.001 s, got 1.0E-4",
                        "simulate", "--duration", "0.0001"),
                refused("--duration must not be negative (0 runs until stopped)",
                        "simulate", "--duration", "-0.0004"),
                refused("--speed must be above 0 and at most 10000 times real time, got 0.0",
                        "simulate", "--speed", "x0"),
                refused("--gateway must be an http:// or https:// URL, got ftp://host",
                        "simulate", "--gateway", "ftp://host"),
                // URI takes any port; Vert.x failed on it on its event loop, and the run never ended.
                refused("--gateway must name a port of 1-65535 (or none, for 80 or 443), got "
                        + "http://127.0.0.1:99999", "simulate", "--gateway", "http://127.0.0.1:99999"),
                refused("--gateway must be the gateway's base URL, scheme, host and port alone "
                        + "(http://host:8080), got http://host:8080/prefix", "simulate", "--gateway",
                        "http://host:8080/prefix"),
                refused("--device-prefix must be 1-32 letters, digits, '.', '_' or '-', starting "
                        + "with a letter or digit (device ids are PREFIX-SOURCE-N), got '../x'",
                        "simulate", "--device-prefix", "../x"),
                refused("--fs is for --source synthetic; records of wfdb:. play as they were "
                        + "recorded, at their own sampling rate", "simulate", "--source", "wfdb:.", "--fs", "500"),
                refused("--jitter-copies must be 0-8, got 9",
                        "dataset", "--db", ".", "--out", "no-such-out", "--jitter-copies", "9"),
                refused("--mains: mains notch must be 50, 60 or off, got '70'",
                        "dataset", "--db", ".", "--out", "no-such-out", "--mains", "70"),
                refused("--records: [100] is DS2, the independent test set, or made from it; training data comes "
                        + "from DS1 only", "dataset", "--db", ".", "--out", "no-such-out", "--records", "101,100"),
                // monitor nst's name for 100 with muscle artefact at 6 dB.
                refused("--records: [100ma06, 232] are DS2, the independent test set, or made from it; training "
                        + "data comes from DS1 only", "dataset", "--db", ".", "--out", "no-such-out",
                        "--records", "100ma06,1001,232"),
                refused("--profiles: 'normal,' leaves a profile out (a comma with no name before or after it)",
                        "simulate", "--profiles", "normal,"),
                refused("--source wfdb:src/main: no WFDB records (*.hea) in src/main", "simulate", "--source",
                        "wfdb:src/main"),
                // Before, it was refused after the records before it were written.
                refused("--bpm: heart rate must be 20-300 bpm, got 400.0",
                        "synth", "--out", "no-such-out", "--bpm", "400"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badOptions")
    void aValueAOneOffCommandRefusesIsABadOption(String commandLine, String expected, String[] args) {
        Outcome outcome = run(args);
        assertThat(outcome.exitCode()).isEqualTo(2);
        assertThat(outcome.err().lines().findFirst()).contains(expected);
        assertThat(outcome.err()).contains("Usage: monitor " + args[0]);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusedFlags")
    void aRefusedValueIsReportedUnderTheFlagThatGaveIt(String commandLine, String expected, String[] args) {
        Path demoData = dataDir.resolve("demo");
        String[] all = args[0].equals("demo")
                ? Stream.concat(Stream.of(args), Stream.of("--data-dir", demoData.toString())).toArray(String[]::new)
                : args;
        Outcome outcome = run(all);
        assertThat(outcome.exitCode()).isEqualTo(1);
        assertThat(outcome.err().strip()).isEqualTo(expected);
        assertThat(demoData.resolve("kafka")).as("no broker was started").doesNotExist();
    }

    @Test
    void anEpisodeRuleFromTheFileIsNamedByItsKeyAndOneAFlagOverridesByTheFlag() throws Exception {
        Path rules = Files.writeString(dataDir.resolve("rules.json"),
                "{\"bradycardiaBpm\": 150, \"tachycardiaBeats\": 0}");
        Outcome fromFile = run("processor", "--episode-rules", rules.toString(), "--tachycardia-beats", "3");
        assertThat(fromFile.exitCode()).isEqualTo(1);
        assertThat(fromFile.err().strip()).isEqualTo("monitor processor: episode rules: bradycardiaBpm must be below "
                + "--tachycardia-bpm, got 150.0 and 140.0");

        Outcome overridden = run("processor", "--episode-rules", rules.toString(), "--bradycardia-bpm", "45",
                "--tachycardia-beats", "0");
        assertThat(overridden.err().strip())
                .isEqualTo("monitor processor: --tachycardia-beats must be at least 1, got 0");

        Outcome fileOnly = run("processor", "--episode-rules", rules.toString(), "--bradycardia-bpm", "45");
        assertThat(fileOnly.err().strip()).isEqualTo(
                "monitor processor: episode rules: tachycardiaBeats must be at least 1, got 0");
    }

    @Test
    void anInvalidInFlightCapIsExplainedInTheFlagsOwnUnit() {
        Outcome outcome = run("gateway", "--max-inflight-mb", "-5", "--bootstrap-servers", "localhost:1");
        assertThat(outcome.exitCode()).isEqualTo(1);
        assertThat(outcome.err()).contains("--max-inflight-mb must be 1-1048576 (MiB), got -5")
                .doesNotContain("maxInFlightBytes");
    }

    @Test
    void aTakenKafkaPortIsExplainedWithTheFlagToChange() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            Outcome outcome = run("demo", "--data-dir", dataDir.toString(),
                    "--kafka-port", String.valueOf(taken.getLocalPort()));
            assertThat(outcome.exitCode()).isEqualTo(1);
            assertThat(outcome.err()).contains("is in use").contains("--kafka-port");
        }
    }

    @Test
    void anUnreachableKafkaIsExplained() {
        Outcome outcome = run("alerting", "--bootstrap-servers", "127.0.0.1:1", "--port", "0");
        assertThat(outcome.exitCode()).isEqualTo(1);
        assertThat(outcome.err()).contains("127.0.0.1:1");
    }

    @Test
    void anUnresolvableKafkaAddressIsExplained() {
        Outcome outcome = run("gateway", "--bootstrap-servers", "no-such-host.invalid:9092", "--port", "0");
        assertThat(outcome.exitCode()).isEqualTo(1);
        assertThat(outcome.err()).contains("no-such-host.invalid:9092");
    }

    @Test
    void episodeRuleMistakesNameTheKeyAndStopTheDemoBeforeItsBrokerStarts() throws Exception {
        Path unknownKey = Files.writeString(dataDir.resolve("unknown-key.json"), "{\"pauseSec\": 5}");
        Outcome processor = run("processor", "--episode-rules", unknownKey.toString(),
                "--bootstrap-servers", "127.0.0.1:1");
        assertThat(processor.exitCode()).isEqualTo(1);
        assertThat(processor.err()).contains("episode rules: unknown setting 'pauseSec'; known: [")
                .contains("pauseS,");

        Path wrongType = Files.writeString(dataDir.resolve("wrong-type.json"), "{\"pauseS\": \"x\"}");
        Path demoData = dataDir.resolve("demo");
        Outcome demo = run("demo", "--data-dir", demoData.toString(), "--kafka-port", String.valueOf(freePort()),
                "--episode-rules", wrongType.toString());
        assertThat(demo.exitCode()).isEqualTo(1);
        assertThat(demo.err()).contains("episode rules: pauseS must be a number, got \"x\"")
                .doesNotContain("ClassCastException").doesNotContain("java.lang");
        assertThat(demoData.resolve("kafka")).as("no broker was started").doesNotExist();
    }

    @Test
    void aSettingOfTheWrongTypeInTheAlertingConfigIsOneLine() throws Exception {
        Path settings = Files.writeString(dataDir.resolve("alerting.json"), "{\"sessionTimeoutMinutes\": \"thirty\"}");
        Outcome outcome = run("alerting", "--config", settings.toString(), "--bootstrap-servers", "127.0.0.1:1",
                "--port", "0");
        assertThat(outcome.exitCode()).isEqualTo(1);
        assertThat(outcome.err().strip()).isEqualTo(
                "monitor alerting: alerting: sessionTimeoutMinutes must be a whole number, got \"thirty\"");
    }

    @Test
    void aKeyGivenTwiceInASettingsFileIsRefusedNotResolvedToTheLastValue() throws Exception {
        // A lenient reader keeps the last value: a setting pasted twice, the first one edited,
        // silently lost the edit.
        Path alerting = Files.writeString(dataDir.resolve("alerting-twice.json"),
                "{\"sessionTimeoutMinutes\": 5,\n \"sessionTimeoutMinutes\": 30}");
        Outcome outcome = run("alerting", "--config", alerting.toString(), "--bootstrap-servers", "127.0.0.1:1",
                "--port", "0");
        assertThat(outcome.exitCode()).isEqualTo(1);
        assertThat(outcome.err()).contains("duplicate key \"sessionTimeoutMinutes\" at line 2");

        Path rules = Files.writeString(dataDir.resolve("rules-twice.json"), "{\"pauseS\": 2.5, \"pauseS\": 3}");
        Outcome processor = run("processor", "--episode-rules", rules.toString(), "--bootstrap-servers", "127.0.0.1:1");
        assertThat(processor.exitCode()).isEqualTo(1);
        assertThat(processor.err()).contains("duplicate key \"pauseS\"");
    }

    @Test
    void topicSettingsInTheAlertingConfigAreRefusedNotOverriddenByTheFlagsDefaults() throws Exception {
        // --partitions and --replication-factor always have a value (their defaults), which would
        // silently replace the file's.
        Path settings = Files.writeString(dataDir.resolve("alerting-topics.json"), "{\"partitions\": 1}");
        Outcome outcome = run("alerting", "--config", settings.toString(), "--bootstrap-servers", "127.0.0.1:1",
                "--port", "0");
        assertThat(outcome.exitCode()).isEqualTo(1);
        assertThat(outcome.err()).contains("set 'partitions'; give it on the command line instead (--partitions)");
        Path demoData = dataDir.resolve("demo-topics");
        Outcome demo = run("demo", "--alerting-config", settings.toString(), "--data-dir", demoData.toString(),
                "--kafka-port", String.valueOf(freePort()));
        assertThat(demo.exitCode()).isEqualTo(1);
        assertThat(demo.err()).contains("set 'partitions'; the demo sets it for its own broker; remove it");
        assertThat(demoData.resolve("kafka")).as("no broker was started").doesNotExist();
    }

    @Test
    void aListenAddressNotOfThisMachineIsNotExplainedAsATakenPort() {
        assertThatThrownBy(() -> Lifecycle.await(io.vertx.core.Future.failedFuture(
                new java.net.BindException("Cannot assign requested address")), "gateway", 8080, "--port"))
                .hasMessage("gateway could not listen on port 8080: Cannot assign requested address. Check the "
                        + "address it listens on (--host): it must be one of this machine's, or 0.0.0.0 for all.");
        for (String portFault : List.of("Address already in use", "Permission denied")) {
            assertThatThrownBy(() -> Lifecycle.await(io.vertx.core.Future.failedFuture(
                    new java.net.BindException(portFault)), "gateway", 80, "--port"))
                    .as(portFault).hasMessageEndingWith("Choose another port with --port.");
        }
    }

    @Test
    void tlsFilesThatCannotServeAreNamedByTheirFlagsBeforeKafkaIsAsked(@TempDir Path dir) throws Exception {
        Path empty = Files.createFile(dir.resolve("cert.pem"));
        Path key = Files.writeString(dir.resolve("key.pem"), "not a key");
        Outcome outcome = run("gateway", "--bootstrap-servers", "127.0.0.1:1", "--port", "0",
                "--tls-cert", empty.toString(), "--tls-key", key.toString());
        assertThat(outcome.exitCode()).isEqualTo(1);
        assertThat(outcome.err()).startsWith("monitor gateway: --tls-cert " + empty + " and --tls-key " + key
                + " do not hold a certificate and its private key in PEM").doesNotContain("\tat ");
    }

    @Test
    void eachCommandSaysTheVersion() {
        StringWriter out = new StringWriter();
        CommandLine commandLine = Monitor.commandLine();
        commandLine.setOut(new PrintWriter(out, true));
        assertThat(commandLine.execute("hash-password", "--version")).isZero();
        assertThat(out.toString().strip()).isEqualTo("Arrhythmia Monitor 0.1.0");
    }

    @Test
    void anUnknownLogLevelIsRefusedNotReadAsDebug() {
        assertThat(Monitor.logLevelProblem(null)).isNull();
        assertThat(Monitor.logLevelProblem("warn")).isNull();
        assertThat(Monitor.logLevelProblem(" ")).as("set but empty: the default").isNull();
        assertThat(Monitor.logLevelProblem("bogus"))
                .isEqualTo("LOG_LEVEL must be one of TRACE, DEBUG, INFO, WARN, ERROR, OFF or ALL, got 'bogus'");
    }

    @Test
    void anEmptyListenAddressIsNamedByItsFlagBeforeTheBrokerStarts() throws Exception {
        Path demoData = dataDir.resolve("demo");
        Outcome outcome = run("demo", "--host", " ", "--data-dir", demoData.toString(), "--kafka-port",
                String.valueOf(freePort()));
        assertThat(outcome.exitCode()).isEqualTo(1);
        assertThat(outcome.err().strip()).isEqualTo("monitor demo: --host must name an address to listen on "
                + "(127.0.0.1, or 0.0.0.0 for all), got an empty one");
        assertThat(demoData.resolve("kafka")).as("no broker was started").doesNotExist();
    }

    @Test
    void aListenAddressThatIsNoneOfThisMachinesIsNamedByItsFlagBeforeTheBrokerStarts() throws Exception {
        Path demoData = dataDir.resolve("demo");
        // A name under .invalid never resolves (RFC 6761).
        Outcome outcome = run("demo", "--host", "gateway.invalid", "--data-dir", demoData.toString(),
                "--kafka-port", String.valueOf(freePort()));
        assertThat(outcome.exitCode()).isEqualTo(1);
        assertThat(outcome.err().strip()).isEqualTo("monitor demo: --host is 'gateway.invalid', which resolves to no "
                + "address; give one of this machine's addresses, 127.0.0.1 for it alone, or 0.0.0.0 for all");
        assertThat(demoData.resolve("kafka")).as("no broker was started").doesNotExist();
        // An address for documentation (RFC 5737), which a test network may still give this machine.
        String elsewhere = "203.0.113.77";
        assumeTrue(java.net.NetworkInterface.getByInetAddress(java.net.InetAddress.getByName(elsewhere)) == null,
                "this machine has " + elsewhere);
        Outcome gateway = run("gateway", "--host", elsewhere, "--bootstrap-servers", "127.0.0.1:1");
        assertThat(gateway.exitCode()).isEqualTo(1);
        assertThat(gateway.err().strip()).isEqualTo("monitor gateway: --host is '" + elsewhere + "', which is "
                + "not an address of this machine; give one of this machine's addresses, 127.0.0.1 for it alone, or "
                + "0.0.0.0 for all");
    }

    @Test
    void aKafkaPortWithAKafkaOfOnesOwnIsRefusedNotIgnored() throws Exception {
        Path demoData = dataDir.resolve("demo");
        Outcome outcome = run("demo", "--bootstrap-servers", "127.0.0.1:1", "--kafka-port", "9093",
                "--data-dir", demoData.toString());
        assertThat(outcome.exitCode()).isEqualTo(1);
        assertThat(outcome.err().strip()).isEqualTo("monitor demo: --kafka-port is the port of the embedded broker, "
                + "which --bootstrap-servers '127.0.0.1:1' replaces: give one or the other");
    }

    @Test
    void anEmptyDataDirectoryIsRefusedNotTakenForTheCurrentOne() throws Exception {
        Outcome outcome = run("demo", "--data-dir", "", "--kafka-port", String.valueOf(freePort()));
        assertThat(outcome.exitCode()).isEqualTo(1);
        assertThat(outcome.err()).contains("--data-dir must name a directory, got an empty path (for the current "
                + "directory, give .)");
        assertThat(Path.of("kafka")).as("nothing written in the working directory").doesNotExist();
    }

    @Test
    void aNegativeNumberOfSimulatedPatientsIsRefused() throws Exception {
        Path demoData = dataDir.resolve("demo");
        Outcome outcome = run("demo", "--data-dir", demoData.toString(), "--kafka-port", String.valueOf(freePort()),
                "--simulate", "-3");
        assertThat(outcome.exitCode()).isEqualTo(1);
        assertThat(outcome.err()).contains("--simulate must be 0 (no simulated patients) or more, got -3");
        assertThat(demoData.resolve("kafka")).doesNotExist();
    }

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Test
    void aWfdbRecordWithoutSignalsIsExplained() throws Exception {
        Files.writeString(dataDir.resolve("syn-normal.hea"), "syn-normal 0 360 216382\n");
        Outcome outcome = run("simulate", "--source", "wfdb:" + dataDir, "--gateway", "http://127.0.0.1:1");
        assertThat(outcome.exitCode()).isEqualTo(1);
        assertThat(outcome.err()).contains("syn-normal.hea: record line declares 0 signals");
    }

    @Test
    void unknownOptionsAreRejectedWithUsage() {
        Outcome outcome = run("demo", "--no-such-flag");
        assertThat(outcome.exitCode()).isEqualTo(2);
        assertThat(outcome.err()).contains("Unknown option: '--no-such-flag'");
    }

    @Test
    void aMistypedCommandWithHelpIsRefusedNotAnsweredWithTheUsage() {
        StringWriter out = new StringWriter();
        CommandLine commandLine = Monitor.commandLine();
        commandLine.setOut(new PrintWriter(out, true));
        StringWriter err = new StringWriter();
        commandLine.setErr(new PrintWriter(err, true));
        assertThat(commandLine.execute("bogus", "--help")).as("a script read 0 as success").isEqualTo(2);
        assertThat(err.toString()).contains("'bogus'");
        assertThat(commandLine.execute("eval", "--no-such-flag", "--help")).isEqualTo(2);
        assertThat(err.toString()).contains("'--no-such-flag'");
        assertThat(out.toString()).as("nothing went to the usage on stdout").isEmpty();
        assertThat(Monitor.commandLine().execute("--help")).isZero();
        assertThat(Monitor.commandLine().execute("eval", "--help")).isZero();
    }

    @Test
    void helpNamesACommandAsGitHelpDoes() {
        StringWriter out = new StringWriter();
        CommandLine commandLine = Monitor.commandLine();
        commandLine.setOut(new PrintWriter(out, true));
        StringWriter err = new StringWriter();
        commandLine.setErr(new PrintWriter(err, true));
        assertThat(commandLine.execute("help", "eval")).as(err.toString()).isZero();
        assertThat(out.toString()).startsWith("Usage: monitor eval");
        assertThat(commandLine.execute("help", "bogus")).isEqualTo(2);
        assertThat(err.toString()).contains("'bogus'");
    }
}
