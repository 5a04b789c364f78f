"""Quality benchmark: imbbce against the anchors on imbalanced binary data.

Every method is fitted on the same repeated stratified 5-fold splits (one
seed per data set and repeat, shared by all methods), each inside a Pipeline
with ``StandardScaler`` fitted on the training fold only. Per test fold it
records average precision, ROC AUC, balanced accuracy, F1 and recall of the
minority class, the predicted-positive rate and fit seconds, and whether the
method collapsed (predicted no positive in the fold).

Run from the repository root::

    OMP_NUM_THREADS=1 nice -n 10 python benchmarks/quality.py            # full
    OMP_NUM_THREADS=1 nice -n 10 python benchmarks/quality.py --quick    # minutes

It writes ``quality.csv`` (one row per method and fold), ``quality.md`` (mean
± std per data set, the quality goals, the protocol) and ``quality.png``
to ``benchmarks/results/`` (``--out`` changes the folder).
"""

import argparse
import datetime
import itertools
import os
import platform
import sys
import time
import warnings
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

import joblib  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import torch  # noqa: E402
from imblearn.ensemble import BalancedRandomForestClassifier  # noqa: E402
from imblearn.over_sampling import SMOTE  # noqa: E402
from imblearn.pipeline import make_pipeline as make_imb_pipeline  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.metrics import (  # noqa: E402
    average_precision_score,
    balanced_accuracy_score,
    f1_score,
    recall_score,
    roc_auc_score,
)
from sklearn.model_selection import (  # noqa: E402
    GridSearchCV,
    RepeatedStratifiedKFold,
    StratifiedKFold,
)
from sklearn.neural_network import MLPClassifier  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import FunctionTransformer, StandardScaler  # noqa: E402
from skorch import NeuralNetBinaryClassifier  # noqa: E402
from torch import nn  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from datasets import DATASETS, load, load_shared  # noqa: E402

import imbbce  # noqa: E402
from imbbce import BalancedBCEClassifier  # noqa: E402
from imbbce._modules import ACTIVATIONS  # noqa: E402

torch.set_num_threads(1)

RESULTS = Path(__file__).resolve().parent / "results"
NEURAL_ANCHORS = ["skorch_bce", "skorch_pos_weight", "skorch_smote", "sklearn_mlp"]
METRICS = ["average_precision", "roc_auc", "balanced_accuracy", "f1", "recall", "pos_rate"]


# ------------------------------------------------------------------ anchors


#: The neural anchors' network: one MLP of (64, 32), the network a user would write and the
#: one imbbce's defaults trained until 2026-12 (they now train an ensemble of narrower
#: members; ranking.SINGLE_MLP). Kept fixed, so that the anchors' rows stay comparable
#: across runs.
ANCHOR_ARCHITECTURE = {"hidden_layer_sizes": (64, 32), "activation": "relu"}


def _architecture_text():
    """``ANCHOR_ARCHITECTURE`` as the report writes it, e.g. "64-32, relu"."""
    sizes = "-".join(map(str, ANCHOR_ARCHITECTURE["hidden_layer_sizes"]))
    return f"{sizes}, {ANCHOR_ARCHITECTURE['activation']}"


class MLPModule(nn.Module):
    """The anchors' MLP (``ANCHOR_ARCHITECTURE``), one logit out, for skorch."""

    def __init__(self, n_features, hidden=ANCHOR_ARCHITECTURE["hidden_layer_sizes"]):
        super().__init__()
        layers, width = [], n_features
        for h in hidden:
            layers += [nn.Linear(width, h), ACTIVATIONS[ANCHOR_ARCHITECTURE["activation"]]()]
            width = h
        layers.append(nn.Linear(width, 1))
        self.net = nn.Sequential(*layers)

    def forward(self, X):
        return self.net(X).squeeze(-1)


class Float32NetBinaryClassifier(NeuralNetBinaryClassifier):
    """skorch's binary classifier, fed float32 X and y.

    It crashes on int64 targets, so ``fit`` casts them; ``X`` is cast by a
    ``FunctionTransformer`` in front of it. Otherwise plain skorch.
    """

    def fit(self, X, y=None, **fit_params):
        return super().fit(X, np.asarray(y, dtype=np.float32), **fit_params)


