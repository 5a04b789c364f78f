"""Tests of the ``verbose`` parameter of BalancedBCEClassifier (imbbce/_classifier.py)."""

import re

import pytest
from sklearn.datasets import make_classification

from imbbce import BalancedBCEClassifier

EPOCH_LINE = re.compile(r"^\s*(\d+)\s+\S+")
ANSI = re.compile(r"\x1b\[[0-9;]*m")


@pytest.fixture(scope="module")
def data():
    return make_classification(n_samples=400, weights=[0.8], class_sep=2.0, random_state=0)


def _epoch_numbers(text):
    lines = ANSI.sub("", text).splitlines()
    return [int(m.group(1)) for m in map(EPOCH_LINE.match, lines) if m]


def test_verbose_0_prints_nothing(data, capsys):
    BalancedBCEClassifier(max_iter=3, learning_rate_init=0.01, random_state=0).fit(*data)
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == ""


def test_verbose_1_prints_one_line_per_epoch(data, capsys):
    clf = BalancedBCEClassifier(
        max_iter=4,
        learning_rate_init=0.01,
        verbose=1,
        early_stopping=True,
        scoring="average_precision",
        random_state=0,
    )
    clf.fit(*data)
    out = ANSI.sub("", capsys.readouterr().out)
    assert _epoch_numbers(out) == [1, 2, 3, 4]
    header = out.splitlines()[0].split()
    assert header == ["epoch", "train_loss", "valid_loss", "valid_score", "dur"]


def test_verbose_2_adds_a_progress_bar(data, capsys):
    clf = BalancedBCEClassifier(max_iter=3, learning_rate_init=0.01, verbose=2, random_state=0)
    clf.fit(*data)
    captured = capsys.readouterr()
    assert _epoch_numbers(captured.out) == [1, 2, 3]
    # tqdm draws on stderr: one bar per epoch over its batches.
    # "it/s", or "s/it" when a batch takes over a second on a loaded machine.
    assert len(re.findall(r"it/s|s/it", captured.err)) >= 3
    assert clf.n_iter_ == 3
