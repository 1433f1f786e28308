#!/usr/bin/python3
"""Trains the AAMI beat classifier on the data `bin/monitor dataset` exports, and writes the ONNX
model and its model card.

Run with Debian's Python (python3-torch, python3-numpy): see README.md in this directory.

Protocol (de Chazal 2004 inter-patient split): everything here sees DS1 only. Patient-wise k-fold
cross-validation inside DS1 selects the number of training epochs and measures what to expect on
unseen patients; the final model is then trained on all of DS1 for that many epochs. DS2 is the
independent test set and is measured separately with `bin/monitor eval`.
"""
import argparse
import copy
import hashlib
import json
import multiprocessing
import os
import sys
import time

import numpy as np
import torch
from torch import nn

CLASSES = ["N", "S", "V", "F", "Q"]
# de Chazal's inter-patient split: the records everything here is meant to see (`bin/monitor dataset`'s default).
DS1 = ["101", "106", "108", "109", "112", "114", "115", "116", "118", "119", "122", "124", "201", "203", "205",
       "207", "208", "209", "215", "220", "223", "230"]
DATABASE = "MIT-BIH Arrhythmia Database (PhysioNet, ODC-By 1.0)"


def training_records(records):
    """What the card calls the training records: DS1, or what they are instead, so that a card never
    says DS1 of records that are not."""
    if sorted(records) == sorted(DS1):
        return "DS1"
    outside = [r for r in records if r not in DS1]
    if not outside:
        return f"records {', '.join(records)} of DS1"
    return (f"records {', '.join(records)}, of which {', '.join(outside)} {'is' if len(outside) == 1 else 'are'} "
            "not in DS1 (MIT-BIH's paced records, or records of another database): not the inter-patient protocol")


def training_data(records):
    """The card's `training.data`."""
    what = training_records(records)
    return (f"{DATABASE}, DS1 of de Chazal's inter-patient split" if what == "DS1"
            else f"{DATABASE} or another WFDB database: {what}")


def dataset_command(manifest):
    """The `bin/monitor dataset` command that writes the export `manifest` describes, with the options
    it records that differ from the defaults (exports before 1.5 did not record the seed and the notch)."""
    parts = ["bin/monitor dataset --db ../shared/data/mitdb"]
    if sorted(manifest["records"]) != sorted(DS1):
        parts.append("--records " + ",".join(manifest["records"]))
    if manifest.get("lead", "first signal") != "first signal":
        parts.append(f"--lead {manifest['lead']}")
    if manifest.get("annotator", "atr") != "atr":
        parts.append(f"--reference {manifest['annotator']}")
    if manifest.get("mains", "50") != "50":
        parts.append(f"--mains {manifest['mains']}")
    if manifest.get("jitter_copies", 2) != 2:
        parts.append(f"--jitter-copies {manifest['jitter_copies']}")
    if manifest.get("jitter_seed", 1) != 1:
        parts.append(f"--seed {manifest['jitter_seed']}")
    return " ".join(parts + ["--out /tmp/ds1"])