def _to_float32(X):
    return np.asarray(X, dtype=np.float32)


def skorch_net(n_features, epochs, seed, pos_weight=None):
    params = {}
    if pos_weight is not None:
        params["criterion__pos_weight"] = torch.tensor(pos_weight, dtype=torch.float32)
    return Float32NetBinaryClassifier(
        MLPModule,
        module__n_features=n_features,
        optimizer=torch.optim.Adam,
        lr=1e-3,
        batch_size=256,
        max_epochs=epochs,
        iterator_train__shuffle=True,
        train_split=None,  # no internal split: train on the whole training fold
        verbose=0,
        **params,
    )


def make_method(name, X_train, y_train, seed, epochs):
    """A fresh estimator for method ``name``, for one training fold."""
    n_features = X_train.shape[1]
    float32 = FunctionTransformer(_to_float32)
    if name == "skorch_bce":
        return make_pipeline(StandardScaler(), float32, skorch_net(n_features, epochs, seed))
    if name == "skorch_pos_weight":
        n_pos = int(y_train.sum())
        pos_weight = (len(y_train) - n_pos) / n_pos
        return make_pipeline(
            StandardScaler(), float32, skorch_net(n_features, epochs, seed, pos_weight)
        )
    if name == "skorch_smote":
        return make_imb_pipeline(
            StandardScaler(),
            SMOTE(random_state=seed),
            float32,
            skorch_net(n_features, epochs, seed),
        )
    if name == "sklearn_mlp":
        return make_pipeline(
            StandardScaler(),
            MLPClassifier(
                hidden_layer_sizes=ANCHOR_ARCHITECTURE["hidden_layer_sizes"],
                activation=ANCHOR_ARCHITECTURE["activation"],
                learning_rate_init=1e-3,
                batch_size=256,
                max_iter=epochs,
                random_state=seed,
            ),
        )
    if name == "logreg_balanced":
        return make_pipeline(
            StandardScaler(), LogisticRegression(class_weight="balanced", max_iter=1000)
        )
    if name == "lightgbm":
        from lightgbm import LGBMClassifier

        return make_pipeline(
            StandardScaler(),
            LGBMClassifier(is_unbalance=True, random_state=seed, n_jobs=1, verbose=-1),
        )
    if name == "balanced_rf":
        return make_pipeline(
            StandardScaler(),
            BalancedRandomForestClassifier(
                n_estimators=100,
                sampling_strategy="all",
                replacement=True,
                bootstrap=False,
                random_state=seed,
                n_jobs=1,
            ),
        )
    if name == "imbbce_default":
        return make_pipeline(StandardScaler(), BalancedBCEClassifier(random_state=seed))
    if name == "imbbce_tuned":
        return tuned_imbbce(seed)
    raise ValueError(name)


#: The inner search of "imbbce_tuned": the defaults (logit adjustment since 2026-12-04,
#: class weights before) or SMOTE with binary cross-entropy (after SMOTE, class weights
#: "balanced" weighed 1, and logit adjustment would shift by nothing), the two families
#: that the benchmark's ranking and decisions split between (see
#: benchmarks/results/findings.md). Two candidates and two inner folds, so that the full
#: run fits its time budget. Left out at 100 epochs: early stopping forced on (with
#: "auto" scoring or on the weighted validation loss), chosen in 7 of 115 outer folds,
#: and 50 epochs without early stopping, chosen in 14 of 115.
TUNED_GRID = [
    {"balancedbceclassifier__early_stopping": ["auto"]},
    {"balancedbceclassifier__sampler": ["smote"], "balancedbceclassifier__loss": ["bce"]},
]
INNER_FOLDS = 2


def tuned_imbbce(seed):
    """imbbce with an inner stratified GridSearchCV (average precision) over TUNED_GRID."""
    return GridSearchCV(
        make_pipeline(StandardScaler(), BalancedBCEClassifier(random_state=seed)),
        TUNED_GRID,
        scoring="average_precision",
        cv=StratifiedKFold(INNER_FOLDS, shuffle=True, random_state=seed),
        n_jobs=1,
        error_score="raise",
    )


