"""Discrimination: Harrell's C with bootstrap CI, Uno's C and cumulative/dynamic AUC.

Direction
---------
Every function here takes a *risk*: higher means earlier death. A prognostic score is
turned into a risk by :func:`orient_risk`: scores where higher is better (revised and
original Tokuhashi, Bauer, van der Linden) are negated, scores where higher is worse
(Tomita, SINS) are used as they are. A score that works as its authors intended then
has a C-index above 0.5. Ties in the risk count 1/2 in every C and AUC here. A death
and a censoring at the same time form a comparable pair (the censored patient is taken
to have outlived the death), in Harrell's C as in Uno's C; the censoring Kaplan-Meier
of the IPCW weights takes deaths before censorings at tied times (scikit-survival).

Harrell's C uses :func:`cohort.validation.concordance.harrell_c` (the conventions of
lifelines' ``concordance_index``); Uno's C and the time-dependent AUC use
scikit-survival's IPCW estimators with the censoring distribution estimated by
Kaplan-Meier on the same data.

References
----------
Harrell FE, Lee KL, Mark DB. Stat Med 1996;15:361-387.
Uno H, Cai T, Pencina MJ, D'Agostino RB, Wei LJ. On the C-statistics for evaluating
overall adequacy of risk prediction procedures with censored survival data. Stat Med
2011;30:1105-1117.
Uno H, Cai T, Tian L, Wei LJ. Evaluating prediction rules for t-year survivors with
censored regression models. J Am Stat Assoc 2007;102:527-537 (cumulative/dynamic AUC).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from sksurv.metrics import concordance_index_ipcw, cumulative_dynamic_auc
from sksurv.util import Surv

from cohort.validation.concordance import harrell_c

__all__ = [
    "Direction",
    "HarrellC",
    "harrell_c_bootstrap",
    "orient_risk",
    "td_auc",
    "uno_c",
    "uno_tau",
]

Direction = Literal["higher_is_better", "higher_is_worse"]


def orient_risk(values: ArrayLike, direction: str) -> np.ndarray:
    """Score values as a risk (higher = earlier death) according to ``direction``."""
    v = np.asarray(values, dtype=float)
    if direction == "higher_is_better":
        return -v
    if direction == "higher_is_worse":
        return v
    raise ValueError(f"direction must be higher_is_better or higher_is_worse, not {direction!r}")


@dataclass(frozen=True)
class HarrellC:
    """Harrell's C with a percentile bootstrap confidence interval."""

    c: float
    ci_lower: float
    ci_upper: float
    B: int
    replicates: np.ndarray


def _arrays(time: ArrayLike, event: ArrayLike, risk: ArrayLike
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    t = np.asarray(time, dtype=float)
    e = np.asarray(event, dtype=int)
    r = np.asarray(risk, dtype=float)
    return t, e, r


def harrell_c_bootstrap(
    time: ArrayLike,
    event: ArrayLike,
    risk: ArrayLike,
    *,
    B: int = 200,
    seed: int = 0,
    alpha: float = 0.05,
) -> HarrellC:
    """Harrell's C and its percentile bootstrap interval (patients resampled).

    Replicates without a comparable pair are skipped (NaN), which only happens in tiny
    samples.
    """
    t, e, r = _arrays(time, event, risk)
    c = harrell_c(t, e, r)
    rng = np.random.default_rng(seed)
    reps = np.full(B, np.nan)
    n = len(t)
    for b in range(B):
        idx = rng.integers(0, n, n)
        if e[idx].any():
            reps[b] = harrell_c(t[idx], e[idx], r[idx])
    ok = reps[np.isfinite(reps)]
    if len(ok) < 2:
        return HarrellC(c, np.nan, np.nan, B, reps)
    lo, hi = np.quantile(ok, [alpha / 2, 1 - alpha / 2])
    return HarrellC(c, float(lo), float(hi), B, reps)


def uno_tau(time: ArrayLike, horizons: Sequence[float]) -> float:
    """Truncation time for Uno's C: the largest horizon, if follow-up reaches beyond it.

    Otherwise a time strictly between the two largest distinct observed times (their
    midpoint): the estimated censoring survival is still positive there (as
    scikit-survival requires of tau), and every death before the last follow-up time
    enters the estimate, which is the same for any tau in that interval. (Truncating at
    the second-largest time itself would drop the deaths at that time.)
    """
    t = np.asarray(time, dtype=float)
    tau = float(max(horizons))
    last = float(t.max())
    if tau < last:
        return tau
    earlier = t[t < last]
    return (float(earlier.max()) + last) / 2 if len(earlier) else last


def uno_c(
    time: ArrayLike, event: ArrayLike, risk: ArrayLike, tau: float
) -> float:
    """Uno's IPCW C-statistic truncated at ``tau`` (scikit-survival).

    The censoring distribution is the Kaplan-Meier estimate from the same patients.
    Returns NaN when no comparable pair exists before ``tau``.
    """
    t, e, r = _arrays(time, event, risk)
    y = Surv.from_arrays(e.astype(bool), t)
    if not e[t < tau].any():
        return float("nan")
    return float(concordance_index_ipcw(y, y, r, tau=tau)[0])


def td_auc(
    time: ArrayLike, event: ArrayLike, risk: ArrayLike,
    times: Sequence[float],
) -> pd.DataFrame:
    """Cumulative/dynamic AUC(t): deaths by t (cases) against survivors beyond t.

    Times outside the follow-up range (before the first or at/after the last
    observation, or with no case or no control) give NaN.

    Returns
    -------
    DataFrame ``[time, auc]``.
    """
    t, e, r = _arrays(time, event, risk)
    y = Surv.from_arrays(e.astype(bool), t)
    times = [float(x) for x in times]
    ok = [
        x for x in times
        if t.min() <= x < t.max() and ((t <= x) & (e == 1)).any() and (t > x).any()
    ]
    auc = dict.fromkeys(times, np.nan)
    if ok:
        # scikit-survival computes inverse-probability weights for every death in the
        # test data, also after the last evaluation time, where they do not enter
        # AUC(t); a death tied with censoring at the last follow-up time has censoring
        # survival 0 there and made it raise. Deaths after max(ok) are passed as
        # censored at the same time: still controls for every t <= max(ok), so the
        # AUC is unchanged.
        y_test = Surv.from_arrays((e == 1) & (t <= max(ok)), t)
        vals, _ = cumulative_dynamic_auc(y, y_test, r, np.asarray(ok))
        auc.update(zip(ok, (float(v) for v in vals), strict=True))
    return pd.DataFrame({"time": times, "auc": [auc[x] for x in times]})
