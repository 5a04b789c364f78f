"""Fit and predict throughput, peak memory and first-fit cost, against the anchors.

What is compared, on the same data (``n`` rows x 30 features, 1 % positives,
float64 input, seed 0), the same network (30 -> 128 -> 128 -> 1, ReLU), the
same optimizer (Adam, learning rate 1e-3), batch size 256 and number of
epochs, with one torch thread:

* ``torch loop``: a hand-written loop that shuffles an index tensor every
  epoch and slices one float32 tensor per batch, with torch's default Adam
  (the speed to match);
* ``torch loop, fused Adam``: the same loop with ``Adam(fused=True)``, the
  optimizer step imbbce uses; it shows how much of imbbce's margin over the
  first loop comes from that one switch, which a hand-written loop can make
  too;
* ``skorch defaults``: skorch's ``NeuralNetBinaryClassifier`` with its
  default ``Dataset`` and ``DataLoader`` (shuffled), without a validation
  split (``train_split=None``), the anchor of ``imbbce``;
* ``skorch defaults, valid split``: the same with skorch's default
  ``train_split`` (20 % held out and scored every epoch), the anchor of
  ``imbbce early_stopping``; its throughput counts the training rows only;
* ``MLPClassifier``: scikit-learn's, same layers, batch and epochs;
* ``imbbce``: ``BalancedBCEClassifier`` with ``early_stopping`` off, and on
  (validation split of 10 %, average precision after every epoch, patience
  larger than the number of epochs so that every run trains all epochs);
* ``imbbce ensemble_size=8``: eight members of the same network in one module
  (``early_stopping`` off), whose cost is compared with one network's
  (``ratio_to_one_network``: the ensemble's throughput over ``imbbce``'s).

Each method runs ``--repeats`` times, interleaved (A B C D, A B C D, ...).
Throughput is training rows x epochs / seconds; the table gives its median,
and each ratio is the median of the ratios within a round (A/B of the same
round), which cancels most of the drift of a shared machine between rounds.
The validation share of an ``imbbce early_stopping`` epoch is timed inside
the fit: the validation loop plus the scoring and early-stopping callbacks,
divided by the epoch's wall time (medians over epochs and runs).
Peak memory is measured in a fresh process per method (``VmHWM``), after the
same imports and a warm-up fit, so it includes the data and the imports; the
fit's own share is reported next to it. The first fit in a fresh process is timed
separately: building the first torch optimizer imports ``torch._dynamo``
(torch's optimizers are decorated with ``torch._disable_dynamo``, which imports
it on first use; no supported setting avoids it).

Run ``python benchmarks/speed.py`` (``--quick`` for a smaller run). Tables are
written to ``benchmarks/results/speed.csv`` and ``speed.md``.
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np
import torch

RESULTS = Path(__file__).resolve().parent / "results"
HIDDEN = (128, 128)
BATCH = 256


def make_data(n, seed=0):
    """``n`` x 30 float64 features, 1 % positives, with some signal."""
    rng = np.random.RandomState(seed)
    X = rng.randn(n, 30)
    y = (rng.rand(n) < 0.01).astype(np.int64)
    X[y == 1, :5] += 1.5
    return X, y


def mlp():
    layers, width = [], 30
    for size in HIDDEN:
        layers += [torch.nn.Linear(width, size), torch.nn.ReLU()]
        width = size
    layers.append(torch.nn.Linear(width, 1))
    return torch.nn.Sequential(*layers)


class SkorchModule(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.net = mlp()

    def forward(self, X):
        return self.net(X).squeeze(-1)


def fit_torch_loop(X, y, epochs, fused=False):
    torch.manual_seed(0)
    X_t = torch.as_tensor(X, dtype=torch.float32)
    y_t = torch.as_tensor(y, dtype=torch.float32)
    model = mlp()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, **({"fused": True} if fused else {}))
    loss_fn = torch.nn.BCEWithLogitsLoss()
    n = len(X_t)
    for _ in range(epochs):
        order = torch.randperm(n)
        for start in range(0, n, BATCH):
            index = order[start : start + BATCH]
            optimizer.zero_grad()
            loss = loss_fn(model(X_t[index]).squeeze(-1), y_t[index])
            loss.backward()
            optimizer.step()
    return model, n


def fit_skorch(X, y, epochs, valid_split=False):
    from skorch import NeuralNetBinaryClassifier

    torch.manual_seed(0)
    split = {} if valid_split else {"train_split": None}  # skorch's default: 5-fold split
    net = NeuralNetBinaryClassifier(
        SkorchModule,
        max_epochs=epochs,
        batch_size=BATCH,
        lr=1e-3,
        optimizer=torch.optim.Adam,
        iterator_train__shuffle=True,
        verbose=0,
        **split,
    )
    net.fit(X.astype(np.float32), y.astype(np.float32))
    return net, len(X) - (len(X) // 5 if valid_split else 0)


def fit_mlp_classifier(X, y, epochs):
    import warnings

    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    clf = MLPClassifier(
        HIDDEN, batch_size=BATCH, max_iter=epochs, tol=0, n_iter_no_change=epochs + 1,
        learning_rate_init=1e-3, random_state=0,
    )  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
    return clf, len(X)


def fit_imbbce(X, y, epochs, early_stopping, sampler=None, ensemble_size=1):
    from imbbce import BalancedBCEClassifier

    clf = BalancedBCEClassifier(
        ensemble_size=ensemble_size,
        hidden_layer_sizes=HIDDEN,
        learning_rate_init=1e-3,  # the anchors' network and optimizer, set in full:
        dropout=0.0,  # imbbce's defaults are an ensemble with dropout at 3e-3
        batch_size=BATCH,
        max_iter=epochs,
        early_stopping=early_stopping,
        scoring="average_precision",
        n_iter_no_change=epochs + 1,
        sampler=sampler,
        weight_decay=0.0,  # the anchors' Adam has none
        random_state=0,
        n_threads=1,
    )
    clf.fit(X, y)
    n_train = len(X) - (round(0.1 * len(X)) if early_stopping else 0)
    return clf, n_train


FITTERS = {
    "torch loop": fit_torch_loop,
    "torch loop, fused Adam": lambda X, y, e: fit_torch_loop(X, y, e, fused=True),
    "skorch defaults": fit_skorch,
    "skorch defaults, valid split": lambda X, y, e: fit_skorch(X, y, e, valid_split=True),
    "MLPClassifier": fit_mlp_classifier,
    "imbbce": lambda X, y, e: fit_imbbce(X, y, e, early_stopping=False),
    "imbbce early_stopping": lambda X, y, e: fit_imbbce(X, y, e, early_stopping=True),
    "imbbce ensemble_size=8": lambda X, y, e: fit_imbbce(X, y, e, False, ensemble_size=8),
}
#: Only for the peak-memory runs.
MEMORY_FITTERS = {
    **FITTERS,
    "imbbce balanced_batch": lambda X, y, e: fit_imbbce(X, y, e, False, "balanced_batch"),
}
#: Which anchor each imbbce fit is compared with, besides the torch loop.
SKORCH_ANCHOR = {
    "imbbce": "skorch defaults",
    "imbbce early_stopping": "skorch defaults, valid split",
}


class ValidationTimer:
    """Time the validation part of each epoch of imbbce's net.

    Wraps, for the duration of a ``with`` block, the methods that make up
    validation: skorch's validation loop (``run_single_epoch`` with
    ``training=False``) and the ``on_epoch_end`` of the scoring and
    early-stopping callbacks. ``shares`` collects validation seconds over
    epoch seconds, one per epoch.
    """

    def __enter__(self):
        from skorch.callbacks import EpochScoring

        from imbbce._callbacks import FlaggedEarlyStopping
        from imbbce._net import ImbalanceNet

        self.shares, self._valid, self._epoch_start = [], 0.0, None
        self._patched = []
        timer = self

        def timed(cls, name, when=lambda *a, **k: True):
            original = getattr(cls, name)

            def wrapper(*args, **kwargs):
                if not when(*args, **kwargs):
                    return original(*args, **kwargs)
                start = time.perf_counter()
                try:
                    return original(*args, **kwargs)
                finally:
                    timer._valid += time.perf_counter() - start

            setattr(cls, name, wrapper)
            self._patched.append((cls, name, original))

        timed(ImbalanceNet, "run_single_epoch", lambda net, it, training, *a, **k: not training)
        timed(EpochScoring, "on_epoch_end")
        timed(FlaggedEarlyStopping, "on_epoch_end")
        original_begin = ImbalanceNet.on_epoch_begin
        original_end = ImbalanceNet.on_epoch_end

        def on_epoch_begin(net, *args, **kwargs):
            timer._valid, timer._epoch_start = 0.0, time.perf_counter()
            return original_begin(net, *args, **kwargs)

        def on_epoch_end(net, *args, **kwargs):
            result = original_end(net, *args, **kwargs)
            timer.shares.append(timer._valid / (time.perf_counter() - timer._epoch_start))
            return result

        ImbalanceNet.on_epoch_begin, ImbalanceNet.on_epoch_end = on_epoch_begin, on_epoch_end
        self._patched += [
            (ImbalanceNet, "on_epoch_begin", original_begin),
            (ImbalanceNet, "on_epoch_end", original_end),
        ]
        return self

    def __exit__(self, *exc):
        for cls, name, original in reversed(self._patched):
            setattr(cls, name, original)


def time_fit(name, X, y, epochs):
    start = time.perf_counter()
    model, n_train = FITTERS[name](X, y, epochs)
    seconds = time.perf_counter() - start
    return model, n_train * epochs / seconds


def validation_shares(X, y, epochs):
    """Validation share of each epoch of one ``imbbce early_stopping`` fit."""
    with ValidationTimer() as timer:
        FITTERS["imbbce early_stopping"](X, y, epochs)
    return timer.shares


def predict_throughput(model, X, kind):
    start = time.perf_counter()
    if kind == "forward":
        with torch.no_grad():
            X_t = torch.as_tensor(X, dtype=torch.float32)
            for begin in range(0, len(X_t), 8192):
                torch.sigmoid(model(X_t[begin : begin + 8192]))
    elif kind == "skorch":
        model.predict_proba(X.astype(np.float32))
    else:
        model.predict_proba(X)
    return len(X) / (time.perf_counter() - start)


MEMORY_CHILD = """
import re, sys
sys.path.insert(0, {here!r})
import imbbce, skorch, speed  # the same imports in every child


