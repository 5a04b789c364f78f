"""Sampler aliases, seeding, weight carrying and error messages."""

import subprocess
import sys

import numpy as np
import pytest
from imblearn.combine import SMOTEENN, SMOTETomek
from imblearn.over_sampling import SMOTE, RandomOverSampler
from imblearn.under_sampling import RandomUnderSampler

from imbbce._samplers import SAMPLER_ALIASES, _carry_weights, make_sampler, resample


@pytest.fixture
def data():
    rng = np.random.RandomState(0)
    X = rng.randn(60, 3).astype(np.float32)
    y = np.r_[np.zeros(50, dtype=np.int64), np.ones(10, dtype=np.int64)]
    return X, y


@pytest.mark.parametrize("name", sorted(SAMPLER_ALIASES))
def test_aliases_build_imblearn_samplers(name):
    sampler = make_sampler(name, "auto", seed=3)
    assert isinstance(sampler, SAMPLER_ALIASES[name])
    params = sampler.get_params(deep=False)
    if "random_state" in params:
        assert params["random_state"] == 3


def test_object_is_cloned_and_keeps_its_own_seed():
    given = RandomOverSampler(random_state=7)
    sampler = make_sampler(given, "auto", seed=3)
    assert sampler is not given and sampler.random_state == 7
    assert not hasattr(given, "sample_indices_")


def test_object_without_seed_gets_ours():
    assert make_sampler(SMOTE(), "auto", seed=5).random_state == 5


def test_nested_sampler_without_seed_gets_ours_and_a_set_one_is_kept():
    sampler = make_sampler(SMOTETomek(smote=SMOTE(k_neighbors=2)), "auto", seed=5)
    assert sampler.random_state == 5 and sampler.smote.random_state == 5
    kept = make_sampler(SMOTETomek(smote=SMOTE(random_state=9)), "auto", seed=5)
    assert kept.smote.random_state == 9


@pytest.mark.parametrize("labels", [np.array([1, 2]), np.array(["no", "yes"])])
def test_dict_sampling_strategy_is_keyed_by_the_users_labels(data, labels):
    X, y = data  # 50 rows of code 0 (the majority), 10 of code 1
    majority, minority = labels
    under = make_sampler("random_under", {majority: 20}, seed=0)
    _, y_res, _ = resample(under, X, y, None, labels)
    assert np.bincount(y_res).tolist() == [20, 10]
    over = make_sampler(RandomOverSampler(sampling_strategy={minority: 30}), "auto", seed=0)
    _, y_res, _ = resample(over, X, y, None, labels)
    assert np.bincount(y_res).tolist() == [50, 30]


def test_callable_sampling_strategy_sees_the_users_labels(data):
    X, y = data
    seen = []

    def strategy(labels):
        seen.append(set(np.unique(labels)))
        return {"yes": 25}

    sampler = make_sampler("random_over", strategy, seed=0)
    _, y_res, _ = resample(sampler, X, y, None, np.array(["no", "yes"]))
    assert seen == [{"no", "yes"}] and np.bincount(y_res).tolist() == [50, 25]


def test_none_and_balanced_batch_make_no_sampler():
    assert make_sampler(None, "auto", 0) is None
    assert make_sampler("balanced_batch", "auto", 0) is None


def test_selected_rows_keep_their_weights(data):
    X, y = data
    weights = np.arange(60, dtype=np.float64)
    sampler = RandomUnderSampler(random_state=0)
    X_res, y_res, w_res = resample(sampler, X, y, weights, np.array([0, 1]))
    np.testing.assert_array_equal(w_res, weights[sampler.sample_indices_])
    np.testing.assert_array_equal(X_res, X[sampler.sample_indices_])


def test_smote_rows_keep_weights_and_synthetic_rows_get_class_mean(data):
    X, y = data
    weights = np.arange(60, dtype=np.float64) + 1
    X_res, y_res, w_res = resample(SMOTE(random_state=0), X, y, weights, np.array([0, 1]))
    assert len(w_res) == len(y_res) == 100
    np.testing.assert_array_equal(w_res[:60], weights)  # originals, unchanged
    np.testing.assert_allclose(w_res[60:], weights[y == 1].mean())  # 40 synthetic positives


def test_weights_follow_rows_by_content_when_a_sampler_also_removes_rows(data):
    # SMOTE+ENN drops original rows, so position no longer says which is
    # which: every kept original row must keep its own weight.
    X, y = data
    X = X.astype(np.float64)
    X[:50] += np.random.RandomState(1).randn(50, 3) * 2  # overlap, for ENN to clean
    weights = np.arange(60, dtype=np.float64) + 1
    X_res, y_res, w_res = resample(SMOTEENN(random_state=0), X, y, weights, np.array([0, 1]))
    original = {(row.tobytes(), label): w for row, label, w in zip(X, y, weights)}
    kept = [original.get((row.tobytes(), label)) for row, label in zip(X_res, y_res)]
    n_kept = sum(w is not None for w in kept)
    assert 0 < n_kept < 60  # some originals were removed
    assert not np.array_equal(X_res[:n_kept], X[:n_kept])  # so positions shifted
    for w_expected, w, label in zip(kept, w_res, y_res):
        if w_expected is not None:
            assert w == w_expected
        else:  # synthetic: the class mean
            assert w == pytest.approx(weights[y == label].mean())


