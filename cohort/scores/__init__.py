"""Published prognostic scores for spinal metastases, computed over a cohort frame.

Scores (column names): ``tokuhashi_revised``, ``tokuhashi_original``, ``tomita``,
``bauer_modified``, ``bauer_original``, ``van_der_linden``, ``sins``. Each is
registered in :data:`REGISTRY` with its range, groups, direction, inputs and reference;
:func:`compute_scores` computes them vectorised, and a missing input makes the score
missing for that row with the reason recorded (never guessed).

The missing-input rule is strict: a score is missing whenever any of its input columns
is missing for the row, even where the known inputs already fix the item or the group
(e.g. ``vertebral_mets`` 3 makes the Tomita bone item "multiple" whatever
``extraspinal_bone_mets`` is). Reason: one rule a reader can check from the input
alone, with no per-score case analysis that could silently score a patient on partial
information; the rows left out are counted and listed with their reasons.

Primary-site placements and the assumptions for sites a definition does not place are
in :mod:`cohort.scores.sites`; change them with ``ScoreOptions(site_overrides=...)``.

Sources cited by key in this package
------------------------------------
Evidence labels: [V] read in the primary paper's abstract or text or an official
reproduction; [S] read only in a secondary reproduction; NOT FOUND: no accessible
source showed the value; CONFLICT: sources disagree (the choice is documented).

- S1: NICE CG75 (2008), Appendix 3, Table 2, reproduction of Tokuhashi 2005 "with
  corrections ... with permission from Y. Tokuhashi".
- S2: Neurosurgery notes, "Prognostication - metastatic spinal tumour" (secondary; its
  revised Tokuhashi survival column and SINS pain item are wrong and not used).
- S3: cliot R package documentation, ``revised_tokuhashi_score``.
- S4: Tokuhashi Y et al. Spine 2005;30:2186-91, abstract.
- S6: Medical Algorithms, "Prognostic scoring system of Tokuhashi et al" (1990 version).
- S7: a public spine-score calculator's content audit (secondary).
- S8: Bollen L, PhD thesis "Predicting survival in patients with spinal bone
  metastases", p.95.
- S11: Zeng J-C et al. 2007, predictive value of the revised Tokuhashi score (447
  patients).
- S14: Adler et al. J Cancer Metastasis Treat 2019;5:45, Tables 7-8 (Tomita).
- S16: Schoenfeld AJ et al. Spine J 2022;22:39-48.
- S19: dss.dign.eu, "Modified Bauer score".
- S20: Leithner A et al. Eur Spine J 2008;17:1488-95.
- S24, S25, S26, S27: SINS tables of pacs.de, cancercalc, cliot ``sins_spine_score``,
  and Fourney et al. J Clin Oncol 2011;29:3072 as reproduced by spinemd.
- S33: Medical Algorithms, van der Linden score.
- S44: Zoccali C et al. Eur Spine J 2016, "The Tokuhashi score: effectiveness and
  pitfalls" (accuracy by revised Tokuhashi group: < 6, 6-12, > 12 months).
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
from cohort.scores.options import (
    VAN_DER_LINDEN_KPS10_OPTIONS,
    VERTEBRAL_OPTIONS,
    ScoreOptions,
    describe_score_options,
    load_score_options,
    score_options_from,
)
from cohort.scores.registry import REGISTRY, ScoreDefinition, ScoreGroup
from cohort.scores.sins import sins
from cohort.scores.sites import SITE_ITEMS, site_assumptions, site_points_table
from cohort.scores.tokuhashi import tokuhashi_original, tokuhashi_revised
from cohort.scores.tomita import tomita
from cohort.scores.van_der_linden import van_der_linden

__all__ = [
    "REGISTRY",
    "SITE_ITEMS",
    "VAN_DER_LINDEN_KPS10_OPTIONS",
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
    "describe_score_options",
    "load_score_options",
    "missing_reasons",
    "score_components",
    "score_options_from",
    "sins",
    "site_assumptions",
    "site_points_table",
    "tokuhashi_original",
    "tokuhashi_revised",
    "tomita",
    "van_der_linden",
]
