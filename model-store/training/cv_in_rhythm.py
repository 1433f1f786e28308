#!/usr/bin/python3
"""What classifying and reporting beats as the pipeline does (`TemplateMatch`, `ReportedClass`) does
to the cross-validated S and V figures and to the runs of V beats.

The classifier checks the model's V and F calls against the patient's usual QRS: a call whose QRS
differs from the device's template by at most 0.1 of the template's energy is S when clearly early
(prematurity index under 0.85), else N; not while the template is young or ventricular (see
`template_match`). The AF detector, the run rules and the rules below read that class. A V or F call
on a QRS family the classifier calls V, F or Q at most a fifth of the time is reported as a call
matching the template is (`qrs_families`, mirroring `QrsFamilies` and `ReportedClass`; `--no-families`
replays without it); the AF detector and the run rules keep the call. Runs of 3
or more V beats are scored much as `VentricularRunScore` scores them (a reference run is found
when any detected run, a couplet too, overlaps it; a detected run is true when it overlaps any
reference run), but on stretches of consecutive V among the matched beats, by beat position
without the 150 ms tolerance, and without leaving out the learning period or ventricular flutter.

In AF a V call whose QRS is within 0.3 of the template's (three times the template match's limit)
is reported N, unless the template was ventricular, the classifier called the beat before V and the
interval is within 10 % of the one before (a regular ventricular rhythm that may have become the
template): AF's short-long intervals look like a PVC's
timing, and there only the QRS tells. The AF detector and the run rules read the classifier's V,
so runs are scored on the classes after the template match.

Three rules turn a model's S call into N: S beats inside atrial fibrillation; S beats that did not
come early (interval not under 0.9 of the local mean, the `prev_over_local` feature) unless the
beat before was reported S, since S beats are premature by definition; and S beats with the
patient's usual P wave (similarity at least 0.95) unless the beat before was reported S, since an
ectopic atrial focus gives another P wave. Three turn an N
call into S, outside AF and irregular rhythms: a beat that came clearly early (under 0.85 of the
local mean) without the patient's usual P wave (P-wave similarity under 0.5); a beat that came early
for the patient (`unusually_early`, mirroring `PrematuritySpread`: its prematurity index under 0.95
and more than 3 median absolute deviations of the latest 64 N beats' indices under 1, its interval
under 0.9 of the one before) with a P wave unlike the usual one (similarity under 0.8;
`--no-unusually-early` replays without it); and a beat right after
one reported S whose interval is under 0.85 of the local mean when that S run began (the run goes
on at its rate, while the local mean has followed it; past 30 s only without the usual P wave). The replay treats every beat as readable;
the stream applies those two rules to readable beats only, and the template match counts only
readable beats towards the template.

Besides Se/+P per class, it prints EC57's VEB and SVEB positive predictivity of the reported
classes as PhysioNet's bxb computes them (fusion and unclassifiable beats called V, and
unclassifiable beats called S, are not false positives), on the matched beats the export holds.

The stream reports an S-labelled beat inside atrial fibrillation as N (`AfDetector.inRhythm`):
there are no atrial premature beats in AF, but the model calls AF's short intervals S. Whether a
beat is in AF depends on the AF detector, which runs on the classifier's classes, so the effect on
unseen patients is measured on the held-out predictions of the cross-validation: each record's
held-out classes, in R-peak order, go through a replay of the detector's entry and exit rules,
and S beats it places in AF are counted as N.

The replay mirrors `AfDetector` (32-interval window of intervals between N, S and F beats; entry on the median absolute
difference between successive intervals or, when smaller, the larger of the same medians of the
two series of every other interval, over the mean, 0.15, without intervals touching S beats while 16 remain, else with them when their
coupling intervals spread by 0.07 or more over at least 6 and the successive irregularity is at
most 0.4;
exit below 0.10; and when the median P-wave similarity of the beats closing that window's
intervals is under 0.5, the same thresholds on the latest 32 intervals between N, S, V and F beats,
entry also needing at least 16 N/S/F intervals, at least 0.10 irregular; an onset is not dated
before a beat from the window's middle on that closed an N/S/F interval with a P-wave similarity of
0.95 or more). The P-wave similarity
is computed from the exported beat and template channels as `BeatFeatures.pWaveSimilarity`
computes it. Fed the same beats (the matched beats of the 22 DS1 records with the held-out classes
of seeds 1 and 2, all readable), the Java detector is in AF after exactly the same beats as this
replay. The replay leaves out what the held-out data cannot give: signal readability, missed and
extra beats, and gaps.
Its beats are the detected beats that matched a reference beat, at the reference R peaks, so
unmatched detections and missed beats drop out of the intervals; `--fs` is the records' sampling
rate (360 Hz for MIT-BIH), which the dataset does not record.

    /usr/bin/python3 model-store/training/train_beat_classifier.py --data /tmp/ds1 --out /tmp/x \\
        --cv-only --oof /tmp/oof.npz
    /usr/bin/python3 model-store/training/cv_in_rhythm.py --data /tmp/ds1 --oof /tmp/oof.npz \
        --db ../shared/data/mitdb

With `--db`, it also scores the replayed AF against the reference rhythm (`(AFIB`, `(AFL` in each
record's `.atr`) after the 5-minute learning period, each beat standing for the time to the next:
the AF detector as it would do on unseen patients, where `monitor eval` on DS1 uses the classes
of a model trained on those very records.
"""
import argparse
import collections
import os

