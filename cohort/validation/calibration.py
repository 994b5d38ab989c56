"""Calibration of predicted survival at fixed horizons and bootstrap optimism correction.

Predicted survival at horizon h comes from a Cox model on the score (see
:mod:`cohort.validation.brier`). Three summaries are reported at each horizon:

Grouped table
    Patients are split into up to ``n_groups`` groups of predicted survival (quantile
    groups; one group per distinct prediction when there are few, as for a score with a
    handful of values). Per group: mean predicted survival at h against the
    Kaplan-Meier survival at h with its 95% CI. All values are *survival*
    probabilities.
Calibration slope at h
    Follow-up is administratively censored at h and a Cox model is fitted with the
    complementary log-log of the predicted risk, ``cll = log(-log S_hat(h | x))``, as
    the only covariate. Its coefficient is the slope (1 = ideal; < 1 = predictions too
    extreme). Because ``cll = log H0(h) + lp``, the slope on the full (untruncated)
    development data would be exactly 1; truncating at h makes it horizon-specific.
ICI (integrated calibration index)
    Following Austin, Harrell & van Klaveren (2020), the observed risk by h is smoothed
    as a function of the predicted risk with a Cox model on a restricted cubic spline
    of ``cll`` (3 knots at the 10th, 50th and 90th percentiles; linear when ``cll``
    has fewer than 5 distinct values or coinciding knots), fitted to the follow-up
    censored at h; the smoothed observed risk is ``1 - S_cal(h | cll)``. ICI is the
    mean absolute difference between predicted and smoothed observed risk over the
    patients; E50 and E90 are its median and 90th percentile.

Optimism (Harrell's bootstrap, as ``rms::validate``)
    For each of B bootstrap samples the Cox model is refitted; its C-index on the
    bootstrap sample minus its C-index on the original data, averaged, is the optimism
    of C; the calibration slope of the bootstrap model's linear predictor on the
    original data (Cox coefficient of that predictor) estimates the shrinkage, and
    ``1 - mean(slope)`` is the optimism of the slope (the apparent slope is 1).
    Corrected = apparent - optimism.

References
----------
Austin PC, Harrell FE Jr, van Klaveren D. Graphical calibration curves and the
integrated calibration index (ICI) for survival models. Stat Med 2020;39:2714-2742.
Harrell FE, Lee KL, Mark DB. Stat Med 1996;15:361-387 (bootstrap optimism).
Harrell FE. Regression Modeling Strategies, 2nd ed. Springer 2015, sec. 2.4.5
(restricted cubic splines) and 5.3 (bootstrap validation).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from cohort.errors import CohortInputError
from cohort.models.fast_cox import fit_cox
from cohort.models.km import survival_at
from cohort.validation.brier import CoxSurvivalModel, fit_survival_model
from cohort.validation.concordance import harrell_c
from cohort.validation.optimism import run_bootstrap

__all__ = [
    "CALIBRATION_COLUMNS",
    "CalibrationSummary",
    "OptimismSummary",
    "bootstrap_optimism",
    "calibration_summary",
    "calibration_table",
    "rcs_basis",
]

CALIBRATION_COLUMNS = [
    "horizon", "group", "n", "predicted", "observed", "observed_lower", "observed_upper",
]


def calibration_table(
    time: ArrayLike,
    event: ArrayLike,
    predicted: ArrayLike,
    horizon: float,
    n_groups: int = 5,
) -> pd.DataFrame:
    """Grouped calibration table at ``horizon`` (survival scale).

    Returns
    -------
    DataFrame ``[horizon, group, n, predicted, observed, observed_lower,
    observed_upper]``; ``group`` is the range of predicted survival in the group.
    """
    t = np.asarray(time, dtype=float)
    e = np.asarray(event, dtype=int)
    p = np.asarray(predicted, dtype=float)
    distinct = np.unique(np.round(p, 12))
    if len(distinct) <= n_groups:
        codes = np.searchsorted(distinct, np.round(p, 12))
    else:
        codes = pd.qcut(p, n_groups, labels=False, duplicates="drop")
        codes = np.asarray(codes, dtype=int)
    rows = []
    for k in np.unique(codes):
        m = codes == k
        lo, hi = p[m].min(), p[m].max()
        label = f"{lo:.2f}" if np.isclose(lo, hi) else f"{lo:.2f}-{hi:.2f}"
        obs, lo_ci, hi_ci = survival_at(t[m], e[m], horizon)
        rows.append({
            "horizon": float(horizon), "group": label, "n": int(m.sum()),
            "predicted": float(p[m].mean()), "observed": obs,
            "observed_lower": lo_ci, "observed_upper": hi_ci,
        })
    return pd.DataFrame(rows, columns=CALIBRATION_COLUMNS)


def rcs_basis(x: np.ndarray, knots: Sequence[float]) -> np.ndarray:
    """Restricted cubic spline basis (Harrell's parameterisation, linear tails).

    Returns the columns ``x, s_1(x), ..., s_{K-2}(x)`` with
    ``s_j(x) = [(x-k_j)_+^3 - (x-k_{K-1})_+^3 (k_K-k_j)/(k_K-k_{K-1})
    + (x-k_K)_+^3 (k_{K-1}-k_j)/(k_K-k_{K-1})] / (k_K-k_1)^2``.
    """
    k = np.asarray(knots, dtype=float)
    kk = len(k)
    cols = [x]
    scale = (k[-1] - k[0]) ** 2

    def pos3(v: np.ndarray) -> np.ndarray:
        return np.maximum(v, 0.0) ** 3

    for j in range(kk - 2):
        s = (
            pos3(x - k[j])
            - pos3(x - k[-2]) * (k[-1] - k[j]) / (k[-1] - k[-2])
            + pos3(x - k[-1]) * (k[-2] - k[j]) / (k[-1] - k[-2])
        )
        cols.append(s / scale)
    return np.column_stack(cols)


@dataclass(frozen=True)
class CalibrationSummary:
    """Calibration at one horizon."""

    horizon: float
    slope: float
    ici: float
    e50: float
    e90: float
    n: int
    method: str  # "rcs3" or "linear"


def calibration_summary(
    time: ArrayLike, event: ArrayLike, predicted: ArrayLike, horizon: float
) -> CalibrationSummary:
    """Calibration slope and ICI at ``horizon`` (see the module notes for the method)."""
    t = np.asarray(time, dtype=float)
    e = np.asarray(event, dtype=int)
    # keep log(-log S) finite without moving any representable prediction: only S = 0
    # (underflow) and S = 1 are nudged (a cruder clip at 1e-12 biased the slope of
    # very extreme predictions)
    s = np.clip(np.asarray(predicted, dtype=float), np.finfo(float).tiny, np.nextafter(1.0, 0.0))
    th = np.minimum(t, horizon)
    eh = ((e == 1) & (t <= horizon)).astype(int)
    nan = CalibrationSummary(horizon, np.nan, np.nan, np.nan, np.nan, len(t), "none")
    if eh.sum() == 0 or t.max() < horizon:
        return nan
    cll = np.log(-np.log(s))
    if np.unique(cll).size < 2:
        return nan
    try:
        slope_fit = fit_cox(th, eh, cll, warn=False)
    except CohortInputError:
        return nan
    slope = float(slope_fit.coef[0]) if slope_fit.converged else np.nan
    knots = np.quantile(cll, [0.1, 0.5, 0.9])
    method = "rcs3"
    if np.unique(cll).size < 5 or np.unique(np.round(knots, 10)).size < 3:
        basis, method = cll[:, None], "linear"
    else:
        basis = rcs_basis(cll, knots)
    try:
        cal: CoxSurvivalModel = fit_survival_model(th, eh, basis)
    except CohortInputError:
        cal, method = fit_survival_model(th, eh, cll[:, None]), "linear"
        basis = cll[:, None]
    observed_risk = 1 - cal.survival(basis, [horizon])[:, 0]
    diff = np.abs((1 - s) - observed_risk)
    return CalibrationSummary(
        horizon, slope, float(diff.mean()), float(np.median(diff)),
        float(np.quantile(diff, 0.9)), len(t), method,
    )


@dataclass(frozen=True)
class OptimismSummary:
    """Harrell's bootstrap validation of a Cox model: C and calibration slope."""

    c_apparent: float
    c_optimism: float
    c_corrected: float
    slope_apparent: float
    slope_optimism: float
    slope_corrected: float
    B: int
    n_failed: int


@dataclass(frozen=True)
class _CoxReplicate:
    """One bootstrap replicate: refit on the sample, evaluate C and slope (picklable)."""

    time: np.ndarray
    event: np.ndarray
    x: np.ndarray

    def __call__(self, idx: np.ndarray) -> tuple[float, float, float]:
        t, e, x = self.time[idx], self.event[idx], self.x[idx]
        try:
            fit = fit_cox(t, e, x, warn=False)
        except CohortInputError:  # e.g. a covariate constant in this sample
            return math.nan, math.nan, math.nan
        if not fit.converged or not np.isfinite(fit.coef).all():
            return math.nan, math.nan, math.nan
        lp_orig = self.x @ fit.coef
        c_boot = harrell_c(t, e, x @ fit.coef)
        c_orig = harrell_c(self.time, self.event, lp_orig)
        slope = math.nan
        if np.ptp(lp_orig) > 0:
            sfit = fit_cox(self.time, self.event, lp_orig, warn=False)
            slope = float(sfit.coef[0]) if sfit.converged else math.nan
        return c_boot, c_orig, slope


def bootstrap_optimism(
    time: ArrayLike,
    event: ArrayLike,
    x: np.ndarray,
    *,
    B: int = 200,
    seed: int = 0,
    progress: bool = False,
    label: str = "bootstrap",
    n_jobs: int | None = None,
) -> OptimismSummary:
    """Bootstrap optimism of Harrell's C and of the calibration slope of a Cox model.

    The replicates are drawn and run by :func:`cohort.validation.optimism.run_bootstrap`
    (replicate b uses child b of ``SeedSequence(seed)``), so the C part equals
    :func:`cohort.validation.optimism.optimism_corrected_c` with the same seed.

    Parameters
    ----------
    time, event
        Survival data.
    x
        Covariates of the model, shape (n,) or (n, p) (no missing values).
    B
        Bootstrap samples.
    seed
        Seed of the bootstrap.
    progress
        Show a progress bar (rich, on standard error).
    label
        Text of the progress bar.
    n_jobs
        Worker processes (see ``run_bootstrap``); None = automatic.

    Returns
    -------
    OptimismSummary
        Replicates whose refit fails (for example a covariate constant in the
        sample, or separation) are skipped and counted in ``n_failed``.
    """
    t = np.asarray(time, dtype=float)
    e = np.asarray(event, dtype=float)
    arr = np.asarray(x, dtype=float)
    if arr.ndim == 1:
        arr = arr[:, None]
    full = fit_cox(t, e, arr, warn=False)
    c_app = harrell_c(t, e, arr @ full.coef)
    # time-sorted rows, as optimism_corrected_c does, so that replicate b draws the
    # same patients in both
    order = np.argsort(t, kind="stable")
    t, e, arr = t[order], e[order], np.ascontiguousarray(arr[order])
    reps = np.asarray(
        run_bootstrap(_CoxReplicate(t, e, arr), len(t), B, seed=seed, n_jobs=n_jobs,
                      progress=progress, label=label),
        dtype=float,
    ).reshape(B, 3)
    c_ok = np.isfinite(reps[:, 0]) & np.isfinite(reps[:, 1])
    s_ok = c_ok & np.isfinite(reps[:, 2])
    c_o = float(np.mean(reps[c_ok, 0] - reps[c_ok, 1])) if c_ok.any() else math.nan
    s_o = float(1.0 - np.mean(reps[s_ok, 2])) if s_ok.any() else math.nan
    return OptimismSummary(c_app, c_o, c_app - c_o, 1.0, s_o, 1.0 - s_o, B,
                           int((~c_ok).sum()))
