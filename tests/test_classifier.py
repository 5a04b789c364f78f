"""BalancedBCEClassifier: behaviour of fit and predict, and bad input."""

import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import torch
from imblearn.over_sampling import SMOTE
from imblearn.under_sampling import RandomUnderSampler
from sklearn.datasets import make_classification
from sklearn.exceptions import NotFittedError
from sklearn.metrics import f1_score, make_scorer, recall_score
from torch import nn

from imbbce import (
    BalancedBCEClassifier,
    FocalLoss,
    LogitAdjustedLoss,
    MajorityCollapseWarning,
    TrainingDivergedWarning,
)
from imbbce._samplers import SAMPLER_ALIASES

# Early stopping on: these tests were written for fits with a validation split,
# which "auto" would skip on their few hundred rows.
FAST = {"max_iter": 15, "early_stopping": True, "random_state": 0}
NO_SPLIT = {**FAST, "early_stopping": False}
NO_SPLIT_SEED = {"early_stopping": False, "random_state": 0}


@pytest.fixture(scope="module")
def imbalanced():
    """600 rows, about 10 % positives, easy enough for a few epochs."""
    X, y = make_classification(
        n_samples=600, n_features=8, n_informative=4, weights=[0.9], random_state=0
    )
    return X, y


@pytest.fixture(scope="module")
def rare():
    """3000 rows with 3 % positives, where plain BCE collapses."""
    X, y = make_classification(
        n_samples=3000,
        n_features=20,
        n_informative=5,
        weights=[0.97],
        flip_y=0,
        class_sep=0.8,
        random_state=1,
    )
    return X, y


# ---------------------------------------------------------------- fitting


def test_fit_predict_shapes_and_attributes(imbalanced):
    X, y = imbalanced
    clf = BalancedBCEClassifier(scoring="average_precision", **FAST).fit(X, y)
    assert clf.predict_proba(X).shape == (600, 2)
    np.testing.assert_allclose(clf.predict_proba(X).sum(axis=1), 1.0)
    assert clf.decision_function(X).shape == (600,)
    assert set(np.unique(clf.predict(X))) <= {0, 1}
    assert clf.n_features_in_ == 8
    assert 1 <= clf.best_epoch_ <= clf.n_iter_ <= 15
    assert len(clf.history_) == clf.n_iter_
    assert {"epoch", "train_loss", "valid_loss", "valid_score", "dur"} <= set(clf.history_[-1])
    assert clf.history_[-1]["batches"] == []  # per-batch records dropped
    assert clf.stop_reason_ in {"max_iter", "early_stopping"}
    assert clf.sampler_ is None
    assert clf.net_.module_ is not None
    assert clf.threshold_ == 0.5


@pytest.mark.filterwarnings("ignore::imbbce.MajorityCollapseWarning")  # 2 epochs
def test_the_default_network_is_eight_narrow_members_with_dropout(imbalanced):
    from imbbce import EnsembleMLP
    from imbbce._modules import BatchEnsembleLinear, MemberSharedDropout

    X, y = imbalanced
    clf = BalancedBCEClassifier(max_iter=2, random_state=0).fit(X, y)
    module = clf.net_.module_
    assert isinstance(module, EnsembleMLP) and module.ensemble_size == 8
    layers = [m for m in module.modules() if isinstance(m, BatchEnsembleLinear)]
    assert [layer.out_features for layer in layers] == [40, 20]
    assert [m.p for m in module.modules() if isinstance(m, MemberSharedDropout)] == [0.1, 0.1]
    assert clf.net_.optimizer_.param_groups[0]["lr"] == 3e-3
    # EnsembleMLP's own defaults are the same network: the weights load into it.
    EnsembleMLP(X.shape[1]).load_state_dict(module.state_dict())


def test_plain_bce_collapses_where_the_defaults_do_not(rare):
    X, y = rare
    X_train, y_train, X_test, y_test = X[:2000], y[:2000], X[2000:], y[2000:]
    # The usual recipe: one MLP, Adam at 1e-3, plain BCE, early stopping on a
    # validation split. The split shows the collapse.
    one_mlp = {"ensemble_size": 1, "hidden_layer_sizes": (64, 32), "learning_rate_init": 1e-3}
    plain = BalancedBCEClassifier(
        class_weight=None,
        loss="bce",
        dropout=0.0,
        early_stopping=True,
        random_state=0,
        **one_mlp,
    )
    with pytest.warns(MajorityCollapseWarning, match="collapsed onto the majority class"):
        plain.fit(X_train, y_train)
    assert plain.diagnostics_["collapsed"]
    plain_recall = recall_score(y_test, plain.predict(X_test))
    assert plain_recall < 0.3
    # Plain BCE in the default network, without the split, misses more of the
    # minority than the defaults do. (32 test minority rows: each is 0.031 of
    # recall. Over random_state 0-4: the usual recipe 0.00-0.28, the default
    # network with plain BCE 0.31-0.34, the defaults 0.59-0.66, class weights
    # instead of logit adjustment 0.56-0.69.)
    no_split = BalancedBCEClassifier(class_weight=None, loss="bce", random_state=0)
    no_split.fit(X_train, y_train)
    assert no_split.early_stopping_ is False
    no_split_recall = recall_score(y_test, no_split.predict(X_test))

    defaults = BalancedBCEClassifier(random_state=0).fit(X_train, y_train)
    assert not defaults.diagnostics_["collapsed"]
    defaults_recall = recall_score(y_test, defaults.predict(X_test))
    assert defaults_recall > max(0.3, plain_recall + 0.1, no_split_recall + 0.1)


@pytest.mark.parametrize(
    "labels",
    [np.array(["ham", "spam"]), np.array([-1, 1]), np.array([1, 2]), np.array([False, True])],
)
def test_user_labels_are_kept(imbalanced, labels):
    X, y = imbalanced
    clf = BalancedBCEClassifier(**FAST).fit(X, labels[y])
    assert clf.classes_.tolist() == labels.tolist()
    # The same model as with labels 0/1, its predictions named by the user's labels.
    coded = BalancedBCEClassifier(**FAST).fit(X, y)
    np.testing.assert_array_equal(clf.predict_proba(X), coded.predict_proba(X))
    assert clf.predict(X).tolist() == labels[coded.predict(X)].tolist()


