"""Prediction consistency of scores that predict a survival band.

The revised Tokuhashi groups predict survival < 6 months (0-8), 6 to < 12 months (9-11)
and >= 12 months (12-15) (Tokuhashi 2005 (Spine 30:2186)); the published consistency
rates (e.g. 87.9% in Tokuhashi 2009) are the share of patients whose actual survival
fell in the predicted band.

Rule for each patient, predicted band [lo, hi) (hi = infinity for the open band):

* died at T: consistent when lo <= T < hi, otherwise inconsistent;
* censored at C: the survival is only known to exceed C, so
  - C >= hi: inconsistent (known to have outlived the band);
  - hi is infinite and C >= lo: consistent (known to have reached the band);
  - otherwise indeterminate (the death could still fall inside or outside the band):
    excluded from the rate and counted.

The rate is consistent / (consistent + inconsistent). Excluding indeterminate patients
favours bands whose patients die early (their status is known sooner); the counts are
reported so the reader can judge.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

__all__ = ["ConsistencyResult", "classify_consistency", "prediction_consistency"]

CONSISTENT, INCONSISTENT, INDETERMINATE = "consistent", "inconsistent", "indeterminate"


def classify_consistency(
    time: float, event: int, band: tuple[float, float | None]
) -> str:
    """Classify one patient (see the module rule)."""
    lo, hi = band
    upper = np.inf if hi is None else float(hi)
    if event == 1:
        return CONSISTENT if lo <= time < upper else INCONSISTENT
    if time >= upper:
        return INCONSISTENT
    if np.isinf(upper) and time >= lo:
        return CONSISTENT
    return INDETERMINATE


@dataclass(frozen=True)
class ConsistencyResult:
    """Overall and per-group consistency.

    ``table``: ``[group, band, n, consistent, inconsistent, indeterminate, rate]``.
    """

    rate: float
    n_consistent: int
    n_inconsistent: int
    n_indeterminate: int
    n_no_group: int
    table: pd.DataFrame


def prediction_consistency(
    time: ArrayLike,
    event: ArrayLike,
    groups: ArrayLike,
    bands: Mapping[str, tuple[float, float | None]],
) -> ConsistencyResult:
    """Share of patients whose survival fell in the band predicted by their group.

    Parameters
    ----------
    time, event
        Survival in months, 1 = death.
    groups
        Group label per patient (missing: counted in ``n_no_group``).
    bands
        Group label -> (lower, upper) months; upper ``None`` means open-ended.
    """
    t = np.asarray(time, dtype=float)
    e = np.asarray(event, dtype=int)
    g = pd.Series(np.asarray(groups, dtype=object), dtype=object)
    status = pd.Series([None] * len(t), dtype=object)
    for i, lab in enumerate(g):
        if pd.isna(lab) or str(lab) not in bands:
            continue
        status.iloc[i] = classify_consistency(t[i], int(e[i]), bands[str(lab)])
    rows = []
    for lab, band in bands.items():
        m = (g.astype(str) == lab) & status.notna()
        s = status[m]
        c, i_, d = int((s == CONSISTENT).sum()), int((s == INCONSISTENT).sum()), int(
            (s == INDETERMINATE).sum())
        hi = "" if band[1] is None else f"{band[1]:g}"
        rows.append({"group": lab, "band": f"[{band[0]:g}, {hi or 'inf'})", "n": int(m.sum()),
                     "consistent": c, "inconsistent": i_, "indeterminate": d,
                     "rate": c / (c + i_) if c + i_ else np.nan})
    table = pd.DataFrame(rows)
    c = int((status == CONSISTENT).sum())
    i_ = int((status == INCONSISTENT).sum())
    d = int((status == INDETERMINATE).sum())
    return ConsistencyResult(
        c / (c + i_) if c + i_ else float("nan"), c, i_, d, int(status.isna().sum()), table
    )
