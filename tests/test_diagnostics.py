"""Tests of imbbce/_diagnostics.py: the collapse report and its warning."""

import warnings

import numpy as np
import pytest
from sklearn.datasets import make_classification

from imbbce import BalancedBCEClassifier, MajorityCollapseWarning
from imbbce._diagnostics import MAX_CHECKED_ROWS, collapse_report, rows_to_check, warn_if_collapsed

# 10 rows, two of the minority class (encoded 1).
Y = np.array([0, 0, 0, 0, 0, 0, 0, 0, 1, 1])


def test_collapse_report_counts_by_hand():
    predicted = np.array([0, 0, 0, 0, 0, 0, 0, 1, 1, 0])
    report = collapse_report(Y, predicted, minority=1, checked_on="validation")
    assert report == {
        "checked_on": "validation",
        "n_samples": 10,
        "n_checked": 10,
        "minority_rate": 0.2,
        "predicted_minority_rate": 0.2,
        "minority_recall": 0.5,
        "single_class": False,
        "collapsed": False,
    }


def test_rows_to_check_keeps_every_minority_row_and_weighs_back():
    y = np.zeros(50_000, dtype=np.int64)
    y[::100] = 1  # 500 minority rows
    positions, weights = rows_to_check(y, minority=1)
    assert len(positions) == MAX_CHECKED_ROWS
    assert np.all(np.diff(positions) > 0)
    assert set(np.flatnonzero(y == 1)) <= set(positions)
    assert weights.sum() == pytest.approx(50_000)
    predicted = y[positions].copy()
    predicted[np.flatnonzero(predicted == 0)[:3]] = 1  # three false positives
    report = collapse_report(y[positions], predicted, 1, "training", sample_weight=weights)
    assert report["n_samples"] == 50_000
    assert report["n_checked"] == MAX_CHECKED_ROWS
    assert report["minority_rate"] == pytest.approx(0.01)
    assert report["minority_recall"] == 1.0
    majority_weight = weights[y[positions] == 0][0]
    assert report["predicted_minority_rate"] == pytest.approx((500 + 3 * majority_weight) / 50_000)


def test_rows_to_check_caps_a_large_minority_at_half():
    y = (np.arange(100_000) % 10 < 3).astype(np.int64)  # 30 % minority
    positions, weights = rows_to_check(y, minority=1, max_rows=1000)
    assert np.sum(y[positions] == 1) == 500
    assert weights[y[positions] == 1] == pytest.approx(60.0)
    assert weights[y[positions] == 0] == pytest.approx(140.0)
    assert rows_to_check(y[:1000], minority=1, max_rows=1000) == (None, None)


def test_collapse_report_majority_only_is_collapsed():
    report = collapse_report(Y, np.zeros(10, dtype=int), minority=1, checked_on="training")
    assert report["checked_on"] == "training"
    assert report["predicted_minority_rate"] == 0.0
    assert report["minority_recall"] == 0.0
    assert report["single_class"] is True
    assert report["collapsed"] is True


def test_collapse_report_zero_recall_without_single_class_is_collapsed():
    # Two rows predicted minority, both of them majority rows: recall 0.
    predicted = np.array([1, 1, 0, 0, 0, 0, 0, 0, 0, 0])
    report = collapse_report(Y, predicted, minority=1, checked_on="validation")
    assert report["predicted_minority_rate"] == 0.2
    assert report["minority_recall"] == 0.0
    assert report["single_class"] is False
    assert report["collapsed"] is True


def test_collapse_report_follows_minority_encoded_zero():
    y = np.array([0, 1, 1, 1])
    report = collapse_report(y, np.array([0, 0, 1, 1]), minority=0, checked_on="validation")
    assert report["minority_rate"] == 0.25
    assert report["predicted_minority_rate"] == 0.5
    assert report["minority_recall"] == 1.0
    assert report["collapsed"] is False


