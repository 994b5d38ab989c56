"""compute_scores / add_scores / ScoreOptions / site mapping: the contract API."""

from __future__ import annotations

import pandas as pd
import pytest

from cohort.errors import CohortInputError, InputFileError, SchemaError
from cohort.schema import PRIMARY_SITES, validate_cohort
from cohort.scores import (
    REGISTRY,
    SITE_ITEMS,
    ScoreOptions,
    add_scores,
    compute_scores,
    load_score_options,
    site_assumptions,
    site_points_table,
    tokuhashi_original,
    tomita,
)
from cohort.scores.sites import SITE_PLACEMENTS

TOKUHASHI_ONLY = pd.DataFrame(
    {
        "patient_id": ["p1", "p2"],
        "kps": pd.array([50, 90], dtype="Int64"),
        "extraspinal_bone_mets": pd.array([2, 0], dtype="Int64"),
        "vertebral_mets": pd.array([1, 1], dtype="Int64"),
        "visceral_mets": ["none", "removable"],
        "primary_site": ["melanoma", "unknown"],
        "frankel": ["D", "E"],
    }
)


def test_names_none_computes_what_the_columns_allow() -> None:
    result = compute_scores(TOKUHASHI_ONLY)
    # tokuhashi (all six inputs), tomita, bauer_modified (site, visceral, bone counts),
    # van der Linden (kps, site, visceral); original Bauer lacks pathologic_fracture,
    # SINS lacks all six sins_* columns.
    assert result.names == (
        "tokuhashi_revised", "tokuhashi_original", "tomita", "bauer_modified", "van_der_linden",
    )  # fmt: skip
    assert result.skipped["bauer_original"] == ("pathologic_fracture",)
    assert result.skipped["sins"] == REGISTRY["sins"].inputs
    assert list(result.values.columns) == [
        c for n in result.names for c in (n, f"{n}_group")
    ]
    assert list(result.reasons.columns) == list(result.names)
    assert all(result.values[n].dtype == "Int64" for n in result.names)


def test_explicit_request_for_absent_inputs_is_a_schema_error() -> None:
    with pytest.raises(SchemaError) as info:
        compute_scores(TOKUHASHI_ONLY, ["sins", "tomita"])
    message = str(info.value)
    assert "'sins' needs column(s)" in message
    assert "sins_location" in message
    assert "--map" in message  # the fix


def test_unknown_score_name() -> None:
    with pytest.raises(CohortInputError, match="Known scores: tokuhashi_revised"):
        compute_scores(TOKUHASHI_ONLY, ["tokuhashi"])


def test_single_name_as_string() -> None:
    result = compute_scores(TOKUHASHI_ONLY, "tomita")
    assert result.names == ("tomita",)
    # p1: melanoma rapid 4 (assumption), none 0, 1 vertebra + 2 extraspinal multiple 2 = 6
    # p2: unknown rapid 4, removable (treatable) 2, solitary 1 = 7
    assert result.values["tomita"].tolist() == [6, 7]


def test_add_scores_adds_three_columns_and_leaves_input_alone() -> None:
    before = TOKUHASHI_ONLY.copy()
    out = add_scores(TOKUHASHI_ONLY, ["tokuhashi_revised"])
    pd.testing.assert_frame_equal(TOKUHASHI_ONLY, before)
    assert list(out.columns) == [
        *TOKUHASHI_ONLY.columns, "tokuhashi_revised", "tokuhashi_revised_group",
        "tokuhashi_revised_missing_reason",
    ]  # fmt: skip
    # p1: KPS 50 -> 1, extra 2 -> 1, vert 1 -> 2, none 2, melanoma (others) 2, D 1 = 9
    # p2: KPS 90 -> 2, extra 0 -> 2, vert 1 -> 2, removable 1, unknown 1, E 2 = 10
    assert out["tokuhashi_revised"].tolist() == [9, 10]
    assert out["tokuhashi_revised_group"].tolist() == ["9-11", "9-11"]
    assert out["tokuhashi_revised_missing_reason"].isna().all()


