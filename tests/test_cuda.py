"""The CUDA path. These tests need a GPU and are skipped without one."""

import pickle

import numpy as np
import pytest
import torch
from sklearn.datasets import make_classification

from imbbce import BalancedBCEClassifier

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


LOAD_ON_CPU = """
import pickle, sys, warnings
import numpy as np, torch
assert not torch.cuda.is_available()
with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # skorch's DeviceWarning, expected here
    clf = pickle.load(open(sys.argv[1], "rb"))
assert clf.device_ == "cpu"
assert all(p.device.type == "cpu" for p in clf.net_.module_.parameters())
np.save(sys.argv[2], clf.predict_proba(np.load(sys.argv[3])))
"""


def test_a_model_fitted_on_the_gpu_loads_and_predicts_where_cuda_is_hidden(data, tmp_path):
    import os
    import subprocess
    import sys

    X, y = data
    clf = BalancedBCEClassifier(
        device="cuda", max_iter=5, calibration="temperature", prior_correction=True, random_state=0
    ).fit(X, y)
    (tmp_path / "model.pkl").write_bytes(pickle.dumps(clf))
    np.save(tmp_path / "X.npy", X)
    env = {**os.environ, "CUDA_VISIBLE_DEVICES": ""}
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            LOAD_ON_CPU,
            str(tmp_path / "model.pkl"),
            str(tmp_path / "proba.npy"),
            str(tmp_path / "X.npy"),
        ],
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    # The same weights on another device: equal up to float32 rounding.
    np.testing.assert_allclose(np.load(tmp_path / "proba.npy"), clf.predict_proba(X), atol=1e-5)


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
