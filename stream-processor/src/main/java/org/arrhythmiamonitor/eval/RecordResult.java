package org.arrhythmiamonitor.eval;

import java.util.List;
import java.util.Map;
import org.arrhythmiamonitor.inference.ModelCard;
import org.arrhythmiamonitor.qrs.EcgAnalyzer.DetectedBeat;

/**
 * What the evaluation found on one record.
 *
 * @param record record name
 * @param lead the lead that was analysed
 * @param fsHz the record's sampling rate
 * @param samples samples analysed
 * @param qrs every detection against every reference beat in the scored intervals
 * @param qrsReadable the same, only where the signal path did not flag the signal unreadable
 * @param unreadableFraction fraction of the scored time flagged unreadable
 * @param technicalEvents technical events by issue
 * @param beats the detections, for annotation output
 * @param classes the class of each detection as the pipeline reports it, in its rhythm (index into
 *     N, S, V, F, Q); null without a beat model
 * @param confusion beats in the scored intervals by reference (rows) and reported class (columns),
 *     N, S, V, F, Q, and last the unmatched ones (see {@link BeatClassScore}); null without a beat
 *     model or for a record with paced beats, which EC57 leaves out of beat-class statistics
 * @param modelConfusion the same with the beat model's own classes, before the rhythm is known
 * @param episodes episode scores and counts; null without a beat model
 * @param model the card of the beat model that classified the record; null without one
 * @param error why the record could not be evaluated; null when it was
 */
public record RecordResult(String record, String lead, double fsHz, long samples, QrsScore qrs, QrsScore qrsReadable,
        double unreadableFraction, Map<String, Integer> technicalEvents, List<DetectedBeat> beats, int[] classes,
        long[][] confusion, long[][] modelConfusion, EpisodeScores episodes, ModelCard model, String error) {

    public static RecordResult failed(String record, String error) {
        return new RecordResult(record, null, 0, 0, QrsScore.ZERO, QrsScore.ZERO, 0, Map.of(), List.of(), null, null,
                null, null, null, error);
    }

    public boolean ok() {
        return error == null;
    }
}