import numpy as np

CLASSES = "NSVFQ"
PREMATURE_RATIO, CLEARLY_PREMATURE = 0.9, 0.85
WINDOW, ENTER, LEAVE, MIN_ENTRY, LEAVE_JUDGEMENTS, MAX_LAG = 32, 0.15, 0.10, 16, 16, 2
MIN_COUPLINGS, COUPLING_SPREAD, MAX_COUPLED_IRREGULARITY = 6, 0.07, 0.4
P_WAVE_START, P_WAVE_END, FLAT_MV = 2, 44, 0.001
P_WAVE_ABSENT, MIN_P_WAVES, RUN_WITH_USUAL_P_WAVE_S, USUAL_P_WAVE = 0.5, 8, 30.0, 0.95
QRS_START, QRS_END, MAX_QRS_DIFFERENCE, MAX_VENTRICULAR_SHARE, TEMPLATE_BEATS = 39, 102, 0.1, 0.3, 16
MAX_QRS_DIFFERENCE_IN_AF = 0.3
REGULAR_VENTRICULAR = 0.1  # ReportedClass.REGULAR_RHYTHM
TIE_S = 1e-6  # ReportedClass.TIE_MS: an exact tie is regular, whatever the rounding of float32 seconds
FAMILY_JOIN, MAX_FAMILIES, MAX_FAMILY_OTHER_SHARE, FAMILY_SHARE_BEATS = 0.15, 12, 0.2, 500
SPREAD_BEATS, MIN_SPREAD_BEATS, SPREADS, SOMEWHAT_PREMATURE, ABRUPT, P_WAVE_UNLIKE = 64, 16, 3.0, 0.95, 0.9, 0.8


def irregularity(rr, max_lag=MAX_LAG):
    """The median absolute difference between successive intervals, or (`max_lag` 2) when smaller
    the larger of the same medians of the two interleaved series of every other interval, over the
    mean interval (`AfDetector.successiveIrregularity`)."""
    rr = np.asarray(rr)
    x = np.median(np.abs(np.diff(rr)))
    if max_lag >= 2:
        two_apart = np.abs(rr[2:] - rr[:-2])
        x = min(x, max(np.median(two_apart[0::2]), np.median(two_apart[1::2])))
    return x / rr.mean()


def coupling_spread(window):
    coupling = np.array([rr for rr, kind, _, _ in window if kind == "NS"])
    if len(coupling) < MIN_COUPLINGS:
        return np.nan
    median = np.median(coupling)
    return np.median(np.abs(coupling - median)) / median


