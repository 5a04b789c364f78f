"""Test set-up shared by the test suite and the doctests.

One torch thread (on a 2-core machine, two threads made a small fit 15x
slower), a non-interactive matplotlib backend, and seeded global RNGs so
that any test that forgets a ``random_state`` is still reproducible.
"""

import os

os.environ.setdefault("MPLBACKEND", "Agg")

import numpy as np
import pytest
import torch

torch.set_num_threads(1)


@pytest.fixture(autouse=True)
def _seed_global_rngs():
    np.random.seed(0)  # noqa: NPY002 - code that forgets a random_state draws from it
    torch.manual_seed(0)
    yield
