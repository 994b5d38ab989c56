"""Harrell's C, Uno's C and cumulative/dynamic AUC against independent implementations.

The references below are written from the published formulas (O(n^2) loops, the
censoring distribution by a hand-coded Kaplan-Meier), not from the code under test, and
lifelines' ``concordance_index`` is a second reference for Harrell's C.
"""

from __future__ import annotations

import numpy as np
import pytest
from lifelines.utils import concordance_index

from cohort.validation.discrimination import (
    harrell_c_bootstrap,
    orient_risk,
    td_auc,
    uno_c,
    uno_tau,
)


def _data(n: int = 250, seed: int = 3) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    t = rng.exponential(10 * np.exp(-0.8 * x))
    c = rng.uniform(1, 30, n)
    return np.minimum(t, c), (t <= c).astype(int), x


def _censoring_km(t: np.ndarray, e: np.ndarray):
    """G(s) = P(C > s): Kaplan-Meier with censorings as events (continuous data)."""
    ct = np.sort(np.unique(t[e == 0]))
    surv = []
    g = 1.0
    for s in ct:
        at_risk = (t >= s).sum()
        g *= 1 - ((t == s) & (e == 0)).sum() / at_risk
        surv.append(g)

    def G(s: float) -> float:
        k = np.searchsorted(ct, s, side="right")
        return 1.0 if k == 0 else surv[k - 1]

    return G


def _uno_reference(t, e, r, tau):
    G = _censoring_km(t, e)
    num = den = 0.0
    for i in range(len(t)):
        if e[i] != 1 or t[i] >= tau:
            continue
        w = 1 / G(t[i]) ** 2
        for j in range(len(t)):
            if t[j] > t[i]:
                den += w
                num += w * (1.0 if r[i] > r[j] else 0.5 if r[i] == r[j] else 0.0)
    return num / den


def _auc_reference(t, e, r, s):
    G = _censoring_km(t, e)
    num = den = 0.0
    cases = np.flatnonzero((t <= s) & (e == 1))
    controls = np.flatnonzero(t > s)
    for i in cases:
        w = 1 / G(t[i])
        for j in controls:
            den += w
            num += w * (1.0 if r[i] > r[j] else 0.5 if r[i] == r[j] else 0.0)
    return num / den


def test_orient_risk() -> None:
    assert orient_risk([1, 5], "higher_is_better").tolist() == [-1, -5]
    assert orient_risk([1, 5], "higher_is_worse").tolist() == [1, 5]
    with pytest.raises(ValueError, match="direction"):
        orient_risk([1], "up")


def test_harrell_c_matches_lifelines_and_bootstrap_is_seeded() -> None:
    t, e, x = _data()
    score = np.round(x * 2)  # ties in the risk
    res = harrell_c_bootstrap(t, e, score, B=30, seed=1)
    assert res.c == pytest.approx(concordance_index(t, -score, e), abs=1e-12)
    assert res.ci_lower < res.c < res.ci_upper
    again = harrell_c_bootstrap(t, e, score, B=30, seed=1)
    assert np.array_equal(res.replicates, again.replicates)
    # a higher-is-better version of the score gives the same C once oriented
    better = -score
    assert harrell_c_bootstrap(t, e, orient_risk(better, "higher_is_better"), B=2).c == res.c


def test_uno_c_matches_hand_ipcw_formula() -> None:
    t, e, x = _data(n=150)
    r = np.round(x, 1)
    tau = 12.0
    assert uno_c(t, e, r, tau) == pytest.approx(_uno_reference(t, e, r, tau), abs=1e-10)


def test_uno_tau_choice() -> None:
    assert uno_tau([1, 5, 20], (3, 6, 12)) == 12
    # follow-up ends before the largest horizon: between the two largest times
    assert uno_tau([1, 5, 10], (3, 6, 12)) == 7.5


def test_uno_c_short_follow_up_keeps_deaths_before_the_last_time() -> None:
    """Follow-up ends at 5 months (many censored there), horizon 12: tau falls between
    the two largest times, so the death at the second-largest time (4) is used; the
    reference is the hand IPCW formula over every death before 5."""
    t = np.array([1, 1.5, 2, 2.5, 3, 3, 4, 4, 5, 5, 5, 5.0])
    e = np.array([1, 0, 1, 1, 0, 1, 1, 0, 0, 1, 0, 0])
    r = np.array([6, 2, 5, 3, 1, 4, 5, 2, 1, 3, 0, 2.0])
    tau = uno_tau(t, (3, 6, 12))
    assert 4 < tau < 5
    G = _censoring_km_deaths_first(t, e)
    num = den = 0.0
    for i in np.flatnonzero((e == 1) & (t < 5)):
        w = 1 / G(t[i]) ** 2
        for j in np.flatnonzero((t > t[i]) | ((t == t[i]) & (e == 0))):
            den += w
            num += w * (1.0 if r[i] > r[j] else 0.5 if r[i] == r[j] else 0.0)
    assert uno_c(t, e, r, tau) == pytest.approx(num / den, abs=1e-12)