def test_collapse_report_without_minority_rows_has_nan_recall():
    report = collapse_report(np.zeros(4, int), np.array([0, 1, 0, 1]), 1, "validation")
    assert np.isnan(report["minority_recall"])
    assert report["collapsed"] is False


def test_warn_if_collapsed_gives_numbers_and_remedies():
    report = collapse_report(Y, np.zeros(10, dtype=int), minority=1, checked_on="validation")
    with pytest.warns(MajorityCollapseWarning) as record:
        warn_if_collapsed(report, "fraud")
    message = str(record[0].message)
    assert "collapsed onto the majority class" in message
    assert "10 rows, 20.0% of class 'fraud'" in message
    assert "for 0.0% of rows, with minority recall 0.00" in message
    remedies = ("loss='logit_adjusted'", "class_weight='balanced'", "sampler=", "loss='focal'")
    for remedy in (*remedies, "threshold='auto'"):
        assert remedy in message


def test_warn_if_collapsed_on_minority_only_says_so():
    report = collapse_report(Y, np.ones(10, dtype=int), minority=1, checked_on="validation")
    assert report["collapsed"] is True
    with pytest.warns(MajorityCollapseWarning, match="class 1, the minority, for every row") as w:
        warn_if_collapsed(report, 1)
    assert "majority" not in str(w[0].message)  # not called a majority collapse


def test_warn_if_collapsed_is_silent_when_not_collapsed():
    report = collapse_report(Y, Y, minority=1, checked_on="validation")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warn_if_collapsed(report, 1)


@pytest.fixture(scope="module")
def collapsing_data():
    # 3 % minority, no label noise: plain BCE stops predicting the minority.
    X, y = make_classification(
        n_samples=1500, n_features=20, weights=[0.97], flip_y=0, random_state=0
    )
    # The minority label sorts first, so it is classes_[0].
    return X, np.where(y == 1, "fraud", "ok")


def test_plain_bce_collapses_and_warns(collapsing_data):
    X, y = collapsing_data
    clf = BalancedBCEClassifier(
        class_weight=None, loss="bce", early_stopping=True, max_iter=30, random_state=0
    )
    with pytest.warns(MajorityCollapseWarning, match="of class 'fraud'") as record:
        clf.fit(X, y)
    # The warning points at the caller's line, not into the package.
    assert record[0].filename == __file__
    assert clf.diagnostics_["checked_on"] == "validation"
    assert abs(clf.diagnostics_["n_samples"] - 150) <= 2  # 10 % per class, rounded
    # A stratified split: the validation part keeps the data's 3 %.
    assert clf.diagnostics_["minority_rate"] == pytest.approx(np.mean(y == "fraud"), abs=0.01)
    # Collapsed: no validation row of the minority found (one majority row may
    # be called positive).
    assert clf.diagnostics_["minority_recall"] == 0.0
    assert clf.diagnostics_["predicted_minority_rate"] < 0.01
    assert clf.diagnostics_["collapsed"] is True


