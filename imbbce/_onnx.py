"""ONNX export of a fitted :class:`~imbbce.BalancedBCEClassifier` through skl2onnx.

skl2onnx converts a scikit-learn ``Pipeline`` step by step, looking each
step's class up in its registry of parsers, shape calculators and
converters. This module registers :class:`~imbbce.BalancedBCEClassifier`
there, with the options every skl2onnx classifier has (``zipmap``, ``nocl``,
``output_class_labels``), so that ``skl2onnx.to_onnx(pipeline,
X[:1].astype(np.float32))`` converts a Pipeline that ends in one. The parser
is skl2onnx's own for classifiers, after a check that the estimator is
fitted and exportable. :func:`register` runs when skl2onnx is imported (see
``_onnx_hook.py``); importing imbbce does not import skl2onnx.

The converter adds what ``predict`` does, in the same order: a NaN in the
features becomes the training part's column mean (``encoder_.means_``, as
for a model fitted on numbers without missing values); the scaling of
``numerical_scaling`` (subtract ``encoder_.center_``, divide by
``encoder_.scale_``, and for "robust" the smooth clip); the fitted torch
module, exported by torch and its graph copied into skl2onnx's; then, in
double precision as ``predict_proba`` and ``predict`` compute it, the
division by ``temperature_`` and the addition of ``calibration_offset_``
(``calibration``), the subtraction of ``prior_shift_``
(``prior_correction=True``), the sigmoid, and the comparison with
``threshold_``, which picks the label from ``classes_``.

Which torch exporter. torch has two: the TorchScript-based one
(``dynamo=False``), which needs only the ``onnx`` package and which torch
has announced it will remove (a ``DeprecationWarning`` since torch 2.9; it
still works in torch 2.13), and the ``torch.export``-based one
(``dynamo=True``), which needs ``onnxscript``. The converter tries the
TorchScript exporter first and the other one when it fails, for whatever
reason: removed from torch, or an operation it cannot export (an FFT, say).
Measured on this project's default network, an ensemble of eight and the
piecewise-linear embedding (12 features, one CPU thread, torch 2.13,
onnxscript 0.7): a whole ``skl2onnx.to_onnx`` took 0.011-0.022 s with the
TorchScript exporter and 0.53-0.73 s with ``torch.export``'s, which also
logs to the console; both graphs give the same labels and probabilities. So
the fast exporter goes first while torch has it, and the ``onnx`` extra
lists ``onnxscript`` (pure Python, on top of ``onnx``) so that the export
keeps working, without a change here, once it is gone. Without
``onnxscript`` and without the TorchScript exporter, the error says to
install it. The network is exported at opset 18 at most; when the model
skl2onnx writes declares a later opset and an operator of the network
changed in between, onnx's version converter rewrites the network's graph.
"""

import io
import warnings

import numpy as np

from ._encoder import CLIP_LEVEL
from ._prior import logit

__all__ = ["OPTIONS", "check_exportable", "convert", "register", "shape_calculator"]

#: skl2onnx's alias of the estimator.
ALIAS = "ImbbceBalancedBCEClassifier"

#: The options skl2onnx's classifiers take.
OPTIONS = {
    "zipmap": [True, False, "columns"],
    "nocl": [False, True],
    "output_class_labels": [False, True],
}

#: The opset torch exports the network with, at most (TorchScript exporter).
MAX_NETWORK_OPSET = 18


def register():
    """Register the estimator's parser, shape calculator and converter with skl2onnx.

    Idempotent; imports skl2onnx.
    """
    from skl2onnx import update_registered_converter

    from ._classifier import BalancedBCEClassifier

    update_registered_converter(
        BalancedBCEClassifier,
        ALIAS,
        shape_calculator,
        convert,
        options=OPTIONS,
        parser=parser,
    )


