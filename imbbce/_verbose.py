"""What ``verbose`` prints, beyond skorch's per-epoch table.

skorch's ``PrintLog`` prints the table; two things are added here. The table
marks each column's best value with ANSI colour codes, which are noise in a
log file or a notebook's captured output, so they are kept for terminals
only. And the table's ``valid_score`` column does not say which score it is,
so ``fit`` first prints one line saying what early stopping watches.
"""

import re
import sys

from skorch.callbacks import PrintLog

__all__ = ["PrintLogOnTerminals", "training_plan"]

ANSI_CODE = re.compile(r"\x1b\[[0-9;]*m")


class PrintLogOnTerminals(PrintLog):
    """skorch's ``PrintLog``, colouring best values only on a terminal.

    With the default ``sink`` (``print``) the table goes to ``sys.stdout``;
    when that is not a terminal the colour codes are left out.
    """

    def format_row(self, row, key, color):
        text = super().format_row(row, key, color)
        if isinstance(text, str) and not _writes_to_terminal(self.sink):
            text = ANSI_CODE.sub("", text)
        return text


def _writes_to_terminal(sink):
    if sink is not print:
        return False
    isatty = getattr(sys.stdout, "isatty", None)
    return bool(isatty and isatty())


def training_plan(n_train, n_valid, n_valid_minority, scoring, minority_label, max_iter):
    """One line saying how ``fit`` is about to train, for ``verbose >= 1``.

    Parameters
    ----------
    n_train : int
        Training rows (before any resampling).
    n_valid, n_valid_minority : int or None
        Rows and minority rows of the validation split; None without one.
    scoring : str or callable or None
        What early stopping watches (``scoring_``); None without early
        stopping (a split held out for the threshold or a calibration only).
    minority_label : object
        The minority class as the user labels it.
    max_iter : int

    Returns
    -------
    str
    """
    if n_valid is None:
        return (
            f"Training on {n_train} rows for {max_iter} epochs, without a validation split "
            "(no early stopping)."
        )
    if scoring is None:
        return (
            f"Training on {n_train} rows for {max_iter} epochs, without early stopping; a "
            f"validation split of {n_valid} rows, {n_valid_minority} of them of class "
            f"{minority_label!r}, is held out for threshold='auto' or the calibration."
        )
    if scoring == "loss":
        watched = "the weighted validation loss"
    elif isinstance(scoring, str):
        watched = f"{scoring} (the valid_score column)"
    else:
        watched = f"{getattr(scoring, '__name__', 'your scorer')} (the valid_score column)"
    return (
        f"Training on {n_train} rows for up to {max_iter} epochs; early stopping watches "
        f"{watched} on a validation split of {n_valid} rows, {n_valid_minority} of them of "
        f"class {minority_label!r}."
    )
