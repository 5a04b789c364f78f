"""Choose torch's thread count for a fit or a prediction, and restore it.

torch's intra-op thread pool is process-global. On a 2-core machine one small
fit took 0.7-0.9 s with one torch thread and 11.7-13.7 s with two: for the
small networks this package trains, threads cost more in synchronisation than
they give, and under ``GridSearchCV(n_jobs=...)``, Dask or Ray several fits
share the cores. So the count is chosen per call and put back afterwards.
"""

import contextlib
import os
import threading

import torch

__all__ = ["TRAINING_LOCK", "choose_n_threads", "prediction_threads", "torch_threads"]

#: Held by every ``fit`` while it trains. torch's random generator (weight
#: initialisation, dropout) and its thread setting are process-wide: two fits
#: running at once in threads of one process drew each other's random numbers
#: (the same ``random_state`` gave different models) and restored each other's
#: settings. Fits in threads therefore take turns; fits in separate processes
#: (joblib's default backend, Dask workers) still run in parallel. Reentrant,
#: so a custom module that fits an estimator of its own does not deadlock.
TRAINING_LOCK = threading.RLock()

#: Multiply-adds per batch above which a network is big enough for threads.
THREADED_WORK = 50_000_000


def available_cores():
    """Cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def choose_n_threads(n_threads, n_parameters, batch_size):
    """The torch thread count to use.

    Parameters
    ----------
    n_threads : int or None
        The estimator's ``n_threads``. An int is used as given. ``None``
        (automatic) gives one thread unless a batch costs more than
        :data:`THREADED_WORK` multiply-adds (about ``n_parameters *
        batch_size``); a bigger network gets torch's own default, which
        honours ``OMP_NUM_THREADS`` and so the caps that joblib's loky and
        Dask's nanny put on their workers, and never more than the cores
        this process may use.
    n_parameters : int
        Trainable parameters of the network.
    batch_size : int

    Returns
    -------
    int
    """
    if n_threads is not None:
        return int(n_threads)
    if n_parameters * batch_size < THREADED_WORK:
        return 1
    return max(1, min(torch.get_num_threads(), available_cores()))


def prediction_threads(n_threads, fitted_n_threads):
    """The torch thread count for a prediction.

    Parameters
    ----------
    n_threads : int or None
        The estimator's ``n_threads``: an int is used as given.
    fitted_n_threads : int
        ``n_threads_``, chosen by ``fit``.

    Returns
    -------
    int
        With ``n_threads=None``, ``fitted_n_threads`` but never more than
        torch's current setting: a model fitted with 16 threads and loaded
        in a worker capped at one thread (loky, Dask, ``threadpoolctl``)
        predicts with one.
    """
    if n_threads is not None:
        return int(n_threads)
    return max(1, min(int(fitted_n_threads), torch.get_num_threads()))


@contextlib.contextmanager
def torch_threads(n):
    """Run the block with ``torch.set_num_threads(n)``, then restore."""
    before = torch.get_num_threads()
    if n != before:
        torch.set_num_threads(n)
    try:
        yield
    finally:
        if torch.get_num_threads() != before:
            torch.set_num_threads(before)