def test_add_scores_refuses_to_overwrite_different_values() -> None:
    df = TOKUHASHI_ONLY.assign(tokuhashi_revised=[9, 11])  # user's own, differs in row 2
    with pytest.raises(SchemaError, match="already in the table"):
        add_scores(df, ["tokuhashi_revised"])


def test_rescoring_a_scored_table_is_allowed() -> None:
    once = add_scores(TOKUHASHI_ONLY)
    # As read back from a CSV: integers as floats, labels as plain objects.
    reread = once.copy()
    for name in compute_scores(TOKUHASHI_ONLY).names:
        reread[name] = reread[name].astype(float)
        reread[f"{name}_group"] = reread[f"{name}_group"].astype(object)
    twice = add_scores(reread)
    pd.testing.assert_frame_equal(twice, once)


def test_empty_frame() -> None:
    result = compute_scores(TOKUHASHI_ONLY.iloc[:0], ["tokuhashi_revised"])
    assert len(result.values) == 0
    assert list(result.values.columns) == ["tokuhashi_revised", "tokuhashi_revised_group"]


def test_validated_raw_table_end_to_end() -> None:
    raw = pd.DataFrame(
        {
            "patient_id": ["a", "b", "c"],
            "kps": ["80", "40", ""],
            "extraspinal_bone_mets": ["0", "3", "1"],
            "vertebral_mets": ["1", "4", "2"],
            "visceral_mets": ["None", "Unremovable", "removable"],
            "primary_site": ["Breast", "lung", "kidney"],
            "frankel": ["E", "a", "D"],
        }
    )
    out = add_scores(validate_cohort(raw), ["tokuhashi_revised", "van_der_linden"])
    # a: KPS 80 -> 2, extra 0 -> 2, vert 1 -> 2, none 2, breast 5, E 2 = 15
    # b: KPS 40 -> 0, extra 3 -> 0, vert 4 -> 0, unremovable 0, lung 0, A 0 = 0
    assert out["tokuhashi_revised"].tolist()[:2] == [15, 0]
    assert pd.isna(out["tokuhashi_revised"].iloc[2])
    assert out["tokuhashi_revised_missing_reason"].iloc[2] == "kps missing"
    # van der Linden a: KPS 80 -> 2, breast 3, absent 1 = 6; b: 0 + lung 1 + present 0 = 1
    assert out["van_der_linden"].tolist()[:2] == [6, 1]


# --- options and the site mapping --------------------------------------------------


def test_bad_options_are_input_errors() -> None:
    with pytest.raises(CohortInputError, match="vertebral_option"):
        ScoreOptions(vertebral_option="3/2/1")
    with pytest.raises(CohortInputError, match="item 'bauer'"):
        ScoreOptions(site_overrides={"bauer": {"breast": 1}})
    with pytest.raises(CohortInputError, match="vocabulary"):
        ScoreOptions(site_overrides={"tomita": {"skin": 2}})
    with pytest.raises(CohortInputError, match="use one of 0, 1, 2, 3, 4, 5"):
        ScoreOptions(site_overrides={"tokuhashi_revised": {"colon": 6}})
    with pytest.raises(CohortInputError, match="use one of 0, 1"):
        ScoreOptions(site_overrides={"bauer_histology": {"colon": True}})


def test_site_overrides_change_only_their_item() -> None:
    default = compute_scores(TOKUHASHI_ONLY)
    options = ScoreOptions(site_overrides={"tomita": {"melanoma": 2}})
    changed = compute_scores(TOKUHASHI_ONLY, options=options)
    # p1 Tomita: melanoma moderate 2 (was rapid 4), none 0, multiple 2 = 4
    assert changed.values["tomita"].tolist() == [4, 7]
    others = [c for c in default.values.columns if not c.startswith("tomita")]
    pd.testing.assert_frame_equal(changed.values[others], default.values[others])