def parser(scope, model, inputs, custom_parsers=None):
    """skl2onnx's parser of classifiers, after checking that ``model`` can be
    converted.

    skl2onnx's own parser reads ``classes_`` first, so an unfitted estimator
    would fail there with a message about "the number of classes".

    Parameters
    ----------
    scope : skl2onnx.common._topology.Scope
    model : BalancedBCEClassifier
    inputs : list of skl2onnx.common._topology.Variable
    custom_parsers : dict or None, default=None

    Returns
    -------
    list of skl2onnx.common._topology.Variable
        The outputs: labels and probabilities (or what ``zipmap`` makes of them).
    """
    from skl2onnx._parse import _parse_sklearn_classifier  # what skl2onnx registers itself

    check_exportable(model)
    return _parse_sklearn_classifier(scope, model, inputs, custom_parsers=custom_parsers)


def shape_calculator(operator):
    """Types and shapes of the outputs: labels ``(N,)``, probabilities ``(N, 2)``.

    Parameters
    ----------
    operator : skl2onnx.common._topology.Operator
    """
    from skl2onnx.common.shape_calculator import calculate_linear_classifier_output_shapes

    check_exportable(operator.raw_operator)
    calculate_linear_classifier_output_shapes(operator)


def convert(scope, operator, container):
    """Add the estimator's graph: network, calibration, prior shift, threshold.

    Parameters
    ----------
    scope : skl2onnx.common._topology.Scope
    operator : skl2onnx.common._topology.Operator
        Its ``raw_operator`` is the fitted estimator; one input, the features.
    container : skl2onnx.common._container.ModelComponentContainer
    """
    from onnx import TensorProto

    estimator = operator.raw_operator
    label_out, proba_out = operator.outputs[0], operator.outputs[1]
    classes = _label_classes(scope, estimator)
    n = scope.get_unique_variable_name

    features = operator.inputs[0].full_name
    if operator.inputs[0].type.to_onnx_type().tensor_type.elem_type != TensorProto.FLOAT:
        cast = n("features_float")
        container.add_node("Cast", [features], [cast], to=TensorProto.FLOAT, name=n("Cast"))
        features = cast
    features = _add_imputation(scope, container, estimator, features)
    features = _add_scaling(scope, container, estimator, features)
    raw = _add_network(scope, container, estimator, features)

    # Logits of classes_[1], in double precision as _logits computes them.
    flat, logits = n("flat"), n("logits")
    container.add_node("Reshape", [raw, _constant(scope, container, [-1])], [flat], name=n("R"))
    container.add_node("Cast", [flat], [logits], to=TensorProto.DOUBLE, name=n("Cast"))
    if estimator.calibration is not None:
        scaled = n("calibrated")
        temperature = _constant(scope, container, estimator.temperature_, np.float64)
        container.add_node("Div", [logits, temperature], [scaled], name=n("Div"))
        logits = scaled
        if estimator.calibration_offset_ != 0.0:
            moved = n("calibration_offset")
            offset = _constant(scope, container, estimator.calibration_offset_, np.float64)
            container.add_node("Add", [logits, offset], [moved], name=n("Add"))
            logits = moved
    if estimator.prior_correction:
        shifted = n("prior_corrected")
        shift = _constant(scope, container, estimator.prior_shift_, np.float64)
        container.add_node("Sub", [logits, shift], [shifted], name=n("Sub"))
        logits = shifted

    # Labels: classes_[1] where the logit exceeds the threshold's.
    above = n("above_threshold")
    threshold = _constant(scope, container, logit(estimator.threshold_), np.float64)
    container.add_node("Greater", [logits, threshold], [above], name=n("Greater"))
    index = n("label_index")
    container.add_node("Cast", [above], [index], to=TensorProto.INT64, name=n("Cast"))
    container.add_node(
        "Gather",
        [_constant(scope, container, classes), index],
        [label_out.full_name],
        axis=0,
        name=n("Gather"),
    )

    # Probabilities of classes_[0] and classes_[1], in the output's type.
    proba_type = proba_out.type.to_onnx_type().tensor_type.elem_type
    positive = n("positive")
    container.add_node("Sigmoid", [logits], [positive], name=n("Sigmoid"))
    negative = n("negative")
    one = _constant(scope, container, 1.0, np.float64)
    container.add_node("Sub", [one, positive], [negative], name=n("Sub"))
    columns = []
    for column in (negative, positive):
        reshaped = n("column")
        container.add_node(
            "Reshape", [column, _constant(scope, container, [-1, 1])], [reshaped], name=n("R")
        )
        columns.append(reshaped)
    both = n("probabilities_double")
    container.add_node("Concat", columns, [both], axis=1, name=n("Concat"))
    container.add_node("Cast", [both], [proba_out.full_name], to=proba_type, name=n("Cast"))


