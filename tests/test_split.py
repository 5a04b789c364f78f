"""The validation split for early stopping, and when fit makes one."""

import numpy as np
import pytest

from imbbce._split import (
    MIN_EARLY_STOPPING_MINORITY,
    resolve_early_stopping,
    validation_split,
)


def test_split_is_stratified_seeded_and_disjoint():
    y = np.array([0] * 95 + [1] * 5)
    train, valid = validation_split(y, 0.2, seed=0)
    assert len(valid) == 20 and set(train).isdisjoint(valid)
    assert y[valid].sum() == 1 and y[train].sum() == 4
    again = validation_split(y, 0.2, seed=0)
    np.testing.assert_array_equal(again[1], valid)


def test_split_too_small_warns_and_returns_none():
    with pytest.warns(UserWarning, match="smaller class has 1 sample"):
        assert validation_split(np.array([0] * 9 + [1]), 0.1, seed=0) is None


@pytest.mark.parametrize("seed", range(20))
def test_small_data_keeps_the_minority_on_both_sides(seed):
    # 8 rows, 2 of the minority, fraction 0.1: train_test_split(stratify=y)
    # put 2 majority rows and no minority row on the validation side.
    y = np.array([0, 0, 0, 0, 1, 0, 0, 1])
    train, valid = validation_split(y, 0.1, seed)
    for side in (train, valid):
        assert set(y[side]) == {0, 1}
    assert sorted(np.concatenate([train, valid])) == list(range(8))


def test_each_class_is_split_by_the_fraction():
    y = np.array([0] * 950 + [1] * 50)
    train, valid = validation_split(y, 0.1, 0)
    assert np.bincount(y[valid]).tolist() == [95, 5]
    assert len(np.intersect1d(train, valid)) == 0
    assert not np.array_equal(validation_split(y, 0.1, 1)[1], valid)  # the seed matters


def test_a_class_without_weight_on_one_side_means_no_split():
    y = np.array([0, 0, 0, 0, 1, 1])
    weights = np.array([1.0, 1.0, 1.0, 1.0, 1.0, 0.0])  # one minority row weighs
    with pytest.warns(UserWarning, match="Early stopping needs a validation split"):
        assert validation_split(y, 0.5, 0, weights) is None


def test_resolve_early_stopping_counts_the_minority_rows_of_the_split():
    def y_with(n_minority):
        return np.array([0] * 1000 + [1] * n_minority)

    # 10 % of 495 rounds to 50 validation rows, of 494 to 49.
    assert MIN_EARLY_STOPPING_MINORITY == 50
    assert resolve_early_stopping("auto", y_with(495), 0.1) is True
    assert resolve_early_stopping("auto", y_with(494), 0.1) is False
    assert resolve_early_stopping("auto", y_with(250), 0.2) is True
    assert resolve_early_stopping("auto", y_with(200), 0.2) is False
    assert resolve_early_stopping("auto", y_with(1), 0.1) is False
    assert resolve_early_stopping(True, y_with(5), 0.1) is True
    assert resolve_early_stopping(False, y_with(500), 0.1) is False
