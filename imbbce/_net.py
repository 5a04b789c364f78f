"""The skorch side of imbbce: the net, how ``fit`` configures it, and how
training ended.

The estimator builds its net with :func:`make_net`; skorch runs the
training loop, the validation loop, scoring (``EpochScoring``), early stopping
(``EarlyStopping`` with the best weights kept in memory), printing
(``PrintLog``) and progress bars (``ProgressBar``). What is added is only what
skorch has no notion of: per-sample weights in the loss, the L1 penalty, a
guard against diverging training (``_callbacks.py``), and a flag that tells an
early stop from a user's Ctrl-C. :func:`training_outcome` reads how training
ended from the net and its callbacks; :func:`release_training_state` then
drops what the fitted estimator must not carry.
"""

from dataclasses import dataclass

import torch
from skorch import NeuralNet
from skorch.callbacks import ProgressBar
from skorch.dataset import unpack_data
from skorch.helper import predefined_split

from ._callbacks import DivergenceGuard, FlaggedEarlyStopping, StopTraining
from ._data import BatchIterator
from ._inference import validation_batch_rows
from ._modules import check_logits_shape, l1_penalty
from ._persistence import PortableNetState
from ._scoring import validation_scoring
from ._verbose import PrintLogOnTerminals

__all__ = [
    "OPTIMIZERS",
    "EarlyStoppingPlan",
    "ImbalanceNet",
    "TrainingOutcome",
    "fused_optimizer_params",
    "make_net",
    "release_training_state",
    "training_outcome",
]

OPTIMIZERS = {
    "adam": torch.optim.Adam,
    "adamw": torch.optim.AdamW,
    "sgd": torch.optim.SGD,
}


