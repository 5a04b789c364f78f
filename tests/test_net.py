"""The skorch glue: minority scoring, early stopping ties, the divergence guard."""

import numpy as np
import pytest
import scipy.sparse as sp
import torch
from sklearn.metrics import average_precision_score, f1_score

from imbbce import _net
from imbbce._modules import MLP
from imbbce._net import (
    DENSE_BLOCK_BYTES,
    FlaggedEarlyStopping,
    MinorityScorer,
    copy_state,
    fused_optimizer_params,
    predict_logits,
    prediction_block_rows,
)


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


class _History(list):
    def __getitem__(self, key):
        if isinstance(key, tuple):
            return list.__getitem__(self, key[0])[key[1]]
        return list.__getitem__(self, key)


class _Net:
    def __init__(self):
        self.history = _History()
        self.verbose = 0
        self.module_ = torch.nn.Linear(1, 1)


def run_epochs(stopper, records):
    net = _Net()
    stopper.on_train_begin(net)
    for epoch, (score, loss) in enumerate(records, start=1):
        net.history.append({"epoch": epoch, "valid_score": score, "valid_loss": loss})
        try:
            stopper.on_epoch_end(net)
        except KeyboardInterrupt:
            return stopper, epoch
    return stopper, len(records)


def make_stopper(patience=2):
    return FlaggedEarlyStopping(
        monitor="valid_score",
        patience=patience,
        threshold=1e-4,
        threshold_mode="abs",
        lower_is_better=False,
        load_best=True,
        sink=print,
    )


def test_saturated_score_ties_are_broken_by_validation_loss():
    records = [(1.0, 0.60), (1.0, 0.40), (1.0, 0.30), (1.0, 0.31), (1.0, 0.32)]
    stopper, last = run_epochs(make_stopper(), records)
    assert stopper.best_epoch_ == 3
    assert stopper.stopped_ and last == 5


def test_ties_within_tol_are_broken_by_validation_loss_without_lowering_the_bar():
    # Average precision at 1.0, then a dip smaller than tol with a much lower
    # loss: the lower-loss epoch is kept. A later epoch at the dipped score
    # (below the best by more than tol) does not count, though its loss is lower.
    records = [(1.0, 0.60), (0.99995, 0.30), (0.9998, 0.10), (0.9998, 0.05)]
    stopper, last = run_epochs(make_stopper(), records)
    assert stopper.best_epoch_ == 2
    assert stopper.stopped_ and last == 4


def test_higher_score_wins_over_lower_loss():
    records = [(0.5, 0.3), (0.8, 0.9), (0.7, 0.1), (0.7, 0.05)]
    stopper, last = run_epochs(make_stopper(), records)
    assert stopper.best_epoch_ == 2 and last == 4


def test_no_stop_flag_when_patience_not_reached():
    stopper, _ = run_epochs(make_stopper(patience=5), [(0.5, 0.3), (0.6, 0.2)])
    assert not stopper.stopped_


def test_copy_state_is_independent():
    module = torch.nn.Linear(2, 1)
    state = copy_state(module)
    with torch.no_grad():
        module.weight.add_(1.0)
    assert not torch.equal(state["weight"], module.weight)


def test_predict_logits_is_independent_of_which_rows_come_together():
    torch.manual_seed(0)
    module = MLP(6)
    X = torch.randn(1100, 6)
    whole = predict_logits(module, X, "cpu")
    singles = np.concatenate([predict_logits(module, X[i : i + 1], "cpu") for i in range(50)])
    np.testing.assert_array_equal(whole[:50], singles)
    assert module.training  # the module's mode is put back


def test_prediction_blocks_of_wide_input_stay_within_the_byte_cap():
    assert prediction_block_rows("cpu", 30) == 512
    assert prediction_block_rows(torch.device("cuda", 0), 30) == 16384
    wide = prediction_block_rows("cuda", 20_000)
    assert 512 < wide < 16384
    assert wide * 20_000 * 4 <= DENSE_BLOCK_BYTES
    assert prediction_block_rows("cpu", 10**9) == 1


def test_predict_logits_of_sparse_input_densifies_capped_blocks(monkeypatch):
    monkeypatch.setattr(_net, "DENSE_BLOCK_BYTES", 4 * 6 * 100)  # 100 rows of 6 columns
    seen = []
    module = MLP(6)
    forward = module.forward
    monkeypatch.setattr(module, "forward", lambda x: seen.append(x.shape[0]) or forward(x))
    X = sp.random(250, 6, density=0.5, format="csr", dtype=np.float32, random_state=0)
    logits = predict_logits(module, X, "cpu")
    assert seen == [100, 100, 100]
    dense = predict_logits(module, torch.from_numpy(X.toarray()), "cpu", block_rows=100)
    np.testing.assert_array_equal(logits, dense)


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
