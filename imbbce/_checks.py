"""Checks on ``fit``'s inputs that scikit-learn's ``validate_data`` leaves out.

The target must be binary, ``sample_weight`` must leave both classes some
weight, ``class_weight`` must name labels of ``y``, and a few parameters
(``hidden_layer_sizes``, ``device``) need a look at more than their type.
"""

from numbers import Integral, Real

import numpy as np
import torch
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.multiclass import type_of_target

from ._compat import check_sample_weight as _sklearn_check_sample_weight

__all__ = [
    "check_binary_target",
    "check_hidden_layer_sizes",
    "check_sample_weight",
    "class_weights",
    "minority_code",
    "plain_label",
    "resolve_device",
]


def plain_label(label):
    """A numpy scalar label as the plain Python value, for messages."""
    return label.item() if isinstance(label, np.generic) else label


def check_binary_target(y):
    """Encode a binary target; return ``(classes, y_encoded)``.

    Raises
    ------
    ValueError
        With scikit-learn's wording when ``y`` is not binary.
    """
    target_type = type_of_target(y, input_name="y")
    if target_type == "unknown":
        raise ValueError(
            f"Unknown label type: y of dtype {np.asarray(y).dtype} holds values that are not "
            "class labels. Pass ints, strings or bools with two distinct values."
        )
    classes = np.unique(y)
    if target_type not in ("binary", "multiclass") or len(classes) > 2:
        raise ValueError(
            f"Only binary classification is supported. The type of the target is {target_type}."
        )
    if len(classes) < 2:
        raise ValueError(
            f"y contains only one class ({classes[0]!r}); a classifier needs samples of "
            "two classes to train. Check that the target column is the right one and that "
            "the minority class was not filtered out."
        )
    return classes, np.searchsorted(classes, y).astype(np.int64)


def minority_code(y):
    """The encoded label (0 or 1) of the smaller class of encoded ``y``.

    When both classes are the same size, 1: the later label, scikit-learn's
    positive class. The estimator and ``compare_strategies`` both use this.
    """
    counts = np.bincount(y, minlength=2)
    return 0 if counts[0] < counts[1] else 1


def check_sample_weight(sample_weight, y, classes=None):
    """Validate ``sample_weight`` for encoded labels ``y``; return a new
    float64 array or None.

    scikit-learn's own check refuses NaN, infinite and negative weights; the
    checks added here give a wrong length an error that says what to pass,
    and refuse weights that leave a class (named by its label in
    ``classes``, the user's labels) without weight, with which a classifier
    would train on one class.
    """
    if sample_weight is None:
        return None
    n_samples = len(y)
    shape = np.asarray(sample_weight).shape
    if shape not in ((), (n_samples,)):
        raise ValueError(
            f"sample_weight has shape {shape}, but X has {n_samples} rows; pass one "
            "weight per row, shape (n_samples,)."
        )
    weights = _sklearn_check_sample_weight(
        sample_weight,
        y,
        dtype=np.float64,
        ensure_non_negative=True,
        copy=True,
        allow_all_zero_weights=True,  # the per-class check below names the class
    )
    empty = [c for c in (0, 1) if not np.any(weights[y == c] > 0)]
    if empty:
        label = f"index {empty[0]}" if classes is None else repr(plain_label(classes[empty[0]]))
        raise ValueError(
            f"sample_weight is zero for every row of class {label}: only one class "
            "has weight left, and a classifier needs two classes to train."
        )
    return weights


def class_weights(class_weight, classes, y_seen):
    """The two class weights the loss uses.

    Parameters
    ----------
    class_weight : None, "balanced" or dict
        The estimator's parameter; a dict is keyed by the user's labels and a
        label it leaves out gets weight 1.
    classes : ndarray of shape (2,)
        The user's labels.
    y_seen : ndarray
        Encoded labels the loss will see (after resampling): "balanced" is
        ``n / (2 * n_c)`` computed on these, so resampling and weighting do
        not correct the imbalance twice.

    Returns
    -------
    ndarray of shape (2,)
    """
    if class_weight is None:
        return np.ones(2)
    if isinstance(class_weight, str):
        return compute_class_weight(class_weight, classes=np.arange(2), y=y_seen)
    unknown = [label for label in class_weight if label not in set(classes.tolist())]
    if unknown:
        raise ValueError(
            f"class_weight has key(s) {unknown!r} that are not labels of y; the labels are "
            f"{classes.tolist()!r}. Key the dict by the labels of y."
        )
    weights = np.ones(2)
    for index, label in enumerate(classes.tolist()):
        if label in class_weight:
            value = class_weight[label]
            if not isinstance(value, Real) or not np.isfinite(value) or value < 0:
                raise ValueError(
                    f"class_weight[{label!r}] is {value!r}; class weights must be finite "
                    "numbers >= 0."
                )
            weights[index] = float(value)
    if not np.any(weights > 0):
        raise ValueError("class_weight gives both classes weight 0; at least one must be > 0.")
    return weights


def check_hidden_layer_sizes(hidden_layer_sizes):
    """``hidden_layer_sizes`` as a tuple of positive ints (an int is one layer).

    The parameter constraint accepts any array-like; this checks its items.
    """
    sizes = hidden_layer_sizes
    sizes = (sizes,) if isinstance(sizes, Integral) else tuple(sizes)
    if not all(isinstance(s, Integral) and not isinstance(s, bool) and s >= 1 for s in sizes):
        raise ValueError(
            f"hidden_layer_sizes must be a tuple of positive ints, got {hidden_layer_sizes!r}."
        )
    return sizes


def resolve_device(device):
    """The device ``fit`` trains on: ``"auto"`` resolved, ``"cuda"`` checked."""
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cuda" and not torch.cuda.is_available():
        raise ValueError(
            "device='cuda' was requested, but torch.cuda.is_available() is False: this "
            "torch build or machine has no usable GPU. Use device='cpu', or device='auto' "
            "to take a GPU only when there is one."
        )
    return device
