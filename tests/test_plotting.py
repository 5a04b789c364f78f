"""Tests of imbbce/_plotting.py: TrainingHistoryDisplay and StrategyComparisonDisplay.

Figures are drawn with the Agg backend (set in conftest.py), saved as PNG
and inspected through the matplotlib objects the displays keep.
"""

import builtins

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import make_classification
from sklearn.dummy import DummyClassifier
from sklearn.exceptions import NotFittedError
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from imbbce import (
    BalancedBCEClassifier,
    StrategyComparisonDisplay,
    TrainingDivergedWarning,
    TrainingHistoryDisplay,
)

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def data():
    return make_classification(n_samples=400, weights=[0.8], class_sep=2.0, random_state=0)


@pytest.fixture(scope="module")
def fitted(data):
    return BalancedBCEClassifier(
        max_iter=6,
        learning_rate_init=0.01,
        early_stopping=True,
        scoring="average_precision",
        random_state=0,
    ).fit(*data)


def test_score_axis_names_the_resolved_scoring(data):
    # scoring="auto" resolves to average precision on this split (at least
    # 10 validation minority rows); the axis names what was watched.
    X, y = make_classification(n_samples=2000, weights=[0.8], random_state=0)
    clf = BalancedBCEClassifier(max_iter=3, early_stopping=True, random_state=0).fit(X, y)
    assert clf.scoring == "auto" and clf.scoring_ == "average_precision"
    display = TrainingHistoryDisplay.from_estimator(clf)
    assert display.score_ax_.get_ylabel() == "validation average_precision"


def test_history_of_a_diverged_fit_plots_its_finished_epochs(data):
    X, y = data
    clf = BalancedBCEClassifier(
        optimizer="sgd", learning_rate_init=1e6, max_iter=10, early_stopping=False, random_state=0
    )
    with pytest.warns(TrainingDivergedWarning):
        clf.fit(X * 1e4, y)
    assert clf.stop_reason_ == "diverged"
    display = TrainingHistoryDisplay.from_estimator(clf)
    assert len(display.lines_["train_loss"].get_xdata()) == clf.n_iter_ == len(clf.history_)


def _save(display, path):
    display.figure_.savefig(path)
    assert path.read_bytes()[:8] == PNG_MAGIC


def test_training_history_draws_losses_score_and_best_epoch(fitted, tmp_path):
    display = TrainingHistoryDisplay.from_estimator(fitted)
    _save(display, tmp_path / "history.png")
    history = fitted.history_
    epochs = [1, 2, 3, 4, 5, 6]

    ax = display.ax_
    assert display.figure_ is ax.figure
    assert [line.get_label() for line in ax.get_lines()] == [
        "train loss",
        "validation loss",
        f"best epoch ({fitted.best_epoch_})",
    ]
    train, valid, best = ax.get_lines()
    np.testing.assert_array_equal(train.get_xdata(), epochs)
    np.testing.assert_allclose(train.get_ydata(), history[:, "train_loss"])
    np.testing.assert_allclose(valid.get_ydata(), history[:, "valid_loss"])
    assert list(best.get_xdata()) == [fitted.best_epoch_] * 2
    assert ax.get_xlabel() == "epoch"
    assert ax.get_ylabel() == "loss"

    (score,) = display.score_ax_.get_lines()
    assert score.get_label() == "validation average_precision"
    np.testing.assert_allclose(score.get_ydata(), history[:, "valid_score"])
    assert display.score_ax_.get_ylabel() == "validation average_precision"
    legend = [text.get_text() for text in ax.get_legend().get_texts()]
    assert legend == [
        "train loss",
        "validation loss",
        "validation average_precision",
        f"best epoch ({fitted.best_epoch_})",
    ]


def test_training_history_without_validation_split(data, tmp_path):
    clf = make_pipeline(
        StandardScaler(), BalancedBCEClassifier(max_iter=3, early_stopping=False, random_state=0)
    ).fit(*data)
    display = TrainingHistoryDisplay.from_estimator(clf)
    _save(display, tmp_path / "history.png")
    assert display.score_ax_ is None
    assert sorted(display.lines_) == ["best_epoch", "train_loss"]
    assert list(display.lines_["best_epoch"].get_xdata()) == [3, 3]