def check_exportable(estimator):
    """Refuse, saying what to do instead, what the graph would predict differently.

    Parameters
    ----------
    estimator : BalancedBCEClassifier

    Raises
    ------
    sklearn.exceptions.NotFittedError
        When the estimator is not fitted.
    NotImplementedError
        When the estimator encodes a raw table (categorical columns, missing
        values) before its network: the converter exports the network only.
    """
    from sklearn.utils.validation import check_is_fitted

    check_is_fitted(
        estimator,
        msg=(
            "This %(name)s is not fitted, so there is nothing to convert to ONNX: fit it "
            "(or the Pipeline that ends in it) before calling skl2onnx.to_onnx."
        ),
    )
    encoder = getattr(estimator, "encoder_", None)
    if encoder is not None and encoder.adds_columns:
        raise NotImplementedError(
            "This BalancedBCEClassifier encodes its input before the network (categorical "
            "columns or missing values in the training data), and the ONNX converter exports "
            "the network only. Do the encoding with scikit-learn transformers that skl2onnx "
            "converts (a ColumnTransformer with OneHotEncoder(handle_unknown='ignore') and "
            "SimpleImputer(add_indicator=True)) in a Pipeline before the estimator, fitted "
            "on numeric data without missing values, and export that Pipeline."
        )


def _add_imputation(scope, container, estimator, features):
    """Replace NaN by the training part's column means, as ``predict`` does.

    A model fitted on numbers without missing values passes them to the
    network unchanged, except that a NaN seen at prediction becomes the
    column's mean over the training part (``encoder_.means_``). The same
    ``Where(IsNaN(x), means, x)`` in the graph keeps the labels and
    probabilities of such rows equal to ``predict``'s, instead of NaN.
    """
    means = getattr(estimator.encoder_, "means_", None)
    if means is None:  # fitted on a sparse matrix: nothing to impute
        return features
    n = scope.get_unique_variable_name
    missing, imputed = n("missing"), n("imputed")
    container.add_node("IsNaN", [features], [missing], name=n("IsNaN"))
    fill = _constant(scope, container, np.asarray(means, dtype=np.float32).reshape(1, -1))
    container.add_node("Where", [missing, fill, features], [imputed], name=n("Where"))
    return imputed


def _add_scaling(scope, container, estimator, features):
    """Scale the imputed features as ``numerical_scaling`` does."""
    encoder = estimator.encoder_
    if getattr(encoder, "center_", None) is None:
        return features
    n = scope.get_unique_variable_name
    centred, scaled = n("centred"), n("scaled")
    center = _constant(scope, container, encoder.center_.astype(np.float32).reshape(1, -1))
    scale = _constant(scope, container, encoder.scale_.astype(np.float32).reshape(1, -1))
    container.add_node("Sub", [features, center], [centred], name=n("Sub"))
    container.add_node("Div", [centred, scale], [scaled], name=n("Div"))
    if encoder.scaling != "robust":
        return scaled
    # x / sqrt(1 + (x / level) ** 2), as smooth_clip computes it, written as
    # level * r / sqrt(1 + r * r) with r = x / level bounded by 1e18, so that r * r
    # cannot overflow float32 (smooth_clip uses hypot, which ONNX lacks).
    ratio, bounded, square, plus_one, root, unit, clipped = (
        n("ratio"),
        n("bounded"),
        n("square"),
        n("plus_one"),
        n("root"),
        n("unit"),
        n("clipped"),
    )
    level = _constant(scope, container, np.float32(CLIP_LEVEL))
    one = _constant(scope, container, np.float32(1.0))
    low = _constant(scope, container, np.float32(-1e18))
    high = _constant(scope, container, np.float32(1e18))
    container.add_node("Div", [scaled, level], [ratio], name=n("Div"))
    container.add_node("Clip", [ratio, low, high], [bounded], name=n("Clip"))
    container.add_node("Mul", [bounded, bounded], [square], name=n("Mul"))
    container.add_node("Add", [one, square], [plus_one], name=n("Add"))
    container.add_node("Sqrt", [plus_one], [root], name=n("Sqrt"))
    container.add_node("Div", [bounded, root], [unit], name=n("Div"))
    container.add_node("Mul", [unit, level], [clipped], name=n("Mul"))
    return clipped


