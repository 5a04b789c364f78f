"""Pickle and joblib round-trips; small pickles; weights alone without pickle."""

import io
import pickle

import joblib
import numpy as np
import pytest
import torch
from imblearn.pipeline import make_pipeline
from imblearn.under_sampling import RandomUnderSampler
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV
from sklearn.preprocessing import StandardScaler

from imbbce import MLP, BalancedBCEClassifier

# Short fits on tiny data may predict one class, and the collapse warning is
# then right; these tests are about something else, so they allow it.
pytestmark = pytest.mark.filterwarnings("ignore::imbbce.MajorityCollapseWarning")

RNG = np.random.RandomState(0)
X = RNG.randn(200, 5)
y = np.where(X[:, 0] + 0.5 * RNG.randn(200) > 1.0, "fraud", "ok")


def make(**params):
    base = dict(hidden_layer_sizes=(8,), learning_rate_init=0.03, max_iter=5, random_state=0)
    return BalancedBCEClassifier(**(base | params))


def pickle_round_trip(obj):
    return pickle.loads(pickle.dumps(obj))


def joblib_round_trip(obj, path):
    joblib.dump(obj, path)
    return joblib.load(path)


def assert_same_predictions(a, b):
    assert np.array_equal(a.predict_proba(X), b.predict_proba(X))
    assert np.array_equal(a.predict(X), b.predict(X))


@pytest.mark.parametrize("how", ["pickle", "joblib"])
def test_unfitted_round_trip_keeps_the_parameters_and_fits_the_same(how, tmp_path):
    est = make(sampler="smote", threshold="auto", class_weight={"fraud": 3.0})
    loaded = pickle_round_trip(est) if how == "pickle" else joblib_round_trip(est, tmp_path / "m")
    assert repr(loaded.get_params()) == repr(est.get_params())
    assert not hasattr(loaded, "net_")
    assert_same_predictions(est.fit(X, y), loaded.fit(X, y))


@pytest.mark.parametrize("how", ["pickle", "joblib"])
@pytest.mark.parametrize(
    "params",
    [
        dict(),
        dict(sampler="balanced_batch", early_stopping=False, noise_std=0.1, dropout=0.2),
        dict(threshold="auto", prior_correction=True, loss="focal"),
    ],
    ids=["default", "balanced_batch", "auto_threshold"],
)
def test_fitted_round_trip_predicts_identically(how, params, tmp_path):
    clf = make(**params).fit(X, y)
    loaded = pickle_round_trip(clf) if how == "pickle" else joblib_round_trip(clf, tmp_path / "m")
    assert_same_predictions(clf, loaded)
    assert np.array_equal(clf.decision_function(X), loaded.decision_function(X))
    for name in ("classes_", "threshold_", "prior_shift_", "n_iter_", "best_epoch_"):
        assert np.array_equal(getattr(clf, name), getattr(loaded, name))
    assert len(loaded.history_) == clf.n_iter_
    # A loaded estimator can be cloned and refitted.
    assert_same_predictions(clone(loaded).fit(X, y), clone(clf).fit(X, y))


def test_fitted_pipeline_and_grid_search_round_trip(tmp_path):
    pipe = make_pipeline(StandardScaler(), RandomUnderSampler(random_state=0), make()).fit(X, y)
    assert_same_predictions(pipe, pickle_round_trip(pipe))
    grid = GridSearchCV(make(early_stopping=False), {"dropout": [0.0, 0.2]}, cv=2)
    grid.fit(X, y)
    assert_same_predictions(grid, joblib_round_trip(grid, tmp_path / "grid.joblib"))


def big_fit(sampler):
    rng = np.random.RandomState(1)
    X_big = rng.randn(20_000, 20).astype(np.float32)
    y_big = (X_big[:, 0] > 1.3).astype(np.int64)
    clf = BalancedBCEClassifier(
        hidden_layer_sizes=(8,),
        batch_size=1024,
        max_iter=2,
        noise_std=0.1,
        sampler=sampler,
        random_state=0,
    ).fit(X_big, y_big)
    return clf, X_big, y_big


def assert_no_training_rows(blob, X_big, y_big):
    assert len(blob) < 50_000  # X is 1.6 MB
    # Not one training or validation row, as the float32 bytes the net saw.
    for row in [0, 1, 19_999, *np.flatnonzero(y_big)[:20]]:
        assert X_big[row].tobytes() not in blob


