"""The losses on tensors alone, against values computed by hand."""

import math

import pytest
import torch

from imbbce import FocalLoss, LogitAdjustedLoss, WeightedBCELoss
from imbbce._losses import build_loss

LOGITS = torch.tensor([2.0, -1.0, 0.5])
TARGET = torch.tensor([1.0, 0.0, 0.0])


def bce(z, t):
    p = 1 / (1 + math.exp(-z))
    return -(t * math.log(p) + (1 - t) * math.log(1 - p))


def test_weighted_bce_divides_the_weighted_sum_by_rows_and_weight_scale():
    weight = torch.tensor([1.0, 2.0, 3.0])
    rows = [bce(z, t) for z, t in zip(LOGITS.tolist(), TARGET.tolist(), strict=True)]
    weighted_sum = rows[0] * 1 + rows[1] * 2 + rows[2] * 3
    got = WeightedBCELoss(weight_scale=2.0)(LOGITS, TARGET, weight)
    assert got.item() == pytest.approx(weighted_sum / (3 * 2.0), rel=1e-6)
    # Not the batch's own weighted mean sum(w * l) / sum(w) (= 6 here).
    assert WeightedBCELoss()(LOGITS, TARGET, weight).item() == pytest.approx(weighted_sum / 3)


def test_batch_losses_average_to_the_full_weighted_loss():
    # Batches of a data set whose mean weight is the scale: the mean of the
    # batch losses is the weighted mean loss of all rows, whether or not a
    # batch holds a heavy (minority) row. Dividing each batch by its own
    # total weight would give a different number.
    logits = torch.tensor([0.2, -0.4, 1.0, -2.0, 0.7, 0.1])
    target = torch.tensor([1.0, 0.0, 0.0, 0.0, 0.0, 0.0])
    weight = torch.where(target > 0, 3.0, 0.6)  # balanced weights: n / (2 n_c)
    full = (weight * torch.stack([torch.tensor(bce(z, t)) for z, t in zip(
        logits.tolist(), target.tolist(), strict=True)])).sum() / weight.sum()  # fmt: skip
    loss = WeightedBCELoss(weight_scale=weight.mean().item())
    batches = [loss(logits[i : i + 2], target[i : i + 2], weight[i : i + 2]) for i in (0, 2, 4)]
    assert torch.stack(batches).mean().item() == pytest.approx(full.item(), rel=1e-6)
    ratio = [
        (weight[i : i + 2] * loss.per_row(logits[i : i + 2], target[i : i + 2])).sum()
        / weight[i : i + 2].sum()
        for i in (0, 2, 4)
    ]
    assert torch.stack(ratio).mean().item() != pytest.approx(full.item(), rel=1e-3)


def test_weighted_bce_with_unit_weights_equals_torch_bce():
    got = WeightedBCELoss()(LOGITS, TARGET, torch.ones(3))
    expected = torch.nn.functional.binary_cross_entropy_with_logits(LOGITS, TARGET)
    assert got.item() == pytest.approx(expected.item(), rel=1e-6)


