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
from sksurv.metrics import brier_score, integrated_brier_score
from sksurv.util import Surv

from cohort.models.fast_cox import fit_cox

__all__ = ["CoxSurvivalModel", "brier_at", "fit_survival_model", "integrated_brier"]


@dataclass(frozen=True)
class CoxSurvivalModel:
    """A Cox model with its Breslow baseline, able to predict survival curves."""

    coef: np.ndarray
    event_times: np.ndarray
    baseline_cumhaz: np.ndarray  # H0 at event_times, for the uncentred linear predictor
    converged: bool = True

    def linear_predictor(self, x: np.ndarray) -> np.ndarray:
        """``x @ coef`` for covariates of shape (n,) or (n, p)."""
        arr = np.asarray(x, dtype=float)
        if arr.ndim == 1:
            arr = arr[:, None]
        return arr @ self.coef

    def cumhaz0(self, times: Sequence[float] | np.ndarray) -> np.ndarray:
        """Baseline cumulative hazard at ``times`` (right-continuous step function)."""
        pos = np.searchsorted(self.event_times, np.asarray(times, dtype=float), side="right")
        padded = np.r_[0.0, self.baseline_cumhaz]
        return padded[pos]

    def survival(self, x: np.ndarray, times: Sequence[float] | np.ndarray) -> np.ndarray:
        """Predicted survival, shape (n patients, len(times))."""
        lp = self.linear_predictor(x)
        return np.exp(-np.outer(np.exp(lp), self.cumhaz0(times)))


def breslow_baseline(
    time: np.ndarray, event: np.ndarray, lp: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Breslow baseline cumulative hazard ``sum_{t_j <= t} d_j / sum_{T_i >= t_j} e^lp_i``."""
    shift = float(lp.max()) if len(lp) else 0.0
    w = np.exp(lp - shift)
    order = np.argsort(time, kind="stable")
    ts, ws, es = time[order], w[order], event[order]
    uniq, first = np.unique(ts, return_index=True)
    risk_sum = np.cumsum(ws[::-1])[::-1][first]  # sum of weights with T >= t_j
    deaths = np.add.reduceat(es, first)
    keep = deaths > 0
    hazard = deaths[keep] / risk_sum[keep] * np.exp(-shift)
    return uniq[keep], np.cumsum(hazard)


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
    et, h0 = breslow_baseline(t, e, arr @ coef)
    return CoxSurvivalModel(coef, et, h0, bool(fit.converged))


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


def ibs_grid(time: ArrayLike, tau: float) -> np.ndarray:
    """Distinct observed times from the first up to ``tau`` (inclusive), capped below max."""
    t = np.asarray(time, dtype=float)
    return np.unique(t[(t <= tau) & (t < t.max())])


def integrated_brier(
    time: ArrayLike, event: ArrayLike, model: CoxSurvivalModel, x: np.ndarray,
    tau: float,
) -> float:
    """Integrated Brier score of ``model``'s predictions over [first time, ``tau``]."""
    t = np.asarray(time, dtype=float)
    e = np.asarray(event, dtype=int)
    grid = ibs_grid(t, tau)
    if len(grid) < 2:
        return float("nan")
    y = _surv(t, e)
    return float(integrated_brier_score(y, y, model.survival(x, grid), grid))
