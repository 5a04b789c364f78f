"""Say when a fit went wrong: a network collapsed onto one class, a
training run that diverged or was interrupted."""

import warnings
from numbers import Real

import numpy as np
import torch

from ._inference import predict_logits
from ._stacklevel import user_stacklevel
from .exceptions import MajorityCollapseWarning, TrainingDivergedWarning

__all__ = [
    "MAX_CHECKED_ROWS",
    "checked_logits",
    "collapse_report",
    "majority_remedies",
    "rows_to_check",
    "warn_about_outcome",
    "warn_if_collapsed",
]

#: Without a validation split, the collapse check predicts at most this many
#: training rows (predicting every row costs about 1 s per million rows on one
#: CPU thread, see benchmarks/results/speed.md: a few percent of a short fit).
MAX_CHECKED_ROWS = 20_000


def rows_to_check(y, minority, max_rows=MAX_CHECKED_ROWS, seed=0):
    """Which training rows the collapse check predicts, and what each stands for.

    Parameters
    ----------
    y : ndarray of encoded labels
    minority : {0, 1}
        Encoded label of the minority class.
    max_rows : int, default=MAX_CHECKED_ROWS
    seed : int, default=0

    Returns
    -------
    (positions, weights) or (None, None)
        ``(None, None)``: check every row (there are at most ``max_rows``).
        Otherwise sorted positions of a stratified draw: every minority row,
        up to half of ``max_rows``, and majority rows for the rest; each
        drawn row weighs its class's rows per drawn row, so that weighted
        rates describe all rows.
    """
    if len(y) <= max_rows:
        return None, None
    rng = np.random.RandomState(seed)
    is_minority = np.asarray(y) == minority
    n_minority = min(int(is_minority.sum()), max_rows // 2)
    picked = []
    for rows, n_pick in (
        (np.flatnonzero(is_minority), n_minority),
        (np.flatnonzero(~is_minority), max_rows - n_minority),
    ):
        picked.append(rows if n_pick >= len(rows) else rng.choice(rows, n_pick, replace=False))
    positions = np.sort(np.concatenate(picked))
    side = is_minority[positions].astype(np.int64)
    stands_for = np.bincount(is_minority.astype(np.int64), minlength=2) / np.bincount(
        side, minlength=2
    )
    return positions, stands_for[side]


def checked_logits(module, dataset, device, minority, every_row):
    """Logits of the rows that the checks after training look at.

    Parameters
    ----------
    module : torch.nn.Module
        The fitted module, in eval mode.
    dataset : TrainingData
        The validation split, or every training row as given.
    device : str
    minority : {0, 1}
    every_row : bool
        Predict every row (the validation split; the threshold search).
        Otherwise a stratified draw of at most :data:`MAX_CHECKED_ROWS`
        rows (see :func:`rows_to_check`).

    Returns
    -------
    y : ndarray of int64
        Encoded labels of the predicted rows.
    logits : ndarray of float32
    stands_for : ndarray or None
        How many rows each predicted row stands for; None: itself.
    """
    y = dataset.targets.numpy().astype(np.int64)
    positions, stands_for = (None, None) if every_row else rows_to_check(y, minority)
    if positions is None:
        features = dataset.features()
    else:
        y = y[positions]
        features = dataset.features(torch.from_numpy(positions))
    return y, predict_logits(module, features, device), stands_for


def collapse_report(y, predicted, minority, checked_on, sample_weight=None):
    """Facts about how often the minority class is predicted.

    Parameters
    ----------
    y, predicted : ndarray of encoded labels
    minority : {0, 1}
        Encoded label of the minority class.
    checked_on : {"validation", "training"}
        Which rows these are.
    sample_weight : ndarray or None, default=None
        How many rows each checked row stands for (see :func:`rows_to_check`);
        None: each stands for itself.

    Returns
    -------
    dict
        ``checked_on``, ``n_samples`` (rows described), ``n_checked`` (rows
        predicted), ``minority_rate`` (share of minority rows),
        ``predicted_minority_rate``, ``minority_recall``, ``single_class``
        (one class predicted for every checked row) and ``collapsed``
        (single class, or minority recall 0).
    """
    y = np.asarray(y)
    predicted = np.asarray(predicted)
    w = np.ones(len(y)) if sample_weight is None else np.asarray(sample_weight, dtype=float)
    total = w.sum()
    is_minority = y == minority
    minority_weight = w[is_minority].sum()
    hits = w[is_minority & (predicted == minority)].sum()
    recall = float(hits / minority_weight) if minority_weight > 0 else float("nan")
    single_class = bool(len(np.unique(predicted)) == 1)
    return {
        "checked_on": checked_on,
        "n_samples": int(round(total)),
        "n_checked": int(len(y)),
        "minority_rate": float(minority_weight / total),
        "predicted_minority_rate": float(w[predicted == minority].sum() / total),
        "minority_recall": recall,
        "single_class": single_class,
        "collapsed": bool(single_class or recall == 0.0),
    }


def warn_if_collapsed(report, minority_label, settings=None):
    """Emit :class:`MajorityCollapseWarning` when ``report["collapsed"]``.

    Parameters
    ----------
    report : dict
        From :func:`collapse_report`.
    minority_label : object
        The minority class as the user labels it.
    settings : dict or None, default=None
        What the fit used, so that the advice leaves out what is already in
        place and names what may have caused the collapse: the estimator's
        parameters (``class_weight``, ``sampler``, ``loss``, ``threshold``,
        ``prior_correction``, ``max_iter`` and ``n_iter_no_change`` are
        read) and ``stop_reason`` (``stop_reason_``). None: generic advice.
    """
    if not report["collapsed"]:
        return
    settings = settings or {}
    if report["single_class"] and report["predicted_minority_rate"] == 1.0:
        # The other collapse: every row predicted as the minority.
        warnings.warn(
            f"The network predicts class {minority_label!r}, the minority, for every row of "
            f"the {report['checked_on']} data ({report['n_samples']} rows, "
            f"{report['minority_rate']:.1%} of class {minority_label!r}): it separates "
            "nothing. Remedies: train longer (max_iter, learning_rate_init), correct the "
            "imbalance less (class_weight, sampler), or threshold='auto' (with "
            "early_stopping=True). A custom module must return logits: a final sigmoid "
            "keeps every output above 0, which reads as this class for every row.",
            MajorityCollapseWarning,
            stacklevel=user_stacklevel(),
        )
        return
    warnings.warn(
        f"The network collapsed onto the majority class: on the {report['checked_on']} data "
        f"({report['n_samples']} rows, {report['minority_rate']:.1%} of class "
        f"{minority_label!r}) it predicts class {minority_label!r} for "
        f"{report['predicted_minority_rate']:.1%} of rows, with minority recall "
        f"{report['minority_recall']:.2f}. {majority_remedies(report, settings)}",
        MajorityCollapseWarning,
        stacklevel=user_stacklevel(),
    )


def majority_remedies(report, settings):
    """The advice of a collapse onto the majority, given what the fit used.

    A remedy already in place is left out (``loss='logit_adjusted'`` when it
    is the loss, then a larger ``tau`` is the stronger step; a sampler when
    there is one; ``class_weight='balanced'`` when the classes are weighted,
    balanced by a sampler, or adjusted by the loss: with logit adjustment
    "balanced" corrects once, as the adjustment does); causes in the settings
    come first (``prior_correction=True``, a threshold above 0.5).
    """
    causes = []
    threshold = settings.get("threshold")
    if settings.get("prior_correction") and threshold != "auto":
        causes.append(
            "prior_correction=True moves the probabilities back to the real base rate, "
            "where few rows reach the threshold: set it to False for decisions, or keep it "
            "with threshold='auto'"
        )
    if isinstance(threshold, Real) and threshold > 0.5:
        causes.append(f"threshold={threshold} asks for a probability above it: lower it")
    remedies = []
    if settings.get("loss") != "logit_adjusted":
        remedies.append("loss='logit_adjusted' (the default)")
        if settings.get("class_weight") is None and settings.get("sampler") is None:
            remedies.append("class_weight='balanced'")
    else:
        remedies.append(f"a stronger logit adjustment (tau above {settings.get('tau', 1.0)})")
    if settings.get("sampler") is None:
        remedies.append("a sampler (sampler='smote', 'random_over' or 'balanced_batch')")
    if settings.get("loss") != "focal":
        remedies.append("loss='focal' together with class weights")
    if threshold != "auto":
        remedies.append("threshold='auto'")
    stop_reason = settings.get("stop_reason")
    if stop_reason == "max_iter":
        remedies.append(f"train longer (max_iter, now {settings.get('max_iter')})")
    elif report["checked_on"] == "validation" and stop_reason in (None, "early_stopping"):
        patience = settings.get("n_iter_no_change")
        now = "" if patience is None else f", now {patience}"
        remedies.append(
            f"more patience (n_iter_no_change{now}) when the validation split holds few "
            "minority rows"
        )
    text = ""
    if causes:
        text = "Likely cause: " + "; ".join(causes) + ". "
    return text + "Remedies: " + ", ".join(remedies) + "."


def warn_about_outcome(outcome, learning_rate_init, max_iter):
    """Warn when training diverged or was interrupted; re-raise an interrupt
    that came before any epoch finished.

    Parameters
    ----------
    outcome : TrainingOutcome
        From :func:`~imbbce._net.training_outcome`.
    learning_rate_init : float
        Named in the advice after divergence.
    max_iter : int
    """
    if outcome.stop_reason == "diverged":
        warnings.warn(
            f"Training diverged in epoch {outcome.diverged_epoch}: the loss or the weights "
            "became NaN, infinite or larger than 1e6. Training stopped and the weights of "
            f"epoch {outcome.restored_epoch} were restored "
            f"(epoch 0 means the initial weights). Lower learning_rate_init (now "
            f"{learning_rate_init}), or scale the features.",
            TrainingDivergedWarning,
            stacklevel=user_stacklevel(),
        )
    elif outcome.stop_reason == "interrupted":
        if outcome.best_epoch == 0:
            # Not one epoch finished: there are no trained weights to keep.
            raise KeyboardInterrupt
        warnings.warn(
            f"fit was interrupted (KeyboardInterrupt) in epoch {outcome.n_iter + 1} of "
            f"{max_iter}; the estimator is fitted with the weights of epoch "
            f"{outcome.best_epoch}, the {'best' if outcome.kept_best else 'last'} of "
            f"the {outcome.n_iter} finished epoch(s).",
            UserWarning,
            stacklevel=user_stacklevel(),
        )
