"""Choose the decision threshold on the validation split (``threshold="auto"``).

scikit-learn's :class:`~sklearn.model_selection.TunedThresholdClassifierCV`
tunes a threshold by cross-validating a whole estimator. Inside ``fit`` the
validation logits already exist, so the same search (a grid of candidate
thresholds, the best score wins) is run on them directly, scoring each
candidate with the scikit-learn scorer the user named.
"""

import numpy as np
from scipy.special import expit

from ._scoring import MinorityScorer

__all__ = ["tune_threshold"]


def tune_threshold(
    logits, y, scoring, minority, sample_weight=None, n_thresholds=100, classes=None
):
    """The probability threshold that maximises ``scoring`` on ``(logits, y)``.

    Parameters
    ----------
    logits : ndarray of shape (n_samples,)
        Validation logits of the positive class ``classes_[1]``.
    y : ndarray of shape (n_samples,)
        Encoded validation labels.
    scoring : str or callable
        A scikit-learn scorer name that works on labels (e.g. "f1"), or a
        scorer ``scoring(estimator, X, y)`` (see :class:`MinorityScorer`).
    minority : {0, 1}
        Encoded minority label; the scorer sees the minority as positive.
    sample_weight : ndarray or None
    classes : ndarray of shape (2,), default=None
        The user's labels, for a callable ``scoring``.
    n_thresholds : int
        Candidates: midpoints between quantiles of the validation logits, as
        ``TunedThresholdClassifierCV(thresholds=100)`` spaces them between the
        extreme scores.

    Returns
    -------
    float
        A probability in (0, 1); ties go to the candidate closest to 0.5.
    """
    logits = np.asarray(logits, dtype=np.float64)
    quantiles = np.quantile(logits, np.linspace(0.0, 1.0, n_thresholds + 1))
    candidates = np.unique(np.concatenate([(quantiles[:-1] + quantiles[1:]) / 2.0, [0.0]]))
    best_logit, best_score = 0.0, -np.inf
    scorer = MinorityScorer(scoring, minority, threshold_logit=0.0, classes=classes)
    for candidate in sorted(candidates, key=abs):
        scorer.threshold_logit = candidate  # one scorer: get_scorer runs once, not per candidate
        score = scorer.score_logits(logits, y, sample_weight)
        if score > best_score:
            best_logit, best_score = candidate, score
    probability = expit(best_logit)  # 1 / (1 + exp(-x)) overflows for x < -709
    return float(np.clip(probability, 1e-7, 1.0 - 1e-7))
