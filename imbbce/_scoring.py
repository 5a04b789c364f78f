"""Scores of validation logits: what early stopping watches and what
``threshold="auto"`` maximises.

Any scikit-learn scorer can score logits that are already computed through
the public scorer API, by handing it a stand-in classifier that answers
with them. Minority-aware scorers follow the minority class even when it is
encoded 0.
"""

import numpy as np
from scipy.special import expit
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.metrics import get_scorer, get_scorer_names
from skorch.callbacks import EpochScoring

__all__ = [
    "LABEL_SCORERS",
    "MIN_SCORING_MINORITY",
    "RANKING_SCORERS",
    "MinorityScorer",
    "binary_scorer_names",
    "resolve_scoring",
    "validation_scoring",
]

#: scikit-learn scorers of predicted labels that mean something for one
#: binary problem: the ones a decision threshold moves.
LABEL_SCORERS = (
    "accuracy",
    "balanced_accuracy",
    "f1",
    "jaccard",
    "matthews_corrcoef",
    "neg_negative_likelihood_ratio",
    "positive_likelihood_ratio",
    "precision",
    "recall",
)

#: scikit-learn scorers of probabilities or rankings for one binary problem;
#: a decision threshold does not move them.
RANKING_SCORERS = (
    "average_precision",
    "d2_brier_score",
    "d2_log_loss_score",
    "neg_brier_score",
    "neg_log_loss",
    "roc_auc",
)

#: Fewest minority rows in the validation split for which ``scoring="auto"``
#: watches average precision (with fewer, the weighted validation loss).
MIN_SCORING_MINORITY = 10


def binary_scorer_names(labels_only=False):
    """Names of scikit-learn's scorers for a binary classifier.

    The list is explicit: regression and clustering scorers (``"r2"``,
    ``"adjusted_rand_score"``) accept a classifier's output without
    complaint and score nothing useful, and the averages over classes
    (``"f1_weighted"``, ``"roc_auc_ovr"``, ``"*_samples"``) are made for
    more than two classes and do not follow the minority.

    Parameters
    ----------
    labels_only : bool, default=False
        Keep only the scorers of predicted labels (:data:`LABEL_SCORERS`),
        the ones a threshold changes.

    Returns
    -------
    set of str
        Those of the names that the installed scikit-learn knows.
    """
    names = LABEL_SCORERS if labels_only else LABEL_SCORERS + RANKING_SCORERS
    return set(names) & set(get_scorer_names())


def resolve_scoring(scoring, n_valid_minority):
    """The score early stopping watches, with ``"auto"`` resolved.

    Average precision ranks the minority rows among the others: with fewer
    than :data:`MIN_SCORING_MINORITY` of them it moves by whole steps
    from one epoch to the next and picks epochs by noise, while the weighted
    validation loss uses every row.
    """
    if scoring != "auto":
        return scoring
    if n_valid_minority >= MIN_SCORING_MINORITY:
        return "average_precision"
    return "loss"


def batch_targets(yw):
    """Target extractor for ``EpochScoring``: the labels of a ``(y, w)`` pair."""
    return yw[0].numpy()


class _Probabilities(ClassifierMixin, BaseEstimator):
    """A stand-in classifier that answers with fixed predictions.

    It lets any scikit-learn scorer score logits that are already computed,
    through the public scorer API. ``logits`` are those of ``classes[1]``;
    ``predicted`` are labels from ``classes`` (encoded 0 and 1 by default).
    """

    def __init__(self, logits, predicted, classes=None):
        self.logits = logits
        self.predicted = predicted
        self.classes_ = np.array([0, 1]) if classes is None else np.asarray(classes)

    def decision_function(self, X):
        return self.logits

    def predict_proba(self, X):
        positive = expit(self.logits)  # no overflow warning for large |logits|
        return np.column_stack([1.0 - positive, positive])

    def predict(self, X):
        return self.predicted


class MinorityScorer:
    """Score validation logits with a scikit-learn scorer, minority as positive.

    Minority-aware metrics (average precision, F1, recall) must follow the
    minority class even when it is encoded 0, so logits and labels are
    flipped in that case.

    A callable scorer is the user's own: it sees the user's labels
    (``classes``) and the model's outputs unflipped, and its own
    ``pos_label`` decides which class counts as positive.

    Parameters
    ----------
    scoring : str or callable
        A scikit-learn scorer name, or a scorer ``scoring(estimator, X, y)``.
    minority : {0, 1}
        Encoded label of the minority class of the training data.
    threshold_logit : float
        Logit above which a row is predicted positive (for label scorers).
    classes : ndarray of shape (2,), default=None
        The user's labels, for a callable scorer; None gives 0 and 1.
    """

    def __init__(self, scoring, minority, threshold_logit, classes=None):
        self.scoring = scoring
        self.minority = minority
        self.threshold_logit = threshold_logit
        self.classes = classes
        self._scorer = None  # built once: get_scorer deep-copies on each call

    def score_logits(self, logits, y, sample_weight=None):
        """The score of ``logits`` against encoded labels ``y``."""
        logits = np.asarray(logits, dtype=np.float64)
        predicted = (logits > self.threshold_logit).astype(int)
        y = np.asarray(y).astype(int)
        kwargs = {} if sample_weight is None else {"sample_weight": sample_weight}
        no_features = np.empty((len(y), 0))
        if callable(self.scoring):
            classes = np.array([0, 1]) if self.classes is None else np.asarray(self.classes)
            stand_in = _Probabilities(logits, classes[predicted], classes)
            return self.scoring(stand_in, no_features, classes[y], **kwargs)
        if self.minority == 0:
            logits, predicted, y = -logits, 1 - predicted, 1 - y
        if self._scorer is None:
            self._scorer = get_scorer(self.scoring)
        return self._scorer(_Probabilities(logits, predicted), no_features, y, **kwargs)

    def __call__(self, net, dataset, y=None):
        logits = net.forward(dataset).reshape(-1).numpy()
        return self.score_logits(logits, dataset.targets.numpy(), dataset.sample_weight)


def validation_scoring(scoring, minority, threshold_logit, classes=None):
    """skorch ``EpochScoring`` on the validation split, from cached logits."""
    return EpochScoring(
        MinorityScorer(scoring, minority, threshold_logit, classes),
        lower_is_better=False,
        on_train=False,
        name="valid_score",
        use_caching=True,
        target_extractor=batch_targets,
    )
