"""Register the ONNX converter when skl2onnx is imported, without importing it.

``skl2onnx.to_onnx`` finds a model's converter in a registry that only
skl2onnx holds, so the estimator has to be registered before a conversion.
Importing skl2onnx with imbbce would cost about a second on every
``import imbbce``, for the few programs that export. Instead, ``import imbbce``
calls :func:`install`: if skl2onnx is imported already, the converter is
registered at once; otherwise a finder on ``sys.meta_path`` waits for
skl2onnx's own import, lets the usual machinery load it, registers the
converter right after, and removes itself. Nothing else is imported or
changed, and a machine without skl2onnx never sees it do anything.
"""

import importlib.abc
import importlib.util
import sys
import warnings

__all__ = ["install"]

#: The package whose import triggers the registration.
TARGET = "skl2onnx"


def install():
    """Register now if skl2onnx is imported, else when it is."""
    if TARGET in sys.modules:
        _register()
    elif not any(isinstance(finder, _RegisterOnImport) for finder in sys.meta_path):
        sys.meta_path.insert(0, _RegisterOnImport())


def _register():
    try:
        from ._onnx import register

        register()
    except Exception as error:  # never break the user's import of skl2onnx
        warnings.warn(
            f"imbbce could not register its ONNX converter with skl2onnx ({error!r}); "
            "skl2onnx.to_onnx will not convert BalancedBCEClassifier.",
            RuntimeWarning,
            stacklevel=2,
        )


class _RegisterOnImport(importlib.abc.MetaPathFinder):
    """Finds nothing itself; wraps skl2onnx's loader to register afterwards."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname != TARGET:
            return None
        sys.meta_path.remove(self)  # one import is enough, and find_spec below must skip us
        spec = importlib.util.find_spec(fullname)
        if spec is None or spec.loader is None:
            return spec
        spec.loader = _RegisteringLoader(spec.loader)
        return spec


class _RegisteringLoader(importlib.abc.Loader):
    """Delegates to skl2onnx's loader, then registers imbbce's converter."""

    def __init__(self, loader):
        self.loader = loader

    def create_module(self, spec):
        return self.loader.create_module(spec)

    def exec_module(self, module):
        self.loader.exec_module(module)
        _register()

    def __getattr__(self, name):  # resource readers and the like: skl2onnx's loader's
        return getattr(self.loader, name)
