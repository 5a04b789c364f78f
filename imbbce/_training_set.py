"""What the loss sees: the training part, resampled, with class weights.

This is the step of ``fit`` between the validation split and the network.
The sampler runs on the training part only; class weights are computed on
the labels the loss then sees, so resampling and weighting never correct the
imbalance twice; and the positive share the loss sees is recorded for the
prior correction and the logit-adjusted loss.
"""

from dataclasses import dataclass

import numpy as np
import torch

from ._checks import class_weights
from ._data import TrainingData, as_float32_tensor, weighted_dataset
from ._prior import positive_share
from ._samplers import resample

__all__ = ["TrainingSet", "training_set"]


@dataclass(frozen=True)
class TrainingSet:
    """The training rows as the loss sees them.

    Attributes
    ----------
    data : TrainingData
        Rows, targets and loss weights (sample weight times class weight).
    class_weight : ndarray of shape (2,)
        The class weights in the loss, in the order of ``classes``.
    seen_prior : float
        Weighted positive share the loss sees (0.5 under balanced batches
        without sample weights).
    """

    data: TrainingData
    class_weight: np.ndarray
    seen_prior: float


def training_set(
    X, y, sample_weight, rows, *, sampler, balanced_batches, class_weight, classes, codes=None
):
    """Resample the training part and weight its classes.

    Parameters
    ----------
    X : torch.Tensor or scipy CSR matrix, float32
        Every row given to ``fit``.
    y : ndarray of int64
        Encoded labels of every row.
    sample_weight : ndarray or None
        Weights of every row.
    rows : ndarray of int or None
        The training part's rows (None: all).
    sampler : imbalanced-learn sampler or None
        Fresh, seeded (``make_sampler``); it is fitted here.
    balanced_batches : bool
        Whether batches are drawn with equal class shares.
    class_weight : None, "balanced" or dict
        The estimator's parameter.
    classes : ndarray of shape (2,)
        The user's labels.
    codes : TableEncoder or None, default=None
        Passed to :func:`~imbbce._samplers.resample`: SMOTENC and SMOTEN
        resample category codes, not one-hot columns.

    Returns
    -------
    TrainingSet
    """
    train_y = y if rows is None else y[rows]
    train_w = sample_weight if sample_weight is None or rows is None else sample_weight[rows]
    if sampler is None:
        seen_y = np.array([0, 1]) if balanced_batches else train_y
        weights = class_weights(class_weight, classes, seen_y)
        data = weighted_dataset(X, y, sample_weight, weights, rows)
        return TrainingSet(data, weights, _seen_prior(train_y, train_w, balanced_batches))
    if isinstance(X, torch.Tensor):
        X_train = X.numpy() if rows is None else X.numpy()[rows]
    else:
        X_train = X if rows is None else X[rows]
    X_res, y_res, w_res = resample(sampler, X_train, train_y, train_w, classes, codes)
    if len(np.unique(y_res)) < 2:
        raise ValueError(
            f"The sampler {type(sampler).__name__} left a single class in the "
            "training data; choose a sampling_strategy that keeps both classes."
        )
    weights = class_weights(class_weight, classes, y_res)
    data = weighted_dataset(as_float32_tensor(X_res), y_res.astype(np.int64), w_res, weights)
    return TrainingSet(data, weights, positive_share(y_res, w_res))


def _seen_prior(y, sample_weight, balanced_batches):
    """Positive share the loss sees without a resampling sampler."""
    if not balanced_batches:
        return positive_share(y, sample_weight)
    if sample_weight is None:
        return 0.5
    # Each class is drawn half the time; sample weights then scale each
    # class by its mean weight.
    means = [sample_weight[y == c].mean() for c in (0, 1)]
    return means[1] / (means[0] + means[1])