class BeatNet(nn.Module):
    """A small 1-D CNN over the beat and the patient's template, joined with the RR context."""

    def __init__(self, channels, length, rr_features, classes, width=1.0):
        super().__init__()
        self.morphology, features = self.convolutions(channels, width)
        self.rhythm = nn.Sequential(nn.BatchNorm1d(rr_features), nn.Linear(rr_features, 16), nn.ReLU())
        self.head = nn.Sequential(nn.Linear(features * 2 + 16, 64), nn.ReLU(), nn.Dropout(0.3), nn.Linear(64, classes))

    @staticmethod
    def convolutions(channels, width):
        """The morphology network and its output channels."""
        c1, c2, c3, c4 = (max(4, round(c * width)) for c in (16, 32, 48, 64))

        def block(cin, cout, kernel, pool):
            layers = [nn.Conv1d(cin, cout, kernel, padding=kernel // 2, bias=False), nn.BatchNorm1d(cout), nn.ReLU()]
            if pool:
                layers.append(nn.MaxPool1d(2))
            return layers

        return nn.Sequential(
            *block(channels, c1, 7, True),
            *block(c1, c2, 5, True),
            *block(c2, c3, 5, True),
            *block(c3, c4, 3, False),
        ), c4

    def logits(self, beat, rr):
        m = self.morphology(beat)
        pooled = torch.cat([m.mean(dim=2), m.amax(dim=2)], dim=1)
        return self.head(torch.cat([pooled, self.rhythm(rr)], dim=1))

    def forward(self, beat, rr):
        return torch.softmax(self.logits(beat, rr), dim=1)


class SqueezeExcite(nn.Module):
    """Channel recalibration: each channel scaled by a gate learnt from all channels' means."""

    def __init__(self, channels, reduction=4):
        super().__init__()
        hidden = max(4, channels // reduction)
        self.gate = nn.Sequential(nn.Linear(channels, hidden), nn.ReLU(), nn.Linear(hidden, channels), nn.Sigmoid())

    def forward(self, x):
        return x * self.gate(x.mean(dim=2)).unsqueeze(2)


class MultiScaleBlock(nn.Module):
    """Parallel convolutions of several kernel lengths (a QRS's notch and a whole wide QRS), joined."""

    def __init__(self, cin, cout, kernels, pool, recalibrate_pooled=False):
        """`pool`: the max-pooling factor after the block (1: none). `recalibrate_pooled`: squeeze-and-
        excitation after the pooling rather than before it, on a shorter sequence."""
        super().__init__()
        share = [cout // len(kernels)] * len(kernels)
        share[0] += cout - sum(share)
        self.branches = nn.ModuleList(nn.Conv1d(cin, c, k, padding=k // 2, bias=False) for c, k in zip(share, kernels))
        pooling = [nn.MaxPool1d(pool)] if pool > 1 else []
        recalibration = [SqueezeExcite(cout)]
        self.after = nn.Sequential(nn.BatchNorm1d(cout), nn.ReLU(),
                                   *(pooling + recalibration if recalibrate_pooled else recalibration + pooling))

    def forward(self, x):
        return self.after(torch.cat([b(x) for b in self.branches], dim=1))


class MultiScaleNet(BeatNet):
    """BeatNet with multi-scale convolutions and squeeze-and-excitation (`--architecture multiscale`)."""

    CHANNELS = (18, 33, 48, 63)
    KERNELS = ((3, 7, 15), (3, 5, 9), (3, 5, 9), (3, 5, 7))
    POOLS = (2, 2, 2, 1)
    RECALIBRATE_POOLED = False

    @classmethod
    def convolutions(cls, channels, width):
        blocks, cin = [], channels
        for c, kernels, pool in zip(cls.CHANNELS, cls.KERNELS, cls.POOLS):
            cout = max(4, round(c * width))
            blocks.append(MultiScaleBlock(cin, cout, kernels, pool, recalibrate_pooled=cls.RECALIBRATE_POOLED))
            cin = cout
        return nn.Sequential(*blocks), cin


class PooledMultiScaleNet(MultiScaleNet):
    """MultiScaleNet at a quarter of the resolution after its first block (`--architecture
    multiscale-pool4`): the first block sees the QRS at 250 Hz, the later ones work on a sequence of
    40, 20 and 10 steps, and each recalibrates its channels after pooling. About half the
    arithmetic of MultiScaleNet, for the same parameters."""

    POOLS = (4, 2, 2, 1)
    RECALIBRATE_POOLED = True


class CoarseMultiScaleNet(PooledMultiScaleNet):
    """PooledMultiScaleNet pooled by 8 after its first block (`--architecture multiscale-pool8`): the
    later blocks work on 20, 10 and 5 steps of 32, 64 and 128 ms. The first block's kernels still
    see the QRS at 250 Hz; what it finds is kept at a coarser position. A little over half the
    arithmetic of PooledMultiScaleNet, for the same parameters. 1.4.0's network, with --width 1.3
    (training README, "Model 1.4.0")."""

    POOLS = (8, 2, 2, 1)


ARCHITECTURES = {"cnn": BeatNet, "multiscale": MultiScaleNet, "multiscale-pool4": PooledMultiScaleNet,
                 "multiscale-pool8": CoarseMultiScaleNet}
DEFAULT_ARCHITECTURE = "multiscale-pool4"


class Ensemble(nn.Module):
    """Networks trained alike from different seeds, their probabilities averaged: each learns its
    own quirks of the few training patients, and the average keeps what they agree on."""

    def __init__(self, members):
        super().__init__()
        self.members = nn.ModuleList(members)

    def forward(self, beat, rr):
        return torch.stack([m(beat, rr) for m in self.members]).mean(dim=0)


class ExportForm(nn.Module):
    """The trained network rewritten for ONNX Runtime's CPU kernels, computing the same function.

    A 1-D convolution is exported as a 2-D one over [batch, channels, 1, time], which ONNX Runtime's
    NCHWc layout (blocked, vectorised over 8 channels) takes, where its 1-D convolution multiplies a
    small matrix per beat; batch normalisation is folded into the convolution before it; and every
    block's channels are padded with zero filters to a multiple of 8, which the blocked layout needs
    (the next layer's weights for the padding are zero, so the outputs are unchanged). PooledMultiScaleNet
    runs 1.6 times as fast so (JMH, batch 256), 1.1.0's network 2.3 times (a plain timing loop; both in
    this directory's README.md). Built from new tensors and copies of the layers it keeps, so the
    trained network is left as it was (`eval()` on this one does not switch the trained one's mode)."""

    BLOCK = 8

    def __init__(self, net):
        super().__init__()
        blocks = self.blocks(net.morphology)
        # Where each of the network's channels sits in the exported tensor, and that tensor's channels.
        width = blocks[0][0][0].in_channels
        stages, position = [], list(range(width))
        for convs, batch_norm, after in blocks:
            stage, position, width = self.convolution(convs, batch_norm, position, width)
            stages.append(stage)
            for layer in after:
                if isinstance(layer, nn.MaxPool1d):
                    stages.append(nn.MaxPool2d((1, layer.kernel_size)))
                elif isinstance(layer, SqueezeExcite):
                    stages.append(self.recalibration(layer, position, width))
                else:
                    raise TypeError(f"ExportForm has no 2-D form for {type(layer).__name__}")
        self.morphology = nn.Sequential(*stages)
        self.rhythm = copy.deepcopy(net.rhythm)
        head, rhythm_features = net.head[0], net.rhythm[1].out_features
        # The head reads [mean over time, max over time, rhythm]; the padding's columns stay zero.
        columns = position + [width + i for i in position] + [2 * width + j for j in range(rhythm_features)]
        first = nn.Linear(2 * width + rhythm_features, head.out_features)
        first.weight.data = placed(head.weight, first.weight.shape, (slice(None), columns))
        first.bias.data = head.bias.detach().clone()
        self.head = nn.Sequential(first, *copy.deepcopy(net.head[1:]))

    @staticmethod
    def blocks(morphology):
        """(convolutions, batch normalisation, layers after the activation) of each block."""
        layers = list(morphology)
        if isinstance(layers[0], MultiScaleBlock):
            return [(list(b.branches), b.after[0], list(b.after)[2:]) for b in layers]
        out, i = [], 0
        while i < len(layers):
            conv, batch_norm = layers[i], layers[i + 1]
            i += 3
            after = []
            while i < len(layers) and not isinstance(layers[i], nn.Conv1d):
                after.append(layers[i])
                i += 1
            out.append(([conv], batch_norm, after))
        return out

    @classmethod
    def convolution(cls, convs, batch_norm, position, width):
        """The block's convolutions as 2-D ones reading the padded input, batch normalisation folded in,
        and the first one given the zero filters that round the block's channels up to the block size."""
        scale = (batch_norm.weight / torch.sqrt(batch_norm.running_var + batch_norm.eps)).detach()
        shift = (batch_norm.bias - batch_norm.running_mean * scale).detach()
        real = sum(c.out_channels for c in convs)
        padding = -real % cls.BLOCK
        out, new_position, row, start = [], [], 0, 0
        for n, conv in enumerate(convs):
            k, c = conv.kernel_size[0], conv.out_channels
            extra = padding if n == 0 else 0
            layer = nn.Conv2d(width, c + extra, (1, k), padding=(0, k // 2))
            layer.weight.data = placed(conv.weight * scale[row:row + c, None, None], (c + extra, width, 1, k),
                                       (slice(0, c), position, 0, slice(None)))
            layer.bias.data = placed(shift[row:row + c], (c + extra,), slice(0, c))
            new_position += [start + i for i in range(c)]
            out.append(layer)
            row += c
            start += c + extra
        return Branches(out), new_position, real + padding

    @staticmethod
    def recalibration(se, position, width):
        squeeze, _, excite, _ = se.gate
        first = nn.Linear(width, squeeze.out_features)
        first.weight.data = placed(squeeze.weight, first.weight.shape, (slice(None), position))
        first.bias.data = squeeze.bias.detach().clone()
        second = nn.Linear(squeeze.out_features, width)
        second.weight.data = placed(excite.weight, second.weight.shape, position)
        second.bias.data = placed(excite.bias, second.bias.shape, position)
        return Recalibration(nn.Sequential(first, nn.ReLU(), second, nn.Sigmoid()))

    def forward(self, beat, rr):
        m = self.morphology(beat.unsqueeze(2))
        pooled = torch.cat([m.mean(dim=(2, 3)), m.amax(dim=(2, 3))], dim=1)
        return torch.softmax(self.head(torch.cat([pooled, self.rhythm(rr)], dim=1)), dim=1)


def placed(values, shape, index):
    """A zero tensor of `shape` with `values` at `index`: a layer's weights spread over the padded
    channels, the padding's left zero."""
    out = torch.zeros(shape)
    out[index] = values.detach()
    return out


class Branches(nn.Module):
    """ExportForm's block: its 2-D convolutions side by side, then the activation."""

    def __init__(self, convs):
        super().__init__()
        self.convs = nn.ModuleList(convs)

    def forward(self, x):
        joined = torch.cat([c(x) for c in self.convs], dim=1) if len(self.convs) > 1 else self.convs[0](x)
        return torch.relu(joined)


class Recalibration(nn.Module):
    """ExportForm's squeeze-and-excitation over [batch, channels, 1, time]."""

    def __init__(self, gate):
        super().__init__()
        self.gate = gate

    def forward(self, x):
        return x * self.gate(x.mean(dim=(2, 3)))[:, :, None, None]


def export_form(model):
    """The network as it is exported (ExportForm); an ensemble's members each so."""
    if isinstance(model, Ensemble):
        return Ensemble([ExportForm(m) for m in model.members]).eval()
    return ExportForm(model).eval()


def load(directory, previous_beat=False):
    data = {name: np.load(os.path.join(directory, name + ".npy"))
            for name in ["beats", "rr", "labels", "records", "jitter"]}
    with open(os.path.join(directory, "manifest.json")) as f:
        manifest = json.load(f)
    if previous_beat:
        # The window of the detection before each example's own, as a third channel: context the
        # export provides for trying models; the stream does not compute it (yet), so the Java
        # engine refuses a model trained with it.
        previous = np.load(os.path.join(directory, "previous.npy"))
        data["beats"] = np.concatenate([data["beats"], previous[:, None, :]], axis=1)
        manifest["input"] = dict(manifest["input"], channels=manifest["input"]["channels"] + ["previous"])
    return data, manifest


def balanced_indices(groups, per_group, rng):
    """Draws from every (record, class) group: a fixed number per group (fewer for groups of a
    handful of beats, so one beat is not repeated hundreds of times), so that neither the
    dominant class nor the patients with the most beats decide what the model learns."""
    chosen = []
    for members in groups.values():
        n = min(per_group, 4 * len(members))
        chosen.append(rng.choice(members, size=n, replace=True))
    return np.concatenate(chosen)


def make_groups(data, rows):
    groups = {}
    for i in rows:
        groups.setdefault((int(data["records"][i]), int(data["labels"][i])), []).append(i)
    return {k: np.array(v) for k, v in groups.items()}


def augment(beat, rr, rng):
    """Gain and baseline differ between patients and electrodes; noise differs between minutes."""
    n = beat.shape[0]
    gain = rng.uniform(0.7, 1.3, size=(n, 1, 1)).astype(np.float32)
    noise = rng.normal(0, 0.02, size=beat.shape).astype(np.float32)
    noise[:, 1, :] = 0  # the template is an average: it carries little noise
    return beat * gain + noise, rr


def class_weights(labels):
    """Log-scaled inverse class frequency (as in ECGTransForm's context-aware loss)."""
    counts = np.bincount(labels, minlength=len(CLASSES)).astype(np.float64)
    total = counts.sum()
    weights = np.where(counts > 0, np.log(np.maximum(total / np.maximum(counts, 1), 1.0)) + 1.0, 0.0)
    return torch.tensor(weights, dtype=torch.float32)


# Distillation (`--teacher`): the weight of the teacher's softened probabilities in the loss, and
# the temperature that softens them (Hinton et al. 2015).
DISTIL_WEIGHT = 0.5
DISTIL_TEMPERATURE = 2.0


def train(data, rows, epochs, seed, per_group, width=1.0, log=None, architecture=DEFAULT_ARCHITECTURE, teacher=None):
    """Trains one model on `rows` with a cosine schedule over exactly `epochs` epochs: the same
    schedule whether the model is a cross-validation fold's or the final one. With a `teacher`
    (trained on the same rows), the loss also pulls the model towards the teacher's probabilities."""
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    channels, length = data["beats"].shape[1:]
    model = ARCHITECTURES[architecture](channels, length, data["rr"].shape[1], len(CLASSES), width)
    groups = make_groups(data, rows)
    sample = balanced_indices(groups, per_group, rng)
    loss_fn = nn.CrossEntropyLoss(weight=class_weights(data["labels"][sample]))
    optimiser = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-3)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimiser, T_max=epochs)
    for epoch in range(1, epochs + 1):
        model.train()
        idx = balanced_indices(groups, per_group, rng)
        rng.shuffle(idx)
        total = 0.0
        for start in range(0, len(idx), 128):
            batch = idx[start:start + 128]
            beat, rr = augment(data["beats"][batch], data["rr"][batch], rng)
            logits = model.logits(torch.from_numpy(beat), torch.from_numpy(rr))
            loss = loss_fn(logits, torch.from_numpy(data["labels"][batch]))
            if teacher is not None:
                with torch.no_grad():
                    soft = torch.softmax(teacher.logits(torch.from_numpy(beat), torch.from_numpy(rr))
                                         / DISTIL_TEMPERATURE, dim=1)
                distil = nn.functional.kl_div(torch.log_softmax(logits / DISTIL_TEMPERATURE, dim=1), soft,
                                              reduction="batchmean")
                loss = (1 - DISTIL_WEIGHT) * loss + DISTIL_WEIGHT * DISTIL_TEMPERATURE ** 2 * distil
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            total += loss.item() * len(batch)
        scheduler.step()
        if log is not None:
            log(f"    epoch {epoch}: loss {total / len(idx):.4f}")
    model.eval()
    return model


def member_seed(seed, member):
    """Member 0 keeps the seed a single network had, so one member reproduces it; the others stay
    clear of the cross-validation's fold seeds (1000 * seed + fold)."""
    return seed + 10_000_000 * member


def train_ensemble(data, rows, epochs, seed, per_group, members, width, log=None, architecture=DEFAULT_ARCHITECTURE, teacher=None):
    """One network, or the ensemble of `members` (one network is exported as itself, not wrapped).
    With `teacher` (an architecture), a network of that architecture is trained first on the same
    rows, with the same seed, and each member learns from it too; only the members are exported."""
    if teacher is not None:
        if log is not None:
            log(f"  teacher ({teacher})")
        teacher = train(data, rows, epochs, seed, per_group, 1.0, log, teacher)
        if log is not None and members == 1:
            log("  model")
    if members == 1:
        return train(data, rows, epochs, seed, per_group, width, log, architecture, teacher)
    nets = []
    for j in range(members):
        if log is not None:
            log(f"  member {j + 1} of {members}")
        nets.append(train(data, rows, epochs, member_seed(seed, j), per_group, width, log, architecture, teacher))
    return Ensemble(nets).eval()


def probabilities(model, data, rows):
    model.eval()
    out = []
    with torch.no_grad():
        for start in range(0, len(rows), 4096):
            batch = rows[start:start + 4096]
            out.append(model(torch.from_numpy(data["beats"][batch]), torch.from_numpy(data["rr"][batch])).numpy())
    return np.concatenate(out) if out else np.zeros((0, len(CLASSES)), dtype=np.float32)


def confusion(truth, predicted):
    m = np.zeros((len(CLASSES), len(CLASSES)), dtype=np.int64)
    np.add.at(m, (truth, predicted), 1)
    return m


def per_class(m):
    stats = {}
    for k, name in enumerate(CLASSES):
        tp = m[k, k]
        ref = m[k, :].sum()
        det = m[:, k].sum()
        stats[name] = {"se": round(100.0 * tp / ref, 2) if ref else None,
                       "ppv": round(100.0 * tp / det, 2) if det else None,
                       "reference_beats": int(ref)}
    return stats


def summary(m):
    s = per_class(m)
    return ", ".join(f"{c} Se {s[c]['se']} +P {s[c]['ppv']}" for c in ["V", "S", "F"])


def folds_of(records, labels, rows, k):
    """Assigns records to k folds, largest S/V counts first onto the fold with the fewest, so that
    every fold holds some ectopic beats to score."""
    recs = sorted(set(int(r) for r in records[rows]))
    weight = {r: int(((labels[rows] == 1) | (labels[rows] == 2))[records[rows] == r].sum()) for r in recs}
    folds = [[] for _ in range(k)]
    load_ = [0] * k
    for r in sorted(recs, key=lambda r: -weight[r]):
        f = min(range(k), key=lambda i: (load_[i], len(folds[i])))
        folds[f].append(r)
        load_[f] += weight[r]
    return folds


def score(m):
    """Model selection: mean F1 of V and S, the classes the alerts depend on."""
    s = per_class(m)
    f1 = []
    for c in ["V", "S"]:
        se, ppv = s[c]["se"] or 0, s[c]["ppv"] or 0
        f1.append(0 if se + ppv == 0 else 2 * se * ppv / (se + ppv))
    return sum(f1) / len(f1)


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 16), b""):
            h.update(block)
    return h.hexdigest()


def mean_per_class(stats):
    """Per-class Se and +P averaged over seeds (each seed's figures pooled over its folds)."""
    out = {}
    for c in CLASSES:
        se = [s[c]["se"] for s in stats if s[c]["se"] is not None]
        ppv = [s[c]["ppv"] for s in stats if s[c]["ppv"] is not None]
        out[c] = {"se": round(float(np.mean(se)), 2) if se else None,
                  "ppv": round(float(np.mean(ppv)), 2) if ppv else None,
                  "reference_beats": stats[0][c]["reference_beats"]}
    return out


# Cross-validation runs each (seed, epochs, fold) in its own process; the data is shared by fork.
_DATA = None


def _fold(job):
    seed, epochs, f, held_out, per_group, members, width, architecture, teacher, fold_models = job
    torch.set_num_threads(1)
    data = _DATA
    all_rows = np.arange(len(data["labels"]))
    test_mask = np.isin(data["records"], held_out)
    test_rows = all_rows[test_mask & (data["jitter"] == 0)]
    started = time.time()
    model = train_ensemble(data, all_rows[~test_mask], epochs, 1000 * seed + f, per_group, members, width,
                           architecture=architecture, teacher=teacher)
    written = None
    if fold_models is not None:
        directory, card = fold_models
        _, written = write_model(model, data, all_rows[~test_mask],
                                 os.path.join(directory, run_dir(seed, epochs), fold_name(f)),
                                 fold_card(card, 1000 * seed + f, epochs, held_out), seed)
    p = probabilities(model, data, test_rows)
    m = confusion(data["labels"][test_rows], p.argmax(axis=1))
    print(f"  seed {seed}, {epochs} epochs, fold {f + 1} {held_out}: {summary(m)} ({time.time() - started:.0f} s)",
          flush=True)
    return seed, epochs, f, m, test_rows, p, written


def main():
    global _DATA
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", required=True, help="directory written by `bin/monitor dataset`")
    parser.add_argument("--out", required=True, help="model directory (model-store/models)")
    parser.add_argument("--name", default="beat-classifier")
    parser.add_argument("--version", help="the model's version, major.minor.patch: required to write a final "
                                          "model, which the processor serves only above the version it serves "
                                          "(fold models of --fold-models default to 0.0.0)")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--epochs", type=int, nargs="+", default=[10],
                        help="epoch counts compared by cross-validation, each trained with its own full schedule; "
                             "the best (mean over seeds) trains the final model")
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2],
                        help="cross-validation is repeated for each seed and averaged; the final model uses the first")
    parser.add_argument("--per-group", type=int, default=300, help="examples per (record, class) per epoch")
    parser.add_argument("--members", type=int, default=1,
                        help="networks trained from different seeds whose probabilities the model averages")
    parser.add_argument("--width", type=float, default=1.0, help="scales every convolution's channel count")
    parser.add_argument("--architecture", choices=sorted(ARCHITECTURES), default=DEFAULT_ARCHITECTURE,
                        help="multiscale-pool4 (1.2.0, 1.3.0): MultiScaleNet pooled by 4 after its first block "
                             "(PooledMultiScaleNet); cnn: BeatNet, four convolution blocks (1.0.0, 1.1.0); "
                             "multiscale: three kernel lengths per block with squeeze-and-excitation "
                             "(MultiScaleNet); multiscale-pool8: pooled by 8 after its first block (1.4.0, with "
                             "--width 1.3)")
    parser.add_argument("--teacher", choices=sorted(ARCHITECTURES),
                        help="distillation: first train a network of this architecture (width 1, the same rows, "
                             "epochs and seed as the model, or as its first member), then train the model on the "
                             "labels and on the teacher's probabilities (softened at temperature "
                             f"{DISTIL_TEMPERATURE}, weight {DISTIL_WEIGHT}); only the model is exported")
    parser.add_argument("--previous-beat", action="store_true",
                        help="add the previous detected beat's window (previous.npy) as a third input channel; "
                             "for experiments: the stream does not produce it, and the engine refuses such a model")
    parser.add_argument("--jobs", type=int, default=2, help="cross-validation folds trained at once, one thread each")
    parser.add_argument("--cv-only", action="store_true", help="cross-validate only; write no final model")
    parser.add_argument("--fold-models", metavar="DIR",
                        help="also write every cross-validation fold's model with its card, and which records each "
                             "held out, under DIR/seed<S>-epochs<E>/: `bin/monitor eval --held-out "
                             "DIR/seed<S>-epochs<E>/folds.json` scores each record through the whole pipeline "
                             "with the model that did not see it")
    parser.add_argument("--oof", help="also write every held-out beat's probabilities (rows of the dataset, "
                                      "per seed and epoch count) to this .npz file, for cv_in_rhythm.py")
    args = parser.parse_args()
    if args.version is None and not args.cv_only:
        parser.error("--version is required to write a model: the processor serves the newest version in its "
                     "model directory, so a new model needs one above those there (the same version writes over "
                     "that model's files)")
    if args.version is None:
        args.version = "0.0.0"
    torch.set_num_threads(1)
    started = time.time()
    data, manifest = load(args.data, args.previous_beat)
    if (not args.cv_only or args.fold_models) and "feature_check" not in manifest:
        # The card must say which features the model learnt from, or the stream cannot tell a
        # model trained on another build's features (FeatureCheck in the stream processor).
        parser.error(f"{args.data}/manifest.json has no feature_check: it was exported by a build before "
                     "the feature fingerprint; export it again with `bin/monitor dataset` (cross-validation "
                     "alone, --cv-only without --fold-models, can still read it)")
    _DATA = data
    log = lambda *a: print(*a, flush=True)
    all_rows = np.arange(len(data["labels"]))
    detected = all_rows[data["jitter"] == 0]
    channels, length = data["beats"].shape[1:]
    parameters = args.members * sum(
        p.numel() for p in ARCHITECTURES[args.architecture](channels, length, data["rr"].shape[1], len(CLASSES),
                                                            args.width).parameters())

    folds = folds_of(data["records"], data["labels"], all_rows, args.folds)
    log(f"{len(all_rows)} examples, {len(detected)} detected beats, {data['rr'].shape[1]} RR features, "
        f"{parameters} parameters, folds {folds}")
    card = base_card(args, manifest)
    fold_models = None
    if args.fold_models:
        fold_models = (args.fold_models, dict(card, cross_validation={
            "method": "a cross-validation fold's model: trained without the records in training.held_out_records, "
                      "for scoring them as unseen patients (`bin/monitor eval --held-out`)"}))
        # A folds file from an earlier run must not pair with this run's half-written fold models.
        for seed in args.seeds:
            for e in args.epochs:
                stale = os.path.join(args.fold_models, run_dir(seed, e), "folds.json")
                if os.path.exists(stale):
                    os.remove(stale)
    jobs = [(seed, e, f, held_out, args.per_group, args.members, args.width, args.architecture, args.teacher,
             fold_models)
            for seed in args.seeds for e in args.epochs for f, held_out in enumerate(folds)]
    total = {(seed, e): np.zeros((len(CLASSES), len(CLASSES)), dtype=np.int64)
             for seed in args.seeds for e in args.epochs}
    held_out = {}
    fold_sha256 = {}
    with multiprocessing.get_context("fork").Pool(args.jobs) as pool:
        for seed, e, f, m, rows, p, written in pool.imap_unordered(_fold, jobs):
            fold_sha256[(seed, e, f)] = written
            total[(seed, e)] += m
            held_out.setdefault((seed, e), []).append((rows, p))
    if args.fold_models:
        write_folds(args.fold_models, args.seeds, args.epochs, folds, fold_sha256)
        log(f"fold models and folds files written under {args.fold_models}")
    if args.oof:
        arrays = {}
        for (seed, e), parts in held_out.items():
            arrays[f"rows_seed{seed}_epochs{e}"] = np.concatenate([rows for rows, _ in parts])
            arrays[f"probabilities_seed{seed}_epochs{e}"] = np.concatenate([p for _, p in parts])
        np.savez(args.oof, **arrays)
        log(f"held-out probabilities written to {args.oof}")
    by_seed = {e: {seed: per_class(total[(seed, e)]) for seed in args.seeds} for e in args.epochs}
    mean = {e: mean_per_class(list(by_seed[e].values())) for e in args.epochs}
    mean_score = {e: float(np.mean([score(total[(seed, e)]) for seed in args.seeds])) for e in args.epochs}
    best = max(args.epochs, key=lambda e: mean_score[e])
    for e in args.epochs:
        for seed in args.seeds:
            log(f"cross-validation, {e} epochs, seed {seed}: {summary(total[(seed, e)])}")
        log(f"cross-validation, {e} epochs, mean of {len(args.seeds)} seeds: "
            + ", ".join(f"{c} Se {mean[e][c]['se']} +P {mean[e][c]['ppv']}" for c in ["N", "S", "V", "F"])
            + f"; mean F1(V, S) {mean_score[e]:.2f}{'  <- selected' if e == best else ''}")
    if args.cv_only:
        log(f"done in {time.time() - started:.0f} s")
        return 0

    log(f"final model: all of {training_records(manifest['records'])}, {best} epochs, seed {args.seeds[0]}")
    model = train_ensemble(data, all_rows, best, args.seeds[0], args.per_group, args.members, args.width, log=log,
                           architecture=args.architecture, teacher=args.teacher)
    card["training"] = dict(card["training"], epochs=best, seed=args.seeds[0],
                            schedule=schedule(best))
    card["cross_validation"] = {
        "method": f"patient-wise {args.folds}-fold within {training_records(manifest['records'])}, repeated with "
                  f"seeds {args.seeds}; each fold "
                  f"trained with the final model's schedule ({best} epochs); each record scored by the model "
                  "that did not see it; detected beats only (no jittered copies); per_class is the mean over "
                  "seeds of each seed's figures pooled over its folds",
        "folds": folds,
        "seeds": args.seeds,
        "selected_epochs": best,
        "per_class": mean[best],
        "by_seed": {str(seed): by_seed[best][seed] for seed in args.seeds},
        "confusion": {"rows_reference_columns_predicted": CLASSES, "summed_over_seeds": True,
                      "matrix": sum(total[(seed, best)] for seed in args.seeds).tolist()},
        "by_epochs": {str(e): mean[e] for e in args.epochs},
    }
    path, _ = write_model(model, data, all_rows, args.out, card, args.seeds[0])
    log(f"wrote {path} ({os.path.getsize(path)} bytes) and its card in {time.time() - started:.0f} s")


def fold_card(card, seed, epochs, held_out):
    """A cross-validation fold's card: what its model learnt from and held out, which
    `bin/monitor eval --held-out` checks against the folds file."""
    held = [str(r) for r in held_out]
    training = dict(card["training"], epochs=epochs, schedule=schedule(epochs), seed=seed,
                    records=[r for r in card["training"]["records"] if r not in held], held_out_records=held,
                    beats_per_record_and_class={r: n for r, n in card["training"]["beats_per_record_and_class"].items()
                                                if r not in held})
    if "ensemble" in training:
        training["ensemble"] = dict(training["ensemble"], seeds=[member_seed(seed, j)
                                                                 for j in range(training["ensemble"]["members"])])
    return dict(card, training=training)


def base_card(args, manifest):
    """The card's fields that do not depend on which model is trained (the final one, or a fold's)."""
    return {
        "name": args.name,
        "version": args.version,
        "task": "AAMI EC57 beat classification (N, S, V, F, Q) of beats found by the project's QRS detector",
        "format": {"onnx_opset": 13, "dynamic_batch": True},
        "input": manifest["input"],
        "output": {"tensor": "probabilities", "shape": ["batch", len(CLASSES)], "classes": CLASSES},
        "training": {
            "data": training_data(manifest["records"]),
            "records": manifest["records"],
            "lead": manifest["lead"],
            "beats_per_record_and_class": manifest["beats_per_record_and_class"],
            "jitter_copies": manifest["jitter_copies"],
            "sampling": f"per epoch, up to {args.per_group} examples from each (record, class) group",
            "loss": "cross-entropy with log-scaled inverse class-frequency weights",
            "augmentation": "gain 0.7-1.3, Gaussian noise 0.02 mV on the beat channel",
            "architecture": args.architecture,
            **({"distillation": {"teacher": args.teacher,
                                 "teacher_training": "width 1, trained first on the same rows, for the same "
                                                     "epochs and with the same seed as the model (its first "
                                                     "member's); not exported",
                                 "weight": DISTIL_WEIGHT, "temperature": DISTIL_TEMPERATURE,
                                 "loss": "(1 - weight) * the class-weighted cross-entropy + weight * temperature^2 "
                                         "* KL(teacher || model), the KL between the two networks' probabilities "
                                         "each softened by the temperature"}}
               if args.teacher else {}),
            **({"ensemble": {"members": args.members, "width": args.width,
                             "seeds": [member_seed(args.seeds[0], j) for j in range(args.members)],
                             "output": "mean of the members' probabilities"}}
               if args.members != 1 or args.width != 1.0 else {}),
            "command": dataset_command(manifest) + " && /usr/bin/python3 "
                       "model-store/training/train_beat_classifier.py --data /tmp/ds1 --out model-store/models "
                       + ("--cv-only " if args.cv_only else "")
                       + (f"--fold-models {args.fold_models} " if args.fold_models else "")
                       + f"--version {args.version} --epochs {' '.join(map(str, args.epochs))} "
                       f"--seeds {' '.join(map(str, args.seeds))} --per-group {args.per_group}"
                       + (f" --folds {args.folds}" if args.folds != 5 else "")
                       + (" --previous-beat" if args.previous_beat else "")
                       + (f" --members {args.members}" if args.members != 1 else "")
                       + (f" --width {args.width}" if args.width != 1.0 else "")
                       # Always named: the default may change, the card's command must not.
                       + f" --architecture {args.architecture}"
                       + (f" --teacher {args.teacher}" if args.teacher else ""),
        },
        "test_set": "DS2 (100, 103, ..., 234) is withheld from development; measure with "
                    "bin/monitor eval --db <mitdb with DS2> --records <DS2>",
        # The export's fingerprint of the features (FeatureCheck): the stream warns when it computes other ones.
        "feature_check": manifest.get("feature_check"),
    }


def write_model(model, data, rows, out, card, seed):
    """Exports `model` to ONNX in `out` with its card (`card` plus the file, its digest, the tensors,
    the parameter count and a parity fixture drawn from `rows`), and lists the card in index.txt.
    Returns the model file and its sha256."""
    os.makedirs(out, exist_ok=True)
    file_name = f"{card['name']}-{card['version']}.onnx"
    path = os.path.join(out, file_name)
    channels, length = data["beats"].shape[1:]
    example = (torch.zeros(1, channels, length), torch.zeros(1, data["rr"].shape[1]))
    torch.onnx.export(export_form(model), example, path, input_names=["beat", "rr"], output_names=["probabilities"],
                      dynamic_axes={"beat": {0: "batch"}, "rr": {0: "batch"}, "probabilities": {0: "batch"}},
                      opset_version=13, do_constant_folding=True)

    # Parity fixture: one detected beat of each class present, with what this model outputs for it.
    detected = rows[data["jitter"][rows] == 0]
    rng = np.random.default_rng(seed)
    fixture_rows = [int(rng.choice(detected[data["labels"][detected] == k]))
                    for k in range(len(CLASSES)) if (data["labels"][detected] == k).any()]
    fixture = [{"beat": data["beats"][i].round(6).tolist(), "rr": data["rr"][i].round(6).tolist(),
                "label": CLASSES[int(data["labels"][i])]} for i in fixture_rows]
    # The fixture's inputs are rounded to 6 decimals: the outputs are computed on exactly those inputs.
    with torch.no_grad():
        exact = model(torch.tensor([x["beat"] for x in fixture]), torch.tensor([x["rr"] for x in fixture]))
    for x, p in zip(fixture, exact.numpy()):
        x["expected"] = [round(float(v), 7) for v in p]

    card = dict(card, file=file_name, sha256=sha256(path), parameters=sum(p.numel() for p in model.parameters()),
                input=dict(card["input"], tensors={"beat": ["batch", channels, length],
                                                   "rr": ["batch", data["rr"].shape[1]]}),
                parity_fixture=fixture)
    order = ["name", "version", "task", "file", "sha256", "format", "parameters", "input", "output", "training",
             "cross_validation", "test_set", "parity_fixture", "feature_check"]
    training = ["data", "records", "held_out_records", "lead", "beats_per_record_and_class", "jitter_copies",
                "sampling", "loss", "augmentation", "epochs", "schedule", "seed", "architecture", "distillation",
                "ensemble", "command"]
    card["training"] = {k: card["training"][k] for k in training if k in card["training"]}
    with open(os.path.join(out, f"{card['name']}-{card['version']}.json"), "w") as f:
        json.dump({k: card[k] for k in order if k in card}, f, indent=1)
        f.write("\n")
    # models/index.txt lists the cards packaged in the jar (a jar cannot be listed like a directory).
    index = os.path.join(out, "index.txt")
    lines = open(index).read().split() if os.path.exists(index) else []
    if f"{card['name']}-{card['version']}.json" not in lines:
        with open(index, "a") as f:
            f.write(f"{card['name']}-{card['version']}.json\n")
    return path, card["sha256"]


def schedule(epochs):
    return (f"AdamW, cosine learning rate over exactly {epochs} epochs (the same for every cross-validation fold "
            "and the final model)")


def run_dir(seed, epochs):
    """Where `--fold-models` puts one seed and epoch count's fold models and folds file."""
    return f"seed{seed}-epochs{epochs}"


def fold_name(fold):
    """A fold model's directory in its run directory, as the folds file names it."""
    return f"fold{fold + 1}"


def write_folds(directory, seeds, epochs, folds, fold_sha256):
    """One folds.json per seed and epoch count: which model (directory and file digest) scores which
    records, for `bin/monitor eval --held-out`; the digest tells this run's model from another
    version an earlier run left in the same directory."""
    for seed in seeds:
        for e in epochs:
            out = os.path.join(directory, run_dir(seed, e))
            os.makedirs(out, exist_ok=True)
            with open(os.path.join(out, "folds.json"), "w") as f:
                json.dump({"folds": [{"records": [str(r) for r in held_out], "model_dir": fold_name(k),
                                      "model_sha256": fold_sha256[(seed, e, k)]}
                                     for k, held_out in enumerate(folds)]}, f, indent=1)
                f.write("\n")


if __name__ == "__main__":
    sys.exit(main())
