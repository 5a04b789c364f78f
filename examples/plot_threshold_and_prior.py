"""
Decision thresholds, prior correction and calibration
=====================================================

Training decides how a network *ranks* rows. Two further choices decide what
it *says*: the threshold that turns probabilities into labels, and whether
the probabilities estimate the real rate of positives. This example trains
:class:`~imbbce.BalancedBCEClassifier` with its defaults on handwritten
digits ("8" against the other digits) and compares:

* the default threshold of 0.5;
* ``threshold="auto"``: the threshold that maximises F1 on the validation split;
* scikit-learn's :class:`~sklearn.model_selection.TunedThresholdClassifierCV`,
  which chooses it by cross-validation;
* ``prior_correction=True``, which undoes the shift that the default logit
  adjustment (or class weights, or a sampler) puts into the probabilities;
* scikit-learn's :class:`~sklearn.calibration.CalibratedClassifierCV`.

Look at the first figure for where each threshold sits on the
precision–recall curve, and at the second for how close each model's
probabilities come to the observed rate of positives.
"""

# %%
# The data
# --------
# scikit-learn's digits, "8" as the positive class: about 10 % of the rows.
import matplotlib.pyplot as plt
import pandas as pd
from sklearn.calibration import CalibratedClassifierCV, CalibrationDisplay
from sklearn.datasets import load_digits
from sklearn.metrics import (
    PrecisionRecallDisplay,
    average_precision_score,
    brier_score_loss,
    f1_score,
    precision_score,
    recall_score,
)
from sklearn.model_selection import TunedThresholdClassifierCV, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from imbbce import BalancedBCEClassifier

X, digit = load_digits(return_X_y=True)
y = (digit == 8).astype(int)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.4, stratify=y, random_state=0)
print(f"test rows: {len(y_test)}, positives: {y_test.sum()} ({y_test.mean():.1%})")


def network(**params):
    """Scaled pixels into a network with the default logit adjustment."""
    return make_pipeline(
        StandardScaler(), BalancedBCEClassifier(max_iter=100, random_state=0, **params)
    )


# %%
# The models
# ----------
# ``TunedThresholdClassifierCV`` and ``CalibratedClassifierCV`` refit the
# network on 3 folds each; the others fit once.
models = {
    "threshold 0.5": network(),
    'threshold="auto"': network(threshold="auto"),
    "TunedThresholdClassifierCV": TunedThresholdClassifierCV(network(), scoring="f1", cv=3),
    "prior_correction": network(prior_correction=True),
    "CalibratedClassifierCV": CalibratedClassifierCV(network(), method="sigmoid", cv=3),
}
for model in models.values():
    model.fit(X_train, y_train)


def threshold_of(model):
    if isinstance(model, TunedThresholdClassifierCV):
        return model.best_threshold_
    if isinstance(model, CalibratedClassifierCV):
        return 0.5
    return model[-1].threshold_


rows = {}
for name, model in models.items():
    predicted = model.predict(X_test)
    proba = model.predict_proba(X_test)[:, 1]
    rows[name] = {
        "threshold": threshold_of(model),
        "precision": precision_score(y_test, predicted),
        "recall": recall_score(y_test, predicted),
        "F1": f1_score(y_test, predicted),
        "average precision": average_precision_score(y_test, proba),
        "mean P(positive)": proba.mean(),
        "Brier score": brier_score_loss(y_test, proba),
    }
results = pd.DataFrame(rows).T
results.round(3)

# %%
# In the table: "threshold 0.5" and ``prior_correction`` are the same network
# (same ``random_state``, all training rows), so their average precision is
# the same — prior correction changes decisions and probabilities, not the
# ranking. ``threshold="auto"`` needs a validation split, so its network is
# trained on the other 90 % of the rows (it does not stop early on a split of
# about ten positives): a different network, whose average precision differs
# slightly. It chooses its threshold on that
# split alone, about ten positives, so the F1 it maximises there is a noisy
# estimate, and its choice may do worse on the test set than 0.5.
# ``TunedThresholdClassifierCV`` chooses on three folds' held-out rows and is
# the steadier of the two. Compare "mean
# P(positive)" with the rate printed above, and the Brier score (lower is
# better), to see which probabilities are calibrated.

# %%
# Thresholds on the precision–recall curve
# ----------------------------------------
# The curve is the default network's, drawn by scikit-learn's
# :class:`~sklearn.metrics.PrecisionRecallDisplay`; each marker is the
# precision and recall of one model's ``predict`` on the test set.
fig, ax = plt.subplots(figsize=(6.5, 5.5), layout="constrained")
PrecisionRecallDisplay.from_estimator(
    models["threshold 0.5"], X_test, y_test, name="network", ax=ax, plot_chance_level=True
)
markers = iter("osD^v")
for name, row in results.iterrows():
    ax.plot(row["recall"], row["precision"], next(markers), markersize=9, label=name)
ax.legend(loc="lower left", fontsize="small")
ax.set_title("Where each model decides")
plt.show()

# %%
# What to look at: the markers of "threshold 0.5" and ``prior_correction``
# lie on the curve, which is their network's; the other models are networks of
# their own and lie near it. Moving the threshold slides along a curve,
# trading recall for precision. Prior
# correction with the threshold left at 0.5 slides towards precision: its
# probabilities are smaller, so fewer rows cross 0.5.

# %%
# Calibration
# -----------
# scikit-learn's :class:`~sklearn.calibration.CalibrationDisplay` bins the
# test rows by predicted probability and plots the observed rate of positives
# in each bin. Calibrated probabilities lie on the diagonal.
fig, ax = plt.subplots(figsize=(6.5, 5.5), layout="constrained")
for name in ["threshold 0.5", "prior_correction", "CalibratedClassifierCV"]:
    CalibrationDisplay.from_estimator(
        models[name], X_test, y_test, n_bins=5, strategy="quantile", name=name, ax=ax
    )
ax.set_title("Predicted probability against observed rate")
plt.show()

# %%
# What to look at: points below the diagonal mean the model overstates the
# positives, points above it that it understates them. A loss that balances
# the classes moves the logits by a constant, which prior correction removes;
# but the digits are well separated, and after 100 epochs the network is so
# confident that its probabilities already match the rate of positives
# (compare "mean P(positive)" in the table with the rate printed at the top),
# so here prior correction understates them. On noisier data the balanced
# logits overstate the minority and prior correction brings them back (the
# user guide's page on saving and deploying measures how close it and the
# ``calibration`` options come to the real rate).
# ``CalibratedClassifierCV`` fits a calibration map on held-out folds (here
# each of its three networks sees two thirds of the training rows, which can
# cost ranking quality); ``calibration="sigmoid"`` fits one on the
# estimator's validation split. Most rows sit in the extreme bins; with about
# 70 positives in the test set, each bin holds few of them and the points
# are noisy.
