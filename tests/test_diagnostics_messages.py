"""The collapse warning names the class the network collapsed onto, and its advice
follows what the fit used."""

import numpy as np
import pytest

from imbbce import MajorityCollapseWarning
from imbbce._diagnostics import collapse_report, warn_if_collapsed

y = np.array([0, 0, 0, 1])


def test_collapse_onto_the_majority():
    report = collapse_report(y, np.zeros(4, dtype=int), minority=1, checked_on="validation")
    with pytest.warns(MajorityCollapseWarning, match="collapsed onto the majority class"):
        warn_if_collapsed(report, "fraud")


@pytest.mark.parametrize("checked_on", ["validation", "training"])
def test_patience_is_advised_only_when_a_validation_split_was_used(checked_on):
    report = collapse_report(y, np.zeros(4, dtype=int), minority=1, checked_on=checked_on)
    with pytest.warns(MajorityCollapseWarning) as record:
        warn_if_collapsed(report, "fraud")
    assert ("n_iter_no_change" in str(record[0].message)) == (checked_on == "validation")


def test_collapse_onto_the_minority_is_not_called_a_majority_collapse():
    report = collapse_report(y, np.ones(4, dtype=int), minority=1, checked_on="validation")
    with pytest.warns(MajorityCollapseWarning) as record:
        warn_if_collapsed(report, "fraud")
    message = str(record[0].message)
    assert "majority" not in message
    assert "predicts class 'fraud', the minority, for every row" in message


def _message(settings, checked_on="validation"):
    report = collapse_report(y, np.zeros(4, dtype=int), minority=1, checked_on=checked_on)
    with pytest.warns(MajorityCollapseWarning) as record:
        warn_if_collapsed(report, "fraud", settings)
    return str(record[0].message)


DEFAULTS = dict(
    class_weight="balanced",
    sampler=None,
    loss="bce",
    threshold=0.5,
    prior_correction=False,
    max_iter=50,
    n_iter_no_change=20,
)


def test_advice_leaves_out_what_is_already_in_place():
    message = _message({**DEFAULTS, "sampler": "smote", "stop_reason": "early_stopping"})
    assert "class_weight='balanced'" not in message and "sampler=" not in message
    assert "loss='focal'" in message and "threshold='auto'" in message
    assert "class_weight='balanced'" in _message({**DEFAULTS, "class_weight": None})


def test_patience_only_when_early_stopping_ended_training_else_longer_training():
    stopped = _message({**DEFAULTS, "stop_reason": "early_stopping"})
    assert "n_iter_no_change, now 20" in stopped and "max_iter" not in stopped
    capped = _message({**DEFAULTS, "stop_reason": "max_iter", "max_iter": 30})
    assert "train longer (max_iter, now 30)" in capped and "n_iter_no_change" not in capped


@pytest.mark.parametrize(
    "change, cause",
    [({"prior_correction": True}, "prior_correction=True"), ({"threshold": 0.9}, "threshold=0.9")],
)
def test_a_setting_that_explains_the_collapse_is_named_first(change, cause):
    message = _message({**DEFAULTS, "stop_reason": "max_iter", **change})
    assert f"Likely cause: {cause}" in message
    assert message.index("Likely cause") < message.index("Remedies")
