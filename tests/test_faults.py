"""Faults during training: divergence, a user's Ctrl-C, errors in a user's module."""

import numpy as np
import pytest
import torch
from sklearn.exceptions import NotFittedError
from torch import nn

from imbbce import BalancedBCEClassifier

# Tiny data: a fit here is a fraction of a second. A net stopped after a few
# epochs (or restored to its first) may well predict one class: the collapse
# warning is right there and not what these tests check.
pytestmark = pytest.mark.filterwarnings("ignore::imbbce.MajorityCollapseWarning")

RNG = np.random.RandomState(0)
X = RNG.randn(120, 4).astype(np.float32)
y = (X[:, 0] + 0.5 * RNG.randn(120) > 1.0).astype(np.int64)  # about 20 % positives


class Faulty(nn.Module):
    """A linear model whose forward fails on its ``after``-th call.

    ``fault`` is "nan" (returns NaN logits from then on), "interrupt" (raises
    KeyboardInterrupt once, as Ctrl-C would) or "boom" (raises RuntimeError).
    """

    def __init__(self, n_features_in, after=10, fault="nan"):
        super().__init__()
        self.linear = nn.Linear(n_features_in, 1)
        self.after = after
        self.fault = fault
        self.calls = 0

    def forward(self, X):
        self.calls += 1
        if self.calls == self.after and self.fault == "interrupt":
            raise KeyboardInterrupt
        if self.calls == self.after and self.fault == "boom":
            raise RuntimeError("boom")
        logits = self.linear(X).squeeze(-1)
        if self.calls >= self.after and self.fault == "nan":
            return logits * float("nan")
        return logits


def faulty(after, fault, **params):
    # Batches of 32: 4 forward calls per epoch without early stopping (120
    # rows); with it, 5 (108 training rows in 4 batches, 1 validation batch).
    defaults = dict(max_iter=10, batch_size=32, n_iter_no_change=20, random_state=0)
    return BalancedBCEClassifier(
        module=Faulty, module_params={"after": after, "fault": fault}, **(defaults | params)
    )


def _weights(clf):
    return torch.cat([p.detach().reshape(-1) for p in clf.net_.module_.parameters()])


def test_failed_refit_does_not_leave_the_previous_fit_half_overwritten():
    clf = BalancedBCEClassifier(max_iter=2, random_state=0).fit(X, y)
    with pytest.raises(ValueError, match="only one class"):
        clf.fit(X, np.zeros_like(y))
    with pytest.raises(NotFittedError):
        clf.predict_proba(X)
    assert not [name for name in vars(clf) if name.endswith("_")]
    # ... and it fits again afterwards.
    assert clf.fit(X, y).predict(X).shape == y.shape
