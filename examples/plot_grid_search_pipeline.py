"""
Grid-searching imbalance strategies in an imbalanced-learn Pipeline
===================================================================

Every imbalance remedy of :class:`~imbbce.BalancedBCEClassifier` is a flat
hyperparameter, so scikit-learn's :class:`~sklearn.model_selection.GridSearchCV`
compares them like any other parameter: samplers (by name or as an
imbalanced-learn object with its own tunable parameters), class weights and
losses, each cross-validated on the same stratified folds.

Look at the figure for the cross-validated average precision (how well each
strategy ranks the positives) next to the balanced accuracy (how good its
decisions are at the threshold of 0.5), with one standard deviation across
folds as error bars.
"""

# %%
# The data: breast cancer, with the malignant class thinned
# ---------------------------------------------------------
# scikit-learn's breast-cancer data has 37 % malignant tumours. To make it
# imbalanced we keep a random fifth of them: about 10 % positives.
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from imblearn.over_sampling import SMOTE
from imblearn.pipeline import Pipeline
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.preprocessing import StandardScaler

from imbbce import BalancedBCEClassifier

X, y = load_breast_cancer(return_X_y=True)
y = 1 - y  # scikit-learn codes malignant as 0; make it the positive class
rng = np.random.RandomState(0)
keep = (y == 0) | (rng.rand(len(y)) < 0.2)
X, y = X[keep], y[keep]
print(f"{len(y)} rows, {y.sum()} malignant ({y.mean():.1%})")

# %%
# The pipeline and the grid
# -------------------------
# The features are scaled, then the network trains. An imbalanced-learn
# :class:`~imblearn.pipeline.Pipeline` accepts sampler steps too; here the
# sampler is a parameter of the estimator instead, so that it resamples only
# the training part of each fit and never the validation split that early
# stopping watches.
#
# The grid has two parts: every sampler with and without class weights, on
# binary cross-entropy, and the two other losses without class weights, one
# of them the estimator's default, logit adjustment. The base network is set to
# ``loss="bce"`` so that each candidate names the one remedy it adds.
# ``SMOTE(k_neighbors=3)`` is an object: its own parameters could be searched
# as ``net__sampler__k_neighbors``.
pipe = Pipeline(
    [
        ("scale", StandardScaler()),
        ("net", BalancedBCEClassifier(loss="bce", max_iter=100, random_state=0)),
    ]
)
param_grid = [
    {
        "net__sampler": [None, "random_under", "balanced_batch", SMOTE(k_neighbors=3)],
        "net__class_weight": [None, "balanced"],
    },
    {"net__loss": ["focal", "logit_adjusted"], "net__class_weight": [None]},
]
grid = GridSearchCV(
    pipe,
    param_grid,
    scoring={"average precision": "average_precision", "balanced accuracy": "balanced_accuracy"},
    refit="average precision",
    cv=StratifiedKFold(n_splits=3, shuffle=True, random_state=0),
)
grid.fit(X, y)
print("best:", grid.best_params_)

# %%
# The cross-validated scores
# --------------------------
# ``cv_results_`` has one row per candidate. We name each candidate by the
# parameters it sets, and sort by mean average precision.
results = pd.DataFrame(grid.cv_results_)


def describe(params):
    sampler = params.get("net__sampler")
    if isinstance(sampler, SMOTE):
        sampler = f"SMOTE(k_neighbors={sampler.k_neighbors})"
    parts = [f"sampler={sampler}"] if "net__sampler" in params else []
    parts.append(f"class_weight={params['net__class_weight']}")
    if "net__loss" in params:
        parts.append(f"loss={params['net__loss']}")
    return ", ".join(parts)


results["candidate"] = results["params"].map(describe)
table = results.set_index("candidate")[
    [
        "mean_test_average precision",
        "std_test_average precision",
        "mean_test_balanced accuracy",
        "std_test_balanced accuracy",
        "mean_fit_time",
    ]
].sort_values("mean_test_average precision", ascending=False)
table.round(3)

# %%
# The figure
# ----------
fig, axes = plt.subplots(1, 2, figsize=(12, 5), sharey=True, layout="constrained")
ordered = table.iloc[::-1]
for ax, metric in zip(axes, ["average precision", "balanced accuracy"]):
    ax.barh(
        ordered.index,
        ordered[f"mean_test_{metric}"],
        xerr=ordered[f"std_test_{metric}"],
        color="tab:blue" if metric == "average precision" else "tab:orange",
    )
    ax.set_xlim(0, 1)
    ax.set_xlabel(f"{metric} (3-fold CV, mean ± std)")
axes[0].set_title("Ranking")
axes[1].set_title("Decisions at threshold 0.5")
plt.show()

# %%
# What to look at: strategies whose ranking (left) is about equal can still
# differ a lot in their decisions (right). Plain BCE (``sampler=None,
# class_weight=None`` on the BCE base) usually ranks about as well as the others but decides
# worse at 0.5. With about ten positives per test fold, error bars overlap
# widely: prefer a simpler strategy unless another is clearly ahead. The
# decision threshold can then be tuned on top of the best pipeline, with
# :class:`~sklearn.model_selection.TunedThresholdClassifierCV` (see the
# threshold example).
