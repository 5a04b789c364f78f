"""
Bringing your own torch module
==============================

:class:`~imbbce.BalancedBCEClassifier` trains an ensemble of eight small MLPs
by default. Pass
``module`` (an ``nn.Module`` subclass or a factory) and ``module_params``, and
it trains your network instead, with every imbalance remedy still in place.
``fit`` calls ``module(n_features_in, **module_params)``; the module maps a
float32 batch of shape ``(batch, n_features)`` to one logit per row.

Here the 64 features of scikit-learn's digits are 8×8 images, so a small
convolutional network can use their layout, which MLPs ignore. Look at
the figure for the precision–recall curves of both networks on the test set
and for their validation loss per epoch.
"""

# %%
# The data: "8" against the other digits, thinned to about 3 % positives
# ------------------------------------------------------------------------
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.metrics import PrecisionRecallDisplay, balanced_accuracy_score
from sklearn.model_selection import train_test_split
from torch import nn

from imbbce import BalancedBCEClassifier

X, digit = load_digits(return_X_y=True)
X = X / 16.0  # pixel intensities 0..16 to 0..1
y = (digit == 8).astype(int)
rng = np.random.RandomState(0)
keep = (y == 0) | (rng.rand(len(y)) < 0.3)
X, y = X[keep], y[keep]
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, stratify=y, random_state=0)
print(f"{len(y)} rows, {y.mean():.1%} positives")


# %%
# The module
# ----------
# The first argument is the number of features, which ``fit`` passes; the
# others come from ``module_params`` and are tunable like any parameter. The
# output is a logit per row, shape ``(batch,)``: no sigmoid, the loss applies
# it.
class SmallCNN(nn.Module):
    def __init__(self, n_features_in, channels=8, dropout=0.0):
        super().__init__()
        if n_features_in != 64:
            raise ValueError(f"SmallCNN expects 8x8 images (64 features), got {n_features_in}")
        self.features = nn.Sequential(
            nn.Conv2d(1, channels, kernel_size=3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(channels, 2 * channels, kernel_size=3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Flatten(),
            nn.Dropout(dropout),
        )
        self.head = nn.Linear(2 * channels * 2 * 2, 1)

    def forward(self, X):
        images = X.reshape(-1, 1, 8, 8)
        return self.head(self.features(images)).squeeze(-1)


# %%
# Two estimators, the same imbalance settings
# -------------------------------------------
# Both use balanced batches and early stopping on the validation loss. For the
# CNN, ``hidden_layer_sizes``, ``activation``, ``dropout`` and ``ensemble_size``
# are ignored (its own dropout is in ``module_params``).
settings = {
    "sampler": "balanced_batch",
    "early_stopping": True,
    "scoring": "loss",
    "max_iter": 60,
    "random_state": 0,
}
models = {
    "MLP ensemble (default)": BalancedBCEClassifier(**settings),
    "SmallCNN": BalancedBCEClassifier(
        module=SmallCNN, module_params={"channels": 8, "dropout": 0.1}, **settings
    ),
}
for name, model in models.items():
    model.fit(X_train, y_train)
    n_parameters = sum(p.numel() for p in model.net_.module_.parameters())
    print(
        f"{name}: {n_parameters} parameters, {model.n_iter_} epochs "
        f"(best {model.best_epoch_}), balanced accuracy on test "
        f"{balanced_accuracy_score(y_test, model.predict(X_test)):.3f}"
    )

# %%
# The figure
# ----------
# Left: precision–recall curves on the test set
# (:class:`~sklearn.metrics.PrecisionRecallDisplay`). Right: the validation
# split's loss after each epoch (``scoring="loss"``, which early stopping
# watches here), from ``history_``; the marker is the epoch whose weights
# early stopping kept.
fig, (ax_pr, ax_hist) = plt.subplots(1, 2, figsize=(12, 5), layout="constrained")
for name, model in models.items():
    PrecisionRecallDisplay.from_estimator(model, X_test, y_test, name=name, ax=ax_pr)
    epochs = model.history_[:, "epoch"]
    scores = model.history_[:, "valid_loss"]
    (line,) = ax_hist.plot(epochs, scores, label=name)
    ax_hist.plot(model.best_epoch_, scores[model.best_epoch_ - 1], "o", color=line.get_color())
ax_pr.set_title("Test set")
ax_hist.set_xlabel("epoch")
ax_hist.set_ylabel("validation loss")
ax_hist.set_title("Training history")
ax_hist.legend()
plt.show()

# %%
# What to look at: the two curves on the left show whether the convolutions
# help on this small test set (it holds about 16 positives, so small gaps are
# noise); on the right, how fast each network's validation loss falls and
# where early stopping kept the weights. The CNN plugs into everything else
# unchanged: it can go into a ``Pipeline``, a ``GridSearchCV`` over
# ``module_params``, or ``TunedThresholdClassifierCV``.
