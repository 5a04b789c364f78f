"""Calibration benchmark: are imbbce's probabilities at the real rate?

On each data set, repeated stratified K-fold splits (the same splits for
every method) and, inside a Pipeline with ``StandardScaler``, four ways to
get probabilities from the same network settings (``hidden_layer_sizes``
and epochs at their defaults):

- ``shift``: ``prior_correction=True``, everything else at its default
  (``early_stopping="auto"``: no validation split on small minorities);
- ``split+shift``: the network of ``temperature+shift`` below, without the
  temperature (``expit(z - prior_shift_)``): what the temperature adds on
  its own, with the training held equal;
- ``temperature+shift``: ``prior_correction=True, calibration="temperature"``
  (which takes a validation split, as ``threshold="auto"`` does);
- ``sigmoid+shift``: ``prior_correction=True, calibration="sigmoid"`` (the
  same network as ``temperature+shift``, with an offset fitted too);
- ``sigmoid_cv``: scikit-learn's ``CalibratedClassifierCV(method="sigmoid",
  cv=3)`` around the ``shift`` estimator (three networks, each calibrated on
  the fold it did not see, averaged).

Per test fold it records the mean predicted probability minus the positive
rate of the test rows (``gap``), the Brier score, the log-loss and average
precision. The report gives means over folds and, for Brier and the gap,
paired differences against ``temperature+shift`` with a 95 % t-interval over
folds (folds of repeated CV overlap in their training rows, so the interval
is somewhat too narrow).

The goal checked, for ``temperature+shift`` and ``sigmoid+shift``: the mean
gap is within 0.01, and the Brier score no worse than ``sigmoid_cv``'s (the
paired difference's interval reaches 0 or below).

Run from the repository root (about ten minutes on one core)::

    OMP_NUM_THREADS=1 nice -n 10 python benchmarks/calibration.py
    OMP_NUM_THREADS=1 nice -n 10 python benchmarks/calibration.py --quick

It writes ``calibration.csv`` and ``calibration.md`` to ``benchmarks/results/``
(``--out`` changes the folder).
"""

import argparse
import datetime
import os
import platform
import sys
import time
import warnings
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import torch  # noqa: E402
from scipy import stats  # noqa: E402
from scipy.special import expit  # noqa: E402
from sklearn.calibration import CalibratedClassifierCV  # noqa: E402
from sklearn.datasets import make_classification  # noqa: E402
from sklearn.metrics import average_precision_score, brier_score_loss, log_loss  # noqa: E402
from sklearn.model_selection import RepeatedStratifiedKFold  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from datasets import load  # noqa: E402

from imbbce import BalancedBCEClassifier  # noqa: E402
from imbbce._prior import logit  # noqa: E402

torch.set_num_threads(1)

METHODS = ["shift", "split+shift", "temperature+shift", "sigmoid+shift", "sigmoid_cv"]
CALIBRATED = ["temperature+shift", "sigmoid+shift"]
REFERENCE = "temperature+shift"


def noisy_synthetic():
    """4,000 rows, 5 % positives, 5 % of the labels flipped at random: a
    network trained to fit its labels becomes over-confident here."""
    return make_classification(
        n_samples=4000,
        n_features=20,
        n_informative=6,
        n_redundant=4,
        weights=[0.95],
        flip_y=0.05,
        class_sep=1.0,
        random_state=0,
    )


#: Data set -> (loader, folds, repeats).
PLAN = {
    "noisy_synthetic": (noisy_synthetic, 5, 2),
    "digits_8": (lambda: load("digits_8"), 5, 2),
    "breast_cancer": (lambda: load("breast_cancer"), 5, 2),
    "yeast4": (lambda: load("yeast4"), 5, 2),
    "page_blocks0": (lambda: load("page_blocks0"), 5, 1),
}


def estimator(seed, **params):
    return BalancedBCEClassifier(prior_correction=True, random_state=seed, **params)


