"""imbbce: neural networks for imbalanced binary classification, the scikit-learn way.

A network trained with binary cross-entropy on imbalanced data often "trains
fine" (low loss, high accuracy) while it never predicts the minority class.
:class:`BalancedBCEClassifier` exposes every remedy as a flat
hyperparameter, so ``GridSearchCV`` tunes imbalance strategies directly.
"""

from ._classifier import BalancedBCEClassifier
from ._compare import compare_strategies
from ._losses import FocalLoss, LogitAdjustedLoss, WeightedBCELoss
from ._modules import MLP
from ._plotting import StrategyComparisonDisplay, TrainingHistoryDisplay
from .exceptions import MajorityCollapseWarning, TrainingDivergedWarning

__version__ = "0.1.0.dev0"

__all__ = [
    "MLP",
    "BalancedBCEClassifier",
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
