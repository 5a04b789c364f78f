"""BalancedBCEClassifier: a torch network for imbalanced binary data."""

import warnings
from numbers import Integral, Real
from typing import NamedTuple

import numpy as np
import torch
from scipy.special import expit
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from ._calibration import fit_sigmoid, fit_temperature
from ._checks import (
    check_binary_target,
    check_hidden_layer_sizes,
    check_sample_weight,
    minority_code,
    plain_label,
    resolve_device,
)
from ._compat import HasMethods, Interval, StrOptions, _fit_context
from ._data import as_float32_tensor, feature_std, weighted_dataset
from ._diagnostics import checked_logits, collapse_report, warn_about_outcome, warn_if_collapsed
from ._embeddings import EMBEDDINGS, quantile_bins
from ._encoder import SCALINGS, TableEncoder
from ._inference import predict_logits
from ._losses import build_loss
from ._modules import ACTIVATIONS, build_module, count_parameters
from ._net import (
    OPTIMIZERS,
    EarlyStoppingPlan,
    make_net,
    release_training_state,
    training_outcome,
)
from ._prior import logit, positive_share, prior_shift
from ._samplers import BALANCED_BATCH, SAMPLER_ALIASES, make_sampler
from ._scoring import binary_scorer_names, resolve_scoring
from ._split import resolve_early_stopping, validation_split
from ._stacklevel import user_stacklevel
from ._tabular import check_table, check_training_table
from ._threads import TRAINING_LOCK, choose_n_threads, prediction_threads, torch_threads
from ._threshold import tune_threshold
from ._training_set import training_set
from ._verbose import training_plan

__all__ = ["BalancedBCEClassifier"]

SAMPLING_STRATEGIES = {"auto", "minority", "not minority", "not majority", "all", "majority"}