def report(model, af_flags, irregular, rr, p_wave, at_s, qrs_diff=None, ventricular=None, conducted_shape=None,
           early=None):
    """The classes the pipeline reports, beats in R-peak order (mirrors ReportedClass); `rr` their
    exported RR features (previous interval, local mean and their ratio are read), `at_s` their
    times in seconds, `qrs_diff` their QRS difference from the template (None: unknown),
    `ventricular` whether the template was ventricular (None: unknown). Past
    RUN_WITH_USUAL_P_WAVE_S from an S run's first beat only beats without the usual P wave go on
    with it. In AF a V call within MAX_QRS_DIFFERENCE_IN_AF of the template is N, unless the template
    is ventricular, the classifier called the beat before V and the interval (`prev_rr_s`) is within
    REGULAR_VENTRICULAR of the one before (unlike the stream's, the exported intervals are clamped to
    0.2-3 s and a record's first beat has its next interval for the previous one). An S call with
    the usual P wave (USUAL_P_WAVE) that does not continue an S run is N. Before
    all that, a V or F call on a conducted shape (`conducted_shape`, from `qrs_families`; None: none)
    is S when clearly early, else N. An N call that came unusually early (`early`, from `unusually_early`;
    None: none) with a P wave unlike the usual one (similarity under P_WAVE_UNLIKE) is S."""
    prev_rr, local_rr, prev_over_local = rr[:, 0], rr[:, 2], rr[:, 3]
    called, model = model, model.copy()
    if conducted_shape is not None:
        turn = conducted_shape & np.isin(model, (2, 3))
        model[turn] = np.where(prev_over_local[turn] < CLEARLY_PREMATURE, 1, 0)
    out, previous, run_local_rr, run_onset = model.copy(), 0, 0.0, 0.0
    if qrs_diff is None:
        qrs_diff = np.full(len(model), np.nan)
    if ventricular is None:
        ventricular = np.ones(len(model), dtype=bool)
    for i, k in enumerate(model):
        # A regular ventricular rhythm that may have become the template (ventricular, the beat before
        # called V, the two intervals alike) keeps its V.
        in_a_ventricular_rhythm = ventricular[i] and i > 0 and called[i - 1] == 2 and \
            abs(float(prev_rr[i]) - float(prev_rr[i - 1])) <= REGULAR_VENTRICULAR * float(prev_rr[i - 1]) + TIE_S
        if k == 2 and af_flags[i] and not in_a_ventricular_rhythm and qrs_diff[i] <= MAX_QRS_DIFFERENCE_IN_AF:
            out[i] = 0
        elif k == 1 and (af_flags[i] or (previous != 1 and (
                (prev_over_local[i] >= PREMATURE_RATIO and not (early is not None and early[i]
                                                                and p_wave[i] < P_WAVE_UNLIKE))
                or p_wave[i] >= USUAL_P_WAVE))):
            out[i] = 0
        elif k == 0 and not irregular[i] and prev_over_local[i] < CLEARLY_PREMATURE and p_wave[i] < P_WAVE_ABSENT:
            out[i] = 1
        elif k == 0 and not irregular[i] and early is not None and early[i] and p_wave[i] < P_WAVE_UNLIKE:
            out[i] = 1
        elif k == 0 and not irregular[i] and previous == 1 and prev_rr[i] < CLEARLY_PREMATURE * run_local_rr \
                and (at_s[i] - run_onset < RUN_WITH_USUAL_P_WAVE_S or not p_wave[i] >= P_WAVE_ABSENT):
            out[i] = 1
        if out[i] == 1 and previous != 1:
            run_local_rr, run_onset = float(local_rr[i]), float(at_s[i])
        previous = out[i]
    return out


def p_wave_similarity(beats):
    """Correlation of each beat's P-wave stretch (window indexes 2-43: 248 to 80 ms before the R peak)
    with the template's, as `BeatFeatures.pWaveSimilarity`; NaN where either is flat (under 1 µV RMS)."""
    b, t, floor = centred(beats, P_WAVE_START, P_WAVE_END)
    beat_power, template_power = (b * b).sum(axis=1), (t * t).sum(axis=1)
    flat = (beat_power <= floor) | (template_power <= floor)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(flat, np.nan, (b * t).sum(axis=1) / np.sqrt(beat_power * template_power))


