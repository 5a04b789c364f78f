"""Pickle and joblib round-trips; small pickles; weights alone without pickle."""

import contextlib
import io
import pickle
from unittest import mock

import joblib
import numpy as np
import pytest
import torch
from imblearn.pipeline import make_pipeline
from imblearn.under_sampling import RandomUnderSampler
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV
from sklearn.preprocessing import StandardScaler

from imbbce import BalancedBCEClassifier, EnsembleMLP

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
    # The default network (eight members, dropout off in eval mode), at the width given.
    module = EnsembleMLP(clf.n_features_in_, hidden_layer_sizes=(8,))
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


# ---------------------------------------------------------------- one copy,
# a GPU model on a CPU-only machine, skops


def weight_bytes(clf):
    """The float32 bytes of the first layer's weight matrix."""
    first = next(clf.net_.module_.parameters())
    return first.detach().cpu().numpy().tobytes()


@pytest.mark.parametrize("how", ["pickle", "joblib"])
def test_a_saved_model_holds_one_copy_of_the_weights(how, tmp_path):
    # fit hands skorch the module it built, so net_.module is net_.module_;
    # that object must be written once, not once more next to skorch's copy.
    clf = make(hidden_layer_sizes=(32,)).fit(X, y)
    if how == "pickle":
        blob = pickle.dumps(clf)
    else:
        joblib.dump(clf, tmp_path / "m.joblib")
        blob = (tmp_path / "m.joblib").read_bytes()
    assert blob.count(weight_bytes(clf)) == 1
    loaded = pickle.loads(blob) if how == "pickle" else joblib.load(tmp_path / "m.joblib")
    assert loaded.net_.module is loaded.net_.module_
    assert loaded.net_.criterion is loaded.net_.criterion_
    assert_same_predictions(clf, loaded)


def test_the_optimizer_state_survives_a_round_trip():
    clf = make(optimizer="adam").fit(X, y)
    loaded = pickle_round_trip(clf)
    before, after = clf.net_.optimizer_.state_dict(), loaded.net_.optimizer_.state_dict()
    assert before["param_groups"] == after["param_groups"]
    for key, state in before["state"].items():
        for name, value in state.items():
            assert torch.equal(value, after["state"][key][name])
    # The rebuilt optimizer steps the loaded module's own parameters.
    params = {id(p) for p in loaded.net_.module_.parameters()}
    assert {
        id(p) for group in loaded.net_.optimizer_.param_groups for p in group["params"]
    } == params


@contextlib.contextmanager
def storages_tagged_as_cuda():
    """Save as torch does on a GPU: every storage is recorded as on "cuda:0".

    On a machine without CUDA, loading such a storage without a map to the
    CPU fails, as it does for a file written on a GPU machine.
    """
    real = torch.serialization.location_tag

    def location_tag(storage):
        return "cuda:0" if real(storage) == "cpu" else real(storage)

    with mock.patch.object(torch.serialization, "location_tag", location_tag):
        yield


def save_as_if_fitted_on_a_gpu(clf, dump):
    clf.device_, clf.net_.device = "cuda", "cuda"
    try:
        with storages_tagged_as_cuda():
            return dump(clf)
    finally:
        clf.device_, clf.net_.device = "cpu", "cpu"


def skops_dumps(obj):
    sio = pytest.importorskip("skops.io")
    return sio.dumps(obj)


def skops_loads(blob):
    sio = pytest.importorskip("skops.io")
    return sio.loads(blob, trusted=sio.get_untrusted_types(data=blob))


SAVERS = {
    "pickle": (pickle.dumps, pickle.loads),
    "joblib": (
        lambda obj: (joblib.dump(obj, buffer := io.BytesIO()), buffer.getvalue())[1],
        lambda blob: joblib.load(io.BytesIO(blob)),
    ),
    "skops": (skops_dumps, skops_loads),
}


@pytest.mark.skipif(torch.cuda.is_available(), reason="simulates a machine without a GPU")
@pytest.mark.parametrize("how", list(SAVERS))
def test_model_fitted_on_a_gpu_loads_and_predicts_on_a_machine_without_one(how):
    from skorch.exceptions import DeviceWarning

    dump, load = SAVERS[how]
    clf = make(threshold="auto", prior_correction=True).fit(X, y)
    expected = clf.predict_proba(X)
    blob = save_as_if_fitted_on_a_gpu(clf, dump)
    with pytest.warns(DeviceWarning, match=r"\(cuda\) is not available|no CUDA devices"):
        loaded = load(blob)
    assert loaded.device_ == "cpu" and str(loaded.net_.device) == "cpu"
    assert all(p.device.type == "cpu" for p in loaded.net_.module_.parameters())
    assert np.array_equal(loaded.predict_proba(X), expected)
    assert np.array_equal(loaded.predict(X), clf.predict(X))


def test_a_pickle_in_skorchs_own_format_still_loads():
    # What nets pickled before imbbce's own format look like.
    from skorch import NeuralNet

    clf = make().fit(X, y)
    state = NeuralNet.__getstate__(clf.net_)
    net = type(clf.net_).__new__(type(clf.net_))
    net.__setstate__(state)
    clf.net_ = net
    assert np.array_equal(clf.predict_proba(X), make().fit(X, y).predict_proba(X))


