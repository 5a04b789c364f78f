"""Tests of imbbce/_verbose.py and of what ``verbose`` prints during ``fit``."""

import re

import pytest
from sklearn.datasets import make_classification

from imbbce import BalancedBCEClassifier
from imbbce._verbose import PrintLogOnTerminals, training_plan

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
    raw = capsys.readouterr().out
    assert "\x1b[" not in raw  # not a terminal: no colour codes
    assert _epoch_numbers(raw) == [1, 2, 3, 4]
    plan, header = raw.splitlines()[:2]
    # The first line says what the valid_score column is.
    assert "early stopping watches average_precision (the valid_score column)" in plan
    assert "validation split of 40 rows" in plan
    assert header.split() == ["epoch", "train_loss", "valid_loss", "valid_score", "dur"]


def test_verbose_says_when_early_stopping_ends_training(data, capsys):
    clf = BalancedBCEClassifier(
        max_iter=200, n_iter_no_change=2, early_stopping=True, verbose=1, random_state=0
    )
    clf.fit(*data)
    out = capsys.readouterr().out
    assert clf.stop_reason_ == "early_stopping"
    assert "Stopping since" in out and f"epoch {clf.best_epoch_}" in out


def test_best_values_are_coloured_on_a_terminal_only(monkeypatch):
    log = PrintLogOnTerminals()
    row = {"train_loss": 0.5, "train_loss_best": True}
    monkeypatch.setattr("sys.stdout.isatty", lambda: True)
    assert "\x1b[" in log.format_row(row, "train_loss", color="\x1b[32m")
    monkeypatch.setattr("sys.stdout.isatty", lambda: False)
    assert log.format_row(row, "train_loss", color="\x1b[32m") == "0.5000"


def test_plan_without_a_validation_split():
    text = training_plan(500, None, None, None, "fraud", 70)
    assert text == (
        "Training on 500 rows for 70 epochs, without a validation split (no early stopping)."
    )


def test_verbose_2_adds_a_progress_bar(data, capsys):
    clf = BalancedBCEClassifier(max_iter=3, learning_rate_init=0.01, verbose=2, random_state=0)
    clf.fit(*data)
    captured = capsys.readouterr()
    assert _epoch_numbers(captured.out) == [1, 2, 3]
    # tqdm draws on stderr: one bar per epoch over its batches.
    # "it/s", or "s/it" when a batch takes over a second on a loaded machine.
    assert len(re.findall(r"it/s|s/it", captured.err)) >= 3
    assert clf.n_iter_ == 3
