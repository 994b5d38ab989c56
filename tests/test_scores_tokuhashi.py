"""Hand-worked revised (2005) and original (1990) Tokuhashi scores.

Expected points are worked out by hand from the published tables as reproduced in
NICE CG75 (S1), S2 and S3 (revised) and S6 (original); source keys are listed in the
cohort.scores docstring. They are not taken from the code under test.
"""

from __future__ import annotations

import pandas as pd
import pytest

from cohort.errors import SchemaError
from cohort.schema import PRIMARY_SITES
from cohort.scores import ScoreOptions, compute_scores, tokuhashi_original, tokuhashi_revised

COLUMNS = ("kps", "extraspinal_bone_mets", "vertebral_mets", "visceral_mets",
           "primary_site", "frankel")  # fmt: skip


def frame(*rows: tuple[object, ...]) -> pd.DataFrame:
    """Canonical frame (as validate_cohort returns it) from item tuples."""
    df = pd.DataFrame(list(rows), columns=list(COLUMNS))
    for col in ("kps", "extraspinal_bone_mets", "vertebral_mets"):
        df[col] = df[col].astype("Int64")
    for col in ("visceral_mets", "primary_site", "frankel"):
        df[col] = df[col].astype(object)
    return df


# (kps, extraspinal, vertebral, visceral, site, frankel)
PATIENTS = frame(
    (40, 3, 3, "unremovable", "lung", "A"),   # P1
    (50, 2, 2, "removable", "liver", "B"),    # P2
    (70, 1, 1, "none", "colon", "C"),         # P3
    (80, 0, 1, "none", "kidney", "D"),        # P4
    (100, 0, 1, "none", "breast", "E"),       # P5
    (10, 4, 5, "removable", "rectum", "E"),   # P6
    (60, 0, 2, "unremovable", "uterus", "D"),  # P7
    (90, 1, 2, "removable", "prostate", "C"),  # P8
)  # fmt: skip

# Revised 2005, vertebral option "321" (>=3/2/1 -> 0/1/2):
REVISED_321 = [
    # P1: KPS 40 -> 0, extra 3 -> 0, vert 3 -> 0, unremovable 0, lung 0, A 0 = 0
    0 + 0 + 0 + 0 + 0 + 0,
    # P2: KPS 50 -> 1, extra 2 -> 1, vert 2 -> 1, removable 1, liver 1, B 0 = 5
    1 + 1 + 1 + 1 + 1 + 0,
    # P3: KPS 70 -> 1, extra 1 -> 1, vert 1 -> 2, none 2, colon (others) 2, C 1 = 9
    1 + 1 + 2 + 2 + 2 + 1,
    # P4: KPS 80 -> 2, extra 0 -> 2, vert 1 -> 2, none 2, kidney 3, D 1 = 12
    2 + 2 + 2 + 2 + 3 + 1,
    # P5: KPS 100 -> 2, extra 0 -> 2, vert 1 -> 2, none 2, breast 5, E 2 = 15
    2 + 2 + 2 + 2 + 5 + 2,
    # P6: KPS 10 -> 0, extra 4 -> 0, vert 5 -> 0, removable 1, rectum 4, E 2 = 7
    0 + 0 + 0 + 1 + 4 + 2,
    # P7: KPS 60 -> 1, extra 0 -> 2, vert 2 -> 1, unremovable 0, uterus 3, D 1 = 8
    1 + 2 + 1 + 0 + 3 + 1,
    # P8: KPS 90 -> 2, extra 1 -> 1, vert 2 -> 1, removable 1, prostate 5, C 1 = 11
    2 + 1 + 1 + 1 + 5 + 1,
]
REVISED_GROUPS = ["0-8", "0-8", "9-11", "12-15", "12-15", "0-8", "0-8", "9-11"]

# Revised 2005, vertebral option "3-12-0" (>=3/1-2/0 -> 0/1/2): vertebral 1 now scores 1.
REVISED_31_20 = [
    0,           # P1: vert 3 -> 0, unchanged = 0
    5,           # P2: vert 2 -> 1, unchanged = 5
    9 - 2 + 1,   # P3: vert 1 -> 1 instead of 2 = 8
    12 - 2 + 1,  # P4: = 11
    15 - 2 + 1,  # P5: = 14
    7,           # P6: vert 5 -> 0, unchanged = 7
    8,           # P7: vert 2 -> 1, unchanged = 8
    11,          # P8: vert 2 -> 1, unchanged = 11
]