def fold_probabilities(X_train, y_train, X_test, seed):
    """Positive-class probabilities of each method on the test rows."""
    out, seconds = {}, {}
    start = time.perf_counter()
    shift = make_pipeline(StandardScaler(), estimator(seed)).fit(X_train, y_train)
    out["shift"] = shift.predict_proba(X_test)[:, 1]
    seconds["shift"] = time.perf_counter() - start

    start = time.perf_counter()
    calibrated = make_pipeline(StandardScaler(), estimator(seed, calibration="temperature"))
    calibrated.fit(X_train, y_train)
    out[REFERENCE] = calibrated.predict_proba(X_test)[:, 1]
    seconds[REFERENCE] = time.perf_counter() - start
    # The same network without the temperature: recover its logits from
    # the decision function (z / T - shift - logit(threshold)).
    clf = calibrated[-1]
    z = calibrated.decision_function(X_test) + logit(clf.threshold_) + clf.prior_shift_
    out["split+shift"] = expit(z * clf.temperature_ - clf.prior_shift_)
    seconds["split+shift"] = seconds[REFERENCE]

    start = time.perf_counter()
    platt = make_pipeline(StandardScaler(), estimator(seed, calibration="sigmoid"))
    out["sigmoid+shift"] = platt.fit(X_train, y_train).predict_proba(X_test)[:, 1]
    seconds["sigmoid+shift"] = time.perf_counter() - start

    start = time.perf_counter()
    sigmoid = CalibratedClassifierCV(
        make_pipeline(StandardScaler(), estimator(seed)), method="sigmoid", cv=3
    ).fit(X_train, y_train)
    out["sigmoid_cv"] = sigmoid.predict_proba(X_test)[:, 1]
    seconds["sigmoid_cv"] = time.perf_counter() - start
    return out, seconds, clf.temperature_


def run(plan, quick):
    rows = []
    for name, (loader, n_folds, n_repeats) in plan.items():
        X, y = loader()
        X, y = np.asarray(X, dtype=np.float64), np.asarray(y).astype(np.int64)
        if quick:
            n_folds, n_repeats = 3, 1
        cv = RepeatedStratifiedKFold(n_splits=n_folds, n_repeats=n_repeats, random_state=0)
        for fold, (train, test) in enumerate(cv.split(X, y)):
            started = time.perf_counter()
            probabilities, seconds, temperature = fold_probabilities(
                X[train], y[train], X[test], seed=fold
            )
            rate = y[test].mean()
            for method, p in probabilities.items():
                rows.append(
                    {
                        "dataset": name,
                        "fold": fold,
                        "method": method,
                        "rate": rate,
                        "mean_proba": p.mean(),
                        "gap": p.mean() - rate,
                        "brier": brier_score_loss(y[test], p),
                        "log_loss": log_loss(y[test], np.clip(p, 1e-15, 1 - 1e-15)),
                        "average_precision": average_precision_score(y[test], p),
                        "temperature": temperature if method == REFERENCE else np.nan,
                        "fit_seconds": seconds[method],
                    }
                )
            print(
                f"{name} fold {fold}: T={temperature:.2f} ({time.perf_counter() - started:.1f} s)",
                flush=True,
            )
    return pd.DataFrame(rows)


def paired(table, metric, method, reference=REFERENCE):
    """Mean and 95 % t-interval of ``method - reference`` over folds."""
    wide = table.pivot_table(index="fold", columns="method", values=metric)
    diff = (wide[method] - wide[reference]).to_numpy()
    mean = diff.mean()
    if len(diff) < 2:
        return mean, np.nan, np.nan
    half = stats.t.ppf(0.975, len(diff) - 1) * diff.std(ddof=1) / np.sqrt(len(diff))
    return mean, mean - half, mean + half


