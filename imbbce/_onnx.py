"""ONNX export of a fitted :class:`~imbbce.BalancedBCEClassifier` through skl2onnx.

skl2onnx converts a scikit-learn ``Pipeline`` step by step, looking each
step's class up in its registry of shape calculators and converters. This
module registers :class:`~imbbce.BalancedBCEClassifier` there, with the options
every skl2onnx classifier has (``zipmap``, ``nocl``, ``output_class_labels``),
so that ``skl2onnx.to_onnx(pipeline, X[:1].astype(np.float32))`` converts a
Pipeline that ends in one. :func:`register` runs when skl2onnx is imported
(see ``_onnx_hook.py``); importing imbbce does not import skl2onnx.

The converter exports the fitted torch module with torch's ONNX exporter
(the TorchScript-based one, ``dynamo=False``, which needs only the ``onnx``
package), copies its graph into skl2onnx's, and adds what the estimator does
after the network, in double precision as ``predict_proba`` and ``predict``
compute it: the division by ``temperature_`` (``calibration="temperature"``),
the subtraction of ``prior_shift_`` (``prior_correction=True``), the sigmoid,
and the comparison with ``threshold_``, which picks the label from
``classes_``.
"""

import io
import warnings

import numpy as np

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
    """Register the estimator's shape calculator and converter with skl2onnx.

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
    )


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
        Fitted.

    Raises
    ------
    NotImplementedError
        When the estimator encodes a raw table (categorical columns, missing
        values) before its network: the converter exports the network only.
    """
    encoder = getattr(estimator, "encoder_", None)
    if encoder is not None and not encoder.passthrough_:
        raise NotImplementedError(
            "This BalancedBCEClassifier encodes its input before the network (categorical "
            "columns or missing values in the training data), and the ONNX converter exports "
            "the network only. Do the encoding with scikit-learn transformers that skl2onnx "
            "converts (a ColumnTransformer with OneHotEncoder(handle_unknown='ignore') and "
            "SimpleImputer(add_indicator=True)) in a Pipeline before the estimator, fitted "
            "on numeric data without missing values, and export that Pipeline."
        )


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

    graph = export_module(estimator, _network_opset(container)).graph
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
            op_version=_network_opset(container),
            name=scope.get_unique_operator_name("network_" + node.op_type),
            **attributes,
        )
    return renamed[graph.output[0].name]


def _network_opset(container):
    target = container.target_opset
    return MAX_NETWORK_OPSET if target is None else min(int(target), MAX_NETWORK_OPSET)


def export_module(estimator, opset):
    """The fitted module as an ``onnx.ModelProto`` (input ``(N, n_features_in_)``
    float32, output the logits).

    Parameters
    ----------
    estimator : BalancedBCEClassifier
        Fitted.
    opset : int
        ONNX opset of the export.

    Returns
    -------
    onnx.ModelProto
    """
    import copy

    import onnx
    import torch

    module = estimator.net_.module_
    if next(module.parameters(), torch.empty(0)).device.type != "cpu":
        module = copy.deepcopy(module).cpu()
    module.eval()
    example = torch.zeros(2, estimator.n_features_in_, dtype=torch.float32)
    buffer = io.BytesIO()
    try:
        with warnings.catch_warnings():
            # torch announces that this exporter will go; the other one
            # (dynamo=True) needs onnxscript and takes seconds per export.
            warnings.simplefilter("ignore", DeprecationWarning)
            warnings.simplefilter("ignore", FutureWarning)
            warnings.simplefilter("ignore", UserWarning)
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
    except Exception as error:
        raise NotImplementedError(
            f"torch could not export the network ({type(module).__name__}) to ONNX: "
            f"{error}. A module passed as `module` must be exportable with "
            "torch.onnx.export(module, (torch.zeros(2, n_features_in_),), dynamo=False)."
        ) from error
    return onnx.load_from_string(buffer.getvalue())
