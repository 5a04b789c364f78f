"""Many fits in one process: nothing is kept alive, memory does not grow."""

import gc
import importlib.util
import weakref
from pathlib import Path

import numpy as np
import pytest

from imbbce import BalancedBCEClassifier

RNG = np.random.RandomState(0)
X = RNG.randn(300, 6)
y = (X[:, 0] + RNG.randn(300) > 1.2).astype(np.int64)


@pytest.mark.parametrize(
    "params",
    [dict(), dict(sampler="smote", threshold="auto", early_stopping=True)],
    ids=["default", "smote_auto"],
)
def test_a_dropped_estimator_frees_its_net_and_module(params):
    # Anything that holds on to a fitted estimator's objects (a global cache,
    # a callback registry) leaks one net per fit over a long run.
    clf = BalancedBCEClassifier(max_iter=2, random_state=0, **params).fit(X, y)
    clf.predict_proba(X)
    refs = [weakref.ref(obj) for obj in (clf, clf.net_, clf.net_.module_, clf.net_.optimizer_)]
    del clf
    gc.collect()
    assert [ref() for ref in refs] == [None] * len(refs)


@pytest.mark.slow
def test_200_fit_predict_cycles_do_not_grow_resident_memory():
    path = Path(__file__).resolve().parents[1] / "benchmarks" / "long_run.py"
    spec = importlib.util.spec_from_file_location("long_run", path)
    long_run = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(long_run)
    assert long_run.main(["--cycles", "200", "--every", "20", "--max-growth-mb", "20"]) == 0
