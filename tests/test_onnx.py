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
        (
            dict(calibration="sigmoid", prior_correction=True, threshold="auto"),
            np.where(signal, 1, 0),
        ),
        (dict(threshold=0.3, dropout=0.2, activation="gelu"), np.where(signal, 2, 1)),
        (dict(prior_correction=True, sampler="balanced_batch"), signal),
        (dict(ensemble_size=3, numerical_embedding="piecewise_linear"), np.where(signal, 1, 0)),
        (dict(ensemble_size=4, numerical_embedding="piecewise_linear_half"), signal),
        (dict(ensemble_size=4, numerical_embedding="piecewise_linear_split"), signal),
        (dict(hidden_layer_sizes=()), np.where(signal, 1.0, 0.0)),
    ],
    ids=[
        "default",
        "calibrated_strings",
        "sigmoid",
        "threshold_gelu",
        "bool_labels",
        "ensemble",
        "ensemble_half_embedded",
        "ensemble_split_embedded",
        "linear",
    ],
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


@torch.library.custom_op("imbbce_tests::twice", mutates_args=())
def twice(x: torch.Tensor) -> torch.Tensor:
    """An operator of the user's own, which no ONNX exporter knows."""
    return 2 * x


twice.register_fake(torch.empty_like)
twice.register_autograd(lambda ctx, grad: 2 * grad)


class Unexportable(torch.nn.Module):
    def __init__(self, n_features_in):
        super().__init__()
        self.linear = torch.nn.Linear(n_features_in, 1)

    def forward(self, X):
        return twice(self.linear(X)).squeeze(-1)


class WithFFT(torch.nn.Module):
    """A linear model that also computes an FFT, which the TorchScript exporter
    cannot export and torch.export's exporter writes as a DFT of opset 17."""

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


def test_a_module_only_torch_export_exports_converts_at_the_models_opset():
    pytest.importorskip("onnxscript")
    clf = make(module=WithFFT, max_iter=1, early_stopping=False)
    clf.fit(X, signal.astype(int))
    onx = skl2onnx.to_onnx(clf, X32[:1], options={"zipmap": False})
    assert "DFT" in {node.op_type for node in onx.graph.node}
    assert_matches(clf, onx, X32, clf.classes_)


def test_an_estimator_that_encodes_a_raw_table_is_refused():
    pd = pytest.importorskip("pandas")
    table = pd.DataFrame(X, columns=[f"x{i}" for i in range(5)])
    table["colour"] = pd.Categorical(np.where(X[:, 1] > 0, "red", "blue"))
    clf = make().fit(table, signal.astype(int))
    with pytest.raises(NotImplementedError, match="encodes its input.*ColumnTransformer"):
        skl2onnx.to_onnx(clf, table.iloc[:1])


@pytest.mark.parametrize("scaling", ["standard", "robust"])
def test_numerical_scaling_is_carried_with_imputation(scaling):
    # Columns on their own scales, no scaler in front: the graph imputes a
    # missing value, then scales (and clips) as predict does.
    raw = X * np.array([100.0, 0.5, 20.0, 1.0, 3.0]) + np.array([1e3, 0.0, -40.0, 2.0, 7.0])
    clf = make(numerical_scaling=scaling).fit(raw, signal.astype(int))
    raw32 = raw.astype(np.float32)
    onx = skl2onnx.to_onnx(clf, raw32[:1], options={"zipmap": False})
    raw32[0, 0] = raw32[1, 3] = np.nan
    raw32[2, 2] = 3e38  # an extreme value: clipped to 3, not overflowing
    assert_matches(clf, onx, raw32, clf.classes_)


@pytest.mark.parametrize("in_pipeline", [False, True], ids=["alone", "pipeline"])
def test_an_unfitted_estimator_is_not_fitted_error(in_pipeline):
    from sklearn.exceptions import NotFittedError

    model = make_pipeline(StandardScaler(), make()) if in_pipeline else make()
    with pytest.raises(NotFittedError, match="BalancedBCEClassifier.*not fitted.*fit it"):
        skl2onnx.to_onnx(model, X32[:1])
    with pytest.raises(NotFittedError, match="not fitted"):
        skl2onnx.to_onnx(model, X32[:1], options={BalancedBCEClassifier: {"zipmap": False}})


@pytest.mark.parametrize("in_pipeline", [False, True], ids=["alone", "pipeline"])
def test_a_missing_value_at_prediction_is_imputed_as_predict_does(in_pipeline):
    # Fitted on numbers without NaN, predict imputes the training part's mean.
    model = make_pipeline(StandardScaler(), make()) if in_pipeline else make()
    model.fit(X, signal.astype(int))
    X_missing = X32[:20].copy()
    X_missing[0, 0] = X_missing[1, 3] = np.nan
    X_missing[2, :] = np.nan
    onx = skl2onnx.to_onnx(model, X32[:1], options={BalancedBCEClassifier: {"zipmap": False}})
    _, (_, proba) = run(onx, X_missing)
    assert not np.isnan(proba).any()
    assert_matches(model, onx, X_missing, model.classes_)


@pytest.mark.parametrize(
    "params",
    [
        dict(),
        dict(ensemble_size=3, numerical_embedding="piecewise_linear", calibration="temperature"),
    ],
    ids=["default", "ensemble_embedding"],
)
def test_the_torch_export_based_exporter_gives_the_same_graph_outputs(params, monkeypatch):
    """When torch's TorchScript exporter is gone (or fails), the converter uses
    torch.export's (dynamo=True), which needs onnxscript."""
    pytest.importorskip("onnxscript")
    from imbbce import _onnx

    clf = make(**params).fit(X, signal.astype(int))
    monkeypatch.setattr(_onnx, "_EXPORTERS", {"dynamo": _onnx._EXPORTERS["dynamo"]})
    onx = skl2onnx.to_onnx(clf, X32[:1], options={"zipmap": False})
    assert_matches(clf, onx, X32, clf.classes_)


def test_without_the_torchscript_exporter_or_onnxscript_the_error_says_what_to_install(
    monkeypatch,
):
    import sys

    from imbbce import _onnx

    clf = make(max_iter=1).fit(X, signal.astype(int))
    monkeypatch.setattr(_onnx, "_EXPORTERS", {"dynamo": _onnx._EXPORTERS["dynamo"]})
    monkeypatch.setitem(sys.modules, "onnxscript", None)  # import onnxscript fails
    with pytest.raises(NotImplementedError, match="pip install onnxscript"):
        skl2onnx.to_onnx(clf, X32[:1])


@pytest.mark.parametrize(
    "options", [{"nocl": True, "zipmap": False}, {"output_class_labels": True, "zipmap": False}]
)
def test_skl2onnx_classifier_options(options):
    labels = np.where(signal, "fraud", "ok")
    clf = make(threshold="auto").fit(X, labels)
    onx = skl2onnx.to_onnx(clf, X32[:1], options=options)
    names, outputs = run(onx, X32)
    np.testing.assert_allclose(outputs[1], clf.predict_proba(X32), atol=1e-5, rtol=0)
    if options.get("nocl"):  # labels are the positions in classes_
        assert np.array_equal(outputs[0], np.searchsorted(clf.classes_, clf.predict(X32)))
    else:
        assert np.array_equal(outputs[0], clf.predict(X32))
        assert names[-1] == "class_labels" and list(outputs[-1]) == list(clf.classes_)
