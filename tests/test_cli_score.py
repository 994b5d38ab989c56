"""`cohort score`: output, options, and exit code 2 with a readable message on bad input."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from importlib.resources import files
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from cohort.cli import cli
from cohort.io import read_table
from cohort.scores import REGISTRY

EXAMPLE = Path(str(files("cohort.data") / "example_cohort.csv"))


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _example(tmp_path: Path) -> Path:
    path = tmp_path / "cohort.csv"
    path.write_bytes(EXAMPLE.read_bytes())
    return path


def _run(*args: object) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, [str(a) for a in args])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def test_score_example_writes_every_score(tmp_path: Path) -> None:
    src = _example(tmp_path)
    before = _sha(src)
    out = tmp_path / "scored.csv"
    code, stdout, _ = _run("score", src, "--out", out)
    assert code == 0
    assert _sha(src) == before
    scored = pd.read_csv(out)
    assert len(scored) == 40
    assert scored["patient_id"].tolist() == pd.read_csv(src)["patient_id"].tolist()
    for name, definition in REGISTRY.items():
        for column in (name, f"{name}_group", f"{name}_missing_reason"):
            assert column in scored.columns
        values = scored[name].dropna()
        assert values.between(definition.minimum, definition.maximum).all()
        assert f"  {name}" in stdout
        # A score is missing exactly where a reason is given.
        assert (scored[name].isna() == scored[f"{name}_missing_reason"].notna()).all()
    # EX-005 has no KPS: revised Tokuhashi is missing for it, with that reason.
    row = scored.set_index("patient_id").loc["EX-005"]
    assert np.isnan(row["tokuhashi_revised"])
    assert "kps missing" in row["tokuhashi_revised_missing_reason"]
    assert "Read 40 rows" in stdout
    assert "kps missing in 1" in stdout


@pytest.mark.parametrize("suffix", [".parquet", ".xlsx"])
def test_score_other_output_formats(tmp_path: Path, suffix: str) -> None:
    out = tmp_path / f"scored{suffix}"
    code, _, _ = _run("score", _example(tmp_path), "--out", out)
    assert code == 0
    back = read_table(out)
    assert len(back) == 40
    assert "sins_group" in back.columns


def test_vertebral_option_is_passed_through(tmp_path: Path) -> None:
    src = _example(tmp_path)
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    assert _run("score", src, "--out", a)[0] == 0
    assert _run("score", src, "--out", b, "--vertebral-option", "3-12-0")[0] == 0
    default, alt = pd.read_csv(a), pd.read_csv(b)
    # Revised Tokuhashi vertebral item: '321' gives 1 vertebra 2 points, '3-12-0' gives
    # 1-2 vertebrae 1 point, both give 2 vertebrae 1 point and >= 3 vertebrae 0 points.
    diff = (default["tokuhashi_revised"] - alt["tokuhashi_revised"]).dropna()
    expected = (default.loc[diff.index, "vertebral_mets"] == 1).astype(float)
    assert diff.tolist() == expected.tolist()
    assert diff.sum() > 0


def test_score_with_column_map(tmp_path: Path) -> None:
    user = pd.read_csv(EXAMPLE, dtype=str, keep_default_na=False).rename(
        columns={"kps": "Karnofsky", "primary_site": "Tumour"}
    )
    user["Tumour"] = user["Tumour"].replace({"lung": "Lung ca"})
    src = tmp_path / "user.csv"
    user.to_csv(src, index=False, sep=";")
    cmap = tmp_path / "map.toml"
    cmap.write_text('[columns]\n"Karnofsky" = "kps"\n"Tumour" = "primary_site"\n'
                    '[values.primary_site]\n"Lung ca" = "lung"\n')
    out = tmp_path / "o.csv"
    code, stdout, _ = _run("score", src, "--out", out, "--map", cmap)
    assert code == 0, stdout
    direct = tmp_path / "direct.csv"
    assert _run("score", EXAMPLE, "--out", direct)[0] == 0
    pd.testing.assert_frame_equal(pd.read_csv(out), pd.read_csv(direct))
    assert "semicolon" in stdout


def _edited(tmp_path: Path, column: str, cells: dict[int, str]) -> Path:
    df = pd.read_csv(EXAMPLE, dtype=str, keep_default_na=False)
    for row, value in cells.items():
        df.loc[row, column] = value
    path = tmp_path / "bad.csv"
    df.to_csv(path, index=False)
    return path


def _renamed(tmp_path: Path, old: str, new: str) -> Path:
    df = pd.read_csv(EXAMPLE, dtype=str, keep_default_na=False).rename(columns={old: new})
    path = tmp_path / "bad.csv"
    df.to_csv(path, index=False)
    return path


def _raw(tmp_path: Path, data: bytes, name: str = "bad.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


# Each bad input of the issue: a file maker and what the message must say.
BAD = {
    "wrong column name": (lambda t: _renamed(t, "kps", "KPS"), ["'KPS'", "'kps'", "--map"]),
    "unknown site labels": (
        lambda t: _edited(t, "primary_site", {0: "Colon ca", 3: "bone"}),
        ["'primary_site'", "2 rows (rows 1 (id EX-001), 4 (id EX-004))", "'Colon ca'", "'bone'"],
    ),
    "kps 55": (lambda t: _edited(t, "kps", {1: "55"}),
               ["'kps'", "1 row (row 2 (id EX-002))", "55", "multiples of 10"]),
    "negative time": (lambda t: _edited(t, "time_months", {2: "-3"}),
                      ["'time_months'", "1 row (row 3 (id EX-003))", "negative"]),
    "NaN time": (lambda t: _edited(t, "time_months", {5: "NaN", 39: ""}),
                 ["'time_months'", "2 rows (rows 6 (id EX-006), 40 (id EX-040))", "missing"]),
    "event coded 1/2": (
        lambda t: _edited(t, "event", dict(enumerate(["1", "2"] * 20))),
        ["'event'", "Pass --event-value 2 if 2 means death (R survival's 1/2 coding)"],
    ),
    "duplicate ids": (lambda t: _edited(t, "patient_id", {9: "EX-002"}),
                      ["'patient_id'", "2 rows (rows 2 (id EX-002), 10 (id EX-002))"]),
    "empty file": (lambda t: _raw(t, b""), ["empty (0 bytes)"]),
    "header only": (lambda t: _raw(t, b"patient_id,kps\n"), ["no data rows"]),
    "png": (lambda t: _raw(t, b"\x89PNG\r\n\x1a\n\x00\x00"), ["not a text table", "PNG"]),
    "prose": (
        lambda t: _raw(t, b"Dear colleague, here is the cohort\nas discussed, best\nwishes\n"),
        ["does not look like a table"],
    ),
    "unknown extension": (lambda t: _raw(t, b"a,b\n1,2\n", "c.sav"), ["unknown extension '.sav'"]),
    "missing file": (lambda t: t / "absent.csv", ["does not exist"]),
    "no score computable": (
        lambda t: _raw(t, b"patient_id,age\nA,60\n"),
        ["no score can be computed", "tokuhashi_revised needs kps", "sins needs sins_location",
         "['patient_id', 'age']"],
    ),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_input_exits_2_with_message(case: str, tmp_path: Path) -> None:
    make, pieces = BAD[case]
    src = make(tmp_path)
    before = _sha(src) if src.exists() else None
    out = tmp_path / "out.csv"
    code, stdout, stderr = _run("score", src, "--out", out)
    assert code == 2
    assert stderr.startswith("error: ")
    for piece in pieces:
        assert piece in stderr, (piece, stderr)
    assert "Traceback" not in stderr + stdout
    assert not out.exists()
    if before is not None:
        assert _sha(src) == before


def test_output_refuses_to_overwrite_input(tmp_path: Path) -> None:
    src = _example(tmp_path)
    before = _sha(src)
    code, _, stderr = _run("score", src, "--out", src)
    assert code == 2
    assert "refusing to overwrite the input file" in stderr
    assert _sha(src) == before


def test_bad_map_exits_2(tmp_path: Path) -> None:
    cmap = tmp_path / "m.toml"
    cmap.write_text('[columns]\n"Karnofsky" = "kps"\n')
    code, _, stderr = _run("score", _example(tmp_path), "--out", tmp_path / "o.csv", "--map", cmap)
    assert code == 2
    assert "'Karnofsky'" in stderr
    assert "does not have" in stderr


def _cohort_executable() -> Path:
    exe = Path(sys.executable).with_name("cohort")
    assert exe.exists(), f"the cohort console script is not installed next to {sys.executable}"
    return exe


def test_real_executable_success_and_user_error(tmp_path: Path) -> None:
    exe = _cohort_executable()
    src = _example(tmp_path)
    out = tmp_path / "scored.csv"
    ok = subprocess.run([exe, "score", src, "--out", out], capture_output=True, text=True,
                        check=False, timeout=120)
    assert ok.returncode == 0, ok.stderr
    assert "Wrote 40 rows" in ok.stdout
    assert len(pd.read_csv(out)) == 40

    bad = _edited(tmp_path, "kps", {1: "55"})
    res = subprocess.run([exe, "score", bad, "--out", tmp_path / "x.csv"], capture_output=True,
                         text=True, check=False, timeout=120)
    assert res.returncode == 2
    assert "column 'kps': 1 row (row 2 (id EX-002))" in res.stderr
    assert "Traceback" not in res.stderr
    assert res.stdout == ""


def test_rescoring_own_output_is_stable_and_conflicts_are_errors(tmp_path: Path) -> None:
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    assert _run("score", _example(tmp_path), "--out", first)[0] == 0
    assert _run("score", first, "--out", second)[0] == 0
    pd.testing.assert_frame_equal(pd.read_csv(first), pd.read_csv(second))
    # A different option would overwrite existing score values: refused, not replaced.
    code, _, stderr = _run("score", first, "--out", tmp_path / "c.csv",
                           "--vertebral-option", "3-12-0")
    assert code == 2
    assert "'tokuhashi_revised' is already in the table" in stderr


def test_score_accepts_event_value_and_time_unit(tmp_path: Path) -> None:
    # An export with survival in days and events as words: scoring does not need them,
    # but they are checked and written in canonical form (months, 0/1), not rejected.
    src = pd.read_csv(EXAMPLE)
    days = src.copy()
    days["time_months"] = src["time_months"] * 365.25 / 12
    days["event"] = src["event"].map({1: "dead", 0: "alive"})
    path = tmp_path / "days.csv"
    days.to_csv(path, index=False)
    before = _sha(path)
    out = tmp_path / "scored.csv"
    plain = CliRunner().invoke(cli, ["score", str(path), "--out", str(out)])
    assert plain.exit_code == 2
    assert "--event-value" in plain.output
    result = CliRunner().invoke(cli, ["score", str(path), "--out", str(out),
                                      "--event-value", "dead", "--time-unit", "days"])
    assert result.exit_code == 0, result.output
    assert "converted from days to months" in result.output
    scored = pd.read_csv(out)
    np.testing.assert_allclose(scored["time_months"], src["time_months"], rtol=1e-12)
    assert scored["event"].tolist() == src["event"].tolist()
    assert _sha(path) == before


def test_output_inside_a_file_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "results"
    blocker.write_text("not a directory")
    result = CliRunner().invoke(cli, ["score", str(_example(tmp_path)), "--out",
                                      str(blocker / "scored.csv")])
    assert result.exit_code == 2
    assert "is a file, not a directory" in result.output


def test_data_on_another_sheet_is_pointed_out(tmp_path: Path) -> None:
    book = tmp_path / "two.xlsx"
    with pd.ExcelWriter(book) as w:
        pd.DataFrame({"info": ["read me"]}).to_excel(w, sheet_name="README", index=False)
        pd.read_csv(EXAMPLE).to_excel(w, sheet_name="Cohort", index=False)
    out = tmp_path / "scored.csv"
    result = CliRunner().invoke(cli, ["score", str(book), "--out", str(out)])
    assert result.exit_code == 2
    assert "has 2 sheets; read the first, 'README'" in result.output
    cmap = tmp_path / "map.toml"
    cmap.write_text('[read]\nsheet = "Cohort"\n', encoding="utf-8")
    ok = CliRunner().invoke(cli, ["score", str(book), "--map", str(cmap), "--out", str(out)])
    assert ok.exit_code == 0, ok.output
    assert len(pd.read_csv(out)) == len(pd.read_csv(EXAMPLE))
