"""The ONNX converter is registered when skl2onnx is imported, in either order,
and importing imbbce does not import skl2onnx."""

import subprocess
import sys

import pytest

pytest.importorskip("skl2onnx")

REGISTERED = (
    "from skl2onnx._supported_operators import sklearn_operator_name_map; "
    "from imbbce import BalancedBCEClassifier; "
    "assert BalancedBCEClassifier in sklearn_operator_name_map, 'not registered'"
)


def run(code):
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_import_imbbce_does_not_import_skl2onnx():
    run("import sys, imbbce; assert 'skl2onnx' not in sys.modules")


@pytest.mark.parametrize(
    "imports",
    ["import imbbce; import skl2onnx", "import skl2onnx; import imbbce"],
    ids=["imbbce_first", "skl2onnx_first"],
)
def test_the_converter_is_registered_whichever_is_imported_first(imports):
    run(f"{imports}; {REGISTERED}")


def test_the_hook_removes_itself_and_skl2onnx_loads_as_usual():
    run(
        "import sys, imbbce; import skl2onnx; "
        "from imbbce._onnx_hook import _RegisterOnImport; "
        "assert not any(isinstance(f, _RegisterOnImport) for f in sys.meta_path); "
        "assert skl2onnx.__spec__.name == 'skl2onnx' and skl2onnx.to_onnx"
    )


def test_installing_twice_adds_one_hook():
    run(
        "import sys, imbbce; from imbbce import _onnx_hook; _onnx_hook.install(); "
        "assert sum(isinstance(f, _onnx_hook._RegisterOnImport) for f in sys.meta_path) == 1"
    )
