"""load_cohort end to end, atomic writing, and the CSV round trip (Hypothesis)."""

from __future__ import annotations

import contextlib
import hashlib
import os
from importlib.resources import files
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cohort.errors import CohortInputError, EventCodingError, InputFileError, SchemaError
from cohort.io import atomic_write, load_cohort, read_table, write_table
from cohort.schema import (
    COLUMNS,
    FRANKEL_GRADES,
    PRIMARY_SITES,
    SINS_COLLAPSE,
    VISCERAL_METS,
    validate_cohort,
)

EXAMPLE = Path(str(files("cohort.data") / "example_cohort.csv"))


def _example() -> pd.DataFrame:
    return pd.read_csv(EXAMPLE, dtype=str, keep_default_na=False)


def _csv(df: pd.DataFrame, path: Path) -> Path:
    df.to_csv(path, index=False)
    return path


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ------------------------------------------------------------------- load_cohort


def test_generated_patient_ids(tmp_path: Path) -> None:
    df = _example().drop(columns="patient_id")
    loaded = load_cohort(_csv(df, tmp_path / "noid.csv"))
    assert loaded.frame["patient_id"].tolist()[:3] == ["row-1", "row-2", "row-3"]
    assert loaded.frame["patient_id"].iloc[-1] == "row-40"
    assert any("ids 'row-1', 'row-2'" in n for n in loaded.notes)


def test_time_and_event_options(tmp_path: Path) -> None:
    df = _example().rename(columns={"time_months": "os_years", "event": "status"})
    df["os_years"] = (df["os_years"].astype(float) / 12).astype(str)
    df["status"] = df["status"].map({"0": "1", "1": "2"})
    path = _csv(df, tmp_path / "r.csv")
    loaded = load_cohort(path, time_col="os_years", time_unit="years", event_col="status",
                         event_value=2, require=("time_months", "event"))
    ref = load_cohort(EXAMPLE).frame
    np.testing.assert_allclose(loaded.frame["time_months"], ref["time_months"], rtol=1e-12)
    assert loaded.frame["event"].tolist() == ref["event"].tolist()
    with pytest.raises(SchemaError, match=r"--time 'os_year'.*did you mean 'os_years'"):
        load_cohort(path, time_col="os_year")


def test_rename_option_collides(tmp_path: Path) -> None:
    df = _example()
    df["os"] = df["time_months"]
    with pytest.raises(SchemaError, match="already has a column 'time_months'"):
        load_cohort(_csv(df, tmp_path / "c.csv"), time_col="os")


def test_required_columns_missing(tmp_path: Path) -> None:
    df = _example().drop(columns=["event"])
    with pytest.raises(SchemaError, match=r"required column\(s\) 'event'"):
        load_cohort(_csv(df, tmp_path / "c.csv"), require=("time_months", "event"))


def test_event_value_without_event_column(tmp_path: Path) -> None:
    df = _example().drop(columns=["event"])
    with pytest.raises(EventCodingError, match="no 'event' column"):
        load_cohort(_csv(df, tmp_path / "c.csv"), event_value="1")


def _set(column: str, cells: dict[int, str]):  # type: ignore[no-untyped-def]
    def edit(d: pd.DataFrame) -> pd.DataFrame:
        d = d.copy()
        for row, value in cells.items():
            d.loc[row, column] = value
        return d

    return edit


# One case per bad input of the issue: (edit, error type, pieces the message must contain).
# Positions are 0-based; messages count data rows from 1 (position 2 is "row 3").
BAD_INPUTS = {
    "misnamed column": (
        lambda d: d.rename(columns={"primary_site": "Primary site"}),
        SchemaError, ["'Primary site'", "'primary_site'", "--map"],
    ),
    "unknown site labels": (
        _set("primary_site", {2: "Lung cancer", 6: "pancreatic"}),
        SchemaError, ["'primary_site'", "2 rows (rows 3 (id EX-003), 7 (id EX-007))",
                      "'Lung cancer'", "'pancreatic'", "Allowed values"],
    ),
    "kps 55": (
        _set("kps", {9: "55"}),
        SchemaError, ["'kps'", "1 row (row 10 (id EX-010))", "55", "multiples of 10"],
    ),
    "negative time": (
        _set("time_months", {0: "-1.5"}),
        SchemaError, ["'time_months'", "1 row (row 1 (id EX-001))", "negative"],
    ),
    "NaN time": (
        _set("time_months", {4: "NaN", 5: ""}),
        SchemaError, ["'time_months'", "2 rows (rows 5 (id EX-005), 6 (id EX-006))", "missing"],
    ),
    "event coded 1/2": (
        lambda d: d.assign(event=d["event"].map({"0": "1", "1": "2"})),
        EventCodingError, ["'event'", "--event-value 2", "R survival"],
    ),
    "missing event": (
        _set("event", {11: ""}),
        EventCodingError, ["'event'", "1 row (row 12)"],
    ),
    "duplicate ids": (
        _set("patient_id", {7: "EX-003"}),
        SchemaError, ["'patient_id'", "2 rows (rows 3 (id EX-003), 8 (id EX-003))", "unique"],
    ),
}