def report(table, minutes, quick):
    lines = [
        "# Calibration of imbbce's probabilities",
        "",
        f"Generated by `benchmarks/calibration.py{' --quick' if quick else ''}` on "
        f"{datetime.date.today()} ({platform.processor() or platform.machine()}, one torch "
        f"thread; {minutes:.1f} min). Each method sees the same folds; every imbbce "
        "estimator has `prior_correction=True` and the default network and epochs.",
        "",
        "- `shift`: `prior_correction=True` alone (`early_stopping='auto'`).",
        "- `split+shift`: the network of `temperature+shift`, without the temperature.",
        "- `temperature+shift`: `calibration='temperature', prior_correction=True`.",
        "- `sigmoid+shift`: `calibration='sigmoid', prior_correction=True` (same network).",
        "- `sigmoid_cv`: `CalibratedClassifierCV(method='sigmoid', cv=3)` around `shift`.",
        "",
        "`gap` is the mean predicted probability of the test rows minus their positive "
        "rate; lower Brier and log-loss are better. Means over folds.",
        "",
    ]
    for name, part in table.groupby("dataset", sort=False):
        n_folds = part["fold"].nunique()
        lines += [
            f"## {name} (positive rate {part['rate'].mean():.3f}, {n_folds} folds, "
            f"temperature {part['temperature'].mean():.2f})",
            "",
            "| method | gap | mean abs gap | Brier | log-loss | AP | Brier - reference "
            "[95 % CI] | gap - reference [95 % CI] | fit s |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        for method in METHODS:
            rows = part[part["method"] == method]
            if method == REFERENCE:
                brier_diff = gap_diff = "reference"
            else:
                b = paired(part, "brier", method)
                g = paired(part, "gap", method)
                brier_diff = f"{b[0]:+.4f} [{b[1]:+.4f}, {b[2]:+.4f}]"
                gap_diff = f"{g[0]:+.4f} [{g[1]:+.4f}, {g[2]:+.4f}]"
            lines.append(
                f"| {method} | {rows['gap'].mean():+.4f} | {rows['gap'].abs().mean():.4f} "
                f"| {rows['brier'].mean():.4f} | {rows['log_loss'].mean():.4f} "
                f"| {rows['average_precision'].mean():.3f} | {brier_diff} | {gap_diff} "
                f"| {rows['fit_seconds'].mean():.1f} |"
            )
        lines.append("")
    lines += ["## Goals", ""]
    lines += [
        "| data set | method | mean gap within 0.01 | Brier no worse than sigmoid_cv "
        "(CI of sigmoid_cv - method reaches 0 or above) |",
        "|---|---|---|---|",
    ]
    for name, part in table.groupby("dataset", sort=False):
        for method in CALIBRATED:
            gap = part[part["method"] == method]["gap"].mean()
            mean, low, high = paired(part, "brier", "sigmoid_cv", reference=method)
            holds = "yes" if (np.isnan(high) and mean >= 0) or high >= 0 else "no"
            lines.append(
                f"| {name} | {method} | {'yes' if abs(gap) <= 0.01 else 'no'} ({gap:+.4f}) "
                f"| {holds} ({mean:+.4f} [{low:+.4f}, {high:+.4f}]) |"
            )
    lines.append("")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 folds, one repeat")
    parser.add_argument("--out", default=str(Path(__file__).resolve().parent / "results"))
    parser.add_argument("--datasets", nargs="*", default=list(PLAN))
    args = parser.parse_args(argv)
    # Collapse warnings and the split's warnings on small minorities are
    # expected in some folds; they do not change what is measured.
    warnings.simplefilter("ignore", UserWarning)
    start = time.perf_counter()
    table = run({name: PLAN[name] for name in args.datasets}, args.quick)
    minutes = (time.perf_counter() - start) / 60
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    stem = "calibration_quick" if args.quick else "calibration"
    table.to_csv(out / f"{stem}.csv", index=False)
    (out / f"{stem}.md").write_text(report(table, minutes, args.quick))
    print(report(table, minutes, args.quick))


if __name__ == "__main__":
    main()
