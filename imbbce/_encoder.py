"""Categorical columns and missing values, encoded for the network.

:class:`TableEncoder`, fitted on the training part only (never on the
validation split), turns a checked table (:func:`~imbbce._tabular.check_table`)
into the network's input:

* numeric columns as given, a missing value replaced by the column's mean on
  the training part, and one missing indicator (1.0 where the value was
  missing) for each column that had missing values there; with ``scaling``,
  the numeric columns are then scaled (:data:`SCALINGS`);
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

An all-numeric table without missing values in the training part and
without ``scaling`` is passed through unchanged
(:attr:`TableEncoder.passthrough_`), so the network sees the very same
numbers as before this encoder existed.

Why scaling lives here, and not only in front of the estimator: a raw table
(numbers on their own scales, categorical columns, gaps) then needs no
``ColumnTransformer`` that scales the numeric columns alone. "robust" is
RealMLP's preprocessing (Holzmüller et al., 2024): each column centred on its
median and divided by its interquartile range, then clipped smoothly,
``x / sqrt(1 + (x / 3) ** 2)``, so that an extreme value keeps its order but
lands near +-3 instead of dominating the first layer. scikit-learn has the
robust scaling (``RobustScaler``) but no smooth clip, and neither fits inside
the estimator's encoding of a raw table, so both are written here.
"""

import numpy as np
import scipy.sparse as sp

from ._tabular import blocks, has_nan, is_missing

__all__ = ["SCALINGS", "TableEncoder", "smooth_clip"]

#: The values of ``numerical_scaling``: None leaves the numeric columns as given.
SCALINGS = ("standard", "robust")
#: Where the smooth clip of "robust" scaling levels off: ``x / sqrt(1 + (x / c) ** 2)``
#: tends to +-c; within +-1 it changes a value by at most 5 %.
CLIP_LEVEL = 3.0


