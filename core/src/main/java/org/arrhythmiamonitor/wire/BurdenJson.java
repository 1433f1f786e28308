package org.arrhythmiamonitor.wire;

import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.TreeMap;
import org.arrhythmiamonitor.wire.v1.Burden;

/**
 * One burden window in the shape both HTTP APIs answer with: the processor's burden query and the
 * alerting service's device view.
 */
public final class BurdenJson {
    /** The order of {@code Burden.beats}. */
    private static final List<String> CLASSES = List.of("N", "S", "V", "F", "Q");

    private BurdenJson() {
    }

    /**
     * Every beat class is present, with 0 where none were counted. Which window it is (hour or
     * rolling 24 h) is left to the caller, whose answer may say it by its place.
     */
    public static JsonObject toJson(Burden window) {
        JsonObject beats = new JsonObject();
        for (int c = 0; c < CLASSES.size(); c++) {
            beats.put(CLASSES.get(c), c < window.getBeatsCount() ? window.getBeats(c) : 0L);
        }
        return new JsonObject()
                .put("startTimeMs", window.getStartTimeMs())
                .put("endTimeMs", window.getEndTimeMs())
                .put("beats", beats)
                .put("pvcBurdenPct", window.getPvcBurdenPct())
                .put("sveBurdenPct", window.getSveBurdenPct())
                .put("afBurdenPct", window.getAfBurdenPct())
                .put("hrMinBpm", window.getHrMinBpm())
                .put("hrMeanBpm", window.getHrMeanBpm())
                .put("hrMaxBpm", window.getHrMaxBpm())
                .put("monitoredMs", window.getMonitoredMs())
                .put("episodes", new JsonObject(new TreeMap<>(window.getEpisodesMap())));
    }
}