class ImbalanceNet(PortableNetState, NeuralNet):
    """A skorch ``NeuralNet`` whose targets travel with per-sample weights.

    Batches are ``(X, (target, weight))``; the criterion is called as
    ``criterion(logits, target, weight)``. Pickled (and saved by
    ``skops.io``) with one copy of the weights, loadable on a machine without
    the GPU it was trained on (``_persistence.py``).

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
        """The criterion on ``(logits, target, weight)``, plus the L1 penalty in training.

        An ensemble's members (``y_pred`` of shape ``(batch, ensemble_size)``,
        from a module with an ``ensemble_size`` attribute) are each scored
        on their own: the loss is the mean of the members' losses.
        """
        target, weight = y_true
        target = target.to(y_pred.device, non_blocking=True)
        weight = weight.to(y_pred.device, non_blocking=True)
        members = getattr(self.module_, "ensemble_size", 1)
        if members > 1 and y_pred.shape == (len(target), members):
            logits = y_pred.reshape(-1)
            target = target.repeat_interleave(members)
            weight = weight.repeat_interleave(members)
        else:
            logits = check_logits_shape(y_pred, len(target))
        loss = self.criterion_(logits, target, weight)
        if training and self.l1 > 0:
            loss = loss + self.l1 * l1_penalty(self.module_)
        return loss


@dataclass(frozen=True)
class EarlyStoppingPlan:
    """What early stopping watches on the validation split, and how patiently.

    Parameters
    ----------
    valid_data : TrainingData
        The validation split.
    scoring : str or callable
        ``"loss"``, or a scorer for :func:`~imbbce._scoring.validation_scoring`.
    minority : {0, 1}
        Encoded minority label, the positive class of named scorers.
    threshold_logit : float
        Logit above which a row counts as ``classes[1]`` for label scorers.
    classes : ndarray of shape (2,)
        The user's labels, for a callable scorer.
    patience : int
        ``n_iter_no_change``.
    tol : float
        Smallest improvement that counts.
    """

    valid_data: object
    scoring: object
    minority: int
    threshold_logit: float
    classes: object
    patience: int
    tol: float


def make_net(
    module,
    criterion,
    *,
    optimizer,
    learning_rate_init,
    weight_decay,
    l1,
    max_iter,
    batch_size,
    balanced_batches,
    noise_scale,
    batch_seed,
    early_stopping,
    n_features,
    device,
    verbose,
):
    """The skorch net ``fit`` trains, with imbbce's batches and callbacks.

    Parameters
    ----------
    module, criterion : torch.nn.Module
        Built already (inside ``fit``'s forked random state).
    optimizer : {"adam", "adamw", "sgd"}
        "sgd" gets Nesterov momentum 0.9, as ``MLPClassifier`` uses.
    learning_rate_init, weight_decay, l1 : float
    max_iter, batch_size : int
    balanced_batches : bool
        Draw balanced mini-batches (``sampler="balanced_batch"``).
    noise_scale : torch.Tensor or None
        Per-feature standard deviation of the training noise.
    batch_seed : int
        Seed of the batch order and the noise.
    early_stopping : EarlyStoppingPlan or None
        None trains for ``max_iter`` epochs without a validation split.
    n_features : int
        Sizes the validation batches.
    device : str
    verbose : int

    Returns
    -------
    ImbalanceNet
        Not initialised; ``fit`` initialises and trains it.
    """
    params = {"optimizer__weight_decay": weight_decay}
    if optimizer == "sgd":
        params.update(optimizer__momentum=0.9, optimizer__nesterov=True)
    params.update(fused_optimizer_params(module, device))
    if not verbose:
        # PrintLog formats a table after every epoch even when silent.
        params["callbacks__print_log"] = None
    return ImbalanceNet(
        module=module,
        criterion=criterion,
        optimizer=OPTIMIZERS[optimizer],
        lr=learning_rate_init,
        max_epochs=max_iter,
        batch_size=batch_size,
        iterator_train=BatchIterator,
        iterator_train__shuffle=True,
        iterator_train__balanced=balanced_batches,
        iterator_train__noise_scale=noise_scale,
        iterator_train__seed=batch_seed,
        iterator_valid=BatchIterator,
        iterator_valid__batch_size=validation_batch_rows(batch_size, n_features),
        train_split=None if early_stopping is None else predefined_split(early_stopping.valid_data),
        callbacks=_callbacks(early_stopping, verbose),
        device=device,
        verbose=int(verbose),
        l1=l1,
        **params,
    )


def _callbacks(plan, verbose):
    """Validation scoring, the divergence guard, early stopping, progress bar."""
    callbacks = []
    if plan is not None and plan.scoring != "loss":
        scorer = validation_scoring(plan.scoring, plan.minority, plan.threshold_logit, plan.classes)
        callbacks.append(("valid_score", scorer))
    callbacks.append(("divergence_guard", DivergenceGuard(keep_each_epoch=plan is None)))
    if plan is not None:
        loss_watched = plan.scoring == "loss"
        stopper = FlaggedEarlyStopping(
            monitor="valid_loss" if loss_watched else "valid_score",
            patience=plan.patience,
            threshold=plan.tol,
            threshold_mode="abs",
            lower_is_better=loss_watched,
            load_best=True,
            # With verbose, skorch says when it stops and which epoch it restores.
            sink=print if verbose else _silent,
        )
        callbacks.append(("early_stopping", stopper))
    if verbose >= 2:
        callbacks.append(("progress_bar", ProgressBar()))
    return callbacks


def _silent(*args, **kwargs):
    """A sink for skorch callbacks that prints nothing (picklable, unlike a lambda)."""


@dataclass(frozen=True)
class TrainingOutcome:
    """How training ended, read from the net after ``net.fit``.

    Attributes
    ----------
    stop_reason : {"max_iter", "early_stopping", "diverged", "interrupted"}
    n_iter : int
        Epochs run to their end.
    best_epoch : int
        The epoch whose weights the module holds (0: the initial weights).
    diverged_epoch : int or None
        The epoch in which the loss or the weights stopped being finite.
    restored_epoch : int
        The epoch named as restored after divergence.
    kept_best : bool
        Whether early stopping chose the weights kept (else the last epoch's).
    """

    stop_reason: str
    n_iter: int
    best_epoch: int
    diverged_epoch: object
    restored_epoch: int
    kept_best: bool


def training_outcome(net):
    """Decode how training ended from ``net`` and its callbacks.

    skorch ends training by raising ``KeyboardInterrupt`` from a callback and
    swallows it, so the reason is read from the flags imbbce's callbacks and
    :class:`ImbalanceNet` set: the divergence guard's diverged epoch, the
    net's ``interrupted_`` (a user's Ctrl-C) and early stopping's ``stopped_``.

    Parameters
    ----------
    net : ImbalanceNet
        A net that ``fit`` has just trained.

    Returns
    -------
    TrainingOutcome
    """
    callbacks = dict(net.callbacks_)
    guard = callbacks["divergence_guard"]
    stopper = callbacks.get("early_stopping")
    broken = guard.diverged_epoch_ is not None or net.interrupted_
    n_iter = len(net.history)
    if broken:
        # The epoch that diverged or was interrupted did not finish.
        stop_reason = "diverged" if guard.diverged_epoch_ is not None else "interrupted"
        n_iter = guard.finished_epochs_
    elif stopper is not None and stopper.stopped_:
        stop_reason = "early_stopping"
    else:
        stop_reason = "max_iter"
    if stopper is not None and stopper.best_model_weights_ is not None:
        best_epoch = int(stopper.best_epoch_)
    elif broken:
        best_epoch = int(guard.good_epoch_)
    else:
        best_epoch = n_iter
    stopper_best = stopper.best_epoch_ if stopper is not None else None
    return TrainingOutcome(
        stop_reason=stop_reason,
        n_iter=n_iter,
        best_epoch=best_epoch,
        diverged_epoch=guard.diverged_epoch_,
        restored_epoch=stopper_best if stopper_best else best_epoch,
        kept_best=stopper is not None,
    )


def release_training_state(net, outcome):
    """Leave ``net`` as a fitted estimator keeps it.

    Drops the partial history row of an epoch that did not finish, the copy
    of the best weights (the module holds them now), the reference to the
    validation data and the per-batch records, and puts the module in eval
    mode for good: prediction then never switches the mode (toggling a
    shared module between train and eval mode let one thread predict with
    dropout active while another was predicting).
    """
    del net.history[outcome.n_iter :]
    stopper = dict(net.callbacks_).get("early_stopping")
    if stopper is not None:
        stopper.best_model_weights_ = None
    net.module_.eval()
    net.train_split = None
    for row in net.history:
        row["batches"] = []


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
