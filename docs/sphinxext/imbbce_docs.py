"""Helpers for the imbbce gallery, referred to by name from conf.py.

sphinx-gallery takes them as importable names, so the configuration stays
picklable and Sphinx can cache it.
"""

import os

#: Examples shown first, in this order; any other example follows by file name.
FIRST = [
    "quickstart.py",
    "plot_strategies.py",
    "plot_training_history.py",
    "plot_threshold_and_prior.py",
    "plot_grid_search_pipeline.py",
    "plot_custom_module.py",
]


class ExampleOrder:
    """Sort key for ``within_subsection_order``: FIRST, then by file name."""

    def __init__(self, src_dir):
        self.src_dir = src_dir

    def __call__(self, filename):
        name = os.path.basename(filename)
        rank = FIRST.index(name) if name in FIRST else len(FIRST)
        return (rank, name)


def reset_torch(gallery_conf, fname):
    """Before each example: one torch thread, fresh global seeds."""
    import numpy as np
    import torch

    torch.set_num_threads(1)
    torch.manual_seed(0)
    np.random.seed(0)  # noqa: NPY002 - an example that forgets random_state stays reproducible
