"""Figure functions other than Kaplan-Meier, and Table 1: data checked, not pixels."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from lifelines import CoxPHFitter

from reports.figures import (
    c_index_figure,
    calibration_figure,
    forest_figure,
    group_composition_figure,
    score_distribution_figure,
    targets_figure,
    td_auc_figure,
)
from reports.table_one import table_one

INJECTION = "<script>alert(1)</script>"


def by_meta(fig, meta):
    return [t for t in fig.data if t.meta == meta]


@pytest.fixture
def forest_frame():
    # A real Cox fit (lifelines) provides realistic HRs and CIs.
    rng = np.random.default_rng(3)
    n = 200
    x1 = rng.normal(size=n)
    x2 = rng.integers(0, 2, n)
    t = rng.exponential(1 / np.exp(0.5 * x1 - 0.4 * x2))
    e = (rng.uniform(size=n) < 0.8).astype(int)
    cph = CoxPHFitter().fit(pd.DataFrame({"t": t, "e": e, "x1": x1, "x2": x2}), "t", "e")
    s = cph.summary
    return pd.DataFrame({
        "term": s.index.tolist(), "hr": s["exp(coef)"].to_numpy(),
        "ci_lower": s["exp(coef) lower 95%"].to_numpy(),
        "ci_upper": s["exp(coef) upper 95%"].to_numpy(), "p": s["p"].to_numpy(),
        "n": [n, n], "events": [int(e.sum())] * 2})


def test_forest_log_axis_ci_and_counts(forest_frame):
    fig = forest_figure(forest_frame, title="Cox")
    (hr,) = by_meta(fig, "hr")
    (ref,) = by_meta(fig, "reference")
    (txt,) = by_meta(fig, "row_text")
    assert fig.layout.xaxis.type == "log"
    assert fig.layout.xaxis.title.text == "Hazard ratio (95% CI, log scale)"
    np.testing.assert_allclose(np.asarray(hr.x) - np.asarray(hr.error_x.arrayminus),
                               forest_frame["ci_lower"])
    np.testing.assert_allclose(np.asarray(hr.x) + np.asarray(hr.error_x.array),
                               forest_frame["ci_upper"])
    assert list(ref.x) == [1.0, 1.0]
    events = int(forest_frame["events"].iloc[0])
    for line, (_, row) in zip(txt.text, forest_frame.iterrows(), strict=True):
        assert line.startswith(f"200 / {events} ")
        assert f"{row['hr']:.2f} ({row['ci_lower']:.2f}–{row['ci_upper']:.2f})" in line
    # the axis range covers every CI
    lo, hi = (10 ** v for v in fig.layout.xaxis.range)
    assert lo <= forest_frame["ci_lower"].min()
    assert hi >= forest_frame["ci_upper"].max()
    # tick labels are the hazard ratios themselves (plotly's default log ticks would
    # print 0.3 as "3"), include the reference 1 and lie inside the range
    ticks = list(fig.layout.xaxis.tickvals)
    assert 1.0 in ticks
    assert [float(t) for t in fig.layout.xaxis.ticktext] == ticks
    assert all(lo <= t <= hi for t in ticks)


def test_forest_missing_column_is_clear_error(forest_frame):
    with pytest.raises(ValueError, match="events"):
        forest_figure(forest_frame.drop(columns="events"))


def test_calibration_panels_ideal_line_and_bounds():
    df = pd.DataFrame({
        "horizon": [6, 6, 6, 12, 12, 12], "group": ["0-8", "9-11", "12-15"] * 2,
        "n": [30, 40, 30] * 2, "predicted": [0.3, 0.6, 0.8, 0.1, 0.4, 0.65],
        "observed": [0.35, 0.55, 0.85, 0.12, 0.38, 0.6],
        "observed_lower": [0.2, 0.4, 0.7, 0.05, 0.25, 0.45],
        "observed_upper": [0.5, 0.7, 0.95, 0.25, 0.5, 0.75]})
    fig = calibration_figure(df)
    assert len(by_meta(fig, "ideal")) == 2
    cal = by_meta(fig, "calibration")
    assert len(cal) == 2
    assert [a.text for a in fig.layout.annotations] == ["6 months", "12 months"]
    for tr, h in zip(cal, [6, 12], strict=True):
        part = df[df["horizon"] == h]
        y = np.asarray(tr.y)
        np.testing.assert_allclose(y + np.asarray(tr.error_y.array), part["observed_upper"])
        np.testing.assert_allclose(y - np.asarray(tr.error_y.arrayminus), part["observed_lower"])
        np.testing.assert_allclose(tr.x, part["predicted"])
    assert fig.layout.xaxis.title.text == "Predicted survival"
    assert fig.layout.yaxis.title.text == "Observed survival (Kaplan-Meier)"
    # with a score column: one trace per score per horizon
    two = pd.concat([df.assign(score="a"), df.assign(score="b")])
    assert len(by_meta(calibration_figure(two), "calibration")) == 4


def test_td_auc_lines():
    df = pd.DataFrame({"score": ["a"] * 3 + ["b"] * 3, "time": [3, 6, 12] * 2,
                       "auc": [0.7, 0.68, 0.66, 0.6, 0.61, 0.62]})
    fig = td_auc_figure(df, labels={"a": "Score A"})
    auc = by_meta(fig, "auc")
    assert [t.name for t in auc] == ["Score A", "b"]
    np.testing.assert_allclose(auc[1].y, [0.6, 0.61, 0.62])
    assert fig.layout.xaxis.title.text == "Time (months)"
    assert fig.layout.yaxis.title.text == "Time-dependent AUC"
    assert list(by_meta(fig, "reference")[0].y) == [0.5, 0.5]


def test_c_index_sorted_with_bounds():
    df = pd.DataFrame({"score": ["tomita", "tokuhashi_revised", "sins"],
                       "harrell_c": [0.66, 0.70, 0.53], "ci_lower": [0.62, 0.66, 0.49],
                       "ci_upper": [0.70, 0.74, 0.57], "uno_c": [0.65, 0.69, 0.52]})
    fig = c_index_figure(df)
    (hc,) = by_meta(fig, "harrell_c")
    (uno,) = by_meta(fig, "uno_c")
    assert list(hc.y) == ["tokuhashi_revised", "tomita", "sins"]
    np.testing.assert_allclose(np.asarray(hc.x) - np.asarray(hc.error_x.arrayminus),
                               [0.66, 0.62, 0.49])
    np.testing.assert_allclose(np.asarray(hc.x) + np.asarray(hc.error_x.array),
                               [0.74, 0.70, 0.57])
    np.testing.assert_allclose(uno.x, [0.69, 0.65, 0.52])
    assert fig.layout.xaxis.title.text == "Concordance index"


def test_distribution_and_composition_counts():
    frame = pd.DataFrame({
        "tomita": pd.array([2, 4, 4, 10, pd.NA, 6], dtype="Int64"),
        "tomita_group": ["2-3", "4-5", "4-5", "8-10", pd.NA, "6-7"]})
    fig = score_distribution_figure(frame, ["tomita"], ranges={"tomita": (2, 10)})
    (bar,) = by_meta(fig, "distribution")
    assert list(bar.x) == list(range(2, 11))
    assert list(bar.y) == [1, 0, 2, 0, 1, 0, 0, 0, 1]
    assert "missing 1" in bar.name
    comp = group_composition_figure(frame, ["tomita"],
                                    group_orders={"tomita": ["2-3", "4-5", "6-7", "8-10"]})
    bars = by_meta(comp, "composition")
    assert [b.name for b in bars] == ["2-3", "4-5", "6-7", "8-10"]
    assert [b.customdata[0] for b in bars] == [1, 2, 1, 1]
    assert sum(b.x[0] for b in bars) == pytest.approx(100.0)
    assert comp.layout.barmode == "stack"


def test_targets_deviation_in_band_units():
    df = pd.DataFrame({"target": ["median OS (months)", "share lung", "C"],
                       "target_value": [10.0, 20.0, 0.66], "generated": [9.5, 24.0, 0.66],
                       "lower": [9.0, 17.0, 0.62], "upper": [11.0, 23.0, 0.70]})
    fig = targets_figure(df)
    (gen,) = by_meta(fig, "generated")
    # 9.5 is half-way to the lower edge 9; 24 is 4/3 of the way to the upper edge 23
    np.testing.assert_allclose(gen.x, [-0.5, 4 / 3, 0.0])
    assert list(gen.marker.symbol) == ["circle", "x", "circle"]
    np.testing.assert_allclose(np.asarray(gen.customdata)[:, 0], [9.5, 24.0, 0.66])
    assert sorted(t.x[0] for t in by_meta(fig, "band")) == [-1.0, 1.0]
    assert fig.layout.xaxis.range[1] >= 4 / 3


def test_figures_escape_user_labels(forest_frame):
    f = forest_frame.assign(term=[INJECTION, "x2"])
    fig = forest_figure(f, title=INJECTION)
    assert by_meta(fig, "hr")[0].y[0] == "&lt;script&gt;alert(1)&lt;/script&gt;"
    assert fig.layout.title.text == "&lt;script&gt;alert(1)&lt;/script&gt;"
    df = pd.DataFrame({"score": [INJECTION], "time": [3], "auc": [0.6]})
    assert by_meta(td_auc_figure(df), "auc")[0].name.startswith("&lt;script&gt;")


def test_table_one_hand_worked():
    frame = pd.DataFrame({
        "patient_id": ["a", "b", "c", "d", "e"],
        "age": [50.0, 60.0, 70.0, 80.0, np.nan],
        "sex": ["female", "male", "male", "female", "male"],
        "kps": pd.array([40, 60, 80, 90, 70], dtype="Int64"),
        "cord_compression": pd.array([True, False, True, pd.NA, False], dtype="boolean"),
        "time_months": [1.0, 2.0, 3.0, 4.0, 5.0], "event": [1, 1, 0, 1, 0],
        "g": ["low", "low", "high", "high", pd.NA]})
    t1 = table_one(frame, group="g", group_order=["low", "high"])
    assert list(t1.columns) == ["characteristic", "level", "Overall", "low", "high",
                                "group missing"]
    cell = t1.set_index(["characteristic", "level"])
    assert cell.loc[("Patients", "n")].tolist() == ["5", "2", "2", "1"]
    assert cell.loc[("Deaths", "n (%)"), "Overall"] == "3 (60.0%)"
    # age: mean of 50, 60, 70, 80 = 65, SD = 12.9; one missing
    assert cell.loc[("Age, years", "mean (SD)"), "Overall"] == "65.0 (12.9)"
    assert cell.loc[("Age, years", "missing, n"), "Overall"] == "1"
    assert cell.loc[("Age, years", "mean (SD)"), "low"] == "55.0 (7.1)"
    assert cell.loc[("Sex", "female, n (%)"), "Overall"] == "2 (40.0%)"
    assert cell.loc[("Sex", "male, n (%)"), "high"] == "1 (50.0%)"
    # percentages of known values: 2 of 4 known have cord compression
    assert cell.loc[("Spinal cord compression", "yes, n (%)"),
                    "Overall"] == "2 (50.0%)"
    # coded labels are spelled out
    coded = pd.DataFrame({"patient_id": ["a", "b"], "primary_site": ["head_neck", "lung"],
                          "sins_collapse": ["gt50", "body_gt50"]})
    levels = set(table_one(coded)["level"])
    assert {"head and neck, n (%)", ">50% collapse, n (%)",
            "no collapse, >50% of body involved, n (%)"} <= levels
    assert not any("_" in v for v in levels)
    # KPS is whole-numbered: quartiles of 40, 60, 70, 80, 90 are 60 and 80, median 70
    assert cell.loc[("Karnofsky performance status, %", "median [IQR]"),
                    "Overall"] == "70 [60–80]"
