"""Hand-worked van der Linden scores (S33: KPS 80-100/50-70/20-40
-> 2/1/0; breast 3, prostate 2, lung 1, other 0; visceral absent 1)."""

from __future__ import annotations

import pandas as pd
import pytest

from cohort.errors import CohortInputError
from cohort.schema import PRIMARY_SITES
from cohort.scores import (
    ScoreOptions,
    compute_scores,
    describe_score_options,
    load_score_options,
    van_der_linden,
)

COLUMNS = ("kps", "primary_site", "visceral_mets")


def frame(*rows: tuple[object, ...]) -> pd.DataFrame:
    """Canonical frame from (kps, site, visceral) tuples."""
    df = pd.DataFrame(list(rows), columns=list(COLUMNS))
    df["kps"] = df["kps"].astype("Int64")
    for col in ("primary_site", "visceral_mets"):
        df[col] = df[col].astype(object)
    return df


PATIENTS = frame(
    (80, "breast", "none"),           # V1
    (70, "prostate", "removable"),    # V2
    (50, "lung", "none"),             # V3
    (40, "kidney", "unremovable"),    # V4
    (100, "lung", "removable"),       # V5
    (90, "prostate", "none"),         # V6
    (20, "breast", "none"),           # V7
    (10, "breast", "none"),           # V8 (KPS 10: assumption, scored as 20-40)
)  # fmt: skip

EXPECTED = [
    2 + 3 + 1,  # V1: KPS 80 -> 2, breast 3, absent 1 = 6
    1 + 2 + 0,  # V2: KPS 70 -> 1, prostate 2, present 0 = 3
    1 + 1 + 1,  # V3: KPS 50 -> 1, lung 1, absent 1 = 3
    0 + 0 + 0,  # V4: KPS 40 -> 0, other 0, present 0 = 0
    2 + 1 + 0,  # V5: KPS 100 -> 2, lung 1, present 0 = 3
    2 + 2 + 1,  # V6: KPS 90 -> 2, prostate 2, absent 1 = 5
    0 + 3 + 1,  # V7: KPS 20 -> 0, breast 3, absent 1 = 4
    0 + 3 + 1,  # V8: KPS 10 -> 0 (assumption), breast 3, absent 1 = 4
]
GROUPS = ["6", "0-3", "0-3", "0-3", "0-3", "4-5", "4-5", "4-5"]
SITE_POINTS = {"breast": 3, "prostate": 2, "lung": 1}


def test_hand_worked() -> None:
    result = compute_scores(PATIENTS, ["van_der_linden"])
    assert result.values["van_der_linden"].tolist() == EXPECTED
    assert result.values["van_der_linden_group"].tolist() == GROUPS


@pytest.mark.parametrize(
    ("kps", "points"),
    [(10, 0), (20, 0), (40, 0), (50, 1), (60, 1), (70, 1), (80, 2), (100, 2)],
)
def test_kps_bands(kps: int, points: int) -> None:
    # other 0 + present 0
    assert van_der_linden(frame((kps, "other", "unremovable"))).iloc[0] == points


@pytest.mark.parametrize("site", PRIMARY_SITES)
def test_every_site_row(site: str) -> None:
    # KPS 80 -> 2 + site + absent 1
    assert van_der_linden(frame((80, site, "none"))).iloc[0] == 2 + SITE_POINTS.get(site, 0) + 1


def test_missing_inputs() -> None:
    df = frame((None, "breast", "none"), (80, "breast", None), (80, None, None))
    result = compute_scores(df, ["van_der_linden"])
    assert result.values["van_der_linden"].isna().all()
    assert result.reasons["van_der_linden"].tolist() == [
        "kps missing",
        "visceral_mets missing",
        "primary_site missing; visceral_mets missing",
    ]


def test_kps10_option_missing_leaves_the_score_missing_with_reason() -> None:
    # The KPS 10 -> 0 assumption is configurable: "missing" leaves V8 (KPS 10) unscored.
    options = ScoreOptions(van_der_linden_kps10="missing")
    result = compute_scores(PATIENTS, ["van_der_linden"], options)
    values = result.values["van_der_linden"]
    assert values.isna().tolist() == [False] * 7 + [True]
    assert values.iloc[:7].tolist() == EXPECTED[:7]  # KPS 20-100 unchanged
    assert pd.isna(result.values["van_der_linden_group"].iloc[7])
    reasons = result.reasons["van_der_linden"]
    assert reasons.iloc[:7].isna().all()
    assert "kps 10" in reasons.iloc[7]
    assert "van_der_linden_kps10" in reasons.iloc[7]
    # A row with a missing input keeps its input reason.
    df = frame((None, "breast", "none"), (10, "lung", None))
    reasons = compute_scores(df, ["van_der_linden"], options).reasons["van_der_linden"]
    assert reasons.tolist() == ["kps missing", "visceral_mets missing"]


def test_kps10_option_is_validated_and_read_from_toml(tmp_path) -> None:
    with pytest.raises(CohortInputError, match="van_der_linden_kps10"):
        ScoreOptions(van_der_linden_kps10="drop")
    path = tmp_path / "scores.toml"
    path.write_text('van_der_linden_kps10 = "missing"\n', encoding="utf-8")
    options = load_score_options(path)
    assert options == ScoreOptions(van_der_linden_kps10="missing")
    assert "van_der_linden_kps10 missing" in describe_score_options(options)
    assert "kps10" not in describe_score_options(ScoreOptions())
    # Default: KPS 10 scores 0 (V8: 0 + breast 3 + absent 1 = 4).
    assert van_der_linden(PATIENTS.iloc[[7]]).iloc[0] == 4