def test_defaults_do_not_collapse(collapsing_data):
    X, y = collapsing_data
    clf = BalancedBCEClassifier(max_iter=30, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", MajorityCollapseWarning)
        clf.fit(X, y)
    assert clf.diagnostics_["collapsed"] is False
    assert clf.diagnostics_["minority_recall"] > 0.5
    assert "fraud" in set(clf.predict(X))


def test_without_validation_split_checks_training_data(collapsing_data):
    X, y = collapsing_data
    clf = BalancedBCEClassifier(early_stopping=False, max_iter=5, random_state=0).fit(X, y)
    assert clf.diagnostics_["checked_on"] == "training"
    assert clf.diagnostics_["n_samples"] == 1500
    assert clf.diagnostics_["minority_rate"] == pytest.approx(np.mean(y == "fraud"))


def test_large_training_data_is_checked_on_a_weighted_draw():
    X, y = make_classification(
        n_samples=25_000, n_features=5, n_informative=3, weights=[0.95], random_state=0
    )
    clf = BalancedBCEClassifier(early_stopping=False, max_iter=1, random_state=0).fit(X, y)
    report = clf.diagnostics_
    assert report["checked_on"] == "training"
    assert report["n_samples"] == 25_000
    assert report["n_checked"] == MAX_CHECKED_ROWS
    assert report["minority_rate"] == pytest.approx(np.mean(y == 1))
    predicted = clf.predict(X)
    assert report["predicted_minority_rate"] == pytest.approx(np.mean(predicted == 1), abs=0.02)
    assert report["minority_recall"] == pytest.approx(np.mean(predicted[y == 1] == 1))


def test_without_a_split_the_training_rows_as_given_are_checked_not_the_resampled_ones():
    X, y = make_classification(n_samples=1000, n_features=5, weights=[0.9], random_state=0)
    clf = BalancedBCEClassifier(sampler="smote", early_stopping=False, max_iter=4, random_state=0)
    clf.fit(X, y)
    report = clf.diagnostics_
    assert report["checked_on"] == "training" and report["n_samples"] == 1000
    assert report["minority_rate"] == pytest.approx(y.mean())


# -------------------------------------------- advice that follows the settings

Y4 = np.array([0, 0, 0, 1])


@pytest.mark.parametrize("checked_on", ["validation", "training"])
def test_patience_is_advised_only_when_a_validation_split_was_used(checked_on):
    report = collapse_report(Y4, np.zeros(4, dtype=int), minority=1, checked_on=checked_on)
    with pytest.warns(MajorityCollapseWarning) as record:
        warn_if_collapsed(report, "fraud")
    assert ("n_iter_no_change" in str(record[0].message)) == (checked_on == "validation")


def _message(settings, checked_on="validation"):
    report = collapse_report(Y4, np.zeros(4, dtype=int), minority=1, checked_on=checked_on)
    with pytest.warns(MajorityCollapseWarning) as record:
        warn_if_collapsed(report, "fraud", settings)
    return str(record[0].message)


DEFAULTS = dict(
    class_weight=None,
    sampler=None,
    loss="logit_adjusted",
    threshold=0.5,
    prior_correction=False,
    max_iter=100,
    n_iter_no_change=20,
)


def test_advice_leaves_out_what_is_already_in_place():
    message = _message({**DEFAULTS, "sampler": "smote", "stop_reason": "early_stopping"})
    assert "class_weight='balanced'" not in message and "sampler=" not in message
    assert "loss='focal'" in message and "threshold='auto'" in message
    assert "loss='logit_adjusted'" not in message  # the default loss is in place
    # Under logit adjustment, "balanced" weights would correct no more: a
    # larger tau would.
    defaults = _message({**DEFAULTS, "tau": 1.0})
    assert "class_weight='balanced'" not in defaults
    assert "a stronger logit adjustment (tau above 1.0)" in defaults
    plain = _message({**DEFAULTS, "loss": "bce"})
    assert "loss='logit_adjusted' (the default)" in plain
    assert "class_weight='balanced'" in plain and "tau" not in plain
    weighted = _message({**DEFAULTS, "class_weight": "balanced", "loss": "bce"})
    assert "class_weight='balanced'" not in weighted
    assert "loss='logit_adjusted' (the default)" in weighted


def test_patience_only_when_early_stopping_ended_training_else_longer_training():
    stopped = _message({**DEFAULTS, "stop_reason": "early_stopping"})
    assert "n_iter_no_change, now 20" in stopped and "max_iter" not in stopped
    capped = _message({**DEFAULTS, "stop_reason": "max_iter", "max_iter": 30})
    assert "train longer (max_iter, now 30)" in capped and "n_iter_no_change" not in capped


@pytest.mark.parametrize(
    "change, cause",
    [({"prior_correction": True}, "prior_correction=True"), ({"threshold": 0.9}, "threshold=0.9")],
)
def test_a_setting_that_explains_the_collapse_is_named_first(change, cause):
    message = _message({**DEFAULTS, "stop_reason": "max_iter", **change})
    assert f"Likely cause: {cause}" in message
    assert message.index("Likely cause") < message.index("Remedies")
