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


def test_collapse_onto_the_minority_is_not_called_a_majority_collapse():
    report = collapse_report(y, np.ones(4, dtype=int), minority=1, checked_on="validation")
    with pytest.warns(MajorityCollapseWarning) as record:
        warn_if_collapsed(report, "fraud")
    message = str(record[0].message)
    assert "majority" not in message
    assert "predicts class 'fraud', the minority, for every row" in message
