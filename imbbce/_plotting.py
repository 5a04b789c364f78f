"""Plots of a training history and of a strategy comparison, in scikit-learn's
Display style (``from_estimator``, ``plot(ax=None)``, ``ax_``, ``figure_``).

matplotlib is an optional extra, imported only when a figure is drawn.
Precision-recall and ROC curves are scikit-learn's own displays
(:class:`~sklearn.metrics.PrecisionRecallDisplay`,
:class:`~sklearn.metrics.RocCurveDisplay`); they work on the fitted
estimator as they are.
"""

import numpy as np
from sklearn.utils.validation import check_is_fitted

__all__ = ["StrategyComparisonDisplay", "TrainingHistoryDisplay"]

# Columns of compare_strategies' table left out of the plot by default:
# seconds are another unit, and a collapse rate is not a score.
NOT_SCORES = ("collapsed", "fit_time")


def _pyplot():
    """``matplotlib.pyplot``, or an ImportError that names the extra to install."""
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise ImportError(
            "Plotting needs matplotlib, which is not installed: pip install matplotlib "
            '(or imbbce\'s plots extra: pip install -e ".[plots]" from a clone)'
        ) from exc
    return plt


def _final_step(estimator):
    """The last step of a pipeline, or the estimator itself."""
    return estimator[-1] if hasattr(estimator, "steps") else estimator


class TrainingHistoryDisplay:
    """Training and validation loss and the validation score, per epoch.

    Create it with :meth:`from_estimator`; the constructor takes the numbers
    themselves. A network that collapses onto the majority class shows here
    as a falling loss with a validation score that stays flat near the
    minority rate (average precision) or at 0 (recall, F1).

    Parameters
    ----------
    epochs : array-like of shape (n_epochs,)
        Epoch numbers, from 1.
    train_loss : array-like of shape (n_epochs,)
        Mean training loss per epoch.
    valid_loss : array-like of shape (n_epochs,) or None, default=None
        Loss on the validation split; None without one.
    valid_score : array-like of shape (n_epochs,) or None, default=None
        Validation score; None without one or when early stopping watches
        the loss.
    best_epoch : int or None, default=None
        Epoch whose weights the model holds, marked by a vertical line.
    score_name : str, default="score"
        Name of the validation score, for the axis label.

    Attributes
    ----------
    ax_ : matplotlib Axes
        Axes with the losses (and the best-epoch line).
    score_ax_ : matplotlib Axes or None
        Twin axes, sharing the epochs, with the validation score.
    figure_ : matplotlib Figure
        Figure holding the axes.
    lines_ : dict of str to matplotlib Line2D
        "train_loss", "valid_loss", "valid_score" and "best_epoch", for
        those drawn.

    See Also
    --------
    StrategyComparisonDisplay : Scores of several strategies side by side.

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from imbbce import BalancedBCEClassifier, TrainingHistoryDisplay
    >>> X, y = make_classification(n_samples=400, weights=[0.8], random_state=0)
    >>> clf = BalancedBCEClassifier(
    ...     max_iter=5, early_stopping=True, scoring="average_precision", random_state=0
    ... )
    >>> clf = clf.fit(X, y)
    >>> display = TrainingHistoryDisplay.from_estimator(clf)
    >>> sorted(display.lines_)
    ['best_epoch', 'train_loss', 'valid_loss', 'valid_score']
    """

    def __init__(
        self,
        *,
        epochs,
        train_loss,
        valid_loss=None,
        valid_score=None,
        best_epoch=None,
        score_name="score",
    ):
        self.epochs = epochs
        self.train_loss = train_loss
        self.valid_loss = valid_loss
        self.valid_score = valid_score
        self.best_epoch = best_epoch
        self.score_name = score_name

    @classmethod
    def from_estimator(cls, estimator, *, ax=None):
        """Plot the history of a fitted :class:`~imbbce.BalancedBCEClassifier`.

        Parameters
        ----------
        estimator : BalancedBCEClassifier or Pipeline
            Fitted; a pipeline's final step must be the classifier.
        ax : matplotlib Axes, default=None
            Axes to draw on; None creates a figure.

        Returns
        -------
        TrainingHistoryDisplay
            The display, drawn on ``ax``.
        """
        clf = _final_step(estimator)
        check_is_fitted(clf, "history_")
        history = list(clf.history_)

        def column(key):
            if not all(key in row for row in history):
                return None
            return np.array([row[key] for row in history], dtype=float)

        display = cls(
            epochs=column("epoch"),
            train_loss=column("train_loss"),
            valid_loss=column("valid_loss"),
            valid_score=column("valid_score"),
            best_epoch=clf.best_epoch_,
            # scoring_ has "auto" resolved; a callable scorer is just "score".
            score_name=clf.scoring_ if isinstance(clf.scoring_, str) else "score",
        )
        return display.plot(ax=ax)

    def plot(self, ax=None):
        """Draw the curves.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw on; None creates a figure.

        Returns
        -------
        TrainingHistoryDisplay
            ``self``, with ``ax_``, ``score_ax_``, ``figure_`` and ``lines_``.
        """
        plt = _pyplot()
        if ax is None:
            _, ax = plt.subplots(layout="constrained")
        self.lines_ = {}
        (self.lines_["train_loss"],) = ax.plot(
            self.epochs, self.train_loss, color="C0", label="train loss"
        )
        if self.valid_loss is not None:
            (self.lines_["valid_loss"],) = ax.plot(
                self.epochs, self.valid_loss, color="C1", label="validation loss"
            )
        ax.set_xlabel("epoch")
        ax.set_ylabel("loss")
        self.score_ax_ = None
        if self.valid_score is not None:
            self.score_ax_ = ax.twinx()
            (self.lines_["valid_score"],) = self.score_ax_.plot(
                self.epochs,
                self.valid_score,
                color="C2",
                linestyle="--",
                label=f"validation {self.score_name}",
            )
            self.score_ax_.set_ylabel(f"validation {self.score_name}")
        if self.best_epoch is not None:
            self.lines_["best_epoch"] = ax.axvline(
                self.best_epoch, color="k", linestyle=":", label=f"best epoch ({self.best_epoch})"
            )
        # Above the axes: inside, the twin axes' score line would cross it.
        ax.legend(
            handles=list(self.lines_.values()),
            loc="lower center",
            bbox_to_anchor=(0.5, 1.0),
            ncol=2,
            frameon=False,
        )
        self.ax_ = ax
        self.figure_ = ax.figure
        return self