def test_minority_sorting_first_is_scored_as_minority(imbalanced):
    X, y = imbalanced
    labels = np.array(["b_majority", "a_minority"])  # minority sorts first -> classes_[0]
    clf = BalancedBCEClassifier(scoring="average_precision", **FAST).fit(X, labels[y])
    assert clf.classes_[0] == "a_minority"
    assert clf.diagnostics_["minority_rate"] < 0.2
    # The validation score is the minority's average precision: well above its 10 % base rate.
    assert np.nanmax([row["valid_score"] for row in clf.history_]) > 0.5


def test_same_random_state_same_model_and_global_rng_untouched(imbalanced):
    X, y = imbalanced
    state = torch.random.get_rng_state()
    first = BalancedBCEClassifier(dropout=0.2, **FAST).fit(X, y).predict_proba(X)
    assert torch.equal(state, torch.random.get_rng_state())
    second = BalancedBCEClassifier(dropout=0.2, **FAST).fit(X, y).predict_proba(X)
    np.testing.assert_array_equal(first, second)
    other = BalancedBCEClassifier(dropout=0.2, max_iter=15, random_state=1).fit(X, y)
    assert not np.array_equal(first, other.predict_proba(X))


def test_torch_thread_setting_is_restored(imbalanced):
    X, y = imbalanced
    before = torch.get_num_threads()
    clf = BalancedBCEClassifier(n_threads=2, max_iter=2, random_state=0).fit(X, y)
    assert clf.n_threads_ == 2 and torch.get_num_threads() == before
    clf.predict(X)
    assert torch.get_num_threads() == before


def test_default_thread_choice_for_a_small_network(imbalanced):
    X, y = imbalanced
    assert BalancedBCEClassifier(**FAST).fit(X, y).n_threads_ == 1


# ------------------------------------------------------------------ inputs


def test_dataframe_input_records_feature_names(imbalanced):
    X, y = imbalanced
    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(8)])
    clf = BalancedBCEClassifier(**FAST).fit(frame, pd.Series(y))
    assert clf.feature_names_in_.tolist() == list(frame.columns)
    from_numpy = BalancedBCEClassifier(**FAST).fit(X, y)
    np.testing.assert_array_equal(clf.predict_proba(frame), from_numpy.predict_proba(X))


@pytest.mark.parametrize("fmt", ["csr", "csc"])
def test_sparse_input_matches_dense(imbalanced, fmt):
    X, y = imbalanced
    dense = BalancedBCEClassifier(**FAST).fit(X, y)
    sparse = BalancedBCEClassifier(**FAST).fit(sp.csr_matrix(X).asformat(fmt), y)
    np.testing.assert_allclose(sparse.predict_proba(X), dense.predict_proba(X), rtol=1e-5)


@pytest.mark.filterwarnings("ignore::imbbce.MajorityCollapseWarning")  # bool data, 15 epochs
@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.int64, bool])
def test_other_dtypes(imbalanced, dtype):
    X, y = imbalanced
    X_typed = X.astype(dtype)
    clf = BalancedBCEClassifier(**FAST).fit(X_typed, y)
    # Trained on the same float32 values as the converted data would give.
    as_float32 = BalancedBCEClassifier(**FAST).fit(X_typed.astype(np.float32), y)
    np.testing.assert_array_equal(
        clf.predict_proba(X_typed), as_float32.predict_proba(X_typed.astype(np.float32))
    )


def test_callers_arrays_are_not_modified(imbalanced):
    X, y = imbalanced
    X32 = X.astype(np.float32)  # shared with torch without a copy
    weights = np.linspace(0.5, 2.0, len(y))
    copies = X32.copy(), y.copy(), weights.copy()
    BalancedBCEClassifier(sampler="smote", noise_std=0.5, **FAST).fit(X32, y, sample_weight=weights)
    for given, copy in zip((X32, y, weights), copies, strict=True):
        np.testing.assert_array_equal(given, copy)


# ------------------------------------------------------ weights and samplers


@pytest.mark.filterwarnings("ignore::imbbce.MajorityCollapseWarning")  # plain BCE, 15 epochs
def test_sample_weight_changes_the_model(imbalanced):
    X, y = imbalanced
    heavy_positives = np.where(y == 1, 20.0, 1.0)
    base = BalancedBCEClassifier(class_weight=None, loss="bce", **FAST).fit(X, y)
    weighted = BalancedBCEClassifier(class_weight=None, loss="bce", **FAST)
    weighted.fit(X, y, heavy_positives)
    assert weighted.predict_proba(X)[:, 1].mean() > base.predict_proba(X)[:, 1].mean() + 0.05


def test_the_scale_of_sample_weight_does_not_change_training(imbalanced):
    # The loss divides by the training rows' mean weight: weights 10x larger
    # train the same network (up to float32 rounding), and the loss stays on
    # the scale of unit weights.
    X, y = imbalanced
    weights = np.where(np.arange(len(y)) % 3 == 0, 2.0, 1.0)
    unit = BalancedBCEClassifier(**NO_SPLIT).fit(X, y, weights)
    tenfold = BalancedBCEClassifier(**NO_SPLIT).fit(X, y, 10 * weights)
    assert unit.net_.criterion_.weight_scale == pytest.approx(
        np.mean(unit.class_weight_[y] * weights), rel=1e-6
    )
    assert tenfold.net_.criterion_.weight_scale == pytest.approx(
        10 * unit.net_.criterion_.weight_scale, rel=1e-6
    )
    np.testing.assert_allclose(
        tenfold.predict_proba(X), unit.predict_proba(X), rtol=1e-3, atol=1e-4
    )
    losses = [clf.history_[-1]["train_loss"] for clf in (unit, tenfold)]
    assert losses[1] == pytest.approx(losses[0], rel=1e-3)


def test_training_uses_the_fused_optimizer_step(imbalanced):
    X, y = imbalanced
    for optimizer in ("adam", "adamw", "sgd"):
        clf = BalancedBCEClassifier(optimizer=optimizer, **NO_SPLIT).fit(X, y)
        assert clf.net_.optimizer_.defaults["fused"] is True


