"""Time-unit conversion and event coding."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cohort.errors import CohortInputError, EventCodingError, SchemaError
from cohort.io import code_event, to_months

# ------------------------------------------------------------------------ times


@pytest.mark.parametrize(
    ("unit", "values", "months"),
    [
        # 1 month = 365.25 / 12 = 30.4375 days (docs/design.md), hand-worked.
        ("days", [0, 30.4375, 365.25, 730.5], [0, 1, 12, 24]),
        ("day", [60.875], [2]),
        # 1 week = 7 / 30.4375 months; 30.4375 weeks = 7 months.
        ("weeks", [30.4375, 0], [7, 0]),
        ("months", [1.5, 0], [1.5, 0]),
        ("years", [1, 0.5, 2.25], [12, 6, 27]),
        ("Years", [1], [12]),
    ],
)
def test_to_months(unit: str, values: list[float], months: list[float]) -> None:
    out = to_months(pd.Series(values, name="os"), unit)
    np.testing.assert_allclose(out.to_numpy(), months, rtol=1e-12, atol=1e-12)
    assert out.name == "os"


def test_to_months_parses_text_and_keeps_missing() -> None:
    out = to_months(pd.Series(["365.25", " 30.4375 ", None, "NA", ""]), "days")
    np.testing.assert_allclose(out.to_numpy()[:2], [12, 1])
    assert out.isna().tolist() == [False, False, True, True, True]


def test_to_months_rejects_text_naming_rows() -> None:
    values = pd.Series(["12", "about a year", "3", "?"])
    with pytest.raises(SchemaError, match=r"'os_days': 2 rows \(rows 2, 4\) are not numbers"):
        to_months(values, "days", column="os_days")


def test_to_months_unknown_unit() -> None:
    with pytest.raises(CohortInputError, match="'hours' is not known; use one of days, weeks"):
        to_months([1.0], "hours")


# ----------------------------------------------------------------------- events


@pytest.mark.parametrize(
    "values",
    [[0, 1, 1, 0], ["0", "1", " 1", "0"], [0.0, 1.0, 1.0, 0.0], [False, True, True, False],
     ["0.0", "1", "1.0", "0"]],
)
def test_zero_one_coding_passes(values: list[object]) -> None:
    out = code_event(pd.Series(values, dtype=object))
    assert out.tolist() == [0, 1, 1, 0]
    assert out.dtype.kind == "i"


def test_one_two_coding_needs_event_value() -> None:
    with pytest.raises(EventCodingError) as info:
        code_event(pd.Series([1, 2, 2, 1]), column="status")
    msg = str(info.value)
    assert "'status'" in msg
    assert "Pass --event-value 2 if 2 means death (R survival's 1/2 coding)" in msg


def test_one_two_coding_with_event_value() -> None:
    assert code_event(pd.Series([1, 2, 2, 1]), event_value=2).tolist() == [0, 1, 1, 0]
    # Text from a CLI option matches numbers written either way.
    assert code_event(pd.Series(["1", "2.0", "2", "1"]), event_value="2").tolist() == [0, 1, 1, 0]
    assert code_event(pd.Series([1, 2]), event_value="1").tolist() == [1, 0]


def test_text_labels_need_event_value() -> None:
    with pytest.raises(EventCodingError, match=r"values seen: 'alive', 'dead'.*--event-value"):
        code_event(pd.Series(["dead", "alive", "dead"]))
    out = code_event(pd.Series(["Dead", " alive", "DEAD "]), event_value="dead")
    assert out.tolist() == [1, 0, 1]


def test_event_value_with_more_than_two_values() -> None:
    values = pd.Series(["dead of disease", "alive", "dead other cause", "alive"])
    expected = r"3 different values \('alive', 'dead of disease', 'dead other cause'\)"
    with pytest.raises(EventCodingError, match=expected):
        code_event(values, event_value="dead of disease")
    with pytest.raises(EventCodingError, match=r"values seen: 0, 1, 2|'0', '1', '2'"):
        code_event(pd.Series([0, 1, 2]))


def test_event_value_absent_from_data() -> None:
    expected = r"no row has the event value 'died'.*'alive', 'dead'"
    with pytest.raises(EventCodingError, match=expected):
        code_event(pd.Series(["dead", "alive"]), event_value="died")


def test_all_deaths_with_event_value_is_unambiguous() -> None:
    assert code_event(pd.Series(["dead", "dead"]), event_value="dead").tolist() == [1, 1]


def test_missing_events_list_rows() -> None:
    values = pd.Series(["1", None, "0", "", "NA", "1"])
    with pytest.raises(EventCodingError, match=r"'event': 3 rows \(rows 2, 4, 5\) have no event"):
        code_event(values)


labels = st.text(alphabet=st.characters(categories=("L", "N")), min_size=1, max_size=8)


@settings(max_examples=60, deadline=None)
@given(
    death=labels,
    censored=labels,
    pattern=st.lists(st.booleans(), min_size=1, max_size=30).filter(any),
)
def test_event_value_coding_is_equality(death: str, censored: str, pattern: list[bool]) -> None:
    key = death.strip().lower()
    if key == censored.strip().lower() or key in ("na", "nan", "none", "null", "missing"):
        return
    if censored.strip().lower() in ("na", "nan", "none", "null", "missing"):
        return
    try:  # numerically equal labels ("1" and "01") are one value by design
        if float(death) == float(censored):
            return
    except ValueError:
        pass
    values = pd.Series([death if p else censored for p in pattern])
    out = code_event(values, event_value=death)
    assert out.tolist() == [int(p) for p in pattern]
