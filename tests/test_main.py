"""Tests of imbbce/__main__.py: the ``imbbce compare`` command line."""

import builtins
import runpy
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import make_classification

from imbbce import BalancedBCEClassifier
from imbbce.__main__ import DEFAULT_MAX_ITER, main

STRATEGIES = [
    "plain BCE",
    "class weights",
    "logit adjustment",
    "SMOTE",
    "random under-sampling",
    "balanced batches",
    "focal loss",
]


@pytest.fixture(scope="module")
def csv_path(tmp_path_factory):
    X, y = make_classification(n_samples=200, n_features=4, weights=[0.8], random_state=0)
    frame = pd.DataFrame(X, columns=["f0", "f1", "f2", "f3"])
    frame["label"] = np.where(y == 1, "churn", "stay")
    path = tmp_path_factory.mktemp("data") / "data.csv"
    frame.to_csv(path, index=False)
    return path


def _run(capsys, *argv):
    status = main(["compare", *map(str, argv)])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_compare_prints_the_table_and_saves_a_figure(csv_path, tmp_path, capsys):
    plot = tmp_path / "comparison.png"
    status, out, err = _run(
        capsys, csv_path, "--target", "label", "--cv", 2, "--max-iter", 3,
        "--random-state", 0, "--plot", plot,
    )  # fmt: skip
    assert status == 0
    caption, *lines = out.splitlines()
    assert caption == "positive class 'churn' (the minority, 39 of 200 rows); seed 0"
    header = lines[0].split()
    metrics = ["average_precision", "roc_auc", "balanced_accuracy", "minority_recall", "f1"]
    assert header[:5] == metrics
    assert "collapsed folds" in lines[0] and "fit seconds" in lines[0]
    assert lines[1].split() == ["strategy"]
    assert [line[: len(name)] for line, name in zip(lines[2:], STRATEGIES)] == STRATEGIES
    assert len(lines) == 2 + len(STRATEGIES)
    assert "±" in lines[2]
    # Progress on stderr, one line per strategy, then where the figure went.
    assert err.count("[compare_strategies]") == len(STRATEGIES)
    assert f"Figure saved to {plot}" in err
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_quiet_keeps_stderr_empty(csv_path, capsys):
    status, out, err = _run(
        capsys, csv_path, "--target", "label", "--cv", 2, "--max-iter", 1, "--quiet"
    )
    assert status == 0
    assert err == ""
    assert len(out.splitlines()) == 1 + 2 + len(STRATEGIES)


def test_a_drawn_seed_is_printed_and_repeats_the_run(csv_path, capsys):
    argv = [csv_path, "--target", "label", "--cv", 2, "--max-iter", 2, "--quiet"]
    status, out, _ = _run(capsys, *argv)
    assert status == 0
    caption, *table = out.splitlines()
    seed = int(caption.split("seed ")[1].split()[0])
    assert caption.endswith(f"(drawn: --random-state {seed} repeats this run)")
    status, again, _ = _run(capsys, *argv, "--random-state", seed)
    assert status == 0
    caption_again, *table_again = again.splitlines()
    assert caption_again == caption.split(" (drawn")[0]
    # Fit seconds differ between runs; every score is the same.
    assert [line.split("  ")[:6] for line in table_again] == [
        line.split("  ")[:6] for line in table
    ]


def test_the_plot_is_titled_with_the_positive_class_and_seed(
    csv_path, tmp_path, capsys, monkeypatch
):
    from imbbce import StrategyComparisonDisplay

    axes = []
    from_results = StrategyComparisonDisplay.from_results.__func__

    def recording(cls, *args, **kwargs):
        display = from_results(cls, *args, **kwargs)
        axes.append(display.ax_)
        return display

    monkeypatch.setattr(StrategyComparisonDisplay, "from_results", classmethod(recording))
    plot = tmp_path / "comparison.png"
    status, out, _ = _run(capsys, csv_path, "--target", "label", "--cv", 2, "--max-iter", 1,
                          "--random-state", 3, "--quiet", "--plot", plot)  # fmt: skip
    assert status == 0
    caption = out.splitlines()[0]
    assert caption.startswith("positive class 'churn'") and caption.endswith("seed 3")
    assert [ax.get_title(loc="left") for ax in axes] == [caption]


def _write(tmp_path, frame):
    path = tmp_path / "bad.csv"
    frame.to_csv(path, index=False)
    return path