def _label_classes(scope, estimator):
    """``classes_`` as skl2onnx writes labels: int64, or strings."""
    from skl2onnx.common.utils_classifier import get_label_classes

    classes = np.asarray(get_label_classes(scope, estimator))
    if classes.dtype.kind in "biuf":  # a float label is integral: fit took it as a class
        return classes.astype(np.int64)
    if all(isinstance(c, str) for c in classes):
        return classes.astype(str)
    raise NotImplementedError(
        f"ONNX labels are integers or strings, but classes_ holds {classes.dtype} values "
        f"({classes!r}). Fit the estimator on integer or string labels to export it."
    )


def _constant(scope, container, value, dtype=None):
    """An initializer holding ``value``; its name."""
    from onnx import TensorProto

    array = np.asarray(value, dtype=dtype)
    if array.dtype.kind == "i":
        array, onnx_type = array.astype(np.int64), TensorProto.INT64
    elif array.dtype == np.float64:
        onnx_type = TensorProto.DOUBLE
    elif array.dtype == np.float32:
        onnx_type = TensorProto.FLOAT
    else:
        array, onnx_type = array.astype(str), TensorProto.STRING
    name = scope.get_unique_variable_name("const")
    content = array.ravel().tolist() if onnx_type == TensorProto.STRING else array.ravel()
    container.add_initializer(name, onnx_type, list(array.shape), content)
    return name


def _add_network(scope, container, estimator, features):
    """Export ``estimator.net_.module_`` and copy its graph in; the output's name."""
    import onnx
    from onnx import numpy_helper

    opset = _network_opset(container)
    model = _at_model_opset(export_module(estimator, opset), opset, _model_opset(container))
    graph = model.graph
    renamed = {graph.input[0].name: features}
    for initializer in graph.initializer:
        name = scope.get_unique_variable_name("network_" + initializer.name.replace(".", "_"))
        renamed[initializer.name] = name
        array = numpy_helper.to_array(initializer)
        container.add_initializer(name, initializer.data_type, list(array.shape), array.ravel())
    for node in graph.node:
        for name in list(node.output):
            renamed[name] = scope.get_unique_variable_name("network")
        subgraphs = (onnx.AttributeProto.GRAPH, onnx.AttributeProto.GRAPHS)
        if any(a.type in subgraphs for a in node.attribute):
            raise NotImplementedError(
                f"The network's ONNX graph has a {node.op_type} node with a subgraph, which "
                "imbbce does not copy into skl2onnx's graph. Export the module with "
                "torch.onnx.export and run it on its own."
            )
        attributes = {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}
        container.add_node(
            node.op_type,
            [renamed[name] if name else "" for name in node.input],
            [renamed[name] for name in node.output],
            op_domain=node.domain,
            op_version=opset,
            name=scope.get_unique_operator_name("network_" + node.op_type),
            **attributes,
        )
    return renamed[graph.output[0].name]


def _network_opset(container):
    return min(_model_opset(container), MAX_NETWORK_OPSET)


def _model_opset(container):
    """The opset of the main domain that the converted model declares."""
    import onnx

    target = container.target_opset
    return onnx.defs.onnx_opset_version() if target is None else int(target)