@pytest.mark.parametrize("case", list(BAD_INPUTS))
def test_bad_inputs_name_column_and_rows(case: str, tmp_path: Path) -> None:
    edit, error, pieces = BAD_INPUTS[case]
    path = _csv(edit(_example()), tmp_path / "bad.csv")
    before = _sha(path)
    with pytest.raises(error) as info:
        load_cohort(path)
    for piece in pieces:
        assert piece in str(info.value), (piece, str(info.value))
    assert _sha(path) == before


def test_input_file_is_not_modified(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_bytes(EXAMPLE.read_bytes())
    before, mtime = _sha(path), os.stat(path).st_mtime_ns
    load_cohort(path)
    assert _sha(path) == before
    assert os.stat(path).st_mtime_ns == mtime


# ---------------------------------------------------------------------- writing


def test_atomic_write_leaves_target_untouched_on_error(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    target.write_text("old\n")

    def interrupted() -> None:
        with atomic_write(target) as fh:
            fh.write("half a tab")
            raise RuntimeError("interrupted")

    with pytest.raises(RuntimeError):
        interrupted()
    assert target.read_text() == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]


def test_atomic_write_interrupted_by_keyboard(tmp_path: Path) -> None:
    target = tmp_path / "new.parquet"

    def interrupted() -> None:
        with atomic_write(target, "wb") as fh:
            fh.write(b"PAR1")
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        interrupted()
    assert list(tmp_path.iterdir()) == []


def test_write_table_refuses_the_input_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "c.csv"
    path.write_bytes(EXAMPLE.read_bytes())
    before = _sha(path)
    df = read_table(path)
    monkeypatch.chdir(tmp_path)
    for spelling in (path, Path("c.csv"), tmp_path / "sub" / ".." / "c.csv"):
        with pytest.raises(CohortInputError, match="refusing to overwrite the input file"):
            write_table(df, spelling, forbid=[path])
    link = tmp_path / "link.csv"
    link.symlink_to(path)
    with pytest.raises(CohortInputError, match="refusing to overwrite"):
        write_table(df, link, forbid=[path])
    assert _sha(path) == before


def test_write_table_bad_targets(tmp_path: Path) -> None:
    df = pd.DataFrame({"a": [1]})
    with pytest.raises(CohortInputError, match=r"unknown output extension '\.json'"):
        write_table(df, tmp_path / "x.json")
    with pytest.raises(CohortInputError, match=r"does not exist\. Create it first"):
        write_table(df, tmp_path / "nodir" / "x.csv")


def test_write_formats_read_back(tmp_path: Path) -> None:
    frame = load_cohort(EXAMPLE).frame
    for suffix in (".csv", ".parquet", ".xlsx"):
        path = tmp_path / f"c{suffix}"
        write_table(frame, path)
        again = load_cohort(path).frame
        pd.testing.assert_frame_equal(again, frame, check_dtype=False)


def test_write_mixed_object_column_to_parquet(tmp_path: Path) -> None:
    df = pd.DataFrame({"note": [1, "x", None]}, dtype=object)
    write_table(df, tmp_path / "m.parquet")
    assert read_table(tmp_path / "m.parquet")["note"].tolist() == ["1", "x", None]


def test_empty_and_non_table_files_through_load(tmp_path: Path) -> None:
    (tmp_path / "e.csv").write_bytes(b"")
    with pytest.raises(InputFileError, match="empty"):
        load_cohort(tmp_path / "e.csv")
    (tmp_path / "p.csv").write_bytes(b"\x89PNG\r\n\x1a\n")
    with pytest.raises(InputFileError, match="PNG"):
        load_cohort(tmp_path / "p.csv")


# ------------------------------------------------- Hypothesis: CSV round trip

ID_CHARS = st.characters(categories=("L", "N", "Zs"), include_characters=",;|\"'-_.")


@st.composite
def canonical_frames(draw: st.DrawFn) -> pd.DataFrame:
    n = draw(st.integers(1, 12))
    ids = draw(st.lists(st.text(ID_CHARS, min_size=1, max_size=10).map(lambda s: "P" + s.strip()),
                        min_size=n, max_size=n, unique=True))

    def column(values: st.SearchStrategy[object]) -> list[object]:
        return draw(st.lists(st.one_of(st.none(), values), min_size=n, max_size=n))

    return pd.DataFrame({
        "patient_id": ids,
        "age": pd.Series(column(st.floats(0, 110).map(lambda x: round(x, 3))), dtype=float),
        "primary_site": column(st.sampled_from(PRIMARY_SITES)),
        "kps": column(st.integers(1, 10).map(lambda k: 10 * k)),
        "extraspinal_bone_mets": column(st.integers(0, 20)),
        "visceral_mets": column(st.sampled_from(VISCERAL_METS)),
        "frankel": column(st.sampled_from(FRANKEL_GRADES)),
        "cord_compression": column(st.booleans()),
        "sins_collapse": column(st.sampled_from(SINS_COLLAPSE)),
        "time_months": draw(st.lists(st.floats(0, 300).map(lambda x: round(x, 4)),
                                     min_size=n, max_size=n)),
        "event": draw(st.lists(st.integers(0, 1), min_size=n, max_size=n)),
    })


DIALECTS = [(",", "."), (";", ","), ("\t", "."), ("\t", ","), ("|", ".")]


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(frame=canonical_frames(), dialect=st.sampled_from([None, *DIALECTS]), bom=st.booleans())
def test_csv_round_trip(
    frame: pd.DataFrame, dialect: tuple[str, str] | None, bom: bool, tmp_path: Path
) -> None:
    expected = validate_cohort(frame)
    path = tmp_path / "rt.csv"
    if dialect is None:
        write_table(expected, path)
    else:
        # As a spreadsheet would export it: any delimiter, decimal comma in some locales,
        # with or without a UTF-8 byte-order mark; the reader must detect all of it.
        sep, decimal = dialect
        frame.to_csv(path, sep=sep, decimal=decimal, index=False,
                     encoding="utf-8-sig" if bom else "utf-8")
    got = load_cohort(path).frame
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)


