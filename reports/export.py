"""Static export of figures to PNG, SVG or PDF for papers (optional extra).

Export uses kaleido, which drives a headless Chromium-family browser. Install it with
``pip install "cohort[export]"``; kaleido finds a browser on ``PATH`` (e.g. Debian's
``chromium``) or at the path in the ``BROWSER_PATH`` environment variable. Without
kaleido or a browser, :func:`export_figure` raises :class:`ExportUnavailableError` with
what to install; nothing else in the package needs either.

Example
-------
>>> from reports.export import export_figure              # doctest: +SKIP
>>> export_figure(km_figure(result.km["tokuhashi_revised"]), "km.pdf")  # doctest: +SKIP
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import plotly.graph_objects as go
import plotly.io as pio

from cohort.io import atomic_write

__all__ = ["FORMATS", "ExportUnavailableError", "export_available", "export_figure"]

FORMATS = ("png", "svg", "pdf")


class ExportUnavailableError(RuntimeError):
    """kaleido or a browser for it is missing; the message says what to install."""


def _browser_path() -> str | None:
    try:
        from choreographer.browsers.chromium import Chromium
    except ImportError:  # pragma: no cover - kaleido < 1 does not use choreographer
        return None
    found = Chromium.find_browser(skip_local=False)
    return str(found) if found else None


def export_available() -> tuple[bool, str]:
    """Whether static export can run here, and if not, why."""
    if importlib.util.find_spec("kaleido") is None:
        return False, 'kaleido is not installed: pip install "cohort[export]"'
    if _browser_path() is None:
        return False, ("kaleido found no Chromium-family browser: install one (Debian: "
                       "apt-get install chromium) or set BROWSER_PATH")
    return True, ""


def export_figure(fig: go.Figure, path: str | os.PathLike[str], *, fmt: str | None = None,
                  width: int | None = None, height: int | None = None,
                  scale: float = 1.0) -> Path:
    """Write ``fig`` to ``path`` as PNG, SVG or PDF (atomically: temp file, then rename).

    Parameters
    ----------
    fig
        Any figure from :mod:`reports`.
    path
        Output file; its suffix gives the format unless ``fmt`` is given.
    fmt
        ``"png"``, ``"svg"`` or ``"pdf"``.
    width, height
        Size in pixels (default: the figure's layout size, else 900 x 560).
    scale
        Resolution multiplier for PNG (e.g. 3 for print).

    Returns
    -------
    pathlib.Path
        The written file.

    Raises
    ------
    ValueError
        Unknown format.
    ExportUnavailableError
        kaleido or its browser is missing.
    """
    out = Path(path)
    kind = (fmt or out.suffix.lstrip(".")).lower()
    if kind not in FORMATS:
        raise ValueError(f"export format {kind!r} is not one of {FORMATS}; use a file name "
                         "ending in .png, .svg or .pdf, or pass fmt=")
    ok, why = export_available()
    if not ok:
        raise ExportUnavailableError(why)
    w = width or int(fig.layout.width or 900)
    h = height or int(fig.layout.height or 560)
    try:
        data = pio.to_image(fig, format=kind, width=w, height=h, scale=scale)
    except Exception as exc:  # kaleido/choreographer raise their own types
        raise ExportUnavailableError(f"static export failed ({type(exc).__name__}: {exc}); "
                                     "check that kaleido's browser starts") from exc
    out.parent.mkdir(parents=True, exist_ok=True)
    with atomic_write(out, "wb") as fh:  # readable like any other file (mkstemp gives 0600)
        fh.write(data)
    return out
