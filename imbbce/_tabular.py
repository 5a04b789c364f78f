"""Raw tables in: what ``fit`` and the predict methods accept, and how a
table is split into numeric and categorical columns.

The network computes on a float32 matrix. :func:`check_table` validates what
``fit`` and the predict methods receive and splits it into numeric columns
(missing values allowed) and categorical ones (:class:`Table`);
:class:`~imbbce._encoder.TableEncoder` turns that into the network's input.
Errors name the columns and say what to set.
"""

import sys
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.utils.validation import check_array, validate_data

from ._compat import check_feature_names, check_n_features, safe_indexing

__all__ = [
    "Table",
    "blocks",
    "categorical_mask",
    "check_table",
    "check_training_table",
    "has_nan",
    "has_text_columns",
    "is_missing",
    "numeric_columns",
]

MAX_LISTED = 10  # column names listed in a message
#: Rows per block when numeric columns are scanned for missing values, so that
#: no copy of a large X (nor a boolean mask of its size) is made.
BLOCK_ROWS = 65_536


@dataclass(frozen=True)
class Table:
    """A validated ``X``, split by kind of column.

    Attributes
    ----------
    numeric : ndarray of shape (n_samples, n_numeric) or sparse matrix or None
        The numeric columns as float32 or float64, NaN where missing; None
        when every column is categorical.
    categorical : ndarray of object, shape (n_samples, n_categorical) or None
        The categorical columns' values as given (None, NaN or ``pd.NA``
        where missing); None without categorical columns.
    """

    numeric: object
    categorical: object

    def __len__(self):
        part = self.numeric if self.numeric is not None else self.categorical
        return part.shape[0]


# ---------------------------------------------------------------- columns


def _frame_kind(X):
    """ "pandas", "polars" or None."""
    module = type(X).__module__.split(".")[0]
    if module in ("pandas", "polars") and hasattr(X, "columns") and hasattr(X, "shape"):
        return module
    return None


def _column_kinds(X):
    """Per column of a DataFrame: "numeric", "categorical" or the dtype's name
    (a kind the network cannot take, such as dates); None for anything else."""
    frame = _frame_kind(X)
    if frame == "pandas":
        import pandas as pd

        kinds = []
        for j, dtype in enumerate(X.dtypes):
            if pd.api.types.is_object_dtype(dtype) and _only_numbers(X.iloc[:, j]):
                kinds.append("numeric")  # numbers held as Python objects
            elif isinstance(dtype, pd.CategoricalDtype) or pd.api.types.is_string_dtype(dtype):
                kinds.append("categorical")  # string_dtype includes object
            elif pd.api.types.is_bool_dtype(dtype) or pd.api.types.is_numeric_dtype(dtype):
                kinds.append("numeric")
            else:
                kinds.append(str(dtype))
        return kinds
    if frame == "polars":
        import polars as pl

        kinds = []
        for dtype in X.schema.values():
            if isinstance(dtype, (pl.Categorical, pl.Enum, pl.String, pl.Object)) or dtype in (
                pl.Categorical,
                pl.String,
                pl.Object,
            ):
                kinds.append("categorical")
            elif dtype.is_numeric() or dtype == pl.Boolean:
                kinds.append("numeric")
            else:
                kinds.append(str(dtype))
        return kinds
    return None


def _float_dtypes(X):
    """The float dtypes ``check_array`` may keep for the numeric columns of ``X``.

    scikit-learn keeps float32 or float64 input as it is and reads what it
    cannot tell as float32, the first of the two. It cannot tell a polars
    DataFrame's dtype, so its Float64 columns would be rounded to float32
    before the imputation means are taken, and the same table would train
    another model as polars than as pandas. A polars frame is float32 only
    when all its columns are.
    """
    if _frame_kind(X) == "polars":
        import polars as pl

        if all(dtype == pl.Float32 for dtype in X.schema.values()):
            return np.float32
        return np.float64
    return (np.float32, np.float64)


def has_text_columns(X):
    """Whether ``X`` is a DataFrame with columns that are not numeric."""
    kinds = _column_kinds(X)
    return kinds is not None and any(kind != "numeric" for kind in kinds)