def test_the_network_payload_admits_only_the_classes_named_next_to_it():
    # The module's classes travel as class objects beside the payload (so
    # skops names them); torch.load admits exactly those.
    clf = make().fit(X, y)
    state = clf.net_.__getstate__()
    assert EnsembleMLP in state["_imbbce_payload_types"]
    state["_imbbce_payload_types"] = [
        t for t in state["_imbbce_payload_types"] if t is not EnsembleMLP
    ]
    net = type(clf.net_).__new__(type(clf.net_))
    with pytest.raises(pickle.UnpicklingError, match="EnsembleMLP"):
        net.__setstate__(state)


#: What skops.io.get_untrusted_types lists for a fitted estimator with the
#: default settings, documented in the user guide (docs/user_guide/saving.rst).
DEFAULT_UNTRUSTED_TYPES = [
    "functools.partial",
    "imbbce._callbacks.DivergenceGuard",
    "imbbce._classifier.BalancedBCEClassifier",
    "imbbce._data.BatchIterator",
    "imbbce._encoder.TableEncoder",
    "imbbce._losses.LogitAdjustedLoss",
    "imbbce._modules.BatchEnsembleLinear",
    "imbbce._modules.EnsembleMLP",
    "imbbce._modules.MemberSharedDropout",
    "imbbce._net.ImbalanceNet",
    "skorch.callbacks.logging.EpochTimer",
    "skorch.callbacks.scoring.PassthroughScoring",
    "skorch.dataset.Dataset",
    "skorch.history.History",
    "skorch.setter.optimizer_setter",
    "torch.nn.modules.activation.ReLU",
    "torch.nn.modules.container.Sequential",
    "torch.optim.adam.Adam",
]


def test_skops_round_trip_lists_the_classes_it_needs():
    sio = pytest.importorskip("skops.io")
    clf = make().fit(X, y)
    blob = sio.dumps(clf)
    assert sio.get_untrusted_types(data=blob) == DEFAULT_UNTRUSTED_TYPES
    with pytest.raises(sio.exceptions.UntrustedTypesFoundException):
        sio.loads(blob)
    loaded = sio.loads(blob, trusted=DEFAULT_UNTRUSTED_TYPES)
    assert_same_predictions(clf, loaded)
    assert blob.count(weight_bytes(clf)) == 1


@pytest.mark.parametrize(
    "params",
    [dict(early_stopping=True, n_iter_no_change=2), dict(sampler="smote", optimizer="sgd")],
    ids=["early_stopping", "smote"],
)
def test_skops_round_trip_of_a_pipeline(params, tmp_path):
    sio = pytest.importorskip("skops.io")
    from sklearn.pipeline import make_pipeline as make_sklearn_pipeline

    pipe = make_sklearn_pipeline(StandardScaler(), make(**params)).fit(X, y)
    sio.dump(pipe, tmp_path / "model.skops")
    untrusted = sio.get_untrusted_types(file=tmp_path / "model.skops")
    # Beyond the defaults' list, only what these settings add.
    assert set(untrusted) - set(DEFAULT_UNTRUSTED_TYPES) <= {
        "imbbce._callbacks.FlaggedEarlyStopping",
        "imbbce._net._silent",
        "imbbce._scoring.MinorityScorer",
        "skorch.callbacks.scoring.EpochScoring",
        "torch.optim.sgd.SGD",
        "imblearn.over_sampling._smote.base.SMOTE",
        # SMOTE's fitted neighbours (sampler_), which prediction does not need
        "sklearn.neighbors._unsupervised.NearestNeighbors",
        "sklearn.neighbors._kd_tree.KDTree",
        "sklearn.metrics._dist_metrics.EuclideanDistance64",
    }
    loaded = sio.load(tmp_path / "model.skops", trusted=untrusted)
    assert_same_predictions(pipe, loaded)


@pytest.mark.parametrize("how", ["pickle", "gpu"])
def test_on_a_torch_without_payload_support_one_copy_and_cpu_loading_still_hold(how):
    # torch < 2.5 cannot list a payload's classes: skorch's own format is
    # kept, without the second copy that escaped its map to the CPU.
    from imbbce import _persistence

    clf = make().fit(X, y)
    with mock.patch.object(_persistence, "supported", return_value=False):
        if how == "pickle":
            blob = pickle.dumps(clf)
            assert blob.count(weight_bytes(clf)) == 1
            loaded = pickle.loads(blob)
            assert loaded.net_.module is loaded.net_.module_
            assert_same_predictions(clf, loaded)
        elif not torch.cuda.is_available():
            from skorch.exceptions import DeviceWarning

            blob = save_as_if_fitted_on_a_gpu(clf, pickle.dumps)
            with pytest.warns(DeviceWarning):
                loaded = pickle.loads(blob)
            assert np.array_equal(loaded.predict_proba(X), clf.predict_proba(X))
