"""BalancedBCEClassifier: a torch network for imbalanced binary data."""

import warnings
from numbers import Integral, Real

import numpy as np
import torch
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted, validate_data
from skorch.callbacks import ProgressBar
from skorch.helper import predefined_split

from ._compat import HasMethods, Interval, StrOptions, _fit_context
from ._data import BatchIterator, TrainingData, as_float32_tensor
from ._diagnostics import collapse_report, rows_to_check, warn_if_collapsed
from ._losses import build_loss
from ._modules import ACTIVATIONS, build_module, count_parameters
from ._net import (
    DivergenceGuard,
    FlaggedEarlyStopping,
    ImbalanceNet,
    dense_block_rows,
    fused_optimizer_params,
    predict_logits,
    validation_scoring,
)
from ._prior import logit, prior_shift
from ._samplers import BALANCED_BATCH, SAMPLER_ALIASES, make_sampler, resample
from ._threads import TRAINING_LOCK, choose_n_threads, prediction_threads, torch_threads
from ._threshold import tune_threshold
from ._validation import (
    binary_scorer_names,
    check_binary_target,
    check_sample_weight,
    class_weights,
    minority_code,
    n_validation_rows,
    plain_label,
    validation_split,
)
from ._verbose import training_plan
from ._warnings import user_stacklevel
from .exceptions import TrainingDivergedWarning

__all__ = ["BalancedBCEClassifier"]

OPTIMIZERS = {
    "adam": torch.optim.Adam,
    "adamw": torch.optim.AdamW,
    "sgd": torch.optim.SGD,
}
SAMPLING_STRATEGIES = {"auto", "minority", "not minority", "not majority", "all", "majority"}
VALIDATION_BATCH_ROWS = 8192


