"""Colours and the common layout of every figure (no randomness, no timestamps)."""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go

from reports._text import plot_text

__all__ = ["PALETTE", "TEMPLATE", "base_layout", "with_alpha"]

# Okabe-Ito colour-blind-safe palette (Okabe M, Ito K. Color Universal Design, 2008).
PALETTE: tuple[str, ...] = (
    "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442",
)


def with_alpha(hex_color: str, alpha: float) -> str:
    """``"#RRGGBB"`` -> ``"rgba(r,g,b,alpha)"``."""
    h = hex_color.lstrip("#")
    r, g, b = (int(h[i:i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


# A small template (plotly's built-in ones add ~7 kB of JSON to every figure).
TEMPLATE: dict[str, Any] = {
    "layout": {
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "colorway": list(PALETTE),
        "hovermode": "closest",
        "xaxis": {"gridcolor": "#EBEEF2", "linecolor": "#444444", "showline": True,
                  "zeroline": False, "ticks": "outside", "automargin": True},
        "yaxis": {"gridcolor": "#EBEEF2", "linecolor": "#444444", "showline": True,
                  "zeroline": False, "ticks": "outside", "automargin": True},
    }
}


def base_layout(title: str | None, *, height: int = 480) -> dict[str, Any]:
    """Layout shared by all figures: white template, fixed size, escaped title."""
    return {
        "template": go.layout.Template(TEMPLATE),
        "title": {"text": plot_text(title) if title else "", "x": 0.0, "xref": "paper",
                  "xanchor": "left"},
        "height": height,
        "margin": {"l": 70, "r": 30, "t": 60 if title else 30, "b": 60},
        "font": {"family": "Arial, Helvetica, sans-serif", "size": 13},
    }
