"""Binary losses on logits, weighted per sample.

Each loss is a plain :class:`torch.nn.Module` called as
``loss(logits, target, weight)`` with three tensors of shape ``(batch,)`` and
reduced as ``sum(weight * per_row_loss) / sum(weight)``. Class weights are
folded into ``weight`` by the estimator, so every loss combines with them.

Why per-sample weights: ``nn.BCELoss(weight=torch.tensor([w0, w1]))``, a
widely copied snippet, rescales batch *positions*, not classes. Class
weighting has to be expressed per row.
"""

import math

import torch
import torch.nn.functional as F
from torch import nn

__all__ = ["FocalLoss", "LogitAdjustedLoss", "WeightedBCELoss", "build_loss"]


class WeightedBCELoss(nn.Module):
    """Binary cross-entropy on logits, weighted per sample."""

    def per_row(self, logits, target):
        """Unreduced loss of each row."""
        return F.binary_cross_entropy_with_logits(logits, target, reduction="none")

    def forward(self, logits, target, weight):
        """Weighted mean loss ``sum(w * l) / sum(w)`` of a batch."""
        # A batch whose weights are all zero contributes a zero loss, not NaN.
        total_weight = weight.sum().clamp_min(1e-12)
        if type(self).per_row is WeightedBCELoss.per_row:
            # Plain BCE: torch's fused weighted sum, one kernel instead of three.
            summed = F.binary_cross_entropy_with_logits(
                logits, target, weight=weight, reduction="sum"
            )
            return summed / total_weight
        return (weight * self.per_row(logits, target)).sum() / total_weight


class FocalLoss(WeightedBCELoss):
    """Focal loss of Lin et al. (2017), weighted per sample.

    ``(1 - p_t) ** gamma * BCE``, where ``p_t`` is the predicted probability
    of the true class. Easy, confidently right rows are down-weighted. With
    ``gamma=0`` it is weighted binary cross-entropy.

    Parameters
    ----------
    gamma : float, default=2.0
        Focusing parameter, >= 0.

    References
    ----------
    T.-Y. Lin, P. Goyal, R. Girshick, K. He, P. Dollár. "Focal Loss for Dense
    Object Detection". ICCV 2017.
    """

    def __init__(self, gamma=2.0):
        super().__init__()
        self.gamma = gamma

    def per_row(self, logits, target):
        bce = F.binary_cross_entropy_with_logits(logits, target, reduction="none")
        if self.gamma == 0:
            return bce
        # 1 - p_t = sigmoid(-logit) for positives, sigmoid(logit) for negatives.
        one_minus_pt = torch.sigmoid(torch.where(target > 0.5, -logits, logits))
        return one_minus_pt.pow(self.gamma) * bce


class LogitAdjustedLoss(WeightedBCELoss):
    """Logit-adjusted binary cross-entropy of Menon et al. (2021).

    While the module is in training mode the logit is shifted by
    ``tau * log(prior / (1 - prior))`` before the cross-entropy; in evaluation
    mode the loss is plain binary cross-entropy. The network therefore learns
    logits that are already corrected for the class prior. With ``tau=0`` it
    is weighted binary cross-entropy.

    Parameters
    ----------
    prior : float
        Share of positive rows in the labels the loss sees, in (0, 1).
    tau : float, default=1.0
        Strength of the adjustment, >= 0.

    References
    ----------
    A. K. Menon, S. Jayasumana, A. S. Rawat, H. Jain, A. Veit, S. Kumar.
    "Long-tail learning via logit adjustment". ICLR 2021.
    """

    def __init__(self, prior, tau=1.0):
        super().__init__()
        self.prior = prior
        self.tau = tau

    @property
    def shift(self):
        """The log-odds shift added to the logits during training."""
        return self.tau * math.log(self.prior / (1.0 - self.prior))

    def per_row(self, logits, target):
        if self.training:
            logits = logits + self.shift
        return F.binary_cross_entropy_with_logits(logits, target, reduction="none")


def build_loss(name, *, focal_gamma, tau, prior):
    """Instantiate the loss named by the estimator's ``loss`` parameter."""
    if name == "focal":
        return FocalLoss(gamma=focal_gamma)
    if name == "logit_adjusted":
        return LogitAdjustedLoss(prior=prior, tau=tau)
    return WeightedBCELoss()
