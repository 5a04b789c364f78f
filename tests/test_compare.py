"""Tests of imbbce/_compare.py: compare_strategies."""

import builtins

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.dummy import DummyClassifier
from sklearn.exceptions import FitFailedWarning
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from imbbce import BalancedBCEClassifier, compare_strategies
from imbbce._compare import DEFAULT_STRATEGIES, _base_estimator

METRICS = [
    "average_precision",
    "roc_auc",
    "balanced_accuracy",
    "minority_recall",
    "f1",
    "collapsed",
    "fit_time",
]
COLUMNS = [f"{metric}_{stat}" for metric in METRICS for stat in ("mean", "std")]
CONSTANT = {
    "always minority": {"strategy": "constant", "constant": "a"},
    "always majority": {"strategy": "constant", "constant": "b"},
}


@pytest.fixture(scope="module")
def labelled():
    """100 rows, 20 of label "a": the minority label sorts first."""
    X = np.random.RandomState(0).normal(size=(100, 3))
    y = np.array(["a"] * 20 + ["b"] * 80)
    return X, y


def test_scores_follow_the_minority_label_that_sorts_first(labelled):
    X, y = labelled
    table = compare_strategies(X, y, CONSTANT, estimator=DummyClassifier(), cv=2, random_state=0)
    assert list(table.index) == ["always minority", "always majority"]
    assert list(table.columns) == COLUMNS
    # Each test fold: 10 "a" among 50 rows. Constant scores rank nothing:
    # average precision is the prevalence and ROC AUC 0.5.
    minority, majority = table.loc["always minority"], table.loc["always majority"]
    assert minority["minority_recall_mean"] == 1.0
    assert minority["f1_mean"] == pytest.approx(2 * 0.2 / 1.2)
    assert majority["minority_recall_mean"] == 0.0
    assert majority["f1_mean"] == 0.0
    for row in (minority, majority):
        assert row["average_precision_mean"] == pytest.approx(0.2)
        assert row["roc_auc_mean"] == 0.5
        assert row["balanced_accuracy_mean"] == 0.5
        assert row["collapsed_mean"] == 1.0
        assert row["minority_recall_std"] == 0.0
        assert row["fit_time_mean"] > 0


def _hide_pandas(monkeypatch):
    """Make ``import pandas`` fail, as where it is not installed.

    scikit-learn reads ``sys.modules["pandas"]`` to recognise DataFrames, so
    the module stays there and only the import statement fails.
    """
    real_import = builtins.__import__

    def fake_import(name, *args, **kwargs):
        if name == "pandas" or name.startswith("pandas."):
            raise ImportError(f"No module named {name!r}")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", fake_import)


def test_structured_array_without_pandas(labelled, monkeypatch):
    X, y = labelled
    with_pandas = compare_strategies(
        X, y, CONSTANT, estimator=DummyClassifier(), cv=2, random_state=0
    )
    _hide_pandas(monkeypatch)
    table = compare_strategies(X, y, CONSTANT, estimator=DummyClassifier(), cv=2, random_state=0)
    assert isinstance(table, np.ndarray)
    assert table.dtype.names == ("strategy", *COLUMNS)
    assert list(table["strategy"]) == ["always minority", "always majority"]
    for column in COLUMNS[:-2]:  # fit times differ between runs
        np.testing.assert_array_equal(table[column], with_pandas[column].to_numpy())


def test_strategies_share_folds_and_seed(labelled):
    X, y = labelled
    # A random estimator seeded by compare_strategies: two identical
    # strategies score the same only on the same folds with the same seed.
    table = compare_strategies(
        X,
        y,
        {"first": {}, "second": {}},
        estimator=DummyClassifier(strategy="stratified"),
        cv=3,
        random_state=0,
    )
    scores = table.drop(columns=["fit_time_mean", "fit_time_std"])
    np.testing.assert_array_equal(scores.loc["first"], scores.loc["second"])
    again = compare_strategies(
        X, y, {"first": {}}, estimator=DummyClassifier(strategy="stratified"), cv=3, random_state=0
    )
    np.testing.assert_array_equal(again.loc["first", scores.columns], scores.loc["first"])


@pytest.fixture(scope="module")
def collapsing_data():
    return make_classification(
        n_samples=1500, n_features=20, weights=[0.97], flip_y=0, random_state=0
    )


