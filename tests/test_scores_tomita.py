"""Hand-worked Tomita scores (Tomita 2001 as reproduced by S14, S7: growth 1/2/4, visceral
0/2/4, bone 1/2; spinal and extraspinal lesions counted together)."""

from __future__ import annotations

import pandas as pd
import pytest

from cohort.schema import PRIMARY_SITES
from cohort.scores import ScoreOptions, compute_scores, tomita

COLUMNS = ("primary_site", "visceral_mets", "vertebral_mets", "extraspinal_bone_mets")


def frame(*rows: tuple[object, ...]) -> pd.DataFrame:
    """Canonical frame from (site, visceral, vertebral, extraspinal) tuples."""
    df = pd.DataFrame(list(rows), columns=list(COLUMNS))
    for col in ("vertebral_mets", "extraspinal_bone_mets"):
        df[col] = df[col].astype("Int64")
    for col in ("primary_site", "visceral_mets"):
        df[col] = df[col].astype(object)
    return df


PATIENTS = frame(
    ("breast", "none", 1, 0),          # T1
    ("kidney", "none", 2, 0),          # T2
    ("uterus", "removable", 1, 1),     # T3
    ("lung", "unremovable", 3, 2),     # T4
    ("thyroid", "none", 1, 3),         # T5
    ("unknown", "none", 1, 0),         # T6
    ("liver", "removable", 4, 0),      # T7
    ("colon", "removable", 1, 0),      # T8
    ("prostate", "unremovable", 1, 0),  # T9
    ("stomach", "none", 2, 5),         # T10
)  # fmt: skip

EXPECTED = [
    1 + 0 + 1,  # T1: breast slow 1, none 0, 1 vertebra + 0 extraspinal = solitary 1 -> 2
    2 + 0 + 2,  # T2: kidney moderate 2, none 0, 2 vertebrae = multiple 2 -> 4
    2 + 2 + 2,  # T3: uterus moderate 2, treatable 2, 1 vertebra + 1 extraspinal = multiple 2 -> 6
    4 + 4 + 2,  # T4: lung rapid 4, untreatable 4, multiple 2 -> 10
    1 + 0 + 2,  # T5: thyroid slow 1, none 0, 1 + 3 lesions = multiple 2 -> 3
    4 + 0 + 1,  # T6: unknown primary rapid 4, none 0, solitary 1 -> 5
    4 + 2 + 2,  # T7: liver rapid 4, treatable 2, multiple 2 -> 8
    4 + 2 + 1,  # T8: colon rapid 4, treatable 2, solitary 1 -> 7
    1 + 4 + 1,  # T9: prostate slow 1, untreatable 4, solitary 1 -> 6
    4 + 0 + 2,  # T10: stomach rapid 4, none 0, multiple 2 -> 6
]
GROUPS = ["2-3", "4-5", "6-7", "8-10", "2-3", "4-5", "8-10", "6-7", "6-7", "6-7"]

# Growth points: published examples (S14, S7) and the documented assumptions of
# cohort.scores.sites for the sites the published examples do not name.
PUBLISHED_GROWTH = {
    "breast": 1, "prostate": 1, "thyroid": 1, "kidney": 2, "uterus": 2,
    "lung": 4, "liver": 4, "stomach": 4, "colon": 4, "unknown": 4,
}  # fmt: skip
ASSUMED_GROWTH = {
    "esophagus": 4, "pancreas": 4, "bladder": 4, "rectum": 4, "gallbladder": 4,
    "sarcoma": 4, "melanoma": 4, "carcinoid": 1, "ovary": 2, "lymphoma": 2, "myeloma": 2,
    "head_neck": 2, "other": 2,
}  # fmt: skip


def test_hand_worked_patients() -> None:
    result = compute_scores(PATIENTS, ["tomita"])
    assert result.values["tomita"].tolist() == EXPECTED
    assert result.values["tomita_group"].tolist() == GROUPS


def test_site_tables_cover_the_vocabulary() -> None:
    assert set(PUBLISHED_GROWTH) | set(ASSUMED_GROWTH) == set(PRIMARY_SITES)


@pytest.mark.parametrize("site", PRIMARY_SITES)
def test_every_site_row(site: str) -> None:
    # growth + none 0 + solitary 1
    expected = {**PUBLISHED_GROWTH, **ASSUMED_GROWTH}[site] + 0 + 1
    assert tomita(frame((site, "none", 1, 0))).iloc[0] == expected


@pytest.mark.parametrize(
    ("vertebral", "extraspinal", "bone_points"),
    [(1, 0, 1), (1, 1, 2), (2, 0, 2), (3, 4, 2)],
)
def test_bone_metastases_counted_together(
    vertebral: int, extraspinal: int, bone_points: int
) -> None:
    # breast 1 + none 0 + bone points
    assert tomita(frame(("breast", "none", vertebral, extraspinal))).iloc[0] == 1 + bone_points


def test_rapid_growth_is_four_points_not_three() -> None:
    # CONFLICT (S14 prints 3): with 4 the published maximum 10 is reached.
    assert tomita(frame(("lung", "unremovable", 2, 0))).iloc[0] == 10
    with pytest.raises(ValueError, match="1, 2, 4"):
        ScoreOptions(site_overrides={"tomita": {"lung": 3}})


def test_missing_inputs() -> None:
    df = frame(
        ("breast", None, 1, 0),
        (None, "none", 1, None),
        ("breast", "none", 1, 0),  # 1 + 0 + 1 = 2
    )
    result = compute_scores(df, ["tomita"])
    assert result.values["tomita"].isna().tolist() == [True, True, False]
    assert result.values["tomita"].iloc[2] == 2
    assert result.reasons["tomita"].iloc[0] == "visceral_mets missing"
    assert result.reasons["tomita"].iloc[1] == (
        "primary_site missing; extraspinal_bone_mets missing"
    )