def status(key):  # MiB, from /proc (Linux)
    with open("/proc/self/status") as handle:
        return int(re.search(key + r":\\s+(\\d+)", handle.read()).group(1)) / 1024


fit = speed.MEMORY_FITTERS[{name!r}]
fit(*speed.make_data(2000), 1)  # warm-up: lazy imports and torch's allocator
X, y = speed.make_data({n})
before = status("VmRSS")
fit(X, y, {epochs})
print(status("VmHWM"), status("VmHWM") - before)
"""


def peak_memory_child(name, n, epochs):
    """Run one fit in a fresh process; its peak RSS and the fit's share, in MiB.

    The peak is ``VmHWM`` of ``/proc/self/status``: ``ru_maxrss`` would not
    do, because Linux carries a parent's maximum RSS across ``fork`` and
    ``exec`` into the child's (every child of this large process reported
    the same number). Every child imports the same modules and runs a small
    warm-up fit of the same method first, so the peaks differ by what the
    fit itself holds; the second number is the peak minus the RSS just
    before the fit (with the data already made).
    """
    code = MEMORY_CHILD.format(here=str(Path(__file__).parent), name=name, n=n, epochs=epochs)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    peak, fit_share = (float(v) for v in out.stdout.strip().splitlines()[-1].split())
    return peak, fit_share


def first_fit_child():
    """Seconds of the first and the second small fit in a fresh process."""
    code = (
        "import time, numpy as np; t0 = time.perf_counter();"
        "from imbbce import BalancedBCEClassifier; t1 = time.perf_counter();"
        "X = np.random.RandomState(0).randn(500, 5); y = (X[:, 0] > 1).astype(int);"
        "BalancedBCEClassifier(max_iter=2, random_state=0).fit(X, y); t2 = time.perf_counter();"
        "BalancedBCEClassifier(max_iter=2, random_state=0).fit(X, y); t3 = time.perf_counter();"
        "import json; print(json.dumps([t1 - t0, t2 - t1, t3 - t2]))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="20k and 100k rows, 3 repeats")
    parser.add_argument("--repeats", type=int, default=None)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--no-memory", action="store_true", help="skip the peak-memory runs")
    parser.add_argument("--out", type=Path, default=RESULTS, help="folder of the results")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    sizes = [20_000, 100_000] if args.quick else [100_000, 500_000]
    repeats = args.repeats or 3 if args.quick else args.repeats or 5
    X_warm, y_warm = make_data(2000)
    for name in FITTERS:  # imports and torch._dynamo out of the timings
        FITTERS[name](X_warm, y_warm, 1)
    rows, validation = [], []
    for n in sizes:
        X, y = make_data(n)
        samples = {name: [] for name in FITTERS}
        predicts = {"forward": [], "imbbce": [], "skorch": []}
        shares = []
        for _ in range(repeats):
            for name in FITTERS:  # interleaved
                model, rate = time_fit(name, X, y, args.epochs)
                samples[name].append(rate)
                if name == "torch loop":
                    predicts["forward"].append(predict_throughput(model, X, "forward"))
                elif name == "imbbce":
                    predicts["imbbce"].append(predict_throughput(model, X, "imbbce"))
                elif name == "skorch defaults" and n <= 100_000:
                    predicts["skorch"].append(predict_throughput(model, X, "skorch"))
            shares += validation_shares(X, y, args.epochs)
        rows += table_rows(n, "fit", samples)
        rows += table_rows(n, "predict", predicts)
        validation.append({"n_rows": n, "share": statistics.median(shares)})
        print(f"{n} rows done", flush=True)
    memory = []
    if not args.no_memory:
        n = sizes[-1]
        for name in ("torch loop", "imbbce", "imbbce early_stopping", "imbbce balanced_batch"):
            peak, fit_share = peak_memory_child(name, n, 1)
            memory.append({"n_rows": n, "what": name, "peak_rss_mib": peak, "fit_mib": fit_share})
    first = [first_fit_child() for _ in range(3)]
    first_fit = {
        "import imbbce (s)": statistics.median(f[0] for f in first),
        "first fit (s)": statistics.median(f[1] for f in first),
        "second fit (s)": statistics.median(f[2] for f in first),
    }
    write_results(rows, validation, memory, first_fit, args, repeats)


def paired_ratio(rates, anchor_rates):
    """Median over rounds of ``rate / anchor rate`` of the same round."""
    return statistics.median(a / b for a, b in zip(rates, anchor_rates, strict=True))


def table_rows(n, kind, samples):
    """Median throughput per method and its paired ratios to the anchors: the
    torch loop (for predict: the bare forward pass), the fused-Adam loop and,
    for imbbce's fits, the skorch anchor doing the same work."""
    nan = float("nan")
    first = "torch loop" if kind == "fit" else "forward"
    rows = []
    for name, rates in samples.items():
        if len(rates) != len(samples[first]):  # skorch's predict only at 100k rows
            continue
        skorch = SKORCH_ANCHOR.get(name) if kind == "fit" else None
        rows.append(
            {
                "n_rows": n,
                "what": f"{kind}: {name}",
                "samples_per_s": statistics.median(rates),
                "ratio_to_torch_loop": paired_ratio(rates, samples[first]),
                "ratio_to_fused_loop": (
                    paired_ratio(rates, samples["torch loop, fused Adam"]) if kind == "fit" else nan
                ),
                "ratio_to_skorch": paired_ratio(rates, samples[skorch]) if skorch else nan,
                "ratio_to_one_network": (
                    paired_ratio(rates, samples["imbbce"]) if "ensemble" in name else nan
                ),
            }
        )
    return rows


