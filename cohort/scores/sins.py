"""Spinal Instability Neoplastic Score (SINS; Fisher et al. 2010).

An instability score, not a survival score: higher means more unstable.
"""

from __future__ import annotations

import pandas as pd

from cohort.scores._common import check_inputs, map_points, total_points
from cohort.scores.options import ScoreOptions

__all__ = ["SINS_INPUTS", "SINS_POINTS", "sins", "sins_components"]

#: Points per canonical SINS category (S24, S25, agreeing; S26, S27).
SINS_POINTS: dict[str, dict[str, int]] = {
    # junctional (occiput-C2, C7-T2, T11-L1, L5-S1) 3; mobile (C3-C6, L2-L4) 2;
    # semirigid (T3-T10) 1; rigid (S2-S5) 0
    "sins_location": {"junctional": 3, "mobile": 2, "semirigid": 1, "rigid": 0},
    # mechanical 3; occasional, not mechanical 1; painless 0
    "sins_pain": {"mechanical": 3, "occasional": 1, "none": 0},
    "sins_lesion": {"lytic": 2, "mixed": 1, "blastic": 0},
    # subluxation/translation 4; de novo deformity 2; normal 0
    "sins_alignment": {"subluxation": 4, "deformity": 2, "normal": 0},
    # >50% collapse 3; <50% collapse 2; no collapse, >50% body involved 1; none 0
    "sins_collapse": {"gt50": 3, "lt50": 2, "body_gt50": 1, "none": 0},
    "sins_posterolateral": {"bilateral": 3, "unilateral": 1, "none": 0},
}

SINS_INPUTS: tuple[str, ...] = tuple(SINS_POINTS)


def sins_components(frame: pd.DataFrame, options: ScoreOptions | None = None) -> pd.DataFrame:
    """Item points of SINS (float, NaN where missing); see :func:`sins`.

    ``options`` is accepted for a uniform signature; SINS has no options.
    """
    del options
    check_inputs(frame, SINS_INPUTS)
    items = {
        col.removeprefix("sins_"): map_points(frame[col], pts) for col, pts in SINS_POINTS.items()
    }
    return pd.DataFrame(items, index=frame.index)


def sins(frame: pd.DataFrame, options: ScoreOptions | None = None) -> pd.Series:
    """Spinal Instability Neoplastic Score (0-18, higher is more unstable).

    ==========================  ===============================================  ======
    Component                   Category (canonical label)                       Points
    ==========================  ===============================================  ======
    Location                    junctional (occiput-C2, C7-T2, T11-L1, L5-S1)    3
                                mobile (C3-C6, L2-L4)                            2
                                semirigid (T3-T10)                               1
                                rigid (S2-S5)                                    0
    Pain                        mechanical                                       3
                                occasional, not mechanical                       1
                                painless (``none``)                              0
    Bone lesion                 lytic / mixed / blastic                          2/1/0
    Radiographic alignment      subluxation or translation                       4
                                de novo deformity (kyphosis/scoliosis)           2
                                normal                                           0
    Vertebral body collapse     > 50% (``gt50``) / < 50% (``lt50``) /            3/2/
                                no collapse with > 50% involved (``body_gt50``)  1/
                                none of these (``none``)                         0
    Posterolateral involvement  bilateral / unilateral / none                    3/1/0
    ==========================  ===============================================  ======

    Groups: 0-6 stable, 7-12 potentially unstable (indeterminate), 13-18 unstable;
    7-18 warrants surgical referral (S24, S25). As a survival predictor its
    c-statistic for 1-year survival was 0.54 (Schoenfeld 2022, S16 [V]): it is reported
    and measured like the survival scores but labelled an instability score.

    Parameters
    ----------
    frame
        Canonical cohort frame with the six ``sins_*`` columns.
    options
        Unused (uniform signature).

    Returns
    -------
    pandas.Series
        ``Int64``, NA where any component is missing.

    Notes
    -----
    Evidence: [S] (S24 pacs.de and S25 cancercalc agree; S26 cliot, S27 Fourney 2011 as
    reproduced by spinemd). The pain item printed by S2 (3/2/1) is wrong and not used.

    References
    ----------
    .. [1] Fisher CG, DiPaola CP, Ryken TC, et al. A novel classification system for
       spinal instability in neoplastic disease: an evidence-based approach and expert
       consensus from the Spine Oncology Study Group. Spine 2010;35(22):E1221-9.
    .. [2] Fourney DR, Frangou EM, Ryken TC, et al. Spinal instability neoplastic score:
       an analysis of reliability and validity from the Spine Oncology Study Group.
       J Clin Oncol 2011;29(22):3072-7 (S27).
    """
    return total_points(sins_components(frame, options), "sins")
