"""Detect a network that has collapsed onto the majority class."""

import warnings

import numpy as np

from .exceptions import MajorityCollapseWarning

__all__ = ["collapse_report", "warn_if_collapsed"]


def collapse_report(y, predicted, minority, checked_on):
    """Facts about how often the minority class is predicted.

    Parameters
    ----------
    y : ndarray of shape (n_samples,)
        Encoded true labels, 0 or 1.
    predicted : ndarray of shape (n_samples,)
        Encoded predicted labels, 0 or 1.
    minority : {0, 1}
        Encoded label of the minority class.
    checked_on : {"validation", "training"}
        Which rows these are.

    Returns
    -------
    dict
        ``checked_on``, ``n_samples``, ``minority_rate`` (share of minority
        rows), ``predicted_minority_rate``, ``minority_recall``,
        ``single_class`` (one class predicted for every row) and
        ``collapsed`` (single class, or minority recall 0).
    """
    y = np.asarray(y)
    predicted = np.asarray(predicted)
    is_minority = y == minority
    n_minority = int(is_minority.sum())
    recall = float((predicted[is_minority] == minority).mean()) if n_minority else float("nan")
    single_class = bool(len(np.unique(predicted)) == 1)
    return {
        "checked_on": checked_on,
        "n_samples": int(len(y)),
        "minority_rate": float(is_minority.mean()),
        "predicted_minority_rate": float((predicted == minority).mean()),
        "minority_recall": recall,
        "single_class": single_class,
        "collapsed": bool(single_class or recall == 0.0),
    }


def warn_if_collapsed(report, minority_label):
    """Emit :class:`MajorityCollapseWarning` when ``report["collapsed"]``.

    Parameters
    ----------
    report : dict
        The output of :func:`collapse_report`.
    minority_label : object
        The user's label of the minority class, for the message.
    """
    if not report["collapsed"]:
        return
    where = (
        f"on the {report['checked_on']} data ({report['n_samples']} rows, "
        f"{report['minority_rate']:.1%} of class {minority_label!r})"
    )
    if report["predicted_minority_rate"] >= 1.0:
        # A single class, but the minority one: the remedies overshot.
        message = (
            f"The network predicts the minority class {minority_label!r} for every row {where}. "
            "The imbalance remedies overshoot: use a milder class_weight or sampling_strategy, "
            "or threshold='auto' (with early_stopping=True)."
        )
    else:
        message = (
            f"The network collapsed onto the majority class: {where} it predicts class "
            f"{minority_label!r} for {report['predicted_minority_rate']:.1%} of rows, with "
            f"minority recall {report['minority_recall']:.2f}. Remedies: "
            "class_weight='balanced', a sampler (sampler='smote', 'random_over' or "
            "'balanced_batch'), loss='focal' together with class weights, threshold='auto' "
            "(with early_stopping=True), or more patience (n_iter_no_change) when the "
            "validation split holds few minority rows."
        )
    # warn_if_collapsed < _finish_training < fit < _fit_context's wrapper < caller
    warnings.warn(message, MajorityCollapseWarning, stacklevel=5)