# Original 1990 (S6): site lung/stomach 0; kidney, liver, uterus, other, unknown 1;
# thyroid, prostate, breast, rectum 2. Other items as in 2005 with vertebral >=3/2/1.
ORIGINAL = [
    0 + 0 + 0 + 0 + 0 + 0,  # P1: lung 0 = 0
    1 + 1 + 1 + 1 + 1 + 0,  # P2: liver 1 = 5
    1 + 1 + 2 + 2 + 1 + 1,  # P3: colon (other) 1 = 8
    2 + 2 + 2 + 2 + 1 + 1,  # P4: kidney 1 = 10
    2 + 2 + 2 + 2 + 2 + 2,  # P5: breast 2 = 12
    0 + 0 + 0 + 1 + 2 + 2,  # P6: rectum 2 = 5
    1 + 2 + 1 + 0 + 1 + 1,  # P7: uterus 1 = 6
    2 + 1 + 1 + 1 + 2 + 1,  # P8: prostate 2 = 8
]
ORIGINAL_GROUPS = ["0-5", "0-5", "6-8", "9-12", "9-12", "0-5", "6-8", "6-8"]

# Site points typed from the published tables (S1-S3, S6; "sarcoma"
# is read as osteosarcoma in 2005, an assumption of cohort.scores.sites).
REVISED_SITE = {
    "lung": 0, "sarcoma": 0, "stomach": 0, "bladder": 0, "esophagus": 0, "pancreas": 0,
    "liver": 1, "gallbladder": 1, "unknown": 1,
    "kidney": 3, "uterus": 3, "rectum": 4,
    "thyroid": 5, "breast": 5, "prostate": 5, "carcinoid": 5,
}  # fmt: skip
ORIGINAL_SITE = {
    "lung": 0, "stomach": 0, "thyroid": 2, "prostate": 2, "breast": 2, "rectum": 2,
}  # fmt: skip


def test_revised_hand_worked_default_option() -> None:
    result = compute_scores(PATIENTS, ["tokuhashi_revised"])
    assert result.values["tokuhashi_revised"].tolist() == REVISED_321
    assert result.values["tokuhashi_revised_group"].tolist() == REVISED_GROUPS
    assert result.values["tokuhashi_revised"].dtype == "Int64"
    assert result.reasons["tokuhashi_revised"].isna().all()


def test_revised_hand_worked_alternative_vertebral_option() -> None:
    options = ScoreOptions(vertebral_option="3-12-0")
    assert tokuhashi_revised(PATIENTS, options).tolist() == REVISED_31_20


def test_revised_alternative_option_zero_vertebrae_is_rejected_by_schema() -> None:
    # The 2-point category of "3-12-0" (0 vertebral metastases) is outside the canonical
    # schema (vertebral_mets >= 1), so a frame holding 0 is an input error, not a score.
    bad = frame((80, 0, 0, "none", "breast", "E"))
    with pytest.raises(SchemaError, match="vertebral_mets"):
        tokuhashi_revised(bad, ScoreOptions(vertebral_option="3-12-0"))


def test_original_hand_worked() -> None:
    result = compute_scores(PATIENTS, ["tokuhashi_original"])
    assert result.values["tokuhashi_original"].tolist() == ORIGINAL
    assert result.values["tokuhashi_original_group"].tolist() == ORIGINAL_GROUPS


def test_original_ignores_vertebral_option() -> None:
    options = ScoreOptions(vertebral_option="3-12-0")
    assert tokuhashi_original(PATIENTS, options).tolist() == ORIGINAL


@pytest.mark.parametrize("site", PRIMARY_SITES)
def test_every_site_row(site: str) -> None:
    # Base patient: KPS 80 -> 2, extra 0 -> 2, vert 1 -> 2, none 2, Frankel E 2 = 10 + site.
    df = frame((80, 0, 1, "none", site, "E"))
    assert tokuhashi_revised(df).iloc[0] == 10 + REVISED_SITE.get(site, 2)  # others 2
    assert tokuhashi_original(df).iloc[0] == 10 + ORIGINAL_SITE.get(site, 1)  # other 1


@pytest.mark.parametrize(
    ("kps", "points"), [(10, 0), (20, 0), (30, 0), (40, 0), (50, 1), (60, 1), (70, 1),
                        (80, 2), (90, 2), (100, 2)],
)  # fmt: skip
def test_kps_boundaries(kps: int, points: int) -> None:
    # Everything else worst: extra 3 -> 0, vert 3 -> 0, unremovable 0, lung 0, A 0.
    df = frame((kps, 3, 3, "unremovable", "lung", "A"))
    assert tokuhashi_revised(df).iloc[0] == points
    assert tokuhashi_original(df).iloc[0] == points


@pytest.mark.parametrize(("grade", "points"), [("A", 0), ("B", 0), ("C", 1), ("D", 1), ("E", 2)])
def test_frankel_grades(grade: str, points: int) -> None:
    df = frame((40, 3, 3, "unremovable", "lung", grade))
    assert tokuhashi_revised(df).iloc[0] == points


