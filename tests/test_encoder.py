"""Categorical columns and missing values encoded for the network."""

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from test_tabular import Bare, fitted_encoder, mixed_frame

from imbbce._tabular import check_table


def test_encoding_by_hand():
    encoder, table, est = fitted_encoder(mixed_frame())
    assert list(est.feature_names_in_) == ["num", "text", "cat", "int", "flag"]
    assert encoder.get_feature_names_out().tolist() == [
        "num", "int", "flag", "num_missing", "int_missing",
        "text_a", "text_b", "text_unknown", "cat_u", "cat_v",
    ]  # fmt: skip
    expected = np.array(
        [
            [1.0, 1.0, 1.0, 0.0, 0.0, 1.0, 0.0, 0.0, 1.0, 0.0],
            [3.0, 2.0, 0.0, 1.0, 0.0, 0.0, 1.0, 0.0, 0.0, 1.0],  # num: mean of 1, 3, 5
            [3.0, 7 / 3, 1.0, 0.0, 1.0, 0.0, 0.0, 1.0, 1.0, 0.0],  # int: mean of 1, 2, 4
            [5.0, 4.0, 1.0, 0.0, 0.0, 1.0, 0.0, 0.0, 1.0, 0.0],
        ]
    )
    np.testing.assert_allclose(encoder.transform(table), expected)
    assert encoder.n_features_out_ == 10 and not encoder.passthrough_


def test_unseen_and_missing_categories_are_unknown():
    encoder, _, est = fitted_encoder(mixed_frame())
    new = pd.DataFrame(
        {
            "num": [np.nan],
            "text": ["never seen"],
            "cat": pd.Categorical(["w"]),  # unseen; no missing value in training
            "int": pd.array([None], dtype="Int64"),
            "flag": [False],
        }
    )
    row = encoder.transform(check_table(est, new, encoder.is_categorical, reset=False))[0]
    # text had a missing value in training: its own unknown column. cat had
    # none: the training shares of u and v (3 of 4, 1 of 4).
    np.testing.assert_allclose(row, [3.0, 7 / 3, 0.0, 1.0, 1.0, 0.0, 0.0, 1.0, 0.75, 0.25])


def test_imputation_and_categories_come_from_the_training_rows_only():
    encoder, table, _ = fitted_encoder(mixed_frame(), rows=np.array([0, 1, 3]))
    np.testing.assert_allclose(encoder.means_, [3.0, 7 / 3, 2 / 3])  # num: 1 and 5
    assert encoder.missing_indicator_.tolist() == [0]  # int's missing value is row 2
    assert [c.tolist() for c in encoder.categories_] == [["a", "b"], ["u", "v"]]
    assert encoder.unknown_column_.tolist() == [False, False]
    # Row 2 (not a training row): text missing -> shares of a and b.
    np.testing.assert_allclose(encoder.transform(table)[2, -4:], [2 / 3, 1 / 3, 1.0, 0.0])


def test_a_column_missing_in_every_training_row():
    frame = pd.DataFrame({"x": [np.nan, np.nan, 1.0], "c": [None, None, "a"]})
    encoder, table, _ = fitted_encoder(frame, rows=np.array([0, 1]))
    assert encoder.get_feature_names_out().tolist() == ["x", "x_missing", "c_unknown"]
    np.testing.assert_allclose(encoder.transform(table), [[0, 1, 1], [0, 1, 1], [1, 0, 1]])


def test_numeric_data_without_missing_values_passes_through_unchanged():
    X = np.random.RandomState(0).randn(5, 3)
    encoder, table, _ = fitted_encoder(X)
    assert encoder.passthrough_ and encoder.transform(table) is table.numeric
    # A missing value at prediction gets the training mean, without an indicator.
    with_nan = X.copy()
    with_nan[0, 1] = np.nan
    est = Bare()
    est.n_features_in_ = 3
    out = encoder.transform(check_table(est, with_nan, None, reset=False))
    assert np.isnan(with_nan[0, 1])  # the caller's array is not filled in
    np.testing.assert_allclose(out[0], [X[0, 0], X[:, 1].mean(), X[0, 2]])


def test_codes_round_trip_through_one_hot():
    encoder, table, _ = fitted_encoder(mixed_frame())
    codes = encoder.codes(table)
    assert codes[:, -2:].tolist() == [[0, 0], [1, 1], [2, 0], [0, 0]]  # 2: text unknown
    np.testing.assert_array_equal(encoder.to_codes(encoder.expand(codes)), codes)
    assert encoder.categorical_codes_.tolist() == [3, 4, 5, 6]  # indicators and codes
    assert encoder.n_codes_ == 7


def test_statistics_are_summed_block_by_block(monkeypatch):
    # Large X is scanned in blocks of rows, never copied whole: blocks of two
    # rows give the same means and indicators as one pass.
    rng = np.random.RandomState(0)
    X = rng.randn(11, 3)
    X[rng.rand(11, 3) < 0.2] = np.nan
    X[:, 2] = np.where(np.isnan(X[:, 2]), 1.0, X[:, 2])  # no missing value in column 2
    rows = np.array([0, 2, 3, 5, 8, 9, 10])
    whole, table, _ = fitted_encoder(X, rows)
    monkeypatch.setattr("imbbce._tabular.BLOCK_ROWS", 2)
    blocked, _, _ = fitted_encoder(X, rows)
    np.testing.assert_allclose(blocked.means_, np.nanmean(X[rows], axis=0))
    np.testing.assert_allclose(blocked.means_, whole.means_)
    expected = np.flatnonzero(np.isnan(X[rows]).any(axis=0))
    assert blocked.missing_indicator_.tolist() == expected.tolist()
    np.testing.assert_array_equal(blocked.transform(table), whole.transform(table))


