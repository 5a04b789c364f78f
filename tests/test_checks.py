"""Target, weight and class-weight checks, and the validation split."""

import numpy as np
import pytest

from imbbce._checks import (
    check_binary_target,
    check_sample_weight,
    class_weights,
    minority_code,
    plain_label,
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
        ([1.0, -1.0, 1.0], "Negative values"),
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


def test_plain_label():
    assert repr(plain_label(np.str_("a"))) == "'a'"
    assert repr(plain_label(np.int64(3))) == "3"


def test_minority_is_the_smaller_class_and_the_later_label_on_a_tie():
    assert minority_code(np.array([0, 0, 1])) == 1
    assert minority_code(np.array([0, 1, 1])) == 0
    assert minority_code(np.array([0, 1])) == 1
