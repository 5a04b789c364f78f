"""Piecewise-linear embeddings: bins from the training rows, the encoding."""

import numpy as np
import pytest
import scipy.sparse as sp
import torch

from imbbce._embeddings import PiecewiseLinearCode, PiecewiseLinearEmbedding, quantile_bins


def test_bins_are_quantiles_of_the_training_rows_only():
    X = np.arange(100, dtype=np.float32).reshape(-1, 1)
    edges = quantile_bins(torch.from_numpy(X), rows=np.arange(50), n_bins=4)
    np.testing.assert_allclose(edges[0], [0, 12, 24, 36, 49])
    sparse = quantile_bins(sp.csr_matrix(X), rows=np.arange(50), n_bins=4)
    np.testing.assert_allclose(sparse[0], edges[0])


def test_few_distinct_values_give_fewer_bins_and_a_constant_one_bin():
    X = torch.tensor([[0.0, 3.0], [1.0, 3.0], [1.0, 3.0], [0.0, 3.0]])
    binary, constant = quantile_bins(X, n_bins=8)
    np.testing.assert_array_equal(binary, [0.0, 1.0])
    np.testing.assert_array_equal(constant, [3.0, 4.0])


def test_encoding_fills_the_bins_below_the_value():
    embedding = PiecewiseLinearEmbedding([np.array([0.0, 1.0, 3.0, 4.0])], embedding_dim=2)
    code = embedding.encode(torch.tensor([[2.0], [0.5], [-1.0], [6.0]]))[:, 0, :]
    expected = [
        [1.0, 0.5, 0.0],  # fills the first bin, half of the second
        [0.5, 0.0, 0.0],
        [-1.0, 0.0, 0.0],  # below the first edge: the first bin extrapolates
        [1.0, 1.0, 3.0],  # above the last edge: the last bin extrapolates
    ]
    np.testing.assert_allclose(code.numpy(), expected)


def test_features_with_fewer_bins_are_padded_with_zeros():
    embedding = PiecewiseLinearEmbedding(
        [np.array([0.0, 1.0, 2.0]), np.array([0.0, 1.0])], embedding_dim=3
    )
    code = embedding.encode(torch.tensor([[5.0, 0.25]]))
    np.testing.assert_allclose(code.numpy()[0], [[1.0, 4.0], [0.25, 0.0]])
    out = embedding(torch.tensor([[5.0, 0.25], [0.0, 1.0]]))
    assert out.shape == (2, embedding.out_features) == (2, 6)
    assert (out >= 0).all()  # ReLU


def test_bins_travel_with_the_weights_and_are_not_trained():
    embedding = PiecewiseLinearEmbedding([np.array([0.0, 1.0, 2.0])], embedding_dim=2)
    state = embedding.state_dict()
    assert {"left", "width", "lower", "upper", "used", "weight", "bias"} <= set(state)
    trained = {name for name, _ in embedding.named_parameters()}
    assert trained == {"weight", "bias"}


@pytest.mark.parametrize("n_bins", [1, 3])
def test_any_number_of_bins(n_bins):
    X = torch.randn(50, 2)
    edges = quantile_bins(X, n_bins=n_bins)
    assert all(len(e) == n_bins + 1 for e in edges)
    assert PiecewiseLinearEmbedding(edges, 4)(X).shape == (50, 8)


def test_a_residual_embedding_starts_as_a_linear_embedding_of_the_value():
    torch.manual_seed(0)
    embedding = PiecewiseLinearEmbedding(
        [np.array([0.0, 1.0, 3.0]), np.array([0.0, 1.0])], embedding_dim=3, residual=True
    )
    X = torch.tensor([[2.0, 0.5], [-1.0, 4.0], [0.5, 0.0]])
    expected = X.unsqueeze(-1) * embedding.value_weight + embedding.bias
    with torch.no_grad():
        np.testing.assert_allclose(embedding(X).numpy(), expected.flatten(1).numpy(), atol=1e-6)
    assert (embedding(X) < 0).any()  # no ReLU
    assert {name for name, _ in embedding.named_parameters()} == {
        "weight",
        "bias",
        "value_weight",
    }


def test_a_residual_embedding_learns_thresholds_from_its_code():
    embedding = PiecewiseLinearEmbedding([np.array([0.0, 1.0, 2.0])], 2, residual=True)
    embedding(torch.tensor([[0.5], [1.5]])).sum().backward()
    # The code's weights start at zero but receive the gradient of the code.
    np.testing.assert_allclose(embedding.weight.grad[0].numpy(), [[1.5, 1.5], [0.5, 0.5]])


def test_a_member_mask_keeps_the_thresholds_from_some_members():
    embedding = PiecewiseLinearEmbedding(
        [np.array([0.0, 1.0, 2.0])], 2, residual=True, member_mask=[1.0, 0.0, 1.0]
    )
    torch.nn.init.uniform_(embedding.weight, 1.0, 2.0)  # thresholds that change the output
    X = torch.tensor([[0.5], [1.5]])
    out = embedding(X)
    assert out.shape == (3, 2, 2)  # (members, rows, features * embedding_dim)
    # Left out: the value's linear embedding alone (the first layer's bias follows).
    plain = (X.unsqueeze(-1) * embedding.value_weight).flatten(1)
    unmasked = PiecewiseLinearEmbedding([np.array([0.0, 1.0, 2.0])], 2, residual=True)
    unmasked.load_state_dict(embedding.state_dict(), strict=False)
    with torch.no_grad():
        torch.testing.assert_close(out[1], plain)
        torch.testing.assert_close(out[0], unmasked(X))
        torch.testing.assert_close(out[2], unmasked(X))
    assert not torch.allclose(out[0], out[1])


def test_a_member_mask_is_refused_without_residual():
    with pytest.raises(ValueError, match="member_mask needs residual=True"):
        PiecewiseLinearEmbedding([np.array([0.0, 1.0, 2.0])], 2, member_mask=[1.0, 0.0])


def test_the_code_alone_is_the_embeddings_encoding_flattened_and_has_nothing_to_train():
    edges = [np.array([0.0, 1.0, 2.0]), np.array([0.0, 1.0])]
    code = PiecewiseLinearCode(edges)
    X = torch.tensor([[0.5, -1.0], [1.5, 2.0], [3.0, 0.5]])
    expected = PiecewiseLinearEmbedding(edges, 2).encode(X).flatten(1)
    torch.testing.assert_close(code(X), expected)
    assert code.out_features == 4  # two features times the most bins of one
    assert list(code.parameters()) == []
    assert {"left", "width", "lower", "upper", "used"} == set(code.state_dict())