def numeric_columns(X):
    """Names of the numeric columns of a pandas or polars DataFrame."""
    return [name for name, kind in zip(X.columns, _column_kinds(X)) if kind == "numeric"]


def _only_numbers(column):
    """Whether a pandas object column holds numbers only (and missing values)."""
    import pandas as pd

    kind = pd.api.types.infer_dtype(column, skipna=True)
    return kind in ("integer", "floating", "mixed-integer-float", "decimal", "boolean")


def _listed(names):
    names = [n.item() if isinstance(n, np.generic) else n for n in names]
    shown = ", ".join(repr(n) for n in names[:MAX_LISTED])
    more = len(names) - MAX_LISTED
    return shown + (f" (and {more} more)" if more > 0 else "")


def _names(X, positions):
    """Column names of a DataFrame at ``positions``, else the positions."""
    columns = getattr(X, "columns", None)
    if columns is None or _frame_kind(X) is None:
        return [int(p) for p in positions]
    return [list(columns)[p] for p in positions]


def categorical_mask(X, categorical_features):
    """Which columns of ``X`` are categorical, as scikit-learn's
    ``HistGradientBoostingClassifier`` reads ``categorical_features``.

    Parameters
    ----------
    X : array-like or DataFrame of shape (n_samples, n_features)
    categorical_features : "from_dtype", None, or array-like of bool, int or str
        "from_dtype": the columns of a pandas or polars DataFrame whose dtype
        is categorical, string or object (an object column that holds only
        numbers is numeric; none for other inputs). None: no
        column. A boolean mask of length ``n_features``, column indices, or
        column names (of a DataFrame).

    Returns
    -------
    ndarray of bool of shape (n_features,) or None
        None when no column is categorical.
    """
    if categorical_features is None:
        return None
    n_features = X.shape[1] if hasattr(X, "shape") and len(X.shape) == 2 else None
    if isinstance(categorical_features, str):
        if categorical_features != "from_dtype":
            raise ValueError(
                f"categorical_features={categorical_features!r}: a single string must be "
                "'from_dtype'; name columns in a list, e.g. categorical_features="
                f"[{categorical_features!r}]."
            )
        kinds = _column_kinds(X)
        if kinds is None:
            return None
        mask = np.array([kind == "categorical" for kind in kinds], dtype=bool)
        return mask if mask.any() else None
    features = np.asarray(categorical_features)
    if features.size == 0:
        return None
    if features.ndim != 1:
        raise ValueError(
            f"categorical_features must be 1-dimensional (a mask, indices or names); got an "
            f"array of shape {features.shape}."
        )
    if n_features is None:
        X = check_array(X, dtype=None, ensure_all_finite=False, accept_sparse=True)
        n_features = X.shape[1]
    if features.dtype.kind == "b":
        if len(features) != n_features:
            raise ValueError(
                f"categorical_features as a boolean mask must have one entry per column of "
                f"X ({n_features}); got {len(features)}."
            )
        mask = features.copy()
    elif features.dtype.kind in "iu":
        bad = [int(i) for i in features if not 0 <= i < n_features]
        if bad:
            raise ValueError(
                f"categorical_features holds column indices outside [0, {n_features - 1}]: "
                f"{_listed(bad)}."
            )
        mask = np.zeros(n_features, dtype=bool)
        mask[features] = True
    elif features.dtype.kind in "UO" and all(isinstance(f, str) for f in features):
        columns = getattr(X, "columns", None)
        if columns is None or _frame_kind(X) is None:
            raise ValueError(
                "categorical_features names columns, but X has no column names: pass a "
                "pandas or polars DataFrame, or give column indices or a boolean mask."
            )
        columns = [str(c) for c in columns]
        unknown = [f for f in features if f not in columns]
        if unknown:
            raise ValueError(
                f"categorical_features names columns that X does not have: {_listed(unknown)}; "
                f"its columns are {_listed(columns)}."
            )
        mask = np.isin(np.asarray(columns, dtype=object), features)
    else:
        raise ValueError(
            "categorical_features must be 'from_dtype', None, a boolean mask, column indices "
            f"or column names; got {categorical_features!r}."
        )
    return mask if mask.any() else None


# ------------------------------------------------------------- validation


