"""The default torch networks and the checks on a user's own module.

:class:`MLP` is one network. :class:`EnsembleMLP` is ``ensemble_size`` of
them in one module (BatchEnsemble, Wen et al., ICLR 2020, as TabM uses it,
Gorishniy et al., ICLR 2025): every member shares each layer's weight matrix
and has its own scaling of that layer's inputs and outputs and its own bias
and output layer. One batched forward pass computes every member; each is
trained on its own loss, and prediction averages the members' probabilities.
"""

import torch
import torch.nn.functional as F
from torch import nn

from ._embeddings import PiecewiseLinearCode, PiecewiseLinearEmbedding

__all__ = ["ACTIVATIONS", "MLP", "EnsembleMLP", "SplitInputLayer", "build_module"]

ACTIVATIONS = {
    "relu": nn.ReLU,
    "gelu": nn.GELU,
    "tanh": nn.Tanh,
    "leaky_relu": nn.LeakyReLU,
    "elu": nn.ELU,
}


class MLP(nn.Module):
    """A multi-layer perceptron that outputs one logit per row.

    :class:`~imbbce.BalancedBCEClassifier` trains it with ``ensemble_size=1``
    (its default is :class:`EnsembleMLP`, eight such networks in one module).

    Parameters
    ----------
    n_features_in : int
        Number of input features.
    hidden_layer_sizes : tuple of int, default=(64, 32)
        Width of each hidden layer; ``()`` gives a linear model (logistic
        regression trained by gradient descent).
    activation : {"relu", "gelu", "tanh", "leaky_relu", "elu"}, default="relu"
        Non-linearity after each hidden layer.
    dropout : float, default=0.0
        Dropout probability after each hidden activation.
    """

    def __init__(self, n_features_in, hidden_layer_sizes=(64, 32), activation="relu", dropout=0.0):
        super().__init__()
        layers = []
        width = n_features_in
        for size in hidden_layer_sizes:
            layers.append(nn.Linear(width, size))
            layers.append(ACTIVATIONS[activation]())
            if dropout > 0:
                layers.append(nn.Dropout(dropout))
            width = size
        layers.append(nn.Linear(width, 1))
        self.layers = nn.Sequential(*layers)

    def forward(self, X):
        """The logit of the positive class for each row.

        Parameters
        ----------
        X : torch.Tensor of shape (batch, n_features_in)
            Features, float32.

        Returns
        -------
        torch.Tensor of shape (batch,)
            Logits.
        """
        return self.layers(X).squeeze(-1)


class BatchEnsembleLinear(nn.Linear):
    """``ensemble_size`` linear layers sharing one weight matrix.

    Member ``i`` computes ``((x * r_i) @ W.T) * s_i + b_i``. ``W`` is
    initialised as ``nn.Linear`` does; ``s`` is ones; ``r`` is ones too,
    except in the first layer, where random signs make the members differ
    from the start.

    The scalings are folded into one small matrix per member,
    ``diag(r_i) W.T diag(s_i)`` (:meth:`member_weights`), and every member
    is computed by one batched matrix product with its bias. Scaling the
    activations instead (``(batch, members, width)`` tensors multiplied by
    ``r`` and ``s`` and their gradients reduced over the batch) took more than
    half of an ensemble's fit on the CPU; the members' matrices cost next to
    nothing (``benchmarks/results/findings.md``, "The ensemble's cost per
    step").
    """

    def __init__(self, in_features, out_features, ensemble_size, random_signs):
        super().__init__(in_features, out_features, bias=False)
        self.r = nn.Parameter(torch.ones(ensemble_size, in_features))
        self.s = nn.Parameter(torch.ones(ensemble_size, out_features))
        self.member_bias = nn.Parameter(torch.empty(ensemble_size, out_features))
        bound = in_features**-0.5
        nn.init.uniform_(self.member_bias, -bound, bound)
        if random_signs:
            with torch.no_grad():
                self.r.bernoulli_(0.5).mul_(2.0).sub_(1.0)

    def member_weights(self):
        """Every member's matrix ``diag(r_i) W.T diag(s_i)``, shape ``(ensemble_size, in, out)``."""
        return self.r.unsqueeze(2) * self.weight.t() * self.s.unsqueeze(1)

    def forward(self, X):
        """Every member's output, shape ``(ensemble_size, batch, out_features)``.

        Parameters
        ----------
        X : torch.Tensor of shape (ensemble_size, batch, in_features)
            Every member's input (the first layer's is the features expanded,
            a view shared by the members).

        Returns
        -------
        torch.Tensor
        """
        return torch.baddbmm(self.member_bias.unsqueeze(1), X, self.member_weights())


