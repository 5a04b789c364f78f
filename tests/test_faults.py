"""Faults during training: divergence, a user's Ctrl-C, errors in a user's module."""

import traceback

import numpy as np
import pytest
import torch
from sklearn.exceptions import NotFittedError
from torch import nn

from imbbce import BalancedBCEClassifier, TrainingDivergedWarning

# Tiny data: a fit here is a fraction of a second. A net stopped after a few
# epochs (or restored to its first) may well predict one class: the collapse
# warning is right there and not what these tests check.
pytestmark = pytest.mark.filterwarnings("ignore::imbbce.MajorityCollapseWarning")

RNG = np.random.RandomState(0)
X = RNG.randn(120, 4).astype(np.float32)
y = (X[:, 0] + 0.5 * RNG.randn(120) > 1.0).astype(np.int64)  # about 20 % positives


class Faulty(nn.Module):
    """A linear model whose forward fails on its ``after``-th call.

    ``fault`` is "nan" (returns NaN logits from then on), "huge" (finite
    logits times 1e7 from then on: a finite loss above the divergence limit),
    "inf_weight" (sets the bias to infinity once, after computing finite
    logits: only the weights show it), "interrupt" (raises KeyboardInterrupt
    once, as Ctrl-C would) or "boom" (raises RuntimeError).
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
        if self.calls >= self.after and self.fault == "huge":
            return logits * 1e7
        if self.calls == self.after and self.fault == "inf_weight":
            with torch.no_grad():
                self.linear.bias.fill_(float("inf"))
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


# --------------------------------------------------------------- divergence


@pytest.mark.parametrize("early_stopping", [True, False])
def test_huge_learning_rate_stops_with_finite_weights_and_says_what_to_change(early_stopping):
    clf = BalancedBCEClassifier(
        optimizer="sgd",
        learning_rate_init=1e6,
        max_iter=20,
        early_stopping=early_stopping,
        random_state=0,
    )
    with pytest.warns(TrainingDivergedWarning, match="Lower learning_rate_init") as record:
        clf.fit(X, y)
    assert record[0].filename == __file__  # points at the caller's line
    assert clf.stop_reason_ == "diverged"
    assert clf.n_iter_ < 20
    assert torch.isfinite(_weights(clf)).all()
    proba = clf.predict_proba(X)
    assert np.isfinite(proba).all()


@pytest.mark.parametrize("early_stopping", [True, False])
def test_module_turning_nan_restores_the_last_good_weights(early_stopping):
    # NaN from the 11th forward call on: epochs 1 and 2 finish (4 or 5 calls
    # each), the first training batch of epoch 3 diverges.
    clf = faulty(after=11, fault="nan", early_stopping=early_stopping)
    with pytest.warns(TrainingDivergedWarning, match="epoch 3") as record:
        clf.fit(X, y)
    assert "weights of epoch 2 were restored" in str(record[0].message) or early_stopping
    assert clf.stop_reason_ == "diverged"
    assert clf.best_epoch_ in (1, 2)
    # Epoch 3 did not finish: it is neither counted nor half-recorded.
    assert clf.n_iter_ == len(clf.history_) == 2
    assert all("train_loss" in row for row in clf.history_)
    # Restored: exactly the weights a clean fit of those two epochs keeps.
    clean_two = faulty(after=10**9, fault="nan", early_stopping=early_stopping, max_iter=2)
    assert torch.equal(_weights(clf), _weights(clean_two.fit(X, y)))


@pytest.mark.parametrize(
    "fault, epoch",
    [
        ("huge", 3),  # finite loss above 1e6, from the first batch of epoch 3
        ("inf_weight", 2),  # only the weights at the end of epoch 2 show it
    ],
)
def test_divergence_is_caught_by_the_loss_limit_and_by_the_weights(fault, epoch):
    # Without early stopping: 4 forward calls per epoch; call 9 opens epoch 3,
    # call 8 is the last training batch of epoch 2.
    after = 9 if fault == "huge" else 8
    clf = faulty(after=after, fault=fault, early_stopping=False)
    with pytest.warns(TrainingDivergedWarning, match=f"diverged in epoch {epoch}"):
        clf.fit(X, y)
    assert clf.stop_reason_ == "diverged" and clf.n_iter_ == epoch - 1
    clean = faulty(after=10**9, fault=fault, early_stopping=False, max_iter=epoch - 1)
    assert torch.equal(_weights(clf), _weights(clean.fit(X, y)))
    assert torch.isfinite(_weights(clf)).all()
    # Later calls of the module return NaN again; the restored weights are the
    # good ones, so a fresh finite module with them predicts finite values.
    clean = Faulty(X.shape[1], after=10**9)
    clean.load_state_dict(clf.net_.module_.state_dict())
    assert torch.isfinite(clean(torch.from_numpy(X))).all()


# ------------------------------------------------------------ Ctrl-C in fit


@pytest.mark.parametrize("early_stopping", [True, False])
def test_keyboard_interrupt_keeps_the_finished_epochs_and_says_so(early_stopping):
    # Interrupted in epoch 4 (calls 13-16, or 16-20 with early stopping).
    clf = faulty(after=16, fault="interrupt", early_stopping=early_stopping)
    with pytest.warns(UserWarning, match=r"interrupted \(KeyboardInterrupt\) in epoch 4 of 10"):
        clf.fit(X, y)
    assert clf.stop_reason_ == "interrupted"
    assert clf.n_iter_ == 3
    assert len(clf.history_) == 3
    # Every kept history row is complete.
    assert all("train_loss" in row for row in clf.history_)
    assert 1 <= clf.best_epoch_ <= 3
    if not early_stopping:
        assert clf.best_epoch_ == 3
    proba = clf.predict_proba(X)
    assert np.isfinite(proba).all()
    assert set(clf.predict(X)) <= set(clf.classes_)


def test_keyboard_interrupt_in_the_last_epoch_is_not_reported_as_max_iter():
    # max_iter=3 without early stopping: calls 9-12 are epoch 3.
    clf = faulty(after=10, fault="interrupt", early_stopping=False, max_iter=3)
    with pytest.warns(UserWarning, match="in epoch 3 of 3"):
        clf.fit(X, y)
    assert clf.stop_reason_ == "interrupted"
    assert clf.n_iter_ == clf.best_epoch_ == 2


def test_keyboard_interrupt_weights_are_those_of_the_last_finished_epoch():
    kept = faulty(after=10, fault="interrupt", early_stopping=False, max_iter=3)
    with pytest.warns(UserWarning, match="interrupted"):
        kept.fit(X, y)
    full = faulty(after=10**9, fault="interrupt", early_stopping=False, max_iter=2).fit(X, y)
    assert torch.equal(_weights(kept), _weights(full))


@pytest.mark.parametrize("early_stopping", [True, False])
def test_keyboard_interrupt_in_the_first_epoch_propagates_and_leaves_it_unfitted(
    early_stopping,
):
    clf = faulty(after=2, fault="interrupt", early_stopping=early_stopping)
    with pytest.raises(KeyboardInterrupt):
        clf.fit(X, y)
    with pytest.raises(NotFittedError):
        clf.predict(X)
    assert not [name for name in vars(clf) if name.endswith("_")]


def test_failed_refit_does_not_leave_the_previous_fit_half_overwritten():
    clf = BalancedBCEClassifier(max_iter=2, random_state=0).fit(X, y)
    with pytest.raises(ValueError, match="only one class"):
        clf.fit(X, np.zeros_like(y))
    with pytest.raises(NotFittedError):
        clf.predict_proba(X)
    assert not [name for name in vars(clf) if name.endswith("_")]
    # ... and it fits again afterwards.
    assert clf.fit(X, y).predict(X).shape == y.shape


# ----------------------------------------------- errors in the user's module


def test_error_in_user_module_propagates_with_its_own_traceback():
    clf = faulty(after=5, fault="boom")
    with pytest.raises(RuntimeError, match="boom") as info:
        clf.fit(X, y)
    frames = traceback.extract_tb(info.value.__traceback__)
    assert frames[-1].name == "forward"
    assert frames[-1].filename == __file__
    assert 'raise RuntimeError("boom")' in frames[-1].line
    assert not hasattr(clf, "net_")