class TableEncoder:
    """Imputation, missing indicators and one-hot codes, fitted on training rows.

    Parameters
    ----------
    is_categorical : ndarray of bool of shape (n_features,) or None
        Which columns of ``X`` are categorical (None: none).
    feature_names : array-like of str of shape (n_features,)
        Names of the columns of ``X``, for messages and
        :meth:`get_feature_names_out`.
    scaling : {None, "standard", "robust"}, default=None
        How the numeric columns are scaled after imputation, with statistics
        of the training part: "standard" subtracts the mean and divides by
        the standard deviation; "robust" subtracts the median, divides by the
        interquartile range (half the range where that is 0) and clips
        smoothly (:func:`smooth_clip`). A constant column is only centred.
        Dense numeric columns only.

    Attributes
    ----------
    passthrough_ : bool
        True when there is nothing to encode (no categorical column, no
        missing value in the training part, no ``scaling``): :meth:`transform` then returns
        the numeric columns as given, imputing only a missing value that
        appears at prediction.
    means_ : ndarray of shape (n_numeric,) or None
        Imputation values: each numeric column's mean over the training part
        (0 for a column missing there entirely); None for sparse X.
    center_, scale_ : ndarray of shape (n_numeric,) or None
        With ``scaling``: what is subtracted from each imputed numeric column
        and what it is then divided by; None without.
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

    def __init__(self, is_categorical, feature_names, scaling=None):
        self.is_categorical = is_categorical
        self.feature_names = feature_names
        self.scaling = scaling

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
            for block in blocks(numeric, rows):
                missing = np.isnan(block)
                counts += (~missing).sum(axis=0)
                sums += np.where(missing, 0.0, block).sum(axis=0, dtype=np.float64)
            self.means_ = np.where(counts > 0, sums / np.maximum(counts, 1), 0.0)
            n_rows = len(numeric) if rows is None else len(rows)
            self.missing_indicator_ = np.flatnonzero(counts < n_rows)
        self.center_, self.scale_ = self._fit_scaling(numeric, rows)
        self.categories_, self.unknown_column_, self._lookup = [], [], []
        categorical = _rows(table.categorical, rows)
        if categorical is not None:
            names = np.asarray(self.feature_names, dtype=object)[self.is_categorical]
            for j, name in enumerate(names):
                self._fit_column(categorical[:, j], name)
        self.unknown_column_ = np.asarray(self.unknown_column_, dtype=bool)
        self.passthrough_ = not self.adds_columns and self.scaling is None
        self.n_codes_ = self.n_numeric_ + len(self.missing_indicator_) + len(self.categories_)
        self.n_features_out_ = (
            self.n_numeric_
            + len(self.missing_indicator_)
            + sum(len(c) + int(u) for c, u in zip(self.categories_, self.unknown_column_))
        )
        return self

    @property
    def adds_columns(self):
        """Whether the network's input has columns ``X`` does not: one-hot
        codes or missing indicators."""
        return bool(self.categories_) or len(self.missing_indicator_) > 0

    def _fit_scaling(self, numeric, rows):
        """``center_`` and ``scale_`` of the imputed training rows, or (None, None)."""
        if self.scaling is None or numeric is None:
            return None, None
        if sp.issparse(numeric):
            raise ValueError(
                f"numerical_scaling={self.scaling!r} centres the numeric columns, which would "
                "densify a sparse matrix. Leave numerical_scaling=None and scale in front of "
                "the estimator without centring (MaxAbsScaler, or StandardScaler(with_mean="
                "False)), or pass a dense array."
            )
        center = np.empty(self.n_numeric_)
        scale = np.empty(self.n_numeric_)
        for j in range(self.n_numeric_):  # one column at a time: no copy of the table
            column = numeric[:, j] if rows is None else numeric[rows, j]
            column = np.where(np.isnan(column), self.means_[j], column).astype(np.float64)
            if self.scaling == "standard":
                center[j], scale[j] = column.mean(), column.std()
            else:
                low, center[j], high = np.percentile(column, [25.0, 50.0, 75.0])
                # Half the range where half the values are equal (a count that is
                # mostly 0, a rare flag), so that its other values are not clipped.
                scale[j] = high - low if high > low else (column.max() - column.min()) / 2
        # A constant column is only centred (to 0).
        scale[~(scale > 10 * np.finfo(np.float64).eps * np.maximum(np.abs(center), 1.0))] = 1.0
        return center, scale

    def _scale(self, numeric, in_place):
        """The imputed numeric columns, scaled as fitted: in ``numeric`` itself
        when ``in_place`` (an array of this encoder's own), otherwise in one
        new array, with no other temporary of its size."""
        center = self.center_.astype(numeric.dtype)
        scaled = np.subtract(numeric, center, out=numeric if in_place else None)
        scaled /= self.scale_.astype(numeric.dtype)
        return smooth_clip(scaled, out=scaled) if self.scaling == "robust" else scaled

    def _fit_column(self, values, name):
        missing = is_missing(values)
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
        """Imputed (and scaled) numeric columns, missing indicators, then one integer code
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
            if self.passthrough_ and not has_nan(numeric):
                return numeric  # the common case: no mask, no copy
            missing = np.isnan(numeric)
            imputed = missing.any()
            if imputed:  # a new array: the caller's stays as it is
                numeric = np.where(missing, self.means_.astype(numeric.dtype), numeric)
                indicators = missing[:, self.missing_indicator_]
            else:
                indicators = np.zeros((len(numeric), len(self.missing_indicator_)), dtype=bool)
            if self.center_ is not None:
                numeric = self._scale(numeric, in_place=imputed)
            if not self.adds_columns:
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
            missing = is_missing(column)
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


def smooth_clip(x, out=None):
    """``x / sqrt(1 + (x / 3) ** 2)``: about ``x`` near 0, tending to +-3.

    Parameters
    ----------
    x : ndarray of float
    out : ndarray or None, default=None
        Where to write the result (``x`` itself is allowed); None: a new array.

    Returns
    -------
    ndarray
        The result, of ``x``'s dtype.
    """
    # hypot(x / 3, 1) is sqrt(1 + (x / 3) ** 2) without overflow for huge x.
    root = x / x.dtype.type(CLIP_LEVEL)
    np.hypot(root, x.dtype.type(1.0), out=root)
    return np.divide(x, root, out=out)


def _rows(part, rows):
    if part is None or rows is None:
        return part
    return part[rows]


def _plain(value):
    """numpy scalars as Python values, so that dict lookups match."""
    return value.item() if isinstance(value, np.generic) else value
