package org.arrhythmiamonitor.ingest.simulator;

import java.net.URI;
import java.util.List;
import java.util.regex.Pattern;
import org.arrhythmiamonitor.config.SettingException;

/**
 * What the fleet simulator does.
 *
 * @param gateway base URL of the gateway, e.g. {@code http://localhost:8080}
 * @param devices how many devices
 * @param sources the signals devices play (device i plays source i mod n)
 * @param speed 1 for real time; K sends K seconds of signal per second
 * @param chunkSeconds signal per chunk
 * @param protobuf send Protobuf bodies instead of JSON
 * @param webSocket stream over one WebSocket per device instead of a POST per chunk
 * @param adminToken provisions a token per device through the gateway's API; null sends none
 *     (for a gateway with auth=none)
 * @param devicePrefix device ids are {@code prefix-source-N}
 * @param connections HTTP connections to the gateway
 * @param reportEveryMs how often to print a line of figures; 0 prints none
 * @param durationMs stop after this long; 0 runs until stopped
 * @param trustAllCertificates accept any TLS certificate (a test gateway's self-signed one)
 */
public record SimulatorConfig(URI gateway, int devices, List<SignalSource> sources, double speed,
        double chunkSeconds, boolean protobuf, boolean webSocket, String adminToken, String devicePrefix,
        int connections, long reportEveryMs, long durationMs, boolean trustAllCertificates) {

    /** Whose settings these are, in messages. */
    public static final String SECTION = "simulator";
    /** Short enough that PREFIX-SOURCE-N stays within the gateway's 64 characters of a device id. */
    private static final Pattern DEVICE_PREFIX = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,31}");

    public SimulatorConfig {
        if (gateway == null || gateway.getHost() == null
                || !("http".equals(gateway.getScheme()) || "https".equals(gateway.getScheme()))) {
            throw SettingException.of(SECTION, "gateway", "must be an http:// or https:// URL, got " + gateway);
        }
        if (gateway.getPort() == 0 || gateway.getPort() > 65_535) {
            // java.net.URI takes any number; Vert.x then fails on its event loop, and the run never ends.
            throw SettingException.of(SECTION, "gateway", "must name a port of 1-65535 (or none, for 80 or 443), got "
                    + gateway);
        }
        if (gateway.getRawUserInfo() != null || gateway.getRawQuery() != null || gateway.getRawFragment() != null
                || !gateway.getRawPath().isEmpty() && !"/".equals(gateway.getRawPath())) {
            // The simulator posts to /v1/devices/... of the host: anything else in the URL would be dropped.
            throw SettingException.of(SECTION, "gateway", "must be the gateway's base URL, scheme, host and port "
                    + "alone (http://host:8080), got " + gateway);
        }
        if (devicePrefix == null || !DEVICE_PREFIX.matcher(devicePrefix).matches()) {
            throw SettingException.of(SECTION, "devicePrefix", "must be 1-32 letters, digits, '.', '_' or '-', "
                    + "starting with a letter or digit (device ids are PREFIX-SOURCE-N), got '" + devicePrefix + "'");
        }
        SettingException.requireBetween(SECTION, "devices", devices, 1, 1_000_000);
        if (sources == null || sources.isEmpty()) {
            throw new IllegalArgumentException("at least one signal source is needed");
        }
        if (!(speed > 0 && speed <= 10_000)) {
            throw SettingException.of(SECTION, "speed", "must be above 0 and at most 10000 times real time, got "
                    + speed);
        }
        if (!(chunkSeconds >= 0.05 && chunkSeconds <= 10)) {
            throw SettingException.of(SECTION, "chunkSeconds", "must be 0.05-10 s, got " + chunkSeconds);
        }
        SettingException.requireBetween(SECTION, "connections", connections, 1, 10_000);
        // No value in the message: a launcher may take these in another unit.
        if (reportEveryMs < 0) {
            throw SettingException.of(SECTION, "reportEveryMs", "must not be negative");
        }
        if (durationMs < 0) {
            throw SettingException.of(SECTION, "durationMs", "must not be negative (0 runs until stopped)");
        }
    }

    int port() {
        return gateway.getPort() > 0 ? gateway.getPort() : "https".equals(gateway.getScheme()) ? 443 : 80;
    }
}
