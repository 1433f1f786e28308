package org.arrhythmiamonitor.wfdb;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A WFDB header ({@code .hea}): record line and signal lines, as PhysioNet's header(5) describes.
 *
 * @param recordName record name
 * @param fsHz sampling frequency per signal (WFDB's default 250 when the header gives none)
 * @param numSamples samples per signal, or 0 when the header does not say
 * @param signals one entry per signal, in file order
 * @param comments comment lines, without the leading {@code #}
 */
public record WfdbHeader(String recordName, double fsHz, long numSamples, List<SignalSpec> signals,
        List<String> comments) {
    private static final double DEFAULT_FS = 250;
    private static final double DEFAULT_GAIN = 200;
    /** {@code format[xsamp][:skew][+offset]} */
    private static final Pattern FORMAT = Pattern.compile("(\\d+)(x\\d+)?(:\\d+)?(\\+\\d+)?");
    /** {@code gain[(baseline)][/units]} */
    private static final Pattern GAIN = Pattern.compile("([-+0-9.eE]+)(?:\\((-?\\d+)\\))?(?:/(\\S+))?");

    public WfdbHeader {
        signals = List.copyOf(signals);
        comments = List.copyOf(comments);
    }

    public static WfdbHeader read(Path headerFile) {
        List<String> lines;
        try {
            WfdbFiles.requireReadable(headerFile, "WFDB header", WfdbFiles.MAX_HEADER_BYTES);
            lines = Files.readAllLines(headerFile, StandardCharsets.US_ASCII);
        } catch (NoSuchFileException e) {
            throw new WfdbFormatException("WFDB header " + headerFile + " does not exist");
        } catch (IOException e) {
            throw new WfdbFormatException("cannot read WFDB header " + headerFile + ": " + e.getMessage(), e);
        }
        return parse(headerFile.toString(), lines);
    }

    /** Parses header lines; {@code source} names the file in error messages. */
    public static WfdbHeader parse(String source, List<String> lines) {
        List<String> comments = new ArrayList<>();
        List<String> content = new ArrayList<>();
        for (String line : lines) {
            String trimmed = line.strip();
            if (trimmed.startsWith("#")) {
                comments.add(trimmed.substring(1).strip());
            } else if (!trimmed.isEmpty()) {
                content.add(trimmed);
            }
        }
        if (content.isEmpty()) {
            throw new WfdbFormatException(source + ": empty header, no record line");
        }
        String[] record = content.get(0).split("\\s+");
        if (record.length < 2) {
            throw new WfdbFormatException(source + ": record line needs a name and a number of signals, got '"
                    + content.get(0) + "'");
        }
        if (record[0].contains("/")) {
            throw new WfdbFormatException(source + ": multi-segment records are not supported");
        }
        int numSignals = parseInt(source, "number of signals", record[1]);
        if (numSignals < 1) {
            // WFDB allows signal-less records (annotations only), but every reader here needs a signal.
            throw new WfdbFormatException(source + ": record line declares " + numSignals
                    + " signals; a record needs at least one");
        }
        double fs = record.length > 2 ? parseFrequency(source, record[2]) : DEFAULT_FS;
        long numSamples = record.length > 3 ? parseLong(source, "number of samples", record[3]) : 0;
        if (numSamples < 0) {
            throw new WfdbFormatException(source + ": record line declares " + numSamples + " samples per signal");
        }
        if (content.size() - 1 < numSignals) {
            throw new WfdbFormatException(source + ": header announces " + numSignals + " signals but has "
                    + (content.size() - 1) + " signal lines");
        }
        List<SignalSpec> signals = new ArrayList<>();
        for (int i = 0; i < numSignals; i++) {
            signals.add(parseSignal(source, i, content.get(i + 1)));
        }
        return new WfdbHeader(record[0], fs, numSamples, signals, comments);
    }

    private static SignalSpec parseSignal(String source, int index, String line) {
        String[] f = line.split("\\s+", 9);
        String where = source + " signal " + index;
        if (f.length < 2) {
            throw new WfdbFormatException(where + ": needs at least a file name and a format, got '" + line + "'");
        }
        Matcher format = FORMAT.matcher(f[1]);
        if (!format.matches()) {
            throw new WfdbFormatException(where + ": cannot read format '" + f[1] + "'");
        }
        if (format.group(2) != null || format.group(3) != null || format.group(4) != null) {
            throw new WfdbFormatException(where + ": multi-frequency, skewed or offset signals are not supported ('"
                    + f[1] + "')");
        }
        double gain = DEFAULT_GAIN;
        int baseline = 0;
        boolean baselineGiven = false;
        String units = "mV";
        if (f.length > 2) {
            Matcher g = GAIN.matcher(f[2]);
            if (!g.matches()) {
                throw new WfdbFormatException(where + ": cannot read gain '" + f[2] + "'");
            }
            double parsed = parseDouble(where, "gain", g.group(1));
            if (!Double.isFinite(parsed)) {
                throw new WfdbFormatException(where + ": gain must be a finite number, got '" + f[2] + "'");
            }
            gain = parsed == 0 ? DEFAULT_GAIN : parsed;
            if (g.group(2) != null) {
                baseline = parseInt(where, "baseline", g.group(2));
                baselineGiven = true;
            }
            if (g.group(3) != null) {
                units = g.group(3);
            }
        }
        int adcResolution = f.length > 3 ? parseInt(where, "ADC resolution", f[3]) : 12;
        int adcZero = f.length > 4 ? parseInt(where, "ADC zero", f[4]) : 0;
        if (!baselineGiven) {
            baseline = adcZero;
        }
        int initialValue = f.length > 5 ? parseInt(where, "initial value", f[5]) : 0;
        Integer checksum = f.length > 6 ? parseInt(where, "checksum", f[6]) : null;
        String description = f.length > 8 ? f[8] : "";
        return new SignalSpec(f[0], parseInt(where, "format", format.group(1)), gain, baseline, units, adcResolution,
                adcZero, initialValue, checksum, description);
    }

    private static double parseFrequency(String source, String field) {
        String value = field.split("[/(]")[0];
        try {
            double fs = Double.parseDouble(value);
            if (!(fs > 0 && Double.isFinite(fs))) {
                throw new WfdbFormatException(source + ": sampling frequency must be positive, got " + field);
            }
            return fs;
        } catch (NumberFormatException e) {
            throw new WfdbFormatException(source + ": cannot read sampling frequency '" + field + "'", e);
        }
    }

    private static int parseInt(String source, String what, String value) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new WfdbFormatException(source + ": cannot read " + what + " '" + value + "'", e);
        }
    }

    private static double parseDouble(String source, String what, String value) {
        try {
            return Double.parseDouble(value);
        } catch (NumberFormatException e) {
            throw new WfdbFormatException(source + ": cannot read " + what + " '" + value + "'", e);
        }
    }

    private static long parseLong(String source, String what, String value) {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new WfdbFormatException(source + ": cannot read " + what + " '" + value + "'", e);
        }
    }

    /** Index of the signal whose description is {@code lead}, or -1. */
    public int signalIndex(String lead) {
        for (int i = 0; i < signals.size(); i++) {
            if (signals.get(i).description().equals(lead)) {
                return i;
            }
        }
        return -1;
    }
}
