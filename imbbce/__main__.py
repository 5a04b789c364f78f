"""Command line: ``python -m imbbce compare data.csv --target COLUMN``.

Also installed as the ``imbbce`` console script. The ``compare`` command
reads a CSV file with pandas, cross-validates the default imbalance
strategies with :func:`imbbce.compare_strategies`, prints mean ± std per
metric and, with ``--plot``, saves the comparison as a figure.
"""

import argparse
import secrets
import sys
import warnings
from importlib import metadata
from pathlib import Path

__all__ = ["main"]

MAX_LISTED = 10  # column names or values listed in an error message
#: ``--max-iter``'s default, BalancedBCEClassifier's (a test keeps them equal;
#: the command line does not import torch before it has read the data).
DEFAULT_MAX_ITER = 100


class CommandError(Exception):
    """Bad input: printed on stderr as ``imbbce compare: error: ...``, exit status 1."""


def main(argv=None):
    """Run the command line.

    Parameters
    ----------
    argv : list of str or None, default=None
        Arguments without the program name; None reads ``sys.argv[1:]``.

    Returns
    -------
    int
        Exit status: 0 on success, 1 for bad input (missing file, unknown
        target column, a target without exactly two classes, an identifier
        column, a missing optional dependency), 2 for bad
        options (from argparse).
    """
    args = _parser().parse_args(argv)
    prefix = f"imbbce {args.command}"
    try:
        with warnings.catch_warnings():
            from sklearn.exceptions import FitFailedWarning

            # A strategy whose fits failed is a result to show, whatever the filters.
            warnings.filterwarnings("always", category=FitFailedWarning)
            warnings.showwarning = _one_line_warning(prefix)
            return _compare(args)
    except CommandError as exc:
        print(f"{prefix}: error: {exc}", file=sys.stderr)
        return 1


def _one_line_warning(prefix):
    """``warnings.showwarning`` printing ``PREFIX: warning: message`` on stderr."""

    def show(message, category, filename, lineno, file=None, line=None):
        print(f"{prefix}: warning: {message}", file=sys.stderr)

    return show


def _version():
    try:
        return metadata.version("imbbce")
    except metadata.PackageNotFoundError:  # a source tree that was never installed
        return "unknown (not installed)"


def _parser():
    parser = argparse.ArgumentParser(
        prog="imbbce",
        description="Neural networks for imbalanced binary classification.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    compare = commands.add_parser(
        "compare",
        help="cross-validate imbalance strategies on a CSV file",
        description=(
            "Cross-validate plain BCE, class weights, logit adjustment (the defaults), SMOTE, "
            "random under-sampling, balanced batches and focal loss (a StandardScaler and "
            "BalancedBCEClassifier pipeline) on "
            "a CSV file, and print mean ± std over the folds per metric. Columns of text are "
            "categories (one-hot encoded inside the estimator, unknown values allowed); "
            "numeric columns are standardised and may have missing values (imputed, with a "
            "missing indicator). Progress goes to stderr, the table to stdout."
        ),
    )
    compare.add_argument("csv", type=Path, help="CSV file with a header row")
    compare.add_argument("--target", required=True, metavar="COLUMN", help="the label column")
    compare.add_argument("--cv", type=_at_least(2), default=5, help="number of folds (default: 5)")
    compare.add_argument(
        "--max-iter",
        type=_at_least(1),
        default=DEFAULT_MAX_ITER,
        help=f"epochs per fit (default: {DEFAULT_MAX_ITER}, BalancedBCEClassifier's)",
    )
    compare.add_argument(
        "--random-state",
        type=_seed,
        default=None,
        help=(
            "seed for folds and networks, 0 to 2**32 - 1 (default: one drawn at random, "
            "printed above the table)"
        ),
    )
    compare.add_argument(
        "--n-jobs",
        type=_n_jobs,
        default=None,
        help=(
            "folds fitted in parallel; -1 for one per core (default: 1). Each new process "
            "pays seconds of imports and a first fit: it pays off for long comparisons only"
        ),
    )
    compare.add_argument("--sep", default=",", help="CSV field separator (default: ',')")
    compare.add_argument(
        "--plot", type=Path, metavar="OUT.png", help="also save the comparison as a figure"
    )
    compare.add_argument("--quiet", action="store_true", help="no progress on stderr")
    return parser


