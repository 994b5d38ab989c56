"""Vectorised revised Tokuhashi score on the generator's integer codes.

The calibration solver and the treatment teaching switch need the revised Tokuhashi
score of hundreds of thousands of simulated patients before any DataFrame exists.
This is a numpy transcription of :func:`cohort.scores.compute_scores` for that use
only (default vertebral option ">=3/2/1 -> 0/1/2"); ``tests/test_synthetic_model.py``
checks that both give the same score on generated cohorts, and
``tests/test_scores_tokuhashi.py`` on every combination of the inputs.

References
----------
Tokuhashi Y, Matsuzaki H, Oda H, Oshima M, Ryu J. A revised scoring system for
preoperative evaluation of metastatic spine tumor prognosis. Spine 2005;30:2186-91
(NICE CG75 reproduction S1 [V]; S2, S3 [S]; source keys listed in the
``cohort.scores`` docstring).
"""

from __future__ import annotations

import numpy as np

from cohort.schema import PRIMARY_SITES
from cohort.scores.sites import site_points_table

__all__ = ["TOKUHASHI_SITE_POINTS", "tokuhashi_group", "tokuhashi_revised"]

# Revised Tokuhashi primary-site points, in PRIMARY_SITES order, taken from the one
# site table of cohort.scores.sites (default placements, with their sources there).
TOKUHASHI_SITE_POINTS = (
    site_points_table()["tokuhashi_revised"].loc[list(PRIMARY_SITES)].to_numpy(dtype=np.int8)
)


def tokuhashi_revised(
    site: np.ndarray, kps: np.ndarray, extraspinal: np.ndarray, vertebral: np.ndarray,
    visceral_code: np.ndarray, frankel_code: np.ndarray,
) -> np.ndarray:
    """Revised Tokuhashi total (0-15) from generator codes.

    Parameters
    ----------
    site
        Index into :data:`cohort.schema.PRIMARY_SITES`.
    kps, extraspinal, vertebral
        KPS value, number of extraspinal bone foci, number of vertebral bodies.
    visceral_code
        0 none, 1 removable, 2 unremovable.
    frankel_code
        Index into ``("A", "B", "C", "D", "E")``.
    """
    # Item points as in cohort.scores.tokuhashi (Tokuhashi 2005, S1-S3):
    score = TOKUHASHI_SITE_POINTS[site].astype(np.int16)
    score += (kps >= 50).astype(np.int16) + (kps >= 80)  # KPS 10-40 / 50-70 / 80-100: 0/1/2
    score += (extraspinal <= 2).astype(np.int16) + (extraspinal == 0)  # >=3 / 1-2 / 0: 0/1/2
    score += (vertebral <= 2).astype(np.int16) + (vertebral == 1)  # >=3 / 2 / 1: 0/1/2
    score += 2 - visceral_code.astype(np.int16)  # unremovable / removable / none: 0/1/2
    score += (frankel_code >= 2).astype(np.int16) + (frankel_code == 4)  # A-B / C-D / E: 0/1/2
    return score


def tokuhashi_group(score: np.ndarray) -> np.ndarray:
    """Group index: 0 for 0-8, 1 for 9-11, 2 for 12-15."""
    return (score >= 9).astype(np.int8) + (score >= 12)
