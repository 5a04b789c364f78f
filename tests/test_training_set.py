"""What the loss sees: the training part resampled, class weights, the prior."""

import numpy as np
import pytest
import torch
from imblearn.over_sampling import RandomOverSampler
from imblearn.under_sampling import RandomUnderSampler

from imbbce._training_set import training_set

RNG = np.random.RandomState(0)
X = torch.from_numpy(RNG.randn(100, 3).astype(np.float32))
Y = np.array([0] * 80 + [1] * 20)
CLASSES = np.array(["no", "yes"])


def make(rows=None, sampler=None, balanced=False, class_weight="balanced", weights=None):
    return training_set(
        X,
        Y,
        weights,
        rows,
        sampler=sampler,
        balanced_batches=balanced,
        class_weight=class_weight,
        classes=CLASSES,
    )


def test_without_a_sampler_the_rows_are_the_training_part_with_balanced_weights():
    rows = np.arange(0, 100, 2)
    train = make(rows)
    assert len(train.data) == 50
    assert train.seen_prior == pytest.approx(10 / 50)
    np.testing.assert_allclose(train.class_weight, [50 / 80, 50 / 20])


def test_class_weights_are_computed_on_the_resampled_labels():
    train = make(sampler=RandomOverSampler(random_state=0))
    assert len(train.data) == 160
    np.testing.assert_allclose(train.class_weight, [1.0, 1.0])  # balanced already
    assert train.seen_prior == pytest.approx(0.5)


def test_balanced_batches_see_equal_shares_unless_weights_say_otherwise():
    train = make(balanced=True)
    assert train.seen_prior == 0.5
    np.testing.assert_allclose(train.class_weight, [1.0, 1.0])
    weights = np.where(Y == 1, 3.0, 1.0)
    assert make(balanced=True, weights=weights).seen_prior == pytest.approx(0.75)


def test_a_sampler_that_leaves_one_class_is_refused():
    with pytest.raises(ValueError, match="left a single class"):
        make(sampler=RandomUnderSampler(sampling_strategy={"no": 0, "yes": 20}))