def test_class_weight_dict_by_user_labels(imbalanced):
    X, y = imbalanced
    labels = np.array(["neg", "pos"])
    clf = BalancedBCEClassifier(class_weight={"pos": 4.0}, loss="bce", **FAST)
    clf.fit(X, labels[y])
    np.testing.assert_array_equal(clf.class_weight_, [1.0, 4.0])


def test_balanced_weights_are_computed_after_resampling(imbalanced):
    X, y = imbalanced
    balanced = {"class_weight": "balanced", "loss": "bce", **FAST}
    plain = BalancedBCEClassifier(**balanced).fit(X, y)
    assert plain.class_weight_[1] > 3  # about 10 % positives
    smote = BalancedBCEClassifier(sampler="smote", **balanced).fit(X, y)
    np.testing.assert_allclose(smote.class_weight_, [1.0, 1.0])  # SMOTE already balanced
    batches = BalancedBCEClassifier(sampler="balanced_batch", **balanced).fit(X, y)
    np.testing.assert_allclose(batches.class_weight_, [1.0, 1.0])


class RecordingUnderSampler(RandomUnderSampler):
    """Records the labels each fitted copy was given (copies are made by clone)."""

    seen = []

    def fit_resample(self, X, y, **params):
        RecordingUnderSampler.seen.append(np.asarray(y).copy())
        return super().fit_resample(X, y, **params)


def test_sampler_sees_the_training_part_only(imbalanced):
    X, y = imbalanced
    RecordingUnderSampler.seen.clear()
    BalancedBCEClassifier(sampler=RecordingUnderSampler(random_state=0), **FAST).fit(X, y)
    n_valid_positives = round(0.1 * y.sum())
    assert len(RecordingUnderSampler.seen[-1]) < 0.95 * len(y)  # validation rows held out
    assert RecordingUnderSampler.seen[-1].sum() == y.sum() - n_valid_positives
    BalancedBCEClassifier(
        sampler=RecordingUnderSampler(random_state=0), early_stopping=False, max_iter=3
    ).fit(X, y)
    assert len(RecordingUnderSampler.seen[-1]) == len(y)


def test_sampler_object_is_cloned_and_nested_params_tune(imbalanced):
    X, y = imbalanced
    given = SMOTE()
    clf = BalancedBCEClassifier(sampler=given, **FAST)
    assert clf.get_params()["sampler__k_neighbors"] == 5
    clf.set_params(sampler__k_neighbors=3)
    clf.fit(X, y)
    assert clf.sampler_ is not given and clf.sampler_.k_neighbors == 3
    assert clf.sampler_.random_state is not None  # derived from ours
    assert not hasattr(given, "sampling_strategy_")  # the caller's object is untouched
    # sampler_ is fitted, on the training part (the validation split held out).
    assert clf.sampler_.sampling_strategy_ == {
        1: int((y == 0).sum() - round(0.1 * (y == 0).sum())) - int(y.sum() - round(0.1 * y.sum()))
    }


@pytest.mark.parametrize(
    "sampler",
    ["random_over", "random_under", "smote", "borderline_smote", "adasyn", "smote_tomek",
     "smote_enn", "tomek", "near_miss", "edited_nn", "balanced_batch"],
)  # fmt: skip
def test_every_sampler_alias_fits(imbalanced, sampler):
    X, y = imbalanced
    clf = BalancedBCEClassifier(sampler=sampler, max_iter=3, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MajorityCollapseWarning)
        clf.fit(X, y)
    if sampler == "balanced_batch":
        assert clf.sampler_ is None  # drawn per epoch, no resampler
    else:
        assert isinstance(clf.sampler_, SAMPLER_ALIASES[sampler])
        assert hasattr(clf.sampler_, "sampling_strategy_")  # fitted, in fit
    assert clf.predict_proba(X).shape == (600, 2)


def test_sampling_strategy_reaches_string_samplers(imbalanced):
    X, y = imbalanced
    clf = BalancedBCEClassifier(sampler="random_over", sampling_strategy=0.5, **FAST).fit(X, y)
    counts = np.bincount(clf.sampler_.fit_resample(X, y)[1])
    assert counts[1] == pytest.approx(0.5 * counts[0], abs=1)


def test_dict_sampling_strategy_names_the_users_labels(imbalanced):
    X, y = imbalanced
    labels = y + 1  # 1 is the majority, 2 the minority
    sampler = RandomUnderSampler(sampling_strategy={1: 50})
    clf = BalancedBCEClassifier(sampler=sampler, **NO_SPLIT).fit(X, labels)
    kept = labels[clf.sampler_.sample_indices_]
    assert (kept == 1).sum() == 50 and (kept == 2).sum() == (labels == 2).sum()


# ------------------------------------------------- strategies change things


@pytest.mark.filterwarnings("ignore::imbbce.MajorityCollapseWarning")  # at 0.8
def test_threshold_moves_predictions_and_decision_function_agrees(imbalanced):
    X, y = imbalanced
    low = BalancedBCEClassifier(threshold=0.2, **FAST).fit(X, y)
    high = BalancedBCEClassifier(threshold=0.8, **FAST).fit(X, y)
    assert low.predict(X).sum() > high.predict(X).sum()
    for clf in (low, high):
        np.testing.assert_array_equal(clf.decision_function(X) > 0, clf.predict(X) == 1)
        np.testing.assert_array_equal(clf.predict_proba(X)[:, 1] > clf.threshold_, clf.predict(X))


def test_threshold_auto_is_tuned_on_validation(rare):
    X, y = rare
    clf = BalancedBCEClassifier(class_weight=None, loss="bce", threshold="auto", random_state=0)
    clf.fit(X[:2000], y[:2000])
    assert clf.threshold_ < 0.5  # plain BCE under-predicts the minority: the threshold drops
    assert recall_score(y[2000:], clf.predict(X[2000:])) > 0.3
    np.testing.assert_array_equal(clf.decision_function(X) > 0, clf.predict(X) == 1)


