"""The skorch side of imbbce: the net, its callbacks, and batched inference.

The estimator builds a :class:`ImbalanceNet` in ``fit``; skorch runs the
training loop, the validation loop, scoring (``EpochScoring``), early stopping
(``EarlyStopping`` with the best weights kept in memory), printing
(``PrintLog``) and progress bars (``ProgressBar``). What is added here is only
what skorch has no notion of: per-sample weights in the loss, the L1 penalty,
a guard against diverging training, and a flag that tells an early stop from
a user's Ctrl-C (skorch stops training by raising ``KeyboardInterrupt``).
"""

import math

import numpy as np
import torch
from scipy.special import expit
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.metrics import get_scorer
from skorch import NeuralNet
from skorch.callbacks import Callback, EarlyStopping, EpochScoring
from skorch.dataset import unpack_data

from ._modules import check_logits_shape, l1_penalty
from ._verbose import PrintLogOnTerminals

__all__ = [
    "DivergenceGuard",
    "FlaggedEarlyStopping",
    "ImbalanceNet",
    "StopTraining",
    "fused_optimizer_params",
    "predict_logits",
]

#: A training loss above this is treated as divergence, even while finite.
LOSS_LIMIT = 1e6


class ImbalanceNet(NeuralNet):
    """A skorch ``NeuralNet`` whose targets travel with per-sample weights.

    Batches are ``(X, (target, weight))``; the criterion is called as
    ``criterion(logits, target, weight)``.

    Parameters
    ----------
    l1 : float, default=0.0
        Coefficient of the L1 penalty on the weights of linear layers, added
        to each training batch's loss.
    **kwargs
        skorch ``NeuralNet`` parameters.
    """

    def __init__(self, *args, l1=0.0, **kwargs):
        super().__init__(*args, **kwargs)
        self.l1 = l1

    def get_default_callbacks(self):
        """skorch's defaults, with a ``PrintLog`` that colours only terminals."""
        return [
            (name, PrintLogOnTerminals() if name == "print_log" else callback)
            for name, callback in super().get_default_callbacks()
        ]

    def fit_loop(self, X, y=None, epochs=None, **fit_params):
        """skorch's loop, recording in ``interrupted_`` whether a
        ``KeyboardInterrupt`` that is not one of imbbce's own stops ended it.

        skorch's ``partial_fit`` swallows every ``KeyboardInterrupt`` (that is
        how its callbacks stop training), so this is the only place where a
        user's Ctrl-C can be told apart from an early stop.
        """
        self.interrupted_ = False
        try:
            return super().fit_loop(X, y, epochs=epochs, **fit_params)
        except KeyboardInterrupt as stop:
            self.interrupted_ = not isinstance(stop, StopTraining)
            raise

    def train_step_single(self, batch, **fit_params):
        """skorch's training step, setting train mode only when it is off.

        skorch calls ``module.train()`` before every batch, which walks every
        submodule: about 5 % of an epoch of a small MLP on CPU. The mode only
        changes between the training and the validation loop, so it is set
        when the module or the criterion is not in train mode already.
        """
        if not (self.module_.training and self.criterion_.training):
            self._set_training(True)
        Xi, yi = unpack_data(batch)
        y_pred = self.infer(Xi, **fit_params)
        loss = self.get_loss(y_pred, yi, X=Xi, training=True)
        loss.backward()
        return {"loss": loss, "y_pred": y_pred}

    def get_loss(self, y_pred, y_true, X=None, training=False):
        target, weight = y_true
        logits = check_logits_shape(y_pred, len(target))
        target = target.to(logits.device, non_blocking=True)
        weight = weight.to(logits.device, non_blocking=True)
        loss = self.criterion_(logits, target, weight)
        if training and self.l1 > 0:
            loss = loss + self.l1 * l1_penalty(self.module_)
        return loss


def batch_targets(yw):
    """Target extractor for ``EpochScoring``: the labels of a ``(y, w)`` pair."""
    return yw[0].numpy()


class _Probabilities(ClassifierMixin, BaseEstimator):
    """A stand-in classifier that answers with fixed predictions.

    It lets any scikit-learn scorer score logits that are already computed,
    through the public scorer API. ``logits`` are those of ``classes[1]``;
    ``predicted`` are labels from ``classes`` (encoded 0 and 1 by default).
    """

    def __init__(self, logits, predicted, classes=None):
        self.logits = logits
        self.predicted = predicted
        self.classes_ = np.array([0, 1]) if classes is None else np.asarray(classes)

    def decision_function(self, X):
        return self.logits

    def predict_proba(self, X):
        positive = expit(self.logits)  # no overflow warning for large |logits|
        return np.column_stack([1.0 - positive, positive])

    def predict(self, X):
        return self.predicted


