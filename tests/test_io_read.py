"""Reading CSV, Parquet and Excel tables: sniffing, encodings, round trips, bad files."""

from __future__ import annotations

import codecs
from importlib.resources import files
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cohort.errors import InputFileError
from cohort.io import load_cohort, read_table, write_table

EXAMPLE = Path(str(files("cohort.data") / "example_cohort.csv"))


def _write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


# ------------------------------------------------------------------ CSV dialects


def test_comma_csv_keeps_cells_as_text(tmp_path: Path) -> None:
    p = _write(tmp_path / "a.csv", "patient_id,kps,note\n007,80,x\n008,,y\n")
    df = read_table(p)
    assert list(df.columns) == ["patient_id", "kps", "note"]
    # Leading zeros survive: no numeric coercion at the reader.
    assert df["patient_id"].tolist() == ["007", "008"]
    assert df["kps"].tolist() == ["80", None]
    assert df.attrs["notes"] == []


def test_semicolon_with_decimal_comma_is_detected(tmp_path: Path) -> None:
    text = "patient_id;age;time_months;event\nA;61,5;12,25;1\nB;70;3;0\nC;NA;0,5;1\n"
    p = _write(tmp_path / "eu.csv", text)
    df = read_table(p)
    assert df["age"].tolist() == ["61.5", "70", "NA"]
    assert df["time_months"].tolist() == ["12.25", "3", "0.5"]
    notes = " ".join(df.attrs["notes"])
    assert "semicolon" in notes
    assert "decimal comma" in notes
    assert "'age'" in notes
    assert "'time_months'" in notes
    loaded = load_cohort(p)
    np.testing.assert_allclose(loaded.frame["time_months"], [12.25, 3.0, 0.5])
    assert loaded.frame["age"].iloc[0] == 61.5
    assert np.isnan(loaded.frame["age"].iloc[2])


def test_text_column_with_commas_is_not_converted(tmp_path: Path) -> None:
    text = "patient_id;comment;age\nA;1,2 and more;60,5\nB;x;61\n"
    df = read_table(_write(tmp_path / "t.csv", text))
    assert df["comment"].tolist() == ["1,2 and more", "x"]
    assert df["age"].tolist() == ["60.5", "61"]


def test_tab_and_pipe_delimiters(tmp_path: Path) -> None:
    for sep, name in (("\t", "tab"), ("|", "pipe")):
        p = _write(tmp_path / f"{name}.tsv", f"patient_id{sep}kps{sep}age\nA{sep}80{sep}1.5\n")
        df = read_table(p)
        assert list(df.columns) == ["patient_id", "kps", "age"]
        assert df.iloc[0].tolist() == ["A", "80", "1.5"]
        assert name in " ".join(df.attrs["notes"])


def test_utf8_bom_is_removed_from_first_header(tmp_path: Path) -> None:
    p = tmp_path / "bom.csv"
    p.write_bytes(codecs.BOM_UTF8 + "patient_id,primary_site\nÄ1,lung\n".encode())
    df = read_table(p)
    assert list(df.columns) == ["patient_id", "primary_site"]
    assert df["patient_id"].iloc[0] == "Ä1"


def test_latin1_file_is_read_with_a_note(tmp_path: Path) -> None:
    p = _write(tmp_path / "l1.csv", "patient_id;city\nA;Zürich\n", encoding="cp1252")
    df = read_table(p)
    assert df["city"].iloc[0] == "Zürich"
    assert "not valid UTF-8" in " ".join(df.attrs["notes"])


def test_explicit_sep_and_decimal_override_sniffing(tmp_path: Path) -> None:
    # Quoted decimal commas in a comma-delimited file need the explicit option.
    p = _write(tmp_path / "q.csv", 'patient_id,age\nA,"61,5"\nB,"70"\n')
    assert read_table(p)["age"].tolist() == ["61,5", "70"]
    assert read_table(p, decimal=",")["age"].tolist() == ["61.5", "70"]
    p2 = _write(tmp_path / "s.csv", "a;b,c\n1;2,3\n")
    assert list(read_table(p2, sep=",").columns) == ["a;b", "c"]
    assert list(read_table(p2, sep=";", decimal=".").columns) == ["a", "b,c"]