@pytest.mark.parametrize(("extra", "points"), [(0, 2), (1, 1), (2, 1), (3, 0), (10, 0)])
def test_extraspinal_boundaries(extra: int, points: int) -> None:
    df = frame((40, extra, 3, "unremovable", "lung", "A"))
    assert tokuhashi_revised(df).iloc[0] == points


@pytest.mark.parametrize(
    ("vert", "p321", "p3120"), [(1, 2, 1), (2, 1, 1), (3, 0, 0), (7, 0, 0)]
)
def test_vertebral_boundaries_both_options(vert: int, p321: int, p3120: int) -> None:
    df = frame((40, 3, vert, "unremovable", "lung", "A"))
    assert tokuhashi_revised(df).iloc[0] == p321
    assert tokuhashi_revised(df, ScoreOptions(vertebral_option="3-12-0")).iloc[0] == p3120


def test_missing_inputs_give_missing_score_with_reason() -> None:
    df = frame(
        (None, 0, 1, "none", "breast", None),   # kps and frankel missing
        (80, None, 1, "none", "breast", "E"),   # extraspinal missing
        (80, 0, 1, None, None, "E"),            # visceral and site missing
        (80, 0, 1, "none", "breast", "E"),      # complete: 2+2+2+2+5+2 = 15
    )  # fmt: skip
    result = compute_scores(df, ["tokuhashi_revised", "tokuhashi_original"])
    revised = result.values["tokuhashi_revised"]
    assert revised.isna().tolist() == [True, True, True, False]
    assert revised.iloc[3] == 15
    assert result.values["tokuhashi_revised_group"].isna().tolist() == [True, True, True, False]
    reasons = result.reasons["tokuhashi_revised"]
    assert reasons.iloc[0] == "kps missing; frankel missing"
    assert reasons.iloc[1] == "extraspinal_bone_mets missing"
    assert reasons.iloc[2] == "visceral_mets missing; primary_site missing"
    assert pd.isna(reasons.iloc[3])
    assert result.reasons["tokuhashi_original"].iloc[0] == "kps missing; frankel missing"


def test_kps_not_in_steps_of_ten_is_an_input_error() -> None:
    df = frame((55, 0, 1, "none", "breast", "E"), (80, 0, 1, "none", "breast", "E"))
    with pytest.raises(SchemaError, match=r"column 'kps': 1 row \(row 1\)"):
        tokuhashi_revised(df)


def test_unknown_site_label_is_an_input_error() -> None:
    df = frame((80, 0, 1, "none", "Breast cancer", "E"))
    with pytest.raises(SchemaError, match="primary_site"):
        compute_scores(df)


def test_index_is_preserved() -> None:
    df = PATIENTS.set_axis([f"r{i}" for i in range(len(PATIENTS))])
    values = compute_scores(df, ["tokuhashi_revised"]).values
    assert values.index.tolist() == df.index.tolist()
    assert values["tokuhashi_revised"].tolist() == REVISED_321


def test_synthetic_numpy_copy_agrees_on_every_input_combination() -> None:
    # synthetic.scoring re-implements the revised score on integer codes for the
    # generator; a generated cohort need not contain every combination (KPS 10, rare
    # sites), so compare on all 10 x 5 x 4 x 3 x 23 x 5 = 69,000 of them.
    import itertools

    import numpy as np

    from cohort.schema import FRANKEL_GRADES, VISCERAL_METS
    from synthetic.scoring import tokuhashi_group
    from synthetic.scoring import tokuhashi_revised as numpy_revised

    grid = list(itertools.product(range(10, 101, 10), range(5), range(1, 5),
                                  VISCERAL_METS, PRIMARY_SITES, FRANKEL_GRADES))
    df = frame(*grid)
    reference = compute_scores(df, ["tokuhashi_revised"]).values
    codes = {s: i for i, s in enumerate(PRIMARY_SITES)}
    mine = numpy_revised(
        df["primary_site"].map(codes).to_numpy(int), df["kps"].to_numpy(int),
        df["extraspinal_bone_mets"].to_numpy(int), df["vertebral_mets"].to_numpy(int),
        df["visceral_mets"].map({v: i for i, v in enumerate(VISCERAL_METS)}).to_numpy(int),
        df["frankel"].map({g: i for i, g in enumerate(FRANKEL_GRADES)}).to_numpy(int),
    )
    np.testing.assert_array_equal(mine, reference["tokuhashi_revised"].to_numpy(int))
    labels = np.array(["0-8", "9-11", "12-15"])[tokuhashi_group(mine)]
    np.testing.assert_array_equal(labels, reference["tokuhashi_revised_group"].to_numpy(str))