def qrs_difference(beats, template=None):
    """How far each beat's QRS stretch (indexes 39-101: 100 ms before to 152 ms after the R peak) is
    from the template's, as `BeatFeatures.qrsDifference`: the energy of their difference over the
    template's, each minus its mean; NaN where the template is flat. `template`: another template's
    QRS stretch to compare with instead of each beat's own."""
    return relative_difference(*centred(beats, QRS_START, QRS_END, template))


def relative_difference(b, t, floor):
    """The energy of each centred stretch `b` minus its centred template `t`, over the template's;
    NaN where the template's energy is at most `floor` (flat)."""
    power = (t * t).sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(power <= floor, np.nan, ((b - t) ** 2).sum(axis=-1) / power)


def centred(beats, start, end, template=None):
    """The beats' and the templates' stretch [start, end), each minus its mean (as `BeatFeatures`
    centres them), and the flat floor of that stretch."""
    b = beats[:, 0, start:end].astype(np.float64)
    t = beats[:, 1, start:end].astype(np.float64) if template is None else \
        np.broadcast_to(np.asarray(template, dtype=np.float64), b.shape)
    return (b - b.mean(axis=1, keepdims=True), t - t.mean(axis=1, keepdims=True),
            (end - start) * FLAT_MV ** 2)


def template_match(model, beats, prev_over_local, with_ventricular=False, qrs_diff=None):
    """The classes the stream gives the beats of one record, in R-peak order (mirrors `TemplateMatch`;
    `beats` their exported windows): a V or F call whose QRS matches the template (difference at most
    MAX_QRS_DIFFERENCE) is S when clearly early (prematurity index under CLEARLY_PREMATURE), else N.
    Not while the template is young (under TEMPLATE_BEATS beats), and not while it is ventricular:
    from when beats left as V make up MAX_VENTRICULAR_SHARE of it until TEMPLATE_BEATS beats, neither
    V nor like the template as it was when the share was last that high, have joined it.
    `with_ventricular`: also whether the template was ventricular when each beat was checked.
    `qrs_diff`: the beats' `qrs_difference`, when the caller has it already."""
    out, share, learnt, ventricular, unlike, frozen = model.copy(), 0.0, 0, False, 0, None
    if qrs_diff is None:
        qrs_diff = qrs_difference(beats)
    was_ventricular = np.zeros(len(model), dtype=bool)
    for i, k in enumerate(model):
        was_ventricular[i] = ventricular
        matches = qrs_diff[i] <= MAX_QRS_DIFFERENCE
        if k in (2, 3) and matches and learnt >= TEMPLATE_BEATS and not ventricular:
            out[i] = 1 if float(prev_over_local[i]) < CLEARLY_PREMATURE else 0
        if float(prev_over_local[i]) >= PREMATURE_RATIO:
            learnt = min(learnt + 1, TEMPLATE_BEATS)
            share += ((out[i] == 2) - share) / learnt
            if share >= MAX_VENTRICULAR_SHARE:
                ventricular, unlike, frozen = True, 0, beats[i, 1, QRS_START:QRS_END].copy()
            elif ventricular and out[i] != 2 and qrs_difference(beats[i:i + 1], frozen)[0] > MAX_QRS_DIFFERENCE:
                unlike += 1
                ventricular = unlike < TEMPLATE_BEATS
    return (out, was_ventricular) if with_ventricular else out


