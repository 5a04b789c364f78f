"""Cross-validate several imbalance strategies side by side."""

import sys
import warnings
from collections.abc import Mapping
from numbers import Integral
from time import perf_counter

import numpy as np
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.exceptions import FitFailedWarning
from sklearn.metrics import (
    average_precision_score,
    f1_score,
    get_scorer,
    make_scorer,
    recall_score,
)
from sklearn.model_selection import StratifiedKFold, check_cv
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils import check_random_state
from sklearn.utils.parallel import Parallel, delayed

from ._checks import check_binary_target, minority_code, plain_label
from ._classifier import BalancedBCEClassifier
from ._compat import safe_indexing
from ._diagnostics import collapse_report
from ._stacklevel import user_stacklevel
from ._tabular import has_text_columns, numeric_columns
from .exceptions import MajorityCollapseWarning

__all__ = ["DEFAULT_SCORING", "DEFAULT_STRATEGIES", "compare_strategies", "default_pipeline"]

#: The strategies compared when ``strategies=None``: parameter overrides of
#: the base estimator, whose own defaults are logit adjustment without class
#: weights. Each names the loss and the class weights it means, so that it
#: stays what its name says whatever the base estimator's settings.
_PLAIN_BCE = {"class_weight": None, "loss": "bce"}
DEFAULT_STRATEGIES = {
    "plain BCE": _PLAIN_BCE,
    "class weights": {"class_weight": "balanced", "loss": "bce"},
    "logit adjustment": {"class_weight": None, "loss": "logit_adjusted"},
    "SMOTE": {**_PLAIN_BCE, "sampler": "smote"},
    "random under-sampling": {**_PLAIN_BCE, "sampler": "random_under"},
    "balanced batches": {**_PLAIN_BCE, "sampler": "balanced_batch"},
    "focal loss": {"class_weight": "balanced", "loss": "focal"},
}

#: The metrics reported when ``scoring`` is left at its default.
DEFAULT_SCORING = (
    "average_precision",
    "roc_auc",
    "balanced_accuracy",
    "minority_recall",
    "f1",
)

# Always reported, after the metrics of ``scoring``.
COLLAPSED = "collapsed"
FIT_TIME = "fit_time"


