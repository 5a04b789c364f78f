"""The stack level at which imbbce's warnings point: the user's own code.

``fit`` is often called by scikit-learn or imbalanced-learn on the user's
behalf (a ``Pipeline``, ``GridSearchCV``, ``cross_validate``). A fixed
``stacklevel`` then names a line inside those libraries; this walks past
their frames and imbbce's own to the first frame of anything else. Python
3.12's ``warnings.warn(skip_file_prefixes=...)`` does the same, but imbbce
supports 3.10.
"""

import os
import sys
from importlib.util import find_spec
from pathlib import Path

__all__ = ["user_stacklevel"]

#: Folders whose frames a warning skips: imbbce, scikit-learn, imbalanced-learn
#: and joblib (which scikit-learn's cross-validation and searches call ``fit``
#: through, also with ``n_jobs=1``).
#: Found without importing them (imbalanced-learn alone takes a quarter of a
#: second or more).
LIBRARY_DIRS = tuple(
    os.path.join(str(Path(find_spec(name).origin).resolve().parent), "")
    for name in (__package__, "sklearn", "imblearn", "joblib")
)


def user_stacklevel():
    """``stacklevel`` for a ``warnings.warn`` called by this function's caller,
    pointing at the innermost frame outside :data:`LIBRARY_DIRS`.

    Returns
    -------
    int
        1 names the line that calls ``warnings.warn``; when every frame is a
        library's (nothing but libraries on the stack), the outermost one.
    """
    frame = sys._getframe(1)  # the function that is about to warn
    level = 1
    while frame.f_back is not None and _in_library(frame.f_code.co_filename):
        frame = frame.f_back
        level += 1
    return level


def _in_library(filename):
    if filename.startswith("<"):  # "<stdin>", "<string>", frozen modules: not a file
        return False
    return str(Path(filename).resolve()).startswith(LIBRARY_DIRS)
