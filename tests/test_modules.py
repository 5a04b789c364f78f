"""The default MLP and the checks on a user's module."""

import pytest
import torch
from torch import nn

from imbbce import MLP
from imbbce._modules import check_logits_shape, count_parameters, l1_penalty


def test_mlp_layers_and_output_shape():
    mlp = MLP(5, hidden_layer_sizes=(8, 4), activation="tanh", dropout=0.2)
    linear = [m for m in mlp.modules() if isinstance(m, nn.Linear)]
    assert [(m.in_features, m.out_features) for m in linear] == [(5, 8), (8, 4), (4, 1)]
    assert sum(isinstance(m, nn.Tanh) for m in mlp.modules()) == 2
    assert sum(isinstance(m, nn.Dropout) for m in mlp.modules()) == 2
    assert mlp(torch.randn(7, 5)).shape == (7,)


def test_empty_hidden_layers_is_linear():
    mlp = MLP(3, hidden_layer_sizes=())
    assert count_parameters(mlp) == 4


def test_check_logits_shape_accepts_column_and_flat():
    assert check_logits_shape(torch.zeros(4, 1), 4).shape == (4,)
    assert check_logits_shape(torch.zeros(4), 4).shape == (4,)


def test_check_logits_shape_refuses_two_columns():
    with pytest.raises(ValueError, match=r"one logit per row.*\(4, 2\)|\(4, 2\).*one logit"):
        check_logits_shape(torch.zeros(4, 2), 4)


def test_l1_penalty_counts_weights_not_biases():
    layer = nn.Linear(2, 1)
    with torch.no_grad():
        layer.weight.copy_(torch.tensor([[1.0, -2.0]]))
        layer.bias.fill_(10.0)
    assert l1_penalty(nn.Sequential(layer)).item() == pytest.approx(3.0)