@pytest.mark.parametrize(
    "frame, message",
    [
        (
            pd.DataFrame({"x": [1.0, 2.0, 3.0], "y": [0, 1, 2]}),
            "the target column 'y' has 3 distinct values (0, 1, 2); compare needs exactly two",
        ),
        (
            pd.DataFrame({"x": [1.0, 2.0], "y": [1, 1]}),
            "the target column 'y' has 1 distinct values (1)",
        ),
        (
            pd.DataFrame({"id": [f"r{i}" for i in range(20)], "x": [1.0] * 20, "y": [0, 1] * 10}),
            "text columns with a different value in every row: 'id' (an identifier",
        ),
        (pd.DataFrame({"x": [], "y": []}), "has a header but no rows"),
        (
            pd.DataFrame({"x": [1.0, 2.0], "y": [0, None]}),
            "the target column 'y' has 1 missing values",
        ),
        (pd.DataFrame({"y": [0, 1]}), "no feature columns besides the target 'y'"),
    ],
)
def test_bad_data_is_named_on_stderr(tmp_path, capsys, frame, message):
    status, out, err = _run(capsys, _write(tmp_path, frame), "--target", "y")
    assert status == 1
    assert out == ""
    assert err.startswith("imbbce compare: error: ")
    assert message in err


def test_unknown_target_lists_the_columns(csv_path, capsys):
    status, _, err = _run(capsys, csv_path, "--target", "Label")
    assert status == 1
    assert "no column 'Label'" in err
    assert "its columns are 'f0', 'f1', 'f2', 'f3', 'label'" in err


def test_other_separator_is_hinted(tmp_path, capsys):
    path = tmp_path / "semicolons.csv"
    pd.DataFrame({"x": [1.0, 2.0], "label": [0, 1]}).to_csv(path, sep=";", index=False)
    status, _, err = _run(capsys, path, "--target", "label")
    assert status == 1
    assert "The header looks separated by ';': pass --sep." in err


def test_saved_index_column_is_warned_about(csv_path, tmp_path, capsys):
    path = tmp_path / "with_index.csv"
    pd.read_csv(csv_path).to_csv(path)  # index=True writes an "Unnamed: 0" column
    status, out, err = _run(capsys, path, "--target", "label", "--cv", 2, "--max-iter", 1,
                            "--quiet")  # fmt: skip
    assert status == 0 and "plain BCE" in out
    assert err.startswith("imbbce compare: warning: columns without a name in the header "
                          "('Unnamed: 0') are used as features")  # fmt: skip


def test_missing_file(tmp_path, capsys):
    status, _, err = _run(capsys, tmp_path / "nope.csv", "--target", "y")
    assert status == 1
    assert f"no such file: {tmp_path / 'nope.csv'}" in err


def test_too_many_folds_for_the_minority(csv_path, capsys):
    status, _, err = _run(capsys, csv_path, "--target", "label", "--cv", 100)
    assert status == 1
    assert "--cv 100 stratified folds need at least 100 rows of each class, but the " in err
    assert "minority class 'churn' has 39. Pass --cv 39 or fewer" in err


def test_every_data_problem_is_reported_in_one_message(tmp_path, capsys):
    frame = pd.DataFrame(
        {
            "x": [1.0, None] * 10,
            "id": [f"r{i}" for i in range(20)],
            "y": ["a"] + [None] + ["b"] * 18,
        }
    )
    status, out, err = _run(capsys, _write(tmp_path, frame), "--target", "y", "--cv", 2)
    assert status == 1 and out == ""
    assert err.startswith(f"imbbce compare: error: 3 problems with {tmp_path / 'bad.csv'}:\n")
    problems = err.splitlines()[1:]
    assert [line[:4] for line in problems] == ["  - "] * 3
    assert "the target column 'y' has 1 missing values" in problems[0]
    assert "--cv 2 stratified folds need at least 2 rows of each class" in problems[1]
    assert "has 1. Collect more minority rows: cross-validation needs 2 or more" in problems[1]
    assert "text columns with a different value in every row: 'id'" in problems[2]


def test_a_raw_csv_with_text_and_missing_values_runs(tmp_path, capsys):
    rng = np.random.RandomState(0)
    colour = rng.choice(["red", "green", "blue"], 120).astype(object)
    size = rng.randn(120)
    label = np.where((colour == "red") & (size > 0), "yes", "no")
    size[::10] = np.nan
    colour[5::20] = None
    path = tmp_path / "raw.csv"
    pd.DataFrame({"size": size, "colour": colour, "label": label}).to_csv(path, index=False)
    status, out, err = _run(capsys, path, "--target", "label", "--cv", 2, "--max-iter", 20,
                            "--random-state", 0, "--quiet")  # fmt: skip
    assert status == 0, err
    assert err == ""
    rows = {line.split("  ")[0].strip(): line for line in out.splitlines()[3:]}
    assert set(rows) == set(STRATEGIES)
    assert not any("failed" in line for line in rows.values())


