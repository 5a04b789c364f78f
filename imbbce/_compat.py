"""Every private name imbbce takes from scikit-learn, in one place.

scikit-learn does not promise to keep private names stable. Keeping all of
them here means a scikit-learn release that moves one breaks exactly one
import, which is fixed here and nowhere else.
"""

from sklearn.base import _fit_context
from sklearn.utils import _safe_indexing as safe_indexing
from sklearn.utils._param_validation import (
    HasMethods,
    Interval,
    Options,
    StrOptions,
)
from sklearn.utils.validation import _check_feature_names as check_feature_names
from sklearn.utils.validation import _check_n_features as check_n_features
from sklearn.utils.validation import _check_sample_weight as check_sample_weight

__all__ = [
    "HasMethods",
    "Interval",
    "Options",
    "StrOptions",
    "_fit_context",
    "check_feature_names",
    "check_n_features",
    "check_sample_weight",
    "safe_indexing",
]