def test_collapse_column_reports_plain_bce(collapsing_data):
    X, y = collapsing_data
    X_before, y_before = X.copy(), y.copy()
    # pytest turns warnings into errors: MajorityCollapseWarning is silenced
    # inside and reported in the table instead.
    table = compare_strategies(
        X,
        y,
        {"plain BCE": {"class_weight": None, "loss": "bce"}, "defaults": {}},
        estimator=BalancedBCEClassifier(max_iter=15),
        cv=2,
        random_state=0,
    )
    assert table.loc["plain BCE", "collapsed_mean"] == 1.0
    assert table.loc["plain BCE", "minority_recall_mean"] == 0.0
    assert table.loc["defaults", "collapsed_mean"] == 0.0
    assert table.loc["defaults", "minority_recall_mean"] > 0.5
    np.testing.assert_array_equal(X, X_before)
    np.testing.assert_array_equal(y, y_before)


def test_default_strategies_and_progress(capsys):
    X, y = make_classification(n_samples=300, weights=[0.85], random_state=0)
    table = compare_strategies(
        X, y, estimator=BalancedBCEClassifier(max_iter=3), cv=2, random_state=0, verbose=1
    )
    assert list(table.index) == list(DEFAULT_STRATEGIES)
    scores = table[[f"{m}_mean" for m in METRICS[:-1]]].to_numpy()
    assert np.all((scores >= 0) & (scores <= 1))
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == len(DEFAULT_STRATEGIES)
    assert lines[0].startswith("[compare_strategies] 1/7 plain BCE (")
    assert "average_precision" in lines[0] and "collapsed in" in lines[0]


@pytest.mark.parametrize("minority_label", [0, 1])
def test_threshold_metrics_do_not_depend_on_their_order(minority_label):
    # scikit-learn shares one decision_function per fold among the metrics,
    # oriented towards the first one's positive class; with the minority as
    # classes_[0] the second metric came out inverted (AUC 0.08 for 0.92).
    X, y = make_classification(n_samples=300, weights=[0.85], flip_y=0, random_state=0)
    y = y if minority_label == 1 else 1 - y
    tables = [
        compare_strategies(
            X, y, {"lr": {}}, estimator=LogisticRegression(), cv=3, random_state=0, scoring=order
        )
        for order in (["average_precision", "roc_auc"], ["roc_auc", "average_precision"])
    ]
    for metric in ("average_precision_mean", "roc_auc_mean"):
        assert tables[0][metric].iloc[0] == pytest.approx(tables[1][metric].iloc[0])
    assert tables[0]["roc_auc_mean"].iloc[0] > 0.8
    assert tables[0]["average_precision_mean"].iloc[0] > 0.5  # prevalence 0.15


def test_test_folds_keep_the_real_class_balance(labelled):
    X, y = labelled

    def minority_share(estimator, X, y):
        return float(np.mean(y == "a"))

    table = compare_strategies(
        X,
        y,
        {"SMOTE": {"sampler": "smote"}, "under": {"sampler": "random_under"}},
        estimator=BalancedBCEClassifier(max_iter=2, early_stopping=False),
        scoring={"share": minority_share},
        cv=2,
        random_state=0,
    )
    assert list(table.columns[:2]) == ["share_mean", "share_std"]
    np.testing.assert_array_equal(table["share_mean"], [0.2, 0.2])


def test_default_estimator_scales_and_is_seeded():
    base = _base_estimator(None, np.zeros((4, 2)), seed=7)
    assert isinstance(base, Pipeline)
    assert isinstance(base.steps[0][1], StandardScaler)
    assert base.steps[0][1].with_mean is True
    assert isinstance(base.steps[-1][1], BalancedBCEClassifier)
    assert base.steps[-1][1].random_state == 7
    # A user's seed is kept.
    assert _base_estimator(BalancedBCEClassifier(random_state=3), None, 7).random_state == 3


def test_overrides_reach_the_final_step_of_a_pipeline(labelled):
    X, y = labelled
    pipe = Pipeline([("scale", StandardScaler()), ("dummy", DummyClassifier())])
    table = compare_strategies(X, y, CONSTANT, estimator=pipe, cv=2, random_state=0)
    assert table.loc["always minority", "minority_recall_mean"] == 1.0


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"strategies": {"bad": {"no_such_parameter": 1}}}, ValueError, "Strategy 'bad'"),
        ({"strategies": ["plain"]}, TypeError, "strategies must be a non-empty dict"),
        ({"strategies": {"x": "smote"}}, TypeError, "Strategy 'x' must map"),
        ({"cv": 30}, ValueError, "minority class 'a' has 20. Use cv=20"),
        ({"scoring": ("roc_auc", "collapsed")}, ValueError, "may not name 'collapsed'"),
        ({"scoring": ()}, ValueError, "non-empty sequence"),
        ({"estimator": "BalancedBCEClassifier"}, TypeError, "estimator must be"),
    ],
)
def test_bad_arguments_say_what_to_change(labelled, kwargs, error, match):
    X, y = labelled
    kwargs = {"strategies": CONSTANT, "estimator": DummyClassifier(), "cv": 2, **kwargs}
    with pytest.raises(error, match=match):
        compare_strategies(X, y, **kwargs)