def qrs_families(classes, beats):
    """Whether each beat of one record, in R-peak order, is on a conducted shape (mirrors `QrsFamilies`
    as `TemplateMatch` uses it; `classes` after the template match, `beats` their exported windows): a
    beat joins the family whose running mean QRS stretch is nearest by `qrs_difference`, if within
    FAMILY_JOIN, else starts one (at most MAX_FAMILIES: a new one replaces the family with the fewest
    beats, of those the one joined longest ago). The shape is conducted when its family already had
    TEMPLATE_BEATS beats, at most MAX_FAMILY_OTHER_SHARE of them called V, F or Q. Families learn from
    the classes as the template match left them; `report` reads the flags."""
    conducted_shape = np.zeros(len(classes), dtype=bool)
    qrs = beats[:, 0, QRS_START:QRS_END].astype(np.float32)
    means, counts, shares, joined = [], [], [], []
    floor = (QRS_END - QRS_START) * FLAT_MV ** 2
    for i, k in enumerate(classes):
        family = -1
        if means:
            # qrs_difference from every family's mean at once; the nearest within reach, the first of equals.
            b = qrs[i].astype(np.float64)
            b -= b.mean()
            t = np.array(means, dtype=np.float64)
            t -= t.mean(axis=1, keepdims=True)
            d = relative_difference(b, t, floor)
            near = np.flatnonzero(d <= FAMILY_JOIN)
            family = int(near[np.argmin(d[near])]) if len(near) else -1
        conducted_shape[i] = family >= 0 and counts[family] >= TEMPLATE_BEATS \
            and shares[family] <= MAX_FAMILY_OTHER_SHARE
        other = float(k not in (0, 1))
        if family < 0:
            if len(means) == MAX_FAMILIES:
                j = min(range(len(means)), key=lambda f: (counts[f], joined[f]))
                del means[j], counts[j], shares[j], joined[j]
            means.append(qrs[i].copy()), counts.append(1), shares.append(other), joined.append(i)
        else:
            counts[family] += 1
            shares[family] += (other - shares[family]) / min(counts[family], FAMILY_SHARE_BEATS)
            joined[family] = i
            means[family] += np.float32(1.0 / min(counts[family], TEMPLATE_BEATS)) * (qrs[i] - means[family])
    return conducted_shape


def unusually_early(classes, rr):
    """Whether each beat of one record, in R-peak order, came early for this patient (mirrors
    `PrematuritySpread`; `classes` after the template match, `rr` the exported RR features): its
    prematurity index under SOMEWHAT_PREMATURE and more than SPREADS times the median absolute
    deviation of the indices of the latest SPREAD_BEATS beats left N under 1 (from MIN_SPREAD_BEATS
    of them on), and its interval under ABRUPT of the one before, unless that one was long (over the
    local mean interval over ABRUPT: a pause, a missed beat). The stream reads the measured interval
    and learns from readable beats only; this replay reads the exported `prev_rr_s` (clamped to 0.2-3 s,
    the next interval standing in for an unmeasured one), treats every beat as readable, and has
    only the beats that matched a reference beat, so an extra detection between two beats is not
    the beat before."""
    # In double precision, as Java compares: float32 arithmetic would move exact 9:10 ratios.
    prev_rr, prematurity = rr[:, 0].astype(np.float64), rr[:, 3].astype(np.float64)
    out, recent = np.zeros(len(classes), dtype=bool), collections.deque(maxlen=SPREAD_BEATS)
    for i, k in enumerate(classes):
        if len(recent) >= MIN_SPREAD_BEATS and i > 0 and 0 < prev_rr[i] < ABRUPT * prev_rr[i - 1] \
                and not prev_rr[i - 1] * ABRUPT > prev_rr[i] / prematurity[i]:
            h = np.array(recent, dtype=np.float64)
            spread = np.median(np.abs(h - np.median(h)))
            out[i] = prematurity[i] < SOMEWHAT_PREMATURE and 1 - prematurity[i] > SPREADS * spread
        if k == 0 and np.isfinite(prematurity[i]):
            recent.append(prematurity[i])
    return out


def p_waves_absent(window):
    known = [p for _, _, p, _ in window if not np.isnan(p)]
    return len(known) >= MIN_P_WAVES and np.median(known) < P_WAVE_ABSENT


def entry_irregularity(window):
    """The irregularity that decides entry on the class-based rules (`AfDetector.entryIrregularity`)."""
    others = [r for r, kind, _, _ in window if "S" not in kind]
    if len(others) >= MIN_ENTRY:
        return irregularity(others)
    if not coupling_spread(window) >= COUPLING_SPREAD:
        return np.nan
    rr = [r for r, _, _, _ in window]
    return irregularity(rr) if irregularity(rr, 1) <= MAX_COUPLED_IRREGULARITY else np.nan