# ------------------------------------------------------------------ protocol


def evaluate(name, X, y, train, test, seed, epochs):
    estimator = make_method(name, X[train], y[train], seed, epochs)
    torch.manual_seed(seed)
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", imbbce.MajorityCollapseWarning)
        warnings.simplefilter("ignore", UserWarning)
        estimator.fit(X[train], y[train])
    fit_s = time.perf_counter() - start
    proba = estimator.predict_proba(X[test])[:, 1]
    predicted = np.asarray(estimator.predict(X[test])).astype(np.int64)
    y_test = y[test]
    row = {
        "average_precision": average_precision_score(y_test, proba),
        "roc_auc": roc_auc_score(y_test, proba),
        "balanced_accuracy": balanced_accuracy_score(y_test, predicted),
        "f1": f1_score(y_test, predicted, zero_division=0.0),
        "recall": recall_score(y_test, predicted, zero_division=0.0),
        "pos_rate": float(predicted.mean()),
        "collapsed": int(predicted.sum() == 0),
        "fit_s": fit_s,
    }
    fitted = getattr(estimator, "best_estimator_", estimator)
    last = fitted[-1] if hasattr(fitted, "steps") else fitted
    row["epochs_run"] = getattr(last, "n_iter_", np.nan)
    row["best_epoch"] = getattr(last, "best_epoch_", np.nan)
    if hasattr(estimator, "best_params_"):
        row["chosen"] = ";".join(
            f"{k.split('__')[-1]}={v}" for k, v in sorted(estimator.best_params_.items())
        )
    return row


def _task(dataset, split_id, train, test, method, epochs, seed):
    """One method on one test fold (run in a worker process)."""
    torch.set_num_threads(1)
    X, y = load_shared(dataset)  # the task carries only indices; fits see copies
    repeat, fold = divmod(split_id, 5)
    fold_seed = seed * 1000 + split_id
    row = {"dataset": dataset, "repeat": repeat, "fold": fold, "method": method, "seed": fold_seed}
    row.update(evaluate(method, X, y, train, test, fold_seed, epochs))
    print(
        f"{dataset:15s} r{repeat} f{fold} {method:18s} "
        f"AP={row['average_precision']:.3f} BA={row['balanced_accuracy']:.3f} "
        f"rec={row['recall']:.2f} {row['fit_s']:6.1f}s",
        flush=True,
    )
    return row


def run(datasets, methods, repeats, epochs, csv_path, seed=0, n_jobs=2):
    """Every method on every fold, ``n_jobs`` fits at a time (one torch thread each).

    With one core per process the fits do not slow each other down beyond
    what they share (memory bandwidth, caches); fit seconds are measured
    inside each process.
    """
    tasks = []
    n_rows = {}
    for dataset in datasets:
        X, y = load(dataset)
        n_rows[dataset] = len(y)
        cv = RepeatedStratifiedKFold(n_splits=5, n_repeats=repeats[dataset], random_state=seed)
        for split_id, (train, test) in enumerate(cv.split(X, y)):
            tasks += [(dataset, split_id, train, test, m, epochs, seed) for m in methods]
    # The data sets with the most rows (the longest fits) go first, so that the
    # last fits to finish are short ones and neither worker idles long at the
    # end; each task carries its own seed, so the order changes no result.
    tasks.sort(key=lambda task: -n_rows[task[0]])
    rows = []
    parallel = joblib.Parallel(n_jobs=n_jobs, batch_size=1, return_as="generator")
    for row in parallel(joblib.delayed(_task)(*task) for task in tasks):
        rows.append(row)
        if len(rows) % 20 == 0:  # partial results survive an interrupted run
            pd.DataFrame(rows).to_csv(csv_path, index=False)
    df = pd.DataFrame(rows)
    # Back to the order the data sets and methods were given in, for the reports.
    dataset_rank = df["dataset"].map({d: i for i, d in enumerate(datasets)})
    method_rank = df["method"].map({m: i for i, m in enumerate(methods)})
    order = np.lexsort((method_rank, df["fold"], df["repeat"], dataset_rank))
    return df.iloc[order].reset_index(drop=True)


