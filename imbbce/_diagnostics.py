"""Detect a network that has collapsed onto the majority class."""

import warnings

import numpy as np

from .exceptions import MajorityCollapseWarning

__all__ = ["collapse_report", "warn_if_collapsed"]


def collapse_report(y, predicted, minority, checked_on):
    """Facts about how often the minority class is predicted.

    Parameters
    ----------
    y, predicted : ndarray of encoded labels
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
    """Emit :class:`MajorityCollapseWarning` when ``report["collapsed"]``."""
    if not report["collapsed"]:
        return
    if report["single_class"] and report["predicted_minority_rate"] == 1.0:
        # The other collapse: every row predicted as the minority.
        warnings.warn(
            f"The network predicts class {minority_label!r}, the minority, for every row of "
            f"the {report['checked_on']} data ({report['n_samples']} rows, "
            f"{report['minority_rate']:.1%} of class {minority_label!r}): it separates "
            "nothing. Remedies: train longer (max_iter, learning_rate_init), correct the "
            "imbalance less (class_weight, sampler), or threshold='auto' (with "
            "early_stopping=True).",
            MajorityCollapseWarning,
            stacklevel=6,
        )
        return
    warnings.warn(
        f"The network collapsed onto the majority class: on the {report['checked_on']} data "
        f"({report['n_samples']} rows, {report['minority_rate']:.1%} of class "
        f"{minority_label!r}) it predicts class {minority_label!r} for "
        f"{report['predicted_minority_rate']:.1%} of rows, with minority recall "
        f"{report['minority_recall']:.2f}. Remedies: class_weight='balanced', a sampler "
        "(sampler='smote', 'random_over' or 'balanced_batch'), loss='focal' together with "
        "class weights, threshold='auto' (with early_stopping=True), or more patience "
        "(n_iter_no_change) when the validation split holds few minority rows.",
        MajorityCollapseWarning,
        stacklevel=6,
    )
