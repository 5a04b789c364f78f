"""Thread-count choice and restoration."""

import numpy as np
import pytest
import torch

from imbbce import BalancedBCEClassifier
from imbbce._threads import THREADED_WORK, choose_n_threads, prediction_threads, torch_threads


def test_explicit_count_is_used():
    assert choose_n_threads(3, 10, 10) == 3


def test_small_networks_get_one_thread():
    assert choose_n_threads(None, 20_000, 256) == 1


def test_large_networks_get_torch_default_bounded_by_cores(monkeypatch):
    monkeypatch.setattr(torch, "get_num_threads", lambda: 8)
    monkeypatch.setattr("imbbce._threads.available_cores", lambda: 2)
    assert choose_n_threads(None, THREADED_WORK, 1) == 2  # capped by the cores
    assert choose_n_threads(None, THREADED_WORK - 1, 1) == 1  # just below: one thread
    monkeypatch.setattr("imbbce._threads.available_cores", lambda: 16)
    assert choose_n_threads(None, THREADED_WORK, 1) == 8  # torch's own setting


def test_context_restores_the_global_setting():
    before = torch.get_num_threads()
    with torch_threads(before + 1):
        assert torch.get_num_threads() == before + 1
    assert torch.get_num_threads() == before


def test_context_restores_after_an_error():
    before = torch.get_num_threads()
    try:
        with torch_threads(before + 1):
            raise RuntimeError
    except RuntimeError:
        pass
    assert torch.get_num_threads() == before


def test_prediction_never_exceeds_the_current_setting_unless_asked():
    before = torch.get_num_threads()
    try:
        torch.set_num_threads(1)
        assert prediction_threads(None, 16) == 1
        assert prediction_threads(3, 16) == 3  # an explicit n_threads is used as given
        torch.set_num_threads(2)
        assert prediction_threads(None, 16) == 2
        assert prediction_threads(None, 1) == 1
    finally:
        torch.set_num_threads(before)


# One epoch on 200 rows may predict one class; the warning is right and beside the point.
@pytest.mark.filterwarnings("ignore::imbbce.MajorityCollapseWarning")
def test_a_model_fitted_with_more_threads_predicts_within_the_callers_setting():
    rng = np.random.RandomState(0)
    X = rng.randn(200, 4)
    y = (X[:, 0] > 1).astype(int)
    clf = BalancedBCEClassifier(hidden_layer_sizes=(8,), max_iter=1, n_threads=2, random_state=0)
    clf.fit(X, y)
    assert clf.n_threads_ == 2
    clf.set_params(n_threads=None)  # as if chosen automatically on a bigger machine
    seen = []
    clf.net_.module_.register_forward_hook(lambda *_: seen.append(torch.get_num_threads()))
    before = torch.get_num_threads()
    try:
        torch.set_num_threads(1)
        clf.predict_proba(X)
        assert seen and set(seen) == {1}
        assert torch.get_num_threads() == 1
    finally:
        torch.set_num_threads(before)
