"""Hand-worked SINS (Fisher 2010 as reproduced by S24-S27; labels of cohort.schema)."""

from __future__ import annotations

import pandas as pd
import pytest

from cohort.scores import compute_scores, sins

COLUMNS = ("sins_location", "sins_pain", "sins_lesion", "sins_alignment", "sins_collapse",
           "sins_posterolateral")  # fmt: skip


def frame(*rows: tuple[object, ...]) -> pd.DataFrame:
    """Canonical frame from six-component tuples."""
    return pd.DataFrame(list(rows), columns=list(COLUMNS), dtype=object)


PATIENTS = frame(
    ("junctional", "mechanical", "lytic", "subluxation", "gt50", "bilateral"),  # S1
    ("rigid", "none", "blastic", "normal", "none", "none"),                     # S2
    ("mobile", "occasional", "mixed", "deformity", "lt50", "unilateral"),       # S3
    ("semirigid", "mechanical", "lytic", "normal", "body_gt50", "none"),        # S4
    ("semirigid", "mechanical", "mixed", "normal", "body_gt50", "none"),        # S5
    ("junctional", "mechanical", "lytic", "deformity", "lt50", "none"),         # S6
    ("junctional", "mechanical", "lytic", "deformity", "gt50", "none"),         # S7
)  # fmt: skip

EXPECTED = [
    # S1: junctional 3, mechanical 3, lytic 2, subluxation 4, >50% 3, bilateral 3 = 18
    3 + 3 + 2 + 4 + 3 + 3,
    0 + 0 + 0 + 0 + 0 + 0,  # S2: rigid 0, painless 0, blastic 0, normal 0, none 0, none 0 = 0
    # S3: mobile 2, occasional 1, mixed 1, deformity 2, <50% 2, unilateral 1 = 9
    2 + 1 + 1 + 2 + 2 + 1,
    # S4: semirigid 1, mechanical 3, lytic 2, normal 0, body >50% 1, none 0 = 7
    1 + 3 + 2 + 0 + 1 + 0,
    # S5: semirigid 1, mechanical 3, mixed 1, normal 0, body >50% 1, none 0 = 6
    1 + 3 + 1 + 0 + 1 + 0,
    # S6: junctional 3, mechanical 3, lytic 2, deformity 2, <50% 2, none 0 = 12
    3 + 3 + 2 + 2 + 2 + 0,
    3 + 3 + 2 + 2 + 3 + 0,  # S7: as S6 but >50% collapse 3 = 13
]
GROUPS = ["13-18", "0-6", "7-12", "7-12", "0-6", "7-12", "13-18"]

# Every category of every component, typed from the published table (S24, S25).
CATEGORY_POINTS = [
    ("sins_location", "junctional", 3), ("sins_location", "mobile", 2),
    ("sins_location", "semirigid", 1), ("sins_location", "rigid", 0),
    ("sins_pain", "mechanical", 3), ("sins_pain", "occasional", 1), ("sins_pain", "none", 0),
    ("sins_lesion", "lytic", 2), ("sins_lesion", "mixed", 1), ("sins_lesion", "blastic", 0),
    ("sins_alignment", "subluxation", 4), ("sins_alignment", "deformity", 2),
    ("sins_alignment", "normal", 0),
    ("sins_collapse", "gt50", 3), ("sins_collapse", "lt50", 2),
    ("sins_collapse", "body_gt50", 1), ("sins_collapse", "none", 0),
    ("sins_posterolateral", "bilateral", 3), ("sins_posterolateral", "unilateral", 1),
    ("sins_posterolateral", "none", 0),
]  # fmt: skip


def test_hand_worked() -> None:
    result = compute_scores(PATIENTS, ["sins"])
    assert result.values["sins"].tolist() == EXPECTED
    assert result.values["sins_group"].tolist() == GROUPS


@pytest.mark.parametrize(("column", "category", "points"), CATEGORY_POINTS)
def test_every_category(column: str, category: str, points: int) -> None:
    # Start from the all-zero patient S2 and change one component.
    row = dict(zip(COLUMNS, ("rigid", "none", "blastic", "normal", "none", "none"), strict=True))
    row[column] = category
    assert sins(frame(tuple(row.values()))).iloc[0] == points


def test_missing_component() -> None:
    df = frame(("junctional", None, "lytic", "normal", None, "none"))
    result = compute_scores(df, ["sins"])
    assert pd.isna(result.values["sins"].iloc[0])
    assert result.reasons["sins"].iloc[0] == "sins_pain missing; sins_collapse missing"