@pytest.mark.parametrize("sampler", [None, "balanced_batch"])
def test_pickle_holds_no_training_data(sampler):
    # 20k rows x 20 features: a pickle that kept X, the validation split or
    # per-batch history would be hundreds of kilobytes to megabytes.
    clf, X_big, y_big = big_fit(sampler)
    blob = pickle.dumps(clf)
    assert_no_training_rows(blob, X_big, y_big)
    loaded = pickle.loads(blob)
    assert loaded.net_.train_split is None
    assert all(not row["batches"] for row in loaded.history_)
    assert np.array_equal(loaded.predict_proba(X_big[:100]), clf.predict_proba(X_big[:100]))


def test_fitted_sampler_is_kept_and_can_be_dropped_before_saving():
    # sampler_ is the fitted SMOTE, whose neighbour index holds minority
    # training rows (as in a fitted imbalanced-learn Pipeline); prediction
    # does not need it, so setting it to None gives a pickle without them.
    clf, X_big, y_big = big_fit("smote")
    minority = X_big[np.flatnonzero(y_big)[:20]]  # float32, as the sampler saw them
    assert any(row.tobytes() in pickle.dumps(clf) for row in minority)
    expected = clf.predict_proba(X_big[:100])
    clf.sampler_ = None
    blob = pickle.dumps(clf)
    assert_no_training_rows(blob, X_big, y_big)
    assert not any(row.tobytes() in blob for row in minority)
    assert np.array_equal(pickle.loads(blob).predict_proba(X_big[:100]), expected)


@pytest.mark.parametrize("prior_correction", [False, True])
def test_weights_alone_load_with_weights_only(prior_correction, tmp_path):
    # With prior correction the probabilities are calibrated to the 19 % base
    # rate of "fraud", so a threshold on P("ok") = classes_[1] of 0.8 keeps
    # the minority predicted.
    threshold = 0.8 if prior_correction else 0.5
    clf = make(prior_correction=prior_correction, threshold=threshold).fit(X, y)
    path = tmp_path / "weights.pt"
    torch.save(clf.net_.module_.state_dict(), path)
    module = MLP(clf.n_features_in_, hidden_layer_sizes=(8,))
    module.load_state_dict(torch.load(path, weights_only=True))
    with torch.no_grad():
        logits = module.eval()(torch.as_tensor(X, dtype=torch.float32)).double().numpy()
    positive = 1.0 / (1.0 + np.exp(-(logits - clf.prior_shift_ * prior_correction)))
    np.testing.assert_allclose(positive, clf.predict_proba(X)[:, 1], rtol=1e-5, atol=1e-6)
    # skorch's own mechanism: save_params, and load_params, which reads with
    # torch.load(weights_only=True), into a net of the same architecture.
    before = clf.predict_proba(X)
    buffer = io.BytesIO()
    clf.net_.save_params(f_params=buffer)
    with torch.no_grad():
        for parameter in clf.net_.module_.parameters():
            parameter.zero_()
    assert not np.array_equal(clf.predict_proba(X), before)
    buffer.seek(0)
    clf.net_.load_params(f_params=buffer)
    assert np.array_equal(clf.predict_proba(X), before)


@pytest.mark.skipif(torch.cuda.is_available(), reason="simulates a machine without a GPU")
def test_model_marked_as_fitted_on_a_gpu_loads_and_predicts_on_the_cpu():
    # What a pickle from a GPU fit records: the net's and the estimator's
    # device are "cuda". (The tensors are on the CPU here; tests/test_cuda.py
    # covers real GPU tensors.) Loading on a machine without CUDA warns through
    # skorch and predicts on the CPU, as the CPU model does.
    from skorch.exceptions import DeviceWarning

    clf = make().fit(X, y)
    expected = clf.predict_proba(X)
    clf.device_, clf.net_.device = "cuda", "cuda"
    with pytest.warns(DeviceWarning, match=r"\(cuda\) is not available|no CUDA devices"):
        loaded = pickle.loads(pickle.dumps(clf))
    assert loaded.device_ == "cpu" and str(loaded.net_.device) == "cpu"
    assert np.array_equal(loaded.predict_proba(X), expected)