def _at_least(minimum):
    def parse(text):
        value = int(text)
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be an integer >= {minimum}, got {value}")
        return value

    parse.__name__ = "int"  # argparse names the type in its messages
    return parse


def _seed(text):
    value = int(text)
    if not 0 <= value < 2**32:
        raise argparse.ArgumentTypeError(f"must be an integer from 0 to 2**32 - 1, got {value}")
    return value


_seed.__name__ = "int"


def _n_jobs(text):
    value = int(text)
    if value == 0 or value < -1:
        raise argparse.ArgumentTypeError(f"must be an integer >= 1, or -1, got {value}")
    return value


_n_jobs.__name__ = "int"


def _compare(args):
    pd = _import_pandas()
    figure = _new_figure(args.plot) if args.plot is not None else None
    X, y = _read(pd, args.csv, args.target, args.sep, args.cv)
    # A run without --random-state gets a drawn seed, printed with the table,
    # so that any run can be repeated.
    seed = secrets.randbelow(2**32) if args.random_state is None else args.random_state

    from ._checks import check_binary_target, minority_code, plain_label
    from ._classifier import BalancedBCEClassifier
    from ._compare import compare_strategies, default_pipeline

    classes, codes = check_binary_target(y)
    positive = plain_label(classes[minority_code(codes)])
    n_positive = int((y == positive).sum())
    estimator = default_pipeline(X, BalancedBCEClassifier(max_iter=args.max_iter))
    try:
        table = compare_strategies(
            X,
            y,
            estimator=estimator,
            cv=args.cv,
            n_jobs=args.n_jobs,
            random_state=seed,
            verbose=0 if args.quiet else 1,
        )
    except ValueError as exc:
        raise CommandError(str(exc)) from exc
    caption = _caption(positive, n_positive, len(y), seed, drawn=args.random_state is None)
    print(caption)
    print(_format(pd, table).to_string())
    if figure is not None:
        from ._plotting import StrategyComparisonDisplay

        figure.set_size_inches(8, 1.6 + 0.5 * len(table))
        display = StrategyComparisonDisplay.from_results(table, ax=figure.subplots())
        display.ax_.set_title(caption, fontsize="medium", loc="left")
        figure.savefig(args.plot)
        if not args.quiet:
            print(f"Figure saved to {args.plot}", file=sys.stderr)
    return 0


def _caption(positive, n_positive, n_rows, seed, drawn):
    """One line naming the positive class and the seed, above the table and the plot."""
    repeat = f" (drawn: --random-state {seed} repeats this run)" if drawn else ""
    return (
        f"positive class {positive!r} (the minority, {n_positive} of {n_rows} rows); "
        f"seed {seed}{repeat}"
    )


def _import_pandas():
    try:
        import pandas as pd
    except ImportError as exc:
        raise CommandError(
            "the command line reads CSV files with pandas, which is not installed: "
            'pip install pandas (or imbbce\'s pandas extra: pip install -e ".[pandas]" '
            "from a clone)"
        ) from exc
    return pd


def _new_figure(path):
    """A matplotlib Figure (no pyplot, no display needed), checked before any fit."""
    try:
        from matplotlib.figure import Figure
    except ImportError as exc:
        raise CommandError(
            "--plot needs matplotlib, which is not installed: pip install matplotlib (or "
            'imbbce\'s plots extra: pip install -e ".[plots]" from a clone)'
        ) from exc
    figure = Figure(layout="constrained")
    formats = figure.canvas.get_supported_filetypes()
    if path.suffix.lstrip(".").lower() not in formats:
        raise CommandError(
            f"--plot {path}: the file name must end with one of "
            f"{', '.join('.' + f for f in sorted(formats))}."
        )
    if not path.parent.is_dir():
        raise CommandError(f"--plot {path}: the folder {path.parent} does not exist.")
    return figure


