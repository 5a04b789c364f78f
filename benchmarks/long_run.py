"""Resident memory over many consecutive fit/predict cycles in one process.

Fits and predicts ``--cycles`` times (default 200) on the same small
imbalanced data set and prints the resident set size (RSS, from
``/proc/self/status`` on Linux, else ``resource``'s peak) every ``--every``
cycles. A leak (a fitted estimator, its net, its data or torch state kept
alive by a reference cycle or a global cache) shows as RSS that keeps
growing after the first cycles have warmed the allocators up.

Run from the repository root::

    python benchmarks/long_run.py            # 200 cycles, ~1-2 minutes on 1 core
    python benchmarks/long_run.py --cycles 1000 --every 100

It exits with status 1 when RSS grew by more than ``--max-growth-mb``
(default 20 MiB) between the end of the warm-up (cycle ``--every``) and
the last cycle.
"""

import argparse
import gc
import resource
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from imbbce import BalancedBCEClassifier  # noqa: E402


def rss_mib():
    """Current resident set size in MiB (peak RSS where /proc is missing)."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 if sys.platform != "darwin" else peak / 2**20


def cycle(X, y, X_new, seed):
    """One fit and predict, with the settings that keep the most state."""
    clf = BalancedBCEClassifier(
        hidden_layer_sizes=(32, 16),
        dropout=0.1,
        sampler="smote" if seed % 2 else "balanced_batch",
        noise_std=0.05,
        threshold="auto",
        max_iter=5,
        random_state=seed,
    )
    clf.fit(X, y)
    return clf.predict_proba(X_new)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cycles", type=int, default=200)
    parser.add_argument("--every", type=int, default=20)
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--max-growth-mb", type=float, default=20.0)
    args = parser.parse_args(argv)

    torch.set_num_threads(1)
    warnings.simplefilter("ignore")  # collapse warnings on a short fit are beside the point
    rng = np.random.RandomState(0)
    X = rng.randn(args.rows, 20)
    y = (X[:, 0] + rng.randn(args.rows) > 2.0).astype(np.int64)
    X_new = rng.randn(1000, 20)

    start = time.perf_counter()
    figures = [(0, rss_mib())]
    print(f"cycle {0:5d}  rss {figures[0][1]:8.1f} MiB")
    for i in range(1, args.cycles + 1):
        proba = cycle(X, y, X_new, seed=i)
        assert np.isfinite(proba).all()
        if i % args.every == 0 or i == args.cycles:
            gc.collect()
            figures.append((i, rss_mib()))
            seconds = time.perf_counter() - start
            print(f"cycle {i:5d}  rss {figures[-1][1]:8.1f} MiB  {seconds:6.1f} s")
    warm = figures[1][1]
    last = figures[-1][1]
    growth = last - warm
    print(
        f"RSS after warm-up (cycle {figures[1][0]}): {warm:.1f} MiB; after cycle "
        f"{figures[-1][0]}: {last:.1f} MiB; growth {growth:+.1f} MiB "
        f"({growth / max(1, figures[-1][0] - figures[1][0]) * 1024:+.1f} KiB per cycle)"
    )
    return 0 if growth <= args.max_growth_mb else 1


if __name__ == "__main__":
    sys.exit(main())
