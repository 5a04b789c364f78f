"""ONNX export through skl2onnx: labels equal predict, probabilities predict_proba."""

import numpy as np
import pytest
import torch
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from imbbce import BalancedBCEClassifier

skl2onnx = pytest.importorskip("skl2onnx")
ort = pytest.importorskip("onnxruntime")

pytestmark = pytest.mark.filterwarnings("ignore::imbbce.MajorityCollapseWarning")

RNG = np.random.RandomState(0)
X = RNG.randn(300, 5)
signal = X[:, 0] + 0.5 * RNG.randn(300) > 1.0
X32 = X.astype(np.float32)


def make(**params):
    base = dict(hidden_layer_sizes=(16,), learning_rate_init=0.03, max_iter=8, random_state=0)
    return BalancedBCEClassifier(**(base | params))


def run(onx, X_in):
    runtime = ort.InferenceSession(onx.SerializeToString(), providers=["CPUExecutionProvider"])
    outputs = runtime.run(None, {runtime.get_inputs()[0].name: X_in})
    return [o.name for o in runtime.get_outputs()], outputs


def assert_matches(model, onx, X_in, classes):
    names, (label, proba) = run(onx, X_in)
    if isinstance(proba, list):  # zipmap: one dict per row
        proba = np.array([[row[c] for c in classes] for row in proba])
    assert np.array_equal(label, model.predict(X_in))
    np.testing.assert_allclose(proba, model.predict_proba(X_in), atol=1e-5, rtol=0)
    return names


@pytest.mark.parametrize(
    "params, labels",
    [
        (dict(), np.where(signal, 1, 0)),
        (
            dict(calibration="temperature", prior_correction=True, threshold="auto"),
            np.where(signal, "fraud", "ok"),
        ),
        (dict(threshold=0.3, dropout=0.2, activation="gelu"), np.where(signal, 2, 1)),
        (dict(prior_correction=True, sampler="balanced_batch"), signal),
        (dict(ensemble_size=3, numerical_embedding="piecewise_linear"), np.where(signal, 1, 0)),
        (dict(hidden_layer_sizes=()), np.where(signal, 1.0, 0.0)),
    ],
    ids=["default", "calibrated_strings", "threshold_gelu", "bool_labels", "ensemble", "linear"],
)
def test_pipeline_converts_with_the_estimators_outputs(params, labels):
    pipe = make_pipeline(StandardScaler(), make(**params)).fit(X, labels)
    onx = skl2onnx.to_onnx(pipe, X32[:1], options={id(pipe[-1]): {"zipmap": False}})
    names = assert_matches(pipe, onx, X32, pipe.classes_)
    assert names == ["label", "probabilities"]


@pytest.mark.parametrize("zipmap", [True, "columns"])
def test_zipmap_is_honoured(zipmap):
    labels = np.where(signal, "fraud", "ok")
    pipe = make_pipeline(StandardScaler(), make()).fit(X, labels)
    onx = skl2onnx.to_onnx(pipe, X32[:1], options={BalancedBCEClassifier: {"zipmap": zipmap}})
    names, outputs = run(onx, X32)
    if zipmap is True:
        assert names == ["output_label", "output_probability"]
        assert_matches(pipe, onx, X32, pipe.classes_)
    else:  # one output per class, named as skl2onnx names string classes
        assert names == ["output_label", "sfraud", "sok"]
        np.testing.assert_allclose(np.column_stack(outputs[1:]), pipe.predict_proba(X32), atol=1e-5)


def test_the_estimator_alone_and_double_input():
    clf = make(prior_correction=True).fit(X, signal.astype(int))
    onx = skl2onnx.to_onnx(clf, X[:1], options={"zipmap": False})  # float64 input
    _, (label, proba) = run(onx, X)
    assert np.array_equal(label, clf.predict(X))
    assert proba.dtype == np.float64
    np.testing.assert_allclose(proba, clf.predict_proba(X), atol=1e-5, rtol=0)


def test_a_loaded_model_converts_the_same():
    import pickle

    clf = make(calibration="temperature").fit(X, signal.astype(int))
    loaded = pickle.loads(pickle.dumps(clf))
    onx = skl2onnx.to_onnx(loaded, X32[:1], options={"zipmap": False})
    assert_matches(clf, onx, X32, clf.classes_)


class Unexportable(torch.nn.Module):
    """A linear model that also computes an FFT, which ONNX has no operator for."""

    def __init__(self, n_features_in):
        super().__init__()
        self.linear = torch.nn.Linear(n_features_in, 1)

    def forward(self, X):
        return self.linear(X).squeeze(-1) + 0.0 * torch.fft.fft(X).real.sum(-1)


def test_a_module_torch_cannot_export_is_named():
    clf = make(module=Unexportable, max_iter=1, early_stopping=False)
    clf.fit(X, signal.astype(int))
    with pytest.raises(NotImplementedError, match="could not export the network.*Unexportable"):
        skl2onnx.to_onnx(clf, X32[:1])


def test_an_estimator_that_encodes_a_raw_table_is_refused():
    pd = pytest.importorskip("pandas")
    table = pd.DataFrame(X, columns=[f"x{i}" for i in range(5)])
    table["colour"] = pd.Categorical(np.where(X[:, 1] > 0, "red", "blue"))
    clf = make().fit(table, signal.astype(int))
    with pytest.raises(NotImplementedError, match="encodes its input.*ColumnTransformer"):
        skl2onnx.to_onnx(clf, table.iloc[:1])
