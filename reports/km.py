"""Kaplan-Meier figure with confidence bands, censoring marks, medians and a number-at-risk
table that shares the time axis.

The number-at-risk row is drawn from the result's ``at_risk`` frame and nothing else, so
the plot and the table cannot disagree with the estimate they come from.
"""

from __future__ import annotations

from typing import Any, Protocol

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from reports._style import PALETTE, base_layout, with_alpha
from reports._text import fmt_ci, fmt_num, plot_text

__all__ = ["DECIMALS", "TIME_DECIMALS", "KaplanMeierLike", "at_risk_matrix", "km_figure"]

#: Decimals of the probabilities and times drawn in the figure.
DECIMALS = 4
TIME_DECIMALS = 3


class KaplanMeierLike(Protocol):
    """What :func:`km_figure` reads: the tidy frames of ``cohort.models.km.KaplanMeierResult``."""

    @property
    def curves(self) -> pd.DataFrame: ...  # [group, time, survival, ci_lower, ci_upper]
    @property
    def censored(self) -> pd.DataFrame: ...  # [group, time, survival]
    @property
    def at_risk(self) -> pd.DataFrame: ...  # [group, time, n_at_risk]
    @property
    def medians(self) -> pd.DataFrame: ...  # [group, n, events, median, median_ci_*]
    @property
    def group_order(self) -> tuple[str, ...]: ...


def _groups(km: KaplanMeierLike) -> list[str]:
    order = [str(g) for g in km.group_order]
    present = set(km.curves["group"].astype(str))
    return [g for g in order if g in present] or sorted(present)


def at_risk_matrix(km: KaplanMeierLike) -> pd.DataFrame:
    """The number-at-risk table as a groups x times matrix of integers.

    Rows follow ``km.group_order``, columns the sorted times of ``km.at_risk``.
    """
    tab = km.at_risk.assign(group=km.at_risk["group"].astype(str))
    wide = tab.pivot(index="group", columns="time", values="n_at_risk")
    wide = wide.reindex(index=[g for g in _groups(km) if g in wide.index])
    wide = wide.reindex(columns=sorted(wide.columns))
    return wide.astype("Int64")