class BalancedBCEClassifier(ClassifierMixin, BaseEstimator):
    """A torch network trained with binary cross-entropy, built for imbalance.

    Every remedy for a network that collapses onto the majority class is a
    flat hyperparameter, so ``GridSearchCV`` and imbalanced-learn
    ``Pipeline`` tune them like ``C`` of a logistic regression. Training runs
    in skorch; resampling in imbalanced-learn; scoring in scikit-learn.

    ``fit`` takes, in this order: a stratified, shuffled, seeded validation
    split (only with ``early_stopping``); the sampler on the training part
    only; class weights from the labels the loss then sees; the network;
    skorch's training loop with shuffled batches, per-epoch validation
    scoring and early stopping that restores the best weights in memory.

    Parameters
    ----------
    hidden_layer_sizes : tuple of int, default=(64, 32)
        Widths of the hidden layers of the default MLP; ``()`` gives a linear
        model.
    activation : {"relu", "gelu", "tanh", "leaky_relu", "elu"}, default="relu"
        Non-linearity after each hidden layer. On the quality benchmark's six
        data sets "gelu" was as good or better on five (balanced accuracy up
        0.015-0.020 on abalone19 and synthetic_1pct) but lost 0.011 of average
        precision on page_blocks0 and fits about a quarter slower; "tanh" and
        "elu" lost up to 0.06 on digits and page_blocks0.
    dropout : float in [0, 1), default=0.0
        Dropout probability after each hidden activation.
    module : callable or None, default=None
        Your own network: an ``nn.Module`` subclass or a factory called as
        ``module(n_features_in, **module_params)``, returning a module that
        maps float32 ``(batch, n_features)`` to logits of shape ``(batch,)``
        or ``(batch, 1)``. When given, ``hidden_layer_sizes``, ``activation``
        and ``dropout`` are ignored; everything else applies.
    module_params : dict or None, default=None
        Keyword arguments for ``module``.
    sampler : None, str or sampler object, default=None
        Resampling of the training part (never of the validation split).
        An object with ``fit_resample`` (an imbalanced-learn sampler) is
        cloned in ``fit``; its nested parameters are tunable
        (``sampler__k_neighbors``), and a ``random_state`` left as None
        (its own or a nested sampler's) is derived from this estimator's.
        Strings: "random_over", "random_under", "smote", "borderline_smote",
        "adasyn", "smote_tomek", "smote_enn", "tomek", "near_miss",
        "edited_nn" (imbalanced-learn's samplers with their defaults), and
        "balanced_batch": every epoch draws mini-batches with replacement so
        that each class has an equal expected share, without a resampled
        copy of the data.
    sampling_strategy : float, str, dict or callable, default="auto"
        imbalanced-learn's ``sampling_strategy`` for a sampler given as a
        string; ignored for sampler objects (set theirs) and
        "balanced_batch". Samplers see the labels of ``y`` as given to
        ``fit``, so a dict is keyed by them (``{"no": 500}``) and a callable
        receives them.
    class_weight : None, "balanced" or dict, default="balanced"
        Per-class loss weights. "balanced" is ``n / (2 * n_c)``, computed on
        the labels the loss actually sees (after resampling; equal shares
        under "balanced_batch"), so resampling and weighting never correct
        twice. A dict is keyed by the labels of ``y``; a label left out gets
        weight 1. Applied as per-sample weights in a loss reduced as
        ``sum(w * l) / (batch rows * mean training weight)``, an unbiased
        estimate of the weighted mean loss over all training rows.
    loss : {"bce", "focal", "logit_adjusted"}, default="bce"
        Binary cross-entropy; focal loss (Lin et al., 2017,
        :class:`~imbbce.FocalLoss`); or logit-adjusted cross-entropy (Menon et
        al., 2021, :class:`~imbbce.LogitAdjustedLoss`), whose logits are
        shifted by ``tau * log(p1 / p0)`` of the training prior during
        training only. Class weights combine with each.
    focal_gamma : float >= 0, default=2.0
        Focusing parameter of the focal loss; 0 gives weighted BCE.
    tau : float >= 0, default=1.0
        Strength of the logit adjustment; 0 gives BCE.
    weight_decay : float >= 0, default=0.0
        L2 penalty on all parameters. With "adam" and "sgd" it is coupled
        (added to the gradient as ``weight_decay * w``, like adding
        ``weight_decay / 2 * ||w||^2`` to each batch's mean loss); scikit-learn's
        ``MLPClassifier(alpha=a)`` corresponds to about ``a / batch_size``.
        With "adamw" it is decoupled (Loshchilov & Hutter, 2019) and
        multiplied by the learning rate.
    l1 : float >= 0, default=0.0
        L1 penalty ``l1 * sum(|w|)`` on the weights of every linear layer
        (biases excluded), added to each training batch's loss.
    noise_std : float >= 0, default=0.0
        Gaussian noise added to each training batch, in units of each
        feature's standard deviation on the training part; never at predict
        time nor on the validation split.
    optimizer : {"adam", "adamw", "sgd"}, default="adam"
        "sgd" uses Nesterov momentum 0.9, as ``MLPClassifier`` does.
    learning_rate_init : float > 0, default=1e-3
        Learning rate.
    batch_size : int >= 1, default=256
        Rows per training batch.
    max_iter : int >= 1, default=100
        Maximum number of epochs: with early stopping an upper bound, without
        it the number of epochs trained, and then the regulariser: longer
        training ranks the minority better and calls fewer rows positive at
        the 0.5 threshold. 100 rather than 50 (the previous default) because
        it ranks better on five of the six benchmark sets and costs balanced
        accuracy on small minorities (``benchmarks/results/findings.md``,
        same folds, mean average precision / balanced accuracy after 50 and
        100 epochs: page_blocks0 0.915 / 0.950 and 0.923 / 0.954, yeast4
        0.415 / 0.802 and 0.428 / 0.797, abalone19 0.039 / 0.735 and
        0.048 / 0.717); a decision threshold can be moved afterwards (see
        ``threshold``), a ranking cannot. 200 overfits small minorities
        (abalone19 balanced accuracy 0.624 in an earlier run). Raise it when
        ``stop_reason_`` is "max_iter" and ``best_epoch_`` is near the end.
    early_stopping : bool or "auto", default="auto"
        True: hold out a stratified validation split of ``validation_fraction``
        before any resampling, score it after every epoch, stop after
        ``n_iter_no_change`` epochs without an improvement larger than
        ``tol``, and restore the best epoch's weights (kept in memory). When
        the smaller class cannot be placed, with weight, on both sides,
        training runs without the split and a warning says so. False: train
        on all rows for ``max_iter`` epochs. "auto" (as scikit-learn's
        ``HistGradientBoostingClassifier`` has one, there by row count): True
        when the split would hold at least 50 minority rows (about 500 in
        the data with ``validation_fraction=0.1``) or ``threshold="auto"``
        needs it, False otherwise; ``early_stopping_`` says which.

        Why "auto", from ``benchmarks/`` (same splits and seeds): a split
        with a handful of minority rows picks the epoch by noise (yeast4,
        4 validation minority rows: restored epochs from 1 to 195; abalone19,
        2-3 rows: a fold restored epoch 1 and found no minority row), and it
        takes a tenth of an already small minority away from training. With
        14-45 validation minority rows (digits, breast cancer, page_blocks0,
        a 20k-row synthetic set) training on all rows for 50 or 100 epochs
        was as good or better (digits: mean balanced accuracy 0.952 and
        0.950 against 0.942 with the split) except in the synthetic set's
        balanced accuracy (0.833 and 0.824 against 0.852), so the bar is 50,
        above every set measured.
    validation_fraction : float in (0, 1), default=0.1
        Share of each class's rows held out for early stopping (at least
        one row of each class).
    n_iter_no_change : int >= 1, default=20
        Patience, in epochs. 20 rather than scikit-learn's 10: a score on a
        validation split with a few dozen minority rows wobbles for several
        epochs before it improves again (``benchmarks/results/findings.md``:
        with 10, average precision on digits 0.920, with 20, 0.965).
    tol : float >= 0, default=1e-4
        Minimum improvement of the validation score that counts. An epoch
        whose score is within ``tol`` of the best and whose validation loss
        is lower by more than ``tol`` counts as an improvement too.
    scoring : str or callable, default="auto"
        What early stopping watches: "loss" (the weighted validation loss),
        the name of any scikit-learn scorer that works on binary
        probabilities or labels ("average_precision", "roc_auc",
        "balanced_accuracy", "f1", ...; regression and clustering scorers
        are refused), or "auto": "average_precision"
        when the validation split holds at least 10 minority rows, "loss"
        otherwise (``scoring_`` says which). A scorer named by a string
        treats the minority class as positive, whichever label it has (the
        later label, ``classes_[1]``, when both are the same size). A
        callable ``scorer(estimator, X, y)`` (e.g. from
        :func:`~sklearn.metrics.make_scorer`; greater is better) gets the
        validation labels as given to ``fit`` and an estimator answering
        with this model's outputs; its own ``pos_label`` says which class
        is positive.

        Why "auto", from ``benchmarks/results/findings.md`` (six data sets,
        same splits): with a handful of minority rows in the validation
        split a ranking score picks epochs by noise, often one of the
        first, whose weights then miss the minority (abalone19, 2-3
        validation minority rows: mean balanced accuracy 0.657 with average
        precision, 0.716 with the loss), while the loss uses every row. Where the minority is
        plentiful the weighted loss stops too early for ranking, because it
        rises with overconfidence while the ranking still improves (20k rows
        with 1 % positives, 16 validation minority rows: average precision
        0.634 with the loss, 0.725 with average precision).
    threshold : float in (0, 1) or "auto", default=0.5
        Probability of ``classes_[1]`` above which ``predict`` returns it.
        "auto" chooses, after training, the threshold that maximises
        ``threshold_scoring`` on the validation split, so it needs one: it
        turns ``early_stopping="auto"`` on whatever the number of minority
        rows (the model then trains on the other rows and stops early, so
        its probabilities differ from a numeric threshold's), and it is an
        error with ``early_stopping=False``; there, use
        :class:`~sklearn.model_selection.TunedThresholdClassifierCV`. When
        no split can be made (a single minority row, or ``sample_weight``
        leaving a class without weight on one side), a warning says so and
        the threshold is chosen on the training rows.
    threshold_scoring : str or callable, default="f1"
        A scikit-learn scorer on labels, maximised by ``threshold="auto"``
        ("f1", "balanced_accuracy", "matthews_corrcoef", "recall", ...).
        Scorers of probabilities or rankings ("roc_auc", "neg_log_loss") do
        not change with the threshold and are refused. A callable scorer is
        called as for ``scoring``.
    prior_correction : bool, default=False
        Undo the shift in log-odds that class weights, resampling, balanced
        batches and logit adjustment put into the model (Bayes' rule), so
        that ``predict_proba`` estimates the real base rate again. Rankings
        do not change; calibration improves. ``predict`` then thresholds the
        corrected probabilities.
    device : {"cpu", "cuda", "auto"}, default="cpu"
        Where to train. "auto" takes CUDA when available.
    n_threads : int >= 1 or None, default=None
        torch threads used during ``fit`` and prediction; torch's global
        setting is restored afterwards. None chooses: one thread for networks
        whose batch costs under 5e7 multiply-adds (threads slow small
        networks down and oversubscribe under ``n_jobs``), otherwise torch's
        default, which honours ``OMP_NUM_THREADS``; prediction then uses
        that many, never more than torch's setting at the time.
    random_state : int, RandomState instance or None, default=None
        Seeds the split, the sampler, the initial weights, dropout, batch
        order and noise. The same int gives bit-identical ``predict_proba``
        on CPU. torch's global random state is left as it was. Since that
        state is process-wide, fits started from several threads of one
        process take turns (see Notes).
    verbose : int, default=0
        0 is silent; 1 prints a line saying how training will run (rows,
        epochs, and what early stopping watches: the ``valid_score``
        column's score), then one line per epoch (epoch, train loss,
        validation loss and score, seconds; each column's best value in
        colour on a terminal), and when early stopping ends training, the
        epoch it restores; 2 adds a progress bar over the batches of each
        epoch.

    Attributes
    ----------
    classes_ : ndarray of shape (2,)
        The two labels; the positive class is ``classes_[1]``.
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Column names, when ``X`` was a DataFrame with string column names.
    net_ : ImbalanceNet
        The fitted skorch net; its module is ``net_.module_``.
    history_ : skorch.History
        One record per epoch: ``epoch``, ``train_loss``, ``valid_loss``,
        ``valid_score``, ``dur`` (seconds). Per-batch records are dropped
        after ``fit`` to keep the estimator small.
    n_iter_ : int
        Epochs run to their end (an epoch in which training diverged or was
        interrupted is not counted, and has no row in ``history_``).
    best_epoch_ : int
        Epoch whose weights the model holds.
    sampler_ : sampler object or None
        The fitted sampler (built from the alias, or a clone of the object
        passed, with the ``random_state`` it was given); None without a
        resampling sampler (``None`` or ``"balanced_batch"``). Like a fitted
        imbalanced-learn ``Pipeline``, it keeps what the sampler keeps:
        SMOTE's and NearMiss's neighbour index holds minority training rows,
        random over/under-sampling one index per resampled row, so a pickle
        of the estimator carries them too. Prediction does not use it: set
        ``clf.sampler_ = None`` before saving a model that must not carry
        training rows.
    class_weight_ : ndarray of shape (2,)
        Class weights used in the loss, in the order of ``classes_``.
    threshold_ : float
        The decision threshold ``predict`` uses.
    prior_shift_ : float
        Log-odds added to the real-data logit by the imbalance remedies;
        subtracted when ``prior_correction=True``.
    diagnostics_ : dict
        How the fitted model predicts the minority class on the validation
        split, or without one on the training rows as given (before any
        resampling): beyond 20,000 training rows on a stratified draw of
        20,000 (every minority row, up to 10,000), with rates weighted back
        to all rows (``n_checked`` says how many were predicted); see
        :class:`~imbbce.MajorityCollapseWarning`. After divergence it is
        recorded, but only the divergence warning is emitted.
    device_ : str
        The device the module lives on.
    n_threads_ : int
        torch threads used by ``fit``; prediction uses as many at most.
    early_stopping_ : bool
        Whether training held out a validation split and stopped early on it
        (``early_stopping`` with "auto" resolved; False when the split could
        not be made).
    scoring_ : str, callable or None
        What early stopping watched: ``scoring``, with "auto" resolved;
        None without a validation split.
    stop_reason_ : str
        "max_iter", "early_stopping", "diverged" or "interrupted".

    See Also
    --------
    sklearn.neural_network.MLPClassifier : no class weights, early stopping
        on accuracy.
    skorch.NeuralNetBinaryClassifier : the training loop this builds on.

    Notes
    -----
    **Faults during fit.** When the loss or the weights stop being finite,
    training stops, the last good weights are restored (the best epoch's
    with early stopping) and a :class:`~imbbce.TrainingDivergedWarning` says
    what to change. A ``KeyboardInterrupt`` (Ctrl-C) during training, once
    at least one epoch has finished, ends ``fit`` normally: the estimator
    holds the weights of the best finished epoch (with early stopping) or of
    the last one, ``stop_reason_`` is "interrupted", ``history_`` lists the
    finished epochs only, and a warning says so. Interrupted in the first
    epoch, or anywhere outside the training loop, ``fit`` re-raises it. A
    ``fit`` that raises leaves the estimator unfitted, except for a
    parameter outside its allowed values or type
    (``sklearn.utils._param_validation.InvalidParameterError``): that is
    refused before ``fit`` starts, and a previous fit is kept, as in
    scikit-learn.

    **Threads.** torch's random generator and its thread setting belong to
    the process, not to a thread. Fits started from several threads of one
    process (joblib's "threading" backend, a thread pool, a Dask worker
    with several threads) therefore take turns training, so that each
    draws only its own random numbers and the same ``random_state`` gives
    the same model; fits in separate processes (joblib's default backend,
    Dask workers with one thread each) run in parallel. Prediction is not
    serialised: a fitted estimator predicts from several threads at once.

    **Saving and loading.** Fitted or not, the estimator round-trips through
    ``pickle`` and ``joblib`` with identical predictions, alone or inside a
    ``Pipeline`` or ``GridSearchCV``. The pickle holds the network's weights
    and optimizer state but not the training data: the validation split and
    the per-batch history are dropped at the end of ``fit``. The one
    exception is a fitted ``sampler_`` that keeps rows (SMOTE, NearMiss; see
    ``sampler_``): set ``clf.sampler_ = None`` before saving. Loading a
    pickle (or a joblib file) runs code chosen by whoever wrote it: load
    only files from sources you trust. To share the weights alone, save
    ``clf.net_.module_.state_dict()`` with ``torch.save``; ``torch.load(path,
    weights_only=True)`` reads it back without running code, into a module of
    the same architecture (``imbbce.MLP(n_features_in_,
    hidden_layer_sizes)`` for the default one), as in the example below.
    skorch's ``clf.net_.save_params(f_params=path)`` and ``load_params``
    (which also loads with ``weights_only=True``) do the same for an
    estimator already fitted with the same architecture. The logit of
    ``classes_[1]`` is the module's output, minus ``prior_shift_`` when
    ``prior_correction=True``; keep ``classes_`` and ``threshold_`` next to
    the weights.

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from imbbce import BalancedBCEClassifier
    >>> X, y = make_classification(n_samples=600, weights=[0.95], random_state=0)
    >>> clf = BalancedBCEClassifier(max_iter=20, random_state=0).fit(X, y)
    >>> clf.predict_proba(X[:2]).shape
    (2, 2)

    The weights alone, saved and loaded without pickle:

    >>> import io
    >>> import numpy as np
    >>> import torch
    >>> from imbbce import MLP
    >>> buffer = io.BytesIO()  # or a path
    >>> torch.save(clf.net_.module_.state_dict(), buffer)
    >>> _ = buffer.seek(0)
    >>> module = MLP(clf.n_features_in_, hidden_layer_sizes=(64, 32)).eval()
    >>> _ = module.load_state_dict(torch.load(buffer, weights_only=True))
    >>> with torch.no_grad():
    ...     proba = torch.sigmoid(module(torch.as_tensor(X[:2], dtype=torch.float32)))
    >>> bool(np.allclose(proba.numpy(), clf.predict_proba(X[:2])[:, 1], atol=1e-6))
    True
    """

    _parameter_constraints = {
        "hidden_layer_sizes": ["array-like", Interval(Integral, 1, None, closed="left")],
        "activation": [StrOptions(set(ACTIVATIONS))],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "module": [None, callable],
        "module_params": [None, dict],
        "sampler": [
            None,
            StrOptions(set(SAMPLER_ALIASES) | {BALANCED_BATCH}),
            HasMethods(["fit_resample"]),
        ],
        "sampling_strategy": [
            Interval(Real, 0, 1, closed="right"),
            StrOptions(SAMPLING_STRATEGIES),
            dict,
            callable,
        ],
        "class_weight": [None, StrOptions({"balanced"}), dict],
        "loss": [StrOptions({"bce", "focal", "logit_adjusted"})],
        "focal_gamma": [Interval(Real, 0, None, closed="left")],
        "tau": [Interval(Real, 0, None, closed="left")],
        "weight_decay": [Interval(Real, 0, None, closed="left")],
        "l1": [Interval(Real, 0, None, closed="left")],
        "noise_std": [Interval(Real, 0, None, closed="left")],
        "optimizer": [StrOptions(set(OPTIMIZERS))],
        "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "early_stopping": ["boolean", StrOptions({"auto"})],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "scoring": [StrOptions(binary_scorer_names() | {"loss", "auto"}), callable],
        "threshold": [Interval(Real, 0, 1, closed="neither"), StrOptions({"auto"})],
        "threshold_scoring": [StrOptions(binary_scorer_names(labels_only=True)), callable],
        "prior_correction": ["boolean"],
        "device": [StrOptions({"cpu", "cuda", "auto"})],
        "n_threads": [None, Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        *,
        hidden_layer_sizes=(64, 32),
        activation="relu",
        dropout=0.0,
        module=None,
        module_params=None,
        sampler=None,
        sampling_strategy="auto",
        class_weight="balanced",
        loss="bce",
        focal_gamma=2.0,
        tau=1.0,
        weight_decay=0.0,
        l1=0.0,
        noise_std=0.0,
        optimizer="adam",
        learning_rate_init=1e-3,
        batch_size=256,
        max_iter=100,
        early_stopping="auto",
        validation_fraction=0.1,
        n_iter_no_change=20,
        tol=1e-4,
        scoring="auto",
        threshold=0.5,
        threshold_scoring="f1",
        prior_correction=False,
        device="cpu",
        n_threads=None,
        random_state=None,
        verbose=0,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.dropout = dropout
        self.module = module
        self.module_params = module_params
        self.sampler = sampler
        self.sampling_strategy = sampling_strategy
        self.class_weight = class_weight
        self.loss = loss
        self.focal_gamma = focal_gamma
        self.tau = tau
        self.weight_decay = weight_decay
        self.l1 = l1
        self.noise_std = noise_std
        self.optimizer = optimizer
        self.learning_rate_init = learning_rate_init
        self.batch_size = batch_size
        self.max_iter = max_iter
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.scoring = scoring
        self.threshold = threshold
        self.threshold_scoring = threshold_scoring
        self.prior_correction = prior_correction
        self.device = device
        self.n_threads = n_threads
        self.random_state = random_state
        self.verbose = verbose

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = False
        tags.input_tags.sparse = True
        return tags

    def __setstate__(self, state):
        """Unpickle; a model fitted on a GPU loads on a machine without one.

        skorch's net (unpickled first) moves its tensors to the CPU and warns
        with :class:`skorch.exceptions.DeviceWarning`; ``device_`` follows it,
        so prediction runs on the CPU.
        """
        super().__setstate__(state)
        net = self.__dict__.get("net_")
        if net is not None and self.__dict__.get("device_") != "cpu":
            self.device_ = str(net.device)

    # ------------------------------------------------------------------ fit

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y, sample_weight=None):
        """Train the network.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data: numpy arrays, pandas DataFrames or SciPy CSR/CSC
            matrices of any numeric dtype (trained in float32; sparse data is
            densified one batch at a time).
        y : array-like of shape (n_samples,)
            Two labels of any type (ints, strings, bools).
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative row weights, multiplied into the loss. They follow
            their rows through the validation split and the sampler: rows a
            sampler selects keep their weights; synthetic rows (SMOTE and
            its variants) get the mean weight of their class's original rows.
            When the rows a sampler keeps of a class all have weight 0, ``fit``
            raises ``ValueError`` rather than train on one class's weight.

        Returns
        -------
        self : BalancedBCEClassifier
        """
        try:
            return self._fit(X, y, sample_weight)
        except BaseException:
            # A failed or interrupted fit leaves an unfitted estimator, not a
            # mix of this fit's attributes and a previous fit's.
            self._forget_fit()
            raise

    def _forget_fit(self):
        """Delete every fitted attribute."""
        for name in list(vars(self)):
            if (name.endswith("_") and not name.startswith("__")) or name == "_minority":
                delattr(self, name)

    def _fit(self, X, y, sample_weight):
        hidden = self._check_hidden_layer_sizes()
        X, y = validate_data(
            self,
            X,
            y,
            accept_sparse=("csr", "csc"),
            dtype=(np.float32, np.float64),
            ensure_all_finite=True,
        )
        self.classes_, y_enc = check_binary_target(y)
        weights = check_sample_weight(sample_weight, y_enc, self.classes_)
        if self.threshold == "auto" and self.early_stopping != "auto" and not self.early_stopping:
            raise ValueError(
                "threshold='auto' chooses the threshold on the validation split, which "
                "exists only with early_stopping=True. Set early_stopping=True, or keep a "
                "numeric threshold and wrap the estimator in "
                "sklearn.model_selection.TunedThresholdClassifierCV."
            )
        self.device_ = self._resolve_device()
        rng = check_random_state(self.random_state)
        split_seed, sampler_seed, torch_seed, batch_seed = (
            int(s) for s in rng.randint(np.iinfo(np.int32).max, size=4)
        )
        X_all = as_float32_tensor(X)

        split = (
            validation_split(
                y_enc,
                self.validation_fraction,
                split_seed,
                weights,
                for_threshold=self.threshold == "auto",
            )
            if resolve_early_stopping(
                self.early_stopping, self.threshold, y_enc, self.validation_fraction
            )
            else None
        )
        self.early_stopping_ = split is not None
        train_rows = None if split is None else split[0]
        train_y = y_enc if train_rows is None else y_enc[train_rows]
        train_w = weights
        if weights is not None and train_rows is not None:
            train_w = weights[train_rows]
        self._minority = minority_code(train_y)

        train_data, seen = self._training_data(
            X_all, y_enc, weights, train_rows, train_y, train_w, sampler_seed
        )
        valid_data = None
        self.scoring_ = None
        if split is not None:
            valid_rows = split[1]
            n_valid_minority = int((y_enc[valid_rows] == self._minority).sum())
            self.scoring_ = resolve_scoring(self.scoring, n_valid_minority)
            valid_w = None if weights is None else weights[valid_rows]
            valid_data = self._dataset(X_all, y_enc, weights, torch.from_numpy(valid_rows))
            valid_data.sample_weight = valid_w
            checked = valid_data
        else:
            # Without a split the checks after training see every row as
            # given: resampled ones would judge collapse and tune a threshold
            # on synthetic rows at the sampler's class balance. Without a
            # sampler the training data are those rows (no second weights).
            checked = train_data
            if self.sampler_ is not None:
                checked = self._dataset(X_all, y_enc, weights, None)
            checked.sample_weight = weights

        if self.verbose:
            print(
                training_plan(
                    len(train_y),
                    None if split is None else len(split[1]),
                    None if split is None else n_valid_minority,
                    self.scoring_,
                    plain_label(self.classes_[self._minority]),
                    self.max_iter,
                )
            )

        real_prior = _weighted_share(train_y, train_w)
        loss_shift = 0.0
        if self.loss == "logit_adjusted":
            loss_shift = self.tau * logit(seen)
        self.prior_shift_ = prior_shift(real_prior, seen, self.class_weight_, loss_shift)

        noise_scale = None
        if self.noise_std > 0:
            noise_scale = self.noise_std * _feature_std(X_all, train_rows)

        with TRAINING_LOCK, torch.random.fork_rng(devices=self._rng_devices()):
            torch.manual_seed(torch_seed)
            module = build_module(self, self.n_features_in_, hidden)
            self.n_threads_ = choose_n_threads(
                self.n_threads, count_parameters(module), self.batch_size
            )
            criterion = build_loss(
                self.loss,
                focal_gamma=self.focal_gamma,
                tau=self.tau,
                prior=seen,
                weight_scale=mean_weight(train_data),
            )
            self.net_ = self._build_net(module, criterion, valid_data, noise_scale, batch_seed)
            with torch_threads(self.n_threads_):
                self.net_.fit(train_data, None)
                self._finish_training(checked, on_validation=split is not None)
        return self

    def _check_hidden_layer_sizes(self):
        sizes = self.hidden_layer_sizes
        sizes = (sizes,) if isinstance(sizes, Integral) else tuple(sizes)
        if not all(isinstance(s, Integral) and not isinstance(s, bool) and s >= 1 for s in sizes):
            raise ValueError(
                "hidden_layer_sizes must be a tuple of positive ints, got "
                f"{self.hidden_layer_sizes!r}."
            )
        return sizes

    def _resolve_device(self):
        if self.device == "auto":
            return "cuda" if torch.cuda.is_available() else "cpu"
        if self.device == "cuda" and not torch.cuda.is_available():
            raise ValueError(
                "device='cuda' was requested, but torch.cuda.is_available() is False: this "
                "torch build or machine has no usable GPU. Use device='cpu', or device='auto' "
                "to take a GPU only when there is one."
            )
        return self.device

    def _rng_devices(self):
        return [torch.cuda.current_device()] if self.device_ == "cuda" else []

    def _dataset(self, X_all, y_enc, weights, rows):
        """A TrainingData whose loss weights are sample weight x class weight."""
        row_weight = self.class_weight_[y_enc]
        if weights is not None:
            row_weight = row_weight * weights
        return TrainingData(
            X_all,
            torch.from_numpy(y_enc.astype(np.float32)),
            torch.from_numpy(row_weight.astype(np.float32)),
            rows=rows,
        )

    def _training_data(self, X_all, y_enc, weights, train_rows, train_y, train_w, seed):
        """Resample the training part; set ``sampler_`` and ``class_weight_``.

        Returns the training dataset and the positive share the loss sees.
        """
        self.sampler_ = make_sampler(self.sampler, self.sampling_strategy, seed)
        if self.sampler_ is None:
            balanced = self.sampler == BALANCED_BATCH
            seen_y = np.array([0, 1]) if balanced else train_y
            self.class_weight_ = class_weights(self.class_weight, self.classes_, seen_y)
            rows = None if train_rows is None else torch.from_numpy(train_rows)
            data = self._dataset(X_all, y_enc, weights, rows)
            if balanced:
                # Each class is drawn half the time; sample weights then scale
                # each class by its mean weight.
                if train_w is None:
                    return data, 0.5
                means = [train_w[train_y == c].mean() for c in (0, 1)]
                return data, means[1] / (means[0] + means[1])
            return data, _weighted_share(train_y, train_w)
        if isinstance(X_all, torch.Tensor):
            X_train = X_all.numpy() if train_rows is None else X_all.numpy()[train_rows]
        else:
            X_train = X_all if train_rows is None else X_all[train_rows]
        X_res, y_res, w_res = resample(self.sampler_, X_train, train_y, train_w, self.classes_)
        if len(np.unique(y_res)) < 2:
            raise ValueError(
                f"The sampler {type(self.sampler_).__name__} left a single class in the "
                "training data; choose a sampling_strategy that keeps both classes."
            )
        self.class_weight_ = class_weights(self.class_weight, self.classes_, y_res)
        data = self._dataset(as_float32_tensor(X_res), y_res.astype(np.int64), w_res, None)
        return data, _weighted_share(y_res, w_res)

    def _build_net(self, module, criterion, valid_data, noise_scale, batch_seed):
        callbacks = []
        optimizer_params = {"optimizer__weight_decay": self.weight_decay}
        if self.optimizer == "sgd":
            optimizer_params.update(optimizer__momentum=0.9, optimizer__nesterov=True)
        has_valid = valid_data is not None
        if has_valid and self.scoring_ != "loss":
            threshold_logit = 0.0 if self.threshold == "auto" else logit(self.threshold)
            scorer = validation_scoring(
                self.scoring_, self._minority, threshold_logit, self.classes_
            )
            callbacks.append(("valid_score", scorer))
        callbacks.append(("divergence_guard", DivergenceGuard(keep_each_epoch=not has_valid)))
        if has_valid:
            monitor = "valid_loss" if self.scoring_ == "loss" else "valid_score"
            callbacks.append(
                (
                    "early_stopping",
                    FlaggedEarlyStopping(
                        monitor=monitor,
                        patience=self.n_iter_no_change,
                        threshold=self.tol,
                        threshold_mode="abs",
                        lower_is_better=self.scoring_ == "loss",
                        load_best=True,
                        # With verbose, skorch says when it stops and which
                        # epoch it restores.
                        sink=print if self.verbose else _silent,
                    ),
                )
            )
        if self.verbose >= 2:
            callbacks.append(("progress_bar", ProgressBar()))
        if not self.verbose:
            # PrintLog formats a table after every epoch even when silent.
            optimizer_params["callbacks__print_log"] = None
        optimizer_params.update(fused_optimizer_params(module, self.device_))
        return ImbalanceNet(
            module=module,
            criterion=criterion,
            optimizer=OPTIMIZERS[self.optimizer],
            lr=self.learning_rate_init,
            max_epochs=self.max_iter,
            batch_size=self.batch_size,
            iterator_train=BatchIterator,
            iterator_train__shuffle=True,
            iterator_train__balanced=self.sampler == BALANCED_BATCH,
            iterator_train__noise_scale=noise_scale,
            iterator_train__seed=batch_seed,
            iterator_valid=BatchIterator,
            iterator_valid__batch_size=validation_batch_rows(self.batch_size, self.n_features_in_),
            train_split=predefined_split(valid_data) if has_valid else None,
            callbacks=callbacks,
            device=self.device_,
            verbose=int(self.verbose),
            l1=self.l1,
            **optimizer_params,
        )

    def _finish_training(self, checked, on_validation):
        """Record how training ended, tune the threshold, check for collapse.

        ``checked``: the validation split (``on_validation``), or else every
        training row as given, before any resampling.
        """
        net = self.net_
        callbacks = dict(net.callbacks_)
        guard = callbacks["divergence_guard"]
        stopper = callbacks.get("early_stopping")
        self.n_iter_ = len(net.history)
        if guard.diverged_epoch_ is not None or net.interrupted_:
            self.stop_reason_ = "diverged" if guard.diverged_epoch_ is not None else "interrupted"
            # The epoch that diverged or was interrupted did not finish: its
            # history row is partial and its weights were replaced by the
            # last good ones.
            self.n_iter_ = guard.finished_epochs_
            del net.history[self.n_iter_ :]
        elif stopper is not None and stopper.stopped_:
            self.stop_reason_ = "early_stopping"
        else:
            self.stop_reason_ = "max_iter"

        if stopper is not None and stopper.best_model_weights_ is not None:
            self.best_epoch_ = int(stopper.best_epoch_)
        elif guard.diverged_epoch_ is not None or net.interrupted_:
            self.best_epoch_ = int(guard.good_epoch_)
        else:
            self.best_epoch_ = self.n_iter_
        stopper_best = stopper.best_epoch_ if stopper is not None else None
        if stopper is not None:
            stopper.best_model_weights_ = None  # the module holds them now

        if self.stop_reason_ == "diverged":
            warnings.warn(
                f"Training diverged in epoch {guard.diverged_epoch_}: the loss or the weights "
                "became NaN, infinite or larger than 1e6. Training stopped and the weights of "
                f"epoch {stopper_best if stopper_best else self.best_epoch_} were restored "
                f"(epoch 0 means the initial weights). Lower learning_rate_init (now "
                f"{self.learning_rate_init}), or scale the features.",
                TrainingDivergedWarning,
                stacklevel=user_stacklevel(),
            )
        elif self.stop_reason_ == "interrupted":
            if self.best_epoch_ == 0:
                # Not one epoch finished: there are no trained weights to keep.
                raise KeyboardInterrupt
            warnings.warn(
                f"fit was interrupted (KeyboardInterrupt) in epoch {self.n_iter_ + 1} of "
                f"{self.max_iter}; the estimator is fitted with the weights of epoch "
                f"{self.best_epoch_}, the {'best' if stopper is not None else 'last'} of "
                f"the {self.n_iter_} finished epoch(s).",
                UserWarning,
                stacklevel=user_stacklevel(),
            )

        # Prediction then never switches the module's mode: predict_logits
        # toggling a shared module between train and eval mode let one thread
        # predict with dropout active while another was predicting.
        net.module_.eval()
        net.train_split = None  # drops the reference to the validation data
        for row in net.history:
            row["batches"] = []
        self.history_ = net.history

        y_checked = checked.targets.numpy().astype(np.int64)
        positions, stands_for = None, None
        if not on_validation and self.threshold != "auto":
            # tune_threshold needs every row; the collapse check does not.
            positions, stands_for = rows_to_check(y_checked, self._minority)
        if positions is None:
            features = checked.features()
        else:
            # A stratified draw of the training rows; rates are weighted back.
            y_checked = y_checked[positions]
            features = checked.features(torch.from_numpy(positions))
        logits = predict_logits(net.module_, features, self.device_)
        if self.prior_correction:
            logits = logits - self.prior_shift_
        if self.threshold == "auto":
            self.threshold_ = tune_threshold(
                logits,
                y_checked,
                self.threshold_scoring,
                self._minority,
                getattr(checked, "sample_weight", None),
                classes=self.classes_,
            )
        else:
            self.threshold_ = float(self.threshold)
        predicted = (logits > logit(self.threshold_)).astype(np.int64)
        self.diagnostics_ = collapse_report(
            y_checked,
            predicted,
            self._minority,
            "validation" if on_validation else "training",
            sample_weight=stands_for,
        )
        if self.stop_reason_ != "diverged":  # its own warning names the cause
            settings = {**self.get_params(deep=False), "stop_reason": self.stop_reason_}
            warn_if_collapsed(
                self.diagnostics_, plain_label(self.classes_[self._minority]), settings
            )

    # -------------------------------------------------------------- predict

    def _logits(self, X):
        check_is_fitted(self)
        X = validate_data(
            self,
            X,
            accept_sparse=("csr", "csc"),
            dtype=(np.float32, np.float64),
            ensure_all_finite=True,
            reset=False,
        )
        with torch_threads(prediction_threads(self.n_threads, self.n_threads_)):
            logits = predict_logits(self.net_.module_, as_float32_tensor(X), self.device_)
        logits = logits.astype(np.float64)
        if self.prior_correction:
            logits = logits - self.prior_shift_
        return logits

    def decision_function(self, X):
        """Logit of ``classes_[1]`` minus the logit of ``threshold_``.

        Positive exactly where :meth:`predict` returns ``classes_[1]``; with
        ``threshold_ == 0.5`` it is the network's logit.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,)
        """
        return self._logits(X) - logit(self.threshold_)

    def predict_proba(self, X):
        """Class probabilities, columns in the order of ``classes_``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, 2)
        """
        positive = _sigmoid(self._logits(X))
        return np.column_stack([1.0 - positive, positive])

    def predict(self, X):
        """``classes_[1]`` where its probability exceeds ``threshold_``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,)
        """
        positive = self.decision_function(X) > 0
        return self.classes_[positive.astype(np.int64)]


def _sigmoid(z):
    """Logistic function without overflow warnings for large ``|z|``."""
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def validation_batch_rows(batch_size, n_features):
    """Rows per validation batch: large for speed, but each densified batch
    stays within :data:`~imbbce._net.DENSE_BLOCK_BYTES` (never below the
    training batch)."""
    return max(batch_size, min(VALIDATION_BATCH_ROWS, dense_block_rows(n_features)))


#: Fewest minority rows in the validation split for which ``scoring="auto"``
#: watches average precision (with fewer, the weighted validation loss).
MIN_SCORING_MINORITY = 10

#: Fewest minority rows the validation split would hold for which
#: ``early_stopping="auto"`` holds it out (with fewer, training uses all rows).
MIN_EARLY_STOPPING_MINORITY = 50


def resolve_early_stopping(early_stopping, threshold, y_enc, fraction):
    """Whether ``fit`` holds out a validation split, with ``"auto"`` resolved.

    ``"auto"`` holds one out when it would hold at least
    :data:`MIN_EARLY_STOPPING_MINORITY` minority rows, or when
    ``threshold="auto"`` needs it. Fewer minority rows choose the epoch by
    noise (``benchmarks/defaults.py``: yeast4, 4 validation minority rows,
    restored epochs from 1 to 195), and holding them out takes a tenth of
    an already small minority from training: on the four benchmark sets
    whose split holds 14-45 minority rows, training on all rows for
    ``max_iter`` epochs was as good or better in mean average precision and
    balanced accuracy (``benchmarks/results/findings.md``).
    """
    if early_stopping != "auto":
        return bool(early_stopping)
    if threshold == "auto":
        return True
    n_minority = int(np.bincount(y_enc, minlength=2).min())
    if n_minority < 2:
        return False
    return n_validation_rows(n_minority, fraction) >= MIN_EARLY_STOPPING_MINORITY


def resolve_scoring(scoring, n_valid_minority):
    """The score early stopping watches, with ``"auto"`` resolved.

    Average precision ranks the minority rows among the others: with fewer
    than :data:`MIN_SCORING_MINORITY` of them it moves by whole steps
    from one epoch to the next and picks epochs by noise, while the weighted
    validation loss uses every row.
    """
    if scoring != "auto":
        return scoring
    if n_valid_minority >= MIN_SCORING_MINORITY:
        return "average_precision"
    return "loss"


def mean_weight(data):
    """Mean loss weight of ``data``'s rows, the constant the loss divides by
    (1.0 when every weight is zero, so the loss stays finite)."""
    mean = float(data.row_weights.double().mean())
    return mean if mean > 0 else 1.0


def _weighted_share(y, weights):
    """Share of positives in ``y``, weighted; clipped away from 0 and 1."""
    if weights is None:
        share = float(np.mean(y))
    else:
        share = float(np.sum(weights[y == 1]) / np.sum(weights))
    return float(np.clip(share, 1e-6, 1 - 1e-6))


#: Rows per block when ``_feature_std`` sums over dense training rows.
STD_BLOCK_ROWS = 65_536


def _feature_std(X_all, rows):
    """Per-feature standard deviation of the training rows, as a tensor.

    Dense rows are summed in float64 blocks of :data:`STD_BLOCK_ROWS` (two
    passes: mean, then squared deviations), so no copy of the training rows
    is made.
    """
    if isinstance(X_all, torch.Tensor):
        index = None if rows is None else torch.from_numpy(rows)
        n = X_all.shape[0] if index is None else len(index)

        def blocks():
            for start in range(0, n, STD_BLOCK_ROWS):
                stop = min(start + STD_BLOCK_ROWS, n)
                part = X_all[start:stop] if index is None else X_all[index[start:stop]]
                yield part.double()

        mean = sum(block.sum(dim=0) for block in blocks()) / n
        squares = sum(((block - mean) ** 2).sum(dim=0) for block in blocks())
        return (squares / n).sqrt().float()
    part = X_all if rows is None else X_all[rows]
    mean = np.asarray(part.mean(axis=0)).ravel()
    mean_sq = np.asarray(part.multiply(part).mean(axis=0)).ravel()
    return torch.from_numpy(np.sqrt(np.maximum(mean_sq - mean**2, 0.0)).astype(np.float32))


def _silent(*args, **kwargs):
    """A sink for skorch callbacks that prints nothing (picklable, unlike a lambda)."""
