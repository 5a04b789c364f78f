"""Thread-count choice and restoration."""

import torch

from imbbce._threads import THREADED_WORK, choose_n_threads, torch_threads


def test_explicit_count_is_used():
    assert choose_n_threads(3, 10, 10) == 3


def test_small_networks_get_one_thread():
    assert choose_n_threads(None, 20_000, 256) == 1


def test_large_networks_get_torch_default_bounded_by_cores():
    chosen = choose_n_threads(None, THREADED_WORK, 2)
    assert 1 <= chosen <= max(1, torch.get_num_threads())


def test_context_restores_the_global_setting():
    before = torch.get_num_threads()
    with torch_threads(before + 1):
        assert torch.get_num_threads() == before + 1
    assert torch.get_num_threads() == before


def test_context_restores_after_an_error():
    before = torch.get_num_threads()
    try:
        with torch_threads(before + 1):
            raise RuntimeError
    except RuntimeError:
        pass
    assert torch.get_num_threads() == before
