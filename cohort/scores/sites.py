"""Primary-site points of every score that has a primary-site item.

The canonical ``primary_site`` vocabulary (:data:`cohort.schema.PRIMARY_SITES`) is
finer than some published site lists. Each (item, site) placement below carries its
basis:

``published``
    The site is named in the published definition (source given).
``catch-all``
    The definition has an "others" category and does not name the site, so the
    published catch-all applies.
``assumption``
    The published definition does not place the site (no catch-all). The choice and
    its reason are recorded here; override it with
    ``ScoreOptions(site_overrides={"tomita": {"melanoma": 2}})``.

Items (keys of ``ScoreOptions.site_overrides``) and their allowed points:

- ``tokuhashi_revised``: primary site item of the revised Tokuhashi score, 0-5.
- ``tokuhashi_original``: primary site item of the 1990 Tokuhashi score, 0-2.
- ``tomita``: primary tumour growth of the Tomita score, 1 (slow), 2 (moderate),
  4 (rapid).
- ``bauer_histology``: the "breast, kidney, lymphoma or multiple myeloma" item of the
  Bauer scores, 0 or 1 (the separate "not lung" item is fixed by definition).
- ``van_der_linden``: primary tumour item of the van der Linden score, 0-3.

Assumptions made (all configurable)
-----------------------------------
revised Tokuhashi
    ``sarcoma`` -> 0. The definition scores *osteosarcoma* 0 (Tokuhashi 2005, S1-S3);
    the vocabulary has one ``sarcoma`` label, and spinal metastases of sarcoma are
    mostly from osteosarcoma and other high-grade sarcomas. A cohort of low-grade
    sarcomas may prefer the "others" value 2.
Tomita (growth: slow 1, moderate 2, rapid 4; published examples only cover breast,
prostate, thyroid / kidney, uterus / lung, liver, stomach, colon, unknown primary)
    ``esophagus``, ``pancreas``, ``bladder`` -> 4 (rapid): scored 0 (worst) in revised
    Tokuhashi and grouped with the "high-grade" primaries in Zeng 2007 (S11).
    ``rectum`` -> 4 (rapid): same (colorectal adenocarcinoma) histology as colon,
    which Tomita lists as rapid, although revised Tokuhashi scores rectum 4 of 5.
    ``gallbladder`` -> 4 (rapid): hepatobiliary like liver (rapid); revised Tokuhashi
    scores it with liver.
    ``sarcoma`` -> 4 (rapid): scored with the worst group (osteosarcoma 0) in revised
    Tokuhashi.
    ``melanoma`` -> 4 (rapid): clinical judgement, melanoma with bone metastases runs
    a short course; no published placement found in the sources consulted.
    ``carcinoid`` -> 1 (slow): scored with breast, prostate and thyroid (5) in revised
    Tokuhashi.
    ``ovary`` -> 2 (moderate): grouped with kidney and uterus as "medium" primaries in
    Zeng 2007 (S11); uterus is moderate in Tomita.
    ``lymphoma``, ``myeloma`` -> 2 (moderate): lymphoma is a "medium" primary in Zeng
    2007 (S11); myeloma placed with lymphoma (both favourable in Bauer).
    ``head_neck``, ``other`` -> 2 (moderate): no evidence either way; the middle
    category, matching their "others" (2 of 0-5) placement in revised Tokuhashi.
van der Linden KPS 10 (not a site; see :mod:`cohort.scores.van_der_linden`).

References
----------
Tokuhashi Y et al. Spine 2005;30:2186-91 (S1 NICE CG75 reproduction [V]; S2, S3 [S]).
Tokuhashi Y et al. Spine 1990;15:1110-3, as reproduced by medicalalgorithms (S6 [S]).
Tomita K et al. Spine 2001;26:298-306, as reproduced by Adler et al., J Cancer
Metastasis Treat 2019;5:45 (S14 [S]) and a calculator audit (S7 [S]).
Leithner A et al. Eur Spine J 2008;17:1488-95 (S20 [V]; item list S19 [S]).
van der Linden YM et al. Cancer 2005;103(2):320-8 (item list S33 [S]).
Zeng J-C et al. 2007 (S11 [V abstract]) for the primary-grade groupings cited above.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from cohort.schema import PRIMARY_SITES

__all__ = [
    "SITE_ITEMS",
    "SITE_ITEM_POINTS",
    "SITE_PLACEMENTS",
    "SitePlacement",
    "site_assumptions",
    "site_points_table",
]


@dataclass(frozen=True)
class SitePlacement:
    """Points of one primary site for one score item, with the basis of the placement."""

    points: int
    basis: str  # "published" | "catch-all" | "assumption"
    note: str


def _pub(points: int, note: str) -> SitePlacement:
    return SitePlacement(points, "published", note)


def _others(points: int, note: str) -> SitePlacement:
    return SitePlacement(points, "catch-all", note)


def _assume(points: int, note: str) -> SitePlacement:
    return SitePlacement(points, "assumption", note)


_T05 = "Tokuhashi 2005 (Spine 30:2186), S1-S3"
_T90 = "Tokuhashi 1990 as reproduced in S6 [S]"
_TOM = "Tomita 2001 (Spine 26:298) as reproduced in S14/S7 [S]"
_BAU = "Leithner 2008 (Eur Spine J 17:1488), item list S19 [S]"
_VDL = "van der Linden 2005, item list S33 [S]"

_TOKUHASHI_REVISED: dict[str, SitePlacement] = {
    "lung": _pub(0, _T05), "stomach": _pub(0, _T05), "esophagus": _pub(0, _T05),
    "pancreas": _pub(0, _T05), "bladder": _pub(0, _T05),
    "sarcoma": _assume(0, "the definition scores osteosarcoma 0; 'sarcoma' is taken as "
                          "osteosarcoma (high-grade); low-grade sarcoma would be 'others' 2"),
    "liver": _pub(1, _T05), "gallbladder": _pub(1, _T05),
    "unknown": _pub(1, _T05 + " (unidentified)"),
    "kidney": _pub(3, _T05), "uterus": _pub(3, _T05),
    "rectum": _pub(4, _T05),
    "thyroid": _pub(5, _T05), "breast": _pub(5, _T05), "prostate": _pub(5, _T05),
    "carcinoid": _pub(5, _T05),
    "colon": _others(2, _T05 + " 'others' (only rectum is listed with 4)"),
    "ovary": _others(2, _T05 + " 'others'"), "melanoma": _others(2, _T05 + " 'others'"),
    "lymphoma": _others(2, _T05 + " 'others'"), "myeloma": _others(2, _T05 + " 'others'"),
    "head_neck": _others(2, _T05 + " 'others'"), "other": _others(2, _T05 + " 'others'"),
}  # fmt: skip

_TOKUHASHI_ORIGINAL: dict[str, SitePlacement] = {
    "lung": _pub(0, _T90), "stomach": _pub(0, _T90),
    "kidney": _pub(1, _T90), "liver": _pub(1, _T90), "uterus": _pub(1, _T90),
    "unknown": _pub(1, _T90 + " (unidentified; Enkaoua proposed 0, S6)"),
    "thyroid": _pub(2, _T90), "prostate": _pub(2, _T90), "breast": _pub(2, _T90),
    "rectum": _pub(2, _T90),
    **{s: _others(1, _T90 + " 'other'") for s in (
        "esophagus", "pancreas", "bladder", "sarcoma", "gallbladder", "colon", "ovary",
        "melanoma", "lymphoma", "myeloma", "carcinoid", "head_neck", "other")},
}  # fmt: skip

_ZENG_HIGH = "Zeng 2007 (S11) 'high-grade' primary; revised Tokuhashi scores it 0 (worst)"
_TOMITA: dict[str, SitePlacement] = {
    "breast": _pub(1, _TOM), "prostate": _pub(1, _TOM), "thyroid": _pub(1, _TOM),
    "kidney": _pub(2, _TOM), "uterus": _pub(2, _TOM),
    "lung": _pub(4, _TOM), "liver": _pub(4, _TOM), "stomach": _pub(4, _TOM),
    "colon": _pub(4, _TOM), "unknown": _pub(4, _TOM + " (unknown primary)"),
    "esophagus": _assume(4, "rapid: " + _ZENG_HIGH),
    "pancreas": _assume(4, "rapid: " + _ZENG_HIGH),
    "bladder": _assume(4, "rapid: " + _ZENG_HIGH),
    "rectum": _assume(4, "rapid: colorectal adenocarcinoma like colon (listed rapid), "
                         "although revised Tokuhashi scores rectum 4 of 5"),
    "gallbladder": _assume(4, "rapid: hepatobiliary like liver (listed rapid); revised "
                              "Tokuhashi scores it with liver"),
    "sarcoma": _assume(4, "rapid: revised Tokuhashi scores osteosarcoma 0 (worst)"),
    "melanoma": _assume(4, "rapid: clinical judgement (short course with bone metastases); "
                           "no published placement found in the sources consulted"),
    "carcinoid": _assume(1, "slow: revised Tokuhashi scores carcinoid with breast, "
                            "prostate and thyroid (5)"),
    "ovary": _assume(2, "moderate: Zeng 2007 (S11) 'medium' primary with kidney and "
                        "uterus (uterus is moderate in Tomita)"),
    "lymphoma": _assume(2, "moderate: Zeng 2007 (S11) 'medium' primary"),
    "myeloma": _assume(2, "moderate: placed with lymphoma (both favourable in Bauer)"),
    "head_neck": _assume(2, "moderate: no evidence either way; middle category, as its "
                            "'others' placement (2 of 0-5) in revised Tokuhashi"),
    "other": _assume(2, "moderate: no evidence either way; middle category, as its "
                        "'others' placement (2 of 0-5) in revised Tokuhashi"),
}  # fmt: skip

_BAUER_HISTOLOGY: dict[str, SitePlacement] = {
    **{s: _pub(1, _BAU) for s in ("breast", "kidney", "lymphoma", "myeloma")},
    **{s: _others(0, _BAU + " (not breast, kidney, lymphoma or myeloma)")
       for s in PRIMARY_SITES if s not in ("breast", "kidney", "lymphoma", "myeloma")},
}  # fmt: skip

_VAN_DER_LINDEN: dict[str, SitePlacement] = {
    "breast": _pub(3, _VDL), "prostate": _pub(2, _VDL), "lung": _pub(1, _VDL),
    **{s: _others(0, _VDL + " 'other'")
       for s in PRIMARY_SITES if s not in ("breast", "prostate", "lung")},
}  # fmt: skip

#: item -> site -> placement (defaults, before ``ScoreOptions.site_overrides``).
SITE_PLACEMENTS: dict[str, dict[str, SitePlacement]] = {
    "tokuhashi_revised": _TOKUHASHI_REVISED,
    "tokuhashi_original": _TOKUHASHI_ORIGINAL,
    "tomita": _TOMITA,
    "bauer_histology": _BAUER_HISTOLOGY,
    "van_der_linden": _VAN_DER_LINDEN,
}

#: Items that have primary-site points (the keys of ``ScoreOptions.site_overrides``).
SITE_ITEMS: tuple[str, ...] = tuple(SITE_PLACEMENTS)

#: Points an item may take (an override outside this set is an error).
SITE_ITEM_POINTS: dict[str, tuple[int, ...]] = {
    "tokuhashi_revised": (0, 1, 2, 3, 4, 5),
    "tokuhashi_original": (0, 1, 2),
    "tomita": (1, 2, 4),
    "bauer_histology": (0, 1),
    "van_der_linden": (0, 1, 2, 3),
}


def site_points_table(overrides: Mapping[str, Mapping[str, int]] | None = None) -> pd.DataFrame:
    """The site -> points table of every item, with overrides applied.

    Returns
    -------
    pandas.DataFrame
        Index: the primary-site vocabulary; columns: :data:`SITE_ITEMS`.
    """
    overrides = overrides or {}
    data = {
        item: [int(overrides.get(item, {}).get(site, placements[site].points))
               for site in PRIMARY_SITES]
        for item, placements in SITE_PLACEMENTS.items()
    }
    return pd.DataFrame(data, index=pd.Index(PRIMARY_SITES, name="primary_site"))


def site_assumptions() -> pd.DataFrame:
    """Every default placement that is an assumption, with its reason.

    Returns
    -------
    pandas.DataFrame
        Columns ``item, site, points, reason`` (for reports and documentation).
    """
    rows = [
        {"item": item, "site": site, "points": p.points, "reason": p.note}
        for item, placements in SITE_PLACEMENTS.items()
        for site, p in placements.items()
        if p.basis == "assumption"
    ]
    return pd.DataFrame(rows, columns=["item", "site", "points", "reason"])

