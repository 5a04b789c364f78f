"""Determinism: the same random_state gives bit-identical models, everywhere."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from sklearn.model_selection import GridSearchCV, StratifiedKFold

from imbbce import BalancedBCEClassifier

ROOT = Path(__file__).resolve().parents[1]
# Short fits on tiny data may predict one class, and the collapse warning is
# then right; these tests are about something else, so they allow it.
pytestmark = pytest.mark.filterwarnings("ignore::imbbce.MajorityCollapseWarning")

RNG = np.random.RandomState(0)
X = RNG.randn(200, 5)
y = (X[:, 0] + RNG.randn(200) > 1.2).astype(np.int64)

# Every random draw of fit in use: the split, a sampler's, initial weights,
# dropout, batch order, balanced batches and noise.
CONFIGS = {
    "smote": dict(sampler="smote", dropout=0.3, noise_std=0.1),
    "balanced_batch": dict(sampler="balanced_batch", dropout=0.3, early_stopping=False),
}


def make(random_state, **params):
    base = dict(
        hidden_layer_sizes=(8,),
        learning_rate_init=0.01,
        max_iter=5,
        batch_size=32,
        random_state=random_state,
    )
    return BalancedBCEClassifier(**(base | params))


@pytest.mark.parametrize("config", CONFIGS)
def test_same_random_state_is_bit_identical_and_another_differs(config):
    first = make(0, **CONFIGS[config]).fit(X, y).predict_proba(X)
    second = make(0, **CONFIGS[config]).fit(X, y).predict_proba(X)
    other = make(1, **CONFIGS[config]).fit(X, y).predict_proba(X)
    assert np.array_equal(first, second)
    assert not np.allclose(first, other)


def test_same_random_state_is_bit_identical_across_processes(tmp_path):
    here = make(0, **CONFIGS["smote"]).fit(X, y).predict_proba(X)
    out = tmp_path / "proba.npy"
    script = f"""
import numpy as np, torch
torch.set_num_threads(1)
from tests.test_determinism import CONFIGS, X, make, y
np.save({str(out)!r}, make(0, **CONFIGS["smote"]).fit(X, y).predict_proba(X))
"""
    subprocess.run([sys.executable, "-c", script], cwd=ROOT, check=True, timeout=120)
    assert np.array_equal(np.load(out), here)


def test_grid_search_in_parallel_matches_serial():
    grid = {"class_weight": [None, "balanced"], "noise_std": [0.0, 0.1]}
    cv = StratifiedKFold(2, shuffle=True, random_state=0)

    def search(n_jobs):
        # Without early stopping: a 5-row validation split in 100-row folds
        # would make collapse warnings plausible, and they are not the point.
        return GridSearchCV(
            make(0, early_stopping=False), grid, cv=cv, scoring="neg_log_loss", n_jobs=n_jobs
        ).fit(X, y)

    # The log loss depends on every probability's exact value, so equal scores
    # mean the fits in the worker processes equal those in this one.
    serial, parallel = search(1), search(2)
    for key in ("split0_test_score", "split1_test_score"):
        assert np.array_equal(serial.cv_results_[key], parallel.cv_results_[key])
    assert np.array_equal(
        serial.best_estimator_.predict_proba(X), parallel.best_estimator_.predict_proba(X)
    )


@pytest.mark.parametrize("random_state", [None, 0])
def test_fit_leaves_torch_global_rng_as_it_was(random_state):
    before = torch.random.get_rng_state()
    make(random_state, dropout=0.3, noise_std=0.1).fit(X, y)
    assert torch.equal(torch.random.get_rng_state(), before)


def test_random_state_none_gives_different_models():
    first = make(None).fit(X, y).predict_proba(X)
    second = make(None).fit(X, y).predict_proba(X)
    assert not np.allclose(first, second)
