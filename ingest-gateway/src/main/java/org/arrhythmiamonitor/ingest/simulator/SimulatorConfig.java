package org.arrhythmiamonitor.ingest.simulator;

import java.net.URI;
import java.util.List;
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

    public SimulatorConfig {
        if (gateway == null || gateway.getHost() == null
                || !("http".equals(gateway.getScheme()) || "https".equals(gateway.getScheme()))) {
            throw SettingException.of(SECTION, "gateway", "must be an http:// or https:// URL, got " + gateway);
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
