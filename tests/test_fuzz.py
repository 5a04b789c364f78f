"""Property-based tests: inputs nobody listed either fit or fail clearly.

Every generated case either fits and then predicts finite probabilities in
[0, 1] whose rows sum to 1 and labels from ``classes_``, or raises
``ValueError``/``TypeError`` whose message says what is wrong. The number of
examples comes from the hypothesis profile (see conftest.py): 25 in CI,
``IMBBCE_HYPOTHESIS_PROFILE=long python -m pytest tests/test_fuzz.py`` for 2000.
"""

import re

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from hypothesis import event, example, given, note
from hypothesis import strategies as st

from imbbce import BalancedBCEClassifier
from imbbce._threshold import tune_threshold

LABEL_PAIRS = [
    (0, 1),
    (-1, 1),
    (1, 2),
    ("neg", "pos"),
    ("yes", "no"),
    (False, True),
    (0.0, 1.0),
]
DTYPES = ["float16", "float32", "float64", "int8", "int64", "bool", "object"]
CONTAINERS = ["numpy", "pandas", "csr", "csc", "list"]
SAMPLERS = [
    None,
    "balanced_batch",
    "random_over",
    "random_under",
    "smote",
    "borderline_smote",
    "adasyn",
    "smote_tomek",
    "smote_enn",
    "tomek",
    "near_miss",
    "edited_nn",
]
SCORINGS = ["loss", "average_precision", "roc_auc", "balanced_accuracy", "f1", "recall"]

# What a clear error names. A new error message that matches none of these
# is a finding: either it is unclear, or it belongs on this list.
EXPECTED_ERRORS = [
    r"sampler .* could not resample",  # too few minority rows for neighbours
    r"sampler .* left a single class",
    r"sample_weight is zero for every row",
    r"only one class",
    r"threshold='auto' chooses the threshold on the validation split",
    r"Input X contains infinity",
    r"X is a sparse matrix with missing values",
    r"X has columns that are not numbers: .* \(values such as 'oops'\)",
]


@st.composite
def datasets(draw):
    n_minority = draw(st.integers(1, 6))
    n_majority = draw(st.integers(n_minority, 40))
    wide = draw(st.booleans())
    n_features = draw(st.integers(30, 80) if wide else st.integers(1, 6))
    seed = draw(st.integers(0, 2**16))
    scale = draw(st.sampled_from([1e-3, 1.0, 1e3]))
    dtype = draw(st.sampled_from(DTYPES))
    rng = np.random.RandomState(seed)
    n = n_minority + n_majority
    X = rng.randn(n, n_features) * scale
    if draw(st.booleans()):
        X[:, 0] = 1.0  # a constant column
    if dtype == "bool":
        X = X > 0
    elif dtype.startswith("int"):
        X = np.clip(np.round(X), -100, 100).astype(dtype)
    elif dtype == "object":
        X = X.astype(object)  # numbers held as Python objects
    else:
        X = X.astype(dtype)
    poison = draw(st.sampled_from([None] * 8 + ["nan", "inf", "text"]))
    if poison is not None and dtype not in ("bool", "int8", "int64"):
        X[rng.randint(n), rng.randint(n_features)] = {"nan": np.nan, "inf": -np.inf}.get(
            poison, "oops" if dtype == "object" else np.nan
        )
    labels = draw(st.sampled_from(LABEL_PAIRS))
    if draw(st.booleans()):
        labels = labels[::-1]  # the minority label sorts first or last
    y = np.array([labels[1]] * n_minority + [labels[0]] * n_majority, dtype=object)
    order = rng.permutation(n)
    X, y = X[order], y[order]
    y = np.array(y.tolist())  # native dtype: int, float, str or bool
    container = draw(st.sampled_from(CONTAINERS))
    if container == "pandas":
        X = pd.DataFrame(X, columns=[f"f{i}" for i in range(n_features)])
        y = pd.Series(y, name="target")
    elif container in ("csr", "csc") and dtype not in ("object", "float16"):
        # (scipy.sparse has no float16)
        X = sp.csr_matrix(X) if container == "csr" else sp.csc_matrix(X)
    elif container == "list":
        X, y = X.tolist(), y.tolist()
    weights = draw(st.sampled_from([None, "positive", "with_zeros", "ints"]))
    if weights == "positive":
        weights = rng.uniform(0.1, 10.0, n)
    elif weights == "with_zeros":
        weights = rng.uniform(0.0, 2.0, n) * (rng.rand(n) > 0.3)
    elif weights == "ints":
        weights = rng.randint(1, 4, n)
    return X, y, weights