def test_note_when_times_look_like_days(tmp_path: Path) -> None:
    df = _example()
    df["time_months"] = (df["time_months"].astype(float) * 30.4375).round(0).astype(str)
    loaded = load_cohort(_csv(df, tmp_path / "days.csv"))
    assert any("if the times are in days or weeks" in n for n in loaded.notes)
    assert not any("days or weeks" in n for n in load_cohort(EXAMPLE).notes)
    converted = load_cohort(_csv(df, tmp_path / "days.csv"), time_unit="days")
    assert not any("days or weeks" in n for n in converted.notes)


# ------------------------------- Hypothesis: any file is a table or a user error

CELLS = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=5) | (
    st.sampled_from(["1,5", "2.5", "", "NA", "none", "1", "0", "2", "-1", "lung", "inf", "nan",
                     "1e400", "E", "yes", "80", "55", "True", "1_0", " 3 "])
)


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    columns=st.lists(st.sampled_from([*COLUMNS, "KPS", "other", ""]), min_size=1, max_size=6),
    data=st.data(),
    sep=st.sampled_from([",", ";", "\t", "|"]),
    junk=st.none() | st.binary(max_size=200),
)
def test_any_file_loads_or_raises_a_user_error(
    columns: list[str], data: st.DataObject, sep: str, junk: bytes | None, tmp_path: Path
) -> None:
    # Never a traceback: every failure on a user's file must be a CohortInputError,
    # which the command line turns into exit code 2 and a message.
    n = data.draw(st.integers(0, 4))
    rows = [columns] + [[data.draw(CELLS) for _ in columns] for _ in range(n)]
    text = "\n".join(sep.join(r) for r in rows).encode()
    path = tmp_path / "f.csv"
    path.write_bytes(junk if junk is not None else text)
    event_value = data.draw(st.sampled_from([None, "1", "dead"])) if "event" in columns else None
    with contextlib.suppress(CohortInputError):
        load_cohort(path, event_value=event_value)
