"""The validation split for early stopping holds both classes, with weight, on both sides."""

import numpy as np
import pytest

from imbbce._validation import validation_split


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
    assert np.array_equal(validation_split(y, 0.1, 0)[1], valid)  # seeded
    assert not np.array_equal(validation_split(y, 0.1, 1)[1], valid)


def test_a_class_without_weight_on_one_side_means_no_split():
    y = np.array([0, 0, 0, 0, 1, 1])
    weights = np.array([1.0, 1.0, 1.0, 1.0, 1.0, 0.0])  # one minority row weighs
    with pytest.warns(UserWarning, match="Early stopping needs a validation split"):
        assert validation_split(y, 0.5, 0, weights) is None


def test_a_single_minority_row_means_no_split():
    with pytest.warns(UserWarning, match="smaller class has 1 sample"):
        assert validation_split(np.array([0, 0, 0, 1]), 0.5, 0) is None
