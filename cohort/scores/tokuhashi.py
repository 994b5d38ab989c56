"""Revised (2005) and original (1990) Tokuhashi scores.

Both scores add six items; higher is better (longer predicted survival).
"""

from __future__ import annotations

import pandas as pd

from cohort.scores._common import (
    band_points,
    check_inputs,
    kps_band_points,
    map_points,
    total_points,
)
from cohort.scores.options import ScoreOptions

__all__ = [
    "TOKUHASHI_INPUTS",
    "tokuhashi_original",
    "tokuhashi_original_components",
    "tokuhashi_revised",
    "tokuhashi_revised_components",
]

#: Canonical input columns of both Tokuhashi scores (order = order of the items).
TOKUHASHI_INPUTS: tuple[str, ...] = (
    "kps", "extraspinal_bone_mets", "vertebral_mets", "visceral_mets", "primary_site",
    "frankel",
)  # fmt: skip

# Extraspinal bone-metastasis foci: >=3 -> 0, 1-2 -> 1, 0 -> 2 (S1, S2, S3; S6 for 1990).
_EXTRASPINAL_BANDS = ((3, 0), (1, 1), (0, 2))
# Vertebral-body metastases: printed two ways (CONFLICT), see ScoreOptions.
_VERTEBRAL_BANDS = {
    "321": ((3, 0), (2, 1), (1, 2)),  # S2, S3, S6: >=3 / 2 / 1 -> 0 / 1 / 2 (default)
    "3-12-0": ((3, 0), (1, 1), (0, 2)),  # S7 audit of two reproductions: >=3 / 1-2 / 0
}
# Metastases to the major internal organs: unremovable 0, removable 1, none 2 (S1-S3, S6).
_VISCERAL = {"unremovable": 0, "removable": 1, "none": 2}
# Palsy: Frankel A, B (complete) 0; C, D (incomplete) 1; E (none) 2 (S1-S3, S6).
_PALSY = {"A": 0, "B": 0, "C": 1, "D": 1, "E": 2}


def _components(frame: pd.DataFrame, site_item: str, options: ScoreOptions) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "general_condition": kps_band_points(frame["kps"]),
            "extraspinal_bone_mets": band_points(
                frame["extraspinal_bone_mets"], _EXTRASPINAL_BANDS
            ),
            "vertebral_mets": band_points(
                frame["vertebral_mets"], _VERTEBRAL_BANDS[options.vertebral_option]
            ),
            "visceral_mets": map_points(frame["visceral_mets"], _VISCERAL),
            "primary_site": map_points(frame["primary_site"], options.site_points(site_item)),
            "palsy": map_points(frame["frankel"], _PALSY),
        },
        index=frame.index,
    )


def tokuhashi_revised_components(
    frame: pd.DataFrame, options: ScoreOptions | None = None
) -> pd.DataFrame:
    """Item points of the revised Tokuhashi score (float, NaN where the input is missing).

    See :func:`tokuhashi_revised` for the definition.
    """
    options = options or ScoreOptions()
    check_inputs(frame, TOKUHASHI_INPUTS)
    return _components(frame, "tokuhashi_revised", options)