# ------------------------------------------------------------ scaling


def skewed_table(n=400, seed=0):
    """Numeric columns on very different scales: a wide normal, a mostly-zero
    count with a long tail, a constant, and a rare flag."""
    rng = np.random.RandomState(seed)
    return np.column_stack(
        [
            1e4 + 1e3 * rng.randn(n),
            np.where(rng.rand(n) < 0.8, 0.0, rng.exponential(50.0, n)),
            np.full(n, 7.0),
            (rng.rand(n) < 0.1).astype(float),
        ]
    )


def test_standard_scaling_uses_the_training_rows_only():
    X = skewed_table()
    rows = np.arange(0, 400, 2)
    encoder, table, _ = fitted_encoder(X, rows=rows, scaling="standard")
    out = encoder.transform(table)
    np.testing.assert_allclose(out[rows].mean(axis=0), 0.0, atol=1e-9)
    np.testing.assert_allclose(out[rows][:, [0, 1, 3]].std(axis=0), 1.0, rtol=1e-9)
    np.testing.assert_allclose(encoder.center_, X[rows].mean(axis=0))
    assert encoder.scale_[2] == 1.0 and np.all(out[:, 2] == 0.0)  # constant: centred only
    assert not encoder.passthrough_


def test_robust_scaling_centres_on_the_median_and_clips_smoothly():
    X = skewed_table()
    encoder, table, _ = fitted_encoder(X, scaling="robust")
    out = encoder.transform(table)
    low, median, high = np.percentile(X[:, 0], [25, 50, 75])
    assert encoder.center_[0] == median and encoder.scale_[0] == high - low
    # The count is 0 in most rows (interquartile range 0): half its range instead.
    assert encoder.scale_[1] == X[:, 1].max() / 2
    assert np.all(np.abs(out) < 3.0)
    for j in (0, 1, 3):  # the order of the values is kept
        order = np.argsort(X[:, j], kind="stable")
        assert np.all(np.diff(out[order, j]) >= 0)
    z = (X[:, 0] - median) / (high - low)
    np.testing.assert_allclose(out[:, 0], z / np.sqrt(1 + (z / 3) ** 2))


def test_scaling_does_not_depend_on_an_affine_map_in_front():
    X = skewed_table()
    moved = X * np.array([3.0, 0.01, 2.0, 5.0]) + np.array([-50.0, 1.0, 4.0, 0.0])
    for scaling in ("standard", "robust"):
        a, table_a, _ = fitted_encoder(X, scaling=scaling)
        b, table_b, _ = fitted_encoder(moved, scaling=scaling)
        np.testing.assert_allclose(a.transform(table_a), b.transform(table_b), atol=1e-9)


def test_scaling_leaves_indicators_and_one_hot_columns_and_the_input_alone():
    frame = mixed_frame()
    copy = frame.copy()
    plain, table, _ = fitted_encoder(frame)
    scaled, _, _ = fitted_encoder(frame, scaling="standard")
    a, b = plain.transform(table), scaled.transform(table)
    numeric = [0, 1, 2]  # num, int, flag
    np.testing.assert_allclose(b[:, numeric].mean(axis=0), 0.0, atol=1e-6)  # float32
    np.testing.assert_array_equal(a[:, 3:], b[:, 3:])
    pd.testing.assert_frame_equal(frame, copy)


def test_scaling_a_sparse_matrix_says_what_to_do():
    X = sp.random(50, 4, density=0.3, format="csr", random_state=0)
    with pytest.raises(ValueError, match="densify a sparse matrix.*MaxAbsScaler"):
        fitted_encoder(X, scaling="robust")


def test_smooth_clip_keeps_small_values_and_dtype():
    from imbbce._encoder import smooth_clip

    x = np.array([-3e38, -1e6, -3.0, -0.1, 0.0, 0.1, 3.0, 1e6, 3e38], dtype=np.float32)
    y = smooth_clip(x)
    assert y.dtype == np.float32
    np.testing.assert_allclose(y[[3, 4, 5]], x[[3, 4, 5]], rtol=1e-3)
    np.testing.assert_allclose(y[[0, 1, -2, -1]], [-3.0, -3.0, 3.0, 3.0], rtol=1e-6)
    z = x.copy()
    assert smooth_clip(z, out=z) is z
    np.testing.assert_array_equal(z, y)


def test_scaling_imputes_then_scales_without_touching_the_callers_array():
    X = skewed_table()
    X[::5, 0] = np.nan
    before = X.copy()
    for scaling in ("standard", "robust"):
        encoder, table, _ = fitted_encoder(X, scaling=scaling)
        out = encoder.transform(table)
        np.testing.assert_array_equal(X, before)
        assert encoder.adds_columns and out.shape[1] == 5  # the missing indicator
        # An imputed value is the training mean, scaled like the others.
        mean = np.nanmean(before[:, 0])
        plain = (mean - encoder.center_[0]) / encoder.scale_[0]
        expected = plain if scaling == "standard" else plain / np.sqrt(1 + (plain / 3) ** 2)
        np.testing.assert_allclose(out[0, 0], expected, atol=1e-12)