def test_ambiguous_decimal_mark_is_an_error(tmp_path: Path) -> None:
    p = _write(tmp_path / "mix.csv", "patient_id;age;albumin\nA;61,5;3.5\nB;62;3.9\n")
    with pytest.raises(InputFileError, match=r"decimal mark is ambiguous.*'age'.*'albumin'"):
        read_table(p)
    assert read_table(p, decimal=",")["age"].tolist() == ["61.5", "62"]


def test_ragged_rows_are_named(tmp_path: Path) -> None:
    text = "a,b,c\n1,2,3\n1,2\n1,2,3\n1,2,3,4\n" + "1,2,3\n" * 6
    expected = r"2 rows \(rows 2, 4\) have 2, 4 fields but the header has 3"
    with pytest.raises(InputFileError, match=expected):
        read_table(_write(tmp_path / "r.csv", text))


def test_trailing_delimiter_and_blank_lines(tmp_path: Path) -> None:
    p = _write(tmp_path / "t.csv", "a;b;\n1;2;\n3;4;\n\n;;\n")
    df = read_table(p)
    assert list(df.columns) == ["a", "b"]
    assert len(df) == 2
    notes = " ".join(df.attrs["notes"])
    assert "ignored 2 empty line(s)" in notes
    assert "ignored column 3" in notes


def test_blank_row_between_data_rows_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match=r"1 row \(row 2\) empty"):
        read_table(_write(tmp_path / "b.csv", "a,b\n1,2\n,\n3,4\n"))


def test_unnamed_column_with_values_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="column 2 has no name"):
        read_table(_write(tmp_path / "u.csv", "a,,c\n1,2,3\n"))


def test_duplicate_header_names_are_an_error(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match=r"\['kps'\] appear more than once"):
        read_table(_write(tmp_path / "d.csv", "kps,age,kps\n80,60,90\n"))


# ------------------------------------------------------------------ bad files


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="does not exist"):
        read_table(tmp_path / "nope.csv")


def test_zero_byte_file(tmp_path: Path) -> None:
    p = tmp_path / "empty.csv"
    p.write_bytes(b"")
    with pytest.raises(InputFileError, match=r"is empty \(0 bytes\)"):
        read_table(p)


def test_blank_text_file(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="empty"):
        read_table(_write(tmp_path / "blank.csv", "\n \n"))


def test_header_only_file_has_no_data_rows(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="no data rows"):
        read_table(_write(tmp_path / "h.csv", "patient_id,kps\n"))
    with pytest.raises(InputFileError, match="no data rows"):
        read_table(_write(tmp_path / "h2.csv", "patient_id,kps\n\n,\n"))


def test_png_named_csv(tmp_path: Path) -> None:
    p = tmp_path / "image.csv"
    p.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    with pytest.raises(InputFileError, match="not a text table: it looks like a PNG image"):
        read_table(p)


def test_xlsx_named_csv_gets_a_hint(tmp_path: Path) -> None:
    xlsx = tmp_path / "book.xlsx"
    pd.DataFrame({"a": [1]}).to_excel(xlsx, index=False)
    p = tmp_path / "book.csv"
    p.write_bytes(xlsx.read_bytes())
    with pytest.raises(InputFileError, match=r"ZIP archive.*\.xlsx"):
        read_table(p)