def test_identical_rows_share_the_mean_of_their_weights():
    X = np.array([[0.0, 0.0], [0.0, 0.0], [5.0, 5.0], [6.0, 6.0], [7.0, 7.0]])
    y = np.array([0, 0, 1, 1, 1])
    weights = np.array([1.0, 3.0, 1.0, 1.0, 1.0])
    sampler = make_sampler("random_under", "auto", seed=0)
    _, y_res, w_res = resample(sampler, X, y, weights, np.array([0, 1]))
    # A selector keeps each row's own weight (it reports which rows it kept).
    assert sorted(w_res[y_res == 0].tolist()) == [1.0, 3.0]
    # A generator's output is matched by content: both copies weigh the mean.
    carried = _carry_weights(X, y, weights, X[[0, 1, 2]], y[[0, 1, 2]])
    assert carried.tolist() == [2.0, 2.0, 1.0]


def test_sampler_keeping_only_zero_weight_rows_of_a_class_is_an_error(data):
    X, y = data
    probe = RandomUnderSampler(random_state=0)
    probe.fit_resample(X, y)
    kept_majority = probe.sample_indices_[y[probe.sample_indices_] == 0]
    weights = np.ones(60)
    weights[kept_majority] = 0.0  # the 40 majority rows it drops keep weight 1
    with pytest.raises(ValueError, match=r"every row of class 'no' it kept has sample_weight 0"):
        resample(RandomUnderSampler(random_state=0), X, y, weights, np.array(["no", "yes"]))
    weights[kept_majority[0]] = 2.0  # one weighted majority row among those kept: fine
    _, y_res, w_res = resample(RandomUnderSampler(random_state=0), X, y, weights, np.array([0, 1]))
    assert w_res[y_res == 0].sum() == 2.0


def test_no_weights_stay_none(data):
    X, y = data
    _, _, w_res = resample(SMOTE(random_state=0), X, y, None, np.array([0, 1]))
    assert w_res is None


def test_smote_with_too_few_minority_samples_says_what_to_change(data):
    X, y = data
    X, y = X[:53], y[:53]  # 3 minority rows
    with pytest.raises(ValueError, match=r"3 sample\(s\) of the minority class 'b'") as info:
        resample(SMOTE(), X, y, None, np.array(["a", "b"]))
    message = str(info.value)
    assert "k_neighbors=5 needs at least 6" in message
    assert "(e.g. sampler=SMOTE(k_neighbors=2))" in message  # valid for a string sampler too
    assert "random_over" in message
    resample(SMOTE(k_neighbors=2), X, y, None, np.array(["a", "b"]))  # the advice works


def test_smote_tomek_advice_names_its_inner_smote(data):
    X, y = data
    X, y = X[:53], y[:53]  # 3 minority rows
    with pytest.raises(ValueError, match="k_neighbors=5 needs at least 6") as info:
        resample(SMOTETomek(random_state=0), X, y, None, np.array([0, 1]))
    assert "sampler=SMOTETomek(smote=SMOTE(k_neighbors=2))" in str(info.value)
    resample(SMOTETomek(smote=SMOTE(k_neighbors=2)), X, y, None, np.array([0, 1]))


@pytest.mark.parametrize(
    "sampler, advised",
    [
        (
            make_sampler("smote", 0.5, seed=0),
            "sampler=SMOTE(sampling_strategy=0.5, k_neighbors=2)",
        ),
        (
            make_sampler("smote_tomek", 0.5, seed=0),
            "sampler=SMOTETomek(smote=SMOTE(sampling_strategy=0.5, k_neighbors=2))",
        ),
        (
            SMOTETomek(sampling_strategy=0.9, smote=SMOTE(sampling_strategy=0.5)),
            "sampler=SMOTETomek(smote=SMOTE(sampling_strategy=0.5, k_neighbors=2))",
        ),
    ],
)
def test_neighbour_advice_keeps_the_sampling_strategy_in_effect(data, sampler, advised):
    # A sampler object ignores the estimator's sampling_strategy, so advice
    # without it would quietly change how many rows are made.
    X, y = data
    X, y = X[:53], y[:53]  # 3 minority rows
    with pytest.raises(ValueError) as info:
        resample(sampler, X, y, None, np.array([0, 1]))
    assert advised in str(info.value)


def test_one_minority_sample_gets_no_neighbour_advice(data):
    X, y = data
    X, y = X[:51], y[:51]
    with pytest.raises(ValueError, match=r"holds 1 sample\(s\)") as info:
        resample(SMOTE(), X, y, None, np.array([0, 1]))
    assert "e.g. sampler=SMOTE" not in str(info.value)
    assert "random_over" in str(info.value)


def test_aliases_are_imbalanced_learn_classes():
    assert SAMPLER_ALIASES["smote"] is SMOTE
    assert len(SAMPLER_ALIASES) == len(list(SAMPLER_ALIASES)) == 10


def test_the_estimator_imports_imbalanced_learn_only_to_resample():
    # A fresh interpreter: this one has imported imbalanced-learn already.
    code = (
        "import sys, numpy as np\n"
        "from imbbce import BalancedBCEClassifier\n"
        "X = np.random.RandomState(0).randn(60, 2); y = np.arange(60) % 3 == 0\n"
        "BalancedBCEClassifier(max_iter=1, random_state=0).fit(X, y)\n"
        "print('imblearn' in sys.modules)\n"
        "BalancedBCEClassifier(max_iter=1, sampler='random_over', random_state=0).fit(X, y)\n"
        "print('imblearn' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-W", "ignore", "-c", code], capture_output=True, text=True
    )
    assert result.stdout.split() == ["False", "True"], result.stderr
