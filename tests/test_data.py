"""Whole-batch slicing, shuffling, balanced draws and noise."""

import numpy as np
import pytest
import scipy.sparse as sp
import torch

from imbbce import _data
from imbbce._data import (
    BatchIterator,
    TrainingData,
    as_float32_tensor,
    balanced_positions,
    feature_std,
    weighted_dataset,
)


def make_data(n=10, rows=None):
    X = torch.arange(n * 2, dtype=torch.float32).reshape(n, 2)
    y = (torch.arange(n) % 5 == 0).float()
    return TrainingData(X, y, torch.ones(n), rows=rows)


def test_float32_input_is_shared_not_copied():
    X = np.ones((4, 3), dtype=np.float32)
    assert np.shares_memory(as_float32_tensor(X).numpy(), X)


def test_float64_input_is_converted_and_left_alone():
    X = np.ones((4, 3))
    before = X.copy()
    tensor = as_float32_tensor(X)
    assert tensor.dtype == torch.float32
    tensor += 1  # even writing to the tensor leaves the caller's array as it was
    np.testing.assert_array_equal(X, before)


def test_read_only_input_gives_a_writeable_tensor_without_warning():
    X = np.ones((4, 3), dtype=np.float32)
    X.flags.writeable = False
    assert as_float32_tensor(X).shape == (4, 3)


@pytest.mark.parametrize("sparse", [False, True])
def test_values_beyond_float32_are_refused_not_made_infinite(sparse):
    X = np.ones((3, 2))
    X[1, 0] = -1e39
    with pytest.raises(ValueError, match="beyond float32's range.*Scale the features"):
        as_float32_tensor(sp.csr_matrix(X) if sparse else X)
    X[1, 0] = -3e38  # within range
    assert np.isfinite(np.asarray(as_float32_tensor(X))).all()


def test_sparse_stays_sparse():
    out = as_float32_tensor(sp.random(5, 4, density=0.5, format="csc", random_state=0))
    assert sp.issparse(out) and out.format == "csr" and out.dtype == np.float32


def test_unshuffled_iterator_covers_rows_in_order():
    batches = list(BatchIterator(make_data(), batch_size=4))
    assert [len(b[0]) for b in batches] == [4, 4, 2]
    np.testing.assert_array_equal(torch.cat([b[0] for b in batches]).numpy(), make_data().X)


def test_shuffle_is_seeded_and_redrawn_each_epoch():
    iterator = BatchIterator(make_data(), batch_size=10, shuffle=True, seed=1)
    first, second = (next(iter(iterator))[0][:, 0].tolist() for _ in range(2))
    assert sorted(first) == sorted(second) == list(range(0, 20, 2))
    assert first != second
    again = BatchIterator(make_data(), batch_size=10, shuffle=True, seed=1)
    assert next(iter(again))[0][:, 0].tolist() == first


def test_rows_select_a_subset_without_copying_x():
    data = make_data(rows=torch.tensor([1, 3, 5]))
    assert len(data) == 3
    Xb, (yb, wb) = data.batch(slice(0, 3))
    np.testing.assert_array_equal(Xb[:, 0].numpy(), [2, 6, 10])
    np.testing.assert_array_equal(yb.numpy(), [0, 0, 1])
    assert data.targets.tolist() == [0, 0, 1]


def test_sparse_batches_are_dense():
    X = sp.csr_matrix(np.eye(6, dtype=np.float32))
    data = TrainingData(X, torch.zeros(6), torch.ones(6))
    Xb, _ = data.batch(torch.tensor([2, 0]))
    np.testing.assert_array_equal(Xb.numpy(), np.eye(6, dtype=np.float32)[[2, 0]])


