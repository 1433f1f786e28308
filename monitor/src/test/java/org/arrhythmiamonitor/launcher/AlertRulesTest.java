package org.arrhythmiamonitor.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The operators' alert rules, {@code deploy/prometheus/alerts.yml}: promtool checks them and runs
 * their unit tests ({@code alerts_test.yml}); {@link DemoCommandTest} checks that every series they
 * watch is exported.
 */
class AlertRulesTest {
    private static final Path DIR = Path.of("..", "deploy", "prometheus");
    private static final Pattern EXPRESSION = Pattern.compile("expr:(.*?)\\n\\s+(?:for|labels):", Pattern.DOTALL);
    private static final Pattern SELECTOR = Pattern.compile("(ecg_[a-z_]+)(?:\\{([^}]*)})?");
    private static final Pattern EQUALS = Pattern.compile("([a-z_]+)=\"([^\"]*)\"");

    /** A series a rule selects: its name and the labels it must have. */
    record Series(String name, Map<String, String> labels) {
        /** Whether the Prometheus text exports this series. */
        boolean in(CharSequence metrics) {
            return metrics.toString().lines().anyMatch(line -> line.startsWith(name + "{") && labels.entrySet()
                    .stream().allMatch(label -> line.contains(label.getKey() + "=\"" + label.getValue() + "\"")));
        }

        @Override
        public String toString() {
            return name + labels;
        }
    }

    /** Every {@code ecg_} series the rules' expressions select. */
    static List<Series> seriesWatched() throws IOException {
        String rules = Files.readString(DIR.resolve("alerts.yml"));
        List<Series> watched = new ArrayList<>();
        Matcher expression = EXPRESSION.matcher(rules);
        while (expression.find()) {
            Matcher selector = SELECTOR.matcher(expression.group(1));
            while (selector.find()) {
                Map<String, String> labels = new LinkedHashMap<>();
                if (selector.group(2) != null) {
                    Matcher equals = EQUALS.matcher(selector.group(2));
                    while (equals.find()) {
                        labels.put(equals.group(1), equals.group(2));
                    }
                }
                watched.add(new Series(selector.group(1), labels));
            }
        }
        return watched;
    }

    @Test
    void theRulesNameTheSeriesTheServicesExport() throws IOException {
        assertThat(seriesWatched()).extracting(Series::name).contains("ecg_health_up",
                "ecg_notifications_dead_lettered_total", "ecg_inference_failures_total",
                "ecg_ingest_chunks_rejected_total");
    }

    @Test
    void promtoolAcceptsTheRulesAndTheirUnitTestsPass() throws Exception {
        Optional<Path> promtool = onPath("promtool");
        // .ci/run installs promtool and sets REQUIRE_PROMTOOL, so that CI cannot pass by skipping.
        if ("1".equals(System.getenv("REQUIRE_PROMTOOL"))) {
            assertThat(promtool).as("REQUIRE_PROMTOOL=1 but promtool is not on the PATH "
                    + "(apt-get install -y prometheus)").isPresent();
        }
        assumeTrue(promtool.isPresent(), "install promtool (Debian: apt-get install -y prometheus)");
        assertThat(run(promtool.get(), "check", "config", "prometheus.yml")).contains("is valid prometheus config file syntax");
        assertThat(run(promtool.get(), "test", "rules", "alerts_test.yml")).contains("SUCCESS");
    }

    private static String run(Path promtool, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(promtool.toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).directory(DIR.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor()).as(String.join(" ", command) + "\n" + output).isZero();
        return output;
    }

    private static Optional<Path> onPath(String program) {
        String path = System.getenv("PATH");
        return path == null ? Optional.empty() : Stream.of(path.split(java.io.File.pathSeparator))
                .map(dir -> Path.of(dir, program)).filter(Files::isExecutable).findFirst();
    }
}
