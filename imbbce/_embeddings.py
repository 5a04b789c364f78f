"""Piecewise-linear embeddings of numerical features.

An MLP sees each feature as one number and has to carve thresholds out of it
with its first layer; trees split on such thresholds directly, which is where
they win on skewed count features. Piecewise-linear encoding (Gorishniy et
al., "On Embeddings for Numerical Features in Tabular Deep Learning",
NeurIPS 2022) gives the network those thresholds: each feature is cut into
bins at quantiles of the training rows, a value is encoded by how far it
fills each bin (1 for the bins below it, its fraction of its own bin, 0
above), and a small linear layer per feature, followed by ReLU, turns that
code into the feature's embedding.

With ``residual=True`` (what the same authors recommend since, as "version
B" of their embeddings, and what TabM uses) the embedding is a linear
embedding of the value plus a linear map of its code that starts at zero,
with no ReLU: the network starts as a plain MLP on the features, and learns
thresholds only where the training rows ask for them. A ``member_mask``
gives the thresholds to some members of an ensemble only: the others see
the linear embedding of the value alone (the bias belongs to the code's
map; the first layer's own bias follows), so one ensemble mixes smooth and
threshold members. :class:`PiecewiseLinearCode` is the code alone, with
nothing trained: the input of the split ensemble's threshold members
(:class:`~imbbce._modules.SplitInputLayer`).
"""

import numpy as np
import torch
from torch import nn

__all__ = ["EMBEDDINGS", "PiecewiseLinearCode", "PiecewiseLinearEmbedding", "quantile_bins"]

#: The values of ``numerical_embedding`` besides None.
EMBEDDINGS = (
    "piecewise_linear",
    "piecewise_linear_residual",
    "piecewise_linear_half",
    "piecewise_linear_split",
)


def quantile_bins(X, rows=None, n_bins=16):
    """Bin edges at quantiles of each feature of the training rows.

    Parameters
    ----------
    X : torch.Tensor or scipy CSR matrix, float32
        Every row given to ``fit``.
    rows : ndarray of int or None
        The training rows (None: all).
    n_bins : int
        Most bins per feature; a feature with fewer distinct quantiles gets
        fewer (a binary feature one).

    Returns
    -------
    list of ndarray
        Sorted, distinct edges of each feature, at least two; each edge is a
        value of the feature (the lower one where a quantile falls between
        two), so a binary feature gets one bin.
    """
    # One column at a time: the training rows are never copied whole.
    dense = isinstance(X, torch.Tensor)
    part = X.numpy() if dense else (X if rows is None else X[rows]).tocsc()
    levels = np.linspace(0.0, 1.0, n_bins + 1)
    edges = []
    for j in range(part.shape[1]):
        if dense:
            column = part[:, j] if rows is None else part[rows, j]
        else:
            column = part[:, j].toarray().ravel()
        # Observed values as edges: a discrete feature's bins end at its values.
        values = np.unique(np.quantile(column.astype(np.float64), levels, method="lower"))
        if len(values) < 2:  # a constant feature: one bin of width 1
            values = np.array([values[0], values[0] + 1.0])
        edges.append(values)
    return edges


class PiecewiseLinearCode(nn.Module):
    """The piecewise-linear code of each feature, flattened; nothing is trained.

    A value is encoded by how far it fills each bin of its feature: 1 for the
    bins below it, its fraction of its own bin, 0 above; the outer bins
    extrapolate. The bins are buffers, fitted on the training rows and saved
    with the weights.

    Parameters
    ----------
    edges : list of array-like
        Sorted, distinct bin edges of each feature (see :func:`quantile_bins`).
    """

    def __init__(self, edges):
        super().__init__()
        n_bins = max(len(e) - 1 for e in edges)
        n_features = len(edges)
        left = torch.zeros(n_features, n_bins)
        width = torch.ones(n_features, n_bins)
        lower = torch.zeros(n_features, n_bins)
        upper = torch.ones(n_features, n_bins)
        used = torch.zeros(n_features, n_bins)
        for j, e in enumerate(edges):
            e = torch.as_tensor(np.asarray(e, dtype=np.float64))
            t = len(e) - 1
            left[j, :t] = e[:-1].float()
            width[j, :t] = (e[1:] - e[:-1]).float()
            used[j, :t] = 1.0
            lower[j, 0] = -torch.inf  # values below the first edge extrapolate
            upper[j, t - 1] = torch.inf  # and above the last one
        # Fitted on the training rows, saved with the weights, never trained.
        for name, value in {
            "left": left,
            "width": width,
            "lower": lower,
            "upper": upper,
            "used": used,
        }.items():
            self.register_buffer(name, value)

    @property
    def out_features(self):
        """Columns of the output: features times the most bins of a feature."""
        return self.left.numel()

    def encode(self, X):
        """The piecewise-linear code of each feature, shape ``(batch, n_features, n_bins)``.

        Parameters
        ----------
        X : torch.Tensor of shape (batch, n_features)
            Features.

        Returns
        -------
        torch.Tensor
        """
        fill = (X.unsqueeze(-1) - self.left) / self.width
        return torch.clamp(fill, self.lower, self.upper) * self.used

    def forward(self, X):
        """Every feature's code, concatenated.

        Parameters
        ----------
        X : torch.Tensor of shape (batch, n_features)
            Features.

        Returns
        -------
        torch.Tensor of shape (batch, n_features * n_bins)
            The code; the unused bins of a feature with fewer bins are 0.
        """
        return self.encode(X).flatten(1)


