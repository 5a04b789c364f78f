"""The skorch net: its configuration, how training ended, the fused optimizer step."""

import numpy as np
import torch

from imbbce import _net
from imbbce._modules import MLP
from imbbce._net import fused_optimizer_params


def test_fused_optimizer_step_where_torch_has_one(monkeypatch):
    module = MLP(3)
    assert fused_optimizer_params(module, "cpu") == {"optimizer__fused": True}
    assert fused_optimizer_params(module, "cuda") == {"optimizer__fused": True}
    assert fused_optimizer_params(module, torch.device("cuda", 0)) == {"optimizer__fused": True}
    # Device types without a fused kernel in every supported torch keep the default.
    assert fused_optimizer_params(module, "meta") == {}
    monkeypatch.setattr(_net, "_torch_version", lambda: (2, 3))  # CPU kernels came in 2.4
    assert fused_optimizer_params(module, "cpu") == {}
    assert fused_optimizer_params(module, "cuda") == {"optimizer__fused": True}


def test_no_fused_step_for_complex_parameters():
    module = torch.nn.Linear(2, 1, dtype=torch.complex64)
    assert fused_optimizer_params(module, "cpu") == {}
    assert fused_optimizer_params(MLP(2), "cpu") == {"optimizer__fused": True}


def _net_for(early_stopping=None, optimizer="adam", verbose=0, module=None, criterion=None):
    from imbbce._losses import WeightedBCELoss

    return _net.make_net(
        MLP(3) if module is None else module,
        WeightedBCELoss() if criterion is None else criterion,
        optimizer=optimizer,
        learning_rate_init=0.01,
        weight_decay=0.001,
        l1=0.0,
        max_iter=4,
        batch_size=16,
        balanced_batches=False,
        noise_scale=None,
        batch_seed=0,
        early_stopping=early_stopping,
        n_features=3,
        device="cpu",
        verbose=verbose,
    )


def _data(n=60, seed=0):
    from imbbce._data import weighted_dataset

    rng = np.random.RandomState(seed)
    X = torch.from_numpy(rng.randn(n, 3).astype(np.float32))
    y = (rng.rand(n) < 0.3).astype(np.int64)
    y[:2] = [0, 1]
    return weighted_dataset(X, y, None, np.ones(2))


def _plan(scoring="average_precision", patience=50):
    return _net.EarlyStoppingPlan(
        valid_data=_data(seed=1),
        scoring=scoring,
        minority=1,
        threshold_logit=0.0,
        classes=np.array([0, 1]),
        patience=patience,
        tol=1e-4,
    )


def test_make_net_without_a_split_has_no_early_stopping_and_keeps_each_epoch():
    net = _net_for().initialize()
    names = dict(net.callbacks_)
    assert "early_stopping" not in names and "valid_score" not in names
    assert names["divergence_guard"].keep_each_epoch
    assert net.train_split is None
    assert net.optimizer_.defaults["weight_decay"] == 0.001


def test_make_net_watches_the_score_or_the_loss_on_the_split():
    scored = dict(_net_for(_plan()).initialize().callbacks_)
    assert scored["early_stopping"].monitor == "valid_score"
    assert not scored["early_stopping"].lower_is_better
    assert not scored["divergence_guard"].keep_each_epoch
    by_loss = dict(_net_for(_plan("loss")).initialize().callbacks_)
    assert by_loss["early_stopping"].monitor == "valid_loss"
    assert by_loss["early_stopping"].lower_is_better
    assert "valid_score" not in by_loss


def test_make_net_gives_sgd_nesterov_momentum():
    optimizer = _net_for(optimizer="sgd").initialize().optimizer_
    assert isinstance(optimizer, torch.optim.SGD)
    assert optimizer.defaults["momentum"] == 0.9 and optimizer.defaults["nesterov"]


def test_training_outcome_of_a_full_run_and_of_an_early_stop():
    net = _net_for()
    net.fit(_data(), None)
    outcome = _net.training_outcome(net)
    assert outcome.stop_reason == "max_iter"
    assert outcome.n_iter == outcome.best_epoch == 4
    assert outcome.diverged_epoch is None and not outcome.kept_best

    stopped = _net_for(_plan(patience=1))
    stopped.max_epochs = 30
    stopped.fit(_data(), None)
    outcome = _net.training_outcome(stopped)
    assert outcome.stop_reason == "early_stopping"
    assert outcome.kept_best and outcome.best_epoch < outcome.n_iter < 30


def test_release_training_state_drops_what_a_fitted_model_must_not_carry():
    net = _net_for(_plan())
    net.fit(_data(), None)
    outcome = _net.training_outcome(net)
    _net.release_training_state(net, outcome)
    assert net.train_split is None
    assert not net.module_.training
    assert all(row["batches"] == [] for row in net.history)
    assert dict(net.callbacks_)["early_stopping"].best_model_weights_ is None


def test_an_ensemble_is_trained_on_the_mean_of_its_members_losses():
    from imbbce._losses import WeightedBCELoss
    from imbbce._modules import EnsembleMLP

    net = _net_for(
        module=EnsembleMLP(3, hidden_layer_sizes=(4,), ensemble_size=3),
        criterion=WeightedBCELoss(weight_scale=2.0),
    ).initialize()
    logits = torch.tensor([[0.5, -1.0, 2.0], [1.0, 0.0, -0.5]])
    target = torch.tensor([1.0, 0.0])
    weight = torch.tensor([2.0, 1.0])
    loss = net.get_loss(logits, (target, weight))
    each = [WeightedBCELoss(weight_scale=2.0)(logits[:, i], target, weight) for i in range(3)]
    torch.testing.assert_close(loss, torch.stack(each).mean())
