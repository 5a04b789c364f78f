"""Raw tables in: categorical columns and missing values, encoded for the network.

The network computes on a float32 matrix. :func:`check_table` validates what
``fit`` and the predict methods receive and splits it into numeric columns
(missing values allowed) and categorical ones; :class:`TableEncoder`, fitted
on the training part only (never on the validation split), turns that into
the network's input:

* numeric columns as given, a missing value replaced by the column's mean on
  the training part, and one missing indicator (1.0 where the value was
  missing) for each column that had missing values there;
* each categorical column one-hot encoded over the categories seen in the
  training part. A missing value, or at prediction a category never seen in
  training, is *unknown*: when the training part had missing values in that
  column, unknown gets a column of its own, which the network learns from
  those rows; otherwise an unknown value is encoded as the training shares
  of the categories (the average one-hot row), so the network answers as
  for an average row of that column, never from untrained weights.

One-hot columns into the first linear layer are a learned embedding of each
category (of the first hidden layer's width): an embedding of dimension d
followed by that layer is the same function with a factorised weight. The
choice, and why not a separate embedding layer, is recorded in the user
guide (:ref:`raw_tables`).

An all-numeric table without missing values in the training part is passed
through unchanged (:attr:`TableEncoder.passthrough_`), so the network sees
the very same numbers as before this encoder existed.
"""

import sys
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.utils.validation import check_array, validate_data

from ._compat import check_feature_names, check_n_features, safe_indexing

