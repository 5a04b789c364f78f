"""The log-odds shift of imbalance remedies, against Bayes' rule."""

import math

import pytest

from imbbce._prior import logit, prior_shift


def test_logit():
    assert logit(0.5) == 0.0
    assert logit(0.9) == pytest.approx(math.log(9))


def test_no_remedy_no_shift():
    assert prior_shift(0.05, 0.05, (1.0, 1.0)) == 0.0


def test_balanced_class_weights_shift_by_the_log_odds_of_the_prior():
    prior = 0.05
    w = (1 / (2 * (1 - prior)), 1 / (2 * prior))  # "balanced"
    assert prior_shift(prior, prior, w) == pytest.approx(-logit(prior))


def test_resampling_to_balance_shifts_the_same_as_balanced_weights():
    assert prior_shift(0.05, 0.5, (1.0, 1.0)) == pytest.approx(-logit(0.05))


def test_logit_adjustment_with_tau_one_on_balanced_seen_prior():
    # The loss subtracts tau * logit(seen) during training.
    assert prior_shift(0.05, 0.05, (1.0, 1.0), loss_shift=logit(0.05)) == pytest.approx(
        -logit(0.05)
    )


def test_zero_class_weight_gives_no_shift():
    assert prior_shift(0.1, 0.1, (0.0, 1.0)) == 0.0


def test_positive_share_is_weighted_and_clipped():
    import numpy as np

    from imbbce._prior import positive_share

    y = np.array([0, 0, 0, 1])
    assert positive_share(y) == 0.25
    assert positive_share(y, np.array([1.0, 1.0, 1.0, 3.0])) == 0.5
    assert positive_share(np.zeros(4, dtype=np.int64)) == 1e-6
    assert positive_share(np.ones(4, dtype=np.int64)) == 1 - 1e-6