def test_non_binary_target_is_refused(labelled):
    X, _ = labelled
    with pytest.raises(ValueError, match="Only binary classification"):
        compare_strategies(X, np.arange(100) % 3, CONSTANT, estimator=DummyClassifier())


def test_a_strategy_whose_fits_all_fail_leaves_the_others(labelled):
    X, y = labelled
    strategies = {"typo": {"sampler": "smoote"}, "weights": {}}
    with pytest.warns(FitFailedWarning) as caught:
        table = compare_strategies(
            X, y, strategies, estimator=BalancedBCEClassifier(max_iter=2), cv=2, random_state=0
        )
    messages = [str(w.message) for w in caught if issubclass(w.category, FitFailedWarning)]
    assert len(messages) == 1
    assert messages[0].startswith("Strategy 'typo': every fit failed, so its scores are NaN.")
    assert "InvalidParameterError: The 'sampler' parameter" in messages[0]
    assert "Traceback" not in messages[0]
    assert table.loc["typo"].isna().all()
    assert table.loc["weights"].notna().all()


class _FailsWithRowZero(DummyClassifier):
    """Fails to fit when the training fold holds the row whose first feature is 0."""

    def fit(self, X, y, sample_weight=None):
        if np.any(X[:, 0] == 0):
            raise RuntimeError("row zero was in the training fold")
        return super().fit(X, y, sample_weight)


def test_a_strategy_with_some_failed_fits_names_how_many(labelled):
    X, y = labelled
    X = np.column_stack([np.arange(len(y)), X])
    with pytest.warns(FitFailedWarning, match=r"'dummy': 1 of 2 fits failed.*RuntimeError: row"):
        table = compare_strategies(
            X, y, {"dummy": {}}, estimator=_FailsWithRowZero(), cv=2, random_state=0
        )
    assert np.isnan(table.loc["dummy", "roc_auc_mean"])
    with pytest.raises(RuntimeError, match="row zero"):
        compare_strategies(
            X, y, {"dummy": {}}, estimator=_FailsWithRowZero(), cv=2, error_score="raise"
        )


def test_a_raw_frame_is_compared_with_its_numeric_columns_scaled():
    pd = pytest.importorskip("pandas")
    rng = np.random.RandomState(0)
    colour = rng.choice(["red", "green", "blue"], 120).astype(object)
    size = rng.randn(120) * 100
    y = np.where((colour == "red") & (size > 0), "yes", "no")
    size[::10] = np.nan
    X = pd.DataFrame({"size": size, "colour": colour})
    base = _base_estimator(None, X, seed=0)
    scaled = base[0].fit_transform(X)
    assert list(scaled.columns) == ["size", "colour"]
    assert abs(np.nanmean(scaled["size"])) < 1e-9 and scaled["colour"].equals(X["colour"])
    table = compare_strategies(
        X, y, {"weighted": {}}, cv=2, random_state=0, estimator=None, scoring="roc_auc"
    )
    assert np.isfinite(table["roc_auc_mean"]).all()


def test_numeric_data_keeps_the_plain_scaler():
    X = np.zeros((4, 2))
    assert isinstance(_base_estimator(None, X, seed=0)[0], StandardScaler)


def test_a_raw_polars_frame_is_compared():
    pl = pytest.importorskip("polars")
    rng = np.random.RandomState(0)
    colour = rng.choice(["red", "green", "blue"], 120)
    size = rng.randn(120) * 100
    y = np.where((colour == "red") & (size > 0), "yes", "no")
    X = pl.DataFrame(
        {
            "size": [None if i % 10 == 0 else float(v) for i, v in enumerate(size)],
            "colour": [None if i % 17 == 0 else c for i, c in enumerate(colour)],
        }
    )
    table = compare_strategies(
        X, y, {"weighted": {}, "smote": {"sampler": "smote"}}, cv=2, random_state=0,
        scoring="roc_auc", error_score="raise",
    )  # fmt: skip
    assert np.isfinite(table["roc_auc_mean"]).all()
