"""The shift in log-odds that imbalance remedies put into a model.

Class weights, resampling, balanced batches and logit adjustment all move the
logits a network learns away from the real class prior. By Bayes' rule the
move is a constant in log-odds, so it can be undone (``prior_correction``):

* class weights ``w0, w1`` add ``log(w1 / w0)``;
* training on a prior ``pi_seen`` instead of the real ``pi`` adds
  ``logit(pi_seen) - logit(pi)``;
* logit adjustment with strength ``tau`` subtracts ``tau * logit(pi_seen)``,
  the shift the loss applies during training.
"""

import math

import numpy as np

__all__ = ["logit", "positive_share", "prior_shift"]


def logit(p):
    """``log(p / (1 - p))``."""
    return math.log(p / (1.0 - p))


def positive_share(y, sample_weight=None):
    """Share of positives in encoded ``y``, weighted, clipped to
    ``[1e-6, 1 - 1e-6]`` so that its logit is finite."""
    return float(np.clip(np.average(y, weights=sample_weight), 1e-6, 1 - 1e-6))


def prior_shift(real_prior, seen_prior, class_weight, loss_shift=0.0):
    """Log-odds that the fitted model adds to the real-data logit.

    Parameters
    ----------
    real_prior : float
        Positive share of the (weighted) training part before any resampling.
    seen_prior : float
        Positive share of what the loss sees (after resampling or balanced
        batches).
    class_weight : sequence of two floats
        The class weights in the loss.
    loss_shift : float
        The logit shift applied by the loss during training only.

    Returns
    -------
    float
    """
    w0, w1 = class_weight
    if w0 <= 0 or w1 <= 0:
        return 0.0
    return math.log(w1 / w0) + logit(seen_prior) - logit(real_prior) - loss_shift
