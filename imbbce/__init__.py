"""imbbce: neural networks for imbalanced binary classification, the scikit-learn way.

A network trained with binary cross-entropy on imbalanced data often "trains
fine" (low loss, high accuracy) while it never predicts the minority class.
:class:`BalancedBCEClassifier` exposes every remedy as a flat
hyperparameter, so ``GridSearchCV`` tunes imbalance strategies directly.
"""

# The public names are imported on first use (PEP 562), so that ``import
# imbbce`` and the command line's ``--help`` do not pay for torch and skorch
# (seconds on a loaded machine) before anything needs them. Pickles are not
# affected: they name the defining modules (``imbbce._classifier``).
from importlib import import_module
from typing import TYPE_CHECKING

from . import _onnx_hook
from .exceptions import MajorityCollapseWarning, TrainingDivergedWarning

if TYPE_CHECKING:  # what static tools and IDEs see
    from ._classifier import BalancedBCEClassifier
    from ._compare import compare_strategies
    from ._losses import FocalLoss, LogitAdjustedLoss, WeightedBCELoss
    from ._modules import MLP, EnsembleMLP
    from ._plotting import StrategyComparisonDisplay, TrainingHistoryDisplay

__version__ = "0.1.0.dev0"

# skl2onnx converts a fitted BalancedBCEClassifier once it is imported: the
# converter is registered then, and importing imbbce does not import skl2onnx.
_onnx_hook.install()

#: Public name -> the module that defines it, imported on first access.
_LAZY = {
    "BalancedBCEClassifier": "._classifier",
    "compare_strategies": "._compare",
    "FocalLoss": "._losses",
    "LogitAdjustedLoss": "._losses",
    "WeightedBCELoss": "._losses",
    "MLP": "._modules",
    "EnsembleMLP": "._modules",
    "StrategyComparisonDisplay": "._plotting",
    "TrainingHistoryDisplay": "._plotting",
}

__all__ = [
    "MLP",
    "BalancedBCEClassifier",
    "EnsembleMLP",
    "FocalLoss",
    "LogitAdjustedLoss",
    "MajorityCollapseWarning",
    "StrategyComparisonDisplay",
    "TrainingDivergedWarning",
    "TrainingHistoryDisplay",
    "WeightedBCELoss",
    "compare_strategies",
    "__version__",
]


def __getattr__(name):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(module, __name__), name)
    globals()[name] = value  # later accesses skip this function
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__))
