"""Modified (Leithner 2008) and original (Bauer 1995) Bauer scores.

One point per favourable factor; higher is better.
"""

from __future__ import annotations

import pandas as pd

from cohort.scores._common import check_inputs, map_points, solitary_bone_metastasis, total_points
from cohort.scores.options import ScoreOptions

__all__ = [
    "BAUER_MODIFIED_INPUTS",
    "BAUER_ORIGINAL_INPUTS",
    "bauer_modified",
    "bauer_modified_components",
    "bauer_original",
    "bauer_original_components",
]

BAUER_MODIFIED_INPUTS: tuple[str, ...] = (
    "visceral_mets", "primary_site", "vertebral_mets", "extraspinal_bone_mets",
)  # fmt: skip
BAUER_ORIGINAL_INPUTS: tuple[str, ...] = (*BAUER_MODIFIED_INPUTS, "pathologic_fracture")

# "No visceral metastases" earns 1 point (S19 [S]; Bauer 1995 via S8); removable and
# unremovable organ metastases are both visceral metastases, so both earn 0.
_NO_VISCERAL = {"none": 1, "removable": 0, "unremovable": 0}


def bauer_modified_components(
    frame: pd.DataFrame, options: ScoreOptions | None = None
) -> pd.DataFrame:
    """Item points of the modified Bauer score (float, NaN where missing).

    See :func:`bauer_modified`.
    """
    options = options or ScoreOptions()
    check_inputs(frame, BAUER_MODIFIED_INPUTS)
    site = frame["primary_site"]
    return pd.DataFrame(
        {
            "no_visceral_mets": map_points(frame["visceral_mets"], _NO_VISCERAL),
            "not_lung": site.ne("lung").astype(float).where(site.notna()),
            "favourable_histology": map_points(site, options.site_points("bauer_histology")),
            "solitary_skeletal_met": solitary_bone_metastasis(frame),
        },
        index=frame.index,
    )


def bauer_modified(frame: pd.DataFrame, options: ScoreOptions | None = None) -> pd.Series:
    """Modified Bauer score (0-4, higher is better).

    One point for each favourable factor:

    - no visceral metastases (``visceral_mets == "none"``);
    - primary tumour is not lung cancer;
    - primary tumour is breast, kidney, lymphoma or multiple myeloma;
    - one solitary skeletal metastasis (exactly one bone lesion in total:
      ``vertebral_mets == 1`` and ``extraspinal_bone_mets == 0``).

    Groups (S19): 0-1 supportive care, no surgery; 2 short-term palliation, posterior
    surgery; 3-4 middle-term local control, anterior-posterior surgery. Group median
    survivals: NOT FOUND.

    Parameters
    ----------
    frame
        Canonical cohort frame.
    options
        :class:`ScoreOptions` (``site_overrides["bauer_histology"]``).

    Returns
    -------
    pandas.Series
        ``Int64``, NA where any input is missing.

    Notes
    -----
    Evidence: item list [S] (dss.dign.eu, S19); that it is the original Bauer score
    without the pathologic-fracture item [V] (Leithner 2008 abstract, S20).

    References
    ----------
    .. [1] Leithner A, Radl R, Gruber G, et al. Predictive value of seven preoperative
       prognostic scoring systems for spinal metastases. Eur Spine J
       2008;17(11):1488-95.
    .. [2] dss.dign.eu, "Modified Bauer score" (S19).
    """
    return total_points(bauer_modified_components(frame, options), "bauer_modified")


def bauer_original_components(
    frame: pd.DataFrame, options: ScoreOptions | None = None
) -> pd.DataFrame:
    """Item points of the original Bauer score (float, NaN where missing).

    See :func:`bauer_original`.
    """
    check_inputs(frame, BAUER_ORIGINAL_INPUTS)
    components = bauer_modified_components(frame, options)
    components["no_pathologic_fracture"] = map_points(
        frame["pathologic_fracture"], {True: 0, False: 1}
    )
    return components


def bauer_original(frame: pd.DataFrame, options: ScoreOptions | None = None) -> pd.Series:
    """Original Bauer score (0-5, higher is better).

    The four modified-Bauer items (:func:`bauer_modified`) plus one point for *no
    pathologic fracture* (``pathologic_fracture == False``).

    Groups 0-1, 2-3, 4-5 are an assumption: the cut points are not in the sources
    consulted (the grouping commonly used when the original score is validated); no
    survival is attached to them.

    Parameters
    ----------
    frame
        Canonical cohort frame with ``pathologic_fracture``.
    options
        :class:`ScoreOptions` (``site_overrides["bauer_histology"]``).

    Returns
    -------
    pandas.Series
        ``Int64``, NA where any input is missing.

    Notes
    -----
    Evidence: the fifth item and the 0-5 range [S] (Bollen thesis, S8); Leithner 2008
    [V] (S20) describes the modified score as the original without the fracture item.

    References
    ----------
    .. [1] Bauer HC, Wedin R. Survival after surgery for spinal and extremity
       metastases. Prognostication in 241 patients. Acta Orthop Scand
       1995;66(2):143-6 (88 spinal and 153 extremity patients, S8 [S]).
    .. [2] Leithner A et al. Eur Spine J 2008;17(11):1488-95 (S20).
    """
    return total_points(bauer_original_components(frame, options), "bauer_original")