def _at_model_opset(model, opset, target):
    """The network's graph, valid at the converted model's opset.

    The network is exported at ``opset``; the model skl2onnx writes declares
    ``target`` (its latest by default), and every node is read at that
    version. Most operators of an MLP are the same in both, but one whose
    definition changed in between (``DFT`` takes ``axis`` as an input since
    opset 20) would make the model invalid: onnx's version converter
    rewrites the graph for ``target`` then.
    """
    import onnx

    changed = sorted(
        {
            node.op_type
            for node in model.graph.node
            if node.domain in ("", "ai.onnx")
            and onnx.defs.get_schema(node.op_type, target, node.domain).since_version > opset
        }
    )
    if not changed:
        return model
    try:
        return onnx.version_converter.convert_version(model, target)
    except Exception as error:
        raise NotImplementedError(
            f"The network's ONNX graph, exported at opset {opset}, has operators whose "
            f"definition changed by opset {target} ({', '.join(changed)}), and onnx could not "
            f"convert it ({error}). Pass target_opset={opset} to skl2onnx.to_onnx."
        ) from error


def export_module(estimator, opset):
    """The fitted module as an ``onnx.ModelProto`` (input ``(N, n_features_in_)``
    float32, output the logits).

    Tries the exporters of :data:`_EXPORTERS` in turn: torch's TorchScript
    exporter, then the ``torch.export``-based one (which needs onnxscript).

    Parameters
    ----------
    estimator : BalancedBCEClassifier
        Fitted.
    opset : int
        ONNX opset of the export.

    Returns
    -------
    onnx.ModelProto

    Raises
    ------
    NotImplementedError
        When no exporter could export the module; the message gives each
        exporter's reason.
    """
    import copy

    import torch

    module = estimator.net_.module_
    if next(module.parameters(), torch.empty(0)).device.type != "cpu":
        module = copy.deepcopy(module).cpu()
    module.eval()
    example = torch.zeros(2, estimator.n_features_in_, dtype=torch.float32)
    reasons = []
    for description, export in _EXPORTERS.values():
        try:
            with warnings.catch_warnings():
                # torch announces that the TorchScript exporter will go, and
                # torch.export warns about its own internals.
                warnings.simplefilter("ignore", DeprecationWarning)
                warnings.simplefilter("ignore", FutureWarning)
                warnings.simplefilter("ignore", UserWarning)
                return export(module, example, opset)
        except Exception as error:
            reasons.append(f"{description}: {type(error).__name__}: {error}")
    raise NotImplementedError(
        f"torch could not export the network ({type(module).__name__}) to ONNX. "
        + " ".join(reasons)
        + " A module passed as `module` must be exportable with "
        "torch.onnx.export(module, (torch.zeros(2, n_features_in_),))."
    )


def _export_torchscript(module, example, opset):
    import onnx
    import torch

    buffer = io.BytesIO()
    torch.onnx.export(
        module,
        (example,),
        buffer,
        dynamo=False,
        input_names=["features"],
        output_names=["logits"],
        dynamic_axes={"features": {0: "N"}, "logits": {0: "N"}},
        opset_version=opset,
    )
    return onnx.load_from_string(buffer.getvalue())


def _export_dynamo(module, example, opset):
    import onnx
    import torch

    try:
        import onnxscript  # noqa: F401
    except ImportError as error:
        raise ImportError(
            "this exporter needs onnxscript, which is not installed (pip install onnxscript)"
        ) from error
    program = torch.onnx.export(
        module,
        (example,),
        dynamo=True,
        input_names=["features"],
        output_names=["logits"],
        dynamic_shapes=({0: torch.export.Dim.DYNAMIC},),
        opset_version=opset,
        verbose=False,
    )
    model = program.model_proto
    if model.functions:  # the copy into skl2onnx's graph takes plain nodes
        model = onnx.inliner.inline_local_functions(model)
    return model


#: The exporters :func:`export_module` tries, in this order:
#: name -> (what its errors call it, the export function).
_EXPORTERS = {
    "torchscript": ("TorchScript exporter (dynamo=False)", _export_torchscript),
    "dynamo": ("torch.export-based exporter (dynamo=True)", _export_dynamo),
}