def km_figure(
    km: KaplanMeierLike,
    *,
    title: str | None = None,
    time_label: str = "Time (months)",
    group_title: str | None = None,
    show_ci: bool = True,
    show_censored: bool = True,
    show_medians: bool = True,
    height: int = 560,
) -> go.Figure:
    """Kaplan-Meier curves by group, with a number-at-risk table below.

    Parameters
    ----------
    km
        A ``KaplanMeierResult`` (see :class:`KaplanMeierLike` for the frames it must hold).
    title
        Figure title (user text: escaped).
    time_label
        Title of the shared time axis.
    group_title
        Legend title, e.g. the score label (escaped).
    show_ci, show_censored, show_medians
        Draw the pointwise confidence band, the censoring marks and the median lines.
    height
        Figure height in pixels.

    Returns
    -------
    plotly.graph_objects.Figure
        Row 1: per group, in this order, the band's upper edge and lower edge (filled),
        the survival step curve, the censoring marks and the median line (when
        reached). Row 2: one text trace per group holding ``n_at_risk`` at the times
        of ``km.at_risk``; trace ``meta`` is ``"at_risk"`` so it can be found.

    References
    ----------
    Kaplan EL, Meier P. Nonparametric estimation from incomplete observations.
    J Am Stat Assoc 1958;53:457-481.
    """
    groups = _groups(km)
    # Rounded for the page (4 decimals of a probability, 1/1000 month); the exact values
    # stay in the result's frames and CSV tables.
    curves = km.curves.assign(group=km.curves["group"].astype(str)).round(
        {"time": TIME_DECIMALS, "survival": DECIMALS, "ci_lower": DECIMALS,
         "ci_upper": DECIMALS})
    censored = km.censored.assign(group=km.censored["group"].astype(str)).round(
        {"time": TIME_DECIMALS, "survival": DECIMALS})
    medians: dict[str, dict[str, Any]] = {
        str(r["group"]): {str(k): v for k, v in r.items()}
        for r in km.medians.to_dict("records")
    }
    risk = at_risk_matrix(km)
    risk_times = [float(t) for t in risk.columns]

    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, row_heights=[0.78, 0.22],
                        vertical_spacing=0.06)
    for k, group in enumerate(groups):
        color = PALETTE[k % len(PALETTE)]
        label = plot_text(group)
        cur = curves[curves["group"] == group].sort_values("time", kind="stable")
        legend = label
        if group in medians:
            row = medians[group]
            legend = f"{label} (n={int(row['n'])}, events={int(row['events'])})"
        if show_ci:
            fig.add_trace(go.Scatter(
                x=cur["time"].tolist(), y=cur["ci_upper"].tolist(), mode="lines",
                line={"width": 0, "shape": "hv"},
                legendgroup=label, showlegend=False, hoverinfo="skip", name=f"{label} upper CI",
                meta="ci_upper"), row=1, col=1)
            fig.add_trace(go.Scatter(
                x=cur["time"].tolist(), y=cur["ci_lower"].tolist(), mode="lines",
                line={"width": 0, "shape": "hv"},
                fill="tonexty", fillcolor=with_alpha(color, 0.15), legendgroup=label,
                showlegend=False, hoverinfo="skip", name=f"{label} lower CI", meta="ci_lower"),
                row=1, col=1)
        fig.add_trace(go.Scatter(
            x=cur["time"].tolist(), y=cur["survival"].tolist(), mode="lines",
            line={"color": color, "shape": "hv", "width": 2},
            name=legend, legendgroup=label, meta="survival",
            hovertemplate=f"{label}<br>t=%{{x:.1f}}<br>S(t)=%{{y:.3f}}<extra></extra>"),
            row=1, col=1)
        cen = censored[censored["group"] == group]
        if show_censored and len(cen):
            fig.add_trace(go.Scatter(
                x=cen["time"].tolist(), y=cen["survival"].tolist(), mode="markers",
                marker={"symbol": "line-ns-open", "size": 9, "color": color,
                        "line": {"width": 1.5, "color": color}},
                legendgroup=label, showlegend=False, name=f"{label} censored", meta="censored",
                hovertemplate=f"{label}<br>censored at %{{x:.1f}}<extra></extra>"), row=1, col=1)
        if show_medians and group in medians:
            row = medians[group]
            med = row["median"]
            if pd.notna(med):
                ci = fmt_ci(row["median_ci_lower"], row["median_ci_upper"], 1)
                fig.add_trace(go.Scatter(
                    x=[0.0, float(med), float(med)], y=[0.5, 0.5, 0.0], mode="lines",
                    line={"color": color, "dash": "dash", "width": 1}, legendgroup=label,
                    showlegend=False, name=f"{label} median", meta="median",
                    hovertemplate=(f"{label}<br>median {fmt_num(med, 1)} (95% CI {ci})"
                                   "<extra></extra>")), row=1, col=1)
    for k, group in enumerate(groups):
        if group not in risk.index:
            continue
        counts = list(risk.loc[group])
        fig.add_trace(go.Scatter(
            x=risk_times, y=[plot_text(group)] * len(risk_times), mode="text",
            text=["" if v is pd.NA else str(int(v)) for v in counts],
            textfont={"color": PALETTE[k % len(PALETTE)], "size": 12}, showlegend=False,
            cliponaxis=False,
            hoverinfo="skip", name=f"{plot_text(group)} at risk", meta="at_risk"),
            row=2, col=1)

    t_max = float(curves["time"].max()) if len(curves) else 1.0
    if risk_times:
        t_max = max(t_max, max(risk_times))
    x_range = [-0.02 * t_max, 1.03 * t_max]
    fig.update_layout(base_layout(title, height=height))
    fig.update_layout(legend={"title": {"text": plot_text(group_title) if group_title else ""},
                              "orientation": "v", "x": 1.01, "y": 1.0},
                      hovermode="closest")
    fig.update_yaxes(title_text="Survival probability", range=[0, 1.02], row=1, col=1)
    fig.update_yaxes(type="category", categoryorder="array",
                     categoryarray=[plot_text(g) for g in reversed(groups)],
                     range=[-0.6, len(groups) - 0.4],
                     title_text="Number at risk", showgrid=False, zeroline=False,
                     row=2, col=1)
    axis = {"range": x_range, "zeroline": False}
    if risk_times:
        axis["tickvals"] = risk_times
        axis["ticktext"] = [fmt_num(t, 0) if float(t).is_integer() else fmt_num(t, 1)
                            for t in risk_times]
    fig.update_xaxes(**axis, row=1, col=1)
    fig.update_xaxes(**axis, title_text=time_label, showgrid=False, row=2, col=1)
    return fig
