"""van der Linden score (Dutch Bone Metastasis Study, 2005). Higher is better."""

from __future__ import annotations

import pandas as pd

from cohort.scores._common import band_points, check_inputs, map_points, total_points
from cohort.scores.options import ScoreOptions

__all__ = [
    "VAN_DER_LINDEN_INPUTS",
    "van_der_linden",
    "van_der_linden_components",
    "van_der_linden_unscored",
]

VAN_DER_LINDEN_INPUTS: tuple[str, ...] = ("kps", "primary_site", "visceral_mets")

# KPS 80-100 -> 2, 50-70 -> 1, 20-40 -> 0 (S33). KPS 10 is below the lowest published
# band; assumption (default, ScoreOptions.van_der_linden_kps10 = "lowest"): it scores 0
# like 20-40 (a worse status cannot earn more points, and leaving it missing would drop
# the sickest patients). With "missing" KPS 10 gets no points and the score is missing.
_KPS_BANDS = {
    "lowest": ((80, 2), (50, 1), (10, 0)),
    "missing": ((80, 2), (50, 1), (20, 0)),
}
# Visceral metastases absent 1, present 0 (S33); removable and unremovable are present.
_NO_VISCERAL = {"none": 1, "removable": 0, "unremovable": 0}


def van_der_linden_components(
    frame: pd.DataFrame, options: ScoreOptions | None = None
) -> pd.DataFrame:
    """Item points of the van der Linden score (float, NaN where missing).

    See :func:`van_der_linden`.
    """
    options = options or ScoreOptions()
    check_inputs(frame, VAN_DER_LINDEN_INPUTS)
    return pd.DataFrame(
        {
            "kps": band_points(frame["kps"], _KPS_BANDS[options.van_der_linden_kps10]),
            "primary_tumour": map_points(
                frame["primary_site"], options.site_points("van_der_linden")
            ),
            "no_visceral_mets": map_points(frame["visceral_mets"], _NO_VISCERAL),
        },
        index=frame.index,
    )


def van_der_linden_unscored(frame: pd.DataFrame, options: ScoreOptions | None = None) -> pd.Series:
    """Why the score is missing although every input is present (``string``, NA otherwise).

    Only with ``ScoreOptions(van_der_linden_kps10="missing")``: rows with KPS 10.
    """
    options = options or ScoreOptions()
    out = pd.Series(pd.NA, index=frame.index, dtype="string")
    if options.van_der_linden_kps10 == "missing":
        kps10 = (pd.to_numeric(frame["kps"], errors="coerce") == 10).fillna(False)
        out[kps10.to_numpy(dtype=bool)] = (
            "kps 10 is below the published van der Linden bands (20-100); "
            "option van_der_linden_kps10 = 'missing'"
        )
    return out


def van_der_linden(frame: pd.DataFrame, options: ScoreOptions | None = None) -> pd.Series:
    """van der Linden score (0-6, higher is better).

    ===================  ============================  ===========
    Item                 Category                      Points
    ===================  ============================  ===========
    KPS                  80-100 / 50-70 / 20-40        2 / 1 / 0
    Primary tumour       breast / prostate / lung /    3 / 2 / 1 /
                         other                         0
    Visceral metastases  absent / present              1 / 0
    ===================  ============================  ===========

    KPS 10 scores 0 (assumption: below the lowest published band 20-40; a worse status
    cannot earn more points, and leaving it out would drop the sickest patients);
    ``ScoreOptions(van_der_linden_kps10="missing")`` leaves the score missing for KPS 10
    instead, with the reason. Visceral metastases are present when ``visceral_mets`` is
    ``removable`` or ``unremovable``.

    Groups (S33, read from Figure 2 of the paper): 0-3 group A, median survival 3
    months (2-year survival about 4%); 4-5 group B, 9 months (22%); 6 group C, 19
    months (37%).

    Parameters
    ----------
    frame
        Canonical cohort frame.
    options
        :class:`ScoreOptions` (``site_overrides["van_der_linden"]``,
        ``van_der_linden_kps10``).

    Returns
    -------
    pandas.Series
        ``Int64``, NA where any input is missing (and for KPS 10 under the option
        ``van_der_linden_kps10="missing"``).

    Notes
    -----
    Evidence: [S], read only in the medicalalgorithms reproduction (S33). Derivation
    cohort: 342 patients given radiotherapy for painful spinal metastases (S8).

    References
    ----------
    .. [1] van der Linden YM, Dijkstra SPDS, Vonk EJA, Marijnen CAM, Leer JWH. Prediction
       of survival in patients with metastases in the spinal column: results based on a
       randomized trial of radiotherapy. Cancer 2005;103(2):320-8.
    .. [2] Medical Algorithms, "Scoring system of van der Linden and the Dutch Bone
       Metastasis Study Group" (S33).
    """
    return total_points(van_der_linden_components(frame, options), "van_der_linden")