def check_training_table(estimator, X, y, categorical_features):
    """``fit``'s check of ``X`` and ``y``: which columns are categorical,
    the :class:`Table`, and ``y`` as a validated 1-d array.

    Sets ``n_features_in_`` and ``feature_names_in_``.

    Parameters
    ----------
    estimator : BalancedBCEClassifier
    X : array-like, DataFrame or sparse matrix of shape (n_samples, n_features)
    y : array-like of shape (n_samples,)
    categorical_features : object
        The estimator's parameter.

    Returns
    -------
    is_categorical : ndarray of bool or None
    table : Table
    y : ndarray of shape (n_samples,)
    """
    # y first: validate_data without an X forgets feature names, which
    # check_table then sets.
    y = validate_data(estimator, X="no_validation", y=y)
    is_categorical = categorical_mask(X, categorical_features)
    table = check_table(
        estimator, X, is_categorical, reset=True, categorical_features=categorical_features
    )
    if len(y) != len(table):
        raise ValueError(
            f"Found input variables with inconsistent numbers of samples: [{len(table)}, {len(y)}]"
        )
    return is_categorical, table, y


def check_table(estimator, X, is_categorical, *, reset, categorical_features="from_dtype"):
    """Validate ``X`` and split it into numeric and categorical columns.

    Sets ``n_features_in_`` and ``feature_names_in_`` with ``reset=True`` and
    checks them otherwise, as ``validate_data`` does.

    Parameters
    ----------
    estimator : BalancedBCEClassifier
    X : array-like, DataFrame or sparse matrix of shape (n_samples, n_features)
    is_categorical : ndarray of bool or None
        From :func:`categorical_mask` (in ``fit``) or ``is_categorical_``.
    reset : bool
        True in ``fit``.
    categorical_features : object, default="from_dtype"
        The estimator's parameter, named in error messages.

    Returns
    -------
    Table
    """
    if is_categorical is None:
        return Table(_numeric(estimator, X, reset, categorical_features), None)
    if sp.issparse(X):
        raise ValueError(
            "categorical_features marks categorical columns, which a sparse X cannot hold: "
            "pass a dense array or a DataFrame, or one-hot encode them yourself and set "
            "categorical_features=None."
        )
    check_feature_names(estimator, X, reset=reset)
    if _frame_kind(X) is None:
        X = check_array(X, dtype=None, ensure_all_finite=False)
    check_n_features(estimator, X, reset=reset)
    numeric_columns = np.flatnonzero(~is_categorical)
    numeric = None
    if len(numeric_columns):
        part = safe_indexing(X, numeric_columns, axis=1)
        kinds = _column_kinds(part)
        if kinds is not None:
            _refuse_other_kinds(part, kinds)
        try:
            numeric = check_array(
                part, dtype=_float_dtypes(part), ensure_all_finite="allow-nan", input_name="X"
            )
        except ValueError as exc:
            if "could not convert" not in str(exc):
                raise
            raise ValueError(_not_numbers(part, numeric_columns, X, None, reset)) from exc
        _refuse_infinite(numeric)
    values = safe_indexing(X, np.flatnonzero(is_categorical), axis=1)
    if _frame_kind(values) is not None:
        values = np.column_stack([_object_column(values, j) for j in range(values.shape[1])])
    categorical = np.asarray(values, dtype=object)
    if categorical.shape[0] == 0:
        raise ValueError(
            f"Found array with 0 sample(s) (shape={categorical.shape}) while a minimum of 1 "
            "is required."
        )
    return Table(numeric, categorical)


def _numeric(estimator, X, reset, categorical_features):
    """An all-numeric X, validated; NaN allowed in dense X."""
    kinds = _column_kinds(X)
    if kinds is not None:
        text = [i for i, kind in enumerate(kinds) if kind == "categorical"]
        if text and not reset:
            raise ValueError(_numbers_expected(_names(X, text)))
        if text:
            raise ValueError(
                f"X has non-numeric columns {_listed(_names(X, text))}, but "
                f"categorical_features={categorical_features!r} marks no column as "
                "categorical. Set categorical_features='from_dtype' (the default: string, "
                "object and category columns), or list them in categorical_features, or "
                "drop them."
            )
        _refuse_other_kinds(X, kinds)
    try:
        X = validate_data(
            estimator,
            X,
            accept_sparse=("csr", "csc"),
            dtype=_float_dtypes(X),
            ensure_all_finite="allow-nan",
            reset=reset,
        )
    except ValueError as exc:
        if "could not convert" not in str(exc):
            raise
        raise ValueError(_not_numbers(X, None, X, categorical_features, reset)) from exc
    if sp.issparse(X) and np.isnan(X.data).any():
        raise ValueError(
            "X is a sparse matrix with missing values (NaN), which imbbce does not impute: "
            "fill them (e.g. sklearn.impute.SimpleImputer in a Pipeline) or pass a dense "
            "array."
        )
    _refuse_infinite(X)
    return X