def test_enkaoua_unknown_primary_override() -> None:
    # S6: Enkaoua et al. proposed 0 points for an unknown primary in the 1990 score.
    df = TOKUHASHI_ONLY.iloc[[1]]
    # p2: KPS 90 -> 2, extra 0 -> 2, vert 1 -> 2, removable 1, unknown 1 -> 0, E 2
    assert tokuhashi_original(df).iloc[0] == 2 + 2 + 2 + 1 + 1 + 2
    options = ScoreOptions(site_overrides={"tokuhashi_original": {"unknown": 0}})
    assert tokuhashi_original(df, options).iloc[0] == 2 + 2 + 2 + 1 + 0 + 2


def test_overrides_are_copied() -> None:
    mine = {"tomita": {"melanoma": 2}}
    options = ScoreOptions(site_overrides=mine)
    mine["tomita"]["melanoma"] = 1
    assert tomita(TOKUHASHI_ONLY.iloc[[0]], options).iloc[0] == 2 + 0 + 2


def test_site_tables_cover_the_vocabulary() -> None:
    table = site_points_table()
    assert list(table.index) == list(PRIMARY_SITES)
    assert list(table.columns) == list(SITE_ITEMS)
    for item in SITE_ITEMS:
        assert set(SITE_PLACEMENTS[item]) == set(PRIMARY_SITES)
    assert site_points_table({"tomita": {"ovary": 4}}).loc["ovary", "tomita"] == 4


def test_assumptions_are_listed_with_reasons() -> None:
    table = site_assumptions()
    assert set(zip(table["item"], table["site"], strict=True)) == {
        ("tokuhashi_revised", "sarcoma"),
        *(("tomita", s) for s in (
            "esophagus", "pancreas", "bladder", "rectum", "gallbladder", "sarcoma",
            "melanoma", "carcinoid", "ovary", "lymphoma", "myeloma", "head_neck", "other")),
    }  # fmt: skip
    assert (table["reason"].str.len() > 20).all()
    # Each assumption is written up in the module documentation as well.
    import cohort.scores.sites as sites_module

    doc = sites_module.__doc__ or ""
    for site in table["site"]:
        assert f"``{site}``" in doc


@pytest.mark.parametrize("category_dtype", ["category", "string", "object"])
def test_scores_do_not_depend_on_column_dtypes(category_dtype: str) -> None:
    reference = compute_scores(TOKUHASHI_ONLY).values
    other = TOKUHASHI_ONLY.copy()
    for col in ("visceral_mets", "primary_site", "frankel"):
        other[col] = other[col].astype(category_dtype)
    for col in ("kps", "extraspinal_bone_mets", "vertebral_mets"):
        other[col] = other[col].astype(float)
    pd.testing.assert_frame_equal(compute_scores(other).values, reference)


def test_load_score_options_from_toml(tmp_path) -> None:
    path = tmp_path / "scores.toml"
    path.write_text(
        'vertebral_option = "3-12-0"\n\n[site_overrides.tomita]\nmelanoma = 2\n',
        encoding="utf-8",
    )
    options = load_score_options(path)
    assert options == ScoreOptions("3-12-0", {"tomita": {"melanoma": 2}})
    # p1 Tomita with melanoma moderate 2: 2 + none 0 + multiple 2 = 4
    assert tomita(TOKUHASHI_ONLY.iloc[[0]], options).iloc[0] == 4


@pytest.mark.parametrize(
    ("text", "error", "match"),
    [
        ("vertebral_option = ", InputFileError, "not valid TOML"),
        ('vertebral = "321"\n', CohortInputError, "unknown key"),
        ("site_overrides = 3\n", CohortInputError, "must be tables"),
        ("[site_overrides.tomita]\nmelanoma = 3\n", CohortInputError, "use one of 1, 2, 4"),
    ],
)
def test_load_score_options_errors(tmp_path, text: str, error: type, match: str) -> None:
    path = tmp_path / "scores.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(error, match=match):
        load_score_options(path)
    with pytest.raises(InputFileError, match="cannot read"):
        load_score_options(tmp_path / "absent.toml")