def compare_strategies(
    X,
    y,
    strategies=None,
    *,
    estimator=None,
    cv=5,
    scoring=DEFAULT_SCORING,
    n_jobs=None,
    random_state=None,
    error_score=np.nan,
    verbose=0,
):
    """Cross-validate imbalance strategies and tabulate mean and std per metric.

    Each strategy is a set of parameter overrides of one base estimator,
    cross-validated on the same folds, as
    :func:`sklearn.model_selection.cross_validate` does. Resampling is a parameter of
    :class:`~imbbce.BalancedBCEClassifier`, so it happens inside each
    training fold only and the test folds keep the real class balance.

    Parameters
    ----------
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        Features. Not modified.
    y : array-like of shape (n_samples,)
        Binary target with any two labels.
    strategies : dict of str to dict, default=None
        Name -> parameter overrides of the base estimator, e.g.
        ``{"SMOTE, 100 epochs": {"sampler": "smote", "max_iter": 100}}``.
        None compares the built-in strategies (``DEFAULT_STRATEGIES``): plain
        BCE (``class_weight=None, loss="bce"``), class weights ("balanced",
        with BCE: the defaults until 2026-12), logit adjustment (the
        defaults), SMOTE, random under-sampling and balanced batches (each
        with BCE: the sampler balances the classes, nothing else corrects),
        and focal loss with class weights "balanced" (the class-balanced
        focal loss of Lin et al., 2017). When the base estimator is a
        pipeline, the names refer to its final step's parameters.
    estimator : estimator or None, default=None
        The base estimator, cloned for each strategy. None means
        ``make_pipeline(StandardScaler(), BalancedBCEClassifier())``: the
        network needs features on a common scale, and the scaler is fitted
        on each training fold only (``with_mean=False`` for sparse ``X``).
        For a DataFrame with text or category columns the scaler takes the
        numeric columns only and the estimator encodes the others (see
        :func:`default_pipeline`).
        An estimator you pass is used as given, without a scaler: pass a
        :class:`~sklearn.pipeline.Pipeline` that ends with the classifier to
        add your own preprocessing, or a configured
        ``BalancedBCEClassifier(max_iter=100)`` to change what all
        strategies share.
    cv : int, cross-validation splitter or iterable, default=5
        An int gives stratified, shuffled folds seeded by ``random_state``;
        otherwise as in :func:`~sklearn.model_selection.cross_validate`.
        The folds are drawn once, so every strategy sees the same ones.
    scoring : str, sequence of str or dict, default=DEFAULT_SCORING
        Metrics to report. "average_precision", "minority_recall" and "f1"
        treat the minority class of ``y`` as positive, whichever label it
        has (the later label when both classes are the same size); any other
        name is a scikit-learn scorer name. A dict maps names to scorers.
        Two columns are always added: "collapsed", 1.0 for a test fold on
        which the fitted model predicted a single class or never recovered a
        minority row (its mean is the share of such folds), and "fit_time",
        seconds per fit. The first fit in a process also pays a one-off
        1-2 s (the first torch optimizer imports ``torch._dynamo``), which
        inflates the first strategy's mean and std of "fit_time".
    n_jobs : int or None, default=None
        Folds fitted in parallel, as in ``cross_validate``. Each new worker
        process imports torch and pays its first fit (several seconds), so
        parallel folds pay off for comparisons that run for a minute or
        more (see :ref:`speed`).
    random_state : int, RandomState instance or None, default=None
        Seeds the folds (when ``cv`` is an int) and the base estimator when
        its own ``random_state`` is None. All strategies share one seed.
    error_score : "raise" or float, default=np.nan
        Score of a fold whose fit fails, as in ``cross_validate``. With a
        number, failed folds score it (NaN, the default, makes the
        strategy's means NaN), a strategy whose fits all failed gets NaN in
        every column, one ``FitFailedWarning`` names the strategy and its
        first error, and the other strategies still run. "raise" raises the
        first error.
    verbose : int, default=0
        1 prints one line per strategy on stderr as it finishes; higher
        values also make joblib's ``Parallel`` over the folds verbose.

    Returns
    -------
    pandas.DataFrame or numpy structured array
        One row per strategy, in the order given; columns ``<metric>_mean``
        and ``<metric>_std`` for each metric, then for "collapsed" and
        "fit_time". A DataFrame indexed by "strategy" when pandas is
        installed, otherwise a structured array whose first field is
        "strategy".

    See Also
    --------
    imbbce.StrategyComparisonDisplay : Plot this table.

    Notes
    -----
    :class:`~imbbce.MajorityCollapseWarning` is silenced inside the
    cross-validation; the "collapsed" column reports collapse on the test
    folds instead.

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from imbbce import BalancedBCEClassifier, compare_strategies
    >>> X, y = make_classification(n_samples=400, weights=[0.9], random_state=0)
    >>> table = compare_strategies(
    ...     X, y, {"plain BCE": {"loss": "bce"}, "defaults": {}},
    ...     estimator=BalancedBCEClassifier(max_iter=5), cv=2, random_state=0,
    ... )
    >>> list(table.index)
    ['plain BCE', 'defaults']
    >>> list(table.columns[:2])
    ['average_precision_mean', 'average_precision_std']
    """
    classes, y_encoded = check_binary_target(np.ravel(np.asarray(y)))
    counts = np.bincount(y_encoded, minlength=2)
    minority = plain_label(classes[minority_code(y_encoded)])
    scorers = _scorers(scoring, minority)
    rng = check_random_state(random_state)
    seed = int(rng.randint(np.iinfo(np.int32).max))

    candidates = _candidates(strategies, _base_estimator(estimator, X, seed))
    splits = _splits(cv, X, y, counts, minority, seed)

    rows = []
    for i, (name, candidate) in enumerate(candidates.items(), start=1):
        start = perf_counter()
        result, failure = _cross_validate(
            name,
            candidate,
            X,
            y,
            cv=splits,
            scoring=scorers,
            n_jobs=n_jobs,
            error_score=error_score,
            verbose=max(int(verbose) - 1, 0),
        )
        if failure is not None:
            warnings.warn(failure, FitFailedWarning, stacklevel=user_stacklevel())
        row = {}
        for metric in [*scorers, FIT_TIME]:
            values = [np.nan] if result is None else result[_result_key(metric)]
            row[f"{metric}_mean"] = float(np.mean(values))
            row[f"{metric}_std"] = float(np.std(values))
        rows.append(row)
        if verbose:
            _report_progress(i, len(candidates), name, row, scorers, perf_counter() - start)
    return _table(list(candidates), rows)


