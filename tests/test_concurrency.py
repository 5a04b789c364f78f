"""A fitted estimator predicts from several threads at once as it does serially."""

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

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
