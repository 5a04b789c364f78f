"""Raw tables: which columns are categorical, what is refused, the estimator on them."""

import pickle

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.base import BaseEstimator

from imbbce import BalancedBCEClassifier
from imbbce._encoder import TableEncoder
from imbbce._samplers import make_sampler, resample
from imbbce._tabular import categorical_mask, check_training_table

# Fits of a few epochs may predict one class; what is tested here is the input.
pytestmark = pytest.mark.filterwarnings("ignore::imbbce.MajorityCollapseWarning")


class Bare(BaseEstimator):
    """Something to hang n_features_in_ and feature_names_in_ on."""


def mixed_frame():
    return pd.DataFrame(
        {
            "num": [1.0, np.nan, 3.0, 5.0],
            "text": ["a", "b", None, "a"],
            "cat": pd.Categorical(["u", "v", "u", "u"]),
            "int": pd.array([1, 2, None, 4], dtype="Int64"),
            "flag": [True, False, True, True],
        }
    )


def fitted_encoder(frame, rows=None, categorical_features="from_dtype", scaling=None):
    """The encoder fitted on ``rows`` of ``frame``, the checked table, and the estimator."""
    est = Bare()
    mask, table, _ = check_training_table(
        est, frame, np.zeros(frame.shape[0]), categorical_features
    )
    names = getattr(est, "feature_names_in_", [f"x{i}" for i in range(est.n_features_in_)])
    return TableEncoder(mask, names, scaling).fit(table, rows), table, est


# ------------------------------------------------------------ which columns


def test_from_dtype_takes_string_object_and_category_columns_of_pandas():
    frame = mixed_frame().assign(obj=np.array(["x", 1, None, "y"], dtype=object))
    assert categorical_mask(frame, "from_dtype").tolist() == [
        False, True, True, False, False, True,
    ]  # fmt: skip


def test_from_dtype_takes_string_categorical_and_enum_columns_of_polars():
    pl = pytest.importorskip("polars")
    frame = pl.DataFrame(
        {
            "num": [1.0, None],
            "text": ["a", None],
            "cat": pl.Series(["u", "v"], dtype=pl.Categorical),
            "enum": pl.Series(["p", "q"], dtype=pl.Enum(["p", "q"])),
            "flag": [True, False],
        }
    )
    assert categorical_mask(frame, "from_dtype").tolist() == [False, True, True, True, False]


@pytest.mark.parametrize(
    "X", [np.zeros((3, 2)), np.array([["a", 1]], dtype=object), pd.DataFrame({"x": [1.0]})]
)
def test_from_dtype_finds_nothing_in_arrays_and_numeric_frames(X):
    assert categorical_mask(X, "from_dtype") is None


@pytest.mark.parametrize(
    "features, expected",
    [
        ([1, 2], [False, True, True, False, False]),
        (["cat"], [False, False, True, False, False]),
        ([False, False, False, True, False], [False, False, False, True, False]),
        ([], None),
        ([False] * 5, None),
        (None, None),
    ],
)
def test_indices_names_and_masks(features, expected):
    mask = categorical_mask(mixed_frame(), features)
    assert (mask if mask is None else mask.tolist()) == expected


@pytest.mark.parametrize(
    "X, features, message",
    [
        (mixed_frame(), [5], r"column indices outside \[0, 4\]: 5"),
        (
            mixed_frame(),
            ["nope"],
            "names columns that X does not have: 'nope'; its columns are",
        ),
        (np.zeros((2, 3)), ["a"], "X has no column names"),
        (mixed_frame(), [True, False], "one entry per column of X \\(5\\); got 2"),
        (mixed_frame(), "text", "a single string must be 'from_dtype'.*\\['text'\\]"),
        (mixed_frame(), [1.5], "must be 'from_dtype', None, a boolean mask"),
    ],
)
def test_bad_categorical_features_say_what_to_pass(X, features, message):
    with pytest.raises(ValueError, match=message):
        categorical_mask(X, features)


# -------------------------------------------------------------- validation


def test_non_numeric_columns_without_categorical_features_are_named():
    with pytest.raises(ValueError) as error:
        BalancedBCEClassifier(categorical_features=None).fit(mixed_frame(), [0, 1, 0, 1])
    message = str(error.value)
    assert "X has non-numeric columns 'text', 'cat', but categorical_features=None" in message
    assert "Set categorical_features='from_dtype'" in message


def test_strings_in_an_array_point_at_categorical_features():
    X = np.array([[1.0, "red"], [2.0, "blue"]], dtype=object)
    with pytest.raises(ValueError) as error:
        BalancedBCEClassifier().fit(X, [0, 1])
    message = str(error.value)
    assert "X has columns that are not numbers: 1 (values such as 'red')" in message
    assert "finds categorical columns in pandas and polars DataFrames only" in message
    assert "List them in categorical_features" in message


