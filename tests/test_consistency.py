"""Prediction consistency of survival bands, hand-worked cases."""

from __future__ import annotations

import numpy as np
import pytest

from cohort.validation.consistency import classify_consistency, prediction_consistency

BANDS = {"0-8": (0.0, 6.0), "9-11": (6.0, 12.0), "12-15": (12.0, None)}


@pytest.mark.parametrize(
    ("time", "event", "band", "expected"),
    [
        (3, 1, (0, 6), "consistent"),
        (6, 1, (0, 6), "inconsistent"),  # died at 6: not < 6 months
        (4, 0, (0, 6), "indeterminate"),
        (7, 0, (0, 6), "inconsistent"),  # outlived the band
        (8, 1, (6, 12), "consistent"),
        (13, 1, (6, 12), "inconsistent"),
        (9, 0, (6, 12), "indeterminate"),
        (12, 0, (6, 12), "inconsistent"),
        (3, 0, (6, 12), "indeterminate"),
        (5, 1, (6, 12), "inconsistent"),
        (12, 0, (12, None), "consistent"),
        (11, 0, (12, None), "indeterminate"),
        (20, 1, (12, None), "consistent"),
        (11, 1, (12, None), "inconsistent"),
    ],
)
def test_rule(time: float, event: int, band: tuple, expected: str) -> None:
    assert classify_consistency(time, event, band) == expected


def test_rates_and_counts() -> None:
    time = [3, 7, 4, 8, 13, 20, 11, 5]
    event = [1, 0, 0, 1, 1, 0, 0, 1]
    groups = ["0-8", "0-8", "0-8", "9-11", "9-11", "12-15", "12-15", None]
    res = prediction_consistency(time, event, groups, BANDS)
    # consistent: (3,d,0-8), (8,d,9-11), (20,c,12-15); inconsistent: (7,c,0-8), (13,d,9-11)
    # indeterminate: (4,c,0-8), (11,c,12-15); no group: 1
    assert (res.n_consistent, res.n_inconsistent, res.n_indeterminate, res.n_no_group) == (
        3, 2, 2, 1)
    assert res.rate == pytest.approx(3 / 5)
    tab = res.table.set_index("group")
    assert tab.loc["0-8", "rate"] == pytest.approx(0.5)
    assert tab.loc["12-15", "indeterminate"] == 1
    assert np.isclose(tab.loc["12-15", "rate"], 1.0)
