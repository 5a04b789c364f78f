"""Resolve the ``sampler`` parameter and resample with weights carried along.

The samplers themselves are imbalanced-learn's; this module only maps the
string aliases to them, seeds them, carries ``sample_weight`` through them,
and turns their errors into messages that say what to change.
"""

from collections.abc import Mapping
from importlib import import_module

import numpy as np
import scipy.sparse as sp
from sklearn.base import clone

from ._checks import plain_label

__all__ = ["BALANCED_BATCH", "SAMPLER_ALIASES", "make_sampler", "resample"]

#: The sampler that is not a resampler: balanced mini-batches drawn each epoch.
BALANCED_BATCH = "balanced_batch"


class _LazyClasses(Mapping):
    """Alias -> class, each class imported from its module on first lookup.

    imbalanced-learn takes about a quarter of the estimator's import time
    (it imports scipy.stats and pytest), so a process that never resamples
    never imports it.
    """

    def __init__(self, paths):
        self._paths = paths

    def __getitem__(self, alias):
        module, name = self._paths[alias]
        return getattr(import_module(module), name)

    def __iter__(self):
        return iter(self._paths)

    def __len__(self):
        return len(self._paths)


SAMPLER_ALIASES = _LazyClasses(
    {
        "random_over": ("imblearn.over_sampling", "RandomOverSampler"),
        "random_under": ("imblearn.under_sampling", "RandomUnderSampler"),
        "smote": ("imblearn.over_sampling", "SMOTE"),
        "borderline_smote": ("imblearn.over_sampling", "BorderlineSMOTE"),
        "adasyn": ("imblearn.over_sampling", "ADASYN"),
        "smote_tomek": ("imblearn.combine", "SMOTETomek"),
        "smote_enn": ("imblearn.combine", "SMOTEENN"),
        "tomek": ("imblearn.under_sampling", "TomekLinks"),
        "near_miss": ("imblearn.under_sampling", "NearMiss"),
        "edited_nn": ("imblearn.under_sampling", "EditedNearestNeighbours"),
    }
)


def make_sampler(sampler, sampling_strategy, seed, categorical=None):
    """Return a fresh, seeded sampler for ``fit``, or None.

    Parameters
    ----------
    sampler : None, str or object with ``fit_resample``
        The estimator's ``sampler`` parameter. An object is cloned, never
        fitted in place.
    sampling_strategy : str, float or dict
        Passed to the samplers built from a string alias.
    seed : int
        Given as ``random_state`` to the sampler, and to any sampler nested
        in it, that takes one and has it left as None, so that the
        estimator's ``random_state`` fixes them.
    categorical : tuple (indices, n_features) or None, default=None
        For "smote" on a table with categorical columns: the positions of
        the categorical columns among ``n_features``. "smote" then builds
        imbalanced-learn's SMOTENC with them, or SMOTEN when every column is
        categorical.
    """
    if sampler is None or sampler == BALANCED_BATCH:
        return None
    if sampler == "smote" and categorical is not None:
        indices, n_features = categorical
        if len(indices) == n_features:
            sampler = _imblearn("SMOTEN")(sampling_strategy=sampling_strategy)
        else:
            sampler = _imblearn("SMOTENC")(
                categorical_features=list(indices), sampling_strategy=sampling_strategy
            )
    elif isinstance(sampler, str):
        sampler = SAMPLER_ALIASES[sampler](sampling_strategy=sampling_strategy)
    else:
        sampler = clone(sampler)
    # Nested samplers too (the SMOTE inside SMOTETomek(smote=SMOTE(...))):
    # one left unseeded would draw from numpy's global generator.
    unseeded = {
        name: seed
        for name, value in sampler.get_params(deep=True).items()
        if (name == "random_state" or name.endswith("__random_state")) and value is None
    }
    if unseeded:
        sampler.set_params(**unseeded)
    return sampler


def _imblearn(name):
    return getattr(import_module("imblearn.over_sampling"), name)


def resample(sampler, X, y, sample_weight, classes, codes=None):
    """Run ``sampler.fit_resample`` and carry the sample weights along.

    Parameters
    ----------
    sampler : imbalanced-learn sampler
    X : ndarray or sparse matrix of shape (n_samples, n_features)
    y : ndarray of shape (n_samples,)
        Encoded labels in {0, 1}.
    sample_weight : ndarray of shape (n_samples,) or None
    classes : ndarray of shape (2,)
        The user's labels. The sampler sees these, not the codes, so that a
        dict or callable ``sampling_strategy`` is keyed by the user's labels
        as imbalanced-learn documents it; they also name classes in errors.
    codes : TableEncoder or None, default=None
        For SMOTENC and SMOTEN: the sampler sees ``codes.to_codes(X)`` (one
        code per categorical column) and its rows are one-hot encoded again
        with ``codes.expand``.

    Returns
    -------
    X_res, y_res, sample_weight_res
        ``y_res`` encoded in {0, 1} again.

    Notes
    -----
    How weights follow the rows:

    * a sampler that reports ``sample_indices_`` (random over/under-sampling,
      NearMiss, Tomek links, edited nearest neighbours) selects rows, and each
      kept row keeps its own weight;
    * otherwise (SMOTE and its variants, ADASYN, SMOTE+Tomek, SMOTE+ENN) a
      resampled row identical to an original row of the same class keeps that
      row's weight (the mean, if several identical rows had different ones),
      and a synthetic row gets the mean weight of the original rows of its
      class. No weight is dropped silently.

    Raises ``ValueError`` when every row the sampler kept of a class has
    weight 0 (an under-sampler can drop every weighted row of a class).
    """
    try:
        if codes is None:
            X_res, labels_res = sampler.fit_resample(X, classes[y])
        else:
            X_res, labels_res = sampler.fit_resample(codes.to_codes(X), classes[y])
            X_res = codes.expand(np.asarray(X_res, dtype=np.float64)).astype(X.dtype)
    except ValueError as err:
        if "n_neighbors" in str(err):
            raise ValueError(_neighbors_message(sampler, y, classes)) from err
        raise
    y_res = (np.asarray(labels_res) == classes[1]).astype(np.int64)
    if sample_weight is None:
        return X_res, y_res, None
    if hasattr(sampler, "sample_indices_"):
        w_res = sample_weight[sampler.sample_indices_]
    else:
        w_res = _carry_weights(X, y, sample_weight, X_res, y_res)
    _check_weight_left(sampler, y_res, w_res, classes)
    return X_res, y_res, w_res