class PiecewiseLinearEmbedding(PiecewiseLinearCode):
    """Embed each numerical feature through its piecewise-linear encoding.

    Parameters
    ----------
    edges : list of array-like
        Sorted, distinct bin edges of each feature (see :func:`quantile_bins`).
    embedding_dim : int
        Size of each feature's embedding; the output has
        ``len(edges) * embedding_dim`` columns.
    residual : bool, default=False
        False: ReLU of a linear map of the code. True: a linear embedding of
        the value plus a linear map of the code, whose weights start at zero.
    member_mask : sequence of float or None, default=None
        With ``residual`` only: one number per member of an ensemble, 1 for
        the members that see the whole embedding, 0 for those that see the
        value's linear embedding alone; the output then has a leading axis
        of members. None: every member sees the whole embedding.
    """

    def __init__(self, edges, embedding_dim, residual=False, member_mask=None):
        super().__init__(edges)
        if member_mask is not None and not residual:
            raise ValueError(
                "member_mask needs residual=True: it masks the code's part of a residual embedding."
            )
        self.residual = residual
        if member_mask is not None:
            member_mask = torch.as_tensor(member_mask, dtype=torch.float32).view(-1, 1, 1)
        self.register_buffer("member_mask", member_mask)
        n_features, n_bins = self.left.shape
        self.weight = nn.Parameter(torch.empty(n_features, n_bins, embedding_dim))
        self.bias = nn.Parameter(torch.empty(n_features, embedding_dim))
        bound = n_bins**-0.5  # as nn.Linear(n_bins, embedding_dim) initialises
        nn.init.uniform_(self.bias, -bound, bound)
        if residual:
            nn.init.zeros_(self.weight)  # the code's part starts at zero
        else:
            nn.init.uniform_(self.weight, -bound, bound)
        if residual:
            # The value's linear embedding, and the bias drawn again at its
            # scale, as rtdl's linear embeddings: uniform within one over the
            # root of the embedding's size.
            bound = embedding_dim**-0.5
            self.value_weight = nn.Parameter(torch.empty(n_features, embedding_dim))
            nn.init.uniform_(self.value_weight, -bound, bound)
            nn.init.uniform_(self.bias, -bound, bound)

    @property
    def out_features(self):
        """Columns of the output: features times the embedding size."""
        return self.weight.shape[0] * self.weight.shape[2]

    def forward(self, X):
        """Embeddings of every feature, concatenated.

        Parameters
        ----------
        X : torch.Tensor of shape (batch, n_features)
            Features.

        Returns
        -------
        torch.Tensor of shape (batch, n_features * embedding_dim)
            Each feature's embedding: ReLU of a linear map of its code, or
            with ``residual`` a linear embedding of its value plus a linear
            map of its code; with a ``member_mask``, of shape
            ``(members, batch, n_features * embedding_dim)``, where the
            masked members get the linear embedding of the value alone.
        """
        code = self.encode(X)
        thresholds = (torch.einsum("bft,ftd->bfd", code, self.weight) + self.bias).flatten(1)
        if not self.residual:
            return torch.relu(thresholds)
        value = (X.unsqueeze(-1) * self.value_weight).flatten(1)
        if self.member_mask is None:
            return value + thresholds
        return value + self.member_mask * thresholds
