"""Fit and predict throughput, peak memory and first-fit cost, against the anchors.

What is compared, on the same data (``n`` rows x 30 features, 1 % positives,
float64 input, seed 0), the same network (30 -> 128 -> 128 -> 1, ReLU), the
same optimizer (Adam, learning rate 1e-3), batch size 256 and number of
epochs, with one torch thread:

* ``torch loop``: a hand-written loop that shuffles an index tensor every
  epoch and slices one float32 tensor per batch (the speed to match);
* ``skorch defaults``: skorch's ``NeuralNetBinaryClassifier`` with its
  default ``Dataset`` and ``DataLoader`` (shuffled, no validation split);
* ``MLPClassifier``: scikit-learn's, same layers, batch and epochs;
* ``imbbce``: ``BalancedBCEClassifier`` with ``early_stopping`` off, and on
  (validation split of 10 %, average precision after every epoch, patience
  larger than the number of epochs so that every run trains all epochs).

Each method runs ``--repeats`` times, interleaved (A B C D, A B C D, ...), and
the median is reported. Throughput is training rows x epochs / seconds.
Peak memory is measured in a fresh process per method (``ru_maxrss``), so it
includes the data and the imports. The first fit in a fresh process is timed
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


def fit_torch_loop(X, y, epochs):
    torch.manual_seed(0)
    X_t = torch.as_tensor(X, dtype=torch.float32)
    y_t = torch.as_tensor(y, dtype=torch.float32)
    model = mlp()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
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


def fit_skorch(X, y, epochs):
    from skorch import NeuralNetBinaryClassifier

    torch.manual_seed(0)
    net = NeuralNetBinaryClassifier(
        SkorchModule,
        max_epochs=epochs,
        batch_size=BATCH,
        lr=1e-3,
        optimizer=torch.optim.Adam,
        iterator_train__shuffle=True,
        train_split=None,
        verbose=0,
    )
    net.fit(X.astype(np.float32), y.astype(np.float32))
    return net, len(X)


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


def fit_imbbce(X, y, epochs, early_stopping):
    from imbbce import BalancedBCEClassifier

    clf = BalancedBCEClassifier(
        hidden_layer_sizes=HIDDEN,
        batch_size=BATCH,
        max_iter=epochs,
        early_stopping=early_stopping,
        n_iter_no_change=epochs + 1,
        random_state=0,
        n_threads=1,
    )
    clf.fit(X, y)
    n_train = len(X) - (round(0.1 * len(X)) if early_stopping else 0)
    return clf, n_train


FITTERS = {
    "torch loop": fit_torch_loop,
    "skorch defaults": fit_skorch,
    "MLPClassifier": fit_mlp_classifier,
    "imbbce": lambda X, y, e: fit_imbbce(X, y, e, early_stopping=False),
    "imbbce early_stopping": lambda X, y, e: fit_imbbce(X, y, e, early_stopping=True),
}


def time_fit(name, X, y, epochs):
    start = time.perf_counter()
    model, n_train = FITTERS[name](X, y, epochs)
    seconds = time.perf_counter() - start
    return model, n_train * epochs / seconds


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


def peak_memory_child(name, n, epochs):
    """Run one fit in a fresh process and return its peak RSS in MiB."""
    code = (
        f"import resource, sys; sys.path.insert(0, {str(Path(__file__).parent)!r});"
        f"import speed; X, y = speed.make_data({n}); speed.FITTERS[{name!r}](X, y, {epochs});"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


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
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    sizes = [20_000, 100_000] if args.quick else [100_000, 500_000]
    repeats = args.repeats or 3 if args.quick else args.repeats or 5
    X_warm, y_warm = make_data(2000)
    for name in FITTERS:  # imports and torch._dynamo out of the timings
        FITTERS[name](X_warm, y_warm, 1)
    rows = []
    for n in sizes:
        X, y = make_data(n)
        samples = {name: [] for name in FITTERS}
        predicts = {"forward": [], "imbbce": [], "skorch": []}
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
        rows += table_rows(n, "fit", samples, "torch loop")
        rows += table_rows(n, "predict", predicts, "forward")
        print(f"{n} rows done", flush=True)
    memory = []
    if not args.no_memory:
        n = sizes[-1]
        for name in ("torch loop", "imbbce", "imbbce early_stopping"):
            memory.append(
                {"n_rows": n, "what": name, "peak_rss_mib": peak_memory_child(name, n, 1)}
            )
    first = [first_fit_child() for _ in range(3)]
    first_fit = {
        "import imbbce (s)": statistics.median(f[0] for f in first),
        "first fit (s)": statistics.median(f[1] for f in first),
        "second fit (s)": statistics.median(f[2] for f in first),
    }
    write_results(rows, memory, first_fit, args, repeats)


def table_rows(n, kind, samples, anchor):
    """Median throughput per method and its ratio to ``anchor``'s median."""
    reference = statistics.median(samples[anchor])
    return [
        {
            "n_rows": n,
            "what": f"{kind}: {name}",
            "samples_per_s": statistics.median(rates),
            "ratio_to_torch_loop": statistics.median(rates) / reference,
        }
        for name, rates in samples.items()
        if rates
    ]


def write_results(rows, memory, first_fit, args, repeats):
    import csv

    RESULTS.mkdir(exist_ok=True)
    with open(RESULTS / "speed.csv", "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    machine = f"{platform.machine()}, {os.cpu_count()} cores, torch {torch.__version__}, 1 thread"
    lines = [
        f"# Speed ({date.today().isoformat()}; {machine})",
        "",
        f"Medians of {repeats} interleaved runs, {args.epochs} epochs each; "
        "`python benchmarks/speed.py" + (" --quick" if args.quick else "") + "`.",
        "",
        "| rows | what | samples/s | ratio to the torch loop |",
        "|---:|---|---:|---:|",
    ]
    for r in rows:
        rate, ratio = r["samples_per_s"], r["ratio_to_torch_loop"]
        lines.append(f"| {r['n_rows']:,} | {r['what']} | {rate:,.0f} | {ratio:.2f} |")
    if memory:
        base = memory[0]["peak_rss_mib"]
        lines += [
            "",
            "| rows | peak RSS of one fit, fresh process | MiB | ratio |",
            "|---:|---|---:|---:|",
        ]
        for m in memory:
            peak = m["peak_rss_mib"]
            lines.append(f"| {m['n_rows']:,} | {m['what']} | {peak:.0f} | {peak / base:.2f} |")
    lines += ["", "| fixed cost in a fresh process | seconds |", "|---|---:|"]
    lines += [f"| {k} | {v:.2f} |" for k, v in first_fit.items()]
    text = "\n".join(lines) + "\n"
    (RESULTS / "speed.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
