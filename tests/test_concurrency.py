"""Several threads at once: fits take turns and match serial fits; predictions
run concurrently and match serial predictions."""

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
import torch

from imbbce import BalancedBCEClassifier

# Short fits on tiny data may predict one class, and the collapse warning is
# then right; these tests are about something else, so they allow it.
pytestmark = pytest.mark.filterwarnings("ignore::imbbce.MajorityCollapseWarning")

RNG = np.random.RandomState(0)
X = RNG.randn(400, 6)
y = (X[:, 0] + RNG.randn(400) > 1.2).astype(np.int64)


@pytest.mark.parametrize("early_stopping", [False, True])
def test_predict_from_several_threads_matches_serial(early_stopping):
    # Dropout makes any prediction made in training mode differ.
    clf = BalancedBCEClassifier(
        hidden_layer_sizes=(16,),
        dropout=0.5,
        max_iter=3,
        early_stopping=early_stopping,
        random_state=0,
    ).fit(X, y)
    # 1100 rows: three blocks of predict_logits, so threads interleave.
    X_new = RNG.randn(1100, 6)
    assert not clf.net_.module_.training  # prediction never toggles a shared mode
    serial_proba = clf.predict_proba(X_new)
    serial_labels = clf.predict(X_new)
    with ThreadPoolExecutor(max_workers=4) as pool:
        probas = list(pool.map(lambda _: clf.predict_proba(X_new), range(16)))
        labels = list(pool.map(lambda _: clf.predict(X_new), range(8)))
    assert all(np.array_equal(p, serial_proba) for p in probas)
    assert all(np.array_equal(lab, serial_labels) for lab in labels)


def test_fits_from_several_threads_match_serial_fits():
    # Dropout and the initial weights draw from torch's process-wide
    # generator; unserialised, threads drew each other's numbers.
    params = dict(hidden_layer_sizes=(32,), dropout=0.3, max_iter=4, batch_size=32)

    def fit_and_predict(seed):
        return BalancedBCEClassifier(**params, random_state=seed).fit(X, y).predict_proba(X)

    serial = [fit_and_predict(seed) for seed in range(4)]
    torch.manual_seed(123)
    caller_state = torch.get_rng_state()
    with ThreadPoolExecutor(max_workers=4) as pool:
        threaded = list(pool.map(fit_and_predict, range(4)))
    assert all(np.array_equal(a, b) for a, b in zip(serial, threaded))
    assert torch.equal(torch.get_rng_state(), caller_state)
