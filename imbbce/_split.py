"""The validation split for early stopping, and whether ``fit`` makes one.

The split is stratified, shuffled and seeded, taken before any resampling,
and carries sample weights: every minority-aware score on it needs both
classes, with weight, on both sides.
"""

import warnings

import numpy as np

from ._stacklevel import user_stacklevel

__all__ = [
    "MIN_EARLY_STOPPING_MINORITY",
    "n_validation_rows",
    "resolve_early_stopping",
    "validation_split",
]

#: Fewest minority rows the validation split would hold for which
#: ``early_stopping="auto"`` holds it out (with fewer, training uses all rows).
MIN_EARLY_STOPPING_MINORITY = 50


def resolve_early_stopping(early_stopping, y_enc, fraction):
    """Whether ``fit`` stops early on a validation split, with ``"auto"`` resolved.

    ``"auto"`` stops early when the split would hold at least
    :data:`MIN_EARLY_STOPPING_MINORITY` minority rows. With fewer, a ranking
    score picks the epoch by noise and the split takes a tenth of an already
    small minority from training (the user guide's page on validation gives
    the measurements). ``threshold="auto"`` and a ``calibration`` hold a
    split out without stopping early on it (see
    ``BalancedBCEClassifier._validation_split``).
    """
    if early_stopping != "auto":
        return bool(early_stopping)
    n_minority = int(np.bincount(y_enc, minlength=2).min())
    if n_minority < 2:
        return False
    return n_validation_rows(n_minority, fraction) >= MIN_EARLY_STOPPING_MINORITY


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