def test_prior_correction_restores_the_base_rate():
    X, y = make_classification(
        n_samples=12000, n_features=10, n_informative=5, weights=[0.95], flip_y=0, random_state=1
    )
    X_train, y_train, X_test, y_test = X[:8000], y[:8000], X[8000:], y[8000:]
    uncorrected = BalancedBCEClassifier(max_iter=30, random_state=0).fit(X_train, y_train)
    corrected = BalancedBCEClassifier(max_iter=30, prior_correction=True, random_state=0)
    corrected.fit(X_train, y_train)
    rate = y_test.mean()
    assert abs(corrected.predict_proba(X_test)[:, 1].mean() - rate) < 0.015
    assert uncorrected.predict_proba(X_test)[:, 1].mean() > rate + 0.05
    # Ranking unchanged: the correction is a constant shift in log-odds.
    np.testing.assert_allclose(
        corrected.decision_function(X_test) + corrected.prior_shift_,
        corrected.net_.module_(torch.as_tensor(X_test, dtype=torch.float32)).detach().numpy(),
        rtol=1e-4,
        atol=1e-4,
    )


# A strong L1 penalty leaves a network that calls every row positive.
@pytest.mark.filterwarnings("ignore::imbbce.MajorityCollapseWarning")
def test_l1_shrinks_weights(imbalanced):
    X, y = imbalanced

    def weight_l1(clf):
        return sum(
            m.weight.abs().sum().item()
            for m in clf.net_.module_.modules()
            if isinstance(m, nn.Linear)
        )

    plain = BalancedBCEClassifier(**NO_SPLIT).fit(X, y)
    sparse = BalancedBCEClassifier(l1=1e-2, **NO_SPLIT).fit(X, y)
    assert weight_l1(sparse) < 0.7 * weight_l1(plain)


def test_weight_decay_shrinks_weights(imbalanced):
    X, y = imbalanced

    def norm(clf):
        return sum(p.pow(2).sum().item() for p in clf.net_.module_.parameters())

    plain = BalancedBCEClassifier(optimizer="adamw", **NO_SPLIT).fit(X, y)
    decayed = BalancedBCEClassifier(optimizer="adamw", weight_decay=5.0, **NO_SPLIT).fit(X, y)
    assert norm(decayed) < 0.8 * norm(plain)


def test_noise_only_in_training_batches(imbalanced):
    X, y = imbalanced
    clf = BalancedBCEClassifier(noise_std=0.3, **FAST).fit(X, y)
    scale = clf.net_.iterator_train__noise_scale
    np.testing.assert_allclose(scale.numpy(), 0.3 * X.std(axis=0)[None].repeat(1, 0)[0], rtol=0.15)
    assert "iterator_valid__noise_scale" not in clf.net_.get_params()
    np.testing.assert_array_equal(clf.predict_proba(X), clf.predict_proba(X))  # no noise at predict
    quiet = BalancedBCEClassifier(**FAST).fit(X, y)
    assert not np.array_equal(quiet.predict_proba(X), clf.predict_proba(X))


def test_dropout_is_in_the_module_and_off_at_predict(imbalanced):
    X, y = imbalanced
    clf = BalancedBCEClassifier(dropout=0.5, **FAST).fit(X, y)
    assert any(isinstance(m, nn.Dropout) for m in clf.net_.module_.modules())
    np.testing.assert_array_equal(clf.predict_proba(X), clf.predict_proba(X))


@pytest.mark.filterwarnings("ignore::imbbce.MajorityCollapseWarning")  # plain BCE, 15 epochs
@pytest.mark.parametrize(
    ("loss", "cls"), [("focal", FocalLoss), ("logit_adjusted", LogitAdjustedLoss)]
)
def test_losses_are_used(imbalanced, loss, cls):
    X, y = imbalanced
    clf = BalancedBCEClassifier(
        loss=loss, class_weight=None, focal_gamma=1.5, tau=0.5, **NO_SPLIT
    ).fit(X, y)
    criterion = clf.net_.criterion_
    assert isinstance(criterion, cls)
    if loss == "focal":
        assert criterion.gamma == 1.5
    else:  # the parameters reach the loss: tau, and the prior it adjusts for
        assert criterion.tau == 0.5
        assert criterion.prior == pytest.approx(y.mean())


def test_balanced_class_weights_with_logit_adjustment_correct_once(imbalanced):
    # The weights balance the classes and the adjustment shifts by nothing:
    # the same network as class-weighted BCE, not a correction twice.
    X, y = imbalanced
    weighted = BalancedBCEClassifier(class_weight="balanced", **NO_SPLIT).fit(X, y)
    assert weighted.net_.criterion_.shift == 0.0
    bce = BalancedBCEClassifier(class_weight="balanced", loss="bce", **NO_SPLIT).fit(X, y)
    np.testing.assert_array_equal(weighted.predict_proba(X), bce.predict_proba(X))
    assert weighted.prior_shift_ == pytest.approx(bce.prior_shift_)
    # A dict of weights is a cost on top of the adjustment: it moves decisions.
    adjusted = BalancedBCEClassifier(**NO_SPLIT_SEED).fit(X, y)
    costly = BalancedBCEClassifier(class_weight={1: 3.0}, **NO_SPLIT_SEED).fit(X, y)
    assert costly.net_.criterion_.shift == pytest.approx(adjusted.net_.criterion_.shift)
    assert costly.predict(X).sum() > adjusted.predict(X).sum()


@pytest.mark.filterwarnings("ignore::imbbce.MajorityCollapseWarning")  # plain BCE, 15 epochs
def test_logit_adjustment_raises_minority_logits(imbalanced):
    X, y = imbalanced
    plain = BalancedBCEClassifier(class_weight=None, loss="bce", **NO_SPLIT).fit(X, y)
    adjusted = BalancedBCEClassifier(class_weight=None, loss="logit_adjusted", **NO_SPLIT).fit(X, y)
    assert adjusted.decision_function(X).mean() > plain.decision_function(X).mean() + 0.5


@pytest.mark.filterwarnings("ignore::imbbce.MajorityCollapseWarning")  # 15 epochs
@pytest.mark.parametrize("optimizer", ["adam", "adamw", "sgd"])
def test_optimizers(imbalanced, optimizer):
    X, y = imbalanced
    clf = BalancedBCEClassifier(optimizer=optimizer, **FAST).fit(X, y)
    assert type(clf.net_.optimizer_).__name__.lower() == optimizer