__all__ = [
    "Table",
    "TableEncoder",
    "categorical_mask",
    "check_table",
    "check_training_table",
    "has_text_columns",
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
                part, dtype=(np.float32, np.float64), ensure_all_finite="allow-nan", input_name="X"
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
            dtype=(np.float32, np.float64),
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
    if any(np.isinf(block).any() for block in _blocks(values)):
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


def _blocks(values, rows=None):
    """``values[rows]`` (None: all rows) in blocks of :data:`BLOCK_ROWS` rows."""
    n = len(values) if rows is None else len(rows)
    for start in range(0, n, BLOCK_ROWS):
        stop = min(start + BLOCK_ROWS, n)
        yield values[start:stop] if rows is None else values[rows[start:stop]]


def _has_nan(values):
    return not np.isfinite(values.sum()) and any(np.isnan(b).any() for b in _blocks(values))


def _object_column(frame, j):
    """Column ``j`` of a pandas or polars DataFrame as an object array."""
    if _frame_kind(frame) == "pandas":
        return np.asarray(frame.iloc[:, j].astype(object), dtype=object)
    return np.asarray(frame[:, j].to_numpy(), dtype=object)


def _missing(values):
    """Where an object or numeric column holds a missing value."""
    if values.dtype.kind == "f":
        return np.isnan(values)
    if values.dtype.kind != "O":
        return np.zeros(len(values), dtype=bool)
    pd = sys.modules.get("pandas")
    if pd is not None:  # knows pd.NA, pd.NaT, None and NaN
        return np.asarray(pd.isna(values), dtype=bool)
    return np.array([v is None or (isinstance(v, float) and v != v) for v in values], dtype=bool)


# ---------------------------------------------------------------- encoder


class TableEncoder:
    """Imputation, missing indicators and one-hot codes, fitted on training rows.

    Parameters
    ----------
    is_categorical : ndarray of bool of shape (n_features,) or None
        Which columns of ``X`` are categorical (None: none).
    feature_names : array-like of str of shape (n_features,)
        Names of the columns of ``X``, for messages and
        :meth:`get_feature_names_out`.

    Attributes
    ----------
    passthrough_ : bool
        True when there is nothing to encode (no categorical column, no
        missing value in the training part): :meth:`transform` then returns
        the numeric columns as given, imputing only a missing value that
        appears at prediction.
    means_ : ndarray of shape (n_numeric,) or None
        Imputation values: each numeric column's mean over the training part
        (0 for a column missing there entirely); None for sparse X.
    missing_indicator_ : ndarray of int
        Numeric columns (positions among the numeric ones) that get a
        missing indicator.
    categories_ : list of ndarray
        Sorted categories of each categorical column in the training part.
    unknown_column_ : ndarray of bool
        Per categorical column: whether unknown has a column of its own
        (the training part had missing values there).
    n_features_out_ : int
        Columns of the network's input.
    n_codes_ : int
        Columns of :meth:`codes`.
    """

    def __init__(self, is_categorical, feature_names):
        self.is_categorical = is_categorical
        self.feature_names = feature_names

    def fit(self, table, rows=None):
        """Learn the imputation values, indicators and categories.

        Parameters
        ----------
        table : Table
        rows : ndarray of int or None
            The training part's rows; None: all.

        Returns
        -------
        TableEncoder
        """
        numeric = table.numeric
        self.n_numeric_ = 0 if numeric is None else numeric.shape[1]
        self.means_ = None
        self.missing_indicator_ = np.array([], dtype=np.int64)
        if numeric is not None and not sp.issparse(numeric):
            # Block by block: no copy of the training rows.
            counts = np.zeros(self.n_numeric_, dtype=np.int64)
            sums = np.zeros(self.n_numeric_, dtype=np.float64)
            for block in _blocks(numeric, rows):
                missing = np.isnan(block)
                counts += (~missing).sum(axis=0)
                sums += np.where(missing, 0.0, block).sum(axis=0, dtype=np.float64)
            self.means_ = np.where(counts > 0, sums / np.maximum(counts, 1), 0.0)
            n_rows = len(numeric) if rows is None else len(rows)
            self.missing_indicator_ = np.flatnonzero(counts < n_rows)
        self.categories_, self.unknown_column_, self._lookup = [], [], []
        categorical = _rows(table.categorical, rows)
        if categorical is not None:
            names = np.asarray(self.feature_names, dtype=object)[self.is_categorical]
            for j, name in enumerate(names):
                self._fit_column(categorical[:, j], name)
        self.unknown_column_ = np.asarray(self.unknown_column_, dtype=bool)
        self.passthrough_ = table.categorical is None and len(self.missing_indicator_) == 0
        self.n_codes_ = self.n_numeric_ + len(self.missing_indicator_) + len(self.categories_)
        self.n_features_out_ = (
            self.n_numeric_
            + len(self.missing_indicator_)
            + sum(len(c) + int(u) for c, u in zip(self.categories_, self.unknown_column_))
        )
        return self

    def _fit_column(self, values, name):
        missing = _missing(values)
        present = values[~missing]
        try:
            categories, counts = np.unique(present, return_counts=True)
        except TypeError as exc:
            types = sorted({type(v).__name__ for v in present})
            raise ValueError(
                f"The categorical column {name!r} mixes values of types {', '.join(types)}, "
                "which cannot be ordered: convert it to one type, e.g. strings "
                "(df[column].astype(str), which also turns missing values into a category)."
            ) from exc
        has_unknown = bool(missing.any())
        width = len(categories) + int(has_unknown)
        # Row k: the code of category k; the last row: unknown.
        table = np.zeros((len(categories) + 1, width))
        table[np.arange(len(categories)), np.arange(len(categories))] = 1.0
        if has_unknown:
            table[-1, -1] = 1.0
        elif len(present):
            table[-1, : len(categories)] = counts / counts.sum()
        self.categories_.append(categories)
        self.unknown_column_.append(has_unknown)
        self._lookup.append(table)

    # ------------------------------------------------------------ transform

    def transform(self, table):
        """The network's input for ``table``.

        Parameters
        ----------
        table : Table

        Returns
        -------
        ndarray or sparse matrix of shape (n_samples, n_features_out_)
            ``table.numeric`` itself when :attr:`passthrough_` and nothing
            is missing; otherwise a new float array.
        """
        return self.expand(self.codes(table))

    def codes(self, table):
        """Imputed numeric columns, missing indicators, then one integer code
        per categorical column (``len(categories_[j])`` for unknown), as one
        float matrix; what SMOTENC and SMOTEN resample.

        Parameters
        ----------
        table : Table

        Returns
        -------
        ndarray or sparse matrix of shape (n_samples, n_codes)
        """
        numeric = table.numeric
        if numeric is not None and not sp.issparse(numeric):
            if self.passthrough_ and not _has_nan(numeric):
                return numeric  # the common case: no mask, no copy
            missing = np.isnan(numeric)
            if missing.any():
                numeric = np.where(missing, self.means_.astype(numeric.dtype), numeric)
                indicators = missing[:, self.missing_indicator_]
            else:
                indicators = np.zeros((len(numeric), len(self.missing_indicator_)), dtype=bool)
            if self.passthrough_:
                return numeric
            parts = [numeric, indicators.astype(numeric.dtype)]
        elif self.passthrough_:
            return numeric
        else:
            parts = [] if numeric is None else [numeric]
        if table.categorical is not None:
            parts.append(self._category_codes(table.categorical))
        return np.hstack(parts) if len(parts) > 1 else parts[0]

    def _category_codes(self, values):
        codes = np.empty(values.shape, dtype=np.float64)
        for j, categories in enumerate(self.categories_):
            lookup = {category: k for k, category in enumerate(categories.tolist())}
            unknown = len(categories)
            column = values[:, j]
            missing = _missing(column)
            codes[:, j] = [
                unknown if gone else lookup.get(_plain(v), unknown)
                for v, gone in zip(column.tolist(), missing)
            ]
        return codes

    @property
    def categorical_codes_(self):
        """Positions of the columns of :meth:`codes` that are categorical for
        a sampler: the missing indicators and the category codes."""
        start = self.n_numeric_
        return np.arange(start, start + len(self.missing_indicator_) + len(self.categories_))

    def expand(self, codes):
        """One-hot rows for the category codes in ``codes`` (from :meth:`codes`).

        Parameters
        ----------
        codes : ndarray or sparse matrix of shape (n_samples, n_codes)

        Returns
        -------
        ndarray or sparse matrix of shape (n_samples, n_features_out_)
        """
        if not self.categories_:
            return codes
        start = self.n_numeric_ + len(self.missing_indicator_)
        blocks = [codes[:, :start]]
        for j, table in enumerate(self._lookup):
            blocks.append(table[codes[:, start + j].astype(np.int64)].astype(codes.dtype))
        return np.hstack(blocks)

    def to_codes(self, encoded):
        """The inverse of :meth:`expand` for rows that are exact one-hot rows
        (every training row is).

        Parameters
        ----------
        encoded : ndarray of shape (n_samples, n_features_out_)

        Returns
        -------
        ndarray of shape (n_samples, n_codes)
        """
        start = self.n_numeric_ + len(self.missing_indicator_)
        parts = [np.asarray(encoded[:, :start], dtype=np.float64)]
        position = start
        for categories, own in zip(self.categories_, self.unknown_column_):
            width = len(categories) + int(own)
            block = np.asarray(encoded[:, position : position + width])
            parts.append(np.argmax(block, axis=1).astype(np.float64)[:, None])
            position += width
        return np.hstack(parts)

    def get_feature_names_out(self):
        """Names of the network's input columns.

        Returns
        -------
        ndarray of str of shape (n_features_out_,)
            Numeric columns by name, then ``<name>_missing`` indicators,
            then ``<name>_<category>`` and ``<name>_unknown`` one-hot columns.
        """
        names = np.asarray([str(n) for n in self.feature_names], dtype=object)
        if self.is_categorical is None:
            numeric, categorical = names, names[:0]
        else:
            numeric, categorical = names[~self.is_categorical], names[self.is_categorical]
        out = list(numeric)
        out += [f"{numeric[i]}_missing" for i in self.missing_indicator_]
        for name, categories, own in zip(categorical, self.categories_, self.unknown_column_):
            out += [f"{name}_{category}" for category in categories.tolist()]
            out += [f"{name}_unknown"] if own else []
        return np.asarray(out, dtype=object)


def _rows(part, rows):
    if part is None or rows is None:
        return part
    return part[rows]


def _plain(value):
    """numpy scalars as Python values, so that dict lookups match."""
    return value.item() if isinstance(value, np.generic) else value
