"""The collapse warning names the class the network collapsed onto."""

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
