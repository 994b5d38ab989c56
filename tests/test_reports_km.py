"""Kaplan-Meier figure: traces, CI bounds and number-at-risk counts checked against data.

The KM result used here is built directly from lifelines (an independent estimator) in
the shape of the ``KaplanMeierResult`` contract, and the at-risk counts are also counted
by hand from the raw times (n at risk at t = number of patients with T >= t).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest
from lifelines import KaplanMeierFitter
from lifelines.utils import median_survival_times

from reports.km import DECIMALS, TIME_DECIMALS, at_risk_matrix, km_figure

INJECTION = "<script>alert(1)</script>"


@dataclass(frozen=True)
class LifelinesKM:
    curves: pd.DataFrame
    censored: pd.DataFrame
    at_risk: pd.DataFrame
    medians: pd.DataFrame
    survival_at: pd.DataFrame
    group_order: tuple[str, ...]


def lifelines_km(time, event, group, risk_times) -> LifelinesKM:
    curves, cens, risk, meds = [], [], [], []
    order = tuple(pd.unique(pd.Series(group).astype(str)))
    for g in order:
        m = np.asarray(group).astype(str) == g
        t, e = np.asarray(time)[m], np.asarray(event)[m]
        kmf = KaplanMeierFitter().fit(t, e)
        sf = kmf.survival_function_.iloc[:, 0]
        ci = kmf.confidence_interval_
        curves.append(pd.DataFrame({"group": g, "time": sf.index.to_numpy(),
                                    "survival": sf.to_numpy(),
                                    "ci_lower": ci.iloc[:, 0].to_numpy(),
                                    "ci_upper": ci.iloc[:, 1].to_numpy()}))
        ct = np.unique(t[e == 0])
        cens.append(pd.DataFrame({"group": g, "time": ct,
                                  "survival": kmf.survival_function_at_times(ct).to_numpy()}))
        risk.append(pd.DataFrame({"group": g, "time": risk_times,
                                  "n_at_risk": [int((t >= x).sum()) for x in risk_times]}))
        mci = median_survival_times(kmf.confidence_interval_)
        meds.append({"group": g, "n": int(m.sum()), "events": int(e.sum()),
                     "median": kmf.median_survival_time_,
                     "median_ci_lower": float(mci.iloc[0, 0]),
                     "median_ci_upper": float(mci.iloc[0, 1])})
    med = pd.DataFrame(meds).replace([np.inf], np.nan)
    return LifelinesKM(pd.concat(curves, ignore_index=True), pd.concat(cens, ignore_index=True),
                       pd.concat(risk, ignore_index=True), med,
                       pd.DataFrame(columns=["group", "horizon", "survival", "ci_lower",
                                             "ci_upper"]), order)


@pytest.fixture
def cohort():
    rng = np.random.default_rng(11)
    n = 90
    group = np.repeat(["0-8", "9-11", "12-15"], n // 3)
    scale = np.repeat([5.0, 12.0, 30.0], n // 3)
    t_death = rng.exponential(scale)
    t_cens = rng.uniform(0, 36, n)
    time = np.round(np.minimum(t_death, t_cens), 2)
    event = (t_death <= t_cens).astype(int)
    return time, event, group


def all_strings(obj):
    if isinstance(obj, str):
        yield obj
    elif isinstance(obj, dict):
        for v in obj.values():
            yield from all_strings(v)
    elif isinstance(obj, list | tuple):
        for v in obj:
            yield from all_strings(v)


def traces(fig, meta):
    return [t for t in fig.data if t.meta == meta]


def test_at_risk_row_equals_frame_and_hand_count(cohort):
    time, event, group = cohort
    times = [0.0, 6.0, 12.0, 18.0, 24.0]
    km = lifelines_km(time, event, group, times)
    fig = km_figure(km, title="revised Tokuhashi")
    rows = traces(fig, "at_risk")
    assert [t.y[0] for t in rows] == ["0-8", "9-11", "12-15"]
    for tr, g in zip(rows, ["0-8", "9-11", "12-15"], strict=True):
        m = group == g
        hand = [str(int((time[m] >= x).sum())) for x in times]
        assert list(tr.text) == hand
        assert list(tr.x) == times
        frame = km.at_risk[km.at_risk["group"] == g]["n_at_risk"].astype(str).tolist()
        assert list(tr.text) == frame
        # the at-risk row sits on the second (shared-x) axis
        assert tr.xaxis == "x2"
        assert tr.yaxis == "y2"
    # n at risk at 0 is the group size; counts never increase
    mat = at_risk_matrix(km)
    assert mat[0.0].tolist() == [30, 30, 30]
    assert (np.diff(mat.to_numpy(dtype=float), axis=1) <= 0).all()


def test_trace_structure_and_ci_bounds(cohort):
    time, event, group = cohort
    km = lifelines_km(time, event, group, [0.0, 12.0, 24.0])
    fig = km_figure(km)
    n_med = int(km.medians["median"].notna().sum())
    n_cens = sum(1 for g in km.group_order if (km.censored["group"] == g).any())
    assert len(fig.data) == 3 * 3 + n_cens + n_med + 3
    for tr_lo, tr_hi, tr_s, g in zip(traces(fig, "ci_lower"), traces(fig, "ci_upper"),
                                     traces(fig, "survival"), km.group_order, strict=True):
        cur = km.curves[km.curves["group"] == g]
        # drawn values are the frame's, rounded to DECIMALS places
        tol = 0.5 * 10.0 ** -DECIMALS + 1e-12
        np.testing.assert_allclose(tr_lo.y, cur["ci_lower"], rtol=0, atol=tol)
        np.testing.assert_allclose(tr_hi.y, cur["ci_upper"], rtol=0, atol=tol)
        np.testing.assert_allclose(tr_s.y, cur["survival"], rtol=0, atol=tol)
        assert tr_s.y[0] == 1.0
        assert tr_s.x[0] == 0.0
        lo, hi, s = (np.asarray(v, float) for v in (tr_lo.y, tr_hi.y, tr_s.y))
        assert ((lo <= s + 1e-12) & (s <= hi + 1e-12)).all()
        assert ((lo >= 0) & (hi <= 1)).all()
        assert tr_lo.fill == "tonexty"
        assert tr_s.line.shape == "hv"
        assert f"n={int((group == g).sum())}" in tr_s.name
    for tr in traces(fig, "median"):
        g = tr.legendgroup
        assert tr.x[1] == pytest.approx(km.medians.set_index("group").loc[g, "median"])
        assert tr.y[1] == 0.5


def test_axes_shared_and_titled(cohort):
    time, event, group = cohort
    km = lifelines_km(time, event, group, [0.0, 6.0, 12.0])
    fig = km_figure(km, time_label="Months since diagnosis")
    lay = fig.layout
    assert lay.yaxis.title.text == "Survival probability"
    assert lay.yaxis2.title.text == "Number at risk"
    assert lay.xaxis2.title.text == "Months since diagnosis"
    assert lay.xaxis.matches == "x2"
    assert list(lay.xaxis.tickvals) == list(lay.xaxis2.tickvals) == [0.0, 6.0, 12.0]
    assert tuple(lay.yaxis.range) == (0, 1.02)


def test_censor_marks_sit_on_curve(cohort):
    time, event, group = cohort
    km = lifelines_km(time, event, group, [0.0])
    fig = km_figure(km)
    for tr in traces(fig, "censored"):
        g = tr.legendgroup
        m = (group == g) & (event == 0)
        np.testing.assert_allclose(sorted(tr.x), sorted(np.unique(time[m])), rtol=0,
                                   atol=0.5 * 10.0 ** -TIME_DECIMALS)
        for x, y in zip(tr.x, tr.y, strict=True):
            # survival just at/after x equals the curve's last step at or before x
            cur = km.curves[(km.curves["group"] == g) & (km.curves["time"] <= x + 1e-9)]
            assert y == pytest.approx(cur["survival"].iloc[-1], abs=0.5 * 10.0 ** -DECIMALS)


def test_labels_are_escaped():
    time = np.array([1.0, 2.0, 3.0, 4.0])
    event = np.array([1, 0, 1, 1])
    group = np.array([INJECTION] * 4)
    km = lifelines_km(time, event, group, [0.0, 2.0])
    fig = km_figure(km, title=INJECTION, group_title=INJECTION)
    assert not [s for s in all_strings(fig.to_plotly_json()) if "<script" in s]
    assert fig.layout.title.text == "&lt;script&gt;alert(1)&lt;/script&gt;"
    for tr in fig.data:
        assert "<script>" not in (tr.name or "")
    assert traces(fig, "at_risk")[0].y[0] == "&lt;script&gt;alert(1)&lt;/script&gt;"


def test_with_package_kaplan_meier(cohort):
    from cohort.models.km import kaplan_meier

    time, event, group = cohort
    km = kaplan_meier(time, event, group, group_order=["0-8", "9-11", "12-15"])
    fig = km_figure(km)
    rows = traces(fig, "at_risk")
    times = km.at_risk["time"].drop_duplicates().tolist()
    for tr, g in zip(rows, km.group_order, strict=True):
        m = group == g
        assert list(tr.text) == [str(int((time[m] >= x).sum())) for x in times]
    # lifelines and the package agree on the drawn curve (same estimator underneath)
    ref = lifelines_km(time, event, group, times)
    for tr, g in zip(traces(fig, "survival"), km.group_order, strict=True):
        cur = ref.curves[ref.curves["group"] == g]
        np.testing.assert_allclose(np.asarray(tr.y, float), cur["survival"], rtol=0,
                                   atol=0.5 * 10.0 ** -DECIMALS + 1e-12)
