"""Temperature scaling of the network's logits (``calibration="temperature"``).

A network trained for many epochs is over-confident: its logits are too
large, so its probabilities crowd towards 0 and 1, and with an imbalanced
target the mean probability then undershoots the real positive rate.
Temperature scaling (Guo et al., 2017) divides every logit by one number,
``T``, fitted after training on held-out rows. It keeps the ranking and,
without prior correction, the 0.5 decision; only the confidence changes.

The imbalance remedies also shift the logits by a constant (``prior_shift_``,
see ``_prior.py``), which ``prior_correction`` undoes. The calibrated logit is
``z / T``, and with prior correction ``z / T - prior_shift_``: calibrate,
then shift. ``T`` is fitted for that composition on the real rows of the
validation split: it minimises their (sample-weighted) log-loss of
``expit(z / T - prior_shift_)``, the probability of the real base rate. So one
``T`` serves both settings, and ``prior_correction`` alone decides whether the
shift is undone.
"""

import numpy as np
from scipy.optimize import minimize_scalar
from scipy.special import log_expit

__all__ = ["MAX_TEMPERATURE", "MIN_TEMPERATURE", "fit_temperature"]

#: The range searched for the temperature: logits are at most divided by 100
#: (near-constant probabilities) or multiplied by 100.
MIN_TEMPERATURE = 0.01
MAX_TEMPERATURE = 100.0


def fit_temperature(logits, y, shift=0.0, sample_weight=None):
    """The temperature that minimises the log-loss of ``expit(logits / T - shift)``.

    Parameters
    ----------
    logits : array-like of shape (n_samples,)
        The network's logits of the positive class on held-out rows.
    y : array-like of shape (n_samples,)
        Their encoded labels, in {0, 1}.
    shift : float, default=0.0
        Log-odds the imbalance remedies added (``prior_shift_``), taken off
        after scaling.
    sample_weight : array-like of shape (n_samples,) or None, default=None
        Row weights of the log-loss.

    Returns
    -------
    float
        ``T`` in [:data:`MIN_TEMPERATURE`, :data:`MAX_TEMPERATURE`]. The
        log-loss is convex in ``1 / T``, so the bounded search finds its
        minimum; a network whose logits rank the classes the wrong way round
        gets the largest temperature (probabilities near the base rate).
    """
    logits = np.asarray(logits, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    weight = np.ones_like(y) if sample_weight is None else np.asarray(sample_weight, float)
    if logits.shape != y.shape or weight.shape != y.shape:
        raise ValueError(
            f"logits, y and sample_weight must have the same shape; got {logits.shape}, "
            f"{y.shape} and {weight.shape}."
        )
    if weight.sum() <= 0:
        raise ValueError("sample_weight must have a positive sum to fit a temperature.")
    sign = 2.0 * y - 1.0

    def log_loss(inverse_temperature):
        margin = sign * (logits * inverse_temperature - shift)
        return -np.dot(weight, log_expit(margin)) / weight.sum()

    result = minimize_scalar(
        log_loss,
        bounds=(1.0 / MAX_TEMPERATURE, 1.0 / MIN_TEMPERATURE),
        method="bounded",
        options={"xatol": 1e-6},
    )
    inverse = float(result.x)
    # The bounded search stops within xatol of a bound it should reach.
    for bound in (1.0 / MAX_TEMPERATURE, 1.0 / MIN_TEMPERATURE):
        if log_loss(bound) <= log_loss(inverse):
            inverse = bound
    return float(np.clip(1.0 / inverse, MIN_TEMPERATURE, MAX_TEMPERATURE))