def tokuhashi_revised(frame: pd.DataFrame, options: ScoreOptions | None = None) -> pd.Series:
    """Revised Tokuhashi score (0-15, higher is better).

    ============================================  ===========================  ======
    Item                                          Category                     Points
    ============================================  ===========================  ======
    General condition (KPS)                       10-40 / 50-70 / 80-100       0/1/2
    Extraspinal bone-metastasis foci              >=3 / 1-2 / 0                0/1/2
    Metastases in the vertebral body              >=3 / 2 / 1 (option "321")   0/1/2
                                                  >=3 / 1-2 / 0 ("3-12-0")     0/1/2
    Metastases to the major internal organs       unremovable / removable /    0/1/2
                                                  none
    Primary site                                  lung, osteosarcoma, stomach, 0
                                                  bladder, esophagus, pancreas
                                                  liver, gallbladder, unknown  1
                                                  others                       2
                                                  kidney, uterus               3
                                                  rectum                       4
                                                  thyroid, breast, prostate,   5
                                                  carcinoid
    Palsy                                         Frankel A-B / C-D / E        0/1/2
    ============================================  ===========================  ======

    Groups: 0-8 predicted survival < 6 months, 9-11 >= 6 months, 12-15 >= 12 months.
    Site placements and assumptions: :mod:`cohort.scores.sites`.

    Parameters
    ----------
    frame
        Canonical cohort frame (:func:`cohort.schema.validate_cohort` output).
    options
        :class:`ScoreOptions` (vertebral-body coding, site overrides).

    Returns
    -------
    pandas.Series
        ``Int64``, NA where any input is missing.

    Notes
    -----
    Evidence: items [V] in the NICE CG75 reproduction "with corrections ... with
    permission from Y. Tokuhashi" (S1) and [S] in S2/S3; the rows "extraspinal 0",
    "others" and "rectum" come from S2/S3 only. The vertebral-body item is a CONFLICT
    between reproductions: >=3/2/1 -> 0/1/2 is the default (most reproductions),
    >=3/1-2/0 -> 0/1/2 is available as ``vertebral_option="3-12-0"``.

    References
    ----------
    .. [1] Tokuhashi Y, Matsuzaki H, Oda H, Oshima M, Ryu J. A revised scoring system
       for preoperative evaluation of metastatic spine tumor prognosis. Spine
       2005;30(19):2186-91. PMID 16205345.
    .. [2] NICE CG75 (2008), Appendix 3, Table 2 (reproduction of [1]).
    """
    return total_points(tokuhashi_revised_components(frame, options), "tokuhashi_revised")


def tokuhashi_original_components(
    frame: pd.DataFrame, options: ScoreOptions | None = None
) -> pd.DataFrame:
    """Item points of the original (1990) Tokuhashi score (float, NaN where missing).

    See :func:`tokuhashi_original` for the definition.
    """
    options = options or ScoreOptions()
    check_inputs(frame, TOKUHASHI_INPUTS)
    # The 1990 vertebral item is always >=3 / 2 / 1 -> 0 / 1 / 2 (S6); the option
    # belongs to the 2005 version only.
    return _components(frame, "tokuhashi_original", ScoreOptions(
        vertebral_option="321", site_overrides=options.site_overrides))


def tokuhashi_original(frame: pd.DataFrame, options: ScoreOptions | None = None) -> pd.Series:
    """Original (1990) Tokuhashi score (0-12, higher is better).

    =======================================  ==========================================  ======
    Item                                     Category                                    Points
    =======================================  ==========================================  ======
    General condition (KPS)                  10-40 / 50-70 / 80-100                      0/1/2
    Extraspinal bone metastases              >=3 / 1-2 / 0                               0/1/2
    Vertebral-body metastases                >=3 / 2 / 1                                 0/1/2
    Metastases to the major internal organs  unresectable / resectable / none            0/1/2
    Primary site                             lung, stomach                               0
                                             kidney, liver, uterus, other, unidentified  1
                                             thyroid, prostate, breast, rectum           2
    Palsy                                    Frankel A-B / C-D / E                       0/1/2
    =======================================  ==========================================  ======

    Groups (S6): 0-5 usually <= 3 months; 6-8 variable, most < 6 months; 9-12
    >= 12 months. ``options.vertebral_option`` does not apply (1990 coding is fixed);
    ``options.site_overrides["tokuhashi_original"]`` does.

    Parameters
    ----------
    frame
        Canonical cohort frame.
    options
        :class:`ScoreOptions` (site overrides).

    Returns
    -------
    pandas.Series
        ``Int64``, NA where any input is missing.

    Notes
    -----
    Evidence: [S], read only in the medicalalgorithms reproduction (S6).

    References
    ----------
    .. [1] Tokuhashi Y, Matsuzaki H, Toriyama S, Kawano H, Ohsaka S. Scoring system for
       the preoperative evaluation of metastatic spine tumor prognosis. Spine
       1990;15(11):1110-3.
    .. [2] Medical Algorithms, "Prognostic scoring system of Tokuhashi et al" (S6).
    """
    return total_points(tokuhashi_original_components(frame, options), "tokuhashi_original")