def _censoring_km_deaths_first(t: np.ndarray, e: np.ndarray):
    """G(s), the censoring Kaplan-Meier with deaths before censorings at tied times."""

    def G(s: float) -> float:
        g = 1.0
        for c in np.unique(t[(e == 0) & (t <= s)]):
            at_risk = (t > c).sum() + ((t == c) & (e == 0)).sum()
            g *= 1 - ((t == c) & (e == 0)).sum() / at_risk
        return g

    return G


def test_td_auc_matches_hand_formula_and_nan_outside_follow_up() -> None:
    t, e, x = _data(n=150, seed=8)
    out = td_auc(t, e, x, [3, 6, 12, 1000])
    for s, auc in zip(out["time"][:3], out["auc"][:3], strict=True):
        assert auc == pytest.approx(_auc_reference(t, e, x, s), abs=1e-10)
    tied = np.round(x)  # a score with few values: ties count 1/2
    out_tied = td_auc(t, e, tied, [3, 6, 12])
    for s, auc in zip(out_tied["time"], out_tied["auc"], strict=True):
        assert auc == pytest.approx(_auc_reference(t, e, tied, s), abs=1e-10)
    assert np.isnan(out["auc"].iloc[3])
    assert (out["auc"].iloc[:3] > 0.5).all()


def test_td_auc_with_death_and_censoring_tied_at_last_follow_up() -> None:
    """A death and a censoring both at the last time (10): the censoring survival is 0
    there. That death is a control for every t < 10, so AUC(t) exists; scikit-survival
    raised on it. Reference: the hand formula with the censoring Kaplan-Meier taking
    deaths before censorings at tied times (scikit-survival's convention)."""
    t = np.array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 10.0])
    e = np.array([1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 0])
    r = np.array([5, 4, 3, 4, 3, 2, 2, 1, 1, 0, 0.0])

    def G(s: float) -> float:
        g = 1.0
        for c in np.unique(t[(e == 0) & (t <= s)]):
            at_risk = (t > c).sum() + ((t == c) & (e == 0)).sum()
            g *= 1 - ((t == c) & (e == 0)).sum() / at_risk
        return g

    out = td_auc(t, e, r, [3, 6, 9])
    for s, auc in zip(out["time"], out["auc"], strict=True):
        cases, controls = np.flatnonzero((t <= s) & (e == 1)), np.flatnonzero(t > s)
        w = np.array([1 / G(t[i]) for i in cases])
        score = np.array([[1.0 if r[i] > r[j] else 0.5 if r[i] == r[j] else 0.0
                           for j in controls] for i in cases])
        ref = float((w[:, None] * score).sum() / (w.sum() * len(controls)))
        assert auc == pytest.approx(ref, abs=1e-12)


def test_uno_c_with_tied_times_and_risks_matches_hand_formula() -> None:
    """Times rounded to whole months and a 4-valued score: death-censoring ties at the
    same time are comparable, risk ties count 1/2, weights 1/G(t_i)^2 with the censoring
    Kaplan-Meier taking deaths first at tied times."""
    rng = np.random.default_rng(4)
    n = 120
    x = rng.integers(0, 4, n).astype(float)
    death = rng.exponential(1 / (0.08 * np.exp(0.4 * x)))
    cens = rng.uniform(1, 30, n)
    t, e = np.round(np.minimum(death, cens)), (death <= cens).astype(int)
    assert len(np.unique(t[e == 1])) < (e == 1).sum()  # tied death times

    def G(s: float) -> float:
        g = 1.0
        for c in np.unique(t[(e == 0) & (t <= s)]):
            at_risk = (t > c).sum() + ((t == c) & (e == 0)).sum()
            g *= 1 - ((t == c) & (e == 0)).sum() / at_risk
        return g

    tau = 12.0
    num = den = 0.0
    for i in np.flatnonzero((e == 1) & (t < tau)):
        w = 1 / G(t[i]) ** 2
        for j in np.flatnonzero((t > t[i]) | ((t == t[i]) & (e == 0))):
            den += w
            num += w * (1.0 if x[i] > x[j] else 0.5 if x[i] == x[j] else 0.0)
    assert uno_c(t, e, x, tau) == pytest.approx(num / den, abs=1e-12)
