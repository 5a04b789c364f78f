"""Scores of validation logits, and which scikit-learn scorers are accepted."""

import numpy as np
import pytest
from sklearn.metrics import average_precision_score, f1_score

from imbbce._scoring import (
    MIN_SCORING_MINORITY,
    MinorityScorer,
    binary_scorer_names,
    resolve_scoring,
)


def test_resolve_scoring_threshold():
    assert resolve_scoring("auto", MIN_SCORING_MINORITY) == "average_precision"
    assert resolve_scoring("auto", MIN_SCORING_MINORITY - 1) == "loss"
    assert resolve_scoring("roc_auc", 0) == "roc_auc"


def test_scorer_follows_the_minority_when_it_is_encoded_zero():
    # An imperfect ranking, so that the two classes' average precisions differ.
    logits = np.array([-3.0, 1.5, -2.0, 2.0, 3.0])
    y = np.array([0, 0, 1, 1, 1])  # label 0 is the minority
    score = MinorityScorer("average_precision", minority=0, threshold_logit=0.0)
    minority_ap = average_precision_score(1 - y, -logits)
    assert minority_ap != pytest.approx(average_precision_score(y, logits))
    assert score.score_logits(logits, y) == pytest.approx(minority_ap)
    f1 = MinorityScorer("f1", minority=0, threshold_logit=0.0)
    assert f1.score_logits(logits, y) == pytest.approx(f1_score(1 - y, (logits <= 0).astype(int)))
    assert f1.score_logits(logits, y) != pytest.approx(f1_score(y, (logits > 0).astype(int)))


def test_label_scorer_uses_the_threshold():
    y = np.array([0, 0, 1, 1])
    logits = np.array([-1.0, 0.5, 0.6, 2.0])
    assert MinorityScorer("recall", 1, threshold_logit=0.0).score_logits(logits, y) == 1.0
    assert MinorityScorer("recall", 1, threshold_logit=1.0).score_logits(logits, y) == 0.5


def test_scorer_names_are_binary_only():
    names = binary_scorer_names()
    assert {"average_precision", "roc_auc", "f1", "balanced_accuracy", "neg_log_loss"} <= names
    # Averages over classes, multilabel, regression and clustering scorers are refused.
    for refused in ("roc_auc_ovr", "f1_weighted", "f1_macro", "f1_samples", "r2", "rand_score"):
        assert refused not in names


def test_label_scorers_are_the_ones_a_threshold_moves():
    labels = binary_scorer_names(labels_only=True)
    assert {"f1", "balanced_accuracy", "recall", "matthews_corrcoef"} <= labels
    assert labels < binary_scorer_names()
    assert not labels & {"roc_auc", "average_precision", "neg_log_loss", "neg_brier_score"}
