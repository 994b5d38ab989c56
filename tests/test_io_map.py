"""TOML column maps: renaming, label mapping, units and event values, and map errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cohort.errors import ColumnMapError, SchemaError
from cohort.io import apply_column_map, load_cohort, load_column_map

USER_CSV = (
    "Patient;Primary tumour;KPS (%);OS days;Status;Visceral\n"
    "A;Lung ca;80;365,25;dead;no\n"
    "B;mamma;60;30,4375;alive;yes - unresectable\n"
    "C; Prostate ;90;0;Dead;no\n"
)

USER_MAP = """
[columns]
"Patient" = "patient_id"
"Primary tumour" = "primary_site"
"KPS (%)" = "kps"
"Visceral" = "visceral_mets"

[values.primary_site]
"Lung ca" = "lung"
"MAMMA" = "Breast"

[values.visceral_mets]
"no" = "none"
"yes - unresectable" = "unremovable"

[time]
column = "OS days"
unit = "days"

[event]
column = "Status"
value = "dead"
"""


def _files(tmp_path: Path, table: str = USER_CSV, cmap: str = USER_MAP) -> tuple[Path, Path]:
    data = tmp_path / "user.csv"
    data.write_text(table, encoding="utf-8")
    mp = tmp_path / "map.toml"
    mp.write_text(cmap, encoding="utf-8")
    return data, mp


def test_full_map_gives_canonical_cohort(tmp_path: Path) -> None:
    data, mp = _files(tmp_path)
    loaded = load_cohort(data, map_path=mp)
    f = loaded.frame
    assert f["patient_id"].tolist() == ["A", "B", "C"]
    # Mapped labels (case-insensitive keys, canonical targets) and an unmapped label the
    # schema normalises itself (" Prostate ").
    assert f["primary_site"].tolist() == ["lung", "breast", "prostate"]
    assert f["visceral_mets"].tolist() == ["none", "unremovable", "none"]
    assert f["kps"].tolist() == [80, 60, 90]
    # 365.25 days = 12 months and 30.4375 days = 1 month by definition (365.25 / 12).
    np.testing.assert_allclose(f["time_months"], [12.0, 1.0, 0.0], rtol=1e-12)
    assert f["event"].tolist() == [1, 0, 1]
    notes = " ".join(loaded.notes)
    assert "'OS days' -> 'time_months'" in notes
    assert "from days to months" in notes


def test_cli_options_override_map(tmp_path: Path) -> None:
    data, mp = _files(tmp_path)
    loaded = load_cohort(data, map_path=mp, time_unit="weeks", event_value="alive")
    np.testing.assert_allclose(loaded.frame["time_months"], [365.25 * 7 / (365.25 / 12),
                                                              30.4375 * 7 / (365.25 / 12), 0.0])
    assert loaded.frame["event"].tolist() == [0, 1, 0]


def test_read_options_in_map(tmp_path: Path) -> None:
    table = "id|age\nA|61,5\n"
    cmap = '[columns]\n"id" = "patient_id"\n[read]\nsep = "|"\ndecimal = "."\n'
    data, mp = _files(tmp_path, table, cmap)
    # The map says decimal = "." (no sniffing), so "61,5" is not a number...
    with pytest.raises(SchemaError, match=r"column 'age': 1 row \(row 1 \(id A\)\) are not "
                       r"numbers.*decimal comma"):
        load_cohort(data, map_path=mp)
    # ... and the keyword overrides the map.
    loaded = load_cohort(data, map_path=mp, decimal=",")
    assert loaded.frame["patient_id"].tolist() == ["A"]
    assert loaded.frame["age"].tolist() == [61.5]


def test_map_naming_absent_column(tmp_path: Path) -> None:
    cmap = '[columns]\n"Patient" = "patient_id"\n"KPS" = "kps"\n'
    data, mp = _files(tmp_path, cmap=cmap)
    with pytest.raises(ColumnMapError, match=r"'KPS' \(did you mean 'KPS \(%\)'\?\)"):
        load_cohort(data, map_path=mp)


def test_map_two_columns_to_one(tmp_path: Path) -> None:
    cmap = '[columns]\n"Patient" = "patient_id"\n"Status" = "event"\n[event]\ncolumn = "Visceral"\n'
    _, mp = _files(tmp_path, cmap=cmap)
    with pytest.raises(ColumnMapError, match="mapped to"):
        load_column_map(mp)
    cmap = '[columns]\n"KPS (%)" = "kps"\n"Karnofsky" = "kps"\n'
    _, mp = _files(tmp_path, cmap=cmap)
    expected = r"\['KPS \(%\)', 'Karnofsky'\] are all mapped to 'kps'"
    with pytest.raises(ColumnMapError, match=expected):
        load_column_map(mp)


def test_map_unknown_canonical_name(tmp_path: Path) -> None:
    _, mp = _files(tmp_path, cmap='[columns]\n"KPS (%)" = "kpss"\n')
    expected = r"'kpss', which is not a canonical column \(did you mean 'kps'\?\)"
    with pytest.raises(ColumnMapError, match=expected):
        load_column_map(mp)
    _, mp = _files(tmp_path, cmap='[values.site]\n"x" = "lung"\n')
    with pytest.raises(ColumnMapError, match=r"\[values.site\].*not a canonical"):
        load_column_map(mp)


def test_map_unknown_table_or_key(tmp_path: Path) -> None:
    _, mp = _files(tmp_path, cmap='[colums]\n"a" = "kps"\n')
    expected = r"unknown table \[colums\] \(did you mean 'columns'\?\)"
    with pytest.raises(ColumnMapError, match=expected):
        load_column_map(mp)
    _, mp = _files(tmp_path, cmap='[time]\nunits = "days"\n')
    with pytest.raises(ColumnMapError, match=r"unknown key 'units' in \[time\]"):
        load_column_map(mp)
    _, mp = _files(tmp_path, cmap='[time]\nunit = "fortnights"\n')
    with pytest.raises(ValueError, match="'fortnights' is not known"):
        load_column_map(mp)


def test_map_invalid_toml_and_missing_file(tmp_path: Path) -> None:
    _, mp = _files(tmp_path, cmap="[columns\n")
    with pytest.raises(ColumnMapError, match="not valid TOML"):
        load_column_map(mp)
    with pytest.raises(ColumnMapError, match="does not exist"):
        load_column_map(tmp_path / "none.toml")


def test_map_label_outside_vocabulary(tmp_path: Path) -> None:
    _, mp = _files(tmp_path, cmap='[values.primary_site]\n"Lung ca" = "lungs"\n')
    expected = r"'lungs', which is not an allowed value \(did you mean 'lung'\?\)"
    with pytest.raises(ColumnMapError, match=expected):
        load_column_map(mp)
    _, mp = _files(tmp_path, cmap='[values.kps]\n"good" = "90"\n')
    with pytest.raises(ColumnMapError, match="category and yes/no columns only"):
        load_column_map(mp)


def test_values_for_absent_column(tmp_path: Path) -> None:
    data, mp = _files(tmp_path, cmap='[values.frankel]\n"none" = "E"\n')
    expected = r"\[values.frankel\] but the table has no column 'frankel'"
    with pytest.raises(ColumnMapError, match=expected):
        load_cohort(data, map_path=mp)


def test_rename_onto_existing_canonical_column(tmp_path: Path) -> None:
    df = pd.DataFrame({"kps": ["80"], "KPS (%)": ["70"]})
    _, mp = _files(tmp_path, cmap='[columns]\n"KPS (%)" = "kps"\n')
    with pytest.raises(ColumnMapError, match="already has a column named 'kps'"):
        apply_column_map(df, load_column_map(mp))


def test_apply_column_map_does_not_modify_input(tmp_path: Path) -> None:
    df = pd.DataFrame({"Primary tumour": ["Lung ca", "x"], "other": [1, 2]})
    before = df.copy()
    _, mp = _files(tmp_path, cmap='[columns]\n"Primary tumour" = "primary_site"\n'
                   '[values.primary_site]\n" lung CA " = "lung"\n')
    out = apply_column_map(df, load_column_map(mp))
    pd.testing.assert_frame_equal(df, before)
    # Keys match ignoring case and spaces; unlisted labels pass through for the schema.
    assert out["primary_site"].tolist() == ["lung", "x"]
    assert out["other"].tolist() == [1, 2]


def test_errors_name_the_users_column(tmp_path: Path) -> None:
    table = USER_CSV.replace("A;Lung ca;80;365,25", "A;Lung ca;80;-3")
    data, mp = _files(tmp_path, table=table)
    with pytest.raises(SchemaError, match=r"'time_months': 1 row \(row 1 \(id A\)\) are negative.*"
                       r"column 'time_months' is 'OS days'"):
        load_cohort(data, map_path=mp)


def test_encoding_in_map(tmp_path: Path) -> None:
    data = tmp_path / "l1.csv"
    data.write_bytes("patient_id;primary_site;city\nA;lung;Zürich\n".encode("latin-1"))
    mp = tmp_path / "map.toml"
    mp.write_text('[read]\nencoding = "latin-1"\n')
    loaded = load_cohort(data, map_path=mp)
    assert loaded.frame["city"].tolist() == ["Zürich"]
    assert not any("UTF-8" in n for n in loaded.notes)
    # Without the map the fallback is used and said.
    assert any("not valid UTF-8" in n for n in load_cohort(data).notes)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('[columns]\na = 1\n', r'\[columns\] "a" must map to a column name string'),
        ('columns = "x"\n', "'columns' must be a table"),
        ('[values.primary_site]\nx = 1.5\n', r'"x" must map to a label string'),
        ("[read]\nsheet = true\n", r"\[read\] sheet must be a string"),
        ('[read]\ndecimal = ";"\n', r"\[read\] decimal ';' is not '\.' or ','"),
        ('[read]\nsep = ":"\n', r"\[read\] sep ':' is not one of"),
        ("[event]\nvalue = [1, 2]\n", r"\[event\] value must be a string"),
    ],
)
def test_malformed_maps(tmp_path: Path, text: str, expected: str) -> None:
    _, mp = _files(tmp_path, cmap=text)
    with pytest.raises(ColumnMapError, match=expected):
        load_column_map(mp)


def test_tab_separator_spellings(tmp_path: Path) -> None:
    for spelling in ('"\\t"', "'\\t'", '"tab"'):
        _, mp = _files(tmp_path, cmap=f"[read]\nsep = {spelling}\n")
        assert load_column_map(mp).sep == "\t"