def _check_weight_left(sampler, y_res, w_res, classes):
    """Raise when the rows a sampler kept of a class all have weight 0.

    An under-sampler can keep only zero-weight rows of a class that had
    weight before; the loss would then ignore that class without a word.
    """
    for c in np.unique(y_res):
        if not np.any(w_res[y_res == c] > 0):
            raise ValueError(
                f"After {type(sampler).__name__} resampled the training data, every row "
                f"of class {plain_label(classes[c])!r} it kept has sample_weight 0, so the "
                "loss would ignore that class. Give more rows of that class a weight > 0, or "
                "choose a sampler or sampling_strategy that keeps more of them."
            )


def _carry_weights(X, y, sample_weight, X_res, y_res):
    class_mean = np.array([sample_weight[y == c].mean() for c in (0, 1)])
    if sp.issparse(X):
        # Sparse rows are not hashed: rows that stand unchanged at the start
        # (as SMOTE's output does) keep their weights, the rest get the mean.
        weights = class_mean[y_res].astype(np.float64)
        n = X.shape[0]
        if X_res.shape[0] >= n and (X_res[:n] != X).nnz == 0 and np.array_equal(y_res[:n], y):
            weights[:n] = sample_weight
        return weights
    keys = np.concatenate([_row_keys(X, y), _row_keys(np.asarray(X_res, dtype=X.dtype), y_res)])
    _, inverse = np.unique(keys, return_inverse=True)
    inverse = inverse.reshape(-1)
    n = X.shape[0]
    n_keys = inverse.max() + 1
    weight_sum = np.bincount(inverse[:n], weights=sample_weight, minlength=n_keys)
    count = np.bincount(inverse[:n], minlength=n_keys)
    res_keys = inverse[n:]
    matched = count[res_keys] > 0
    return np.where(
        matched,
        weight_sum[res_keys] / np.maximum(count[res_keys], 1),
        class_mean[y_res],
    )


def _row_keys(X, y):
    """One hashable, sortable key per (row, label)."""
    rows = np.ascontiguousarray(np.column_stack([X, y.astype(X.dtype)]))
    return rows.view(np.dtype((np.void, rows.dtype.itemsize * rows.shape[1]))).reshape(-1)


def _neighbors_message(sampler, y, classes):
    counts = np.bincount(y, minlength=2)
    minority = int(np.argmin(counts))
    n_min = int(counts[minority])
    name = type(sampler).__name__
    setting = _neighbors_setting(sampler)
    if setting is None:
        need, fix = " needs more", ""
    else:
        param, value, nested = setting
        need = f" with {param}={value} needs at least {value + 1}"
        fix = ""
        if n_min >= 2:
            owner = sampler if nested is None else nested
            args = f"{param}={n_min - 1}"
            strategy = _strategy_in_effect(sampler, nested)
            if not (isinstance(strategy, str) and strategy == "auto"):
                # A sampler object ignores the estimator's sampling_strategy:
                # the example carries the one in effect, or following the
                # advice would silently change it.
                shown = getattr(strategy, "__name__", None) if callable(strategy) else None
                args = f"sampling_strategy={shown or repr(strategy)}, {args}"
            example = f"{type(owner).__name__}({args})"
            if nested is not None:
                example = f"{name}(smote={example})"
            fix = f"lower {param} below {n_min} (e.g. sampler={example}), "
    return (
        f"The sampler {name} could not resample the training data: its nearest-neighbour "
        f"step ran out of samples. The training part holds {n_min} sample(s) of the minority "
        f"class {plain_label(classes[minority])!r}, and {name}{need} minority samples. Inside "
        f"cross-validation and with early_stopping=True each training part holds fewer than "
        f"the whole data. To fix it: {fix}use sampler='random_over' (no neighbours), "
        f"or use fewer folds or more minority samples."
    )


def _strategy_in_effect(sampler, nested):
    """The ``sampling_strategy`` that decides how many rows the SMOTE step makes.

    A combined sampler given no SMOTE of its own passes its own strategy to
    the default one it builds; given one, that SMOTE's strategy counts.
    """
    if nested is None or sampler.get_params(deep=False).get("smote") is None:
        return sampler.get_params(deep=False).get("sampling_strategy", "auto")
    return nested.get_params(deep=False).get("sampling_strategy", "auto")


def _neighbors_setting(sampler):
    """The neighbour count a sampler uses, if an int: ``(name, value, nested)``.

    ``nested`` is the SMOTE inside a combined sampler (SMOTE+Tomek,
    SMOTE+ENN; imbalanced-learn's default SMOTE when it holds none), else
    None.
    """
    params = sampler.get_params(deep=False) if hasattr(sampler, "get_params") else {}
    nested = None
    if "smote" in params:
        nested = params["smote"] or SAMPLER_ALIASES["smote"]()
        params = nested.get_params(deep=False) if hasattr(nested, "get_params") else {}
    for name in ("k_neighbors", "n_neighbors"):
        value = params.get(name)
        if isinstance(value, (int, np.integer)):
            return name, int(value), nested
    return None
