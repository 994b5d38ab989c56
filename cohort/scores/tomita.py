"""Tomita score (2001): growth of the primary tumour, visceral and bone metastases.

Higher is worse (shorter predicted survival).
"""

from __future__ import annotations

import pandas as pd

from cohort.scores._common import check_inputs, map_points, solitary_bone_metastasis, total_points
from cohort.scores.options import ScoreOptions

__all__ = ["TOMITA_INPUTS", "tomita", "tomita_components"]

TOMITA_INPUTS: tuple[str, ...] = (
    "primary_site", "visceral_mets", "vertebral_mets", "extraspinal_bone_mets",
)  # fmt: skip

# Visceral metastases: none 0, treatable 2, untreatable 4 (S14, S7). Assumption: the
# canonical schema records resectability (the Tokuhashi wording), not treatability, so
# "removable" is read as "treatable" and "unremovable" as "untreatable" (a cohort that
# records treatability should code its treatable organ metastases as "removable").
_VISCERAL = {"none": 0, "removable": 2, "unremovable": 4}


def tomita_components(frame: pd.DataFrame, options: ScoreOptions | None = None) -> pd.DataFrame:
    """Item points of the Tomita score (float, NaN where missing); see :func:`tomita`."""
    options = options or ScoreOptions()
    check_inputs(frame, TOMITA_INPUTS)
    solitary = solitary_bone_metastasis(frame)
    return pd.DataFrame(
        {
            "primary_growth": map_points(frame["primary_site"], options.site_points("tomita")),
            "visceral_mets": map_points(frame["visceral_mets"], _VISCERAL),
            # solitary 1, multiple 2
            "bone_mets": 2.0 - solitary,
        },
        index=frame.index,
    )


def tomita(frame: pd.DataFrame, options: ScoreOptions | None = None) -> pd.Series:
    """Tomita score (2-10, higher is worse).

    ============================  ==========================================  ======
    Item                          Category                                    Points
    ============================  ==========================================  ======
    Growth of the primary tumour  slow (breast, prostate, thyroid)            1
                                  moderate (kidney, uterus)                   2
                                  rapid (lung, liver, stomach, colon,         4
                                  unknown primary)
    Visceral metastases           none / treatable (``removable``) /          0/2/4
                                  untreatable (``unremovable``)
    Bone metastases               solitary / multiple                         1/2
    ============================  ==========================================  ======

    Bone metastases count spinal and extraspinal lesions together (S8): solitary means
    exactly one bone lesion in total (``vertebral_mets == 1`` and
    ``extraspinal_bone_mets == 0``); anything else is multiple. Growth placements of
    sites the published examples do not name are assumptions listed in
    :mod:`cohort.scores.sites` (``site_overrides["tomita"]``). Reading ``removable``
    as treatable and ``unremovable`` as untreatable is an assumption (the schema records
    resectability); code treatable organ metastases as ``removable``.

    Groups (S14, Table 8): 2-3 mean survival 50 months (long-term local control, wide or
    marginal excision); 4-5 23.5 months (marginal or intralesional excision); 6-7 15
    months (palliative surgery); 8-10 6 months (terminal care, supportive).

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
    Evidence: [S]; the primary paper was NOT FOUND, values from Adler et al. 2019 (S14)
    and a calculator audit (S7). CONFLICT on rapid growth: S14 prints 3 points, S7 and
    the published range 2-10 imply 4; 4 is used (with 3 the maximum would be 9).

    References
    ----------
    .. [1] Tomita K, Kawahara N, Kobayashi T, Yoshida A, Murakami H, Akamaru T. Surgical
       strategy for spinal metastases. Spine 2001;26(3):298-306.
    .. [2] Adler et al. J Cancer Metastasis Treat 2019;5:45, Tables 7-8 (S14).
    """
    return total_points(tomita_components(frame, options), "tomita")
