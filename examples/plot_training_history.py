"""
Training history and collapse diagnostics
=========================================

A network trained with plain binary cross-entropy on imbalanced data can
reach a low loss while it never predicts the minority class. imbbce says so
at the end of ``fit`` with a :class:`~imbbce.MajorityCollapseWarning`, keeps
the numbers in ``diagnostics_``, and draws the training history with
:class:`~imbbce.TrainingHistoryDisplay`.

The data are real and offline: scikit-learn's handwritten digits, "1"
against every other digit, with the 1s thinned to about 2 % of the rows.
"""

# %%
# Data
# ----
# A stratified train/test split; the estimator takes its own stratified
# validation split (20 % here, so that it holds a few minority rows) from the
# training part for early stopping, forced on with ``early_stopping=True``:
# with this few minority rows the default ``"auto"`` would train on all rows
# and there would be no validation curves to look at. For the same reason
# ``scoring="average_precision"`` is set: with fewer than 10 minority rows in
# the split, the default ``scoring="auto"`` would watch the validation loss.
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.metrics import PrecisionRecallDisplay, precision_score, recall_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from imbbce import BalancedBCEClassifier, MajorityCollapseWarning, TrainingHistoryDisplay

X, digit = load_digits(return_X_y=True)
y = (digit == 1).astype(int)
rng = np.random.RandomState(0)
keep = (y == 0) | (rng.rand(len(y)) < 0.2)  # thin the 1s to about 2 % of rows
X, y = X[keep], y[keep]
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, stratify=y, random_state=0)
print(f"{len(y)} rows, {y.sum()} of them 1s ({y.mean():.1%})")


def fit(**params):
    """Scale the pixels, then train the network; return the fitted pipeline."""
    clf = BalancedBCEClassifier(
        **params,
        early_stopping=True,
        validation_fraction=0.2,
        scoring="average_precision",
        random_state=0,
    )
    return make_pipeline(StandardScaler(), clf).fit(X_train, y_train)


# %%
# Plain BCE collapses, and says so
# --------------------------------
# ``class_weight=None, loss="bce"`` is plain binary cross-entropy. ``fit`` ends by
# predicting the validation split; here it predicts "not a 1" for every row,
# so it warns. The warning gives the numbers and the remedies.
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always", MajorityCollapseWarning)
    plain = fit(class_weight=None, loss="bce")
for warning in caught:
    print(f"{warning.category.__name__}: {warning.message}\n")
print(plain[-1].diagnostics_)

# %%
# The defaults do not
# -------------------
# imbbce's defaults adjust the logits for the class prior while training
# (logit adjustment): the network learns as if the classes were balanced. No
# warning; the minority is found on the validation split.
adjusted = fit()
print(adjusted[-1].diagnostics_)

# %%
# The training histories
# ----------------------
# What to look at:
#
# * **The training loss** (solid blue) falls smoothly in both runs: plain
#   BCE's run looks as healthy as the other. A falling loss is no sign that the
#   minority is learnt; with 98 % majority rows, a network that is sure of the
#   majority everywhere already has a low loss. (The defaults' training loss
#   is that of the shifted logits, so compare shapes, not values.)
# * **The validation score** (dashed green, right axis: average precision of
#   the minority class) is what early stopping watches; the dotted line marks
#   the epoch whose weights the model keeps. Plain BCE's score climbs too: it
#   *ranks* the 1s well, yet none of them gets a probability above 0.5, so it
#   *decides* "not a 1" for every row. ``diagnostics_`` checks the decisions,
#   which is why it catches what the curves hide.
# * **The validation loss** (orange) of the defaults starts high and falls
#   late: their probabilities are those of balanced classes (``prior_correction=True``
#   moves them to the real rate), which the log-loss of data with 2 % of 1s
#   punishes until the network grows sure of the rows. Early stopping follows
#   the score, not the loss.
fig, axes = plt.subplots(1, 2, figsize=(12, 4.5), layout="constrained")
for ax, (name, model) in zip(axes, [("plain BCE", plain), ("defaults", adjusted)]):
    TrainingHistoryDisplay.from_estimator(model, ax=ax)
    ax.set_title(name, pad=40)
plt.show()

# %%
# Precision and recall on the test set
# ------------------------------------
# scikit-learn's own :class:`~sklearn.metrics.PrecisionRecallDisplay` works on
# the fitted pipelines as they are. A curve shows every threshold; the marker
# shows the one ``predict`` uses (0.5). Plain BCE's curve ranks the 1s too
# (less well than the defaults' here), but its marker sits at recall 0: its
# probabilities all stay below 0.5. Logit adjustment moves the logits during
# training; ``threshold="auto"`` would instead move the threshold.
fig, ax = plt.subplots(layout="constrained")
for name, model in [("plain BCE", plain), ("defaults", adjusted)]:
    curve = PrecisionRecallDisplay.from_estimator(model, X_test, y_test, name=name, ax=ax)
    predicted = model.predict(X_test)
    recall = recall_score(y_test, predicted)
    # No row predicted positive: precision is undefined, drawn at 1 where
    # the curve ends.
    precision = precision_score(y_test, predicted, zero_division=1.0)
    ax.plot(recall, precision, "o", color=curve.line_.get_color(), markersize=9)
    print(f"{name}: {predicted.sum()} rows predicted 1, test recall {recall:.2f}")
plt.show()

# %%
# Next steps
# ----------
# :func:`imbbce.compare_strategies` cross-validates the remedies the warning
# names (logit adjustment, class weights, SMOTE, random under-sampling,
# balanced batches, focal loss) side by side, and
# :class:`~imbbce.StrategyComparisonDisplay` plots its table. From a shell:
# ``python -m imbbce compare data.csv --target label``.