def _refuse_other_kinds(X, kinds):
    other = [i for i, kind in enumerate(kinds) if kind not in ("numeric", "categorical")]
    if other:
        dtypes = sorted({kinds[i] for i in other})
        raise ValueError(
            f"X has columns {_listed(_names(X, other))} of dtype {', '.join(dtypes)}, which "
            "the network cannot read as numbers or categories. Convert them (e.g. dates to "
            "numbers of days, or to strings to treat them as categories) or drop them."
        )


def _refuse_infinite(X):
    values = X.data if sp.issparse(X) else X
    if np.isfinite(values.sum()):  # no NaN, no infinity: the common case, no copy
        return
    if any(np.isinf(block).any() for block in blocks(values)):
        raise ValueError(
            "Input X contains infinity. Missing values may be NaN, but infinite ones have no "
            "place in a network's input: replace them (e.g. by NaN) or drop those rows."
        )


def _numbers_expected(names, example=None):
    """The message for text at prediction in columns that held numbers in ``fit``."""
    such = "" if example is None else f" (values such as {example!r})"
    return (
        f"X has columns that are not numbers: {_listed(names)}{such}, but they held numbers "
        "in the data given to fit. Pass the columns as they were in fit (a category "
        "column must be categorical when the model is fitted, not only at prediction)."
    )


def _not_numbers(part, positions, X, categorical_features=None, reset=True):
    """A message naming the columns of ``part`` whose values are not numbers."""
    values = np.asarray(part, dtype=object)
    bad, example = [], None
    for j in range(values.shape[1]):
        for value in values[:, j]:
            try:
                float(value)
            except (TypeError, ValueError):
                bad.append(j)
                example = value if example is None else example
                break
    where = bad if positions is None else [positions[j] for j in bad]
    if not reset:
        return _numbers_expected(_names(X, where), example)
    hint = (
        " categorical_features='from_dtype' finds categorical columns in pandas and "
        "polars DataFrames only (string, object and category dtypes):"
        if categorical_features == "from_dtype" and _frame_kind(X) is None
        else ""
    )
    return (
        f"X has columns that are not numbers: {_listed(_names(X, where))} (values such as "
        f"{example!r}).{hint} List them in categorical_features (indices, names or a "
        "boolean mask) to treat them as categories, or convert them to numbers."
    )


def blocks(values, rows=None):
    """``values[rows]`` (None: all rows) in blocks of :data:`BLOCK_ROWS` rows."""
    n = len(values) if rows is None else len(rows)
    for start in range(0, n, BLOCK_ROWS):
        stop = min(start + BLOCK_ROWS, n)
        yield values[start:stop] if rows is None else values[rows[start:stop]]


def has_nan(values):
    return not np.isfinite(values.sum()) and any(np.isnan(b).any() for b in blocks(values))


def _object_column(frame, j):
    """Column ``j`` of a pandas or polars DataFrame as an object array."""
    if _frame_kind(frame) == "pandas":
        return np.asarray(frame.iloc[:, j].astype(object), dtype=object)
    return np.asarray(frame[:, j].to_numpy(), dtype=object)


def is_missing(values):
    """Where an object or numeric column holds a missing value."""
    if values.dtype.kind == "f":
        return np.isnan(values)
    if values.dtype.kind != "O":
        return np.zeros(len(values), dtype=bool)
    pd = sys.modules.get("pandas")
    if pd is not None:  # knows pd.NA, pd.NaT, None and NaN
        return np.asarray(pd.isna(values), dtype=bool)
    return np.array([v is None or (isinstance(v, float) and v != v) for v in values], dtype=bool)
