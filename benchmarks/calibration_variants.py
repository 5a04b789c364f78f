"""How to fit the temperature: variants compared on the same networks.

Fits ``BalancedBCEClassifier(prior_correction=True, calibration="temperature")``
once per fold (stratified 5-fold, inside a ``StandardScaler``), takes the
network's logits on its validation split (rebuilt from the seeds ``fit``
draws) and on the test fold, and scores several ways to turn the logits into
probabilities, all with the prior shift ``prior_shift_`` taken off:

- ``none``: no temperature (``expit(z - shift)``);
- ``mle``: the temperature of least validation log-loss;
- ``platt_labels``: the same with Platt's smoothed labels
  (``(n1 + 1) / (n1 + 2)`` and ``1 / (n0 + 2)``);
- ``prior_1``, ``prior_0.5``: a normal prior on ``log T`` with standard
  deviation 1 or 0.5 (the maximum a posteriori temperature; imbbce uses 0.5);
- ``platt_split``: Platt scaling, a scale and an offset fitted by logistic
  regression on the validation logits (no shift: the offset replaces it);
- ``shift_then_T``: the prior shift taken off before the temperature,
  ``expit((z - shift) / T)`` (prior 0.5 on ``log T``);
- ``sigmoid_0.25`` ... ``sigmoid_2``: a regularised Platt scaling around
  the prior shift, ``expit(z / T + offset - shift)``, with the prior of
  ``prior_0.5`` on ``log T`` and a normal prior of standard deviation
  0.25, 0.5, 1 or 2 on ``offset`` (``imbbce._calibration.fit_sigmoid``).

Per data set, over stratified 5-fold CV repeated twice: the mean over folds
of the test gap (mean probability minus the positive rate), Brier score and
log-loss, the paired difference of Brier score and gap against ``prior_0.5``
(what ``calibration="temperature"`` does) with a 95 % t-interval over folds,
and the median and range of the fitted scale. Run from the repository root
(a few minutes on one core)::

    OMP_NUM_THREADS=1 nice -n 10 python benchmarks/calibration_variants.py

It writes ``benchmarks/results/calibration_variants.md``.
"""

import os
import sys
import warnings
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import torch  # noqa: E402
from scipy import stats  # noqa: E402
from scipy.optimize import minimize_scalar  # noqa: E402
from scipy.special import expit, log_expit  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.metrics import brier_score_loss, log_loss  # noqa: E402
from sklearn.model_selection import RepeatedStratifiedKFold  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from calibration import PLAN  # noqa: E402

from imbbce import BalancedBCEClassifier  # noqa: E402
from imbbce._calibration import fit_sigmoid  # noqa: E402
from imbbce._classifier import Seeds  # noqa: E402
from imbbce._inference import predict_logits  # noqa: E402
from imbbce._split import validation_split  # noqa: E402

torch.set_num_threads(1)

VARIANTS = [
    "none",
    "mle",
    "platt_labels",
    "prior_1",
    "prior_0.5",
    "platt_split",
    "shift_then_T",
    "sigmoid_0.25",
    "sigmoid_0.5",
    "sigmoid_1",
    "sigmoid_2",
]
REFERENCE = "prior_0.5"


def temperature(z, y, shift, targets="labels", prior_std=None):
    """The temperature of least validation log-loss, under the given options."""
    if targets == "platt":
        n1, n0 = (y == 1).sum(), (y == 0).sum()
        t = np.where(y == 1, (n1 + 1) / (n1 + 2), 1 / (n0 + 2))
    else:
        t = y.astype(float)

    def objective(u):
        m = z * np.exp(-u) - shift
        value = -np.sum(t * log_expit(m) + (1 - t) * log_expit(-m))
        return value if prior_std is None else value + u**2 / (2 * prior_std**2)

    bounds = (np.log(0.01), np.log(100.0))
    return float(np.exp(minimize_scalar(objective, bounds=bounds, method="bounded").x))


