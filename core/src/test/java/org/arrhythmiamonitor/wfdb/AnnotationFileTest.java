package org.arrhythmiamonitor.wfdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.arrhythmiamonitor.testing.MitBih;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AnnotationFileTest {
    @TempDir
    Path dir;

    @Test
    void roundTripsEveryFieldIncludingLongGapsAndRhythmStrings() {
        List<Annotation> written = List.of(
                Annotation.rhythm(0, "(N"),
                Annotation.beat(77, AnnotationCode.NORMAL),
                new Annotation(370, AnnotationCode.PVC, 3, 1, 5, null),
                new Annotation(2_000_000, AnnotationCode.NOISE, 2, 1, 5, "noise burst"),
                Annotation.rhythm(2_000_500, "(AFIB"),
                Annotation.beat(2_000_600, AnnotationCode.APC));
        Path file = dir.resolve("x.ecgmon");

        AnnotationFile.write(file, written);

        assertThat(AnnotationFile.read(file)).containsExactlyElementsOf(written);
    }

    @Test
    void truncatedAndUnsortedInputIsRefused() {
        byte[] bytes = AnnotationFile.encode(List.of(Annotation.beat(10, AnnotationCode.NORMAL)));
        assertThatThrownBy(() -> AnnotationFile.parse("cut.atr", Arrays.copyOf(bytes, bytes.length - 2)))
                .isInstanceOf(WfdbFormatException.class).hasMessageContaining("truncated");
        assertThatThrownBy(() -> AnnotationFile.encode(List.of(Annotation.beat(10, AnnotationCode.NORMAL),
                Annotation.beat(5, AnnotationCode.NORMAL)))).hasMessageContaining("sorted");
    }

    @Test
    void readsTheReferenceAnnotationsOfMitBihRecords() {
        Path mitdb = MitBih.directory();
        List<Annotation> record101 = AnnotationFile.read(mitdb.resolve("101.atr"));
        Map<String, Long> beats = record101.stream().filter(a -> a.code().isBeat())
                .collect(Collectors.groupingBy(a -> a.code().mnemonic(), Collectors.counting()));
        // PhysioNet's table for record 101: 1860 normal, 3 APC, 2 unclassifiable beats.
        assertThat(beats).containsExactlyInAnyOrderEntriesOf(Map.of("N", 1860L, "A", 3L, "Q", 2L));

        List<String> rhythms201 = AnnotationFile.read(mitdb.resolve("201.atr")).stream()
                .filter(a -> a.code() == AnnotationCode.RHYTHM).map(Annotation::aux).distinct().toList();
        assertThat(rhythms201).contains("(AFIB", "(N");

        // What the writer encodes reads back as the same annotations (the reference files pad rhythm
        // strings with a NUL that the writer leaves out; both are valid MIT format).
        byte[] again = AnnotationFile.encode(record101);
        assertThat(AnnotationFile.parse("again", again)).isEqualTo(record101);
    }
}
