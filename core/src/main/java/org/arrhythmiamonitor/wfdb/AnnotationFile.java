package org.arrhythmiamonitor.wfdb;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.arrhythmiamonitor.config.IoReasons;

/**
 * WFDB annotation files in MIT format (annot(5)): a stream of little-endian 16-bit words, each a
 * 6-bit type A and a 10-bit field I. An ordinary annotation is A = code, I = samples since the
 * previous annotation; the pseudo-types SKIP (a longer interval), NUM, SUB, CHN and AUX modify
 * the annotation they follow or precede, as in PhysioNet's getann and putann.
 */
public final class AnnotationFile {
    private static final int SKIP = 59;
    private static final int NUM = 60;
    private static final int SUB = 61;
    private static final int CHN = 62;
    private static final int AUX = 63;
    private static final int MAX_INTERVAL = 1023;

    private AnnotationFile() {
    }

    public static List<Annotation> read(Path file) {
        byte[] bytes;
        try {
            WfdbFiles.requireReadable(file, "annotation file", WfdbFiles.MAX_ANNOTATION_BYTES);
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new WfdbFormatException("annotation file " + file + " does not exist");
        } catch (IOException e) {
            throw new WfdbFormatException("cannot read annotation file " + file + ": " + IoReasons.of(e, file), e);
        }
        return parse(file.toString(), bytes);
    }

    /** Parses MIT-format bytes; {@code source} names the file in error messages. */
    public static List<Annotation> parse(String source, byte[] bytes) {
        return new Parser(source, bytes).parse();
    }

    /** One pass over a file: running time, the {@code num} and {@code chan} that carry over, the annotation in progress. */
    private static final class Parser {
        private final String source;
        private final byte[] bytes;
        private final List<Annotation> annotations = new ArrayList<>();
        private int pos;
        private long time;
        private int num;
        private int channel;
        private Pending pending;

        Parser(String source, byte[] bytes) {
            this.source = source;
            this.bytes = bytes;
        }

        List<Annotation> parse() {
            while (true) {
                require(2, "no end-of-file marker");
                int word = readWord();
                int a = word >> 10;
                int i = word & 0x3ff;
                if (a == 0 && i == 0) {
                    flush();
                    return annotations;
                }
                switch (a) {
                    case SKIP -> {
                        require(4, "inside a SKIP");
                        // 32-bit interval, PDP-11 order: high 16-bit word first, each word little-endian.
                        int high = readWord();
                        int low = readWord();
                        flush();
                        time += (high << 16) | low;
                    }
                    case NUM -> pending("NUM").numSet = i;
                    case SUB -> pending("SUB").subtype = i;
                    case CHN -> pending("CHN").channelSet = i;
                    case AUX -> {
                        Pending target = pending("AUX");
                        require(i, "inside an AUX string");
                        int length = i;
                        while (length > 0 && bytes[pos + length - 1] == 0) {
                            length--;
                        }
                        target.aux = new String(bytes, pos, length, StandardCharsets.ISO_8859_1);
                        pos += i + (i & 1);
                    }
                    default -> {
                        flush();
                        AnnotationCode code = AnnotationCode.of(a);
                        if (code == null) {
                            throw new WfdbFormatException(source + ": unknown annotation code " + a + " at byte "
                                    + (pos - 2));
                        }
                        time += i;
                        pending = new Pending(time, code);
                    }
                }
            }
        }

        private int readWord() {
            int word = (bytes[pos] & 0xff) | ((bytes[pos + 1] & 0xff) << 8);
            pos += 2;
            return word;
        }

        private void require(int count, String where) {
            if (pos + count > bytes.length) {
                throw new WfdbFormatException(source + " is truncated at byte " + pos + ": " + where);
            }
        }

        private Pending pending(String what) {
            if (pending == null) {
                throw new WfdbFormatException(source + ": " + what + " before any annotation at byte " + (pos - 2));
            }
            return pending;
        }

        /** Completes the annotation being built; its {@code num} and {@code chan} carry over to the next. */
        private void flush() {
            if (pending == null) {
                return;
            }
            Annotation done = pending.build(num, channel);
            num = done.num();
            channel = done.channel();
            annotations.add(done);
            pending = null;
        }
    }

    /** An annotation whose modifiers may still follow. */
    private static final class Pending {
        final long time;
        final AnnotationCode code;
        int subtype;
        Integer numSet;
        Integer channelSet;
        String aux;

        Pending(long time, AnnotationCode code) {
            this.time = time;
            this.code = code;
        }

        /** {@code num} and {@code chan} carry over from the previous annotation unless set. */
        Annotation build(int previousNum, int previousChannel) {
            return new Annotation(time, code, subtype, channelSet != null ? channelSet : previousChannel,
                    numSet != null ? numSet : previousNum, aux);
        }
    }

    /** Writes annotations, sorted by sample, in MIT format as putann does. */
    public static void write(Path file, List<Annotation> annotations) {
        try {
            Files.write(file, encode(annotations));
        } catch (IOException e) {
            throw new WfdbFormatException("cannot write annotation file " + file + ": " + IoReasons.of(e, file), e);
        }
    }

    public static byte[] encode(List<Annotation> annotations) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long time = 0;
        int num = 0;
        int channel = 0;
        for (Annotation annotation : annotations) {
            long delta = annotation.sample() - time;
            if (delta < 0) {
                throw new IllegalArgumentException("annotations must be sorted by sample; " + annotation.sample()
                        + " follows " + time);
            }
            if (delta > MAX_INTERVAL) {
                word(out, SKIP, 0);
                word(out, (int) (delta >>> 26) & 0x3f, (int) (delta >>> 16) & 0x3ff);
                word(out, (int) (delta >>> 10) & 0x3f, (int) delta & 0x3ff);
                delta = 0;
            }
            word(out, annotation.code().code(), (int) delta);
            if (annotation.subtype() != 0) {
                word(out, SUB, annotation.subtype() & 0x3ff);
            }
            if (annotation.channel() != channel) {
                word(out, CHN, annotation.channel() & 0x3ff);
                channel = annotation.channel();
            }
            if (annotation.num() != num) {
                word(out, NUM, annotation.num() & 0x3ff);
                num = annotation.num();
            }
            if (annotation.aux() != null && !annotation.aux().isEmpty()) {
                byte[] aux = annotation.aux().getBytes(StandardCharsets.ISO_8859_1);
                if (aux.length > 255) {
                    throw new IllegalArgumentException("aux strings are at most 255 bytes, got " + aux.length);
                }
                word(out, AUX, aux.length);
                out.write(aux, 0, aux.length);
                if ((aux.length & 1) == 1) {
                    out.write(0);
                }
            }
            time = annotation.sample();
        }
        word(out, 0, 0);
        return out.toByteArray();
    }

    private static void word(ByteArrayOutputStream out, int a, int i) {
        int word = (a << 10) | i;
        out.write(word & 0xff);
        out.write((word >> 8) & 0xff);
    }
}
