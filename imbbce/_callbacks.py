"""skorch callbacks that end training: early stopping, and a guard against
diverging training.

skorch stops training by raising ``KeyboardInterrupt`` from a callback and
swallowing it; imbbce's callbacks raise :class:`StopTraining`, a subclass,
so that a user's Ctrl-C can be told apart from an internal stop.
"""

import math

import numpy as np
import torch
from skorch.callbacks import Callback, EarlyStopping

__all__ = [
    "LOSS_LIMIT",
    "DivergenceGuard",
    "FlaggedEarlyStopping",
    "StopTraining",
    "TrainingDiverged",
    "copy_state",
]

#: A training loss above this is treated as divergence, even while finite.
LOSS_LIMIT = 1e6


class FlaggedEarlyStopping(EarlyStopping):
    """skorch's ``EarlyStopping``, with ties broken by the validation loss,
    recording when it ended training.

    skorch stops by raising ``KeyboardInterrupt`` and swallows it, so
    without the ``stopped_`` flag an early stop and a user's Ctrl-C look the
    same.

    Ties: on a validation split with a handful of minority rows, a ranking
    score such as average precision often reaches its maximum (1.0) in the
    first epochs and then only wobbles below it; without a tie-break the
    early epoch's weights, barely trained, would be restored. So an epoch
    whose score is within ``threshold`` of the best so far and whose
    validation loss is lower than the best epoch's by more than
    ``threshold`` also counts as an improvement. The score to beat stays
    the best one seen, so accepted ties cannot walk the score down.
    """

    def on_train_begin(self, net, **kwargs):
        self.stopped_ = False
        self.best_loss_ = np.inf
        self._best_score = -np.inf
        super().on_train_begin(net, **kwargs)

    def on_epoch_end(self, net, **kwargs):
        self._loss = net.history[-1].get("valid_loss", np.inf)
        try:
            super().on_epoch_end(net, **kwargs)
        except KeyboardInterrupt as stop:
            self.stopped_ = True
            raise StopTraining from stop

    def _is_score_improved(self, score):
        improved = super()._is_score_improved(score)
        if not improved and not self.lower_is_better:
            tie = score >= self._best_score - self.threshold
            improved = tie and self._loss < self.best_loss_ - self.threshold
        if improved:
            self._best_score = max(score, self._best_score)
            self.best_loss_ = self._loss
        return improved

    def _calc_new_threshold(self, score):
        if not self.lower_is_better:
            score = max(score, self._best_score)  # a tie never lowers the bar
        return super()._calc_new_threshold(score)


class StopTraining(KeyboardInterrupt):
    """Raised by imbbce's callbacks to end training (early stop, divergence).

    A ``KeyboardInterrupt`` subclass because that is how skorch lets a
    callback end training while still running every ``on_train_end``; a
    subclass so that a user's own ``KeyboardInterrupt`` is told apart.
    """


class TrainingDiverged(StopTraining):
    """Raised inside skorch's loop to stop a diverging training run."""


class DivergenceGuard(Callback):
    """Stop training when the loss or the weights stop being finite.

    A diverging loss can stay finite (1e30), so a loss above
    :data:`LOSS_LIMIT` counts too. On divergence, and when a user's
    ``KeyboardInterrupt`` ended training, the last good weights are
    restored: those of the last finished epoch when ``keep_each_epoch``
    (no early stopping), otherwise the initial ones, which early stopping
    then replaces by its best epoch's if it has one (its ``on_train_end``
    runs after this one's).

    ``finished_epochs_`` counts the epochs whose end this callback saw with
    finite weights: an interrupted epoch is not one of them.

    Parameters
    ----------
    keep_each_epoch : bool
        Keep a copy of the weights after every finite epoch.
    """

    def __init__(self, keep_each_epoch):
        self.keep_each_epoch = keep_each_epoch

    def on_train_begin(self, net, **kwargs):
        self.diverged_epoch_ = None
        self.good_weights_ = copy_state(net.module_)
        self.good_epoch_ = 0
        self.finished_epochs_ = 0

    def on_batch_end(self, net, batch=None, training=False, loss=None, **kwargs):
        value = float(loss.item())
        if training and not (math.isfinite(value) and abs(value) < LOSS_LIMIT):
            self._stop(net)

    def on_epoch_end(self, net, **kwargs):
        if not all(torch.isfinite(p).all() for p in net.module_.parameters()):
            self._stop(net)
        self.finished_epochs_ = len(net.history)
        if self.keep_each_epoch:
            self.good_weights_ = copy_state(net.module_)
            self.good_epoch_ = len(net.history)

    def _stop(self, net):
        self.diverged_epoch_ = len(net.history)
        net.module_.load_state_dict(self.good_weights_)
        raise TrainingDiverged

    def on_train_end(self, net, **kwargs):
        if getattr(net, "interrupted_", False) and self.diverged_epoch_ is None:
            net.module_.load_state_dict(self.good_weights_)
        self.good_weights_ = None

    def __getstate__(self):
        state = self.__dict__.copy()
        state["good_weights_"] = None
        return state


def copy_state(module):
    """A detached copy of ``module.state_dict()``.

    Cloning the tensors is about 20x faster than ``copy.deepcopy`` of the
    state dict, which matters when it runs after every epoch.
    """
    return {name: value.detach().clone() for name, value in module.state_dict().items()}
