"""Fit CPU of the defaults and candidates against the former defaults, on the ranking sets.

The ranking work's third goal bounds what a better default may cost: its fit at
most three times the CPU time of the defaults it replaces (one MLP,
``ranking.SINGLE_MLP``, measured as ``imbbce_single``) on the same sets. ``ranking.py``
records each fit's CPU seconds too, but its runs fit two at a time, under
different loads from run to run, so ratios between methods of different runs
are biased. This measures the ratio on its own:

* one training fold per data set (fold 0 of repeat 0 of ``ranking.py``'s
  splits), with ``StandardScaler`` fitted on it outside the timing;
* one process, one torch thread, ``BalancedBCEClassifier(random_state=round,
  **params)`` timed by ``time.process_time`` around ``fit``: the former
  defaults (``imbbce_single``), today's (``imbbce_default``) and the candidates
  named by ``--configs``;
* every configuration fitted in turn on a set before the next set
  (interleaved), for ``--rounds`` rounds;
* per configuration, the median CPU seconds of each set summed over the sets,
  and the ratio of that sum to the former defaults'; next to it the median over
  rounds of the ratio within a round, which cancels most of a shared
  machine's drift between rounds.

Run from the repository root, on an otherwise idle machine::

    OMP_NUM_THREADS=1 python benchmarks/fit_cost.py --configs imbbce_k8_lr3_do1

It writes ``fit_cost.csv`` (one row per fit) and ``fit_cost.md`` to
``benchmarks/results/`` (``--tag``).
"""

import argparse
import datetime
import os
import platform
import statistics
import sys
import time
import warnings
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

import pandas as pd  # noqa: E402
import torch  # noqa: E402
from sklearn.model_selection import RepeatedStratifiedKFold  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from datasets import RANKING_DATASETS, load  # noqa: E402
from ranking import IMBBCE_VARIANTS, N_SPLITS, REFERENCE, SINGLE_MLP  # noqa: E402

from imbbce import BalancedBCEClassifier  # noqa: E402

torch.set_num_threads(1)

RESULTS = Path(__file__).resolve().parent / "results"
#: What every configuration is compared with: the defaults the cost bound refers to.
BASELINE = "imbbce_single"


def training_folds(datasets):
    """``{name: (X_train, y_train)}``: fold 0 of repeat 0 of ``ranking.py``'s splits, scaled."""
    folds = {}
    for name in datasets:
        X, y = load(name)
        cv = RepeatedStratifiedKFold(n_splits=N_SPLITS, n_repeats=1, random_state=0)
        train, _ = next(cv.split(X, y))
        folds[name] = (StandardScaler().fit_transform(X[train]), y[train])
    return folds


def measure(folds, configs, rounds):
    """One row per fit: round, data set, configuration and CPU seconds, interleaved."""
    BalancedBCEClassifier(max_iter=2).fit(*next(iter(folds.values())))  # imports, first fit
    rows = []
    for round_ in range(rounds):
        for name, (X, y) in folds.items():
            for config, params in configs.items():
                estimator = BalancedBCEClassifier(random_state=round_, **params)
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    start = time.process_time()
                    estimator.fit(X, y)
                    cpu = time.process_time() - start
                rows.append(
                    {
                        "round": round_,
                        "dataset": name,
                        "n_train": len(y),
                        "config": config,
                        "fit_cpu_s": cpu,
                        "n_iter": estimator.n_iter_,
                    }
                )
        print(f"round {round_ + 1} of {rounds} done", flush=True)
    return pd.DataFrame(rows)


def summary(df, configs):
    """Per configuration: summed medians, their ratio to the baseline's, the paired ratio."""
    medians = df.groupby(["config", "dataset"]).fit_cpu_s.median().unstack("dataset")
    totals = medians.sum(axis=1)
    per_round = df.groupby(["round", "config"]).fit_cpu_s.sum().unstack("config")
    lines = [
        f"| configuration | CPU s (sum of per-set medians) | times {BASELINE} | "
        f"times {BASELINE}, median of rounds |",
        "|---|---:|---:|---:|",
    ]
    for config in configs:
        paired = statistics.median(per_round[config] / per_round[BASELINE])
        lines.append(
            f"| {config} | {totals[config]:.2f} | {totals[config] / totals[BASELINE]:.2f} "
            f"| {paired:.2f} |"
        )
    per_set = ["| data set | training rows | " + " | ".join(configs) + " |"]
    per_set.append("|---|---:|" + "---:|" * len(configs))
    rows = df.groupby("dataset").n_train.first()
    for name in medians.columns:
        cells = " | ".join(f"{medians.loc[config, name]:.2f}" for config in configs)
        per_set.append(f"| {name} | {rows[name]:,} | {cells} |")
    return lines, per_set


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--configs",
        nargs="+",
        default=[],
        choices=list(IMBBCE_VARIANTS),
        help="candidates from ranking.IMBBCE_VARIANTS, each against the former defaults",
    )
    parser.add_argument("--datasets", nargs="+", default=list(RANKING_DATASETS))
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--tag", default="fit_cost")
    args = parser.parse_args(argv)
    configs = {
        BASELINE: SINGLE_MLP,
        REFERENCE: {},
        **{name: IMBBCE_VARIANTS[name] for name in args.configs},
    }
    df = measure(training_folds(args.datasets), configs, args.rounds)
    RESULTS.mkdir(exist_ok=True)
    df.to_csv(RESULTS / f"{args.tag}.csv", index=False)
    totals, per_set = summary(df, configs)
    command = " ".join(
        [
            "OMP_NUM_THREADS=1 python benchmarks/fit_cost.py",
            *(sys.argv[1:] if argv is None else argv),
        ]
    )
    described = "; ".join(
        f"`{name}`: " + ", ".join(f"`{k}={v!r}`" for k, v in params.items())
        for name, params in configs.items()
        if params
    )
    report = [
        f"# Fit CPU against the former defaults ({datetime.date.today()}; "
        f"{platform.machine()}, "
        f"{os.cpu_count()} cores, torch {torch.__version__}, 1 thread)",
        "",
        f"`{command}`",
        "",
        f"One training fold of each of {len(args.datasets)} sets (fold 0 of repeat 0 of "
        "`ranking.py`'s splits), every configuration fitted in turn on a set, "
        f"{args.rounds} rounds, one process and thread; CPU seconds of `fit`. "
        f"`{REFERENCE}` is `BalancedBCEClassifier(random_state=round)`; {described}.",
        "",
        *totals,
        "",
        "Median CPU seconds per set:",
        "",
        *per_set,
        "",
    ]
    (RESULTS / f"{args.tag}.md").write_text("\n".join(report))
    print("\n".join(totals))


if __name__ == "__main__":
    main()
