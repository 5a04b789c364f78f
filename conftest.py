"""Test set-up shared by the test suite and the doctests.

One torch thread (on a 2-core machine, two threads made a small fit 15x
slower), a non-interactive matplotlib backend, and seeded global RNGs so
that any test that forgets a ``random_state`` is still reproducible.

Hypothesis profiles, chosen with the environment variable
``IMBBCE_HYPOTHESIS_PROFILE``:

- ``ci`` (the default): 25 examples per property, derandomized, so that a CI
  run is reproducible and tests the same cases every time;
- ``long``: 2000 random examples (about 2 minutes) per property, for a search for new failures:
  ``IMBBCE_HYPOTHESIS_PROFILE=long python -m pytest tests/test_fuzz.py``;
- ``dev``: 5 examples, for a quick local check.

Tests marked ``slow`` are deselected by ``-m "not slow"`` in pyproject's
``addopts``; ``python -m pytest -m slow`` runs them (a later ``-m`` wins).
"""

import os
from datetime import timedelta

os.environ.setdefault("MPLBACKEND", "Agg")

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, settings

torch.set_num_threads(1)

# A fit on the fuzzed data (at most 80 rows, 3 epochs) takes well under a
# second; the deadline only catches a hang, with room for a loaded machine.
_FUZZ = dict(
    deadline=timedelta(seconds=30),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    print_blob=True,
)
settings.register_profile("ci", max_examples=25, derandomize=True, **_FUZZ)
settings.register_profile("long", max_examples=2000, **_FUZZ)
settings.register_profile("dev", max_examples=5, **_FUZZ)
settings.load_profile(os.environ.get("IMBBCE_HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(autouse=True)
def _seed_global_rngs():
    np.random.seed(0)  # noqa: NPY002 - code that forgets a random_state draws from it
    torch.manual_seed(0)
    yield
