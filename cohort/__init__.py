"""cohort: cohort analytics and survival modelling of spinal metastases.

The core package. It imports neither :mod:`synthetic` nor :mod:`reports`, and never
plotly; heavy submodules are imported on first use.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("cohort")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

__all__ = ["__version__"]
