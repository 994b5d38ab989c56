"""Figure functions for the validation report: each takes a tidy frame and returns a
:class:`plotly.graph_objects.Figure`. No function reads files, draws random numbers or
formats dates, so the same frame always gives the same figure.

Frames follow the result contract of ``cohort.validation``:

* forest: ``[term, hr, ci_lower, ci_upper, p, n, events]``
* calibration: ``[horizon, group, n, predicted, observed, observed_lower, observed_upper]``
  (optionally ``score``)
* time-dependent AUC: ``[score, time, auc]``
* C-index comparison: ``[score, harrell_c, ci_lower, ci_upper, uno_c]``
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from reports._style import PALETTE, base_layout
from reports._text import fmt_ci, fmt_num, fmt_p, plot_text

__all__ = [
    "c_index_figure",
    "calibration_figure",
    "forest_figure",
    "group_composition_figure",
    "score_distribution_figure",
    "targets_figure",
    "td_auc_figure",
]


def _require(df: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(
            f"{what}: frame lacks column(s) {missing}; it has {list(df.columns)}. "
            f"Pass the frame produced by the validation pipeline."
        )


_HR_TICKS = (0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 1.0, 1.5, 2.0, 3.0, 5.0, 7.0, 10.0,
             20.0, 50.0, 100.0, 200.0, 500.0, 1000.0)


def _label(name: object, labels: Mapping[str, str] | None) -> str:
    return plot_text(labels.get(str(name), name) if labels else name)


def forest_figure(df: pd.DataFrame, *, title: str | None = None,
                  labels: Mapping[str, str] | None = None) -> go.Figure:
    """Forest plot of hazard ratios on a log axis, with n and events for each row.

    Parameters
    ----------
    df
        ``[term, hr, ci_lower, ci_upper, p, n, events]``, one row per term, drawn top to
        bottom in frame order.
    title
        Figure title (escaped).
    labels
        Optional display names for terms.

    Returns
    -------
    plotly.graph_objects.Figure
        Left panel (log x axis): one marker trace with asymmetric error bars (``meta``
        ``"hr"``) and the reference line HR = 1 (``meta`` ``"reference"``). Right panel:
        one text trace (``meta`` ``"row_text"``) with "n / events" and "HR (95% CI), p".

    References
    ----------
    Cox DR. Regression models and life-tables. J R Stat Soc B 1972;34:187-220.
    Lewis S, Clarke M. Forest plots: trying to see the wood and the trees. BMJ
    2001;322:1479-1480.
    """
    _require(df, ["term", "hr", "ci_lower", "ci_upper", "p", "n", "events"], "forest_figure")
    rows = df.reset_index(drop=True)
    names = _unique([_label(t, labels) for t in rows["term"]])
    hr = rows["hr"].astype(float).to_numpy()
    lo = rows["ci_lower"].astype(float).to_numpy()
    hi = rows["ci_upper"].astype(float).to_numpy()
    texts = [
        f"{_count(n)} / {_count(e)}   {fmt_num(h)} ({fmt_ci(a, b)}), p {fmt_p(p)}"
        for n, e, h, a, b, p in zip(rows["n"], rows["events"], hr, lo, hi, rows["p"],
                                    strict=True)
    ]
    fig = make_subplots(rows=1, cols=2, shared_yaxes=True, column_widths=[0.6, 0.4],
                        horizontal_spacing=0.02)
    fig.add_trace(go.Scatter(
        x=hr, y=names, mode="markers", marker={"symbol": "square", "size": 9,
                                               "color": PALETTE[0]},
        error_x={"type": "data", "symmetric": False, "array": hi - hr, "arrayminus": hr - lo,
                 "color": PALETTE[0], "thickness": 1.5, "width": 4},
        name="HR (95% CI)", meta="hr", showlegend=False,
        customdata=np.column_stack([lo, hi]),
        hovertemplate="%{y}<br>HR %{x:.2f} (95% CI %{customdata[0]:.2f}–%{customdata[1]:.2f})"
                      "<extra></extra>"), row=1, col=1)
    fig.add_trace(go.Scatter(
        x=[1.0, 1.0], y=[names[0], names[-1]] if names else [], mode="lines",
        line={"color": "#555555", "dash": "dash", "width": 1}, name="HR = 1",
        meta="reference", showlegend=False, hoverinfo="skip"), row=1, col=1)
    fig.add_trace(go.Scatter(
        x=[0.0] * len(names), y=names, mode="text", text=texts, textposition="middle right",
        meta="row_text", showlegend=False, hoverinfo="skip", name="n / events, HR"),
        row=1, col=2)
    finite = np.r_[lo, hi, hr][np.isfinite(np.r_[lo, hi, hr]) & (np.r_[lo, hi, hr] > 0)]
    lo_x = min(0.5, float(finite.min()) / 1.2) if finite.size else 0.5
    hi_x = max(2.0, float(finite.max()) * 1.2) if finite.size else 2.0
    fig.update_layout(base_layout(title, height=max(260, 60 + 36 * len(names))))
    # Explicit ticks: plotly's own log ticks label 0.3 as "3" (minor digits only), which
    # reads as a hazard ratio of 3.
    ticks = [t for t in _HR_TICKS if lo_x <= t <= hi_x]
    fig.update_xaxes(type="log", range=[np.log10(lo_x), np.log10(hi_x)],
                     tickvals=ticks, ticktext=[f"{t:g}" for t in ticks],
                     title_text="Hazard ratio (95% CI, log scale)", row=1, col=1)
    fig.update_xaxes(visible=False, range=[0, 1], row=1, col=2)
    fig.update_yaxes(type="category", categoryorder="array",
                     categoryarray=list(reversed(names)), row=1, col=1)
    fig.add_annotation(text="n / events   HR (95% CI), p", xref="x2 domain", yref="paper",
                       x=0.0, y=1.0, xanchor="left", yanchor="bottom", showarrow=False)
    return fig


def _unique(names: list[str]) -> list[str]:
    """Row labels made unique (a categorical axis would merge equal labels)."""
    seen: dict[str, int] = {}
    out = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return out


def _count(value: object) -> str:
    try:
        v = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return "–"
    return "–" if np.isnan(v) else str(round(v))


def calibration_figure(df: pd.DataFrame, *, title: str | None = None,
                       labels: Mapping[str, str] | None = None) -> go.Figure:
    """Calibration at each horizon: predicted against observed (Kaplan-Meier) survival.

    Parameters
    ----------
    df
        ``[horizon, group, n, predicted, observed, observed_lower, observed_upper]``,
        optionally with a ``score`` column (one colour per score).
    title, labels
        Title and display names for scores (escaped).

    Returns
    -------
    plotly.graph_objects.Figure
        One panel per horizon (sorted), each with the ideal line y = x (``meta``
        ``"ideal"``) and one marker trace per score with vertical error bars from
        ``observed_lower`` to ``observed_upper`` (``meta`` ``"calibration"``).

    References
    ----------
    Royston P, Altman DG. External validation of a Cox prognostic model: principles and
    methods. BMC Med Res Methodol 2013;13:33.
    """
    _require(df, ["horizon", "group", "n", "predicted", "observed", "observed_lower",
                  "observed_upper"], "calibration_figure")
    horizons = sorted(pd.unique(df["horizon"].astype(float)))
    scores = list(pd.unique(df["score"].astype(str))) if "score" in df.columns else [""]
    fig = make_subplots(rows=1, cols=max(1, len(horizons)), shared_yaxes=True,
                        subplot_titles=[f"{fmt_num(h, 0)} months" for h in horizons],
                        horizontal_spacing=0.05)
    for col, h in enumerate(horizons, start=1):
        fig.add_trace(go.Scatter(x=[0, 1], y=[0, 1], mode="lines",
                                 line={"color": "#777777", "dash": "dash", "width": 1},
                                 name="ideal", meta="ideal", showlegend=col == 1,
                                 hoverinfo="skip"), row=1, col=col)
        at_h = df[df["horizon"].astype(float) == h]
        for k, score in enumerate(scores):
            part = at_h[at_h["score"].astype(str) == score] if score else at_h
            obs = part["observed"].astype(float).to_numpy()
            fig.add_trace(go.Scatter(
                x=part["predicted"].astype(float), y=obs, mode="markers+lines",
                marker={"size": 9, "color": PALETTE[k % len(PALETTE)]},
                line={"width": 1, "color": PALETTE[k % len(PALETTE)]},
                error_y={"type": "data", "symmetric": False,
                         "array": part["observed_upper"].astype(float).to_numpy() - obs,
                         "arrayminus": obs - part["observed_lower"].astype(float).to_numpy()},
                name=_label(score, labels) if score else "observed",
                legendgroup=score, showlegend=col == 1, meta="calibration",
                text=[plot_text(g) for g in part["group"]],
                customdata=part["n"].to_numpy(),
                hovertemplate="group %{text} (n=%{customdata})<br>predicted %{x:.2f}"
                              "<br>observed %{y:.2f}<extra></extra>"), row=1, col=col)
        fig.update_xaxes(range=[0, 1], title_text="Predicted survival", row=1, col=col)
    fig.update_yaxes(range=[0, 1], title_text="Observed survival (Kaplan-Meier)", row=1, col=1)
    fig.update_layout(base_layout(title, height=420))
    return fig


def td_auc_figure(df: pd.DataFrame, *, title: str | None = None,
                  labels: Mapping[str, str] | None = None) -> go.Figure:
    """Time-dependent (cumulative/dynamic) AUC over time, one line per score.

    Parameters
    ----------
    df
        ``[score, time, auc]``.

    Returns
    -------
    plotly.graph_objects.Figure
        One line trace per score (``meta`` ``"auc"``) and a reference line at 0.5
        (``meta`` ``"reference"``).

    References
    ----------
    Uno H, Cai T, Tian L, Wei LJ. Evaluating prediction rules for t-year survivors with
    censored regression models. J Am Stat Assoc 2007;102:527-537.
    Heagerty PJ, Lumley T, Pepe MS. Time-dependent ROC curves for censored survival data
    and a diagnostic marker. Biometrics 2000;56:337-344.
    """
    _require(df, ["score", "time", "auc"], "td_auc_figure")
    fig = go.Figure()
    times = df["time"].astype(float)
    t_lo = float(times.min()) if len(df) else 0.0
    t_hi = float(times.max()) if len(df) else 1.0
    fig.add_trace(go.Scatter(x=[t_lo, t_hi], y=[0.5, 0.5], mode="lines",
                             line={"color": "#777777", "dash": "dash", "width": 1},
                             name="no discrimination (0.5)", meta="reference",
                             hoverinfo="skip"))
    for k, score in enumerate(pd.unique(df["score"].astype(str))):
        part = df[df["score"].astype(str) == score].sort_values("time", kind="stable")
        fig.add_trace(go.Scatter(
            x=part["time"].astype(float), y=part["auc"].astype(float), mode="lines+markers",
            line={"color": PALETTE[k % len(PALETTE)]}, name=_label(score, labels),
            meta="auc",
            hovertemplate="%{fullData.name}<br>t=%{x:.1f}<br>AUC %{y:.3f}<extra></extra>"))
    fig.update_layout(base_layout(title, height=420))
    fig.update_xaxes(title_text="Time (months)")
    fig.update_yaxes(title_text="Time-dependent AUC", range=[0.3, 1.0])
    return fig


def c_index_figure(df: pd.DataFrame, *, title: str | None = None,
                   labels: Mapping[str, str] | None = None) -> go.Figure:
    """Harrell's C (with CI) and Uno's C for each score, best first.

    Parameters
    ----------
    df
        ``[score, harrell_c, ci_lower, ci_upper, uno_c]``.

    Returns
    -------
    plotly.graph_objects.Figure
        A marker trace for Harrell's C with error bars (``meta`` ``"harrell_c"``), one for
        Uno's C (``meta`` ``"uno_c"``) and a reference line at 0.5 (``meta``
        ``"reference"``). Scores are ordered by Harrell's C, highest at the top.

    References
    ----------
    Harrell FE, Califf RM, Pryor DB, Lee KL, Rosati RA. Evaluating the yield of medical
    tests. JAMA 1982;247:2543-2546.
    Uno H, Cai T, Pencina MJ, D'Agostino RB, Wei LJ. On the C-statistics for evaluating
    overall adequacy of risk prediction procedures with censored survival data. Stat Med
    2011;30:1105-1117.
    """
    _require(df, ["score", "harrell_c", "ci_lower", "ci_upper", "uno_c"], "c_index_figure")
    rows = df.sort_values("harrell_c", ascending=False, kind="stable").reset_index(drop=True)
    names = [_label(s, labels) for s in rows["score"]]
    c = rows["harrell_c"].astype(float).to_numpy()
    lo = rows["ci_lower"].astype(float).to_numpy()
    hi = rows["ci_upper"].astype(float).to_numpy()
    fig = go.Figure()
    fig.add_trace(go.Scatter(
        x=c, y=names, mode="markers", marker={"size": 10, "color": PALETTE[0]},
        error_x={"type": "data", "symmetric": False, "array": hi - c, "arrayminus": c - lo},
        name="Harrell's C (95% CI)", meta="harrell_c",
        customdata=np.column_stack([lo, hi]),
        hovertemplate="%{y}<br>Harrell's C %{x:.3f} (95% CI %{customdata[0]:.3f}–"
                      "%{customdata[1]:.3f})<extra></extra>"))
    fig.add_trace(go.Scatter(
        x=rows["uno_c"].astype(float), y=names, mode="markers",
        marker={"size": 9, "symbol": "diamond-open", "color": PALETTE[1]}, name="Uno's C",
        meta="uno_c", hovertemplate="%{y}<br>Uno's C %{x:.3f}<extra></extra>"))
    fig.add_trace(go.Scatter(
        x=[0.5, 0.5], y=[names[0], names[-1]] if names else [], mode="lines",
        line={"color": "#777777", "dash": "dash", "width": 1}, name="0.5 (chance)",
        meta="reference", hoverinfo="skip"))
    fig.update_layout(base_layout(title, height=max(260, 90 + 40 * len(names))))
    fig.update_xaxes(title_text="Concordance index", range=[0.4, 1.0])
    fig.update_yaxes(type="category", categoryorder="array", categoryarray=list(reversed(names)))
    return fig


def score_distribution_figure(frame: pd.DataFrame, scores: Sequence[str], *,
                              title: str | None = None,
                              labels: Mapping[str, str] | None = None,
                              ranges: Mapping[str, tuple[int, int]] | None = None) -> go.Figure:
    """Distribution of each score's values (counts per point value), one panel per score.

    Parameters
    ----------
    frame
        The scored cohort; one column per score.
    scores
        Score columns to draw.
    ranges
        Optional ``(minimum, maximum)`` per score, so values that never occur show as 0.

    Returns
    -------
    plotly.graph_objects.Figure
        One bar trace per score (``meta`` ``"distribution"``); bar heights are the counts
        of each value among patients with the score computed (missing values are not
        drawn; their number is in the trace name).
    """
    scores = [s for s in scores if s in frame.columns]
    n = max(1, len(scores))
    cols = min(3, n)
    nrows = int(np.ceil(n / cols))
    fig = make_subplots(rows=nrows, cols=cols,
                        subplot_titles=[_label(s, labels) for s in scores],
                        vertical_spacing=0.18 if nrows > 1 else 0.1, horizontal_spacing=0.06)
    for k, score in enumerate(scores):
        values = pd.to_numeric(frame[score], errors="coerce")
        missing = int(values.isna().sum())
        counts = values.dropna().astype(int).value_counts().sort_index()
        if ranges and score in ranges:
            lo, hi = ranges[score]
            counts = counts.reindex(range(int(lo), int(hi) + 1), fill_value=0)
        r, c = divmod(k, cols)
        fig.add_trace(go.Bar(
            x=counts.index.astype(int).tolist(), y=counts.to_numpy().tolist(),
            marker={"color": PALETTE[k % len(PALETTE)]}, meta="distribution",
            name=f"{_label(score, labels)} (missing {missing})", showlegend=False,
            hovertemplate="score %{x}: %{y} patients<extra></extra>"), row=r + 1, col=c + 1)
        fig.update_xaxes(title_text="Score", dtick=1 if len(counts) <= 20 else None,
                         row=r + 1, col=c + 1)
        fig.update_yaxes(title_text="Patients" if c == 0 else None, row=r + 1, col=c + 1)
    fig.update_layout(base_layout(title, height=280 * nrows + 60))
    return fig


def group_composition_figure(frame: pd.DataFrame, scores: Sequence[str], *,
                             group_orders: Mapping[str, Sequence[str]] | None = None,
                             title: str | None = None,
                             labels: Mapping[str, str] | None = None) -> go.Figure:
    """Share of patients in each score group, one horizontal stacked bar per score.

    Parameters
    ----------
    frame
        The scored cohort with ``<score>_group`` columns.
    scores
        Scores to draw.
    group_orders
        Display order of group labels per score (default: sorted labels).

    Returns
    -------
    plotly.graph_objects.Figure
        One bar trace per (score, group) (``meta`` ``"composition"``); x is the percentage
        of patients with the group known; the count is in ``customdata``. Percentages of
        one score add up to 100.
    """
    fig = go.Figure()
    present = [s for s in scores if f"{s}_group" in frame.columns]
    for score in present:
        col = frame[f"{score}_group"].dropna().astype(str)
        order = [str(g) for g in (group_orders or {}).get(score, sorted(pd.unique(col)))]
        counts = col.value_counts().reindex(order, fill_value=0)
        total = max(1, int(counts.sum()))
        for k, (group, count) in enumerate(counts.items()):
            fig.add_trace(go.Bar(
                x=[100.0 * int(count) / total], y=[_label(score, labels)], orientation="h",
                name=plot_text(group), meta="composition", customdata=[int(count)],
                marker={"color": PALETTE[k % len(PALETTE)]}, showlegend=False,
                text=[plot_text(group)], textposition="inside", insidetextanchor="middle",
                hovertemplate=f"{_label(score, labels)}<br>group {plot_text(group)}: "
                              "%{customdata} patients (%{x:.1f}%)<extra></extra>"))
    fig.update_layout(base_layout(title, height=max(220, 80 + 50 * len(present))),
                      barmode="stack")
    fig.update_xaxes(title_text="Patients (%)", range=[0, 100])
    return fig


def targets_figure(df: pd.DataFrame, *, title: str | None = None) -> go.Figure:
    """Generated value against target for each calibration target of a synthetic cohort.

    Parameters
    ----------
    df
        ``[target, target_value, generated, lower, upper]``: the target, the generated
        value and the accepted band ``lower``..``upper`` around the target.

    Returns
    -------
    plotly.graph_objects.Figure
        Targets differ in scale (months, percentages, C-indices), so each generated value
        is drawn as its deviation from the target in units of the band's half-width on
        that side: 0 = on target, -1 and +1 = the band's edges, so a point inside [-1, 1]
        meets its target. Traces: the band (``meta`` ``"band"``), the target line at 0
        (``meta`` ``"target"``), and the generated values (``meta`` ``"generated"``,
        raw values in ``customdata``).
    """
    _require(df, ["target", "target_value", "generated", "lower", "upper"], "targets_figure")
    rows = df.reset_index(drop=True)
    names = _unique([plot_text(t) for t in rows["target"]])
    target = rows["target_value"].astype(float).to_numpy()
    gen = rows["generated"].astype(float).to_numpy()
    lower = rows["lower"].astype(float).to_numpy()
    upper = rows["upper"].astype(float).to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        dev = np.where(gen >= target, (gen - target) / (upper - target),
                       (gen - target) / (target - lower))
    dev = np.where(gen == target, 0.0, dev)
    inside = (gen >= lower) & (gen <= upper)
    ends = [names[0], names[-1]] if names else []
    fig = go.Figure()
    for x in (-1.0, 1.0):
        fig.add_trace(go.Scatter(
            x=[x, x], y=ends, mode="lines", line={"color": "#999999", "dash": "dot", "width": 1},
            name="accepted band", meta="band", showlegend=x > 0, hoverinfo="skip"))
    fig.add_trace(go.Scatter(x=[0.0, 0.0], y=ends, mode="lines",
                             line={"color": "#444444", "width": 1}, name="target",
                             meta="target", hoverinfo="skip"))
    fig.add_trace(go.Scatter(
        x=dev, y=names, mode="markers", name="generated", meta="generated",
        marker={"size": 10, "color": [PALETTE[2] if ok else PALETTE[1] for ok in inside],
                "symbol": ["circle" if ok else "x" for ok in inside]},
        customdata=np.column_stack([gen, target, lower, upper]),
        hovertemplate="%{y}<br>generated %{customdata[0]:.4g}; target %{customdata[1]:.4g} "
                      "(%{customdata[2]:.4g}–%{customdata[3]:.4g})<extra></extra>"))
    finite = np.abs(dev[np.isfinite(dev)])
    reach = max(1.5, float(finite.max()) * 1.1) if finite.size else 1.5
    fig.update_layout(base_layout(title, height=max(260, 80 + 24 * len(names))))
    fig.update_xaxes(title_text="Deviation from target (band half-widths; ±1 = band edge)",
                     range=[-reach, reach])
    fig.update_yaxes(type="category", categoryorder="array", categoryarray=list(reversed(names)))
    return fig