# ------------------------------------------------------------------ reports


def summarise(df):
    grouped = df.groupby(["dataset", "method"], sort=False)
    mean = grouped[METRICS + ["fit_s"]].mean()
    std = grouped[METRICS + ["fit_s"]].std(ddof=0)
    collapses = grouped["collapsed"].sum()
    recall_zero = grouped["recall"].apply(lambda r: int((r == 0).sum()))
    folds = grouped.size()
    return mean, std, collapses, recall_zero, folds


def goals(df, mean, recall_zero):
    lines = []
    datasets = list(dict.fromkeys(df["dataset"]))
    methods = list(dict.fromkeys(df["method"]))
    if "imbbce_default" in methods:
        zero = {d: int(recall_zero.get((d, "imbbce_default"), 0)) for d in datasets}
        total = sum(zero.values())
        verdict = "HOLDS" if total == 0 else "FAILS"
        lines.append(
            f"**Goal 1** (imbbce defaults: minority recall > 0 in every test fold): {verdict}; "
            f"folds with recall 0: {total} "
            f"({', '.join(f'{d}: {n}' for d, n in zero.items())})."
        )
        anchors = [m for m in NEURAL_ANCHORS if m in methods]
        if anchors:
            lines.append("")
            lines.append(
                "**Goal 2** (imbbce defaults within 0.01 of the best neural anchor in mean "
                "balanced accuracy and mean average precision, on every data set):"
            )
            lines.append("")
            lines.append(
                "| data set | BA imbbce | best anchor BA | gap | AP imbbce | "
                "best anchor AP | gap | holds |"
            )
            lines.append("|---|---|---|---|---|---|---|---|")
            all_hold = True
            for d in datasets:
                m = mean.loc[d]
                ba, ap = (
                    m.loc["imbbce_default", "balanced_accuracy"],
                    m.loc["imbbce_default", "average_precision"],
                )
                best_ba = m.loc[anchors, "balanced_accuracy"].max()
                best_ap = m.loc[anchors, "average_precision"].max()
                who_ba = m.loc[anchors, "balanced_accuracy"].idxmax()
                who_ap = m.loc[anchors, "average_precision"].idxmax()
                ok = ba >= best_ba - 0.01 and ap >= best_ap - 0.01
                all_hold &= ok
                lines.append(
                    f"| {d} | {ba:.3f} | {best_ba:.3f} ({who_ba}) | {ba - best_ba:+.3f} | "
                    f"{ap:.3f} | {best_ap:.3f} ({who_ap}) | {ap - best_ap:+.3f} | "
                    f"{'yes' if ok else 'NO'} |"
                )
            lines.append("")
            lines.append(f"Goal 2 {'HOLDS' if all_hold else 'FAILS'} on this run.")
    ap = mean["average_precision"].unstack("method")[methods]
    ranks = ap.rank(axis=1, ascending=False, method="average")
    mean_rank = ranks.mean().sort_values()
    lines.append("")
    lines.append(
        "**Goal 3** (stretch: tuned imbbce has the best mean rank in average precision): "
        + (
            (
                "HOLDS"
                if mean_rank.index[0] == "imbbce_tuned"
                else f"does NOT hold (best: {mean_rank.index[0]})"
            )
            if "imbbce_tuned" in methods
            else "not run"
        )
        + ". Mean rank of mean AP across data sets (1 = best):"
    )
    lines.append("")
    lines.append("| method | mean AP rank | " + " | ".join(ranks.index) + " |")
    lines.append("|---|---|" + "---|" * len(ranks.index))
    for method, r in mean_rank.items():
        per = " | ".join(f"{ranks.loc[d, method]:.1f}" for d in ranks.index)
        lines.append(f"| {method} | {r:.2f} | {per} |")
    return lines


