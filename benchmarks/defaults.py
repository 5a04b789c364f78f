"""Evidence for imbbce's defaults: BalancedBCEClassifier with one set of
parameters changed at a time, on the splits and seeds of ``quality.py``.

    OMP_NUM_THREADS=1 nice -n 10 python benchmarks/defaults.py \\
        --variant base --variant scoring=loss --variant n_iter_no_change=20,validation_fraction=0.2

Each ``--variant`` is ``name=value[,name=value...]`` (values parsed as Python
literals; ``base`` is the current defaults). Writes one CSV row per variant and
test fold to ``--csv`` and prints mean balanced accuracy and average precision
per data set, and folds with minority recall 0.
"""

import argparse
import ast
import re
import sys
import time
import warnings
from pathlib import Path

import joblib
import pandas as pd
import torch
from sklearn.metrics import average_precision_score, balanced_accuracy_score, recall_score
from sklearn.model_selection import RepeatedStratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

sys.path.insert(0, str(Path(__file__).resolve().parent))
from datasets import DATASETS, load  # noqa: E402
from quality import FULL_REPEATS  # noqa: E402

from imbbce import BalancedBCEClassifier  # noqa: E402

torch.set_num_threads(1)


def parse_variant(text):
    if text == "base":
        return {}
    params = {}
    # A comma starts a new item only before "name=": tuples keep theirs.
    for item in re.split(r",(?=\s*\w+=)", text):
        key, value = item.split("=", 1)
        try:
            params[key] = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            params[key] = value
    return params


def fit_variant(dataset, split_id, train, test, variant):
    """One variant on one test fold (run in a worker process)."""
    torch.set_num_threads(1)
    X, y = load(dataset)
    est = make_pipeline(
        StandardScaler(),
        BalancedBCEClassifier(random_state=split_id, **parse_variant(variant)),
    )
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est.fit(X[train], y[train])
    fit_s = time.perf_counter() - start
    proba = est.predict_proba(X[test])[:, 1]
    pred = est.predict(X[test])
    clf = est[-1]
    return {
        "dataset": dataset,
        "split": split_id,
        "variant": variant,
        "average_precision": average_precision_score(y[test], proba),
        "balanced_accuracy": balanced_accuracy_score(y[test], pred),
        "recall": recall_score(y[test], pred, zero_division=0.0),
        "best_epoch": clf.best_epoch_,
        "epochs_run": clf.n_iter_,
        "fit_s": fit_s,
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variant", action="append", required=True)
    parser.add_argument("--datasets", nargs="+", choices=list(DATASETS), default=list(DATASETS))
    parser.add_argument("--repeats", type=int, help="repeats of 5-fold CV (default: quality.py's)")
    parser.add_argument("--n-jobs", type=int, default=2, help="fits in parallel")
    parser.add_argument("--csv", type=Path, default=Path("defaults.csv"))
    args = parser.parse_args(argv)
    tasks = []
    for dataset in args.datasets:
        X, y = load(dataset)
        n_repeats = args.repeats or FULL_REPEATS[dataset]
        cv = RepeatedStratifiedKFold(n_splits=5, n_repeats=n_repeats, random_state=0)
        for split_id, (train, test) in enumerate(cv.split(X, y)):
            tasks += [(dataset, split_id, train, test, variant) for variant in args.variant]
    rows = joblib.Parallel(n_jobs=args.n_jobs, batch_size=1)(
        joblib.delayed(fit_variant)(*task) for task in tasks
    )
    pd.DataFrame(rows).to_csv(args.csv, index=False)
    df = pd.DataFrame(rows)
    summary = df.groupby(["dataset", "variant"], sort=False).agg(
        AP=("average_precision", "mean"),
        BA=("balanced_accuracy", "mean"),
        recall0=("recall", lambda r: int((r == 0).sum())),
        best_epoch=("best_epoch", "mean"),
        min_best=("best_epoch", "min"),
        fit_s=("fit_s", "mean"),
    )
    with pd.option_context("display.width", 200, "display.max_rows", 500):
        print(summary.round(3))
        print(df.groupby("variant", sort=False)[["average_precision", "balanced_accuracy"]].mean())


if __name__ == "__main__":
    main()