def test_balanced_draw_gives_each_class_half():
    # 1 % positives; over an epoch of 100k draws the positive share is
    # binomial(100k, 0.5) / 100k with std 0.0016, so 0.01 is six sigmas.
    targets = torch.zeros(100_000)
    targets[:1000] = 1
    generator = torch.Generator().manual_seed(0)
    positions = balanced_positions(targets, len(targets), generator)
    share = targets[positions].mean().item()
    assert abs(share - 0.5) < 0.01
    assert len(positions) == len(targets)


def test_balanced_iterator_epoch_has_as_many_rows_as_the_data():
    data = make_data(n=50)
    iterator = BatchIterator(data, batch_size=16, balanced=True, seed=0)
    drawn = torch.cat([yw[0] for _, yw in iterator])
    assert len(drawn) == 50
    assert 0.25 < drawn.mean().item() < 0.75  # 20 % positives in the data


def test_noise_is_added_with_the_given_scale():
    data = TrainingData(torch.zeros(20_000, 2), torch.zeros(20_000), torch.ones(20_000))
    scale = torch.tensor([1.0, 3.0])
    Xb, _ = next(iter(BatchIterator(data, batch_size=20_000, noise_scale=scale, seed=0)))
    np.testing.assert_allclose(Xb.std(dim=0).numpy(), [1.0, 3.0], rtol=0.03)
    assert torch.count_nonzero(data.X) == 0  # the data itself is untouched


@pytest.mark.parametrize("rows", [None, torch.tensor([0, 2])])
def test_features(rows):
    data = make_data(n=4, rows=rows)
    assert data.features().shape[0] == (4 if rows is None else 2)


@pytest.mark.parametrize("sparse", [False, True])
def test_features_at_positions_follow_the_rows(sparse):
    X = np.arange(12, dtype=np.float32).reshape(6, 2)
    X_all = sp.csr_matrix(X) if sparse else torch.from_numpy(X)
    data = TrainingData(X_all, torch.zeros(6), torch.ones(6), rows=torch.tensor([1, 3, 5]))
    picked = data.features(torch.tensor([0, 2]))
    assert sp.issparse(picked) == sparse
    dense = picked.toarray() if sparse else picked.numpy()
    np.testing.assert_array_equal(dense, X[[1, 5]])


@pytest.mark.parametrize("with_rows", [False, True])
def test_feature_std_sums_blocks_without_copying_the_rows(monkeypatch, with_rows):
    monkeypatch.setattr(_data, "STD_BLOCK_ROWS", 7)
    X = np.random.RandomState(0).normal(3.0, [1.0, 2.0, 0.5], size=(50, 3)).astype(np.float32)
    rows = np.arange(0, 50, 3) if with_rows else None
    expected = X[rows].std(axis=0) if with_rows else X.std(axis=0)
    got = feature_std(torch.from_numpy(X), rows)
    np.testing.assert_allclose(got.numpy(), expected, rtol=1e-5)
    sparse_got = feature_std(sp.csr_matrix(X), rows)
    np.testing.assert_allclose(sparse_got.numpy(), expected, rtol=1e-5)


def test_weighted_dataset_multiplies_sample_and_class_weights_and_keeps_its_rows_weights():
    X = torch.zeros(4, 2)
    y = np.array([0, 1, 0, 1])
    weights = np.array([1.0, 2.0, 3.0, 4.0])
    data = weighted_dataset(X, y, weights, np.array([0.5, 2.0]), rows=np.array([1, 2]))
    np.testing.assert_array_equal(data.row_weights.numpy(), [4.0, 1.5])
    np.testing.assert_array_equal(data.sample_weight, [2.0, 3.0])
    np.testing.assert_array_equal(data.targets.numpy(), [1.0, 0.0])
    assert data.mean_row_weight() == pytest.approx(2.75)
    unweighted = weighted_dataset(X, y, None, np.ones(2))
    assert unweighted.sample_weight is None and unweighted.mean_row_weight() == 1.0
    zero = weighted_dataset(X, y, np.zeros(4), np.ones(2))
    assert zero.mean_row_weight() == 1.0  # the loss stays finite
