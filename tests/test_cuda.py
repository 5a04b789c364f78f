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