@pytest.mark.parametrize("activation", ["relu", "gelu", "tanh", "leaky_relu", "elu"])
def test_activations(imbalanced, activation):
    X, y = imbalanced
    clf = BalancedBCEClassifier(activation=activation, max_iter=2, random_state=0).fit(X, y)
    expected = {"relu": nn.ReLU, "gelu": nn.GELU, "tanh": nn.Tanh}.get(activation)
    expected = expected or {"leaky_relu": nn.LeakyReLU, "elu": nn.ELU}[activation]
    layers = [type(m) for m in clf.net_.module_.modules()]
    assert layers.count(expected) == 2  # one after each of the two hidden layers
    assert clf.predict(X).shape == (600,)


@pytest.mark.filterwarnings("ignore::imbbce.MajorityCollapseWarning")  # 2 epochs
@pytest.mark.parametrize(
    ("sampler", "seen"), [("random_over", 0.5), ("balanced_batch", 0.5), (None, None)]
)
def test_prior_shift_follows_the_prior_the_loss_saw(imbalanced, sampler, seen):
    # Without class weights the only shift is the prior the loss saw against
    # the real one: logit(0.5) - logit(real) after balancing, none without.
    X, y = imbalanced
    clf = BalancedBCEClassifier(
        sampler=sampler, class_weight=None, loss="bce", max_iter=2, **NO_SPLIT_SEED
    )
    clf.fit(X, y)
    real = y.mean()
    expected = 0.0 if seen is None else np.log(seen / (1 - seen)) - np.log(real / (1 - real))
    assert clf.prior_shift_ == pytest.approx(expected)


def test_linear_model_with_empty_hidden_layers(imbalanced):
    X, y = imbalanced
    one = BalancedBCEClassifier(hidden_layer_sizes=(), ensemble_size=1, **FAST).fit(X, y)
    assert sum(p.numel() for p in one.net_.module_.parameters()) == 9  # 8 weights, a bias
    members = BalancedBCEClassifier(hidden_layer_sizes=(), **FAST).fit(X, y)
    assert sum(p.numel() for p in members.net_.module_.parameters()) == 8 * 9  # eight of them


def test_scoring_loss_watches_validation_loss(imbalanced):
    X, y = imbalanced
    clf = BalancedBCEClassifier(
        scoring="loss", early_stopping=True, max_iter=40, random_state=0
    ).fit(X, y)
    losses = [row["valid_loss"] for row in clf.history_]
    assert clf.best_epoch_ == 1 + int(np.argmin(losses))
    assert "valid_score" not in clf.history_[-1]


@pytest.mark.parametrize(
    ("n_rows", "expected"),
    # 10 % validation of about 10 % positives: 6 minority rows in 600, 20 in 2000.
    [(600, "loss"), (2000, "average_precision")],
)
def test_scoring_auto_follows_the_minority_rows_in_the_validation_split(n_rows, expected):
    X, y = make_classification(
        n_samples=n_rows, n_features=8, n_informative=4, weights=[0.9], random_state=0
    )
    clf = BalancedBCEClassifier(
        scoring="auto", early_stopping=True, max_iter=3, random_state=0
    ).fit(X, y)
    assert clf.scoring_ == expected
    assert ("valid_score" in clf.history_[-1]) == (expected != "loss")
    assert BalancedBCEClassifier(early_stopping=False, max_iter=2).fit(X, y).scoring_ is None


@pytest.mark.parametrize("n_rows, expected", [(600, False), (2000, False), (6000, True)])
def test_early_stopping_auto_holds_out_a_split_only_with_enough_minority_rows(n_rows, expected):
    X, y = make_classification(
        n_samples=n_rows, n_features=8, n_informative=4, weights=[0.9], random_state=0
    )
    clf = BalancedBCEClassifier(early_stopping="auto", max_iter=3, random_state=0).fit(X, y)
    assert clf.early_stopping_ is expected
    assert clf.diagnostics_["checked_on"] == ("validation" if expected else "training")
    assert ("valid_loss" in clf.history_[-1]) == expected
    assert clf.scoring_ == ("average_precision" if expected else None)


def test_threshold_auto_holds_the_split_out_but_stops_early_only_on_a_large_one(imbalanced):
    X, y = imbalanced  # about 6 minority rows in the split
    clf = BalancedBCEClassifier(threshold="auto", max_iter=3, random_state=0).fit(X, y)
    assert clf.early_stopping_ is False and clf.scoring_ is None
    assert clf.n_iter_ == 3 and "valid_loss" not in clf.history_[-1]
    assert clf.diagnostics_["checked_on"] == "validation"  # the threshold's rows
    X_big, y_big = make_classification(
        n_samples=6000, n_features=8, n_informative=4, weights=[0.9], random_state=0
    )
    large = BalancedBCEClassifier(threshold="auto", max_iter=3, random_state=0).fit(X_big, y_big)
    assert large.early_stopping_ is True and large.scoring_ == "average_precision"
    with pytest.raises(ValueError, match="exists only with early_stopping=True"):
        BalancedBCEClassifier(threshold="auto", early_stopping=False).fit(X, y)


def test_early_stopping_restores_the_best_epoch(imbalanced):
    X, y = imbalanced
    clf = BalancedBCEClassifier(
        early_stopping=True, n_iter_no_change=3, max_iter=200, random_state=0
    ).fit(X, y)
    assert clf.stop_reason_ == "early_stopping"
    assert clf.n_iter_ - clf.best_epoch_ >= 3
    assert clf.diagnostics_["checked_on"] == "validation"
    # The weights are the best epoch's: a fit that stops there by max_iter
    # (same seed, so the same epochs) predicts bit for bit the same.
    stopped_there = BalancedBCEClassifier(
        early_stopping=True, n_iter_no_change=3, max_iter=clf.best_epoch_, random_state=0
    ).fit(X, y)
    assert stopped_there.best_epoch_ == clf.best_epoch_
    np.testing.assert_array_equal(stopped_there.predict_proba(X), clf.predict_proba(X))


class TwoLayer(nn.Module):
    def __init__(self, n_features, width=4):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(n_features, width), nn.ReLU(), nn.Linear(width, 1))

    def forward(self, X):
        return self.body(X)  # (batch, 1)


def test_custom_module_with_params(imbalanced):
    X, y = imbalanced
    clf = BalancedBCEClassifier(module=TwoLayer, module_params={"width": 16}, **FAST).fit(X, y)
    assert isinstance(clf.net_.module_, TwoLayer)
    assert clf.net_.module_.body[0].out_features == 16
    assert clf.predict_proba(X).shape == (600, 2)