class MemberSharedDropout(nn.Dropout):
    """Dropout with one mask per row and unit, shared by the ensemble's members.

    On inputs of shape ``(ensemble_size, batch, width)`` a unit of a row is
    dropped for every member at once. ``nn.Dropout`` would draw a random number
    per member, row and unit; on the CPU those draws cost more than the layers
    (an ensemble of eight with ``dropout=0.1`` fitted in 6.6 times the
    defaults' CPU, against 4.1 with a shared mask), and the shared mask ranked the
    same on the ranking benchmark (``benchmarks/results/findings.md``,
    "Ranking: dropout in the ensemble"). The members still differ through
    their own scalings, biases and output layers.
    """

    def forward(self, X):
        """``X`` with the dropped units zeroed and the others scaled by ``1 / (1 - p)``.

        Parameters
        ----------
        X : torch.Tensor of shape (ensemble_size, batch, width)
            Every member's activations.

        Returns
        -------
        torch.Tensor
            ``X`` unchanged in eval mode or with ``p == 0``.
        """
        if not self.training or self.p == 0:
            return X
        # One Bernoulli draw per row and unit, broadcast over the members.
        keep = torch.empty(X.shape[1:], dtype=X.dtype, device=X.device).bernoulli_(1 - self.p)
        return X * keep.div_(1 - self.p)


class SplitInputLayer(nn.Module):
    """An ensemble's first layer for members that see different inputs.

    The first ``embedded_members`` members see the features through
    ``embedding`` (the split form: their piecewise-linear code, thresholds
    alone), the others the features themselves, as the default members do.
    Each group is one :class:`BatchEnsembleLinear` over its own input, so a
    member pays only for its input. The form built first (a linear map and
    ReLU of each feature's code, every member computed on that wider input
    and half of it masked away) cost 1.15 to 1.85 times as much per step and
    ranked no better (``benchmarks/results/findings.md``, "The split form
    rebuilt").

    Parameters
    ----------
    embedding : nn.Module
        Maps ``(batch, n_features_in)`` to ``(batch, embedding.out_features)``.
    n_features_in : int
        Number of input features.
    out_features : int
        Width of the layer, shared by the members.
    ensemble_size : int
        Number of members, at least 2.
    embedded_members : int
        How many of the first members see the embedding, from 1 to
        ``ensemble_size - 1``.
    """

    def __init__(self, embedding, n_features_in, out_features, ensemble_size, embedded_members):
        super().__init__()
        self.embedding = embedding
        self.embedded = BatchEnsembleLinear(
            embedding.out_features, out_features, embedded_members, random_signs=True
        )
        self.plain = BatchEnsembleLinear(
            n_features_in, out_features, ensemble_size - embedded_members, random_signs=True
        )

    def forward(self, X):
        """Every member's output, shape ``(ensemble_size, batch, out_features)``.

        Parameters
        ----------
        X : torch.Tensor of shape (batch, n_features_in)
            Features.

        Returns
        -------
        torch.Tensor
            The embedded members first.
        """
        embedded = self.embedding(X)
        return torch.cat(
            [
                self.embedded(embedded.expand(self.embedded.r.shape[0], -1, -1)),
                self.plain(X.expand(self.plain.r.shape[0], -1, -1)),
            ]
        )