def test_training_history_draws_on_given_axes(fitted):
    _, (left, right) = plt.subplots(1, 2)
    display = TrainingHistoryDisplay.from_estimator(fitted, ax=right)
    assert display.ax_ is right
    assert left.get_lines() == []


def test_training_history_needs_a_fitted_estimator():
    with pytest.raises(NotFittedError):
        TrainingHistoryDisplay.from_estimator(BalancedBCEClassifier())


RESULTS = pd.DataFrame(
    {
        "average_precision_mean": [0.2, 0.8],
        "average_precision_std": [0.05, 0.1],
        "minority_recall_mean": [0.0, 0.7],
        "minority_recall_std": [0.0, 0.2],
        "collapsed_mean": [1.0, 0.0],
        "collapsed_std": [0.0, 0.0],
        "fit_time_mean": [1.5, 2.5],
        "fit_time_std": [0.1, 0.1],
    },
    index=pd.Index(["plain BCE", "class weights"], name="strategy"),
)


def _check_comparison(display):
    ax = display.ax_
    assert list(display.errorbars_) == ["average_precision", "minority_recall"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["plain BCE", "class weights"]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == list(display.errorbars_)
    assert ax.get_ylim() == (1.5, -0.5)  # the first strategy on top
    for metric, container in display.errorbars_.items():
        marker = container.lines[0]
        np.testing.assert_allclose(marker.get_xdata(), RESULTS[f"{metric}_mean"])
        # Marker rows: 0 and 1, shifted within the row per metric.
        np.testing.assert_allclose(np.round(marker.get_ydata()), [0, 1])
        # The horizontal error bars run from mean - std to mean + std.
        segments = container.lines[2][0].get_segments()
        widths = [segment[1][0] - segment[0][0] for segment in segments]
        np.testing.assert_allclose(widths, 2 * RESULTS[f"{metric}_std"])


def test_strategy_comparison_from_dataframe(tmp_path):
    display = StrategyComparisonDisplay.from_results(RESULTS)
    _save(display, tmp_path / "comparison.png")
    _check_comparison(display)


def test_strategy_comparison_from_structured_array(tmp_path):
    records = RESULTS.to_records(index=True)
    assert records.dtype.names[0] == "strategy"
    display = StrategyComparisonDisplay.from_results(np.asarray(records))
    _save(display, tmp_path / "comparison.png")
    _check_comparison(display)


def test_strategy_comparison_chooses_metrics():
    display = StrategyComparisonDisplay.from_results(RESULTS, metrics=["fit_time"])
    assert list(display.errorbars_) == ["fit_time"]
    display = StrategyComparisonDisplay.from_results(RESULTS, metrics="fit_time")
    assert list(display.errorbars_) == ["fit_time"]  # one name, not its letters
    with pytest.raises(ValueError, match=r"'roc_auc'.*the metrics there are"):
        StrategyComparisonDisplay.from_results(RESULTS, metrics=["roc_auc"])
    with pytest.raises(TypeError, match="table returned by compare_strategies"):
        StrategyComparisonDisplay.from_results({"a": 1})


def test_strategy_comparison_from_estimator(tmp_path):
    X = np.random.RandomState(0).normal(size=(60, 2))
    y = np.array([0] * 45 + [1] * 15)
    display = StrategyComparisonDisplay.from_estimator(
        DummyClassifier(),
        X,
        y,
        strategies={"prior": {}, "always 1": {"strategy": "constant", "constant": 1}},
        metrics=["minority_recall", "balanced_accuracy"],
        cv=3,
        random_state=0,
    )
    _save(display, tmp_path / "comparison.png")
    assert list(display.results_.index) == ["prior", "always 1"]
    recall = display.errorbars_["minority_recall"].lines[0]
    np.testing.assert_allclose(recall.get_xdata(), [0.0, 1.0])


def test_missing_matplotlib_names_the_extra(fitted, monkeypatch):
    real_import = builtins.__import__

    def fake_import(name, *args, **kwargs):
        if name.split(".")[0] == "matplotlib":
            raise ImportError(f"No module named {name!r}")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", fake_import)
    with pytest.raises(ImportError, match=r"pip install matplotlib"):
        TrainingHistoryDisplay.from_estimator(fitted)
    with pytest.raises(ImportError, match=r"pip install matplotlib"):
        StrategyComparisonDisplay.from_results(RESULTS)
