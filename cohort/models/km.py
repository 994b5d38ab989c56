"""Kaplan-Meier estimation overall and by group, number-at-risk tables and log-rank tests.

The estimator itself is lifelines' :class:`~lifelines.KaplanMeierFitter`; this module
turns its output into tidy frames (one row per step, per censoring mark, per at-risk
time, per group median) that figures and tables are drawn from, and adds the log-rank
test for trend across ordered groups, which lifelines does not offer.

Conventions
-----------
* Times are in months; ``event`` is 1 for death, 0 for censored.
* Pointwise confidence intervals are lifelines' default: the exponential Greenwood
  (log(-log S)) interval, which stays inside [0, 1].
* The median survival is the smallest time with S(t) <= 0.5; its confidence interval is
  the range of times where the pointwise band crosses 0.5 (Brookmeyer-Crowley style, as
  computed by :func:`lifelines.utils.median_survival_times` from the band). A median or
  limit that is never reached is NaN.
* ``n_at_risk(t) = #{i : T_i >= t}``: patients still under observation just before t.

References
----------
Kaplan EL, Meier P. Nonparametric estimation from incomplete observations. J Am Stat
Assoc 1958;53:457-481.
Peto R, Peto J. Asymptotically efficient rank invariant test procedures. J R Stat Soc A
1972;135:185-207 (log-rank test).
Collett D. Modelling Survival Data in Medical Research, 3rd ed. CRC Press 2015,
section 2.6.4 (the log-rank test for trend).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from lifelines import KaplanMeierFitter
from lifelines.statistics import multivariate_logrank_test
from lifelines.utils import median_survival_times
from numpy.typing import ArrayLike
from scipy import stats
from statsmodels.stats.multitest import multipletests

__all__ = [
    "KaplanMeierResult",
    "LogrankResult",
    "TrendResult",
    "at_risk_times",
    "kaplan_meier",
    "logrank_global",
    "logrank_pairwise",
    "logrank_trend",
    "observed_expected",
    "survival_at",
]

OVERALL = "overall"


@dataclass(frozen=True)
class KaplanMeierResult:
    """Kaplan-Meier estimates as tidy frames (one block of rows per group).

    Attributes
    ----------
    curves
        ``[group, time, survival, ci_lower, ci_upper]``: the step points; the first row
        of each group is time 0 with survival 1.
    censored
        ``[group, time, survival]``: censoring marks at the level of the curve.
    at_risk
        ``[group, time, n_at_risk]`` with ``n_at_risk(t) = #{i in group: T_i >= t}``.
    medians
        ``[group, n, events, median, median_ci_lower, median_ci_upper]``; NaN where not
        reached.
    survival_at
        ``[group, horizon, survival, ci_lower, ci_upper]``; NaN where the horizon lies
        beyond the group's last observation with the curve still above 0.
    group_order
        Group labels in display order (``("overall",)`` for an ungrouped fit).
    alpha
        1 - confidence level of the intervals.
    """

    curves: pd.DataFrame
    censored: pd.DataFrame
    at_risk: pd.DataFrame
    medians: pd.DataFrame
    survival_at: pd.DataFrame
    group_order: tuple[str, ...]
    alpha: float = 0.05


def _as_arrays(time: ArrayLike, event: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    t = np.asarray(time, dtype=float)
    e = np.asarray(event, dtype=float)
    if t.shape != e.shape or t.ndim != 1:
        raise ValueError("time and event must be one-dimensional and of equal length")
    if not (np.isfinite(t).all() and (t >= 0).all()):
        raise ValueError("time must be finite and >= 0 (exclude such rows before fitting)")
    if not np.isin(e, (0, 1)).all():
        raise ValueError("event must be coded 0 = censored, 1 = death")
    return t, e.astype(int)


def at_risk_times(max_time: float, step: float | None = None) -> np.ndarray:
    """Times for a number-at-risk table: 0, step, 2*step, ... up to ``max_time``.

    The default step gives about 6 to 12 columns: 3 months up to 3 years of follow-up,
    6 months up to 6 years, 12 months beyond.
    """
    if step is None:
        step = 3.0 if max_time <= 36 else 6.0 if max_time <= 72 else 12.0
    return np.arange(0.0, max_time + 1e-9, step)


def _step_value(frame: pd.DataFrame, t: float) -> np.ndarray:
    """Value of a right-continuous step function (index = times) at time ``t``."""
    idx = frame.index.to_numpy(dtype=float)
    pos = int(np.searchsorted(idx, t, side="right")) - 1
    return frame.iloc[max(pos, 0)].to_numpy(dtype=float)


def _fit_one(
    label: str,
    t: np.ndarray,
    e: np.ndarray,
    horizons: Sequence[float],
    risk_times: Sequence[float],
    alpha: float,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, dict[str, object], pd.DataFrame]:
    kmf = KaplanMeierFitter(alpha=alpha)
    kmf.fit(t, e, label="km")
    sf = kmf.survival_function_
    ci = kmf.confidence_interval_
    times = sf.index.to_numpy(dtype=float)
    surv = sf.iloc[:, 0].to_numpy(dtype=float)
    lo = ci.iloc[:, 0].to_numpy(dtype=float)
    hi = ci.iloc[:, 1].to_numpy(dtype=float)
    if times[0] > 0 or surv[0] < 1:  # start every curve at (0, 1), even with deaths at 0
        times = np.r_[0.0, times]
        surv, lo, hi = np.r_[1.0, surv], np.r_[1.0, lo], np.r_[1.0, hi]
    curves = pd.DataFrame(
        {"group": label, "time": times, "survival": surv, "ci_lower": lo, "ci_upper": hi}
    )
    cens_times = np.unique(t[e == 0])
    cens_surv = np.array([_step_value(sf, c)[0] for c in cens_times], dtype=float)
    censored = pd.DataFrame({"group": label, "time": cens_times, "survival": cens_surv})
    at_risk = pd.DataFrame(
        {
            "group": label,
            "time": np.asarray(risk_times, dtype=float),
            "n_at_risk": [int((t >= rt).sum()) for rt in risk_times],
        }
    )
    median = float(kmf.median_survival_time_)
    med_ci = median_survival_times(ci).to_numpy(dtype=float).ravel()
    med_row: dict[str, object] = {
        "group": label,
        "n": len(t),
        "events": int(e.sum()),
        "median": median if np.isfinite(median) else np.nan,
        "median_ci_lower": med_ci[0] if np.isfinite(med_ci[0]) else np.nan,
        "median_ci_upper": med_ci[1] if np.isfinite(med_ci[1]) else np.nan,
    }
    rows = []
    t_max = float(t.max()) if len(t) else 0.0
    for h in horizons:
        s_h = _step_value(sf, h)[0]
        c_h = _step_value(ci, h)
        if h > t_max and s_h > 0:
            s_h, c_h = np.nan, np.array([np.nan, np.nan])
        rows.append(
            {"group": label, "horizon": float(h), "survival": s_h,
             "ci_lower": c_h[0], "ci_upper": c_h[1]}
        )
    return curves, censored, at_risk, med_row, pd.DataFrame(rows)


def kaplan_meier(
    time: ArrayLike,
    event: ArrayLike,
    groups: ArrayLike | None = None,
    *,
    group_order: Sequence[str] | None = None,
    horizons: Sequence[float] = (3.0, 6.0, 12.0),
    risk_times: Sequence[float] | None = None,
    alpha: float = 0.05,
) -> KaplanMeierResult:
    """Kaplan-Meier curves, medians, survival at horizons and at-risk table.

    Parameters
    ----------
    time, event
        Survival time in months and event indicator (1 = death, 0 = censored).
    groups
        Optional group label per patient; rows with a missing label are left out of
        the grouped fit (the caller counts them). ``None`` fits one overall curve,
        labelled ``"overall"``.
    group_order
        Display order of the groups (e.g. score groups from low to high). Defaults to
        the sorted labels present. Labels in ``group_order`` with no patient are
        skipped.
    horizons
        Times (months) at which survival is reported.
    risk_times
        Times of the number-at-risk table; default :func:`at_risk_times`.
    alpha
        1 - confidence level.

    Returns
    -------
    KaplanMeierResult

    References
    ----------
    Kaplan EL, Meier P. J Am Stat Assoc 1958;53:457-481. Greenwood M. The natural
    duration of cancer. Rep Public Health Med Subj 1926;33:1-26.
    """
    if groups is None:
        t, e = _as_arrays(time, event)
        labels = np.full(len(t), OVERALL, dtype=object)
        order: list[str] = [OVERALL]
    else:
        t, e, labels, order = _clean_groups(time, event, groups, group_order)
        unknown = set(labels) - set(order)
        if unknown:
            raise ValueError(f"group labels {sorted(unknown)} are not in group_order")
    rt: Sequence[float] = (
        at_risk_times(float(t.max()) if len(t) else 0.0).tolist()
        if risk_times is None
        else risk_times
    )
    parts: list[tuple[pd.DataFrame, ...]] = []
    med_rows = []
    for label in order:
        m = labels == label
        c, cz, ar, med, sa = _fit_one(label, t[m], e[m], horizons, rt, alpha)
        parts.append((c, cz, ar, sa))
        med_rows.append(med)
    return KaplanMeierResult(
        curves=pd.concat([p[0] for p in parts], ignore_index=True),
        censored=pd.concat([p[1] for p in parts], ignore_index=True),
        at_risk=pd.concat([p[2] for p in parts], ignore_index=True),
        medians=pd.DataFrame(med_rows),
        survival_at=pd.concat([p[3] for p in parts], ignore_index=True),
        group_order=tuple(order),
        alpha=alpha,
    )


def survival_at(
    time: ArrayLike, event: ArrayLike, horizon: float, alpha: float = 0.05
) -> tuple[float, float, float]:
    """Kaplan-Meier survival at ``horizon`` with its exponential-Greenwood interval.

    The same estimate and (log(-log S)) interval as lifelines' KaplanMeierFitter, in
    plain numpy for speed where many small fits are needed (calibration groups). NaN
    when ``horizon`` lies beyond the last observation and the curve is still above 0.

    Returns
    -------
    survival, ci_lower, ci_upper
    """
    t, e = _as_arrays(time, event)
    if len(t) == 0:
        return np.nan, np.nan, np.nan
    death_times = np.unique(t[(e == 1) & (t <= horizon)])
    n_at = np.array([(t >= d).sum() for d in death_times], dtype=float)
    d_at = np.array([((t == d) & (e == 1)).sum() for d in death_times], dtype=float)
    surv = float(np.prod(1 - d_at / n_at)) if len(death_times) else 1.0
    if horizon > t.max() and surv > 0:
        return np.nan, np.nan, np.nan
    if surv <= 0 or surv >= 1:
        return surv, surv, surv
    with np.errstate(divide="ignore", invalid="ignore"):
        greenwood = float(np.sum(d_at / (n_at * (n_at - d_at))))
    z = stats.norm.ppf(1 - alpha / 2)
    sd = np.sqrt(greenwood) / abs(np.log(surv))
    return surv, float(surv ** np.exp(z * sd)), float(surv ** np.exp(-z * sd))


# --------------------------------------------------------------------------- log-rank


@dataclass(frozen=True)
class LogrankResult:
    """A log-rank chi-square test."""

    statistic: float
    df: int
    p: float


@dataclass(frozen=True)
class TrendResult:
    """Log-rank test for trend across ordered groups.

    ``u`` is sum_g w_g (O_g - E_g): negative when deaths are fewer than expected in the
    groups with the higher weights.
    """

    statistic: float
    p: float
    u: float
    variance: float
    weights: tuple[float, ...]


def _clean_groups(
    time: ArrayLike, event: ArrayLike, groups: ArrayLike,
    group_order: Sequence[str] | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str]]:
    t, e = _as_arrays(time, event)
    g = pd.Series(np.asarray(groups, dtype=object), dtype=object)
    keep = g.notna().to_numpy()
    labels = g[keep].astype(str).to_numpy(dtype=object)
    present = set(labels)
    order = (
        [str(x) for x in group_order if str(x) in present]
        if group_order is not None
        else sorted(present)
    )
    return t[keep], e[keep], labels, order


def observed_expected(
    time: ArrayLike, event: ArrayLike, groups: ArrayLike,
    group_order: Sequence[str] | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str]]:
    """Observed and expected deaths per group and the covariance of O - E.

    At each distinct death time t_j with n_j at risk and d_j deaths,
    ``E_gj = d_j n_gj / n_j`` and
    ``V_gh,j = d_j (n_j - d_j) / (n_j - 1) * n_gj / n_j * (delta_gh - n_hj / n_j)``
    (the hypergeometric covariance; terms with n_j = 1 contribute 0).

    Returns
    -------
    observed, expected, covariance, order
    """
    t, e, labels, order = _clean_groups(time, event, groups, group_order)
    k = len(order)
    gi = np.array([order.index(x) for x in labels], dtype=int)
    obs = np.zeros(k)
    exp = np.zeros(k)
    cov = np.zeros((k, k))
    for tj in np.unique(t[e == 1]):
        at_risk = t >= tj
        died = at_risk & (t == tj) & (e == 1)
        n_g = np.bincount(gi[at_risk], minlength=k).astype(float)
        d_g = np.bincount(gi[died], minlength=k).astype(float)
        n, d = n_g.sum(), d_g.sum()
        obs += d_g
        exp += d * n_g / n
        if n > 1:
            p = n_g / n
            cov += d * (n - d) / (n - 1) * (np.diag(p) - np.outer(p, p))
    return obs, exp, cov, order


def logrank_global(
    time: ArrayLike, event: ArrayLike, groups: ArrayLike
) -> LogrankResult:
    """Global log-rank test of equal survival across all groups (lifelines)."""
    t, e, labels, order = _clean_groups(time, event, groups, None)
    if len(order) < 2:
        return LogrankResult(np.nan, 0, np.nan)
    res = multivariate_logrank_test(t, labels, e)
    return LogrankResult(float(res.test_statistic), len(order) - 1, float(res.p_value))


def logrank_trend(
    time: ArrayLike,
    event: ArrayLike,
    groups: ArrayLike,
    group_order: Sequence[str],
    weights: Sequence[float] | None = None,
) -> TrendResult:
    """Log-rank test for trend across ordered groups.

    With group weights w (default 1, 2, ..., k in ``group_order``),
    ``U = sum_g w_g (O_g - E_g)`` and ``Var(U) = w' V w`` where V is the covariance of
    O - E from :func:`observed_expected`; ``U^2 / Var(U)`` is chi-square with 1 degree
    of freedom. This is the statistic R users compute from ``survdiff`` output as
    ``(w %*% (obs - exp))^2 / (w %*% var %*% w)``. With two groups it equals the
    ordinary log-rank statistic.

    References
    ----------
    Collett D. Modelling Survival Data in Medical Research, 3rd ed., 2015, sec. 2.6.4.
    Peto R, Pike MC, et al. Br J Cancer 1977;35:1-39.
    """
    obs, exp, cov, order = observed_expected(time, event, groups, group_order)
    k = len(order)
    if k < 2:
        return TrendResult(np.nan, np.nan, np.nan, np.nan, ())
    if weights is None:
        w = np.arange(1, k + 1, dtype=float)
    else:
        full = [str(x) for x in group_order]
        w = np.array([float(weights[full.index(g)]) for g in order])
    u = float(w @ (obs - exp))
    var = float(w @ cov @ w)
    stat = u * u / var if var > 0 else np.nan
    p = float(stats.chi2.sf(stat, 1)) if np.isfinite(stat) else np.nan
    return TrendResult(stat, p, u, var, tuple(w.tolist()))


def logrank_pairwise(
    time: ArrayLike,
    event: ArrayLike,
    groups: ArrayLike,
    group_order: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Pairwise log-rank tests with Holm-adjusted p-values.

    Returns
    -------
    DataFrame ``[group_a, group_b, statistic, p, p_holm]``, one row per pair in
    ``group_order`` order. A pair with no death has NaN statistic and p and is left
    out of the Holm family (R's ``p.adjust`` convention for missing p-values).

    References
    ----------
    Holm S. A simple sequentially rejective multiple test procedure. Scand J Stat
    1979;6:65-70.
    """
    t, e, labels, order = _clean_groups(time, event, groups, group_order)
    rows = []
    for a, b in itertools.combinations(order, 2):
        m = (labels == a) | (labels == b)
        obs, exp, cov, _ = observed_expected(t[m], e[m], labels[m], [a, b])
        stat = float((obs[0] - exp[0]) ** 2 / cov[0, 0]) if cov[0, 0] > 0 else np.nan
        p = float(stats.chi2.sf(stat, 1)) if np.isfinite(stat) else np.nan
        rows.append({"group_a": a, "group_b": b, "statistic": stat, "p": p})
    out = pd.DataFrame(rows, columns=["group_a", "group_b", "statistic", "p"])
    # Holm over the tests that exist: a pair without a death has no test (p NaN) and does
    # not count in the family, as in R's p.adjust (n = number of non-missing p-values)
    p_all = out["p"].to_numpy(dtype=float)
    holm = np.full(len(out), np.nan)
    ok = np.isfinite(p_all)
    if ok.any():
        holm[ok] = multipletests(p_all[ok], method="holm")[1]
    out["p_holm"] = holm
    return out