@pytest.mark.parametrize("loss", [WeightedBCELoss(), FocalLoss(gamma=0.0)])
def test_weight_is_optional_as_in_torch_losses(loss):
    logits, target = torch.tensor([0.3, -1.2, 2.0]), torch.tensor([1.0, 0.0, 0.0])
    expected = torch.nn.functional.binary_cross_entropy_with_logits(logits, target)
    torch.testing.assert_close(loss(logits, target), expected)


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda: LogitAdjustedLoss(prior=0.0), "prior must be a finite number > 0.0 and < 1.0"),
        (lambda: LogitAdjustedLoss(prior=1.5), "prior must be"),
        (lambda: LogitAdjustedLoss(prior=0.1, tau=-1.0), "tau must be a finite number >= 0.0"),
        (lambda: FocalLoss(gamma=-1), "gamma must be a finite number >= 0.0, got -1"),
        (lambda: WeightedBCELoss(weight_scale=0.0), "weight_scale must be a finite number > 0.0"),
        (lambda: FocalLoss(gamma=float("nan")), "gamma must be"),
    ],
)
def test_bad_loss_parameters_are_named(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_class_weights_as_sample_weights_weight_classes_not_positions():
    # Class weight 4 for positives: the positive row counts four times.
    logits, target = torch.tensor([0.3, 0.3]), torch.tensor([0.0, 1.0])
    weight = torch.where(target > 0, 4.0, 1.0)
    expected = (bce(0.3, 0) + 4 * bce(0.3, 1)) / 2
    assert WeightedBCELoss()(logits, target, weight).item() == pytest.approx(expected, rel=1e-6)
    # Swapping the rows swaps nothing: weights follow the class.
    swapped = WeightedBCELoss()(logits.flip(0), target.flip(0), weight.flip(0))
    assert swapped.item() == pytest.approx(expected, rel=1e-6)


def test_all_zero_weights_give_zero_not_nan():
    assert WeightedBCELoss()(LOGITS, TARGET, torch.zeros(3)).item() == 0.0


def test_focal_matches_hand_computation():
    gamma = 2.0
    expected_rows = []
    for z, t in zip(LOGITS.tolist(), TARGET.tolist(), strict=True):
        p = 1 / (1 + math.exp(-z))
        p_t = p if t == 1 else 1 - p
        expected_rows.append((1 - p_t) ** gamma * bce(z, t))
    got = FocalLoss(gamma=gamma)(LOGITS, TARGET, torch.ones(3))
    assert got.item() == pytest.approx(sum(expected_rows) / 3, rel=1e-5)


def test_focal_with_gamma_zero_is_weighted_bce():
    weight = torch.tensor([0.5, 1.0, 2.0])
    focal = FocalLoss(gamma=0.0)(LOGITS, TARGET, weight)
    plain = WeightedBCELoss()(LOGITS, TARGET, weight)
    assert focal.item() == pytest.approx(plain.item(), rel=1e-7)


def test_focal_down_weights_easy_rows():
    easy = FocalLoss(gamma=2.0)(torch.tensor([5.0]), torch.tensor([1.0]), torch.ones(1))
    plain = WeightedBCELoss()(torch.tensor([5.0]), torch.tensor([1.0]), torch.ones(1))
    assert easy.item() < 0.01 * plain.item()


def test_logit_adjusted_shifts_only_in_training():
    prior, tau = 0.1, 1.0
    loss = LogitAdjustedLoss(prior=prior, tau=tau)
    shift = math.log(prior / (1 - prior))
    assert loss.shift == pytest.approx(shift)
    loss.train()
    expected = sum(bce(z + shift, t) for z, t in zip(LOGITS.tolist(), TARGET.tolist(), strict=True))
    assert loss(LOGITS, TARGET, torch.ones(3)).item() == pytest.approx(expected / 3, rel=1e-5)
    loss.eval()
    plain = WeightedBCELoss()(LOGITS, TARGET, torch.ones(3))
    assert loss(LOGITS, TARGET, torch.ones(3)).item() == pytest.approx(plain.item(), rel=1e-7)


@pytest.mark.parametrize(("prior", "tau"), [(0.05, 0.0), (0.5, 1.0)])
def test_logit_adjusted_without_a_shift_is_bce_to_the_bit(prior, tau):
    # No shift: the same fused kernel as WeightedBCELoss, so class weights
    # "balanced" with logit adjustment train exactly class-weighted BCE.
    loss = LogitAdjustedLoss(prior=prior, tau=tau, weight_scale=1.5).train()
    weight = torch.tensor([1.0, 3.0, 0.5])
    plain = WeightedBCELoss(weight_scale=1.5)(LOGITS, TARGET, weight)
    assert torch.equal(loss(LOGITS, TARGET, weight), plain)


@pytest.mark.parametrize(
    ("name", "cls"),
    [("bce", WeightedBCELoss), ("focal", FocalLoss), ("logit_adjusted", LogitAdjustedLoss)],
)
def test_build_loss(name, cls):
    loss = build_loss(name, focal_gamma=1.5, tau=0.5, prior=0.2, weight_scale=3.0)
    assert type(loss) is cls
    assert loss.weight_scale == 3.0
    unit = build_loss(name, focal_gamma=1.5, tau=0.5, prior=0.2)
    weight = torch.tensor([1.0, 2.0, 3.0])
    assert loss(LOGITS, TARGET, weight).item() == pytest.approx(
        unit(LOGITS, TARGET, weight).item() / 3.0, rel=1e-6
    )


def test_losses_have_gradients():
    logits = LOGITS.clone().requires_grad_(True)
    FocalLoss()(logits, TARGET, torch.ones(3)).backward()
    assert torch.all(torch.isfinite(logits.grad)) and logits.grad.abs().sum() > 0