class MinorityScorer:
    """Score validation logits with a scikit-learn scorer, minority as positive.

    Minority-aware metrics (average precision, F1, recall) must follow the
    minority class even when it is encoded 0, so logits and labels are
    flipped in that case.

    A callable scorer is the user's own: it sees the user's labels
    (``classes``) and the model's outputs unflipped, and its own
    ``pos_label`` decides which class counts as positive.

    Parameters
    ----------
    scoring : str or callable
        A scikit-learn scorer name, or a scorer ``scoring(estimator, X, y)``.
    minority : {0, 1}
        Encoded label of the minority class of the training data.
    threshold_logit : float
        Logit above which a row is predicted positive (for label scorers).
    classes : ndarray of shape (2,), default=None
        The user's labels, for a callable scorer; None gives 0 and 1.
    """

    def __init__(self, scoring, minority, threshold_logit, classes=None):
        self.scoring = scoring
        self.minority = minority
        self.threshold_logit = threshold_logit
        self.classes = classes

    def score_logits(self, logits, y, sample_weight=None):
        """The score of ``logits`` against encoded labels ``y``."""
        logits = np.asarray(logits, dtype=np.float64)
        predicted = (logits > self.threshold_logit).astype(int)
        y = np.asarray(y).astype(int)
        kwargs = {} if sample_weight is None else {"sample_weight": sample_weight}
        no_features = np.empty((len(y), 0))
        if callable(self.scoring):
            classes = np.array([0, 1]) if self.classes is None else np.asarray(self.classes)
            stand_in = _Probabilities(logits, classes[predicted], classes)
            return self.scoring(stand_in, no_features, classes[y], **kwargs)
        if self.minority == 0:
            logits, predicted, y = -logits, 1 - predicted, 1 - y
        if getattr(self, "_scorer", None) is None:
            self._scorer = get_scorer(self.scoring)  # get_scorer deep-copies each call
        return self._scorer(_Probabilities(logits, predicted), no_features, y, **kwargs)

    def __call__(self, net, dataset, y=None):
        logits = net.forward(dataset).reshape(-1).numpy()
        return self.score_logits(logits, dataset.targets.numpy(), dataset.sample_weight)


def validation_scoring(scoring, minority, threshold_logit, classes=None):
    """skorch ``EpochScoring`` on the validation split, from cached logits."""
    return EpochScoring(
        MinorityScorer(scoring, minority, threshold_logit, classes),
        lower_is_better=False,
        on_train=False,
        name="valid_score",
        use_caching=True,
        target_extractor=batch_targets,
    )


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


#: Device types on which torch (>= 2.4) has fused Adam, AdamW and SGD steps.
FUSED_DEVICE_TYPES = ("cpu", "cuda")


def fused_optimizer_params(module, device):
    """skorch parameters that select torch's fused optimizer step, when it applies.

    torch's optimizers default to a loop over the parameter tensors on CPU
    (``foreach`` on CUDA). Their ``fused=True`` implementation is the same
    algorithm in one kernel per step; for the default MLP on CPU it made a
    hand-written Adam loop about 1.5-1.9x faster (100k rows x 30 features,
    batch 256, one thread), because Adam's step is a third of such a step's
    time. Results differ from the loop implementation only by float32
    rounding. It applies on CPU (torch >= 2.4) and CUDA, to floating-point
    parameters; elsewhere torch's default stays.

    Parameters
    ----------
    module : torch.nn.Module
    device : str or torch.device

    Returns
    -------
    dict
        ``{"optimizer__fused": True}`` or ``{}``.
    """
    device_type = torch.device(device).type
    if device_type == "cpu" and _torch_version() < (2, 4):
        return {}
    if device_type not in FUSED_DEVICE_TYPES:
        return {}
    if not all(p.is_floating_point() for p in module.parameters()):
        return {}
    return {"optimizer__fused": True}


def _torch_version():
    """``(major, minor)`` of the installed torch."""
    major, minor = torch.__version__.split(".")[:2]
    return int(major), int(minor)


#: Most bytes of densified float32 features in one block of rows, for the
#: validation batches and the prediction blocks alike: with a 20k-column sparse
#: ``X`` an 8192-row validation batch would be 655 MB and a 16384-row GPU
#: prediction block 1.3 GB.
DENSE_BLOCK_BYTES = 64 * 2**20


def dense_block_rows(n_features):
    """Most rows of ``n_features`` float32 columns within
    :data:`DENSE_BLOCK_BYTES` (at least one)."""
    return max(1, DENSE_BLOCK_BYTES // (4 * max(n_features, 1)))


def prediction_block_rows(device, n_features):
    """Rows per prediction block: 512 on CPU and 16384 on a GPU, fewer where a
    densified block would pass :data:`DENSE_BLOCK_BYTES`."""
    preferred = 512 if torch.device(device).type == "cpu" else 16384
    return min(preferred, dense_block_rows(n_features))


def predict_logits(module, X, device, block_rows=None):
    """Logits of ``module`` for every row of ``X``, in blocks, without grad.

    skorch's ``forward`` goes through a ``DataLoader`` row by row; predicting
    500k rows took it 8.5-10 s against 0.25-0.57 s for a plain batched pass,
    so inference runs here.

    Every block has exactly ``block_rows`` rows (the last one padded with
    zeros): float32 matrix kernels round differently for different batch
    shapes, and fixed-shape blocks make a row's prediction independent of
    which other rows it is predicted with, bit for bit. A sparse ``X`` is
    densified one block at a time.

    Parameters
    ----------
    module : torch.nn.Module
    X : torch.Tensor or scipy CSR matrix, float32
    device : str or torch.device
    block_rows : int or None
        Rows per block; None gives :func:`prediction_block_rows`.

    Returns
    -------
    logits : ndarray of shape (n_samples,), float32
    """
    n, n_features = X.shape
    if block_rows is None:
        block_rows = prediction_block_rows(device, n_features)
    out = np.empty(n, dtype=np.float32)
    was_training = module.training
    if was_training:  # a fitted estimator's module is in eval mode already
        module.eval()
    try:
        with torch.no_grad():
            for start in range(0, n, block_rows):
                chunk = X[start : start + block_rows]
                if not isinstance(chunk, torch.Tensor):
                    chunk = torch.from_numpy(chunk.toarray())
                rows = chunk.shape[0]
                if rows < block_rows:
                    chunk = torch.cat([chunk, chunk.new_zeros(block_rows - rows, n_features)])
                logits = check_logits_shape(module(chunk.to(device)), block_rows)
                out[start : start + rows] = logits[:rows].float().cpu().numpy()
    finally:
        if was_training:
            module.train()
    return out