def _cross_validate(name, candidate, X, y, *, cv, scoring, n_jobs, error_score, verbose):
    """Fit and score ``candidate`` on every split; tell fit failures in one line.

    Returns ``(result, failure)``: ``result`` maps ``"test_<metric>"`` and
    ``"fit_time"`` to one value per fold, or is None when every fit failed;
    ``failure`` names the strategy, how many fits failed and the first error
    (None when none did). With ``error_score="raise"`` the first error is
    raised as it is.

    Written here rather than calling ``cross_validate``, which reports fit
    failures only as the text of a warning (or of an error, ending the whole
    comparison, when every fit failed), and which with several metrics
    computes ``decision_function`` once per fold for all scorers, oriented
    towards the first scorer's ``pos_label``: with the minority as
    ``classes_[0]``, average precision (minority-aware) followed by ROC AUC
    reported ``1 - AUC``. Here each scorer is called on the fitted model.
    """
    folds = Parallel(n_jobs=n_jobs, verbose=verbose)(
        delayed(_fit_and_score)(clone(candidate), X, y, train, test, scoring, error_score)
        for train, test in cv
    )
    errors = [error for _, _, error in folds if error is not None]
    result = {_result_key(metric): [scores[metric] for scores, _, _ in folds] for metric in scoring}
    result[FIT_TIME] = [seconds for _, seconds, _ in folds]
    if not errors:
        return result, None
    if len(errors) == len(folds):
        result, how_many = None, "every fit"
    else:
        how_many = f"{len(errors)} of {len(folds)} fits"
    return result, (
        f"Strategy {name!r}: {how_many} failed, so its scores are NaN. First error: {errors[0]}"
    )


def _fit_and_score(estimator, X, y, train, test, scorers, error_score):
    """Fit on ``train``, score on ``test``: ``(scores, fit seconds, error or None)``."""
    start = perf_counter()
    try:
        with warnings.catch_warnings():
            # The "collapsed" column reports collapse on the test folds.
            warnings.filterwarnings("ignore", category=MajorityCollapseWarning)
            estimator.fit(safe_indexing(X, train), safe_indexing(y, train))
    except Exception as exc:
        if error_score == "raise":
            raise
        error = f"{type(exc).__name__}: {exc}"
        return dict.fromkeys(scorers, error_score), perf_counter() - start, error
    seconds = perf_counter() - start
    X_test, y_test = safe_indexing(X, test), safe_indexing(y, test)
    return (
        {name: scorer(estimator, X_test, y_test) for name, scorer in scorers.items()},
        seconds,
        None,
    )


def _result_key(metric):
    return FIT_TIME if metric == FIT_TIME else f"test_{metric}"


def _scorers(scoring, minority):
    """Scorers by name; the minority-aware ones follow ``minority``."""
    minority_aware = {
        "average_precision": make_scorer(
            average_precision_score,
            response_method=("decision_function", "predict_proba"),
            pos_label=minority,
        ),
        "minority_recall": make_scorer(recall_score, pos_label=minority, zero_division=0.0),
        "f1": make_scorer(f1_score, pos_label=minority, zero_division=0.0),
    }
    if isinstance(scoring, str):
        scoring = (scoring,)
    if isinstance(scoring, Mapping):
        scorers = dict(scoring)
    else:
        scoring = list(scoring)
        if not scoring or not all(isinstance(name, str) for name in scoring):
            raise ValueError(
                f"scoring must be a metric name, a non-empty sequence of names or a dict of "
                f"name -> scorer; got {scoring!r}."
            )
        scorers = {name: minority_aware.get(name, name) for name in scoring}
    for reserved in (COLLAPSED, FIT_TIME):
        if reserved in scorers:
            raise ValueError(
                f"scoring may not name {reserved!r}: that column is always reported. "
                "Remove it from scoring."
            )
    scorers = {
        name: get_scorer(scorer) if isinstance(scorer, str) else scorer
        for name, scorer in scorers.items()
    }
    scorers[COLLAPSED] = _CollapseScorer(minority)
    return scorers


class _CollapseScorer:
    """1.0 when the fitted model collapsed on the rows it is scored on.

    A model collapses when it predicts a single class for every row, or
    recovers no minority row (see :func:`~imbbce._diagnostics.collapse_report`).
    A class (not a closure) so that it pickles into joblib workers.
    """

    def __init__(self, minority):
        self.minority = minority

    def __call__(self, estimator, X, y):
        is_minority = np.asarray(y) == self.minority
        predicted_minority = np.asarray(estimator.predict(X)) == self.minority
        report = collapse_report(is_minority, predicted_minority, True, "test")
        return float(report["collapsed"])


