"""Survival times in months and events coded 1 = death, 0 = censored.

See :mod:`cohort.io` for how these are applied when a cohort is loaded (``--time-unit``,
``--event-value`` and the ``[time]`` / ``[event]`` tables of a column map).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from cohort.errors import CohortInputError, EventCodingError, SchemaError, describe_rows
from cohort.schema import DAYS_PER_MONTH, MISSING_TEXT

__all__ = ["TIME_UNITS", "code_event", "normalize_time_unit", "to_months"]

#: Months per unit (1 month = 365.25 / 12 days, docs/design.md).
TIME_UNITS: dict[str, float] = {
    "days": 1 / DAYS_PER_MONTH,
    "weeks": 7 / DAYS_PER_MONTH,
    "months": 1.0,
    "years": 12.0,
}
_UNIT_ALIASES = {"day": "days", "week": "weeks", "month": "months", "year": "years"}


def normalize_time_unit(unit: str, where: str = "time unit") -> str:
    """The canonical unit name (``"day"`` -> ``"days"``); unknown units are an error."""
    u = unit.strip().lower()
    u = _UNIT_ALIASES.get(u, u)
    if u not in TIME_UNITS:
        raise CohortInputError(
            f"{where} '{unit}' is not known; use one of {', '.join(TIME_UNITS)}."
        )
    return u


def _parse_numbers(values: pd.Series, column: str) -> pd.Series:
    """Numbers from a column that may hold text; NA-like text is missing."""
    if pd.api.types.is_bool_dtype(values):
        raise SchemaError(f"column '{column}' holds true/false values, not numbers.")
    if pd.api.types.is_numeric_dtype(values):
        return pd.to_numeric(values, errors="coerce").astype(float)
    text = values.astype("string").str.strip()
    missing = values.isna() | text.str.lower().isin(MISSING_TEXT).fillna(True)
    num = pd.to_numeric(text.where(~missing), errors="coerce")
    bad = np.flatnonzero((~missing & num.isna()).to_numpy(dtype=bool))
    if len(bad):
        seen = ", ".join(repr(v) for v in pd.unique(values.iloc[bad[:5]]))
        raise SchemaError(
            f"column '{column}': {describe_rows(bad)} are not numbers (values seen: {seen}). "
            "Fix or blank out these cells (a decimal comma needs decimal = \",\" in the [read] "
            "table of a --map file if it was not detected)."
        )
    return num.astype(float)


def to_months(
    values: pd.Series | Sequence[float], unit: str, *, column: str = "time_months"
) -> pd.Series:
    """Convert survival times to months.

    Parameters
    ----------
    values
        Times in ``unit`` (numbers or numeric text; NA-like text is missing and stays
        missing).
    unit
        ``"days"``, ``"weeks"``, ``"months"`` or ``"years"`` (singular accepted).
    column
        Column name used in error messages.

    Returns
    -------
    pandas.Series
        Float months, same index; 1 month = 365.25 / 12 days, 1 year = 12 months.

    References
    ----------
    Canonical schema (docs/design.md): time in months, 1 month = 365.25/12 days.
    """
    series = values if isinstance(values, pd.Series) else pd.Series(values)
    factor = TIME_UNITS[normalize_time_unit(unit)]
    months = _parse_numbers(series, column) * factor
    months.name = series.name
    return months


def _named(result: pd.Series, like: pd.Series) -> pd.Series:
    result.name = like.name
    return result


def _event_key(value: object) -> str:
    if isinstance(value, bool | np.bool_):
        return "1" if value else "0"
    if isinstance(value, int | float | np.integer | np.floating):
        f = float(value)
        return str(int(f)) if f.is_integer() else repr(f)
    s = str(value).strip()
    try:
        f = float(s)
    except ValueError:
        return s.lower()
    if not np.isfinite(f):
        return s.lower()
    return str(int(f)) if f.is_integer() else repr(f)


def code_event(
    values: pd.Series | Sequence[object],
    event_value: object | None = None,
    column: str = "event",
) -> pd.Series:
    """Code an event column as 1 = death, 0 = censored.

    Parameters
    ----------
    values
        The user's event column (numbers, booleans or text labels).
    event_value
        The value that means death. ``None`` accepts only 0/1 (or true/false stored as
        booleans). Compared as a number when both sides are numeric (``2`` matches
        ``"2.0"``), otherwise as text ignoring case and surrounding spaces.
    column
        Column name used in error messages.

    Returns
    -------
    pandas.Series
        ``int`` 0/1, same index.

    Raises
    ------
    EventCodingError
        Missing events (rows listed); a coding other than 0/1 without ``event_value``
        (1/2 gets the hint for R's coding); ``event_value`` not found, or more than one
        other value besides it (values listed).
    """
    series = values if isinstance(values, pd.Series) else pd.Series(list(values))
    text = series.astype("string").str.strip()
    missing = (series.isna() | text.str.lower().isin(MISSING_TEXT).fillna(True)).to_numpy(bool)
    if missing.any():
        rows = np.flatnonzero(missing)
        raise EventCodingError(
            f"column '{column}': {describe_rows(rows)} have no event value (missing). Every "
            "patient needs an event status: 1 = death, 0 = censored (alive at last follow-up)."
        )
    keys = series.map(_event_key)
    seen = list(pd.unique(keys))
    shown = ", ".join(repr(v) for v in sorted(seen)[:10])
    if event_value is None:
        if set(seen) <= {"0", "1"}:
            return _named((keys == "1").astype(int), series)
        if set(seen) == {"1", "2"} or set(seen) == {"2"}:
            raise EventCodingError(
                f"column '{column}' is coded 1/2 (values seen: {shown}), not 0/1. Pass "
                "--event-value 2 if 2 means death (R survival's 1/2 coding), or "
                "--event-value 1 if 1 means death."
            )
        raise EventCodingError(
            f"column '{column}' is not coded 0 = censored / 1 = death (values seen: {shown}). "
            "Say which value means death with --event-value (or [event] value in the "
            "--map file), e.g. --event-value dead."
        )
    target = _event_key(event_value)
    if target not in seen:
        raise EventCodingError(
            f"column '{column}': no row has the event value {event_value!r} (values seen: "
            f"{shown}). Pass the value that means death with --event-value."
        )
    others = [v for v in seen if v != target]
    if len(others) > 1:
        raise EventCodingError(
            f"column '{column}' has {len(seen)} different values ({shown}); with "
            f"--event-value {event_value} exactly one other value can mean censored. Recode "
            "the column (e.g. competing causes of death) so that it has two values."
        )
    return _named((keys == target).astype(int), series)