@pytest.mark.parametrize("scaling", ["standard", "robust"])
def test_numerical_scaling_makes_the_scale_of_the_columns_irrelevant(imbalanced, scaling):
    # Fitted on the training part (the validation split excluded), the scaling
    # undoes any per-column affine map: the same network on columns a thousand
    # times larger and shifted, which the network could not train on as given.
    X, y = imbalanced
    moved = X * np.array([1e3, 1e-2, 1.0, 5e4, 1.0, 1.0, 3.0, 1e3]) + 1e4
    moved_copy = moved.copy()
    a = BalancedBCEClassifier(numerical_scaling=scaling, **FAST).fit(X, y)
    b = BalancedBCEClassifier(numerical_scaling=scaling, **FAST).fit(moved, y)
    np.testing.assert_allclose(b.predict_proba(moved), a.predict_proba(X), atol=1e-4)
    np.testing.assert_array_equal(moved, moved_copy)
    assert b.encoder_.scaling == scaling and not b.encoder_.passthrough_


# --------------------------------------------------------------- bad input


def test_inf_in_X_is_refused_and_nan_imputed(imbalanced):
    X, y = imbalanced
    for bad in (np.inf, -np.inf):
        X_bad = X.copy()
        X_bad[3, 2] = bad
        with pytest.raises(ValueError, match="Input X contains infinity"):
            BalancedBCEClassifier(**FAST).fit(X_bad, y)
    X_nan = X.copy()
    X_nan[3, 2] = np.nan
    clf = BalancedBCEClassifier(**FAST).fit(X_nan, y)
    assert clf.encoder_.missing_indicator_.tolist() == [2]
    assert np.isfinite(clf.predict_proba(X_nan)).all()


def test_one_class(imbalanced):
    X, _ = imbalanced
    with pytest.raises(ValueError, match="only one class"):
        BalancedBCEClassifier(**FAST).fit(X, np.zeros(600))


def test_multiclass(imbalanced):
    X, y = imbalanced
    with pytest.raises(
        ValueError,
        match="Only binary classification is supported. The type of the target is multiclass",
    ):
        BalancedBCEClassifier(**FAST).fit(X, np.arange(600) % 3)


def test_continuous_y(imbalanced):
    X, _ = imbalanced
    with pytest.raises(ValueError, match="The type of the target is continuous"):
        BalancedBCEClassifier(**FAST).fit(X, np.linspace(0, 1, 600))


def test_length_mismatch(imbalanced):
    X, y = imbalanced
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        BalancedBCEClassifier(**FAST).fit(X, y[:-1])


def test_empty_X():
    with pytest.raises(ValueError, match="0 sample"):
        BalancedBCEClassifier(**FAST).fit(np.empty((0, 3)), np.array([]))


def test_zero_features():
    with pytest.raises(ValueError, match="0 feature"):
        BalancedBCEClassifier(**FAST).fit(np.empty((4, 0)), np.array([0, 1, 0, 1]))


def test_wrong_number_of_features_at_predict(imbalanced):
    X, y = imbalanced
    clf = BalancedBCEClassifier(**FAST).fit(X, y)
    with pytest.raises(
        ValueError, match="X has 7 features, but BalancedBCEClassifier is expecting 8"
    ):
        clf.predict(X[:, :7])


def test_predict_before_fit(imbalanced):
    with pytest.raises(NotFittedError):
        BalancedBCEClassifier().predict(imbalanced[0])


def test_unknown_sampler_string_lists_the_valid_ones(imbalanced):
    X, y = imbalanced
    with pytest.raises(ValueError, match="'sampler' parameter.*smote_tomek") as info:
        BalancedBCEClassifier(sampler="smoth").fit(X, y)
    assert "balanced_batch" in str(info.value) and "'smoth'" in str(info.value)


def test_sampler_object_without_fit_resample(imbalanced):
    X, y = imbalanced
    with pytest.raises(ValueError, match="fit_resample"):
        BalancedBCEClassifier(sampler=object()).fit(X, y)


def test_smote_with_too_few_minority_samples(imbalanced):
    X, y = imbalanced
    keep = np.r_[np.flatnonzero(y == 0)[:100], np.flatnonzero(y == 1)[:4]]
    with pytest.raises(
        ValueError, match=r"holds 3 sample\(s\) of the minority class 1.*k_neighbors"
    ):
        BalancedBCEClassifier(sampler="smote", **FAST).fit(X[keep], y[keep])


@pytest.mark.parametrize(
    ("weights", "match"),
    [(-1.0, "Negative values"), (np.nan, "NaN"), ("short", "one weight per row")],
)
def test_bad_sample_weight(imbalanced, weights, match):
    X, y = imbalanced
    sample_weight = np.ones(599) if weights == "short" else np.r_[np.ones(599), weights]
    with pytest.raises(ValueError, match=match):
        BalancedBCEClassifier(**FAST).fit(X, y, sample_weight=sample_weight)


def test_sampler_that_keeps_only_zero_weight_rows_of_a_class(imbalanced):
    X, y = imbalanced
    probe = RandomUnderSampler(random_state=0)
    probe.fit_resample(X, y)
    sample_weight = np.ones(len(y))
    sample_weight[probe.sample_indices_[y[probe.sample_indices_] == 0]] = 0.0
    given = sample_weight.copy()
    clf = BalancedBCEClassifier(sampler=RandomUnderSampler(random_state=0), max_iter=2)
    with pytest.raises(ValueError, match="RandomUnderSampler resampled.*class 0 it kept"):
        clf.set_params(early_stopping=False).fit(X, y, sample_weight=sample_weight)
    np.testing.assert_array_equal(sample_weight, given)


def test_class_weight_with_unknown_label(imbalanced):
    X, y = imbalanced
    with pytest.raises(ValueError, match="not labels of y"):
        BalancedBCEClassifier(class_weight={2: 1.0}, **FAST).fit(X, y)