class Seeds(NamedTuple):
    """The seeds ``fit`` draws from ``random_state``, one per source of randomness."""

    split: int
    sampler: int
    torch: int
    batches: int

    @classmethod
    def draw(cls, random_state):
        rng = check_random_state(random_state)
        return cls(*(int(s) for s in rng.randint(np.iinfo(np.int32).max, size=4)))


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
    categorical_features : "from_dtype", None or array-like, default="from_dtype"
        Which columns of ``X`` are categories, as scikit-learn's
        ``HistGradientBoostingClassifier`` reads it: "from_dtype" takes the
        columns of a pandas or polars DataFrame whose dtype is category,
        string or object (but not an object column of numbers only; no
        column of a numpy array); None takes none (a
        non-numeric column is then an error that names it); or a boolean
        mask, column indices or column names. Each categorical column is
        one-hot encoded over the categories of the training part; a missing
        value, or a category not seen in training, is "unknown", never an
        error (see :ref:`raw_tables`). Missing values (NaN) in numeric
        columns are allowed too: the network sees the training part's mean
        and a missing indicator.
    numerical_scaling : {None, "standard", "robust"}, default=None
        How the numeric columns are scaled inside the estimator, with
        statistics of the training part (never of the validation split),
        after missing values are imputed. None: as given, so scale them in
        front (a ``StandardScaler`` in a Pipeline). "standard": minus the
        mean, divided by the standard deviation, as ``StandardScaler``.
        "robust": minus the median, divided by the interquartile range (half
        the range where that is 0), then clipped smoothly to (-3, 3) by
        ``x / sqrt(1 + (x / 3) ** 2)``, as RealMLP does: an extreme value
        keeps its order without dominating the first layer. Either one makes
        a raw table trainable without a ``ColumnTransformer``, and neither
        depends on an affine scaling in front. One-hot and missing-indicator
        columns are not scaled. Dense numeric columns only (a sparse matrix
        is an error: scale it in front without centring). What "robust"
        measured on the ranking benchmark: :ref:`network`.
    hidden_layer_sizes : tuple of int, default=(40, 20)
        Widths of the hidden layers of the default MLP (of each member of the
        ensemble); ``()`` gives a linear model. Until 2026-12 the default was
        one MLP of ``(64, 32)``; why the ensemble's members are narrower:
        :ref:`network`.
    activation : {"relu", "gelu", "tanh", "leaky_relu", "elu"}, default="relu"
        Non-linearity after each hidden layer (why "relu": :ref:`network`).
    dropout : float in [0, 1), default=0.1
        Dropout probability after each hidden activation. In an ensemble
        (``ensemble_size > 1``) a row's dropped units are the same for every
        member: one mask per row, a third of the ensemble's fit cheaper than a
        mask per member and measured to rank the same.
    ensemble_size : int >= 1, default=8
        Members of a parameter-efficient ensemble of the default MLP
        (BatchEnsemble as TabM uses it, Gorishniy et al., 2025): the members
        share each layer's weights, each has its own scaling of the layer's
        inputs and outputs, bias and output layer, one batched forward pass
        computes them all, each is trained on its own loss, and
        ``predict_proba`` averages their probabilities. 1 is one MLP; the
        former defaults, one MLP of ``(64, 32)`` at a learning rate of 1e-3
        without dropout, ranked the minority worse on the ranking benchmark
        at a third of the CPU time (:ref:`network`).
    numerical_embedding : {None, "piecewise_linear", "piecewise_linear_residual", \
            "piecewise_linear_half", "piecewise_linear_split"}, default=None
        How the default MLP sees each feature. None: as one number.
        "piecewise_linear" (Gorishniy et al., 2022): cut into ``n_bins``
        bins at quantiles of the training part (never of the validation
        split or of resampled rows), encoded by how far the value fills each
        bin, and embedded in ``embedding_dim`` numbers by a linear layer and
        ReLU of its own; it gives the network the thresholds trees split
        on. "piecewise_linear_residual" (the same authors' later form, which
        TabM uses): a linear embedding of the value plus a linear map of its
        code that starts at zero, without ReLU, so that the network starts
        as a plain MLP and learns thresholds where the rows ask for them.
        "piecewise_linear_half": the residual form for the first half of an
        ensemble's members (rounded up; the one network when
        ``ensemble_size=1``) and the linear embedding alone for the others,
        so that the members' average mixes smooth and threshold networks.
        "piecewise_linear_split": the first half of the members (rounded
        up) see the code itself, thresholds alone, as trees see a feature,
        and the others the features, as the default members do; each group
        has a first layer of its own (with ``ensemble_size=1`` the one
        network sees the code).
        None of them is the default: on the ranking benchmark's 19 tables
        the half form ranked best of all networks measured, by less than
        its interval; over its 69 tables the split form ranks better than
        the defaults (with ``n_bins=4`` by +0.011 in mean average precision,
        deciding as well) at about 1.3 times their fit time (:ref:`network`).
    n_bins : int >= 1, default=16
        Most bins per feature of the piecewise-linear embedding (a feature
        with fewer distinct values gets fewer).
    embedding_dim : int >= 1, default=8
        Size of each feature's embedding; not used by
        ``"piecewise_linear_split"``, whose members see the code itself.
    module : callable or None, default=None
        Your own network: an ``nn.Module`` subclass or a factory called as
        ``module(n_features, **module_params)``, returning a module that
        maps float32 ``(batch, n_features)`` to logits of shape ``(batch,)``
        or ``(batch, 1)``. ``n_features`` is ``n_features_in_`` for numeric
        data without missing values, and ``encoder_.n_features_out_`` (the
        columns after one-hot encoding and missing indicators) otherwise.
        When given, ``hidden_layer_sizes``,
        ``activation``, ``dropout``, ``ensemble_size`` and the numerical
        embedding are ignored; everything else applies.
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
        copy of the data. With categorical columns, "smote" is
        imbalanced-learn's SMOTENC on the category codes (SMOTEN when every
        column is categorical), so that synthetic rows hold real
        categories; the other samplers, and sampler objects, see the
        network's input (one-hot columns and missing indicators).
    sampling_strategy : float, str, dict or callable, default="auto"
        The ``sampling_strategy`` of imbalanced-learn for a sampler given as a
        string; ignored for sampler objects (set theirs) and
        "balanced_batch". Samplers see the labels of ``y`` as given to
        ``fit``, so a dict is keyed by them (``{"no": 500}``) and a callable
        receives them.
    class_weight : None, "balanced" or dict, default=None
        Per-class loss weights. "balanced" is ``n / (2 * n_c)``, computed on
        the labels the loss actually sees (after resampling; equal shares
        under "balanced_batch"), so resampling and weighting never correct
        twice. A dict is keyed by the labels of ``y``; a label left out gets
        weight 1. Applied as per-sample weights in a loss reduced as
        ``sum(w * l) / (batch rows * mean training weight)``, an unbiased
        estimate of the weighted mean loss over all training rows. None
        (the default) weights every class 1: the default loss, logit
        adjustment, corrects for the imbalance instead. "balanced" with
        logit adjustment corrects once: the weights balance the classes and
        the adjustment then shifts by nothing, so it trains class-weighted
        BCE, the defaults until 2026-12 (with weights acting on top of the
        shift, the pair called far more rows positive: balanced accuracy
        0.837 against 0.880 on the ranking benchmark's 19 sets). A dict
        acts on top of any loss, as a cost of each class's errors.
    loss : {"bce", "focal", "logit_adjusted"}, default="logit_adjusted"
        Binary cross-entropy; focal loss (Lin et al., 2017,
        :class:`~imbbce.FocalLoss`); or logit-adjusted cross-entropy (Menon et
        al., 2021, :class:`~imbbce.LogitAdjustedLoss`), whose logits are
        shifted by ``tau * log(p1 / p0)`` during training only, where
        ``p1 / p0`` is the ratio of the classes in the labels the loss sees
        (after resampling or balanced batches, so a sampler that balances
        the classes leaves no shift, as do class weights "balanced"): the
        network learns the logits of balanced classes, and ``predict`` at
        0.5 finds the minority. Why it
        is the default: over the 69 data sets of the ranking benchmark it
        ranked the minority better than class weights (average precision
        +0.007, 95 % interval [0.003, 0.012]), with a balanced accuracy no
        lower (+0.003 [0.001, 0.005]) (:ref:`network`). "bce" with
        ``class_weight=None`` is the plain network that collapses onto the
        majority class.
    focal_gamma : float >= 0, default=2.0
        Focusing parameter of the focal loss; 0 gives weighted BCE.
    tau : float >= 0, default=1.0
        Strength of the logit adjustment; 0 gives BCE. Why 1, the shift of
        the balanced error (Menon et al.): on the ranking benchmark's 19
        sets 0.5 and 2 ranked no better and lost balanced accuracy (0.825
        and 0.814 against 0.880), 0.5 with test folds without a predicted
        positive.
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
    learning_rate_init : float > 0, default=3e-3
        Learning rate (for one MLP, 1e-3 ranked about as well on the ranking
        benchmark; the ensemble with dropout ranked best at 3e-3).
    batch_size : int >= 1, default=256
        Rows per training batch.
    max_iter : int >= 1, default=100
        Maximum number of epochs: with early stopping an upper bound, without
        it the number of epochs trained, and then the regulariser: longer
        training ranks the minority better and calls fewer rows positive at
        the 0.5 threshold (why 100: :ref:`network`). Raise it when
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
        the data with ``validation_fraction=0.1``), False otherwise
        (``threshold="auto"`` and a ``calibration`` still hold the split
        out, without stopping early on it); ``early_stopping_`` says which.
        Why "auto": a split with a handful of minority rows picks the epoch by
        noise and takes them from training (:ref:`validation`).
    validation_fraction : float in (0, 1), default=0.1
        Share of each class's rows held out for early stopping (at least
        one row of each class).
    n_iter_no_change : int >= 1, default=20
        Patience, in epochs. 20 rather than scikit-learn's 10: a score on a
        validation split with a few dozen minority rows wobbles for several
        epochs before it improves again (:ref:`network`).
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
        Why "auto": average precision over a handful of minority rows picks
        epochs by noise, while the weighted loss stops too early for ranking
        where the minority is plentiful (:ref:`validation`).
    threshold : float in (0, 1) or "auto", default=0.5
        Probability of ``classes_[1]`` above which ``predict`` returns it.
        "auto" chooses, after training, the threshold that maximises
        ``threshold_scoring`` on the validation split, so it needs one: it
        holds the split out under ``early_stopping="auto"`` too (the model
        trains on the other rows, and stops early only when the split holds
        at least 50 minority rows: on four small KEEL sets, stopping early
        on a handful of validation positives lowered both the average
        precision and the F1 score the threshold maximises), and it is an
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
    calibration : {None, "temperature", "sigmoid"}, default=None
        "temperature": after training, divide the logits by one number,
        ``temperature_``, chosen on the validation split so that its
        log-loss is smallest (temperature scaling, Guo et al., 2017). A
        network trained for many epochs is over-confident; this makes its
        probabilities honest without changing the ranking. "sigmoid"
        (Platt scaling) also adds an offset, ``calibration_offset_``, fitted
        with the temperature: it moves the mean probability, which a
        temperature cannot, and brought the mean probability within 0.01
        of the real rate on the five benchmark sets where "temperature"
        did so on three. Both are fitted under weak priors (around no
        change) that keep a small or perfectly separated split from
        over-fitting. With ``prior_correction`` they are fitted for, and
        applied before, the prior shift: ``expit(logit / temperature_ +
        calibration_offset_ - prior_shift_)``; without it the shift stays
        in the probabilities. They are fitted on the validation split, which
        they hold out under ``early_stopping="auto"`` too; there the network
        stops early only when the split holds at least 50 minority rows, and
        otherwise trains for ``max_iter`` epochs on the other rows
        (``early_stopping_`` is False): restoring the best epoch of a split
        with a few minority rows costs more ranking than the rows it takes.
        They are an error with ``early_stopping=False`` (there, wrap the
        estimator in :class:`~sklearn.calibration.CalibratedClassifierCV`). When no
        split can be made, a warning says so, ``temperature_`` is 1 and
        ``calibration_offset_`` 0. ``threshold="auto"`` is chosen on the
        calibrated probabilities. See :ref:`calibration` for measurements.
    device : {"cpu", "cuda", "auto"}, default="cpu"
        Where to train. "auto" takes CUDA when available.
    n_threads : int >= 1 or None, default=None
        Number of torch threads used during ``fit`` and prediction; torch's global
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
    is_categorical_ : ndarray of bool of shape (`n_features_in_`,) or None
        Which columns were treated as categorical; None when none was.
    encoder_ : TableEncoder
        Turns ``X`` into the network's input (imputation, missing
        indicators, one-hot columns), fitted on the training part;
        ``encoder_.get_feature_names_out()`` names the network's input
        columns and ``encoder_.passthrough_`` says whether ``X`` is used as
        given.
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
    temperature_ : float
        What the network's logits are divided by: fitted with
        ``calibration``, else 1.0.
    calibration_offset_ : float
        Log-odds added to the logits after the division by
        ``temperature_``: fitted with ``calibration="sigmoid"``, else 0.0.
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
        not be made, and when it was held out only for ``threshold="auto"``
        or a ``calibration``).
    scoring_ : str, callable or None
        What early stopping watched: ``scoring``, with "auto" resolved;
        None without early stopping.
    stop_reason_ : str
        "max_iter", "early_stopping", "diverged" or "interrupted".

    See Also
    --------
    sklearn.neural_network.MLPClassifier : No class weights, early stopping
        on accuracy.
    skorch.NeuralNetBinaryClassifier : The training loop this builds on.

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
    ``pickle``, ``joblib`` and ``skops.io`` with identical predictions, alone
    or inside a ``Pipeline`` or ``GridSearchCV``. A saved model holds one
    copy of the network's weights and its optimizer state, but not the
    training data: the validation split and the per-batch history are
    dropped at the end of ``fit``. The one exception is a fitted
    ``sampler_`` that keeps rows (SMOTE, NearMiss; see ``sampler_``): set
    ``clf.sampler_ = None`` before saving. A model fitted on a GPU loads on a
    machine without one (with skorch's ``DeviceWarning``) and predicts on
    the CPU. Loading a pickle (or a joblib file) runs code chosen by whoever
    wrote it: load only files from sources you trust. ``skops.io.load``
    instead refuses every class you have not trusted; the network's weights
    are read with ``torch.load(weights_only=True)``, and the classes of its
    layers and loss are among those ``skops.io.get_untrusted_types`` names
    (:ref:`saving` lists them). To share the weights alone, save
    ``clf.net_.module_.state_dict()`` with ``torch.save``; ``torch.load(path,
    weights_only=True)`` reads it back without running code, into a module of
    the same architecture (``imbbce.EnsembleMLP(n_features_in_)`` for the
    default network, ``imbbce.MLP(n_features_in_, hidden_layer_sizes)`` with
    ``ensemble_size=1``), as in the example below.
    A model fitted on categorical columns or missing values takes
    ``encoder_.n_features_out_`` inputs, the columns ``encoder_`` makes;
    the weights alone do not hold that encoding.
    skorch's ``clf.net_.save_params(f_params=path)`` and ``load_params``
    (which also loads with ``weights_only=True``) do the same for an
    estimator already fitted with the same architecture. The logit of
    ``classes_[1]`` is the module's output, divided by ``temperature_`` and
    plus ``calibration_offset_`` with ``calibration``, minus ``prior_shift_``
    when ``prior_correction=True``; keep ``classes_`` and ``threshold_``
    next to the weights. To run the model outside Python, skl2onnx converts
    it, alone or at the end of a ``Pipeline``, to ONNX (:ref:`saving`).

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
    >>> from imbbce import EnsembleMLP
    >>> buffer = io.BytesIO()  # or a path
    >>> torch.save(clf.net_.module_.state_dict(), buffer)
    >>> _ = buffer.seek(0)
    >>> module = EnsembleMLP(clf.n_features_in_).eval()
    >>> _ = module.load_state_dict(torch.load(buffer, weights_only=True))
    >>> with torch.no_grad():
    ...     proba = torch.sigmoid(module(torch.as_tensor(X[:2], dtype=torch.float32)))
    >>> bool(np.allclose(proba.numpy(), clf.predict_proba(X[:2])[:, 1], atol=1e-6))
    True
    """

    _parameter_constraints = {
        "categorical_features": ["array-like", StrOptions({"from_dtype"}), None],
        "hidden_layer_sizes": ["array-like", Interval(Integral, 1, None, closed="left")],
        "activation": [StrOptions(set(ACTIVATIONS))],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "ensemble_size": [Interval(Integral, 1, None, closed="left")],
        "numerical_scaling": [None, StrOptions(set(SCALINGS))],
        "numerical_embedding": [None, StrOptions(set(EMBEDDINGS))],
        "n_bins": [Interval(Integral, 1, None, closed="left")],
        "embedding_dim": [Interval(Integral, 1, None, closed="left")],
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
        "calibration": [None, StrOptions({"temperature", "sigmoid"})],
        "device": [StrOptions({"cpu", "cuda", "auto"})],
        "n_threads": [None, Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        *,
        categorical_features="from_dtype",
        numerical_scaling=None,
        hidden_layer_sizes=(40, 20),
        activation="relu",
        dropout=0.1,
        ensemble_size=8,
        numerical_embedding=None,
        n_bins=16,
        embedding_dim=8,
        module=None,
        module_params=None,
        sampler=None,
        sampling_strategy="auto",
        class_weight=None,
        loss="logit_adjusted",
        focal_gamma=2.0,
        tau=1.0,
        weight_decay=0.0,
        l1=0.0,
        noise_std=0.0,
        optimizer="adam",
        learning_rate_init=3e-3,
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
        calibration=None,
        device="cpu",
        n_threads=None,
        random_state=None,
        verbose=0,
    ):
        self.categorical_features = categorical_features
        self.numerical_scaling = numerical_scaling
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.dropout = dropout
        self.ensemble_size = ensemble_size
        self.numerical_embedding = numerical_embedding
        self.n_bins = n_bins
        self.embedding_dim = embedding_dim
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
        self.calibration = calibration
        self.device = device
        self.n_threads = n_threads
        self.random_state = random_state
        self.verbose = verbose

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = False
        # Scaling inside the estimator centres the columns: sparse input is refused then.
        tags.input_tags.sparse = self.numerical_scaling is None
        tags.input_tags.allow_nan = True
        tags.input_tags.categorical = True
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
        X : {array-like, DataFrame, sparse matrix} of shape (n_samples, n_features)
            Training data: numpy arrays, pandas or polars DataFrames or SciPy
            CSR/CSC matrices (trained in float32; sparse data is densified
            one batch at a time). Categorical columns as
            ``categorical_features`` says; NaN marks a missing value in a
            dense numeric column.
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
        BalancedBCEClassifier
            The fitted estimator (``self``).
        """
        try:
            return self._fit(X, y, sample_weight)
        except BaseException:
            # A failed or interrupted fit leaves an unfitted estimator, not a
            # mix of this fit's attributes and a previous fit's.
            for name in [n for n in vars(self) if n.endswith("_") and not n.startswith("__")]:
                delattr(self, name)
            raise

    def _fit(self, X, y, sample_weight):
        # Check the data and the settings that depend on it.
        hidden_layer_sizes = check_hidden_layer_sizes(self.hidden_layer_sizes)
        table, y, weights = self._check_training_data(X, y, sample_weight)
        self.device_ = resolve_device(self.device)
        seeds = Seeds.draw(self.random_state)

        # Split: a stratified validation split, before any resampling.
        stops_early = resolve_early_stopping(self.early_stopping, y, self.validation_fraction)
        split = self._validation_split(y, weights, seeds.split, stops_early)
        self.early_stopping_ = stops_early and split is not None
        train_rows = None if split is None else split[0]
        # Encode: imputation and categories learnt from the training part only.
        names = getattr(self, "feature_names_in_", None)
        if names is None:
            names = [f"x{i}" for i in range(self.n_features_in_)]
        self.encoder_ = TableEncoder(
            self.is_categorical_, names, scaling=self.numerical_scaling
        ).fit(table, train_rows)
        X = as_float32_tensor(self.encoder_.transform(table))
        train_y = y if split is None else y[train_rows]
        train_w = weights if weights is None or split is None else weights[train_rows]
        minority = minority_code(train_y)

        # Resample the training part; weight the classes the loss then sees.
        on_codes = self.sampler == "smote" and bool(self.encoder_.categories_)
        self.sampler_ = make_sampler(
            self.sampler,
            self.sampling_strategy,
            seeds.sampler,
            categorical=(self.encoder_.categorical_codes_, self.encoder_.n_codes_)
            if on_codes
            else None,
        )
        train = training_set(
            X,
            y,
            weights,
            train_rows,
            sampler=self.sampler_,
            balanced_batches=self.sampler == BALANCED_BATCH,
            class_weight=self.class_weight,
            classes=self.classes_,
            codes=self.encoder_ if on_codes else None,
        )
        self.class_weight_ = train.class_weight
        # Logit adjustment shifts by the prior of the classes the loss sees;
        # weights "balanced" already make them count equally, so it then shifts
        # by nothing instead of correcting the imbalance a second time.
        adjusted_prior = 0.5 if self.class_weight == "balanced" else train.seen_prior
        loss_shift = self.tau * logit(adjusted_prior) if self.loss == "logit_adjusted" else 0.0
        self.prior_shift_ = prior_shift(
            positive_share(train_y, train_w), train.seen_prior, train.class_weight, loss_shift
        )

        # What early stopping scores and what the checks after training see:
        # the validation split, or else every training row as given (not
        # resampled ones, synthetic and at the sampler's class balance).
        if split is None:
            checked = train.data
            if self.sampler_ is not None:
                checked = weighted_dataset(X, y, weights, train.class_weight)
        else:
            checked = weighted_dataset(X, y, weights, train.class_weight, split[1])
            n_valid_minority = int((checked.targets == minority).sum())
        stopping, self.scoring_ = None, None
        if self.early_stopping_:
            self.scoring_ = resolve_scoring(self.scoring, n_valid_minority)
            stopping = EarlyStoppingPlan(
                valid_data=checked,
                scoring=self.scoring_,
                minority=minority,
                threshold_logit=0.0 if self.threshold == "auto" else logit(self.threshold),
                classes=self.classes_,
                patience=self.n_iter_no_change,
                tol=self.tol,
            )
        if self.verbose:
            print(
                training_plan(
                    len(train_y),
                    None if split is None else len(split[1]),
                    None if split is None else n_valid_minority,
                    self.scoring_,
                    plain_label(self.classes_[minority]),
                    self.max_iter,
                )
            )

        # Build and train, drawing only on this fit's own torch random state.
        with TRAINING_LOCK, torch.random.fork_rng(devices=self._rng_devices()):
            torch.manual_seed(seeds.torch)
            module = build_module(self, X.shape[1], hidden_layer_sizes, self._bins(X, train_rows))
            self.n_threads_ = choose_n_threads(
                self.n_threads, count_parameters(module), self.batch_size
            )
            criterion = build_loss(
                self.loss,
                focal_gamma=self.focal_gamma,
                tau=self.tau,
                prior=adjusted_prior,
                weight_scale=train.data.mean_row_weight(),
            )
            self.net_ = make_net(
                module,
                criterion,
                optimizer=self.optimizer,
                learning_rate_init=self.learning_rate_init,
                weight_decay=self.weight_decay,
                l1=self.l1,
                max_iter=self.max_iter,
                batch_size=self.batch_size,
                balanced_batches=self.sampler == BALANCED_BATCH,
                noise_scale=self._noise_scale(X, train_rows),
                batch_seed=seeds.batches,
                early_stopping=stopping,
                n_features=X.shape[1],
                device=self.device_,
                verbose=self.verbose,
            )
            with torch_threads(self.n_threads_):
                self.net_.fit(train.data, None)
                # Finish: how training ended, the threshold, a collapse check.
                self._finish_training(checked, split is not None, minority)
        return self

    def _check_training_data(self, X, y, sample_weight):
        """Validate; set ``classes_`` and ``is_categorical_``; return the
        table, encoded y and the weights."""
        self.is_categorical_, X, y = check_training_table(self, X, y, self.categorical_features)
        self.classes_, y = check_binary_target(y)
        weights = check_sample_weight(sample_weight, y, self.classes_)
        if self.threshold == "auto" and self.early_stopping != "auto" and not self.early_stopping:
            raise ValueError(
                "threshold='auto' chooses the threshold on the validation split, which "
                "exists only with early_stopping=True or 'auto'. Set early_stopping=True, "
                "or keep a numeric threshold and wrap the estimator in "
                "sklearn.model_selection.TunedThresholdClassifierCV."
            )
        if (
            self.calibration is not None
            and self.early_stopping != "auto"
            and not self.early_stopping
        ):
            raise ValueError(
                f"calibration={self.calibration!r} is fitted on the validation "
                "split, which exists only with early_stopping=True or 'auto'. Set "
                "early_stopping=True, or keep calibration=None and wrap the estimator in "
                "sklearn.calibration.CalibratedClassifierCV."
            )
        return X, y, weights

    def _validation_split(self, y, weights, seed, stops_early):
        """``(train_rows, valid_rows)`` when early stopping, ``threshold="auto"``
        or a calibration holds a split out, else None.

        The threshold and a calibration need held-out logits but not early
        stopping: under ``early_stopping="auto"`` with a split of fewer than
        50 minority rows, the network trains for ``max_iter`` epochs on the
        other rows. Restoring the best epoch of such a split cost yeast4
        (about 4 validation positives) average precision 0.416 -> 0.334,
        while training on 90 % of its rows without stopping gave 0.422.
        """
        if not stops_early and self.calibration is None and self.threshold != "auto":
            return None
        return validation_split(
            y, self.validation_fraction, seed, weights, for_threshold=self.threshold == "auto"
        )

    def _bins(self, X, train_rows):
        """Bin edges of the piecewise-linear embedding, from the training part."""
        if self.numerical_embedding is None or self.module is not None:
            return None
        return quantile_bins(X, train_rows, self.n_bins)

    def _noise_scale(self, X, train_rows):
        """Per-feature standard deviation of the training noise, or None."""
        if self.noise_std == 0:
            return None
        return self.noise_std * feature_std(X, train_rows)

    def _rng_devices(self):
        return [torch.cuda.current_device()] if self.device_ == "cuda" else []

    def _finish_training(self, checked, on_validation, minority):
        """Record how training ended, choose the threshold, check for collapse.

        ``checked``: the validation split (``on_validation``), or else every
        training row as given, before any resampling.
        """
        outcome = training_outcome(self.net_)
        release_training_state(self.net_, outcome)
        self.n_iter_ = outcome.n_iter
        self.best_epoch_ = outcome.best_epoch
        self.stop_reason_ = outcome.stop_reason
        self.history_ = self.net_.history
        warn_about_outcome(outcome, self.learning_rate_init, self.max_iter)

        y_checked, logits, stands_for = checked_logits(
            self.net_.module_,
            checked,
            self.device_,
            minority,
            every_row=on_validation or self.threshold == "auto",
        )
        self.temperature_, self.calibration_offset_ = self._fit_calibration(
            logits, y_checked, checked, on_validation
        )
        if self.calibration is not None:
            logits = logits / self.temperature_ + self.calibration_offset_
        if self.prior_correction:
            logits = logits - self.prior_shift_
        if self.threshold == "auto":
            self.threshold_ = tune_threshold(
                logits,
                y_checked,
                self.threshold_scoring,
                minority,
                checked.sample_weight,
                classes=self.classes_,
            )
        else:
            self.threshold_ = float(self.threshold)
        predicted = (logits > logit(self.threshold_)).astype(np.int64)
        self.diagnostics_ = collapse_report(
            y_checked,
            predicted,
            minority,
            "validation" if on_validation else "training",
            sample_weight=stands_for,
        )
        if self.stop_reason_ != "diverged":  # its own warning names the cause
            settings = {**self.get_params(deep=False), "stop_reason": self.stop_reason_}
            warn_if_collapsed(self.diagnostics_, plain_label(self.classes_[minority]), settings)

    def _fit_calibration(self, logits, y_checked, checked, on_validation):
        """``(temperature_, calibration_offset_)``: fitted on the validation
        split, else ``(1.0, 0.0)``."""
        if self.calibration is None:
            return 1.0, 0.0
        if not on_validation:
            warnings.warn(
                f"calibration={self.calibration!r} is fitted on the validation split, but "
                "none could be made (see the warning above): temperature_ is 1.0, "
                "calibration_offset_ 0.0, and the probabilities are not calibrated. Raise "
                "validation_fraction, or wrap the estimator in "
                "sklearn.calibration.CalibratedClassifierCV.",
                UserWarning,
                stacklevel=user_stacklevel(),
            )
            return 1.0, 0.0
        if self.calibration == "sigmoid":
            return fit_sigmoid(
                logits, y_checked, shift=self.prior_shift_, sample_weight=checked.sample_weight
            )
        temperature = fit_temperature(
            logits,
            y_checked,
            shift=self.prior_shift_,
            sample_weight=checked.sample_weight,
        )
        return temperature, 0.0

    # -------------------------------------------------------------- predict

    def _logits(self, X):
        check_is_fitted(self)
        X = self.encoder_.transform(check_table(self, X, self.is_categorical_, reset=False))
        with torch_threads(prediction_threads(self.n_threads, self.n_threads_)):
            logits = predict_logits(self.net_.module_, as_float32_tensor(X), self.device_)
        logits = logits.astype(np.float64)
        if self.calibration is not None:
            logits = logits / self.temperature_ + self.calibration_offset_
        if self.prior_correction:
            logits = logits - self.prior_shift_
        return logits

    def decision_function(self, X):
        """Logit of ``classes_[1]`` minus the logit of ``threshold_``.

        Positive exactly where :meth:`predict` returns ``classes_[1]``; with
        ``threshold_ == 0.5`` it is the network's logit.

        Parameters
        ----------
        X : {array-like, DataFrame, sparse matrix} of shape (n_samples, n_features)
            As given to :meth:`fit`; a category not seen in training, or a
            missing value, is encoded as unknown.

        Returns
        -------
        ndarray of shape (n_samples,)
            The shifted logits.
        """
        return self._logits(X) - logit(self.threshold_)

    def predict_proba(self, X):
        """Class probabilities, columns in the order of ``classes_``.

        Parameters
        ----------
        X : {array-like, DataFrame, sparse matrix} of shape (n_samples, n_features)
            As given to :meth:`fit`; a category not seen in training, or a
            missing value, is encoded as unknown.

        Returns
        -------
        ndarray of shape (n_samples, 2)
            Probabilities of ``classes_[0]`` and ``classes_[1]``.
        """
        positive = expit(self._logits(X))
        return np.column_stack([1.0 - positive, positive])

    def predict(self, X):
        """``classes_[1]`` where its probability exceeds ``threshold_``.

        Parameters
        ----------
        X : {array-like, DataFrame, sparse matrix} of shape (n_samples, n_features)
            As given to :meth:`fit`; a category not seen in training, or a
            missing value, is encoded as unknown.

        Returns
        -------
        ndarray of shape (n_samples,)
            Labels from ``classes_``.
        """
        positive = self.decision_function(X) > 0
        return self.classes_[positive.astype(np.int64)]
