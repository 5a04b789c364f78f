"""A fit on data larger than a laptop's patience: 5 million rows x 30 features.

float32 input, 1 % positives. With ``sampler=None`` and with
``sampler="balanced_batch"`` the estimator trains on one float32 tensor that
shares the caller's array (no copy of X). Each configuration runs in a fresh
process; its wall time and peak resident memory (``ru_maxrss``) are printed
next to the size of X itself, and appended to ``benchmarks/results/large.md``.
``verbose=1`` prints one line per epoch as progress.

A third run fits a SciPy CSR matrix of 200k x 20k with 0.1 % density
(``--sparse-rows``): densified whole it would take 16 GB; it is densified one
batch at a time.

Run ``python benchmarks/large.py`` (``--rows 1000000`` for a shorter run).
``--device cuda`` fits on the GPU instead, adds the GPU's peak allocated
memory and writes ``large_cuda.md``.
"""

import argparse
import json
import os
import platform
import subprocess
import sys
from datetime import date
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"

CHILD = """
import json, resource, sys, time
import numpy as np
from imbbce import BalancedBCEClassifier
rows, sampler, epochs, device = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4]
rng = np.random.default_rng(0)
y = (rng.random(rows) < 0.01).astype(np.int8)
if sampler == "sparse":
    import scipy.sparse as sp
    # 20 of 20k columns per row (0.1 %), drawn with replacement (scipy.sparse.random
    # draws without replacement through a permutation of all rows x columns cells:
    # 30 GB here); column 0 carries the signal.
    per_row = 20
    cols = rng.integers(1, 20_000, size=(rows, per_row))
    cols[:, 0] = 0
    vals = rng.standard_normal((rows, per_row), dtype=np.float32)
    vals[:, 0] += 2.0 * y
    X = sp.csr_matrix((vals.ravel(), (np.repeat(np.arange(rows), per_row), cols.ravel())),
                      shape=(rows, 20_000))
    sampler = "none"
    nbytes = X.data.nbytes + X.indices.nbytes + X.indptr.nbytes
else:
    X = rng.standard_normal((rows, 30), dtype=np.float32)
    X[y == 1, :5] += 1.0
    nbytes = X.nbytes
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
start = time.perf_counter()
clf = BalancedBCEClassifier(
    sampler=None if sampler == "none" else sampler,
    max_iter=epochs, n_iter_no_change=epochs + 1, batch_size=1024, verbose=1, random_state=0,
    device=device,
).fit(X, y)
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
gpu_peak = 0.0
if device == "cuda":
    import torch
    gpu_peak = torch.cuda.max_memory_allocated() / 2**20
print(json.dumps({"seconds": seconds, "peak_mib": peak, "before_fit_mib": base,
                  "x_mib": nbytes / 2**20, "epochs": clf.n_iter_, "gpu_peak_mib": gpu_peak}))
"""


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--sparse-rows", type=int, default=200_000)
    parser.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
    parser.add_argument("--out", type=Path, default=RESULTS, help="folder of the results")
    args = parser.parse_args(argv)
    on_gpu = args.device == "cuda"
    machine = f"{platform.machine()}, {os.cpu_count()} cores"
    if on_gpu:
        import torch

        machine += f", {torch.cuda.get_device_name()}"
    command = f"python benchmarks/large.py --rows {args.rows} --epochs {args.epochs}"
    lines = [
        f"# Large fit{' on a GPU' if on_gpu else ''} ({date.today().isoformat()}; {machine})",
        "",
        f"`{command}{' --device cuda' if on_gpu else ''}`; batch size "
        "1024, early stopping on (10 % validation split).",
        "",
        "| sampler (sparse: 20k-column CSR, 0.1 % dense) | rows | epochs | seconds | X (MiB) "
        "| RSS before fit (MiB) | peak RSS (MiB) | fit's share per row (bytes) |"
        + (" peak GPU memory allocated (MiB) |" if on_gpu else ""),
        "|---|---:|---:|---:|---:|---:|---:|---:|" + ("---:|" if on_gpu else ""),
    ]
    runs = [("none", args.rows, args.epochs), ("balanced_batch", args.rows, args.epochs)]
    runs.append(("sparse", args.sparse_rows, 1))
    for sampler, rows, epochs in runs:
        # The child's per-epoch lines (verbose=1) are the progress: pass them on as they come.
        with subprocess.Popen(
            [sys.executable, "-c", CHILD, str(rows), sampler, str(epochs), args.device],
            stdout=subprocess.PIPE,
            text=True,
        ) as child:
            last = ""
            for line in child.stdout:
                print(line, end="", flush=True)
                last = line if line.strip() else last
        if child.returncode:
            raise SystemExit(f"the {sampler} run failed with exit status {child.returncode}")
        r = json.loads(last)
        lines.append(
            f"| {sampler} | {rows:,} | {r['epochs']} | {r['seconds']:.1f} | "
            f"{r['x_mib']:.0f} | {r['before_fit_mib']:.0f} | {r['peak_mib']:.0f} "
            f"| {(r['peak_mib'] - r['before_fit_mib']) * 2**20 / rows:.0f} |"
            + (f" {r['gpu_peak_mib']:.0f} |" if on_gpu else "")
        )
    lines += [
        "",
        "The dense X is float32 and C-contiguous, so the fit trains on it without a copy;",
        "the fit's share (peak minus the RSS before the fit) is per-row bookkeeping: labels,",
        "loss weights, the validation split's row numbers and each epoch's permutation,",
        "and one densified batch for sparse input; with 20,000 input columns also the",
        "default ensemble's first layer, one weight matrix per member (8 x 20,000 x 40",
        "floats, 26 MB) and several tensors of that size in its backward pass. `verbose=1`",
        "printed one line per epoch as progress.",
    ]
    text = "\n".join(lines) + "\n"
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / ("large_cuda.md" if on_gpu else "large.md")).write_text(text)
    print(text)


if __name__ == "__main__":
    main()