@pytest.mark.parametrize(
    "params",
    [{"dropout": 5.0}, {"batch_size": 0}, {"learning_rate_init": -1}, {"validation_fraction": 1.0},
     {"threshold": 1.5}, {"scoring": "nope"}, {"activation": "swish"}, {"max_iter": 0},
     {"scoring": "r2"}, {"scoring": "adjusted_rand_score"}, {"threshold_scoring": "roc_auc"},
     {"threshold_scoring": "neg_log_loss"}, {"threshold_scoring": "r2"}],
)  # fmt: skip
def test_out_of_range_hyperparameters(imbalanced, params):
    X, y = imbalanced
    name = next(iter(params))
    with pytest.raises(ValueError, match=f"'{name}' parameter of BalancedBCEClassifier must be"):
        BalancedBCEClassifier(**params).fit(X, y)


def test_bad_hidden_layer_sizes(imbalanced):
    X, y = imbalanced
    with pytest.raises(ValueError, match="tuple of positive ints"):
        BalancedBCEClassifier(hidden_layer_sizes=(8, 0)).fit(X, y)


@pytest.mark.skipif(torch.cuda.is_available(), reason="tests the error raised without CUDA")
def test_cuda_without_cuda(imbalanced):
    X, y = imbalanced
    with pytest.raises(ValueError, match=r"device='cuda'.*device='cpu'"):
        BalancedBCEClassifier(device="cuda").fit(X, y)


def test_threshold_auto_without_validation_split(imbalanced):
    X, y = imbalanced
    with pytest.raises(ValueError, match="early_stopping=True.*TunedThresholdClassifierCV"):
        BalancedBCEClassifier(threshold="auto", early_stopping=False).fit(X, y)


def test_with_classes_of_equal_size_the_later_label_is_the_minority():
    # As in compare_strategies and scikit-learn's pos_label: classes_[1].
    X, y = make_classification(n_samples=400, n_features=5, flip_y=0.2, random_state=0)
    assert (y == 0).sum() == (y == 1).sum()
    clf = BalancedBCEClassifier(max_iter=3, early_stopping=False, random_state=0).fit(X, y)
    predicted = clf.predict(X)
    recalls = [recall_score(y, predicted, pos_label=label) for label in (0, 1)]
    assert recalls[0] != recalls[1]
    assert clf.diagnostics_["minority_recall"] == pytest.approx(recalls[1])


def test_values_beyond_float32_are_refused_in_fit_and_predict(imbalanced):
    X, y = imbalanced
    huge = X.copy()
    huge[0, 0] = 1e39
    with pytest.raises(ValueError, match="beyond float32's range"):
        BalancedBCEClassifier(**FAST).fit(huge, y)
    clf = BalancedBCEClassifier(**FAST).fit(X, y)
    with pytest.raises(ValueError, match="beyond float32's range"):
        clf.predict_proba(huge)


def test_threshold_auto_without_a_possible_split_says_where_it_was_chosen():
    rng = np.random.RandomState(0)
    X = rng.randn(300, 5)
    y = np.zeros(300, dtype=int)
    y[0] = 1  # one minority row: no split can hold it on both sides
    clf = BalancedBCEClassifier(threshold="auto", max_iter=5, random_state=0)
    with pytest.warns(UserWarning, match="threshold is chosen on the training rows") as record:
        clf.fit(X, y)
    message = " ".join(str(w.message) for w in record)
    assert "early_stopping=False" not in message  # that setting would raise
    assert not clf.early_stopping_ and clf.diagnostics_["checked_on"] == "training"


def test_diverging_training_stops_restores_and_says_what_to_change(imbalanced):
    X, y = imbalanced
    clf = BalancedBCEClassifier(
        optimizer="sgd", learning_rate_init=1e8, early_stopping=False, max_iter=20, random_state=0
    )
    with pytest.warns(TrainingDivergedWarning, match="Lower learning_rate_init"):
        clf.fit(X * 100, y)
    assert clf.stop_reason_ == "diverged"
    assert np.isfinite(clf.predict_proba(X)).all()
    assert all(torch.isfinite(p).all() for p in clf.net_.module_.parameters())


def test_wrong_module_output_shape(imbalanced):
    class TwoLogits(nn.Module):
        def __init__(self, n_features):
            super().__init__()
            self.linear = nn.Linear(n_features, 2)

        def forward(self, X):
            return self.linear(X)

    X, y = imbalanced
    with pytest.raises(ValueError, match="one logit per row"):
        BalancedBCEClassifier(module=TwoLogits, **FAST).fit(X, y)


def test_module_factory_must_return_a_module(imbalanced):
    X, y = imbalanced
    with pytest.raises(TypeError, match="must return a torch.nn.Module"):
        BalancedBCEClassifier(module=lambda n: "not a module", **FAST).fit(X, y)


class _EndsWithSigmoid(nn.Module):
    def __init__(self, n_features_in):
        super().__init__()
        self.linear = nn.Linear(n_features_in, 1)

    def forward(self, X):
        return torch.sigmoid(self.linear(X)).squeeze(-1)


def test_module_returning_probabilities_is_hinted_at(imbalanced):
    X, y = imbalanced
    with pytest.warns(MajorityCollapseWarning, match="must return logits: a final sigmoid"):
        BalancedBCEClassifier(module=_EndsWithSigmoid, max_iter=2, random_state=0).fit(X, y)


@pytest.mark.parametrize("minority, majority", [("fraud", "ok"), ("a", "b")])
def test_callable_scorers_see_the_users_labels(imbalanced, minority, majority):
    # A string scorer follows the minority by flipping the encoding when the
    # minority sorts first; a callable gets the user's labels and its own
    # pos_label, so the two must agree epoch by epoch and on the threshold.
    X, y = imbalanced
    labels = np.where(y == 1, minority, majority)
    common = {**FAST, "threshold": "auto"}
    by_name = BalancedBCEClassifier(scoring="f1", threshold_scoring="recall", **common)
    by_name.fit(X, labels)
    own = BalancedBCEClassifier(
        scoring=make_scorer(f1_score, pos_label=minority),
        threshold_scoring=make_scorer(recall_score, pos_label=minority),
        **common,
    ).fit(X, labels)
    scores = [[row["valid_score"] for row in clf.history_] for clf in (by_name, own)]
    np.testing.assert_allclose(scores[0], scores[1])
    assert len(set(scores[0])) > 1  # the score moved, so the comparison means something
    assert own.threshold_ == by_name.threshold_
    assert callable(own.scoring_)


def test_module_instance_asks_for_the_class(imbalanced):
    X, y = imbalanced
    with pytest.raises(TypeError, match=r"instance of Linear; pass the class instead"):
        BalancedBCEClassifier(module=nn.Linear(X.shape[1], 1), **FAST).fit(X, y)


