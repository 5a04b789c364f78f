"""Hyperparameter search on a real Dask cluster (processes, loopback only)."""

import pickle
import warnings

import joblib
import numpy as np
import pytest
from imblearn.pipeline import make_pipeline
from sklearn.datasets import make_classification
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.preprocessing import StandardScaler

from imbbce import BalancedBCEClassifier

distributed = pytest.importorskip("distributed", reason="dask.distributed is the 'dask' extra")

pytestmark = pytest.mark.filterwarnings(
    "ignore::imbbce.MajorityCollapseWarning",
    # distributed's own shutdown and port notices are not this package's concern
    "ignore::DeprecationWarning",
    "ignore::ResourceWarning",
    "ignore::UserWarning:distributed",
)


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
    )
    with distributed.Client(cluster) as client:
        yield client
    cluster.close()


def make_search():
    pipe = make_pipeline(StandardScaler(), BalancedBCEClassifier(max_iter=4, random_state=0))
    grid = {
        "balancedbceclassifier__sampler": [None, "smote"],
        "balancedbceclassifier__class_weight": [None, "balanced"],
    }
    return GridSearchCV(pipe, grid, cv=StratifiedKFold(2), scoring="average_precision")


def test_grid_search_on_dask_matches_a_local_run(client):
    X, y = make_classification(n_samples=300, n_features=6, weights=[0.9], random_state=0)
    local = make_search().fit(X, y)
    with joblib.parallel_backend("dask"):
        remote = make_search().fit(X, y)
    np.testing.assert_array_equal(
        local.cv_results_["mean_test_score"], remote.cv_results_["mean_test_score"]
    )
    np.testing.assert_array_equal(local.predict_proba(X), remote.predict_proba(X))
    # The fitted search crosses process boundaries cleanly.
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(remote)).predict(X), remote.predict(X))


def test_workers_use_one_torch_thread(client):
    X, y = make_classification(n_samples=200, n_features=5, weights=[0.9], random_state=0)

    def fit_and_report(X, y, hidden):
        import torch

        clf = BalancedBCEClassifier(hidden_layer_sizes=hidden, max_iter=1, random_state=0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # one epoch may well collapse
            clf.fit(X, y)
        return clf.n_threads_, torch.get_num_threads()

    # (4000, 64) on 5 features costs about 7e7 multiply-adds per batch: big
    # enough for torch's own setting, which the worker's nanny caps at one.
    futures = [client.submit(fit_and_report, X, y, h, pure=False) for h in [(64, 32), (4000, 64)]]
    for chosen, after in client.gather(futures):
        assert chosen == 1  # neither network oversubscribes the worker's cores
        assert after == 1  # and the worker's setting is left as it was
