"""Plotly figures and self-contained HTML reports of validation results.

Figures are pure functions of the result frames (no files, clock or randomness):
:func:`km_figure`, :func:`forest_figure`, :func:`calibration_figure`,
:func:`td_auc_figure`, :func:`c_index_figure`, :func:`score_distribution_figure`,
:func:`group_composition_figure`, :func:`targets_figure`; :func:`table_one` builds
Table 1. :func:`build_html` assembles the page and :func:`build_report` writes a report
directory. Static export is in :mod:`reports.export` (optional ``export`` extra).
"""

from __future__ import annotations

from reports.build import build_report, default_report, write_report_html
from reports.figures import (
    c_index_figure,
    calibration_figure,
    forest_figure,
    group_composition_figure,
    score_distribution_figure,
    targets_figure,
    td_auc_figure,
)
from reports.html import ReportOptions, build_html
from reports.km import km_figure
from reports.table_one import table_one

__all__ = [
    "ReportOptions",
    "build_html",
    "build_report",
    "c_index_figure",
    "calibration_figure",
    "default_report",
    "forest_figure",
    "group_composition_figure",
    "km_figure",
    "score_distribution_figure",
    "table_one",
    "targets_figure",
    "td_auc_figure",
    "write_report_html",
]
