"""Parallel grid search on 2 cores: n_jobs=2 against n_jobs=1, loky and Dask.

A grid of 8 candidates x 3 folds of ``BalancedBCEClassifier`` (10k rows x 30
features, 5 % positives, 20 epochs) runs with ``GridSearchCV(n_jobs=1)`` and
``n_jobs=2`` under joblib's loky backend, and with two single-threaded Dask
workers (a ``LocalCluster`` of processes) under the dask backend. The
estimator's automatic thread choice gives each fit one torch thread, so two
parallel fits use the two cores without oversubscribing them. Runs are
interleaved; medians of ``--repeats`` are reported with the speed-up.

The cluster is started with the memory settings the scaling guide recommends
for imbbce (``MALLOC_SETTINGS``): Dask's nanny starts its workers, and sets
in the process that starts the cluster, ``MALLOC_TRIM_THRESHOLD_=65536``,
which also fixes glibc's mmap threshold at 128 KiB; the default ensemble's
activations are larger, so every one of them would be mapped and faulted in
afresh (the fit then takes more than twice its CPU time). ``--dask-defaults``
keeps Dask's settings instead.

Run ``python benchmarks/threads.py``; needs the ``dask`` extra.
"""

import argparse
import os
import platform
import statistics
import time
from datetime import date
from pathlib import Path

import joblib
from sklearn.datasets import make_classification
from sklearn.model_selection import GridSearchCV

from imbbce import BalancedBCEClassifier

RESULTS = Path(__file__).resolve().parent / "results"
GRID = {
    "class_weight": [None, "balanced"],
    "sampler": [None, "balanced_batch"],
    "dropout": [0.0, 0.2],
}


#: glibc settings for processes that train imbbce's default ensemble: heap memory for
#: allocations up to 32 MiB, returned to the system when 64 MiB lie free at the top.
MALLOC_SETTINGS = {"MALLOC_TRIM_THRESHOLD_": 64 * 2**20, "MALLOC_MMAP_THRESHOLD_": 32 * 2**20}


def search(X, y, n_jobs):
    start = time.perf_counter()
    GridSearchCV(
        BalancedBCEClassifier(max_iter=20, early_stopping=False, random_state=0),
        GRID,
        cv=3,
        n_jobs=n_jobs,
        scoring="average_precision",
    ).fit(X, y)
    return time.perf_counter() - start


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--dask-defaults", action="store_true", help="Dask's memory settings, not MALLOC_SETTINGS"
    )
    args = parser.parse_args(argv)
    import dask
    from distributed import Client, LocalCluster

    X, y = make_classification(n_samples=10_000, n_features=30, weights=[0.95], random_state=0)
    times = {"loky n_jobs=1": [], "loky n_jobs=2": [], "dask 2 workers": []}
    environ = {} if args.dask_defaults else MALLOC_SETTINGS
    with dask.config.set(
        {f"distributed.nanny.pre-spawn-environ.{k}": v for k, v in environ.items()}
    ):
        cluster = LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None)
    with Client(cluster):
        search(X, y, 2)  # start the loky workers once
        with joblib.parallel_backend("dask"):
            search(X, y, -1)  # import torch on the Dask workers once
        for _ in range(args.repeats):
            times["loky n_jobs=1"].append(search(X, y, 1))
            times["loky n_jobs=2"].append(search(X, y, 2))
            with joblib.parallel_backend("dask"):
                times["dask 2 workers"].append(search(X, y, -1))
    cluster.close()
    serial = statistics.median(times["loky n_jobs=1"])
    lines = [
        f"# Parallel search ({date.today().isoformat()}; {platform.machine()}, "
        f"{os.cpu_count()} cores)",
        "",
        f"8 candidates x 3 folds, medians of {args.repeats} interleaved runs; "
        f"`python benchmarks/threads.py{' --dask-defaults' if args.dask_defaults else ''}` "
        + (
            "(Dask's own memory settings)."
            if args.dask_defaults
            else "(the cluster, and so the loky workers started after it, with "
            + ", ".join(f"`{k}={v}`" for k, v in MALLOC_SETTINGS.items())
            + ")."
        ),
        "",
        "| backend | seconds | speed-up over n_jobs=1 |",
        "|---|---:|---:|",
    ]
    for name, values in times.items():
        median = statistics.median(values)
        lines.append(f"| {name} | {median:.1f} | {serial / median:.2f} |")
    text = "\n".join(lines) + "\n"
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"threads{'_dask_defaults' if args.dask_defaults else ''}.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
