"""Kaplan-Meier frames and log-rank tests against hand-worked cases and other libraries."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lifelines.statistics import multivariate_logrank_test, pairwise_logrank_test
from sksurv.nonparametric import kaplan_meier_estimator
from statsmodels.duration.hazard_regression import PHReg

from cohort.models.km import (
    at_risk_times,
    kaplan_meier,
    logrank_global,
    logrank_pairwise,
    logrank_trend,
    observed_expected,
    survival_at,
)

# hand-worked: deaths at 1, 2, 3, 5; censored at 2 and 4
T = [1, 2, 2, 3, 4, 5]
E = [1, 1, 0, 1, 0, 1]


def _random_groups(n: int = 300, seed: int = 1) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    g = rng.integers(0, 3, n)
    t_event = rng.exponential(10 / (1 + 0.5 * g))
    t_cens = rng.uniform(2, 30, n)
    t = np.minimum(t_event, t_cens)
    e = (t_event <= t_cens).astype(int)
    labels = np.array(["low", "mid", "high"], dtype=object)[g]
    return t, e, labels


def test_km_hand_worked_steps_median_and_at_risk() -> None:
    km = kaplan_meier(T, E, horizons=(2.5, 10), risk_times=(0, 2, 4.5))
    c = km.curves
    assert c.iloc[0][["time", "survival"]].tolist() == [0.0, 1.0]
    s = dict(zip(c["time"], c["survival"], strict=True))
    # S(1)=5/6, S(2)=5/6*4/5, S(3)=4/6*2/3, S(5)=0 (hand computation)
    assert s[1.0] == pytest.approx(5 / 6)
    assert s[2.0] == pytest.approx(4 / 6)
    assert s[3.0] == pytest.approx(4 / 9)
    assert s[5.0] == pytest.approx(0.0)
    med = km.medians.iloc[0]
    assert (med["n"], med["events"], med["median"]) == (6, 4, 3.0)
    assert km.at_risk["n_at_risk"].tolist() == [6, 5, 1]  # #{T >= t}
    cz = km.censored
    assert cz["time"].tolist() == [2.0, 4.0]
    assert cz["survival"].tolist() == pytest.approx([4 / 6, 4 / 9])
    sa = km.survival_at
    assert sa["survival"].iloc[0] == pytest.approx(4 / 6)
    assert sa["survival"].iloc[1] == 0.0  # the curve reached 0 at 5: known beyond


def test_km_survival_beyond_follow_up_is_nan() -> None:
    km = kaplan_meier([1, 2, 3], [1, 0, 0], horizons=(12,))
    assert np.isnan(km.survival_at["survival"].iloc[0])
    assert np.isnan(km.medians["median"].iloc[0])  # never reached


def test_km_curve_and_log_log_ci_match_scikit_survival() -> None:
    t, e, labels = _random_groups()
    km = kaplan_meier(t, e, labels, group_order=["low", "mid", "high"])
    assert km.group_order == ("low", "mid", "high")
    for g in km.group_order:
        m = labels == g
        times, surv, ci = kaplan_meier_estimator(e[m].astype(bool), t[m], conf_type="log-log")
        cur = km.curves[km.curves["group"] == g].set_index("time")
        # our curve has a row at every observed time; sksurv's at every distinct time
        assert cur.loc[times, "survival"].to_numpy() == pytest.approx(surv, abs=1e-12)
        ok = surv < 1  # sksurv leaves the interval degenerate before the first death
        assert cur.loc[times, "ci_lower"].to_numpy()[ok] == pytest.approx(ci[0][ok], abs=1e-6)
        assert cur.loc[times, "ci_upper"].to_numpy()[ok] == pytest.approx(ci[1][ok], abs=1e-6)
        # invariants: within [0, 1], non-increasing
        sv = cur["survival"].to_numpy()
        assert ((sv >= 0) & (sv <= 1)).all()
        assert (np.diff(sv) <= 1e-15).all()
        ar = km.at_risk[km.at_risk["group"] == g]
        for rt, n in zip(ar["time"], ar["n_at_risk"], strict=True):
            assert n == int((t[m] >= rt).sum())


def test_km_median_ci_brackets_median() -> None:
    t, e, labels = _random_groups(seed=3)
    km = kaplan_meier(t, e, labels)
    for _, r in km.medians.iterrows():
        assert r["median_ci_lower"] <= r["median"] <= r["median_ci_upper"]


def test_at_risk_times_default_step() -> None:
    assert at_risk_times(13).tolist() == [0, 3, 6, 9, 12]
    assert at_risk_times(60)[1] == 6


def test_global_logrank_matches_lifelines_and_own_matrix() -> None:
    t, e, labels = _random_groups()
    res = logrank_global(t, e, labels)
    ref = multivariate_logrank_test(t, labels, e)
    assert res.statistic == pytest.approx(ref.test_statistic, rel=1e-10)
    assert res.df == 2
    obs, exp, cov, _ = observed_expected(t, e, labels)
    d = (obs - exp)[:-1]
    own = float(d @ np.linalg.solve(cov[:-1, :-1], d))
    assert own == pytest.approx(ref.test_statistic, rel=1e-10)
    assert obs.sum() == e.sum()
    assert exp.sum() == pytest.approx(e.sum())


def test_trend_equals_logrank_for_two_groups() -> None:
    t, e, labels = _random_groups()
    m = labels != "mid"
    tr = logrank_trend(t[m], e[m], labels[m], ["low", "high"])
    ref = multivariate_logrank_test(t[m], labels[m], e[m])
    assert tr.statistic == pytest.approx(ref.test_statistic, rel=1e-10)


def test_trend_equals_cox_score_test_without_ties() -> None:
    # Without tied death times, the trend statistic is the score test of a Cox model
    # with the group weight as covariate (statsmodels PHReg score and information at 0).
    t, e, labels = _random_groups(seed=5)
    order = ["low", "mid", "high"]
    tr = logrank_trend(t, e, labels, order)
    w = np.array([order.index(x) + 1 for x in labels], dtype=float)
    model = PHReg(t, w[:, None], status=e, ties="breslow")
    u = model.score(np.zeros(1))[0]
    info = -model.hessian(np.zeros(1))[0, 0]
    assert tr.statistic == pytest.approx(u * u / info, rel=1e-8)
    # the hazard rises with the group index in _random_groups: excess deaths in 'high'
    assert tr.u > 0
    obs, exp, _, _ = observed_expected(t, e, labels, order)
    assert tr.u == pytest.approx(float(np.arange(1, 4) @ (obs - exp)))


def test_pairwise_holm_matches_lifelines_and_manual_holm() -> None:
    t, e, labels = _random_groups()
    pw = logrank_pairwise(t, e, labels, ["low", "mid", "high"])
    ref = pairwise_logrank_test(t, labels, e).summary
    for _, r in pw.iterrows():
        key = tuple(sorted((r["group_a"], r["group_b"])))
        assert r["p"] == pytest.approx(ref.loc[key, "p"], rel=1e-8)
    p = pw["p"].to_numpy()
    order = np.argsort(p)
    m = len(p)
    manual = np.maximum.accumulate(np.minimum(1, p[order] * (m - np.arange(m))))
    out = np.empty(m)
    out[order] = manual
    assert pw["p_holm"].to_numpy() == pytest.approx(out)


def test_missing_group_labels_are_left_out() -> None:
    g = pd.Series(["a", None, "b", "a", "b", "b"], dtype=object)
    km = kaplan_meier(T, E, g)
    assert km.medians["n"].sum() == 5


def test_survival_at_matches_lifelines_estimate_and_interval() -> None:
    t, e, _ = _random_groups(n=120, seed=9)
    t = np.round(t)  # ties
    for h in (0.5, 3.0, 6.0, 12.0, 25.0):
        ref = kaplan_meier(t, e, horizons=(h,)).survival_at.iloc[0]
        s, lo, hi = survival_at(t, e, h)
        assert s == pytest.approx(ref["survival"], abs=1e-12)
        assert lo == pytest.approx(ref["ci_lower"], abs=1e-9)
        assert hi == pytest.approx(ref["ci_upper"], abs=1e-9)
    assert np.isnan(survival_at([1, 2, 3], [1, 0, 0], 12)[0])


def test_trend_hand_computation_three_groups() -> None:
    # one death per group at t = 1 (A), 2 (B), 3 (C); weights 1, 2, 3.
    # t=1: n=3, E = 1/3 each, Var_w = E[w^2] - E[w]^2 = 14/3 - 4 = 2/3 (factor d(n-d)/(n-1) = 1)
    # t=2: n=2 (B, C), E_B = E_C = 1/2, Var_w = 6.5 - 6.25 = 1/4; t=3: n=1, no variance.
    # O - E = (2/3, 1/6, -5/6); U = 2/3 + 2/6 - 15/6 = -3/2; Var = 11/12; chi2 = 27/11.
    tr = logrank_trend([1, 2, 3], [1, 1, 1], ["A", "B", "C"], ["A", "B", "C"])
    assert tr.u == pytest.approx(-1.5)
    assert tr.variance == pytest.approx(11 / 12)
    assert tr.statistic == pytest.approx(27 / 11)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 30), st.booleans()), min_size=1, max_size=40),
    st.floats(0, 35),
)
def test_km_invariants_property(rows: list[tuple[int, bool]], horizon: float) -> None:
    t = np.array([r[0] for r in rows], dtype=float)
    e = np.array([int(r[1]) for r in rows])
    km = kaplan_meier(t, e, horizons=(horizon,), risk_times=(0.0, horizon))
    s = km.curves["survival"].to_numpy()
    assert s[0] == 1.0
    assert ((s >= 0) & (s <= 1)).all()
    assert (np.diff(s) <= 1e-12).all()
    assert km.at_risk["n_at_risk"].tolist() == [len(t), int((t >= horizon).sum())]
    ref = km.survival_at.iloc[0]
    mine = survival_at(t, e, horizon)
    if np.isnan(ref["survival"]):
        assert np.isnan(mine[0])
    else:
        assert mine[0] == pytest.approx(ref["survival"], abs=1e-12)


def test_pairwise_holm_leaves_pairs_without_deaths_out_of_the_family() -> None:
    """Group c has no death and b's only observations are censored: pair b-c has no test.

    Holm by hand over the two tests that exist (R: ``p.adjust(p, "holm")`` drops NA):
    sorted p_(1) <= p_(2) -> min(1, 2 p_(1)), max(that, p_(2)).
    """
    t = np.arange(1.0, 11.0)
    e = np.array([1, 1, 1, 0, 0, 0, 0, 0, 0, 0])
    g = np.array(list("aaabbbbccc"))
    out = logrank_pairwise(t, e, g, ["a", "b", "c"]).set_index(["group_a", "group_b"])
    assert np.isnan(out.loc[("b", "c"), "p"])
    assert np.isnan(out.loc[("b", "c"), "p_holm"])
    p1, p2 = sorted([out.loc[("a", "b"), "p"], out.loc[("a", "c"), "p"]])
    first = min(1.0, 2 * p1)
    assert sorted(out["p_holm"].dropna()) == pytest.approx(sorted([first, max(first, p2)]))
