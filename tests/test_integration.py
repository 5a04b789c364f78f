"""BalancedBCEClassifier inside scikit-learn and imbalanced-learn tools."""

import numpy as np
import pytest
from imblearn.over_sampling import RandomOverSampler
from imblearn.pipeline import make_pipeline
from imblearn.under_sampling import RandomUnderSampler
from scipy.stats import loguniform
from sklearn.base import clone
from sklearn.calibration import CalibratedClassifierCV
from sklearn.datasets import make_classification
from sklearn.ensemble import AdaBoostClassifier, BaggingClassifier, StackingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import (
    GridSearchCV,
    RandomizedSearchCV,
    StratifiedKFold,
    TunedThresholdClassifierCV,
    cross_validate,
)
from sklearn.preprocessing import StandardScaler

from imbbce import BalancedBCEClassifier

pytestmark = pytest.mark.filterwarnings("ignore::imbbce.MajorityCollapseWarning")

SMALL = {"max_iter": 5, "random_state": 0}


@pytest.fixture(scope="module")
def data():
    X, y = make_classification(
        n_samples=400, n_features=6, n_informative=4, weights=[0.88], random_state=0
    )
    return X, y


def test_clone_and_params():
    clf = BalancedBCEClassifier(sampler=RandomUnderSampler(), dropout=0.1)
    copy = clone(clf)
    assert copy.get_params()["dropout"] == 0.1
    assert copy.sampler is not clf.sampler
    copy.set_params(sampler__sampling_strategy=0.5)
    assert copy.sampler.sampling_strategy == 0.5 and clf.sampler.sampling_strategy == "auto"


def test_pipeline_with_scaler_and_external_sampler(data):
    X, y = data
    pipe = make_pipeline(
        StandardScaler(), RandomOverSampler(random_state=0), BalancedBCEClassifier(**SMALL)
    )
    pipe.fit(X, y)
    assert pipe.predict(X).shape == (400,)
    # The external sampler balanced the data, so "balanced" weights are equal.
    np.testing.assert_allclose(pipe[-1].class_weight_, [1.0, 1.0], rtol=0.05)


def test_grid_search_over_imbalance_strategies_end_to_end(data):
    X, y = data
    grid = GridSearchCV(
        BalancedBCEClassifier(max_iter=3, random_state=0),
        {
            "sampler": [None, "smote", RandomUnderSampler(random_state=0)],
            "class_weight": [None, "balanced"],
            "dropout": [0.0, 0.3],
            "weight_decay": [0.0, 1e-4],
            "early_stopping": [True, False],
        },
        cv=StratifiedKFold(2),
        scoring="average_precision",
        error_score="raise",
    ).fit(X, y)
    assert np.all(np.isfinite(grid.cv_results_["mean_test_score"]))
    # The refitted model is the best candidate, fitted with its parameters.
    best = grid.best_estimator_.get_params(deep=False)
    for name, value in grid.best_params_.items():
        if hasattr(value, "get_params"):  # an estimator: refit uses a clone of it
            assert type(best[name]) is type(value)
            assert best[name].get_params() == value.get_params()
        else:
            assert best[name] is value or best[name] == value
    assert grid.best_estimator_.n_iter_ >= 1


def test_randomized_search_and_cross_validate(data):
    X, y = data
    search = RandomizedSearchCV(
        BalancedBCEClassifier(**SMALL),
        {"learning_rate_init": loguniform(1e-4, 1e-2), "sampler": [None, "random_over"]},
        n_iter=3,
        cv=2,
        random_state=0,
        n_jobs=2,
    ).fit(X, y)
    rates = [params["learning_rate_init"] for params in search.cv_results_["params"]]
    assert len(set(rates)) == 3 and all(1e-4 <= r <= 1e-2 for r in rates)
    scores = cross_validate(
        BalancedBCEClassifier(**SMALL), X, y, cv=3, scoring="balanced_accuracy", n_jobs=2
    )
    assert scores["test_score"].shape == (3,) and np.all(np.isfinite(scores["test_score"]))


def test_tuned_threshold(data):
    X, y = data
    tuned = TunedThresholdClassifierCV(
        BalancedBCEClassifier(**SMALL), scoring="f1", cv=2, random_state=0
    ).fit(X, y)
    assert 0 < tuned.best_threshold_ < 1
    # Its predictions use the tuned threshold on the refitted network.
    proba = tuned.estimator_.predict_proba(X)[:, 1]
    np.testing.assert_array_equal(tuned.predict(X), (proba >= tuned.best_threshold_).astype(int))


def test_calibrated(data):
    X, y = data
    calibrated = CalibratedClassifierCV(BalancedBCEClassifier(**SMALL), cv=2).fit(X, y)
    proba = calibrated.predict_proba(X)
    assert proba.shape == (400, 2)
    # Class weights push the raw probabilities towards the minority; the
    # calibrated ones come back towards the real rate of positives.
    raw = BalancedBCEClassifier(**SMALL).fit(X, y).predict_proba(X)[:, 1]
    assert abs(proba[:, 1].mean() - y.mean()) < abs(raw.mean() - y.mean())


def test_bagging(data):
    X, y = data
    bag = BaggingClassifier(BalancedBCEClassifier(**SMALL), n_estimators=2, random_state=0)
    assert bag.fit(X, y).predict(X).shape == (400,)
    # Different bootstrap samples and seeds: two different networks.
    first, second = (est.predict_proba(X) for est in bag.estimators_)
    assert not np.array_equal(first, second)


def test_stacking(data):
    X, y = data
    stack = StackingClassifier(
        [("net", BalancedBCEClassifier(**SMALL)), ("lr", LogisticRegression())], cv=2
    )
    assert stack.fit(X, y).predict_proba(X).shape == (400, 2)
    assert stack.stack_method_[0] == "predict_proba"  # the network's probabilities are used


class WeightRecorder(BalancedBCEClassifier):
    """Records the sample weights each fit receives."""

    received = []

    def fit(self, X, y, sample_weight=None):
        WeightRecorder.received.append(None if sample_weight is None else sample_weight.copy())
        return super().fit(X, y, sample_weight=sample_weight)


def test_adaboost_uses_sample_weight(data):
    X, y = data
    WeightRecorder.received = []
    # Boosting does the reweighting, so the networks train with plain BCE
    # (with class weights, the second round's network was worse than chance on
    # the boosted weights and AdaBoost stopped after one).
    boost = AdaBoostClassifier(
        WeightRecorder(class_weight=None, loss="bce", max_iter=5, random_state=0),
        n_estimators=2,
        random_state=0,
    )
    boost.fit(X, y)
    assert len(boost.estimators_) == 2
    second = WeightRecorder.received[1]
    assert np.ptp(second) > 0  # boosting reweighted the rows
    # The second network is the one those weights give, not an unweighted one.
    params = boost.estimators_[1].get_params()
    weighted = BalancedBCEClassifier(**params).fit(X, y, sample_weight=second)
    unweighted = BalancedBCEClassifier(**params).fit(X, y)
    proba = boost.estimators_[1].predict_proba(X)
    np.testing.assert_array_equal(proba, weighted.predict_proba(X))
    assert not np.array_equal(proba, unweighted.predict_proba(X))
