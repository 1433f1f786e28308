package org.arrhythmiamonitor.wfdb;

/**
 * One WFDB annotation.
 *
 * @param sample sample number (frame) the annotation refers to
 * @param code annotation type
 * @param subtype {@code subtyp} field, 0 when unused
 * @param channel {@code chan} field, the signal the annotation refers to
 * @param num {@code num} field
 * @param aux auxiliary text (rhythm changes carry strings such as {@code (AFIB}), or null
 */
public record Annotation(long sample, AnnotationCode code, int subtype, int channel, int num, String aux) {
    public static Annotation beat(long sample, AnnotationCode code) {
        return new Annotation(sample, code, 0, 0, 0, null);
    }

    public static Annotation rhythm(long sample, String rhythm) {
        return new Annotation(sample, AnnotationCode.RHYTHM, 0, 0, 0, rhythm);
    }
}
