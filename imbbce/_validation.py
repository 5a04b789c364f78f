"""Checks on ``fit``'s inputs that scikit-learn's ``validate_data`` leaves out,
and the validation split for early stopping."""

import warnings
from numbers import Real

import numpy as np
from sklearn.metrics import get_scorer, get_scorer_names
from sklearn.utils.multiclass import type_of_target

from ._warnings import user_stacklevel

__all__ = [
    "binary_scorer_names",
    "plain_label",
    "check_binary_target",
    "check_sample_weight",
    "class_weights",
    "minority_code",
    "n_validation_rows",
    "validation_split",
]


def binary_scorer_names(labels_only=False):
    """Names of scikit-learn's scorers that make sense for a binary classifier.

    Regression and clustering scorers (``"r2"``, ``"adjusted_rand_score"``)
    and the multilabel ``*_samples`` averages are left out: they accept a
    classifier's output without complaint and score nothing useful.
    ``labels_only`` keeps the scorers of predicted labels (``"f1"``,
    ``"balanced_accuracy"``), the ones a threshold changes; scorers of
    probabilities or rankings (``"roc_auc"``, ``"neg_log_loss"``) do not
    move with it.
    """
    names = set()
    for name in get_scorer_names():
        scorer = get_scorer(name)
        module = getattr(scorer._score_func, "__module__", "")
        if module.endswith(("._regression", "._supervised")) or name.endswith("_samples"):
            continue
        if labels_only and scorer._response_method != "predict":
            continue
        names.add(name)
    return names


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
    float64 array or None. ``classes`` (the user's labels) name a class in
    the errors."""
    if sample_weight is None:
        return None
    n_samples = len(y)
    weights = np.asarray(sample_weight, dtype=np.float64)
    if weights.ndim == 0:
        weights = np.full(n_samples, float(weights))
    if weights.ndim != 1 or weights.shape[0] != n_samples:
        raise ValueError(
            f"sample_weight has shape {weights.shape}, but X has {n_samples} rows; pass one "
            "weight per row, shape (n_samples,)."
        )
    if not np.all(np.isfinite(weights)):
        raise ValueError("sample_weight contains NaN or infinity; pass finite weights.")
    if np.any(weights < 0):
        raise ValueError(
            f"sample_weight contains {int(np.sum(weights < 0))} negative value(s); weights "
            "must be >= 0."
        )
    if not np.any(weights > 0):
        raise ValueError("sample_weight is zero for every row; at least one must be > 0.")
    empty = [c for c in (0, 1) if not np.any(weights[y == c] > 0)]
    if empty:
        label = f"index {empty[0]}" if classes is None else repr(plain_label(classes[empty[0]]))
        raise ValueError(
            f"sample_weight is zero for every row of class {label}: only one class "
            "has weight left, and a classifier needs two classes to train."
        )
    return weights.copy()


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
        counts = np.bincount(y_seen, minlength=2).astype(np.float64)
        return len(y_seen) / (2.0 * np.maximum(counts, 1.0))
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


def n_validation_rows(n_class_rows, fraction):
    """Rows of a class that :func:`validation_split` holds out.

    ``round(fraction * n_class_rows)`` (halves up), at least one and never
    all; needs ``n_class_rows >= 2``.
    """
    return int(np.clip(np.floor(fraction * n_class_rows + 0.5), 1, n_class_rows - 1))


def validation_split(y, fraction, seed, sample_weight=None, for_threshold=False):
    """A stratified, shuffled, seeded split into training and validation rows.

    Each class is split on its own: ``round(fraction * n_c)`` of its rows,
    but at least one and never all, go to the validation side. (A split of
    the whole, as ``train_test_split(stratify=y)`` makes, can leave the
    minority off a small validation side: 2 of 8 rows, 2 of them minority,
    gave a validation split of majority rows only, on which every
    minority-aware score is undefined.)

    ``for_threshold``: the split is wanted by ``threshold="auto"``, and
    the warning says what happens to the threshold without it.

    Returns
    -------
    (train_rows, valid_rows) or None
        None, with a ``UserWarning``, when the smaller class has fewer than
        two rows, or when ``sample_weight`` leaves a class without weight on
        one side; training then runs without early stopping (and
        ``threshold="auto"`` is chosen on the training rows).
    """
    counts = np.bincount(y, minlength=2)
    problem = None
    if counts.min() < 2:
        problem = (
            f"the smaller class has {counts.min()} sample(s) among {len(y)} rows with "
            f"validation_fraction={fraction}"
        )
    else:
        rng = np.random.RandomState(seed)
        sides = ([], [])
        for c in (0, 1):
            rows = rng.permutation(np.flatnonzero(y == c))
            n_valid = n_validation_rows(len(rows), fraction)
            sides[0].append(rows[n_valid:])
            sides[1].append(rows[:n_valid])
        train_rows, valid_rows = (np.sort(np.concatenate(side)) for side in sides)
        if sample_weight is not None and not all(
            sample_weight[rows][y[rows] == c].sum() > 0
            for rows in (train_rows, valid_rows)
            for c in (0, 1)
        ):
            problem = (
                "sample_weight is zero for every row of one class on one side of the split "
                f"(validation_fraction={fraction})"
            )
        else:
            return train_rows, valid_rows
    if for_threshold:
        message = (
            "threshold='auto' chooses the threshold on a validation split holding both "
            f"classes, with weight, on both sides, but {problem}. The threshold is chosen "
            "on the training rows instead, where it looks better than it will on new data, "
            "and training runs for max_iter epochs without early stopping. Raise "
            "validation_fraction, or set a numeric threshold (TunedThresholdClassifierCV "
            "from sklearn.model_selection chooses one by cross-validation)."
        )
    else:
        message = (
            "Early stopping needs a validation split holding both classes, with weight, "
            f"on both sides, but {problem}. Training runs for max_iter epochs without early "
            "stopping; raise validation_fraction or set early_stopping=False."
        )
    warnings.warn(message, UserWarning, stacklevel=user_stacklevel())
    return None
