"""
Scaling out: a grid search on a Dask cluster
============================================

A search over imbalance strategies is many independent fits. scikit-learn
runs them through joblib, and joblib hands them to Dask with
``joblib.parallel_backend("dask")``: nothing in imbbce is specific to Dask.

Here a ``LocalCluster`` of two worker processes stands in for a real
cluster. To use a real one, replace it by the scheduler's address::

    client = Client("tcp://scheduler-host:8786")

Each worker trains with one torch thread for networks as small as this one
(``n_threads=None`` chooses), so workers never oversubscribe their cores.
The same seeds give the same results as a local run.

Dask's nanny starts its workers with ``MALLOC_TRIM_THRESHOLD_=65536``, which
also fixes glibc's mmap threshold at 128 KiB: the default ensemble's
activations are larger, and each would be mapped and faulted in afresh,
doubling the fit's CPU time. The cluster below is started with settings that
keep them on the heap (the scaling guide gives the numbers); on a real
cluster, put the same two variables in the workers' environment.

This example is not executed when the documentation is built (it starts
processes); run it with ``python examples/scaling_out_dask.py`` after
``pip install -e ".[dask]"``.
"""

# %%
import dask
import joblib
from distributed import Client, LocalCluster
from imblearn.pipeline import make_pipeline
from sklearn.datasets import make_classification
from sklearn.model_selection import GridSearchCV
from sklearn.preprocessing import StandardScaler

from imbbce import BalancedBCEClassifier


def main():
    X, y = make_classification(n_samples=2000, n_features=20, weights=[0.95], random_state=0)
    search = GridSearchCV(
        make_pipeline(StandardScaler(), BalancedBCEClassifier(max_iter=30, random_state=0)),
        {
            "balancedbceclassifier__sampler": [None, "smote", "balanced_batch"],
            "balancedbceclassifier__class_weight": [None, "balanced"],
        },
        scoring="average_precision",
        cv=3,
    )
    # Heap memory for allocations up to 32 MiB, trimmed when 64 MiB lie free.
    malloc = {"MALLOC_TRIM_THRESHOLD_": 64 * 2**20, "MALLOC_MMAP_THRESHOLD_": 32 * 2**20}
    with dask.config.set(
        {f"distributed.nanny.pre-spawn-environ.{k}": v for k, v in malloc.items()}
    ):
        cluster = LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None)
    with Client(cluster) as client:
        print(client)
        with joblib.parallel_backend("dask"):
            search.fit(X, y)
    cluster.close()
    print("best:", search.best_params_, f"average precision {search.best_score_:.3f}")


if __name__ == "__main__":
    main()
