"""numpydoc validation of every public docstring, as scikit-learn and
imbalanced-learn run it."""

import inspect

import pytest
from numpydoc import validate as numpydoc_validate

import imbbce

#: Checks left out, with scikit-learn's reasons: an extended summary, a See
#: Also section and an example are good where they help, not on every method
#: (the docs' gallery and user guide carry the examples).
IGNORED = {
    "ES01": "no extended summary",
    "SA01": "no See Also section",
    "EX01": "no Examples section",
}


def public_names():
    for name in sorted(imbbce.__all__):
        if name.startswith("__"):
            continue
        obj = getattr(imbbce, name)
        yield f"imbbce.{name}"
        if inspect.isclass(obj):
            for method, value in sorted(vars(obj).items()):
                if method.startswith("_"):
                    continue
                if callable(value) or isinstance(value, (classmethod, staticmethod)):
                    yield f"imbbce.{name}.{method}"


@pytest.mark.parametrize("name", list(public_names()))
def test_docstring(name):
    result = numpydoc_validate.validate(name)
    errors = [f"{code}: {message}" for code, message in result["errors"] if code not in IGNORED]
    assert not errors, f"{name}:\n" + "\n".join(errors)
