"""A fit on data larger than a laptop's patience: 5 million rows x 30 features.

float32 input, 1 % positives. With ``sampler=None`` and with
``sampler="balanced_batch"`` the estimator trains on one float32 tensor that
shares the caller's array (no copy of X). Each configuration runs in a fresh
process; its wall time and peak resident memory (``ru_maxrss``) are printed
next to the size of X itself, and appended to ``benchmarks/results/large.md``.
``verbose=1`` prints one line per epoch as progress.

Run ``python benchmarks/large.py`` (``--rows 1000000`` for a shorter run).
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
rows, sampler, epochs = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
rng = np.random.default_rng(0)
X = rng.standard_normal((rows, 30), dtype=np.float32)
y = (rng.random(rows) < 0.01).astype(np.int8)
X[y == 1, :5] += 1.0
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
start = time.perf_counter()
clf = BalancedBCEClassifier(
    sampler=None if sampler == "none" else sampler,
    max_iter=epochs, n_iter_no_change=epochs + 1, batch_size=1024, verbose=1, random_state=0,
).fit(X, y)
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": seconds, "peak_mib": peak, "before_fit_mib": base,
                  "x_mib": X.nbytes / 2**20, "epochs": clf.n_iter_}))
"""


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--epochs", type=int, default=2)
    args = parser.parse_args(argv)
    lines = [
        f"# Large fit ({date.today().isoformat()}; {platform.machine()}, {os.cpu_count()} cores)",
        "",
        f"`python benchmarks/large.py --rows {args.rows} --epochs {args.epochs}`; batch size "
        "1024, early stopping on (10 % validation split).",
        "",
        "| sampler | rows | epochs | seconds | X (MiB) | RSS before fit (MiB) | peak RSS (MiB) |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for sampler in ("none", "balanced_batch"):
        out = subprocess.run(
            [sys.executable, "-c", CHILD, str(args.rows), sampler, str(args.epochs)],
            capture_output=True,
            text=True,
            check=True,
        )
        print(out.stdout, end="", flush=True)
        r = json.loads(out.stdout.strip().splitlines()[-1])
        lines.append(
            f"| {sampler} | {args.rows:,} | {r['epochs']} | {r['seconds']:.1f} | "
            f"{r['x_mib']:.0f} | {r['before_fit_mib']:.0f} | {r['peak_mib']:.0f} |"
        )
    text = "\n".join(lines) + "\n"
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "large.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