def test_focal_loss_makes_easy_rows_less_confident(imbalanced):
    X, y = imbalanced
    common = {"class_weight": None, "early_stopping": False, "max_iter": 30, "random_state": 0}
    bce = BalancedBCEClassifier(**common).fit(X, y)
    focal = BalancedBCEClassifier(loss="focal", focal_gamma=3.0, **common).fit(X, y)
    # Easy rows contribute little to the focal loss, so they are not pushed
    # to extreme logits as with BCE.
    assert np.abs(focal.decision_function(X)).mean() < 0.8 * np.abs(bce.decision_function(X)).mean()


@pytest.mark.filterwarnings("ignore::imbbce.MajorityCollapseWarning")  # plain BCE, 15 epochs
def test_balanced_batches_raise_the_minority_share_the_model_learns(imbalanced):
    X, y = imbalanced
    common = {
        "class_weight": None,
        "loss": "bce",
        "early_stopping": False,
        "max_iter": 15,
        "random_state": 0,
    }
    plain = BalancedBCEClassifier(**common).fit(X, y)
    balanced = BalancedBCEClassifier(sampler="balanced_batch", **common).fit(X, y)
    assert balanced.predict_proba(X)[:, 1].mean() > plain.predict_proba(X)[:, 1].mean() + 0.1
    assert balanced.sampler_ is None  # no resampled copy of the data


# ------------------------------------------------------- network options

NETWORKS = [
    {"ensemble_size": 4},
    {"numerical_embedding": "piecewise_linear", "n_bins": 4, "embedding_dim": 3},
    {"ensemble_size": 3, "numerical_embedding": "piecewise_linear"},
    {"numerical_embedding": "piecewise_linear_residual", "n_bins": 4},
    {"ensemble_size": 3, "numerical_embedding": "piecewise_linear_half", "n_bins": 4},
    {"ensemble_size": 3, "numerical_embedding": "piecewise_linear_split", "n_bins": 4},
]
REMEDIES = [
    {"sampler": "smote"},
    {"sampler": "balanced_batch", "loss": "focal", "dropout": 0.1},
    {"loss": "logit_adjusted", "prior_correction": True},
    {"threshold": "auto"},
    {"early_stopping": True, "l1": 1e-4, "noise_std": 0.1, "optimizer": "adamw"},
]


@pytest.mark.filterwarnings("ignore::imbbce.MajorityCollapseWarning")  # 5 epochs
@pytest.mark.parametrize("network", NETWORKS)
@pytest.mark.parametrize("remedy", REMEDIES)
def test_network_options_work_with_every_remedy(imbalanced, network, remedy):
    import pickle

    X, y = imbalanced
    params = {**network, **remedy, "max_iter": 5, "random_state": 0}
    clf = BalancedBCEClassifier(**params).fit(X, y)
    proba = clf.predict_proba(X)
    assert np.isfinite(proba).all()
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert ((clf.decision_function(X) > 0) == (clf.predict(X) == 1)).all()
    again = BalancedBCEClassifier(**params).fit(X, y)
    np.testing.assert_array_equal(again.predict_proba(X), proba)  # same seed, same model
    loaded = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(loaded.predict_proba(X), proba)


@pytest.mark.filterwarnings("ignore::imbbce.MajorityCollapseWarning")  # 5 epochs
@pytest.mark.parametrize("network", NETWORKS)
def test_network_options_take_sparse_input_and_sample_weight(imbalanced, network):
    X, y = imbalanced
    weights = np.where(y == 1, 2.0, 1.0)
    params = {**network, "max_iter": 5, "random_state": 0}
    dense = BalancedBCEClassifier(**params).fit(X, y, sample_weight=weights)
    sparse = BalancedBCEClassifier(**params).fit(sp.csr_matrix(X), y, sample_weight=weights)
    np.testing.assert_allclose(
        sparse.predict_proba(sp.csr_matrix(X)), dense.predict_proba(X), atol=1e-5
    )
    unweighted = BalancedBCEClassifier(**params).fit(X, y)
    assert not np.allclose(unweighted.predict_proba(X), dense.predict_proba(X))


def test_an_ensemble_predicts_its_members_mean_probability(imbalanced):
    X, y = imbalanced
    clf = BalancedBCEClassifier(ensemble_size=4, max_iter=5, random_state=0).fit(X, y)
    with torch.no_grad():
        members = clf.net_.module_.member_logits(torch.as_tensor(X, dtype=torch.float32))
    assert members.shape == (600, 4)
    np.testing.assert_allclose(
        clf.predict_proba(X)[:, 1], torch.sigmoid(members).mean(dim=1).numpy(), atol=1e-6
    )


@pytest.mark.filterwarnings("ignore::imbbce.MajorityCollapseWarning")  # 2 epochs
def test_embedding_bins_come_from_the_training_part_only(imbalanced):
    from imbbce._embeddings import quantile_bins
    from imbbce._split import validation_split

    X, y = imbalanced
    X = X.copy()
    clf = BalancedBCEClassifier(
        numerical_embedding="piecewise_linear", n_bins=4, **{**FAST, "max_iter": 2}
    ).fit(X, y)
    seed = np.random.RandomState(0).randint(np.iinfo(np.int32).max)  # the split's seed
    train, _ = validation_split(y, 0.1, seed)
    expected = quantile_bins(torch.as_tensor(X, dtype=torch.float32), train, 4)
    left = clf.net_.module_.embedding.left.numpy()
    for feature, edges in enumerate(expected):
        np.testing.assert_allclose(left[feature, : len(edges) - 1], edges[:-1], rtol=1e-6)
    everything = quantile_bins(torch.as_tensor(X, dtype=torch.float32), None, 4)
    assert any(not np.allclose(a, b) for a, b in zip(expected, everything))


def test_a_custom_module_ignores_the_network_options(imbalanced):
    X, y = imbalanced
    clf = BalancedBCEClassifier(
        module=TwoLayer,
        module_params={"width": 4},
        ensemble_size=4,
        numerical_embedding="piecewise_linear",
        **NO_SPLIT_SEED,
        max_iter=2,
    ).fit(X, y)
    assert isinstance(clf.net_.module_, TwoLayer)