class EnsembleMLP(nn.Module):
    """``ensemble_size`` MLPs in one module, trained together.

    In training mode the output is every member's logit, shape
    ``(batch, ensemble_size)``, so that each member is trained on its own
    loss (a loss of the members' mean would train them as one wider
    network). In eval mode it is the logit of the members' mean
    probability, shape ``(batch,)``. Inside, activations are laid out
    members first, ``(ensemble_size, batch, width)``, so that each layer is
    one batched matrix product.

    With its defaults it is :class:`~imbbce.BalancedBCEClassifier`'s default
    network.

    Parameters
    ----------
    n_features_in : int
        Number of input features.
    hidden_layer_sizes : tuple of int, default=(40, 20)
        Width of each hidden layer, shared by the members.
    activation : {"relu", "gelu", "tanh", "leaky_relu", "elu"}, default="relu"
        Non-linearity after each hidden layer.
    dropout : float, default=0.1
        Dropout probability after each hidden activation, with one mask per
        row shared by the members (:class:`MemberSharedDropout`).
    ensemble_size : int, default=8
        Number of members.
    embedding : nn.Module or None, default=None
        A module applied to the features first (see
        :class:`~imbbce._embeddings.PiecewiseLinearEmbedding`), shared by the
        members; its ``out_features`` is the first layer's input width.
    embedded_members : int or None, default=None
        With an ``embedding``: how many of the first members see it; the
        others see the features (:class:`SplitInputLayer`, which needs a
        hidden layer). None: every member.
    """

    def __init__(
        self,
        n_features_in,
        hidden_layer_sizes=(40, 20),
        activation="relu",
        dropout=0.1,
        ensemble_size=8,
        embedding=None,
        embedded_members=None,
    ):
        super().__init__()
        self.ensemble_size = ensemble_size
        if embedded_members is not None and (
            embedding is None or not 0 < embedded_members <= ensemble_size
        ):
            raise ValueError(
                f"embedded_members={embedded_members!r} needs an embedding and a number of "
                f"members from 1 to ensemble_size={ensemble_size}."
            )
        split = embedded_members not in (None, ensemble_size)
        if split and not hidden_layer_sizes:
            raise ValueError(
                "Members that see different inputs need a hidden layer to meet in; "
                "give hidden_layer_sizes at least one layer."
            )
        # A split first layer embeds the features itself.
        self.embedding = None if split else embedding
        width = n_features_in if embedding is None else embedding.out_features
        layers = []
        for index, size in enumerate(hidden_layer_sizes):
            if index == 0 and split:
                layers.append(
                    SplitInputLayer(embedding, n_features_in, size, ensemble_size, embedded_members)
                )
            else:
                layers.append(BatchEnsembleLinear(width, size, ensemble_size, index == 0))
            layers.append(ACTIVATIONS[activation]())
            if dropout > 0:
                layers.append(MemberSharedDropout(dropout))
            width = size
        self.layers = nn.Sequential(*layers)
        # One output layer per member, initialised as nn.Linear(width, 1).
        bound = width**-0.5
        self.head_weight = nn.Parameter(torch.empty(ensemble_size, width).uniform_(-bound, bound))
        self.head_bias = nn.Parameter(torch.empty(ensemble_size).uniform_(-bound, bound))

    def member_logits(self, X):
        """Every member's logit, shape ``(batch, ensemble_size)``.

        Parameters
        ----------
        X : torch.Tensor of shape (batch, n_features_in)
            Features.

        Returns
        -------
        torch.Tensor
            The members' logits, one column per member.
        """
        if len(self.layers) and isinstance(self.layers[0], SplitInputLayer):
            hidden = self.layers(X)
        else:
            if self.embedding is not None:
                X = self.embedding(X)
            # (members, batch, width): a view of the same input for every
            # member, unless a member mask gave the members inputs of their own.
            hidden = self.layers(X.expand(self.ensemble_size, -1, -1))
        logits = torch.baddbmm(self.head_bias.view(-1, 1, 1), hidden, self.head_weight.unsqueeze(2))
        return logits.squeeze(2).t()

    def forward(self, X):
        """Members' logits in training mode, their mean probability's logit in eval mode.

        Parameters
        ----------
        X : torch.Tensor of shape (batch, n_features_in)
            Features.

        Returns
        -------
        torch.Tensor of shape (batch, ensemble_size) or (batch,)
            Logits.
        """
        logits = self.member_logits(X)
        if self.training:
            return logits
        return mean_probability_logit(logits)


def mean_probability_logit(logits):
    """The logit of the mean of ``sigmoid(logits)`` over the last axis.

    ``log(mean p) - log(mean (1 - p))``, computed from log-sigmoids so that
    confident members neither overflow nor round to a probability of 1.
    """
    return torch.logsumexp(F.logsigmoid(logits), -1) - torch.logsumexp(F.logsigmoid(-logits), -1)


class EmbeddedMLP(nn.Module):
    """An :class:`MLP` behind an embedding of the features.

    Parameters
    ----------
    embedding : nn.Module
        Applied to the features first; its ``out_features`` is the MLP's
        input width.
    hidden_layer_sizes, activation, dropout
        As for :class:`MLP`.
    """

    def __init__(self, embedding, hidden_layer_sizes=(64, 32), activation="relu", dropout=0.0):
        super().__init__()
        self.embedding = embedding
        self.mlp = MLP(embedding.out_features, hidden_layer_sizes, activation, dropout)

    def forward(self, X):
        """Logits, shape ``(batch,)``.

        Parameters
        ----------
        X : torch.Tensor of shape (batch, n_features_in)
            Features.

        Returns
        -------
        torch.Tensor of shape (batch,)
            Logits.
        """
        return self.mlp(self.embedding(X))


