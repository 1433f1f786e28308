package org.arrhythmiamonitor.wire;

import java.util.List;

/** Names of the Kafka topics that connect the services. Keys are device ids on every topic. */
public final class Topics {
    /** Raw sample chunks from the gateway ({@code SampleChunk}). */
    public static final String SAMPLES = "ecg.samples";
    /** Detected heartbeats ({@code Beat}). */
    public static final String BEATS = "ecg.beats";
    /** Heartbeats with their AAMI class and the model's probabilities ({@code ClassifiedBeat}). */
    public static final String CLASSIFIED_BEATS = "ecg.beats.classified";
    /** Clinical and technical episodes with onset and offset ({@code Episode}). */
    public static final String EPISODES = "ecg.episodes";
    /** Clinical and technical alerts ({@code Alert}). */
    public static final String ALERTS = "ecg.alerts";

    /** Every topic the services exchange data on, in pipeline order. */
    public static final List<String> ALL = List.of(SAMPLES, BEATS, CLASSIFIED_BEATS, EPISODES, ALERTS);

    private Topics() {
    }
}
