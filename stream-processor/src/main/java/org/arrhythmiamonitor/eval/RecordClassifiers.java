package org.arrhythmiamonitor.eval;

import org.arrhythmiamonitor.beat.RecordBeatClassifier;

/**
 * Which beat model classifies which record: one model for every record, or each record the
 * model that did not learn from it ({@link HeldOutModels}).
 */
public interface RecordClassifiers {
    /** The model that classifies {@code record}. */
    RecordBeatClassifier forRecord(String record);

    /** What the report names as the model. */
    String describe();

    static RecordClassifiers one(RecordBeatClassifier classifier) {
        return new RecordClassifiers() {
            @Override
            public RecordBeatClassifier forRecord(String record) {
                return classifier;
            }

            @Override
            public String describe() {
                return classifier.model();
            }
        };
    }
}
