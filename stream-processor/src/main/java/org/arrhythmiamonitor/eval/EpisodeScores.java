package org.arrhythmiamonitor.eval;

import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.arrhythmiamonitor.wire.v1.RhythmSegment;

/**
 * How the episode rules did on one record.
 *
 * @param af AF episodes and duration (epicmp style) of the pipeline's rhythm segments
 * @param svt the pipeline's SVT runs, scored the same way against the reference {@code (SVTA}
 * @param vrun ventricular runs found from the pipeline's own beats and classes
 * @param vrunReferenceLabels ventricular runs found by the same rules from the reference beats and
 *     labels: the run logic alone, without detection and classification errors
 * @param counts episodes found by type
 * @param afSegments the AF segments, for annotation output
 * @param paced whether the record has paced beats (left out of run and beat-class statistics)
 */
public record EpisodeScores(EpisodeSpanScore af, EpisodeSpanScore svt, VentricularRunScore vrun, VentricularRunScore vrunReferenceLabels,
        Map<String, Integer> counts, List<RhythmSegment> afSegments, boolean paced) {

    JsonObject toJson(double fsHz) {
        return new JsonObject()
                .put("af", af.toJson(fsHz))
                .put("svt", svt.toJson(fsHz))
                .put("vrun", vrun.toJson())
                .put("vrun_reference_labels", vrunReferenceLabels.toJson())
                .put("counts", new JsonObject(new java.util.TreeMap<>(counts)));
    }
}
