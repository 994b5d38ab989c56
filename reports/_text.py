"""Escaping and naming helpers shared by the figure and HTML modules.

Every string that can come from a user (column names, group labels, score names, file
names) goes through :func:`html_text` before it enters the page, and through
:func:`plot_text` before it enters a Plotly figure: plotly.js renders a subset of HTML in
titles, legends and hover labels, so a label such as ``<b>`` would otherwise be
interpreted instead of shown.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Iterable

__all__ = ["fmt_ci", "fmt_num", "fmt_p", "html_text", "plot_text", "slug", "unique_slugs"]


def html_text(value: object) -> str:
    """Escape ``value`` for use as HTML text or inside a double- or single-quoted attribute."""
    return html.escape(str(value), quote=True)


def plot_text(value: object) -> str:
    """Escape ``value`` so that plotly.js displays it literally.

    plotly.js decodes HTML entities in text it renders, so escaping ``<``, ``>`` and ``&``
    makes a label like ``<script>`` appear as those characters rather than as markup.
    """
    return html.escape(str(value), quote=False)


_SLUG_BAD = re.compile(r"[^a-z0-9_-]+")


def slug(value: object) -> str:
    """A lower-case identifier made of ``[a-z0-9_-]`` (for element ids and file names)."""
    text = _SLUG_BAD.sub("-", str(value).lower()).strip("-")
    return text or "item"


def unique_slugs(values: Iterable[object]) -> list[str]:
    """Slugs for ``values`` made unique by numbered suffixes, in input order."""
    seen: dict[str, int] = {}
    out: list[str] = []
    for value in values:
        base = slug(value)
        name = base
        k = 1
        while name in seen:
            k += 1
            name = f"{base}-{k}"
        seen[name] = 1
        out.append(name)
    return out


def _is_missing(value: object) -> bool:
    if value is None:
        return True
    try:
        return bool(math.isnan(float(value)))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


def fmt_num(value: object, digits: int = 2) -> str:
    """Format a number with ``digits`` decimals; missing values as an en dash."""
    if _is_missing(value):
        return "–"
    return f"{float(value):.{digits}f}"  # type: ignore[arg-type]


def fmt_ci(lo: object, hi: object, digits: int = 2) -> str:
    """Format a confidence interval as ``"lo–hi"`` (en dash); missing bounds as ``"–"``."""
    if _is_missing(lo) and _is_missing(hi):
        return "–"
    return f"{fmt_num(lo, digits)}–{fmt_num(hi, digits)}"


def fmt_p(value: object) -> str:
    """Format a p value: three decimals, ``"<0.001"`` below that, missing as ``"–"``."""
    if _is_missing(value):
        return "–"
    p = float(value)  # type: ignore[arg-type]
    return "<0.001" if p < 0.001 else f"{p:.3f}"