def test_dates_are_refused_by_name():
    frame = pd.DataFrame({"x": [1.0, 2.0], "when": pd.to_datetime(["2020-01-01", "2021-01-01"])})
    with pytest.raises(ValueError, match="X has columns 'when' of dtype datetime64"):
        BalancedBCEClassifier().fit(frame, [0, 1])


@pytest.mark.parametrize("categorical", [None, [1]])
def test_infinity_is_refused(categorical):
    X = np.array([[1.0, 0.0], [np.inf, 1.0]])
    with pytest.raises(ValueError, match="Input X contains infinity"):
        BalancedBCEClassifier(categorical_features=categorical).fit(X, [0, 1])


def test_sparse_missing_values_and_sparse_categories_are_refused():
    X = sp.csr_matrix(np.array([[1.0, np.nan], [0.0, 2.0]]))
    with pytest.raises(ValueError, match="sparse matrix with missing values"):
        BalancedBCEClassifier().fit(X, [0, 1])
    with pytest.raises(ValueError, match="which a sparse X cannot hold"):
        BalancedBCEClassifier(categorical_features=[0]).fit(sp.csr_matrix(np.eye(2)), [0, 1])


def test_mixed_types_in_a_categorical_column_are_named():
    frame = pd.DataFrame({"mixed": np.array(["a", 1, "b"], dtype=object)})
    with pytest.raises(ValueError, match="column 'mixed' mixes values of types int, str"):
        BalancedBCEClassifier().fit(frame, [0, 1, 0])


def test_inconsistent_lengths():
    with pytest.raises(ValueError, match="inconsistent numbers of samples: \\[4, 3\\]"):
        BalancedBCEClassifier().fit(mixed_frame(), [0, 1, 0])


# --------------------------------------------------------------- estimator


def _raw(n=300, seed=0):
    rng = np.random.RandomState(seed)
    colour = rng.choice(["red", "green", "blue"], n)
    size = rng.randn(n)
    y = np.where((colour == "red") & (size > 0.3) | (rng.rand(n) < 0.03), "yes", "no")
    size[rng.rand(n) < 0.1] = np.nan
    colour = colour.astype(object)
    colour[rng.rand(n) < 0.05] = None
    return pd.DataFrame({"size": size, "colour": colour, "weight": rng.randn(n)}), y


def test_a_raw_table_fits_and_predicts_new_categories():
    X, y = _raw()
    before = X.copy()
    clf = BalancedBCEClassifier(max_iter=30, random_state=0).fit(X, y)
    pd.testing.assert_frame_equal(X, before)  # the caller's frame is untouched
    assert clf.is_categorical_.tolist() == [False, True, False]
    assert clf.net_.module_.layers[0].in_features == clf.encoder_.n_features_out_ == 7
    new = pd.DataFrame({"size": [np.nan, 1.0], "colour": ["purple", None], "weight": [0, 0]})
    proba = clf.predict_proba(new)
    assert proba.shape == (2, 2) and np.isfinite(proba).all()
    assert clf.score(X, y) > 0.8


def test_polars_and_pandas_give_the_same_model():
    pl = pytest.importorskip("polars")
    X, y = _raw()
    frame = pl.DataFrame(  # missing values as polars' nulls
        {column: [None if pd.isna(v) else v for v in X[column]] for column in X.columns}
    )
    a = BalancedBCEClassifier(max_iter=5, random_state=0).fit(X, y)
    b = BalancedBCEClassifier(max_iter=5, random_state=0).fit(frame, y)
    assert list(b.feature_names_in_) == ["size", "colour", "weight"]
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(frame))


def test_a_numeric_polars_frame_with_gaps_trains_the_pandas_model():
    # scikit-learn cannot tell a polars frame's dtype and would read its
    # Float64 columns as float32; the imputation means then differ in their
    # last bits and so does the model.
    pl = pytest.importorskip("polars")
    X, y = _raw()
    X = X[["size", "weight"]]
    frame = pl.DataFrame({column: [None if pd.isna(v) else v for v in X[column]] for column in X})
    a = BalancedBCEClassifier(max_iter=5, random_state=0).fit(X, y)
    b = BalancedBCEClassifier(max_iter=5, random_state=0).fit(frame, y)
    np.testing.assert_array_equal(a.encoder_.means_, b.encoder_.means_)
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(frame))


def test_integer_coded_categories_by_index():
    X, y = _raw()
    codes = X.assign(colour=X["colour"].map({"red": 0, "green": 1, "blue": 2})).to_numpy(float)
    clf = BalancedBCEClassifier(max_iter=5, categorical_features=[1], random_state=0)
    clf.fit(codes, y)
    assert [c.tolist() for c in clf.encoder_.categories_] == [[0.0, 1.0, 2.0]]
    assert clf.predict(np.array([[0.0, 7.0, 0.0]])).shape == (1,)  # 7: unknown


