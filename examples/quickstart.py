"""
Quickstart: plain BCE against the balanced defaults
====================================================

A network trained with plain binary cross-entropy on imbalanced data reaches
a low loss and a high accuracy while it misses much of the minority class,
or all of it.
This script fits the same network twice on real, offline data (scikit-learn's
handwritten digits, "8" against every other digit, with the 8s thinned to
about 3 % of the rows) and prints the two side by side:

* plain BCE: ``class_weight=None, loss="bce"``;
* imbbce's defaults: a logit-adjusted loss, which trains the network as if
  the classes were balanced; with about 36 minority rows in
  the training part, too few to hold out a validation split that could
  choose the epoch, ``early_stopping="auto"`` trains on all rows for
  ``max_iter=100`` epochs.

Look at the minority recall and the balanced accuracy: both networks rank the
8s about as well (average precision), and plain BCE's accuracy looks excellent,
yet at the 0.5 threshold it finds half of the 8s, the defaults three quarters.
Accuracy rewards the majority: predicting "not 8" everywhere would score 0.97
here. On harder data the same recipe finds none of the
minority: in the quality benchmark (``benchmarks/results/quality.md``) plain
BCE predicted no positive in any of abalone19's 50 test folds. When a fit ends
that way, imbbce says so with a ``MajorityCollapseWarning``.
"""

# %%
import numpy as np
from sklearn.datasets import load_digits
from sklearn.metrics import (
    accuracy_score,
    average_precision_score,
    balanced_accuracy_score,
    recall_score,
)
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from imbbce import BalancedBCEClassifier

X, digit = load_digits(return_X_y=True)
y = (digit == 8).astype(int)
rng = np.random.RandomState(0)
keep = (y == 0) | (rng.rand(len(y)) < 0.3)  # thin the 8s to about 3 % of rows
X, y = X[keep], y[keep]
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, stratify=y, random_state=0)
print(f"{len(y)} rows, {y.mean():.1%} positives (digit 8)")

# %%
models = {
    "plain BCE": BalancedBCEClassifier(class_weight=None, loss="bce", random_state=0),
    "imbbce defaults": BalancedBCEClassifier(random_state=0),
}
rows = {}
for name, model in models.items():
    pipe = make_pipeline(StandardScaler(), model).fit(X_train, y_train)
    predicted = pipe.predict(X_test)
    rows[name] = {
        "accuracy": accuracy_score(y_test, predicted),
        "minority recall": recall_score(y_test, predicted),
        "balanced accuracy": balanced_accuracy_score(y_test, predicted),
        "average precision": average_precision_score(y_test, pipe.predict_proba(X_test)[:, 1]),
    }
metrics = list(rows["plain BCE"])
print(f"{'':<18}" + "".join(f"{metric:>19}" for metric in metrics))
for name, scores in rows.items():
    print(f"{name:<18}" + "".join(f"{scores[metric]:>19.3f}" for metric in metrics))
