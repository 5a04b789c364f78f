"""The top-level package: every public name resolves; the version is the installed one."""

import subprocess
import sys
from importlib.metadata import version

import pytest

import imbbce


def test_every_public_name_resolves():
    missing = [name for name in imbbce.__all__ if not hasattr(imbbce, name)]
    assert missing == []


def test_version_matches_the_installed_metadata():
    # pyproject.toml takes the version from imbbce.__version__; a different
    # installed version means the tests run against a stale install.
    assert imbbce.__version__ == version("imbbce")


def test_warnings_are_user_warnings():
    # So that warnings.simplefilter("error", UserWarning) and pytest.warns
    # (UserWarning) catch them, as users filter scikit-learn's.
    assert issubclass(imbbce.MajorityCollapseWarning, UserWarning)
    assert issubclass(imbbce.TrainingDivergedWarning, UserWarning)


def test_lazy_names_are_the_public_ones():
    lazy = set(imbbce._LAZY)
    eager = {"MajorityCollapseWarning", "TrainingDivergedWarning", "__version__"}
    assert lazy | eager == set(imbbce.__all__)
    assert set(imbbce.__all__) <= set(dir(imbbce))


def test_unknown_names_raise_attribute_error():
    with pytest.raises(AttributeError, match="module 'imbbce' has no attribute 'Nope'"):
        imbbce.Nope  # noqa: B018


def test_import_does_not_import_torch():
    # A fresh interpreter: this one has imported torch already.
    code = "import sys, imbbce; print(sorted(m for m in ('torch', 'skorch') if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "[]", result.stderr