@st.composite
def estimators(draw):
    return BalancedBCEClassifier(
        hidden_layer_sizes=draw(st.sampled_from([(), (4,), (8, 4)])),
        activation=draw(st.sampled_from(["relu", "gelu", "tanh", "leaky_relu", "elu"])),
        dropout=draw(st.sampled_from([0.0, 0.5])),
        sampler=draw(st.sampled_from(SAMPLERS)),
        class_weight=draw(st.sampled_from([None, "balanced"])),
        loss=draw(st.sampled_from(["bce", "focal", "logit_adjusted"])),
        focal_gamma=draw(st.sampled_from([0.0, 2.0])),
        tau=draw(st.sampled_from([0.0, 1.0])),
        weight_decay=draw(st.sampled_from([0.0, 1e-2])),
        l1=draw(st.sampled_from([0.0, 1e-3])),
        noise_std=draw(st.sampled_from([0.0, 0.1])),
        optimizer=draw(st.sampled_from(["adam", "adamw", "sgd"])),
        learning_rate_init=draw(st.sampled_from([1e-4, 1e-2, 1.0])),
        batch_size=draw(st.sampled_from([1, 3, 256])),
        max_iter=draw(st.integers(1, 3)),
        early_stopping=draw(st.booleans()),
        validation_fraction=draw(st.sampled_from([0.1, 0.5])),
        n_iter_no_change=draw(st.integers(1, 3)),
        scoring=draw(st.sampled_from(SCORINGS)),
        threshold=draw(st.sampled_from([0.5, 0.2, "auto"])),
        threshold_scoring=draw(st.sampled_from(["f1", "balanced_accuracy"])),
        prior_correction=draw(st.booleans()),
        random_state=draw(st.integers(0, 2**16)),
    )


# The warnings the estimator emits, rightly, on tiny data; nothing else.
@pytest.mark.filterwarnings("ignore::imbbce.MajorityCollapseWarning")
@pytest.mark.filterwarnings("ignore::imbbce.TrainingDivergedWarning")
@pytest.mark.filterwarnings("ignore:Early stopping needs a validation split:UserWarning")
@pytest.mark.filterwarnings("ignore:threshold=.auto. chooses the threshold on a:UserWarning")
@given(data=datasets(), clf=estimators())
# Found by this test, and fixed: a validation split without minority rows
# (undefined scores, warnings every epoch) ...
@example(
    data=(np.arange(16.0).reshape(8, 2), np.array([0, 0, 0, 0, 1, 0, 0, 1]), None),
    clf=BalancedBCEClassifier(max_iter=1, scoring="roc_auc", random_state=0),
)
# ... and an overflow in exp() choosing threshold="auto" on huge logits.
@example(
    data=(np.array([[-2136.0, 1640.0], [-416.8, -56.28]], np.float16), np.array([0, 1]), None),
    clf=BalancedBCEClassifier(
        hidden_layer_sizes=(),
        optimizer="sgd",
        learning_rate_init=0.01,
        batch_size=1,
        max_iter=1,
        threshold="auto",
        random_state=0,
    ),
)
def test_fits_and_predicts_sanely_or_fails_clearly(data, clf):
    X, y, sample_weight = data
    note(f"params: {clf.get_params()}")
    try:
        clf.fit(X, y, sample_weight=sample_weight)
    except (ValueError, TypeError) as err:
        message = str(err)
        assert any(re.search(p, message) for p in EXPECTED_ERRORS), message
        event(f"{type(err).__name__}: {message[:50]}")
        return
    event("fitted")
    n = len(y)
    proba = clf.predict_proba(X)
    assert proba.shape == (n, 2)
    assert np.all(np.isfinite(proba))
    assert np.all((proba >= 0) & (proba <= 1))
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=0, atol=1e-12)
    assert np.all(np.isfinite(clf.decision_function(X)))
    predicted = clf.predict(X)
    assert len(predicted) == n
    assert set(np.asarray(predicted).tolist()) <= set(clf.classes_.tolist())
    assert sorted(clf.classes_.tolist()) == sorted(set(np.asarray(y).tolist()))


def test_threshold_tuning_on_huge_logits_does_not_overflow():
    logits = np.array([-2000.0, -1500.0, -900.0, 800.0])
    threshold = tune_threshold(logits, np.array([0, 0, 1, 1]), "f1", minority=1)
    assert 0.0 < threshold < 1.0
