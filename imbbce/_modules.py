"""The default torch network and the checks on a user's own module."""

import torch
from torch import nn

__all__ = ["ACTIVATIONS", "MLP", "build_module"]

ACTIVATIONS = {
    "relu": nn.ReLU,
    "gelu": nn.GELU,
    "tanh": nn.Tanh,
    "leaky_relu": nn.LeakyReLU,
    "elu": nn.ELU,
}


class MLP(nn.Module):
    """A multi-layer perceptron that outputs one logit per row.

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


def build_module(estimator, n_features_in, hidden_layer_sizes):
    """Instantiate the torch module an estimator asks for.

    Parameters
    ----------
    estimator : BalancedBCEClassifier
        Its ``module``, ``module_params``, ``activation`` and ``dropout``
        are read.
    n_features_in : int
        Number of input features.
    hidden_layer_sizes : tuple of int
        The validated hidden layer widths.

    Returns
    -------
    module : torch.nn.Module
    """
    if estimator.module is None:
        return MLP(
            n_features_in,
            hidden_layer_sizes=hidden_layer_sizes,
            activation=estimator.activation,
            dropout=estimator.dropout,
        )
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
    """Sum of absolute values of the weights of every ``nn.Linear`` layer.

    Biases are left out, as is usual for weight penalties.
    """
    total = torch.zeros(())
    for layer in module.modules():
        if isinstance(layer, nn.Linear):
            total = total.to(layer.weight.device) + layer.weight.abs().sum()
    return total