@pytest.mark.parametrize("argv", [["--help"], ["compare", "--help"], ["compare", "data.csv"]])
def test_help_and_argument_errors_do_not_import_torch(argv):
    # In a fresh interpreter: this one has imported torch already.
    code = (
        "import sys\n"
        "from imbbce.__main__ import main\n"
        "try:\n"
        f"    main({argv!r})\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = sorted(m for m in ('torch', 'skorch', 'imblearn') if m in sys.modules)\n"
        "print(heavy, file=sys.stderr)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stderr.splitlines()[-1] == "[]"


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--cv", "1"], "argument --cv: must be an integer >= 2, got 1"),
        (["--max-iter", "0"], "argument --max-iter: must be an integer >= 1, got 0"),
        (["--n-jobs", "0"], "argument --n-jobs: must be an integer >= 1, or -1, got 0"),
        (["--random-state", "-1"], "argument --random-state: must be an integer from 0 to"),
        (["--plot", "out.xyz"], "--plot out.xyz: the file name must end with one of"),
    ],
)
def test_bad_options(csv_path, capsys, argv, message):
    try:
        status = main(["compare", str(csv_path), "--target", "label", *argv])
    except SystemExit as exit_:  # argparse exits with status 2
        status = exit_.code
    assert status in (1, 2)
    assert message in capsys.readouterr().err


def test_version(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out.startswith("imbbce ")


def test_max_iter_defaults_to_the_estimators():
    assert DEFAULT_MAX_ITER == BalancedBCEClassifier().max_iter


def test_a_failing_strategy_is_marked_and_the_others_run(tmp_path, capsys):
    # 8 minority rows: each 2-fold training part holds 4, too few for SMOTE's 5 neighbours.
    X, y = make_classification(n_samples=400, n_features=4, weights=[0.98], flip_y=0,
                               random_state=0)  # fmt: skip
    frame = pd.DataFrame(X, columns=["a", "b", "c", "d"]).assign(label=y)
    path = tmp_path / "small.csv"
    frame.to_csv(path, index=False)
    status, out, err = _run(capsys, path, "--target", "label", "--cv", 2, "--max-iter", 1,
                            "--quiet", "--random-state", 0)  # fmt: skip
    assert status == 0
    rows = {line.split("  ")[0].strip(): line for line in out.splitlines()[1:]}
    assert rows["SMOTE"].split().count("failed") == 7  # every column
    assert "failed" not in rows["class weights"]
    assert err.startswith("imbbce compare: warning: Strategy 'SMOTE': every fit failed")
    assert "k_neighbors=5 needs at least 6" in err and len(err.splitlines()) == 1


def test_plot_folder_must_exist(csv_path, tmp_path, capsys):
    status, _, err = _run(
        capsys, csv_path, "--target", "label", "--plot", tmp_path / "no" / "out.png"
    )
    assert status == 1
    assert "does not exist" in err


def test_missing_pandas_names_the_extra(csv_path, capsys, monkeypatch):
    real_import = builtins.__import__

    def fake_import(name, *args, **kwargs):
        if name.split(".")[0] == "pandas":
            raise ImportError(f"No module named {name!r}")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", fake_import)
    status, _, err = _run(capsys, csv_path, "--target", "label")
    assert status == 1
    assert "reads CSV files with pandas" in err
    assert "pip install pandas" in err


def test_python_dash_m_runs_main(tmp_path, monkeypatch, capsys):
    # What `python -m imbbce ...` does, in this process (a subprocess would
    # spend seconds importing torch again). runpy warns when the module it
    # runs was imported already, as this file did; and pytest's assertion
    # rewriter, which loads imbbce/__main__.py when that file is named on
    # pytest's command line, cannot hand runpy its code.
    monkeypatch.delitem(sys.modules, "imbbce.__main__")
    finders = [f for f in sys.meta_path if type(f).__name__ != "AssertionRewritingHook"]
    monkeypatch.setattr(sys, "meta_path", finders)
    missing = str(tmp_path / "no.csv")
    monkeypatch.setattr(sys, "argv", ["imbbce", "compare", missing, "-t", "y"])
    with pytest.raises(SystemExit) as exit_:
        runpy.run_module("imbbce", run_name="__main__")
    assert exit_.value.code == 2  # argparse: -t is not an option
    monkeypatch.setattr(sys, "argv", ["imbbce", "compare", missing, "--target", "y"])
    with pytest.raises(SystemExit) as exit_:
        runpy.run_module("imbbce", run_name="__main__")
    assert exit_.value.code == 1
    assert "imbbce compare: error: no such file" in capsys.readouterr().err