def test_random_binary_without_nul_bytes(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    p = tmp_path / "junk.csv"
    p.write_bytes(rng.integers(1, 256, 4000, dtype=np.uint8).tobytes())
    with pytest.raises(InputFileError, match="not a text table"):
        read_table(p)


def test_binary_with_nul_bytes(tmp_path: Path) -> None:
    p = tmp_path / "junk.txt"
    p.write_bytes(b"a,b\n1,2\n\x00\x00\x00")
    with pytest.raises(InputFileError, match="NUL bytes"):
        read_table(p)


def test_prose_is_not_a_table(tmp_path: Path) -> None:
    prose = (
        "Spinal metastases are common in patients with cancer, and many of them\n"
        "present with pain; some with neurological deficits\n"
        "Treatment depends on expected survival, stability, and the tumour type.\n"
        "Scores help\n"
    )
    with pytest.raises(InputFileError, match="does not look like a table"):
        read_table(_write(tmp_path / "prose.csv", prose))


def test_mostly_ragged_file_is_not_a_table(tmp_path: Path) -> None:
    text = "a,b,c\n1,2\n1,2,3\n1\n1,2,3,4,5\n"
    expected = r"does not look like a table.*comma: the header has 3 fields and only 25%"
    with pytest.raises(InputFileError, match=expected):
        read_table(_write(tmp_path / "r.csv", text))


def test_single_words_without_delimiter_are_not_a_table(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="at least two columns"):
        read_table(_write(tmp_path / "words.txt", "hello\nworld\nagain\n"))


def test_unknown_extension(tmp_path: Path) -> None:
    p = _write(tmp_path / "cohort.json", '{"a": 1}')
    with pytest.raises(InputFileError, match=r"unknown extension '\.json'.*CSV.*Parquet.*Excel"):
        read_table(p)


def test_text_file_named_parquet_or_xlsx(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="not a Parquet file"):
        read_table(_write(tmp_path / "a.parquet", "a,b\n1,2\n"))
    with pytest.raises(InputFileError, match="not an Excel workbook"):
        read_table(_write(tmp_path / "a.xlsx", "a,b\n1,2\n"))


# ------------------------------------------------------------- Parquet and Excel


def _typed_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "patient_id": ["P1", "P2", "P3"],
            "kps": pd.array([80, None, 50], dtype="Int64"),
            "age": [61.5, 70.0, np.nan],
            "primary_site": ["lung", None, "breast"],
            "cord_compression": pd.array([True, False, None], dtype="boolean"),
            "time_months": [1.5, 12.0, 30.25],
            "event": [1, 0, 1],
        }
    )


def test_parquet_round_trip(tmp_path: Path) -> None:
    df = _typed_frame()
    p = tmp_path / "c.parquet"
    write_table(df, p)
    back = read_table(p)
    pd.testing.assert_frame_equal(back, df, check_dtype=False)
    assert back["kps"].dtype == "Int64"
    loaded = load_cohort(p)
    assert loaded.frame["kps"].tolist()[0] == 80
    assert pd.isna(loaded.frame["kps"].iloc[1])


def test_empty_parquet_has_no_data_rows(tmp_path: Path) -> None:
    p = tmp_path / "e.parquet"
    _typed_frame().iloc[:0].to_parquet(p)
    with pytest.raises(InputFileError, match="no data rows"):
        read_table(p)


def test_excel_round_trip_and_sheets(tmp_path: Path) -> None:
    df = _typed_frame()
    p = tmp_path / "c.xlsx"
    write_table(df, p)
    back = read_table(p)
    assert back["patient_id"].tolist() == ["P1", "P2", "P3"]
    assert back["kps"].tolist() == [80, None, 50]
    assert back["time_months"].tolist() == [1.5, 12, 30.25]
    loaded = load_cohort(p)
    expected = load_cohort(_csv_of(df, tmp_path / "c.csv")).frame
    pd.testing.assert_frame_equal(loaded.frame, expected)

    two = tmp_path / "two.xlsx"
    with pd.ExcelWriter(two, engine="openpyxl") as xw:
        pd.DataFrame({"x": ["ignore"]}).to_excel(xw, sheet_name="About", index=False)
        df.to_excel(xw, sheet_name="Cohort", index=False)
    first = read_table(two)
    assert list(first.columns) == ["x"]
    assert "has 2 sheets" in first.attrs["notes"][0]
    assert read_table(two, sheet="Cohort")["patient_id"].tolist() == ["P1", "P2", "P3"]
    assert read_table(two, sheet=1)["patient_id"].tolist() == ["P1", "P2", "P3"]
    expected = r"no sheet 'Data'; its sheets are \['About', 'Cohort'\]"
    with pytest.raises(InputFileError, match=expected):
        read_table(two, sheet="Data")


def test_excel_header_only_sheet(tmp_path: Path) -> None:
    p = tmp_path / "h.xlsx"
    pd.DataFrame({"patient_id": [], "kps": []}).to_excel(p, index=False)
    with pytest.raises(InputFileError, match="no data rows"):
        read_table(p)


