"""The default MLP and the checks on a user's module."""

import pytest
import torch
from torch import nn

from imbbce import MLP
from imbbce._modules import (
    EnsembleMLP,
    MemberSharedDropout,
    check_logits_shape,
    count_parameters,
    l1_penalty,
)


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


def _ensemble(**kwargs):
    from imbbce._modules import EnsembleMLP

    torch.manual_seed(0)
    return EnsembleMLP(5, hidden_layer_sizes=(8, 4), dropout=0.0, ensemble_size=3, **kwargs)


def test_ensemble_gives_each_member_a_logit_in_training_and_one_logit_in_eval():
    ensemble = _ensemble()
    X = torch.randn(7, 5)
    members = ensemble(X)
    assert members.shape == (7, 3)
    assert not torch.allclose(members[:, 0], members[:, 1])  # the members differ
    ensemble.eval()
    averaged = ensemble(X)
    assert averaged.shape == (7,)
    mean_probability = torch.sigmoid(members).mean(dim=1)
    torch.testing.assert_close(torch.sigmoid(averaged), mean_probability)


def test_members_share_the_weight_matrices():
    from imbbce._modules import BatchEnsembleLinear

    ensemble = _ensemble()
    layers = [m for m in ensemble.modules() if isinstance(m, BatchEnsembleLinear)]
    assert [tuple(layer.weight.shape) for layer in layers] == [(8, 5), (4, 8)]
    assert [tuple(layer.r.shape) for layer in layers] == [(3, 5), (3, 8)]
    assert set(layers[0].r.detach().abs().flatten().tolist()) == {1.0}  # random signs
    assert (layers[0].r < 0).any() and (layers[0].r > 0).any()
    assert (layers[1].r == 1).all() and (layers[1].s == 1).all()
    assert ensemble.head_weight.shape == (3, 4)


def test_batched_layer_computes_each_members_scaled_linear_map():
    from imbbce._modules import BatchEnsembleLinear

    torch.manual_seed(0)
    layer = BatchEnsembleLinear(5, 4, ensemble_size=3, random_signs=True)
    with torch.no_grad():  # scalings away from their initial ones
        layer.r.mul_(torch.rand(3, 5) + 0.5)
        layer.s.mul_(torch.rand(3, 4) + 0.5)

    def by_member(X):
        return torch.stack(
            [
                ((X[i] * layer.r[i]) @ layer.weight.T) * layer.s[i] + layer.member_bias[i]
                for i in range(3)
            ]
        )

    shared = torch.randn(7, 5).expand(3, -1, -1)  # the first layer's input: one for all members
    torch.testing.assert_close(layer(shared), by_member(shared))
    own = torch.randn(3, 7, 5)
    torch.testing.assert_close(layer(own), by_member(own))


def test_ensemble_without_hidden_layers_is_members_linear_models():
    torch.manual_seed(0)
    ensemble = EnsembleMLP(5, hidden_layer_sizes=(), ensemble_size=3)
    X = torch.randn(7, 5)
    expected = X @ ensemble.head_weight.T + ensemble.head_bias
    torch.testing.assert_close(ensemble(X), expected)


def test_mean_probability_logit_is_stable_for_confident_members():
    from imbbce._modules import mean_probability_logit

    logits = torch.tensor([[800.0, 800.0], [-800.0, -800.0], [30.0, -30.0]])
    out = mean_probability_logit(logits)
    assert torch.isfinite(out).all()
    assert out[0] > 700 and out[1] < -700 and abs(out[2]) < 1e-5


@pytest.mark.parametrize(
    "form",
    [dict(), dict(residual=True), dict(residual=True, member_mask=[1.0, 1.0, 0.0]), "split"],
    ids=["first", "residual", "half", "split"],
)
def test_l1_penalty_covers_ensemble_heads_and_embeddings(form):
    import numpy as np

    from imbbce._embeddings import PiecewiseLinearCode, PiecewiseLinearEmbedding

    edges = [np.array([0.0, 1.0, 2.0])] * 5
    if form == "split":
        ensemble = _ensemble(embedding=PiecewiseLinearCode(edges), embedded_members=2)
    else:
        embedding = PiecewiseLinearEmbedding(edges, embedding_dim=2, **form)
        nn.init.uniform_(embedding.weight, -1.0, 1.0)  # a residual one's starts at zero
        ensemble = _ensemble(embedding=embedding)
    expected = sum(
        p.abs().sum()
        for name, p in ensemble.named_parameters()
        if name.endswith("weight")  # shared matrices, heads, embedding; not r, s, biases
    )
    torch.testing.assert_close(l1_penalty(ensemble), expected)


