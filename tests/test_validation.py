"""Target, weight and class-weight checks, and the validation split."""

import numpy as np
import pytest

from imbbce._validation import (
    check_binary_target,
    check_sample_weight,
    class_weights,
    minority_code,
    plain_label,
    validation_split,
)


def test_binary_target_is_encoded_in_sorted_label_order():
    classes, encoded = check_binary_target(np.array(["yes", "no", "yes"]))
    assert classes.tolist() == ["no", "yes"]
    assert encoded.tolist() == [1, 0, 1]


@pytest.mark.parametrize("y", [[1, 2, 1], [-1, 1, 1], [True, False, True]])
def test_any_two_labels(y):
    classes, encoded = check_binary_target(np.array(y))
    assert len(classes) == 2 and set(encoded.tolist()) == {0, 1}


def test_more_than_two_classes_uses_sklearn_wording():
    with pytest.raises(
        ValueError, match="Only binary classification is supported. The type of the target is"
    ):
        check_binary_target(np.array([0, 1, 2]))


def test_continuous_target():
    with pytest.raises(ValueError, match="type of the target is continuous"):
        check_binary_target(np.array([0.1, 0.5, 0.7]))


def test_one_class():
    with pytest.raises(ValueError, match="only one class"):
        check_binary_target(np.array([1, 1, 1]))


def test_sample_weight_is_copied():
    given = np.array([1.0, 2.0])
    out = check_sample_weight(given, np.array([0, 1]))
    out[0] = 5
    assert given[0] == 1.0


@pytest.mark.parametrize(
    ("weights", "match"),
    [
        ([1.0, -1.0, 1.0], "negative"),
        ([1.0, np.nan, 1.0], "NaN"),
        ([1.0, 1.0], r"shape \(2,\), but X has 3 rows"),
        ([0.0, 0.0, 0.0], "zero for every row"),
        ([1.0, 1.0, 0.0], "two classes"),
    ],
)
def test_bad_sample_weight(weights, match):
    with pytest.raises(ValueError, match=match):
        check_sample_weight(weights, np.array([0, 0, 1]))


def test_zero_weight_class_is_named_by_its_label():
    with pytest.raises(ValueError, match="every row of class 'yes': only one class"):
        check_sample_weight([1.0, 1.0, 0.0], np.array([0, 0, 1]), np.array(["no", "yes"]))


def test_balanced_class_weights_follow_the_formula():
    y = np.array([0] * 90 + [1] * 10)
    np.testing.assert_allclose(class_weights("balanced", np.array([0, 1]), y), [100 / 180, 5.0])


def test_dict_class_weights_by_user_labels_with_default_one():
    weights = class_weights({"pos": 3.0}, np.array(["neg", "pos"]), np.array([0, 1]))
    np.testing.assert_array_equal(weights, [1.0, 3.0])


def test_dict_with_unknown_label():
    with pytest.raises(ValueError, match=r"\['maybe'\] that are not labels of y"):
        class_weights({"maybe": 2.0}, np.array(["neg", "pos"]), np.array([0, 1]))


def test_negative_class_weight():
    with pytest.raises(ValueError, match=">= 0"):
        class_weights({1: -1.0}, np.array([0, 1]), np.array([0, 1]))


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


def test_plain_label():
    assert repr(plain_label(np.str_("a"))) == "'a'"
    assert repr(plain_label(np.int64(3))) == "3"


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


def test_minority_is_the_smaller_class_and_the_later_label_on_a_tie():
    assert minority_code(np.array([0, 0, 1])) == 1
    assert minority_code(np.array([0, 1, 1])) == 0
    assert minority_code(np.array([0, 1])) == 1
