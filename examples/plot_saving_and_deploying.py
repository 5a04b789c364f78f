"""
Saving and deploying a fitted model
===================================

A fitted :class:`~imbbce.BalancedBCEClassifier`, alone or at the end of a
``Pipeline``, can be saved three ways:

* ``joblib`` (or ``pickle``): the simplest; loading runs whatever code the
  file names, so load only files you trust;
* ``skops.io``: loading refuses every class you have not trusted, and
  ``skops.io.get_untrusted_types`` lists them before anything runs;
* ONNX, through ``skl2onnx``: the whole Pipeline as one graph that
  onnxruntime (or any ONNX runtime, in C++, C#, Java or JavaScript) runs
  without Python, torch or imbbce.

Each round trip below predicts what the fitted model predicts. The figure
compares the probabilities of the ONNX graph with ``predict_proba``'s.
This example needs the ``skops`` and ``onnx`` extras
(``pip install -c constraints.txt -e ".[skops,onnx]"``).
"""

# %%
# A Pipeline on imbalanced data
# -----------------------------
# Digits, "8" against the rest (about 10 % of the rows), with a calibrated,
# prior-corrected network and a threshold chosen on the validation split.
import io

import joblib
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from imbbce import BalancedBCEClassifier

X, digit = load_digits(return_X_y=True)
y = np.where(digit == 8, "eight", "other")
X_train, X_test, y_train, y_test = train_test_split(X, y, stratify=y, random_state=0)

pipe = make_pipeline(
    StandardScaler(),
    BalancedBCEClassifier(
        calibration="sigmoid",
        prior_correction=True,
        threshold="auto",
        max_iter=50,
        random_state=0,
    ),
).fit(X_train, y_train)
clf = pipe[-1]
print(
    f"temperature_={clf.temperature_:.2f}, calibration_offset_={clf.calibration_offset_:.2f}, "
    f"threshold_={clf.threshold_:.3f}"
)
expected = pipe.predict_proba(X_test)

# %%
# joblib
# ------
# One copy of the weights; a model fitted on a GPU loads on a machine
# without one (skorch warns and the model predicts on the CPU).
buffer = io.BytesIO()  # or a path
joblib.dump(pipe, buffer)
print(f"joblib file: {buffer.tell() / 1024:.0f} KiB")
buffer.seek(0)
loaded = joblib.load(buffer)
assert np.array_equal(loaded.predict_proba(X_test), expected)

# %%
# skops
# -----
# ``get_untrusted_types`` names every class that loading would create
# beyond the ones skops trusts already (numpy, scikit-learn's estimators):
# imbbce's estimator, its skorch net and callbacks, and the torch layers,
# loss and optimizer of the network. Read the list, then pass it as
# ``trusted``. The network's weights are read with
# ``torch.load(weights_only=True)``, admitting only the listed classes.
import skops.io as sio  # noqa: E402

blob = sio.dumps(pipe)
untrusted = sio.get_untrusted_types(data=blob)
print("\n".join(untrusted))
loaded = sio.loads(blob, trusted=untrusted)
assert np.array_equal(loaded.predict_proba(X_test), expected)

# %%
# ONNX
# ----
# Importing skl2onnx registers imbbce's converter. The graph holds the
# scaler, the network, the calibration, the prior shift and the threshold;
# labels are the user's, and ``zipmap=False`` returns the probabilities as a
# matrix instead of one dictionary per row.
import onnxruntime as ort  # noqa: E402
import skl2onnx  # noqa: E402

onx = skl2onnx.to_onnx(
    pipe, X_train[:1].astype(np.float32), options={BalancedBCEClassifier: {"zipmap": False}}
)
runtime = ort.InferenceSession(onx.SerializeToString(), providers=["CPUExecutionProvider"])
labels, probabilities = runtime.run(None, {"X": X_test.astype(np.float32)})
print("labels equal predict:", np.array_equal(labels, pipe.predict(X_test.astype(np.float32))))
print(f"largest probability difference: {np.abs(probabilities - expected).max():.1e}")

# %%
# The ONNX graph computes in float32 where the network does, and in float64
# after it, as ``predict_proba`` does: the probabilities agree to about 1e-7.
fig, ax = plt.subplots(figsize=(4.5, 4.5))
ax.scatter(expected[:, 1], probabilities[:, 1], s=8)
ax.plot([0, 1], [0, 1], color="grey", linewidth=0.8)
ax.set_xlabel('predict_proba, P("other")')
ax.set_ylabel('onnxruntime, P("other")')
ax.set_title("ONNX graph against the Python model")
plt.show()