def markdown(df, args, elapsed):
    mean, std, collapses, recall_zero, folds = summarise(df)
    datasets = list(dict.fromkeys(df["dataset"]))
    lines = [
        f"# imbbce quality benchmark{' (QUICK run: a subset)' if args.quick else ''}",
        "",
        f"Run {datetime.datetime.now().strftime('%Y-%m-%d %H:%M')} on "
        f"{args.machine}; Python {platform.python_version()}, torch {torch.__version__}, "
        f"{_versions()}; {elapsed / 60:.1f} minutes"
        + (
            " of fitting, summed over the merged runs."
            if args.from_csv
            else f" of wall time, {args.n_jobs} fits in parallel (one torch thread each)."
        ),
        "",
        f"Command: `{args.command}`",
        "",
    ]
    if args.quick:
        lines += [
            "A check that the protocol runs, not a verdict: one repeat of 5-fold CV per data "
            "set, where per-fold balanced accuracy has a standard deviation of about 0.08 on "
            "abalone19, far more than the 0.01 that goal 2 allows. The goals are judged on "
            "the full run (`python benchmarks/quality.py`), whose repeats are set for that.",
            "",
        ]
    lines += [
        "## What was compared, and how",
        "",
        "- Every method saw the same splits: `RepeatedStratifiedKFold(n_splits=5, "
        "n_repeats=R, random_state=0)` per data set (R below); fold k of repeat r "
        "gives every method the seed `5 * r + k` (skorch: `torch.manual_seed`; "
        "others: `random_state`).",
        "- Every method is a Pipeline with `StandardScaler` fitted on the training fold.",
        "- Neural anchors: one MLP, the network a user would write and imbbce's "
        f"default until 2026-12 ({_architecture_text()}, Adam, lr 1e-3, batch 256), for "
        f"{args.epochs} epochs "
        "without early stopping; skorch "
        "`NeuralNetBinaryClassifier` with `iterator_train__shuffle=True`, "
        "`train_split=None`, float32 X and y: plain BCE (`skorch_bce`), with "
        "`criterion__pos_weight = n_neg / n_pos` of the training fold "
        "(`skorch_pos_weight`), and after SMOTE in an imbalanced-learn Pipeline "
        "(`skorch_smote`); scikit-learn `MLPClassifier` with the same architecture, "
        "lr, batch and `max_iter` (its own loss-based stopping otherwise default).",
        "- Other anchors: `LogisticRegression(class_weight='balanced')`, LightGBM "
        "`LGBMClassifier(is_unbalance=True)` (defaults otherwise), imbalanced-learn "
        "`BalancedRandomForestClassifier(n_estimators=100, sampling_strategy='all', "
        "replacement=True, bootstrap=False)`.",
        "- `imbbce_default`: `BalancedBCEClassifier(random_state=seed)`, nothing else set.",
        "- `imbbce_tuned`: `GridSearchCV` (average precision, inner stratified "
        f"{INNER_FOLDS}-fold, nested in each outer training fold) over {_grid_text()}.",
        "- Labels come from each method's `predict` (threshold 0.5 on its probability; "
        "imbbce's default threshold is 0.5 too); AP and ROC AUC from `predict_proba`.",
        "- Metrics per test fold, then mean ± std over folds and repeats. *collapsed*: "
        "folds where the method predicted no positive; *recall 0*: folds where it found "
        "no minority row.",
        "",
        "| data set | rows | features | positives | share | repeats |",
        "|---|---|---|---|---|---|",
    ]
    for d in datasets:
        X, y = load(d)
        lines.append(
            f"| {d} | {len(y)} | {X.shape[1]} | {int(y.sum())} | {y.mean():.2%} | "
            f"{int(df[df.dataset == d]['repeat'].max()) + 1} |"
        )
    lines += ["", "## Quality goals", ""]
    lines += goals(df, mean, recall_zero)
    lines += ["", "## Results per data set (mean ± std over test folds)", ""]
    cols = ["average_precision", "roc_auc", "balanced_accuracy", "f1", "recall", "pos_rate"]
    heads = ["AP", "ROC AUC", "bal. acc.", "F1", "recall", "pos. rate"]
    for d in datasets:
        lines += [f"### {d}", ""]
        lines.append(
            "| method | " + " | ".join(heads) + " | fit s | collapsed | recall 0 | folds |"
        )
        lines.append("|---|" + "---|" * (len(heads) + 4))
        order = mean.loc[d]["average_precision"].sort_values(ascending=False).index
        for m in order:
            cells = [f"{mean.loc[(d, m), c]:.3f} ± {std.loc[(d, m), c]:.3f}" for c in cols]
            lines.append(
                f"| {m} | "
                + " | ".join(cells)
                + f" | {mean.loc[(d, m), 'fit_s']:.1f} | {int(collapses[(d, m)])} | "
                f"{int(recall_zero[(d, m)])} | {int(folds[(d, m)])} |"
            )
        lines.append("")
    if "chosen" in df:
        chosen = df.dropna(subset=["chosen"]).groupby("dataset", sort=False)["chosen"]
        lines += ["## What the inner search of imbbce_tuned chose", ""]
        for d, c in chosen:
            counts = c.value_counts()
            lines.append(f"- {d}: " + ", ".join(f"{k} ({n}x)" for k, n in counts.items()))
        lines.append("")
    if "best_epoch" in df:
        ep = df[df.method == "imbbce_default"].groupby("dataset", sort=False)
        if len(ep):
            lines += ["## imbbce_default: epochs run and epoch restored (mean, min-max)", ""]
            for d, g in ep:
                # Read back from a CSV (--from-csv) the column is text, since
                # LogisticRegression's n_iter_ is an array: "[29]" in its rows.
                g = g.assign(epochs_run=pd.to_numeric(g.epochs_run))
                lines.append(
                    f"- {d}: ran {g.epochs_run.mean():.0f} ({g.epochs_run.min():.0f}-"
                    f"{g.epochs_run.max():.0f}), restored {g.best_epoch.mean():.0f} "
                    f"({g.best_epoch.min():.0f}-{g.best_epoch.max():.0f})"
                )
            lines.append("")
    return "\n".join(lines) + "\n"