def test_ensemble_dropout_shares_one_mask_per_row_across_members():
    torch.manual_seed(0)
    dropout = MemberSharedDropout(0.5)
    X = torch.ones(8, 64, 16)  # (members, rows, units)
    out = dropout(X)
    dropped = out == 0
    # The same units of a row are dropped for every member, not independently.
    assert torch.equal(dropped, dropped[:1].expand_as(dropped))
    assert 0.3 < dropped[0].float().mean() < 0.7
    kept = out[~dropped]
    assert torch.allclose(kept, torch.full_like(kept, 2.0))  # scaled by 1 / (1 - p)
    dropout.eval()
    assert torch.equal(dropout(X), X)


def test_ensemble_uses_the_shared_mask_and_one_mlp_the_usual_dropout():
    ensemble = EnsembleMLP(5, hidden_layer_sizes=(8, 4), dropout=0.1, ensemble_size=4)
    assert sum(isinstance(m, MemberSharedDropout) for m in ensemble.modules()) == 2
    mlp = MLP(5, hidden_layer_sizes=(8, 4), dropout=0.1)
    assert not any(isinstance(m, MemberSharedDropout) for m in mlp.modules())


def _split_ensemble(**kwargs):
    import numpy as np

    from imbbce._embeddings import PiecewiseLinearCode

    torch.manual_seed(0)
    code = PiecewiseLinearCode([np.array([0.0, 1.0, 2.0]), np.array([-1.0, 0.0, 1.0, 3.0])])
    return EnsembleMLP(
        2, hidden_layer_sizes=(6, 4), dropout=0.0, ensemble_size=3, embedding=code, **kwargs
    )


def test_split_members_see_the_code_or_the_features_in_their_first_layer():
    from imbbce._modules import BatchEnsembleLinear, SplitInputLayer

    ensemble = _split_ensemble(embedded_members=2)
    first = ensemble.layers[0]
    assert isinstance(first, SplitInputLayer)
    assert (first.embedded.in_features, first.plain.in_features) == (6, 2)  # 2 x 3 bins; 2
    assert (first.embedded.r.shape[0], first.plain.r.shape[0]) == (2, 1)  # members per group
    X = torch.tensor([[0.5, -2.0], [1.5, 2.0], [3.0, 0.5], [-1.0, 0.0]])
    out = first(X)
    assert out.shape == (3, 4, 6)
    code = first.embedding(X)
    for member in range(3):
        # Each member's own layer, as a BatchEnsembleLinear of one member.
        group, index, inputs = (
            (first.embedded, member, code) if member < 2 else (first.plain, member - 2, X)
        )
        alone = BatchEnsembleLinear(group.in_features, 6, 1, random_signs=False)
        with torch.no_grad():
            alone.weight.copy_(group.weight)
            alone.r.copy_(group.r[index : index + 1])
            alone.s.copy_(group.s[index : index + 1])
            alone.member_bias.copy_(group.member_bias[index : index + 1])
        torch.testing.assert_close(out[member], alone(inputs.unsqueeze(0))[0])
    # The whole ensemble trains both groups, and nothing in the code.
    ensemble(X).sum().backward()
    assert first.embedded.weight.grad.abs().sum() > 0
    assert first.plain.weight.grad.abs().sum() > 0
    assert list(first.embedding.parameters()) == []
    ensemble.eval()
    assert ensemble(X).shape == (4,)


def test_split_embeds_once_and_every_member_seeing_it_is_no_split():
    split = _split_ensemble(embedded_members=2)
    # The embedding lives in the first layer only: its buffers are saved once.
    assert split.embedding is None
    assert sum(name.endswith(".left") or name == "left" for name in split.state_dict()) == 1
    whole = _split_ensemble(embedded_members=3)
    assert whole.embedding is not None
    assert not any(isinstance(m, type(split.layers[0])) for m in whole.modules())


def test_split_needs_a_hidden_layer():
    import numpy as np

    from imbbce._embeddings import PiecewiseLinearCode

    code = PiecewiseLinearCode([np.array([0.0, 1.0])])
    with pytest.raises(ValueError, match="need a hidden layer"):
        EnsembleMLP(1, hidden_layer_sizes=(), ensemble_size=2, embedding=code, embedded_members=1)


@pytest.mark.parametrize("members", [0, 4])
def test_embedded_members_must_be_a_number_of_members(members):
    with pytest.raises(ValueError, match="from 1 to ensemble_size=3"):
        _split_ensemble(embedded_members=members)


def test_embedded_members_needs_an_embedding():
    with pytest.raises(ValueError, match="needs an embedding"):
        EnsembleMLP(2, ensemble_size=3, embedded_members=1)