def after_usual_p_wave(window, middle, latest):
    """The beat after the last one, from the window's middle on, that closed a usable interval with
    the patient's usual P wave (similarity at least USUAL_P_WAVE); `middle` when there is none, the
    latest beat when that one was it (`AfDetector.afterUsualPWave`)."""
    closing = [i for _, _, _, i in window if i >= middle]
    usual = [i for _, _, p, i in window if i >= middle and p >= USUAL_P_WAVE]
    if not usual:
        return middle
    later = [i for i in closing if i > usual[-1]]
    return later[0] if later else latest


def in_af(samples, classes, fs, p_wave=None):
    """Whether the detector is in AF after each beat (what `ReportedClass` reads: not while AF waits
    to end), whether it is in AF or its last window was irregular (`AfDetector.irregular`), and the
    beats
    inside the AF segments it reports (what `monitor eval` scores), beats in R-peak order; `p_wave`
    the beats' P-wave similarity (None: unknown, the class-based rules alone). Onset and end are
    dated as the detector dates them, to the beat that closed the middle interval of the window that
    changed; AF ends after LEAVE_JUDGEMENTS regular judgements in a row, dated to the first."""
    n = len(samples)
    live = np.zeros(n, dtype=bool)
    irregular = np.zeros(n, dtype=bool)
    flags = np.zeros(n, dtype=bool)
    last_x = 0.0
    if p_wave is None:
        p_wave = np.full(n, np.nan)
    window, any_window = [], []
    af, onset, ended, leaving, leave_at = False, 0, 0, 0, 0
    for i in range(1, n):
        rr = (samples[i] - samples[i - 1]) / fs * 1000
        c, before = classes[i], classes[i - 1]
        live[i] = af and leaving == 0
        irregular[i] = live[i] or (len(window) > 0 and last_x >= LEAVE)
        if not (c in "NSFV" and before in "NSFV" and 250 <= rr <= 2000):
            continue
        any_window = (any_window + [(rr, i)])[-WINDOW:]
        usable = c in "NSF" and before in "NSF"
        if usable:
            window = (window + [(rr, before + c, p_wave[i], i)])[-WINDOW:]
        judged = None
        if len(any_window) == WINDOW and p_waves_absent(window):
            x = irregularity([r for r, _ in any_window])
            conducted = irregularity([r for r, _, _, _ in window]) if len(window) >= MIN_ENTRY else np.nan
            if af or conducted >= LEAVE:
                judged = x, any_window[-1 - WINDOW // 2][1]
        elif usable and len(window) == WINDOW:
            x = irregularity([r for r, _, _, _ in window]) if af else entry_irregularity(window)
            if not np.isnan(x):
                judged = x, window[-1 - WINDOW // 2][3]
        if judged is None:
            live[i] = af and leaving == 0
            irregular[i] = live[i] or (len(window) > 0 and last_x >= LEAVE)
            continue
        x, middle = judged
        last_x = x
        if not af and x >= ENTER:
            af, onset, leaving = True, max(middle, ended, after_usual_p_wave(window, middle, i)), 0
        elif af and x < LEAVE:
            leave_at = middle if leaving == 0 else leave_at
            leaving += 1
            if leaving >= LEAVE_JUDGEMENTS:
                ended = max(onset, leave_at)
                flags[onset:ended] = True
                af, leaving = False, 0
        elif af:
            leaving = 0
        live[i] = af and leaving == 0
        irregular[i] = live[i] or (len(window) > 0 and last_x >= LEAVE)
    if af:
        flags[onset:] = True
    return live, irregular, flags


def reference_af(path):
    """Sample spans of AF and flutter from a WFDB (MIT format) annotation file's rhythm changes."""
    data = open(path, "rb").read()
    spans, rhythm, start, t, i, last_code = [], None, 0, 0, 0, None
    while i + 1 < len(data):
        word = data[i] | data[i + 1] << 8
        i += 2
        code, value = word >> 10, word & 0x3FF
        if code == 0 and value == 0:
            break
        if code == 59:  # SKIP: a 32-bit interval follows, high 16 bits first
            skip = (data[i] | data[i + 1] << 8) << 16 | (data[i + 2] | data[i + 3] << 8)
            t += skip - (1 << 32) if skip >= 1 << 31 else skip
            i += 4
        elif code == 63:  # AUX: the text of the annotation before
            text = data[i:i + value].decode("latin-1").rstrip("\x00")
            i += value + (value & 1)
            if last_code == 28:  # rhythm change
                if rhythm in ("(AFIB", "(AFL"):
                    spans.append((start, t))
                rhythm, start = text, t
        elif code in (60, 61, 62):  # NUM, SUB, CHN
            pass
        else:
            t += value
            last_code = code
    if rhythm in ("(AFIB", "(AFL"):
        spans.append((start, float("inf")))
    return spans


def se_ppv(truth, predicted, k):
    tp = int(((truth == k) & (predicted == k)).sum())
    ref, det = int((truth == k).sum()), int((predicted == k).sum())
    return (100.0 * tp / ref if ref else float("nan"), 100.0 * tp / det if det else float("nan"))


# What EC57's reference implementation (bxb) does not count as a false positive of a class: fusion
# and unclassifiable beats called V, unclassifiable beats called S.
NOT_FALSE = {1: (4,), 2: (3, 4)}


def ec57_ppv(truth, predicted, k):
    """EC57's VEB (k = 2) or SVEB (k = 1) positive predictivity of matched beats."""
    called = (predicted == k) & ~np.isin(truth, NOT_FALSE[k])
    det = int(called.sum())
    return 100.0 * int((called & (truth == k)).sum()) / det if det else float("nan")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", required=True, help="directory written by `bin/monitor dataset`")
    parser.add_argument("--oof", required=True, help="file written by train_beat_classifier.py --oof")
    parser.add_argument("--fs", type=float, default=360.0, help="sampling rate of the records' sample indexes")
    parser.add_argument("--db", help="WFDB records with reference rhythm: also score the replayed AF")
    parser.add_argument("--class-rules-only", action="store_true",
                        help="replay without the P-wave rules of the AF detector and the reported class "
                             "(as before they existed)")
    parser.add_argument("--model-classes", action="store_true",
                        help="replay on the model's classes, without the template match that makes a V or F "
                             "call whose QRS matches the template N")
    parser.add_argument("--no-families", action="store_true",
                        help="replay without the QRS family check (as before it existed)")
    parser.add_argument("--scored-from-s", type=float, default=0.0,
                        help="score beat classes only from this many seconds into each record on (300: EC57's "
                             "learning period, as `bin/monitor eval` scores; the rules still run from the start, "
                             "and runs and AF are scored as without it)")
    parser.add_argument("--no-unusually-early", action="store_true",
                        help="replay without the rule on N calls that came early for the patient (as before it "
                             "existed)")
    args = parser.parse_args()
    labels = np.load(os.path.join(args.data, "labels.npy"))
    records = np.load(os.path.join(args.data, "records.npy"))
    samples = np.load(os.path.join(args.data, "samples.npy"))
    rr = np.load(os.path.join(args.data, "rr.npy"))
    prev_over_local = rr[:, 3]
    beats = np.load(os.path.join(args.data, "beats.npy"), mmap_mode="r")
    oof = np.load(args.oof)
    by_epochs = {}
    for key in sorted(k for k in oof.files if k.startswith("rows_")):
        name = key[len("rows_"):]
        rows, p = oof[key], oof["probabilities_" + name].argmax(axis=1)
        classified, reported = p.copy(), p.copy()
        af_seconds = np.zeros(3)  # reference, detected, both
        runs = np.zeros((2, 4), dtype=int)  # model, reported: reference, found, detected, true
        for record in np.unique(records[rows]):
            idx = np.where(records[rows] == record)[0]
            idx = idx[np.argsort(samples[rows][idx])]
            window = np.asarray(beats[rows[idx]])
            qrs_diff = qrs_difference(window)
            matched, ventricular = template_match(p[idx], window, prev_over_local[rows][idx], with_ventricular=True,
                                                  qrs_diff=qrs_diff)
            if not args.model_classes:
                classified[idx] = matched
            conducted_shape = None if args.no_families else qrs_families(classified[idx], window)
            k = classified[idx]
            p_wave = None if args.class_rules_only else p_wave_similarity(window)
            live, irregular, flags = in_af(samples[rows][idx], "".join(CLASSES[c] for c in k), args.fs, p_wave)
            reported[idx] = report(k, live, irregular, rr[rows][idx],
                                   p_wave if p_wave is not None else np.full(len(idx), np.nan),
                                   samples[rows][idx] / args.fs, qrs_diff, ventricular, conducted_shape,
                                   None if args.no_unusually_early else unusually_early(k, rr[rows][idx]))
            truth_runs = ventricular_runs(labels[rows][idx])
            runs[0] += score_runs(truth_runs, ventricular_runs(p[idx]))
            # The run rules read the classifier's classes, not the reported ones.
            runs[1] += score_runs(truth_runs, ventricular_runs(k))
            if args.db:
                at = samples[rows][idx]
                spans = reference_af(os.path.join(args.db, f"{record}.atr"))
                ref = np.array([any(a <= x < b for a, b in spans) for x in at])
                scored = at >= 300 * args.fs
                seconds = np.diff(np.append(at, at[-1])) / args.fs
                af_seconds += [(seconds * (ref & scored)).sum(), (seconds * (flags & scored)).sum(),
                               (seconds * (ref & flags & scored)).sum()]
        scored = samples[rows] >= args.scored_from_s * args.fs
        truth, model, reported = labels[rows][scored], p[scored], reported[scored]
        figures = [se_ppv(truth, model, 1), se_ppv(truth, reported, 1), se_ppv(truth, model, 2),
                   se_ppv(truth, reported, 2), se_ppv(truth, model, 3), se_ppv(truth, reported, 3),
                   *[(100.0 * found / ref, 100.0 * true / detected) for ref, found, detected, true in runs],
                   (ec57_ppv(truth, reported, 1), ec57_ppv(truth, reported, 2))]
        by_epochs.setdefault(name.split("_")[1], []).append(figures)
        if args.db:
            print(f"{name}: AF duration Se {100 * af_seconds[2] / af_seconds[0]:.1f} %, "
                  f"+P {100 * af_seconds[2] / af_seconds[1]:.1f} % ({af_seconds[0]:.0f} s of reference AF)")
        print(f"{name}: {summary(figures)}; runs of 3+ V: {runs[0][0]} reference, the model's "
              f"{runs[0][2]} ({runs[0][2] - runs[0][3]} false), the run rules' {runs[1][2]} "
              f"({runs[1][2] - runs[1][3]} false)")
    for epochs, figures in by_epochs.items():
        print(f"mean over seeds, {epochs}: {summary(np.mean(np.array(figures), axis=0))}")


def summary(figures):
    """Se/+P of S, V, F and runs of 3 or more V beats, the model's classes then the reported ones
    (for runs, the classes the run rules read: after the template match)."""
    text = [f"{what} model {m[0]:.1f}/{m[1]:.1f}, reported {r[0]:.1f}/{r[1]:.1f}"
            for what, m, r in zip(("S", "V", "F", "V runs"), figures[0:8:2], figures[1:8:2])]
    return ("Se/+P " + "; ".join(text) + f"; EC57 +P as reported (F, Q called V and Q called S not false): "
            f"SVEB {figures[8][0]:.1f}, VEB {figures[8][1]:.1f}")


def ventricular_runs(classes):
    """Runs of 2 or more beats of class V, as [first, last + 1) positions in the beat sequence."""
    out, start = [], None
    for i, k in enumerate(np.append(classes, -1)):
        if k == 2 and start is None:
            start = i
        elif k != 2 and start is not None:
            if i - start >= 2:
                out.append((start, i))
            start = None
    return out


def score_runs(reference, detected):
    """Runs of 3 or more, scored as the module docstring says: reference runs, those some detected
    run (a couplet too) overlaps, detected runs, those overlapping a reference run (a couplet too)."""
    overlaps = lambda a, b: a[0] < b[1] and b[0] < a[1]
    long = lambda run: run[1] - run[0] >= 3
    return (sum(map(long, reference)), sum(any(overlaps(r, d) for d in detected) for r in reference if long(r)),
            sum(map(long, detected)), sum(any(overlaps(d, r) for r in reference) for d in detected if long(d)))


if __name__ == "__main__":
    main()
