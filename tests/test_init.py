"""The top-level package: every public name resolves; the version is the installed one."""

from importlib.metadata import version

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
