"""Batched inference: fixed-shape blocks, capped densified blocks."""

import numpy as np
import scipy.sparse as sp
import torch

from imbbce import _inference
from imbbce._inference import (
    DENSE_BLOCK_BYTES,
    VALIDATION_BATCH_ROWS,
    predict_logits,
    prediction_block_rows,
    validation_batch_rows,
)
from imbbce._modules import MLP


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
    monkeypatch.setattr(_inference, "DENSE_BLOCK_BYTES", 4 * 6 * 100)  # 100 rows of 6 columns
    seen = []
    module = MLP(6)
    forward = module.forward
    monkeypatch.setattr(module, "forward", lambda x: seen.append(x.shape[0]) or forward(x))
    X = sp.random(250, 6, density=0.5, format="csr", dtype=np.float32, random_state=0)
    logits = predict_logits(module, X, "cpu")
    assert seen == [100, 100, 100]
    dense = predict_logits(module, torch.from_numpy(X.toarray()), "cpu", block_rows=100)
    np.testing.assert_array_equal(logits, dense)


def test_validation_batches_of_wide_input_stay_small():
    # 8192 rows of 30 features is cheap; of 20k (sparse, densified per batch)
    # it would be 655 MB, so wide input gets fewer rows per validation batch.
    assert validation_batch_rows(256, 30) == VALIDATION_BATCH_ROWS
    wide = validation_batch_rows(256, 20_000)
    assert 256 <= wide < VALIDATION_BATCH_ROWS
    assert wide * 20_000 * 4 <= DENSE_BLOCK_BYTES
    assert validation_batch_rows(1024, 10**7) == 1024  # never below the training batch
