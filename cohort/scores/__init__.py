"""Published prognostic scores for spinal metastases, computed over a cohort frame.

Scores (column names): ``tokuhashi_revised``, ``tokuhashi_original``, ``tomita``,
``bauer_modified``, ``bauer_original``, ``van_der_linden``, ``sins``. Each is
registered in :data:`REGISTRY` with its range, groups, direction, inputs and reference;
:func:`compute_scores` computes them vectorised, and a missing input makes the score
missing for that row with the reason recorded (never guessed).

Primary-site placements and the assumptions for sites a definition does not place are
in :mod:`cohort.scores.sites`; change them with ``ScoreOptions(site_overrides=...)``.
"""

from __future__ import annotations

from cohort.scores.bauer import bauer_modified, bauer_original
from cohort.scores.compute import (
    ScoreResult,
    add_scores,
    assign_groups,
    compute_scores,
    missing_reasons,
    score_components,
)
from cohort.scores.options import VERTEBRAL_OPTIONS, ScoreOptions, load_score_options
from cohort.scores.registry import REGISTRY, ScoreDefinition, ScoreGroup
from cohort.scores.sins import sins
from cohort.scores.sites import SITE_ITEMS, site_assumptions, site_points_table
from cohort.scores.tokuhashi import tokuhashi_original, tokuhashi_revised
from cohort.scores.tomita import tomita
from cohort.scores.van_der_linden import van_der_linden

__all__ = [
    "REGISTRY",
    "SITE_ITEMS",
    "VERTEBRAL_OPTIONS",
    "ScoreDefinition",
    "ScoreGroup",
    "ScoreOptions",
    "ScoreResult",
    "add_scores",
    "assign_groups",
    "bauer_modified",
    "bauer_original",
    "compute_scores",
    "load_score_options",
    "missing_reasons",
    "score_components",
    "sins",
    "site_assumptions",
    "site_points_table",
    "tokuhashi_original",
    "tokuhashi_revised",
    "tomita",
    "van_der_linden",
]