class StrategyComparisonDisplay:
    """Mean ± std of each metric, one row per strategy.

    Create it with :meth:`from_results` on the table of
    :func:`~imbbce.compare_strategies`, or with :meth:`from_estimator`,
    which runs the comparison. Each strategy is a row of the plot; each
    metric a marker with a horizontal error bar of one standard deviation
    over the folds.

    Parameters
    ----------
    strategies : list of str
        Strategy names, top to bottom.
    means : dict of str to ndarray of shape (n_strategies,)
        Mean score per metric.
    stds : dict of str to ndarray of shape (n_strategies,)
        Standard deviation per metric, same keys as ``means``.

    Attributes
    ----------
    ax_ : matplotlib Axes
    figure_ : matplotlib Figure
    errorbars_ : dict of str to matplotlib ErrorbarContainer
        One per metric.

    See Also
    --------
    imbbce.compare_strategies : Compute the table.
    TrainingHistoryDisplay : How one network trained.
    """

    def __init__(self, *, strategies, means, stds):
        self.strategies = strategies
        self.means = means
        self.stds = stds

    @classmethod
    def from_results(cls, results, *, metrics=None, ax=None):
        """Plot the table returned by :func:`~imbbce.compare_strategies`.

        Parameters
        ----------
        results : pandas.DataFrame or numpy structured array
            The table: strategies as the DataFrame's index (or the
            "strategy" field), columns ``<metric>_mean`` and
            ``<metric>_std``.
        metrics : str or list of str, default=None
            Metrics to plot. None plots every metric but "collapsed" and
            "fit_time" (another unit).
        ax : matplotlib Axes, default=None
            Axes to draw on; None creates a figure.

        Returns
        -------
        StrategyComparisonDisplay
            The display, drawn on ``ax``.
        """
        if isinstance(results, np.ndarray) and results.dtype.names:
            strategies = [str(name) for name in results["strategy"]]
            columns = list(results.dtype.names)
        elif hasattr(results, "columns") and hasattr(results, "index"):
            strategies = [str(name) for name in results.index]
            columns = list(results.columns)
        else:
            raise TypeError(
                "results must be the table returned by compare_strategies (a pandas "
                f"DataFrame or a numpy structured array); got {type(results).__name__}."
            )
        available = [
            column[: -len("_mean")]
            for column in columns
            if column.endswith("_mean") and column[: -len("_mean")] + "_std" in columns
        ]
        if metrics is None:
            metrics = [metric for metric in available if metric not in NOT_SCORES]
        elif isinstance(metrics, str):
            metrics = [metrics]
        missing = [metric for metric in metrics if metric not in available]
        if missing or not metrics:
            raise ValueError(
                f"No columns <metric>_mean and <metric>_std for {missing or metrics!r} in the "
                f"results; the metrics there are {available!r}."
            )
        means = {m: np.asarray(results[f"{m}_mean"], dtype=float) for m in metrics}
        stds = {m: np.asarray(results[f"{m}_std"], dtype=float) for m in metrics}
        return cls(strategies=strategies, means=means, stds=stds).plot(ax=ax)

    @classmethod
    def from_estimator(cls, estimator, X, y, *, strategies=None, metrics=None, ax=None, **kwargs):
        """Run :func:`~imbbce.compare_strategies` and plot its table.

        Parameters
        ----------
        estimator : estimator or None
            The base estimator; None for the default pipeline (see
            :func:`~imbbce.compare_strategies`).
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Features.
        y : array-like of shape (n_samples,)
            Binary target with any two labels.
        strategies : dict of str to dict, default=None
            Name -> parameter overrides; None for the default strategies.
        metrics : str or list of str, default=None
            Metrics to plot, as in :meth:`from_results`.
        ax : matplotlib Axes, default=None
            Axes to draw on; None creates a figure.
        **kwargs
            Passed to :func:`~imbbce.compare_strategies` (``cv``,
            ``scoring``, ``n_jobs``, ``random_state``, ``verbose``, ...).

        Returns
        -------
        StrategyComparisonDisplay
            With the table as ``results_``.
        """
        from ._compare import compare_strategies

        results = compare_strategies(X, y, strategies, estimator=estimator, **kwargs)
        display = cls.from_results(results, metrics=metrics, ax=ax)
        display.results_ = results
        return display

    def plot(self, ax=None):
        """Draw one row per strategy, one error bar per metric.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw on; None creates a figure sized to the number of
            strategies.

        Returns
        -------
        StrategyComparisonDisplay
            ``self``, with ``ax_``, ``figure_`` and ``errorbars_``.
        """
        plt = _pyplot()
        n_strategies = len(self.strategies)
        if ax is None:
            _, ax = plt.subplots(figsize=(8, 1.2 + 0.5 * n_strategies), layout="constrained")
        rows = np.arange(n_strategies)
        # Metrics side by side within a row, so error bars do not overlap.
        offsets = np.linspace(-0.25, 0.25, len(self.means)) if len(self.means) > 1 else [0.0]
        self.errorbars_ = {}
        for offset, metric in zip(offsets, self.means):
            self.errorbars_[metric] = ax.errorbar(
                self.means[metric],
                rows + offset,
                xerr=self.stds[metric],
                fmt="o",
                capsize=3,
                label=metric,
            )
        ax.set_yticks(rows, labels=self.strategies)
        ax.set_ylim(n_strategies - 0.5, -0.5)  # first strategy on top
        ax.set_xlabel("mean ± std over the cross-validation folds")
        ax.grid(axis="x", alpha=0.3)
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
        self.ax_ = ax
        self.figure_ = ax.figure
        return self
