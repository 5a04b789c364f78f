"""Threshold search on validation logits."""

import numpy as np
import pytest
from sklearn.metrics import get_scorer

from imbbce._threshold import tune_threshold


def test_threshold_separates_perfectly_separable_scores():
    logits = np.array([-3.0, -2.0, -1.5, 1.0, 1.2])
    y = np.array([0, 0, 0, 1, 1])
    threshold = tune_threshold(logits, y, "f1", minority=1)
    probability = 1 / (1 + np.exp(-logits))
    assert np.all((probability > threshold) == (y == 1))


def test_shifted_scores_move_the_threshold_below_one_half():
    # Every logit is negative: at 0.5 nothing is positive, F1 = 0.
    logits = np.array([-6.0, -5.0, -4.5, -2.0, -1.8])
    y = np.array([0, 0, 0, 1, 1])
    threshold = tune_threshold(logits, y, "f1", minority=1)
    assert threshold < 0.5
    assert np.all((1 / (1 + np.exp(-logits)) > threshold) == (y == 1))


def test_minority_encoded_zero_is_scored_as_positive():
    # Minority is label 0, with low logits, two of them ranked among the
    # majority. F1 of the minority is best calling every row up to logit 2.2
    # label 0 (3 caught, 2 false: 0.75); F1 of label 1 would be best calling
    # only the lowest row label 0 (0.86), so the choice shows which is scored.
    logits = np.array([-1.0, 2.1, 2.2, 1.0, 2.0, 3.0, 3.5, 4.0, 4.5])
    y = np.array([0, 0, 0, 1, 1, 1, 1, 1, 1])
    threshold = tune_threshold(logits, y, "f1", minority=0)
    predicted_minority = 1 / (1 + np.exp(-logits)) <= threshold
    assert predicted_minority.tolist() == [True] * 5 + [False] * 4


def test_result_is_a_probability():
    threshold = tune_threshold(np.linspace(-50, 50, 20), np.r_[np.zeros(10), np.ones(10)], "f1", 1)
    assert 0 < threshold < 1


@pytest.mark.parametrize("scoring", ["f1", "balanced_accuracy", "matthews_corrcoef"])
def test_chosen_threshold_reaches_the_best_score_of_any_cut(scoring):
    # Noisy scores on 40 rows (fewer than the 100 candidate cuts): the search
    # must reach the best score that any cut between two logits gives.
    rng = np.random.RandomState(0)
    y = (rng.rand(40) < 0.3).astype(int)
    logits = y + rng.randn(40)
    threshold = tune_threshold(logits, y, scoring, minority=1)
    metric = get_scorer(scoring)._score_func
    proba = 1 / (1 + np.exp(-logits))
    chosen = metric(y, (proba > threshold).astype(int))
    ordered = np.sort(logits)
    cuts = np.r_[ordered[0] - 1, (ordered[:-1] + ordered[1:]) / 2]
    best = max(metric(y, (logits > cut).astype(int)) for cut in cuts)
    assert chosen == pytest.approx(best)


def test_sample_weight_changes_the_chosen_threshold():
    # Unweighted, F1 is best calling the rows from logit 0.5 up positive (0.8);
    # with the positive at 0.5 weightless, best is calling only the top row
    # positive (1.0), which leaves the negative at logit 1.0 out.
    logits = np.array([-1.0, 0.5, 1.0, 2.0])
    y = np.array([0, 1, 0, 1])
    plain = tune_threshold(logits, y, "f1", minority=1)
    weighted = tune_threshold(logits, y, "f1", minority=1, sample_weight=np.array([1, 0, 1, 1.0]))
    proba = 1 / (1 + np.exp(-logits))
    assert (proba > plain).tolist() == [False, True, True, True]
    assert (proba > weighted).tolist() == [False, False, False, True]
