"""The CUDA path. These tests need a GPU and are skipped without one."""

import os
import pickle
import subprocess
import sys

import numpy as np
import pytest
import torch
from imblearn.pipeline import make_pipeline
from scipy import sparse
from sklearn.datasets import make_classification
from sklearn.metrics import roc_auc_score
from sklearn.preprocessing import StandardScaler

from imbbce import BalancedBCEClassifier
from imbbce._embeddings import EMBEDDINGS

pytestmark = [
    pytest.mark.cuda,
    pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU"),
]


@pytest.fixture(scope="module")
def data():
    return make_classification(n_samples=2000, n_features=10, weights=[0.9], random_state=0)


def test_fit_on_cuda_predicts_like_a_classifier(data):
    X, y = data
    clf = BalancedBCEClassifier(device="cuda", max_iter=10, random_state=0).fit(X, y)
    assert clf.device_ == "cuda"
    assert next(clf.net_.module_.parameters()).is_cuda
    proba = clf.predict_proba(X)
    assert proba.shape == (2000, 2) and np.isfinite(proba).all()


def test_auto_takes_the_gpu(data):
    X, y = data
    assert BalancedBCEClassifier(device="auto", max_iter=2).fit(X, y).device_ == "cuda"


def test_pickle_round_trip_on_cuda(data):
    X, y = data
    clf = BalancedBCEClassifier(device="cuda", max_iter=5, random_state=0).fit(X, y)
    loaded = pickle.loads(pickle.dumps(clf))
    np.testing.assert_allclose(loaded.predict_proba(X), clf.predict_proba(X), rtol=1e-6)


# Loads a saved model in a process where CUDA is hidden and writes its
# predictions: what a CPU-only machine does with a model fitted on a GPU.
LOAD_ON_CPU = """
import pickle, sys, warnings
import joblib, numpy as np, torch
assert not torch.cuda.is_available()
how, path, out, data = sys.argv[1:]
with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # skorch's DeviceWarning, expected here
    if how == "pickle":
        model = pickle.load(open(path, "rb"))
    elif how == "joblib":
        model = joblib.load(path)
    else:
        import skops.io as sio
        model = sio.load(path, trusted=sio.get_untrusted_types(file=path))
clf = model[-1] if hasattr(model, "steps") else model
assert clf.device_ == "cpu", clf.device_
assert all(p.device.type == "cpu" for p in clf.net_.module_.parameters())
assert all(b.device.type == "cpu" for b in clf.net_.module_.buffers())
X = np.load(data)
np.save(out, np.column_stack([model.predict_proba(X), model.predict(X)]))
"""


def save(model, how, path):
    if how == "pickle":
        path.write_bytes(pickle.dumps(model))
    elif how == "joblib":
        import joblib

        joblib.dump(model, path)
    else:
        sio = pytest.importorskip("skops.io")
        sio.dump(model, path)


def load_where_cuda_is_hidden(how, path, X, tmp_path):
    np.save(tmp_path / "X.npy", X)
    out = tmp_path / "out.npy"
    env = {**os.environ, "CUDA_VISIBLE_DEVICES": ""}
    args = [sys.executable, "-c", LOAD_ON_CPU, how, str(path), str(out), str(tmp_path / "X.npy")]
    result = subprocess.run(args, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    loaded = np.load(out)
    return loaded[:, :2], loaded[:, 2]


@pytest.mark.parametrize("how", ["pickle", "joblib", "skops"])
def test_a_model_fitted_on_the_gpu_loads_and_predicts_where_cuda_is_hidden(how, data, tmp_path):
    X, y = data
    clf = BalancedBCEClassifier(
        device="cuda", max_iter=5, calibration="temperature", prior_correction=True, random_state=0
    ).fit(X, y)
    save(clf, how, tmp_path / "model")
    proba, labels = load_where_cuda_is_hidden(how, tmp_path / "model", X, tmp_path)
    # The same weights on another device: equal up to float32 rounding.
    np.testing.assert_allclose(proba, clf.predict_proba(X), atol=1e-5)
    assert np.mean(labels == clf.predict(X)) > 0.999  # a label may flip at the threshold


@pytest.mark.parametrize("how", ["pickle", "skops"])
def test_a_pipeline_with_every_network_option_fitted_on_the_gpu_loads_where_cuda_is_hidden(
    how, data, tmp_path
):
    X, y = data
    pipe = make_pipeline(
        StandardScaler(),
        BalancedBCEClassifier(
            device="cuda",
            ensemble_size=4,
            numerical_embedding="piecewise_linear_half",
            sampler="smote",
            threshold="auto",
            prior_correction=True,
            calibration="temperature",
            max_iter=5,
            random_state=0,
        ),
    ).fit(X, y)
    save(pipe, how, tmp_path / "model")
    proba, labels = load_where_cuda_is_hidden(how, tmp_path / "model", X, tmp_path)
    np.testing.assert_allclose(proba, pipe.predict_proba(X), atol=1e-5)
    assert np.mean(labels == pipe.predict(X)) > 0.999


@pytest.mark.parametrize("embedding", [None, *EMBEDDINGS])
@pytest.mark.parametrize("ensemble_size", [1, 4])
def test_every_network_trains_on_the_gpu(embedding, ensemble_size, data):
    X, y = data
    clf = BalancedBCEClassifier(
        device="cuda",
        ensemble_size=ensemble_size,
        numerical_embedding=embedding,
        max_iter=10,
        random_state=0,
    ).fit(X, y)
    module = clf.net_.module_
    assert all(t.is_cuda for t in [*module.parameters(), *module.buffers()])
    proba = clf.predict_proba(X)[:, 1]
    assert np.isfinite(proba).all()
    assert roc_auc_score(y, proba) > 0.8


def test_remedies_and_sparse_input_on_the_gpu(data):
    X, y = data
    weights = np.where(y == 1, 2.0, 1.0)
    clf = BalancedBCEClassifier(
        device="cuda",
        sampler="balanced_batch",
        loss="focal",
        noise_std=0.05,
        l1=1e-5,
        threshold="auto",
        max_iter=10,
        random_state=0,
    ).fit(sparse.csr_matrix(X), y, sample_weight=weights)
    proba = clf.predict_proba(sparse.csr_matrix(X))
    np.testing.assert_allclose(proba, clf.predict_proba(X), atol=1e-6)
    assert clf.predict(X).sum() > 0


def test_the_same_seed_fits_the_same_model_on_the_gpu(data):
    X, y = data
    params = dict(device="cuda", ensemble_size=4, max_iter=5, random_state=0)
    first = BalancedBCEClassifier(**params).fit(X, y).predict_proba(X)
    second = BalancedBCEClassifier(**params).fit(X, y).predict_proba(X)
    np.testing.assert_allclose(first, second, atol=1e-6)


def test_a_model_fitted_on_the_gpu_exports_to_onnx(data):
    skl2onnx = pytest.importorskip("skl2onnx")
    ort = pytest.importorskip("onnxruntime")
    X, y = data
    clf = BalancedBCEClassifier(device="cuda", max_iter=5, random_state=0).fit(X, y)
    onx = skl2onnx.to_onnx(clf, X[:1].astype(np.float32), options={"zipmap": False})
    runtime = ort.InferenceSession(onx.SerializeToString(), providers=["CPUExecutionProvider"])
    _, proba = runtime.run(None, {runtime.get_inputs()[0].name: X.astype(np.float32)})
    np.testing.assert_allclose(proba, clf.predict_proba(X), atol=1e-5)
    assert next(clf.net_.module_.parameters()).is_cuda  # exported from a CPU copy