def build_module(estimator, n_features_in, hidden_layer_sizes, bins=None):
    """Instantiate the torch module an estimator asks for.

    Parameters
    ----------
    estimator : BalancedBCEClassifier
        Its ``module``, ``module_params``, ``activation``, ``dropout``,
        ``ensemble_size`` and ``embedding_dim`` are read.
    n_features_in : int
        Number of input features.
    hidden_layer_sizes : tuple of int
        The validated hidden layer widths.
    bins : list of ndarray or None, default=None
        Bin edges of each feature for a piecewise-linear embedding (see
        :func:`~imbbce._embeddings.quantile_bins`); None: no embedding.

    Returns
    -------
    module : torch.nn.Module
    """
    if estimator.module is None:
        embedding = None
        embedded_members = None
        if bins is not None:
            form = estimator.numerical_embedding
            # The first half (rounded up) of the members see the thresholds.
            half = (estimator.ensemble_size + 1) // 2
            if form == "piecewise_linear_split":
                # Thresholds alone: the code straight into the first layer.
                embedding = PiecewiseLinearCode(bins)
                embedded_members = half
            else:
                mask = None
                if form == "piecewise_linear_half" and estimator.ensemble_size > 1:
                    mask = [1.0] * half + [0.0] * (estimator.ensemble_size - half)
                embedding = PiecewiseLinearEmbedding(
                    bins,
                    estimator.embedding_dim,
                    residual=form in ("piecewise_linear_residual", "piecewise_linear_half"),
                    member_mask=mask,
                )
        network = {
            "hidden_layer_sizes": hidden_layer_sizes,
            "activation": estimator.activation,
            "dropout": estimator.dropout,
        }
        if estimator.ensemble_size > 1:
            return EnsembleMLP(
                n_features_in,
                **network,
                ensemble_size=estimator.ensemble_size,
                embedding=embedding,
                embedded_members=embedded_members,
            )
        if embedding is not None:
            return EmbeddedMLP(embedding, **network)
        return MLP(n_features_in, **network)
    if isinstance(estimator.module, nn.Module):
        name = type(estimator.module).__name__
        raise TypeError(
            f"module is an instance of {name}; pass the class instead, module={name}, with "
            "its other arguments in module_params: imbbce builds a fresh module on every fit "
            "as module(n_features_in, **module_params)."
        )
    module = estimator.module(n_features_in, **(estimator.module_params or {}))
    if not isinstance(module, nn.Module):
        raise TypeError(
            "module must return a torch.nn.Module when called as "
            f"module(n_features_in, **module_params); it returned {type(module).__name__}."
        )
    return module


def check_logits_shape(logits, n_rows):
    """Return ``logits`` as shape ``(n_rows,)`` or raise a clear error.

    A user's module may return ``(batch,)`` or ``(batch, 1)``; anything else
    (for example two logits per row) is refused rather than silently reshaped.
    """
    if logits.shape == (n_rows, 1):
        return logits.reshape(n_rows)
    if logits.shape == (n_rows,):
        return logits
    raise ValueError(
        f"The module returned an output of shape {tuple(logits.shape)} for a batch of "
        f"{n_rows} rows; it must return one logit per row, shape ({n_rows},) or "
        f"({n_rows}, 1). For two-column outputs, keep only the positive-class logit."
    )


def count_parameters(module):
    """Number of trainable parameters of ``module``."""
    return sum(p.numel() for p in module.parameters() if p.requires_grad)


def l1_penalty(module):
    """Sum of absolute values of the weights of every linear layer.

    The weights of ``nn.Linear`` layers (the members' shared matrices of an
    :class:`EnsembleMLP` among them), of an ensemble's output layers and of
    a piecewise-linear embedding (with its value's part where it has one). Biases and the
    members' scalings are left out, as is usual for weight penalties.
    """
    total = torch.zeros(())
    for layer in module.modules():
        if isinstance(layer, nn.Linear):
            weights = [layer.weight]
        elif isinstance(layer, PiecewiseLinearEmbedding):
            value = getattr(layer, "value_weight", None)
            weights = [layer.weight, *([value] if value is not None else [])]
        elif isinstance(layer, EnsembleMLP):
            weights = [layer.head_weight]
        else:
            continue
        for weight in weights:
            total = total.to(weight.device) + weight.abs().sum()
    return total
