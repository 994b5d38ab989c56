"""Survival predicted by a Cox model on a score; Brier score and integrated Brier score.

The prediction for a score is ``S(t | x) = exp(-H0(t) exp(b x))`` from a Cox model
(Efron ties, fitted by :func:`cohort.models.fast_cox.fit_cox`) with the Breslow
estimate of the baseline cumulative hazard ``H0``, as lifelines and R's ``basehaz``
(``centered=FALSE``) compute it for a Breslow baseline. The Brier score at t and its
integral use inverse probability of censoring weights (scikit-survival), with the
censoring distribution estimated by Kaplan-Meier from the same patients.

The integrated Brier score is integrated over the distinct observed times from the
first one up to ``tau`` (by default the largest horizon, or the last time at which the
weights exist), divided by the length of that interval (scikit-survival's convention).
In cohorts with more than :data:`MAX_IBS_GRID` distinct times in that window, the grid
is that many of them, evenly spaced in rank, so that large registries stay tractable.

References
----------
Breslow NE. Discussion of Professor Cox's paper. J R Stat Soc B 1972;34:216-217.
Graf E, Schmoor C, Sauerbrei W, Schumacher M. Assessment and comparison of prognostic
classification schemes for survival data. Stat Med 1999;18:2529-2545.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy.integrate import trapezoid
from sksurv.metrics import brier_score
from sksurv.util import Surv

from cohort.models.fast_cox import fit_cox

__all__ = [
    "MAX_IBS_GRID", "CoxSurvivalModel", "brier_at", "fit_survival_model", "ibs_grid",
    "integrated_brier",
]


@dataclass(frozen=True)
class CoxSurvivalModel:
    """A Cox model with its Breslow baseline, able to predict survival curves.

    The baseline is kept for the linear predictor centred at ``lp_shift`` (the largest
    linear predictor of the fitting data), ``H(t | x) = H0(t) exp(x b - lp_shift)``,
    so that extreme linear predictors (e.g. the complementary log-log of survival
    probabilities near 1) neither overflow nor underflow.
    """

    coef: np.ndarray
    event_times: np.ndarray
    baseline_cumhaz: np.ndarray  # H0 at event_times, for the linear predictor - lp_shift
    converged: bool = True
    lp_shift: float = 0.0

    def linear_predictor(self, x: np.ndarray) -> np.ndarray:
        """``x @ coef`` for covariates of shape (n,) or (n, p)."""
        arr = np.asarray(x, dtype=float)
        if arr.ndim == 1:
            arr = arr[:, None]
        return arr @ self.coef

    def cumhaz0(self, times: Sequence[float] | np.ndarray) -> np.ndarray:
        """Baseline cumulative hazard (for ``lp_shift``) at ``times``, a right-continuous
        step function."""
        pos = np.searchsorted(self.event_times, np.asarray(times, dtype=float), side="right")
        padded = np.r_[0.0, self.baseline_cumhaz]
        return padded[pos]

    def survival(self, x: np.ndarray, times: Sequence[float] | np.ndarray) -> np.ndarray:
        """Predicted survival, shape (n patients, len(times))."""
        lp = self.linear_predictor(x) - self.lp_shift
        return np.exp(-np.outer(np.exp(lp), self.cumhaz0(times)))


def breslow_baseline(
    time: np.ndarray, event: np.ndarray, lp: np.ndarray
) -> tuple[np.ndarray, np.ndarray, float]:
    """Breslow baseline cumulative hazard ``sum_{t_j <= t} d_j / sum_{T_i >= t_j} e^lp_i``.

    Returns the event times, the cumulative hazard for the linear predictor centred at
    its maximum, and that maximum (``shift``): ``H0(t) = returned(t) * exp(-shift)``.
    """
    shift = float(lp.max()) if len(lp) else 0.0
    w = np.exp(lp - shift)
    order = np.argsort(time, kind="stable")
    ts, ws, es = time[order], w[order], event[order]
    uniq, first = np.unique(ts, return_index=True)
    risk_sum = np.cumsum(ws[::-1])[::-1][first]  # sum of weights with T >= t_j
    deaths = np.add.reduceat(es, first)
    keep = deaths > 0
    hazard = deaths[keep] / risk_sum[keep]
    return uniq[keep], np.cumsum(hazard), shift


def fit_survival_model(
    time: ArrayLike, event: ArrayLike, x: np.ndarray
) -> CoxSurvivalModel:
    """Fit a Cox model (Efron) on ``x`` and attach the Breslow baseline."""
    t = np.asarray(time, dtype=float)
    e = np.asarray(event, dtype=float)
    arr = np.asarray(x, dtype=float)
    if arr.ndim == 1:
        arr = arr[:, None]
    fit = fit_cox(t, e, arr, warn=False)
    coef = np.asarray(fit.coef, dtype=float)
    if not np.isfinite(coef).all():
        coef = np.zeros(arr.shape[1])
    et, h0, shift = breslow_baseline(t, e, arr @ coef)
    return CoxSurvivalModel(coef, et, h0, bool(fit.converged), shift)


def _surv(time: np.ndarray, event: np.ndarray) -> np.ndarray:
    return Surv.from_arrays(np.asarray(event).astype(bool), np.asarray(time, dtype=float))


def brier_at(
    time: ArrayLike, event: ArrayLike, predicted: np.ndarray,
    horizons: Sequence[float],
) -> dict[float, float]:
    """IPCW Brier score at each horizon of predicted survival ``predicted[:, k]``.

    Horizons outside the follow-up range [first, last) give NaN.
    """
    t = np.asarray(time, dtype=float)
    e = np.asarray(event, dtype=int)
    y = _surv(t, e)
    out: dict[float, float] = {}
    for k, h in enumerate(horizons):
        if not (t.min() <= h < t.max()):
            out[float(h)] = float("nan")
            continue
        _, bs = brier_score(y, y, predicted[:, k], [h])
        out[float(h)] = float(bs[0])
    return out


#: Most grid points the integrated Brier score is evaluated at. Up to this many distinct
#: observed times the grid is every one of them (scikit-survival's convention); beyond
#: it (large cohorts) it is this many of them, evenly spaced in rank, always keeping the
#: first and the last, so the cost stays O(n * MAX_IBS_GRID) instead of O(n^2).
MAX_IBS_GRID = 1000


def ibs_grid(time: ArrayLike, tau: float, max_points: int = MAX_IBS_GRID) -> np.ndarray:
    """Distinct observed times from the first up to ``tau`` (inclusive), capped below max.

    With more than ``max_points`` distinct times, ``max_points`` of them evenly spaced in
    rank (first and last kept): the trapezoid integral then changes by far less than
    the sampling error of the score (checked in the tests).
    """
    t = np.asarray(time, dtype=float)
    grid = np.unique(t[(t <= tau) & (t < t.max())])
    if len(grid) > max_points:
        grid = grid[np.unique(np.linspace(0, len(grid) - 1, max_points).round().astype(int))]
    return grid


def integrated_brier(
    time: ArrayLike, event: ArrayLike, model: CoxSurvivalModel, x: np.ndarray,
    tau: float, max_points: int = MAX_IBS_GRID, block_floats: float = 2e7,
) -> float:
    """Integrated Brier score of ``model``'s predictions over [first time, ``tau``].

    Equal to :func:`sksurv.metrics.integrated_brier_score` on the grid of
    :func:`ibs_grid` (trapezoid rule divided by the length of the window); the
    predictions are built a block of grid times at a time, so memory stays bounded
    (about ``block_floats`` floats per block) however large the cohort.
    """
    t = np.asarray(time, dtype=float)
    e = np.asarray(event, dtype=int)
    grid = ibs_grid(t, tau, max_points)
    if len(grid) < 2:
        return float("nan")
    y = _surv(t, e)
    block = max(1, int(block_floats // max(len(t), 1)))
    scores = np.concatenate([
        brier_score(y, y, model.survival(x, grid[i:i + block]), grid[i:i + block])[1]
        for i in range(0, len(grid), block)
    ])
    return float(trapezoid(scores, grid) / (grid[-1] - grid[0]))
