"""Fixed-horizon mortality models: logistic regression of death by month h (statsmodels).

Patients enter the model for horizon h only when their status at h is known: they died
at or before h (outcome 1), or were followed to h or beyond (outcome 0: alive at h,
whether they died later or were censored at or after h). Patients censored before h
have unknown status and are excluded, and counted. This complete-follow-up analysis is
biased when censoring depends on prognosis; the Cox- and IPCW-based measures do not
need it and are reported alongside.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
import statsmodels.api as sm
from numpy.typing import ArrayLike
from statsmodels.tools.sm_exceptions import ConvergenceWarning as SMConvergenceWarning
from statsmodels.tools.sm_exceptions import PerfectSeparationWarning

from cohort.errors import ConvergenceWarning

__all__ = ["HorizonResult", "horizon_logistic", "horizon_outcome"]


@dataclass(frozen=True)
class HorizonResult:
    """Logistic model of death by ``horizon`` months.

    Attributes
    ----------
    table
        ``[term, odds_ratio, ci_lower, ci_upper, p]`` (intercept excluded).
    n, deaths
        Patients in the model and deaths by the horizon among them.
    n_excluded_censored
        Censored before the horizon (status unknown).
    n_excluded_missing
        Missing a covariate.
    converged
        False when the model was not estimated: no deaths or no survivors, a covariate
        constant among the patients with known status, or non-convergence / separation
        reported by statsmodels (then a ConvergenceWarning was issued). The odds ratios
        are then NaN and ``note`` says why.
    """

    horizon: float
    table: pd.DataFrame
    n: int
    deaths: int
    n_excluded_censored: int
    n_excluded_missing: int
    converged: bool = True
    note: str = ""


def horizon_outcome(
    time: ArrayLike, event: ArrayLike, horizon: float
) -> np.ndarray:
    """Death by ``horizon``: 1, alive at ``horizon``: 0, unknown (censored before): NaN."""
    t = np.asarray(time, dtype=float)
    e = np.asarray(event, dtype=int)
    y = np.full(len(t), np.nan)
    y[(e == 1) & (t <= horizon)] = 1.0
    y[t > horizon] = 0.0
    y[(e == 0) & (t >= horizon)] = 0.0
    return y


def horizon_logistic(
    covariates: pd.DataFrame, time: ArrayLike, event: ArrayLike, horizon: float
) -> HorizonResult:
    """Fit ``logit P(death by horizon) = a + X b`` among patients with known status.

    Parameters
    ----------
    covariates
        Numeric covariate columns (term names = column names).
    time, event
        Survival time in months and event (1 = death).
    horizon
        Months.

    Returns
    -------
    HorizonResult
        Odds ratios with 95% Wald intervals.
    """
    y = horizon_outcome(time, event, horizon)
    x = covariates.astype(float).reset_index(drop=True)
    known = ~np.isnan(y)
    complete = x.notna().all(axis=1).to_numpy()
    use = known & complete
    n_cens = int((~known).sum())
    n_miss = int((known & ~complete).sum())
    yy = y[use]
    terms = list(x.columns)
    empty = pd.DataFrame({"term": terms, "odds_ratio": np.nan, "ci_lower": np.nan,
                          "ci_upper": np.nan, "p": np.nan})
    deaths = int(yy.sum())
    if deaths == 0 or deaths == len(yy):
        why = "no deaths" if deaths == 0 else "no survivors"
        return HorizonResult(horizon, empty, len(yy), deaths, n_cens, n_miss, False,
                             f"{why} by {horizon:g} months among the patients with known status")
    xu = x[use].to_numpy()
    const = [str(c) for c, col in zip(terms, xu.T, strict=True) if np.ptp(col) == 0]
    if const:
        return HorizonResult(
            horizon, empty, len(yy), deaths, n_cens, n_miss, False,
            f"{', '.join(const)} constant among the {len(yy)} patients with known status "
            f"at {horizon:g} months")
    design = sm.add_constant(xu, has_constant="add")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            fit = sm.Logit(yy, design).fit(disp=0, maxiter=100)
        except np.linalg.LinAlgError:  # collinear covariates
            return HorizonResult(horizon, empty, len(yy), deaths, n_cens, n_miss, False,
                                 "singular design (collinear covariates)")
    trouble = (SMConvergenceWarning, PerfectSeparationWarning)
    bad = [w for w in caught if issubclass(w.category, trouble)]
    params = np.asarray(fit.params)
    if bad or not np.isfinite(params).all() or np.abs(params[1:]).max() > 10:
        warnings.warn(
            f"logistic model of death by {horizon:g} months did not converge or shows "
            f"separation ({len(yy)} patients, {deaths} deaths); odds ratios not reported.",
            ConvergenceWarning, stacklevel=2,
        )
        return HorizonResult(horizon, empty, len(yy), deaths, n_cens, n_miss, False,
                             "did not converge or shows separation")
    ci = np.asarray(fit.conf_int())
    table = pd.DataFrame({
        "term": terms,
        "odds_ratio": np.exp(params[1:]),
        "ci_lower": np.exp(ci[1:, 0]),
        "ci_upper": np.exp(ci[1:, 1]),
        "p": np.asarray(fit.pvalues)[1:],
    })
    return HorizonResult(horizon, table, len(yy), deaths, n_cens, n_miss, True)
