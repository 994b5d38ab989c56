"""Vectorised building blocks shared by the score modules.

Every helper returns points as a float Series aligned with the input, NaN where the
input is missing; a score is the row sum of its items with NaN propagated (a missing
input makes the score missing, never guessed).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from cohort.errors import SchemaError, describe_rows
from cohort.schema import COLUMNS

__all__ = [
    "band_points",
    "check_inputs",
    "kps_band_points",
    "map_points",
    "solitary_bone_metastasis",
    "total_points",
]


def map_points(values: pd.Series, mapping: Mapping[Any, float]) -> pd.Series:
    """Map category labels (or booleans) to points; NaN where the value is missing."""
    return values.map(dict(mapping)).astype(float)


def _numeric(values: pd.Series) -> np.ndarray:
    return pd.to_numeric(values, errors="coerce").astype(float).to_numpy()


def band_points(values: pd.Series, bands: Sequence[tuple[float, float]]) -> pd.Series:
    """Points for a numeric input by lower bounds, checked from the highest band down.

    Parameters
    ----------
    values
        Numeric input (NaN / NA = missing).
    bands
        ``(lower_bound, points)`` pairs in decreasing order of ``lower_bound``: a value
        gets the points of the first band whose lower bound it reaches. A value below
        every bound (or missing) gets NaN.
    """
    x = _numeric(values)
    with np.errstate(invalid="ignore"):
        conditions = [x >= lo for lo, _ in bands]
    out = np.select(conditions, [float(p) for _, p in bands], default=np.nan)
    return pd.Series(out, index=values.index, dtype=float)


def kps_band_points(kps: pd.Series) -> pd.Series:
    """KPS 80-100 -> 2, 50-70 -> 1, 10-40 -> 0 (Tokuhashi's "general condition").

    References
    ----------
    Tokuhashi Y et al. Spine 2005;30:2186-91 (NICE CG75 appendix reproduction, S1 [V]);
    the same three bands in the 1990 version (S6 [S]).
    """
    return band_points(kps, ((80, 2), (50, 1), (10, 0)))


def solitary_bone_metastasis(frame: pd.DataFrame) -> pd.Series:
    """1.0 where the patient has exactly one bone lesion in total, 0.0 otherwise, NaN if unknown.

    Spinal and extraspinal lesions are counted together (Bollen thesis p.95, S8):
    solitary means ``vertebral_mets == 1`` and ``extraspinal_bone_mets == 0``.
    """
    vertebral = _numeric(frame["vertebral_mets"])
    extraspinal = _numeric(frame["extraspinal_bone_mets"])
    known = ~(np.isnan(vertebral) | np.isnan(extraspinal))
    solitary = np.where(known, ((vertebral == 1) & (extraspinal == 0)).astype(float), np.nan)
    return pd.Series(solitary, index=frame.index, dtype=float)


def total_points(components: pd.DataFrame, name: str) -> pd.Series:
    """Row sum of item points as ``Int64``; NA when any item is missing."""
    total = components.sum(axis=1, skipna=False, min_count=1)
    return total.round().astype("Int64").rename(name)


def check_inputs(frame: pd.DataFrame, columns: Iterable[str]) -> None:
    """Check that score inputs hold canonical values; raise :class:`SchemaError` if not.

    Scores expect a frame from :func:`cohort.schema.validate_cohort`. This cheap check
    stops a raw frame (e.g. KPS 55, a misspelled site) from being scored silently.
    """
    for column in columns:
        if column not in frame.columns:
            continue
        spec = COLUMNS[column]
        values = frame[column]
        present = values.notna().to_numpy(dtype=bool)
        if spec.kind == "category":
            assert spec.values is not None
            ok = values.isin(spec.values).to_numpy(dtype=bool)
            allowed = f"allowed values: {', '.join(spec.values)}"
        elif spec.kind == "bool":
            ok = values.isin([True, False]).to_numpy(dtype=bool)
            allowed = "allowed values: true, false"
        else:
            x = _numeric(values)
            with np.errstate(invalid="ignore"):
                ok = ~np.isnan(x) & (x == np.round(x))
                if spec.minimum is not None:
                    ok &= x >= spec.minimum
                if spec.maximum is not None:
                    ok &= x <= spec.maximum
                if spec.step is not None and spec.step != 1:
                    ok &= np.mod(x, spec.step) == 0
            allowed = "allowed: whole numbers"
            if spec.minimum is not None:
                allowed += f" from {spec.minimum:g}"
            if spec.maximum is not None:
                allowed += f" to {spec.maximum:g}"
            if spec.step is not None and spec.step != 1:
                allowed += f" in steps of {spec.step:g}"
        bad = present & ~ok
        if bad.any():
            positions = np.flatnonzero(bad)
            ids = None
            if "patient_id" in frame.columns:
                ids = list(frame["patient_id"].iloc[positions[:5]])
            seen = ", ".join(repr(v) for v in pd.unique(values.iloc[positions[:5]]))
            raise SchemaError(
                f"column '{column}': {describe_rows(positions, ids)} hold values a score "
                f"cannot use (values seen: {seen}; {allowed}). Validate the table with "
                "cohort.schema.validate_cohort (or load it with cohort.io.load_cohort), "
                "or correct these cells."
            )