def _csv_of(df: pd.DataFrame, path: Path) -> Path:
    write_table(df, path)
    return path


def test_example_cohort_reads_as_forty_rows() -> None:
    df = read_table(EXAMPLE)
    assert df.shape == (40, 24)
    loaded = load_cohort(EXAMPLE)
    assert loaded.n_input_rows == 40
    assert list(loaded.frame.index) == list(range(40))


def test_excel_header_problems(tmp_path: Path) -> None:
    from openpyxl import Workbook

    def book(rows: list[list[object]], name: str) -> Path:
        wb = Workbook()
        ws = wb.active
        assert ws is not None
        for row in rows:
            ws.append(row)
        path = tmp_path / name
        wb.save(path)
        return path

    # pandas would silently rename the second "kps" to "kps.1"; here it is an error.
    dup = book([["patient_id", "kps", "kps"], ["A", 80, 90]], "dup.xlsx")
    with pytest.raises(InputFileError, match=r"\['kps'\] appear more than once"):
        read_table(dup)
    unnamed = book([["patient_id", None, "kps"], ["A", 1, 80]], "unnamed.xlsx")
    with pytest.raises(InputFileError, match="column 2 has no name"):
        read_table(unnamed)
    # Leading empty rows, an unnamed empty column and trailing empty rows are skipped
    # with notes; an empty row between data rows is an error naming it.
    ok = book([[None], ["patient_id", None, "kps"], ["A", None, 80], ["B", None, 70], [None]],
              "ok.xlsx")
    df = read_table(ok)
    assert list(df.columns) == ["patient_id", "kps"]
    assert df["kps"].tolist() == [80, 70]
    gap = book([["patient_id", "kps"], ["A", 80], [None, None], ["B", 70]], "gap.xlsx")
    with pytest.raises(InputFileError, match=r"1 row \(row 2\) empty, between data rows"):
        read_table(gap)


def test_example_cohort_missing_cells_are_the_documented_ones() -> None:
    # cohort/data/README.md lists the deliberately missing cells; keep them in sync.
    frame = load_cohort(EXAMPLE).frame.set_index("patient_id")
    missing = {(pid, col) for col in frame.columns for pid in frame.index[frame[col].isna()]}
    assert missing == {
        ("EX-005", "kps"), ("EX-005", "ecog"), ("EX-012", "frankel"),
        ("EX-012", "ambulatory"), ("EX-009", "extraspinal_bone_mets"), ("EX-018", "albumin"),
        ("EX-031", "albumin"), ("EX-024", "sins_pain"), ("EX-036", "visceral_mets"),
    }
    readme = (EXAMPLE.parent / "README.md").read_text(encoding="utf-8")
    assert "fictional" in readme.lower()


def test_title_line_above_csv_header_is_named(tmp_path: Path) -> None:
    body = "patient_id,kps,time_months,event\nP1,70,3.5,1\nP2,80,12,0\nP3,60,1.5,1\n"
    p = _write(tmp_path / "export.csv", "Spine cohort export 2024\n" + body)
    with pytest.raises(InputFileError, match=r"'Spine cohort export 2024'.*title above the "
                       r"header.*4 columns \(comma-delimited\).*Delete the line"):
        read_table(p)
    # without the title line the same file reads
    assert list(read_table(_write(tmp_path / "ok.csv", body)).columns) == [
        "patient_id", "kps", "time_months", "event"]


def test_title_row_above_excel_header_is_named(tmp_path: Path) -> None:
    frame = pd.DataFrame({"patient_id": ["P1", "P2"], "kps": [70, 80],
                          "time_months": [3.5, 12.0], "event": [1, 0]})
    p = tmp_path / "export.xlsx"
    with pd.ExcelWriter(p) as w:
        pd.DataFrame([["Spine cohort 2019-2023"]]).to_excel(w, header=False, index=False)
        frame.to_excel(w, index=False, startrow=2)  # header in sheet row 3
    with pytest.raises(InputFileError, match=r"sheet row 1 \('Spine cohort 2019-2023'\) "
                       r"looks like a title.*row 3 fills 4.*Delete the rows above"):
        read_table(p)