def test_numeric_frames_train_the_same_model_as_arrays():
    X, y = _raw()
    numeric = X[["weight"]].assign(other=np.arange(len(X)) % 7)
    a = BalancedBCEClassifier(max_iter=5, random_state=0).fit(numeric, y)
    b = BalancedBCEClassifier(max_iter=5, random_state=0, categorical_features=None)
    b.fit(numeric.to_numpy(), y)
    assert a.encoder_.passthrough_ and a.is_categorical_ is None
    np.testing.assert_array_equal(a.predict_proba(numeric), b.predict_proba(numeric.to_numpy()))


def test_pickled_model_predicts_the_same():
    X, y = _raw()
    clf = BalancedBCEClassifier(max_iter=5, random_state=0).fit(X, y)
    again = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(again.predict_proba(X), clf.predict_proba(X))


def test_columns_in_another_order_are_refused_at_prediction():
    X, y = _raw()
    clf = BalancedBCEClassifier(max_iter=2, random_state=0).fit(X, y)
    with pytest.raises(ValueError, match="feature names should match"):
        clf.predict(X[["colour", "size", "weight"]])


@pytest.mark.parametrize(
    "frame, expected",
    [(_raw()[0], "SMOTENC"), (_raw()[0][["colour"]].fillna("none"), "SMOTEN")],
)
def test_smote_with_categories_is_smotenc_or_smoten(frame, expected):
    _, y = _raw()
    clf = BalancedBCEClassifier(max_iter=2, sampler="smote", random_state=0).fit(frame, y)
    assert type(clf.sampler_).__name__ == expected


def test_smotenc_makes_rows_with_real_categories():
    X, y = _raw()
    encoder, table, _ = fitted_encoder(X)
    encoded = encoder.transform(table)
    codes = y == "yes"
    sampler = make_sampler(
        "smote", "auto", 0, categorical=(encoder.categorical_codes_, encoder.n_codes_)
    )
    X_res, y_res, _ = resample(
        sampler, encoded, codes.astype(np.int64), None, np.array([0, 1]), codes=encoder
    )
    assert len(X_res) > len(encoded) and y_res.mean() == 0.5
    one_hot = X_res[:, 3:]  # size_missing is column 2; the colour block follows
    assert set(np.unique(one_hot)) <= {0.0, 1.0}
    assert (one_hot.sum(axis=1) == 1).all()
    assert set(np.unique(X_res[:, 2])) <= {0.0, 1.0}  # the indicator stays 0 or 1


def test_an_object_column_of_numbers_is_numeric():
    frame = pd.DataFrame({"x": np.array([1, 2.5, None], dtype=object), "s": ["a", "b", "c"]})
    assert categorical_mask(frame, "from_dtype").tolist() == [False, True]


@pytest.mark.parametrize("with_categories", [False, True])
def test_text_at_prediction_where_fit_had_numbers(with_categories):
    X, y = _raw()
    X = X if with_categories else X[["size", "weight"]]
    clf = BalancedBCEClassifier(max_iter=2, random_state=0).fit(X, y)
    bad = X.head(2).assign(weight=["heavy", "light"])
    with pytest.raises(ValueError, match="X has columns that are not numbers: 'weight'") as e:
        clf.predict(bad)
    assert "but they held numbers in the data given to fit" in str(e.value)


def test_skops_round_trip_of_a_raw_table_model():
    sio = pytest.importorskip("skops.io")
    X, y = _raw()
    clf = BalancedBCEClassifier(max_iter=2, random_state=0).fit(X, y)
    blob = sio.dumps(clf)
    loaded = sio.loads(blob, trusted=sio.get_untrusted_types(data=blob))
    np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))


@pytest.mark.parametrize(
    "params",
    [
        {"early_stopping": True, "threshold": "auto"},
        {"early_stopping": True, "calibration": "temperature"},
        {"ensemble_size": 2},
        {"numerical_embedding": "piecewise_linear", "n_bins": 4},
        {"noise_std": 0.1, "sampler": "balanced_batch"},
        {"sampler": "smote_tomek"},
        {"sampler": "adasyn"},
        {"sampler": "near_miss"},
        {"sampler": "smote", "prior_correction": True},
    ],
    ids=lambda params: ",".join(f"{k}={v}" for k, v in params.items()),
)
def test_other_settings_take_raw_tables(params):
    X, y = _raw(n=400)
    weights = np.random.RandomState(1).uniform(0.5, 2.0, len(y))
    clf = BalancedBCEClassifier(max_iter=3, random_state=0, **params)
    clf.fit(X, y, sample_weight=weights)
    proba = clf.predict_proba(X.assign(colour=X["colour"].replace({"red": "pink"})))
    assert proba.shape == (len(y), 2) and np.isfinite(proba).all()
