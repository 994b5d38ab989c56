"""Hand-worked modified (0-4) and original (0-5) Bauer scores (Leithner 2008 as
reproduced by S19, S20: one point per favourable factor)."""

from __future__ import annotations

import pandas as pd
import pytest

from cohort.errors import SchemaError
from cohort.schema import PRIMARY_SITES
from cohort.scores import bauer_modified, bauer_original, compute_scores

COLUMNS = ("primary_site", "visceral_mets", "vertebral_mets", "extraspinal_bone_mets",
           "pathologic_fracture")  # fmt: skip


def frame(*rows: tuple[object, ...]) -> pd.DataFrame:
    """Canonical frame from (site, visceral, vertebral, extraspinal, fracture) tuples."""
    df = pd.DataFrame(list(rows), columns=list(COLUMNS))
    for col in ("vertebral_mets", "extraspinal_bone_mets"):
        df[col] = df[col].astype("Int64")
    for col in ("primary_site", "visceral_mets"):
        df[col] = df[col].astype(object)
    df["pathologic_fracture"] = df["pathologic_fracture"].astype("boolean")
    return df


PATIENTS = frame(
    ("breast", "none", 1, 0, False),          # B1
    ("lung", "unremovable", 3, 2, True),      # B2
    ("kidney", "removable", 1, 1, False),     # B3
    ("prostate", "none", 2, 0, True),         # B4
    ("lymphoma", "none", 1, 0, True),         # B5
    ("myeloma", "removable", 1, 0, False),    # B6
    ("lung", "none", 1, 0, True),             # B7
    ("colon", "unremovable", 4, 0, False),    # B8
)  # fmt: skip

# Items: no visceral mets, not lung, breast/kidney/lymphoma/myeloma, solitary skeletal met.
MODIFIED = [
    1 + 1 + 1 + 1,  # B1: none 1, breast not lung 1, breast favourable 1, 1+0 lesions solitary 1 = 4
    0 + 0 + 0 + 0,  # B2: unremovable 0, lung 0, lung 0, 3+2 lesions 0 = 0
    0 + 1 + 1 + 0,  # B3: removable 0, kidney 1, kidney 1, 1 vertebra + 1 extraspinal 0 = 2
    1 + 1 + 0 + 0,  # B4: none 1, prostate 1, prostate not favourable 0, 2 vertebrae 0 = 2
    1 + 1 + 1 + 1,  # B5: none 1, lymphoma 1, lymphoma 1, solitary 1 = 4
    0 + 1 + 1 + 1,  # B6: removable 0, myeloma 1, myeloma 1, solitary 1 = 3
    1 + 0 + 0 + 1,  # B7: none 1, lung 0, lung 0, solitary 1 = 2
    0 + 1 + 0 + 0,  # B8: unremovable 0, colon 1, colon 0, 4 vertebrae 0 = 1
]
MODIFIED_GROUPS = ["3-4", "0-1", "2", "2", "3-4", "3-4", "2", "0-1"]
# Original adds 1 point for no pathologic fracture.
ORIGINAL = [
    4 + 1,  # B1: no fracture 1 = 5
    0 + 0,  # B2: fracture 0 = 0
    2 + 1,  # B3 = 3
    2 + 0,  # B4 = 2
    4 + 0,  # B5 = 4
    3 + 1,  # B6 = 4
    2 + 0,  # B7 = 2
    1 + 1,  # B8 = 2
]
ORIGINAL_GROUPS = ["4-5", "0-1", "2-3", "2-3", "4-5", "4-5", "2-3", "2-3"]
FAVOURABLE = {"breast", "kidney", "lymphoma", "myeloma"}


def test_modified_hand_worked() -> None:
    result = compute_scores(PATIENTS, ["bauer_modified"])
    assert result.values["bauer_modified"].tolist() == MODIFIED
    assert result.values["bauer_modified_group"].tolist() == MODIFIED_GROUPS


def test_original_hand_worked() -> None:
    result = compute_scores(PATIENTS, ["bauer_original"])
    assert result.values["bauer_original"].tolist() == ORIGINAL
    assert result.values["bauer_original_group"].tolist() == ORIGINAL_GROUPS


@pytest.mark.parametrize("site", PRIMARY_SITES)
def test_every_site_row(site: str) -> None:
    # none 1 + not lung + favourable + solitary 1 (+ no fracture 1 for original)
    expected = 1 + (site != "lung") + (site in FAVOURABLE) + 1
    df = frame((site, "none", 1, 0, False))
    assert bauer_modified(df).iloc[0] == expected
    assert bauer_original(df).iloc[0] == expected + 1


def test_original_needs_pathologic_fracture_column() -> None:
    df = PATIENTS.drop(columns="pathologic_fracture")
    result = compute_scores(df)
    assert "bauer_modified" in result.names
    assert "bauer_original" not in result.names
    assert result.skipped["bauer_original"] == ("pathologic_fracture",)
    with pytest.raises(SchemaError, match="pathologic_fracture"):
        compute_scores(df, ["bauer_original"])


def test_missing_inputs() -> None:
    df = frame(
        ("breast", "none", 1, 0, None),
        ("breast", "none", None, 0, False),
    )
    result = compute_scores(df, ["bauer_modified", "bauer_original"])
    # Row 1: modified computable (1 + 1 + 1 + 1 = 4), original missing (fracture unknown).
    assert result.values["bauer_modified"].iloc[0] == 4
    assert pd.isna(result.values["bauer_original"].iloc[0])
    assert result.reasons["bauer_original"].iloc[0] == "pathologic_fracture missing"
    assert pd.isna(result.reasons["bauer_modified"].iloc[0])
    # Row 2: vertebral count unknown -> solitary unknown -> both missing.
    assert result.values[["bauer_modified", "bauer_original"]].iloc[1].isna().all()
    assert result.reasons["bauer_modified"].iloc[1] == "vertebral_mets missing"