def _grid_text():
    candidates = []
    for grid in TUNED_GRID:
        keys = sorted(grid)
        for values in itertools.product(*(grid[k] for k in keys)):
            candidates.append(
                "{" + ", ".join(f"{k.split('__')[-1]}={v!r}" for k, v in zip(keys, values)) + "}"
            )
    return "these candidates: " + "; ".join(candidates)


def _versions():
    import imblearn
    import sklearn
    import skorch

    out = [f"scikit-learn {sklearn.__version__}", f"imbalanced-learn {imblearn.__version__}"]
    out.append(f"skorch {skorch.__version__}")
    try:
        import lightgbm

        out.append(f"lightgbm {lightgbm.__version__}")
    except ImportError:
        pass
    out.append(f"imbbce {imbbce.__version__}")
    return ", ".join(out)


def figure(df, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    mean, std, *_ = summarise(df)
    datasets = list(dict.fromkeys(df["dataset"]))
    methods = list(dict.fromkeys(df["method"]))
    fig, axes = plt.subplots(1, 2, figsize=(13, 0.9 + 0.45 * len(datasets) * 2), sharey=True)
    y_base = np.arange(len(datasets))
    offsets = np.linspace(-0.38, 0.38, len(methods))
    colors = plt.get_cmap("tab10")
    for ax, metric, title in zip(
        axes,
        ["average_precision", "balanced_accuracy"],
        ["average precision", "balanced accuracy (predict)"],
    ):
        for i, m in enumerate(methods):
            mu = [mean.loc[(d, m), metric] for d in datasets]
            sd = [std.loc[(d, m), metric] for d in datasets]
            imb = m.startswith("imbbce")
            ax.errorbar(
                mu,
                y_base + offsets[i],
                xerr=sd,
                fmt="D" if imb else "o",
                ms=6 if imb else 4,
                color=colors(i % 10),
                label=m,
                capsize=2,
                lw=1,
            )
        ax.set_title(f"{title}, mean ± std over folds")
        ax.set_xlim(0, 1.02)
        ax.grid(axis="x", alpha=0.3)
    axes[0].set_yticks(y_base, datasets)
    axes[0].invert_yaxis()
    axes[1].legend(loc="lower left", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


# ------------------------------------------------------------------ main

ALL_METHODS = [
    "skorch_bce",
    "skorch_pos_weight",
    "skorch_smote",
    "sklearn_mlp",
    "logreg_balanced",
    "lightgbm",
    "balanced_rf",
    "imbbce_default",
    "imbbce_tuned",
]
#: Repeats of 5-fold CV per data set in the full run. The rare-positive sets get more:
#: abalone19's test folds hold 6 minority rows each and its per-fold balanced accuracy
#: varies by about 0.08, so 20 folds left a standard error of about 0.015 in the
#: difference of two methods' means, more than the 0.01 that goal 2 allows; 50 folds
#: bring it near 0.01. digits_8 and page_blocks0 had 5 folds and missed goal 2 by 0.001
#: in an early run, with per-fold deviations of 0.02: 10 folds each (15 until the
#: default became 100 epochs: that run took 30.6 minutes, and on the first 10 of the 15
#: folds their largest goal-2 gap was 0.003 against 0.004 on all 15). The whole run
#: stays under its budget of 30 minutes on 2 cores.
FULL_REPEATS = {
    "digits_8": 2,
    "breast_cancer": 2,
    "page_blocks0": 2,
    "yeast4": 4,
    "abalone19": 10,
    "synthetic_1pct": 1,
}
#: Epochs of the neural anchors: their MLP, Adam and batch, without early stopping; the
#: same as imbbce's default ``max_iter`` ("same epochs" in the quality goals).
ANCHOR_EPOCHS = BalancedBCEClassifier().max_iter
QUICK_DATASETS = ["breast_cancer", "yeast4", "abalone19"]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a subset, in a few minutes")
    parser.add_argument("--datasets", nargs="+", choices=list(DATASETS))
    parser.add_argument("--methods", nargs="+", choices=ALL_METHODS)
    parser.add_argument("--repeats", type=int, help="repeats of 5-fold CV for every data set")
    parser.add_argument(
        "--epochs", type=int, default=ANCHOR_EPOCHS, help="epochs of the neural anchors"
    )
    parser.add_argument(
        "--from-csv",
        nargs="+",
        type=Path,
        help="no fitting: report on these CSVs of earlier runs (same splits and seeds)",
    )
    parser.add_argument(
        "--n-jobs", type=int, default=2, help="fits in parallel, one torch thread each"
    )
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--tag", default="quality", help="file name stem of the outputs")
    parser.add_argument(
        "--machine", default="2 CPU cores shared, CPU only, torch threads 1", help="for the report"
    )
    args = parser.parse_args(argv)
    given = sys.argv[1:] if argv is None else argv
    args.command = "python benchmarks/quality.py " + " ".join(given)
    datasets = args.datasets or (QUICK_DATASETS if args.quick else list(DATASETS))
    methods = args.methods or (
        [m for m in ALL_METHODS if m != "imbbce_tuned"] if args.quick else ALL_METHODS
    )
    if args.repeats is not None:
        repeats = dict.fromkeys(datasets, args.repeats)
    elif args.quick:
        repeats = dict.fromkeys(datasets, 1)
    else:
        repeats = FULL_REPEATS
    args.out.mkdir(parents=True, exist_ok=True)
    csv_path = args.out / f"{args.tag}.csv"
    start = time.perf_counter()
    if args.from_csv:
        df = pd.concat([pd.read_csv(p) for p in args.from_csv], ignore_index=True)
        elapsed = df["fit_s"].sum()
    else:
        df = run(datasets, methods, repeats, args.epochs, csv_path, n_jobs=args.n_jobs)
        elapsed = time.perf_counter() - start
    df.to_csv(csv_path, index=False)
    (args.out / f"{args.tag}.md").write_text(markdown(df, args, elapsed))
    figure(df, args.out / f"{args.tag}.png")
    print(f"wrote {csv_path}, {args.tag}.md and {args.tag}.png in {args.out} ({elapsed:.0f} s)")


if __name__ == "__main__":
    main()