def _base_estimator(estimator, X, seed):
    """Clone ``estimator`` (or build the default pipeline) and seed it."""
    if estimator is None:
        base = default_pipeline(X, BalancedBCEClassifier())
    elif hasattr(estimator, "fit") and hasattr(estimator, "get_params"):
        base = clone(estimator)
    else:
        raise TypeError(
            "estimator must be a scikit-learn classifier (with fit and get_params), such as "
            f"BalancedBCEClassifier(), or None; got {type(estimator).__name__}."
        )
    if base.get_params().get(_prefix(base) + "random_state", 0) is None:
        base.set_params(**{_prefix(base) + "random_state": seed})
    return base


def default_pipeline(X, classifier):
    """``classifier`` behind a StandardScaler suited to ``X``.

    A StandardScaler (``with_mean=False`` for sparse ``X``); for a pandas or
    polars DataFrame with text or category columns, a ColumnTransformer that
    scales the numeric columns only and passes the others through with their
    dtype (pandas output), for ``classifier`` to encode.

    Parameters
    ----------
    X : {array-like, sparse matrix, DataFrame}
        The data the pipeline will see.
    classifier : estimator
        The final step.

    Returns
    -------
    sklearn.pipeline.Pipeline
        The scaler, then ``classifier``.
    """
    if not has_text_columns(X):
        return make_pipeline(StandardScaler(with_mean=not sp.issparse(X)), classifier)
    from sklearn.compose import make_column_transformer

    frame = type(X).__module__.split(".")[0]  # "pandas" or "polars"
    scaler = make_column_transformer(
        (StandardScaler(), numeric_columns(X)),
        remainder="passthrough",
        verbose_feature_names_out=False,
    ).set_output(transform=frame)
    return make_pipeline(scaler, classifier)


def _prefix(estimator):
    """``"<final step>__"`` for a pipeline, otherwise ``""``."""
    steps = getattr(estimator, "steps", None)
    return f"{steps[-1][0]}__" if steps else ""


def _candidates(strategies, base):
    """One configured clone of ``base`` per strategy, checked before any fit."""
    if strategies is None:
        strategies = DEFAULT_STRATEGIES
    if not isinstance(strategies, Mapping) or not strategies:
        raise TypeError(
            "strategies must be a non-empty dict of name -> parameter overrides, e.g. "
            f"{{'SMOTE': {{'sampler': 'smote'}}}}; got {strategies!r}."
        )
    prefix = _prefix(base)
    candidates = {}
    for name, overrides in strategies.items():
        if not isinstance(overrides, Mapping):
            raise TypeError(
                f"Strategy {name!r} must map parameter names to values, e.g. "
                f"{{'sampler': 'smote'}}; got {overrides!r}."
            )
        params = {prefix + key: value for key, value in overrides.items()}
        try:
            candidates[str(name)] = clone(base).set_params(**params)
        except ValueError as exc:
            raise ValueError(f"Strategy {name!r}: {exc}") from exc
    return candidates


def _splits(cv, X, y, counts, minority, seed):
    """The train/test index pairs every strategy is evaluated on."""
    if isinstance(cv, Integral) and not isinstance(cv, bool):
        if cv < 2:
            raise ValueError(f"cv must be at least 2 folds; got cv={cv}.")
        if counts.min() < cv:
            raise ValueError(
                f"cv={cv} stratified folds need at least {cv} rows of each class, but the "
                f"minority class {minority!r} has {counts.min()}. Use cv={max(counts.min(), 2)} "
                "or fewer, or collect more minority rows."
            )
        splitter = StratifiedKFold(n_splits=cv, shuffle=True, random_state=seed)
    else:
        splitter = check_cv(cv, y, classifier=True)
    return list(splitter.split(X, y))


def _report_progress(i, n, name, row, scorers, seconds):
    """One line on stderr for a finished strategy: its first metric and collapse rate."""
    first = next(iter(scorers))
    print(
        f"[compare_strategies] {i}/{n} {name} ({seconds:.1f} s): {first} "
        f"{row[f'{first}_mean']:.3f} ± {row[f'{first}_std']:.3f}, collapsed in "
        f"{row[f'{COLLAPSED}_mean']:.0%} of folds",
        file=sys.stderr,
        flush=True,
    )


def _table(names, rows):
    """A DataFrame indexed by strategy, or a structured array without pandas."""
    try:
        import pandas as pd
    except ImportError:
        columns = list(rows[0])
        width = max(len(name) for name in names)
        dtype = [("strategy", f"U{width}")] + [(column, "f8") for column in columns]
        return np.array(
            [(name, *(row[column] for column in columns)) for name, row in zip(names, rows)],
            dtype=dtype,
        )
    return pd.DataFrame(rows, index=pd.Index(names, name="strategy"))