def probabilities(variant, zv, yv, zt, shift):
    """Test probabilities of ``variant`` and its fitted scale."""
    if variant == "platt_split":
        model = LogisticRegression(C=1e6).fit(zv[:, None], yv)
        return model.predict_proba(zt[:, None])[:, 1], float(model.coef_[0, 0])
    if variant == "shift_then_T":
        T = temperature(zv - shift, yv, 0.0, prior_std=0.5)
        return expit((zt - shift) / T), T
    if variant.startswith("sigmoid_"):
        T, offset = fit_sigmoid(zv, yv, shift, offset_prior_std=float(variant.split("_")[1]))
        return expit(zt / T + offset - shift), T
    options = {
        "none": None,
        "mle": {},
        "platt_labels": {"targets": "platt"},
        "prior_1": {"prior_std": 1.0},
        "prior_0.5": {"prior_std": 0.5},
    }[variant]
    T = 1.0 if options is None else temperature(zv, yv, shift, **options)
    return expit(zt / T - shift), T


def paired(diff):
    """Mean of paired differences over folds and its 95 % t-interval."""
    if not diff.any():
        return "reference"
    half = stats.t.ppf(0.975, len(diff) - 1) * diff.std(ddof=1) / np.sqrt(len(diff))
    return f"{diff.mean():+.4f} [{diff.mean() - half:+.4f}, {diff.mean() + half:+.4f}]"


def main():
    warnings.simplefilter("ignore", UserWarning)
    lines = [
        "# Temperature fitting variants",
        "",
        "Generated by `benchmarks/calibration_variants.py` (stratified 5-fold repeated "
        "twice, one network per fold, all variants on its logits; `prior_0.5` is "
        "`calibration='temperature'`). `scale`: the temperature, or Platt's "
        "coefficient for `platt_split`, median [min, max] over folds.",
        "",
        "| data set | variant | gap | Brier | log-loss | Brier - prior_0.5 [95 % CI] "
        "| gap - prior_0.5 [95 % CI] | scale |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, (loader, _, _) in PLAN.items():
        X, y = loader()
        X, y = np.asarray(X, dtype=np.float64), np.asarray(y).astype(np.int64)
        results = {variant: [] for variant in VARIANTS}
        folds = RepeatedStratifiedKFold(n_splits=5, n_repeats=2, random_state=0).split(X, y)
        for fold, (train, test) in enumerate(folds):
            scaler = StandardScaler().fit(X[train])
            X_train, X_test = scaler.transform(X[train]), scaler.transform(X[test])
            clf = BalancedBCEClassifier(
                prior_correction=True, calibration="temperature", random_state=fold
            ).fit(X_train, y[train])
            _, valid = validation_split(y[train], clf.validation_fraction, Seeds.draw(fold).split)

            def logits(rows, module=clf.net_.module_):
                return predict_logits(module, torch.as_tensor(rows, dtype=torch.float32), "cpu")

            zv, zt = logits(X_train[valid]).astype(float), logits(X_test).astype(float)
            for variant in VARIANTS:
                p, scale = probabilities(variant, zv, y[train][valid], zt, clf.prior_shift_)
                results[variant].append(
                    (
                        p.mean() - y[test].mean(),
                        brier_score_loss(y[test], p),
                        log_loss(y[test], np.clip(p, 1e-15, 1 - 1e-15)),
                        scale,
                    )
                )
            print(name, fold, flush=True)
        reference = np.array(results[REFERENCE])
        for variant, rows in results.items():
            rows = np.array(rows)
            lines.append(
                f"| {name} | {variant} | {rows[:, 0].mean():+.4f} | {rows[:, 1].mean():.4f} "
                f"| {rows[:, 2].mean():.4f} | {paired(rows[:, 1] - reference[:, 1])} "
                f"| {paired(rows[:, 0] - reference[:, 0])} | {np.median(rows[:, 3]):.2f} "
                f"[{rows[:, 3].min():.2f}, {rows[:, 3].max():.2f}] |"
            )
    text = "\n".join(lines) + "\n"
    out = Path(__file__).resolve().parent / "results" / "calibration_variants.md"
    out.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