def _read(pd, path, target, sep, cv):
    """Features as a float array and the target column, or a CommandError.

    Problems that stop reading (no file, not CSV, no target column, no rows)
    are raised at once; every other problem with the data is collected and
    raised in one message, so that one run tells everything to fix.
    """
    if not path.is_file():
        raise CommandError(f"no such file: {path}")
    try:
        frame = pd.read_csv(path, sep=sep)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise CommandError(f"could not read {path} as CSV: {exc}") from exc
    if target not in frame.columns:
        other_sep = [c for c in (";", "\t", ",", "|") if c != sep and c in str(frame.columns[0])]
        hint = f" The header looks separated by {other_sep[0]!r}: pass --sep." if other_sep else ""
        raise CommandError(
            f"no column {target!r} in {path}; its columns are {_listed(frame.columns)}. "
            f"Pass the label column's name to --target (names are case-sensitive).{hint}"
        )
    if len(frame) == 0:
        raise CommandError(f"{path} has a header but no rows.")
    problems = _target_problems(frame[target], target, cv)
    X = frame.drop(columns=[target])
    if X.shape[1] == 0:
        problems.append(f"{path} has no feature columns besides the target {target!r}.")
    index_like = [c for c in X.columns if str(c).startswith("Unnamed: ")]
    if index_like:
        print(
            f"imbbce compare: warning: columns without a name in the header "
            f"({_listed(index_like)}) are used as features; a DataFrame's index saved by "
            "to_csv() looks like this, and row numbers can leak the label when rows are "
            "sorted by it. Write the file with to_csv(index=False) or name the column.",
            file=sys.stderr,
        )
    problems += _feature_problems(pd, X)
    if len(problems) == 1:
        raise CommandError(problems[0])
    if problems:
        raise CommandError(
            f"{len(problems)} problems with {path}:\n" + "\n".join(f"  - {p}" for p in problems)
        )
    return X, frame[target].to_numpy()


def _target_problems(y, target, cv):
    """What stops the target column from being compared, as a list of messages."""
    problems = []
    if y.isna().any():
        problems.append(
            f"the target column {target!r} has {int(y.isna().sum())} missing values; drop "
            "those rows."
        )
    counts = y.value_counts()
    if len(counts) != 2:
        problems.append(
            f"the target column {target!r} has {len(counts)} distinct values "
            f"({_listed(sorted(counts.index, key=str))}); compare needs exactly two classes."
        )
    elif counts.min() < cv:
        n_minority = int(counts.min())
        fix = (
            f"Pass --cv {n_minority} or fewer, or collect more minority rows."
            if n_minority >= 2
            else "Collect more minority rows: cross-validation needs 2 or more of each class."
        )
        problems.append(
            f"--cv {cv} stratified folds need at least {cv} rows of each class, but the "
            f"minority class {_listed([counts.idxmin()])} has {n_minority}. {fix}"
        )
    return problems


def _feature_problems(pd, X):
    """What stops the feature columns from being used, as a list of messages.

    Text columns and missing values are not problems: the estimator encodes
    categories and imputes. A text column with a different value in every row
    is: it names rows (an identifier), and one-hot encoding it would give
    the network one column per row to memorise.
    """
    text = [c for c in X.columns if not pd.api.types.is_numeric_dtype(X[c])]
    identifiers = [c for c in text if len(X) >= 20 and X[c].nunique(dropna=False) == len(X)]
    if identifiers:
        return [
            f"text columns with a different value in every row: {_listed(identifiers)} (an "
            "identifier or free text, not a category: one-hot encoding would give the "
            "network a column per row). Remove them from the CSV."
        ]
    return []


def _listed(names):
    """``'a', 'b', ... (and N more)`` for a message."""
    names = list(names)
    shown = ", ".join(repr(n.item() if hasattr(n, "item") else n) for n in names[:MAX_LISTED])
    more = len(names) - MAX_LISTED
    return shown + (f" (and {more} more)" if more > 0 else "")


def _format(pd, table):
    """The table as text columns ``mean ± std``, one per metric."""
    columns = {}
    for column in table.columns:
        if not column.endswith("_mean"):
            continue
        metric = column[: -len("_mean")]
        mean, std = table[column], table[f"{metric}_std"]
        if metric == "collapsed":
            columns["collapsed folds"] = [_cell(f"{m:.0%}", m) for m in mean]
        elif metric == "fit_time":
            columns["fit seconds"] = [_cell(f"{m:.2f} ± {s:.2f}", m) for m, s in zip(mean, std)]
        else:
            columns[metric] = [_cell(f"{m:.3f} ± {s:.3f}", m) for m, s in zip(mean, std)]
    return pd.DataFrame(columns, index=table.index)


def _cell(text, mean):
    """``text``, or "failed" for a strategy whose fits failed (a NaN mean)."""
    return "failed" if mean != mean else text


if __name__ == "__main__":
    sys.exit(main())