def write_results(rows, validation, memory, first_fit, args, repeats):
    import csv

    args.out.mkdir(parents=True, exist_ok=True)
    with open(args.out / "speed.csv", "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    machine = f"{platform.machine()}, {os.cpu_count()} cores, torch {torch.__version__}, 1 thread"
    lines = [
        f"# Speed ({date.today().isoformat()}; {machine})",
        "",
        f"Medians of {repeats} interleaved runs, {args.epochs} epochs each; "
        "`python benchmarks/speed.py"
        + (" --quick" if args.quick else "")
        + (" --no-memory" if args.no_memory else "")
        + "`.",
        "",
        "Anchors, measured in the same run on the same data (seed 0): a hand-written torch",
        "loop with torch's default Adam and the same loop with `Adam(fused=True)` (the",
        "optimizer step imbbce takes), skorch's `NeuralNetBinaryClassifier` with its",
        "default per-row `Dataset` and",
        "`DataLoader` (without and with its default 20 % validation split), and",
        "scikit-learn's `MLPClassifier`; all 30 -> 128 -> 128 -> 1, Adam, lr 1e-3,",
        "batch 256, one torch thread. imbbce's fits are compared with the skorch anchor",
        "doing the same work (no validation / a validation split every epoch). Ratios are",
        "medians of the ratios within each round; predict is compared with a bare",
        "`torch.no_grad()` forward pass (its ratio in the torch-loop column). The",
        "ensemble of eight members is compared with one network (`imbbce`): a ratio of",
        "1/8 = 0.125 would mean it costs eight networks' time.",
        "",
        "| rows | what | samples/s | ratio to the torch loop | ratio to the fused-Adam loop "
        "| ratio to skorch | ratio to one network |",
        "|---:|---|---:|---:|---:|---:|---:|",
    ]

    def cell(value):
        return "" if value != value else f"{value:.2f}"  # NaN: no such anchor

    for r in rows:
        lines.append(
            f"| {r['n_rows']:,} | {r['what']} | {r['samples_per_s']:,.0f} "
            f"| {cell(r['ratio_to_torch_loop'])} | {cell(r['ratio_to_fused_loop'])} "
            f"| {cell(r['ratio_to_skorch'])} | {cell(r['ratio_to_one_network'])} |"
        )
    lines += [
        "",
        "| rows | validation share of an early-stopping epoch (loop, scoring, stopping) |",
        "|---:|---:|",
    ]
    lines += [f"| {v['n_rows']:,} | {v['share']:.1%} |" for v in validation]
    if memory:
        base = memory[0]["peak_rss_mib"]
        lines += [
            "",
            "Peak resident memory of one fit (1 epoch, float64 input of "
            f"{memory[0]['n_rows']:,} x 30 = {memory[0]['n_rows'] * 30 * 8 / 2**20:.0f} MiB) "
            "in a fresh process that imported the same modules and ran a small warm-up "
            "fit first; *fit share* is the peak minus the resident memory just before "
            "the fit (a float32 copy of X alone is "
            f"{memory[0]['n_rows'] * 30 * 4 / 2**20:.0f} MiB).",
            "",
            "| rows | what | peak RSS MiB | ratio to the torch loop | fit share MiB |",
            "|---:|---|---:|---:|---:|",
        ]
        for m in memory:
            peak = m["peak_rss_mib"]
            lines.append(
                f"| {m['n_rows']:,} | {m['what']} | {peak:.0f} | {peak / base:.2f} "
                f"| {m['fit_mib']:.0f} |"
            )
    lines += ["", "| fixed cost in a fresh process | seconds |", "|---|---:|"]
    lines += [f"| {k} | {v:.2f} |" for k, v in first_fit.items()]
    text = "\n".join(lines) + "\n"
    (args.out / "speed.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
