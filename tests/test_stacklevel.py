"""Warnings point at the user's line, also when scikit-learn calls ``fit``."""

import warnings

import joblib
import numpy as np
import pytest
from imblearn.pipeline import make_pipeline as make_imb_pipeline
from sklearn.datasets import make_classification
from sklearn.model_selection import cross_validate
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from imbbce import BalancedBCEClassifier, MajorityCollapseWarning
from imbbce._stacklevel import _in_library, user_stacklevel


@pytest.fixture(scope="module")
def collapsing_data():
    # 3 % minority and plain BCE: the network stops predicting the minority.
    return make_classification(
        n_samples=1500, n_features=20, weights=[0.97], flip_y=0, random_state=0
    )


def plain_bce():
    return BalancedBCEClassifier(
        class_weight=None, loss="bce", early_stopping=True, max_iter=30, random_state=0
    )


def test_a_function_outside_the_libraries_is_its_own_level():
    def warns():
        warnings.warn("here", UserWarning, stacklevel=user_stacklevel())

    with pytest.warns(UserWarning) as record:
        warns()
    assert user_stacklevel() == 1
    assert record[0].filename == __file__
    assert record[0].lineno == warns.__code__.co_firstlineno + 1


@pytest.mark.parametrize("make", [make_pipeline, make_imb_pipeline])
def test_collapse_warning_from_a_pipeline_points_at_the_callers_line(collapsing_data, make):
    X, y = collapsing_data
    pipe = make(StandardScaler(), plain_bce())
    with pytest.warns(MajorityCollapseWarning) as record:
        pipe.fit(X, y)
    assert [w.filename for w in record] == [__file__]


def test_collapse_warning_from_cross_validation_points_at_the_callers_line(collapsing_data):
    X, y = collapsing_data
    with pytest.warns(MajorityCollapseWarning) as record:
        cross_validate(plain_bce(), X, y, cv=2)
    assert record[0].filename == __file__


def test_frames_of_the_libraries_are_recognised():
    import sklearn.base

    import imbbce._classifier

    assert _in_library(sklearn.base.__file__)
    assert _in_library(imbbce._classifier.__file__)
    assert not _in_library(__file__)
    assert not _in_library("<string>")
    assert _in_library(joblib.__file__)
    assert not _in_library(np.__file__)
