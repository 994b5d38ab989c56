"""Report directories: byte-identical rebuilds, the validate hook, the command line and the
synthetic generated-vs-target table."""

from __future__ import annotations

import json
from importlib.resources import files

import pytest

from cohort.cli import main as cohort_main
from cohort.io import load_cohort
from cohort.validation.pipeline import run_validation
from reports.build import build_report, main, synthetic_targets
from reports.html import ReportOptions

EXAMPLE = files("cohort.data") / "example_cohort.csv"


def _build(out, seed):
    loaded = load_cohort(EXAMPLE)
    result = run_validation(loaded, ["tomita"], bootstrap=5, seed=seed,
                            compare=False)
    build_report(result, out, ReportOptions(source_name="example_cohort.csv", seed=seed))
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file()}


def test_same_seed_gives_identical_bytes(tmp_path):
    a = _build(tmp_path / "a", seed=7)
    b = _build(tmp_path / "b", seed=7)
    assert {"index.html", "results.json", "tables/c_index.csv"} <= set(a)
    assert a.keys() == b.keys()
    assert [k for k in a if a[k] != b[k]] == []
    # no temporary files left behind
    assert not [k for k in a if ".tmp" in k or k.startswith(".")]
    ci = json.loads(a["results.json"])["scores"]["tomita"]["harrell_c_ci"]
    assert f"{ci[0]:.3f}" in a["index.html"].decode()


def test_validate_command_writes_report_html(tmp_path):
    out = tmp_path / "val"
    code = cohort_main(["validate", str(EXAMPLE), "--out", str(out), "--score", "tomita",
                        "--bootstrap", "5"])
    assert code == 0
    page = (out / "report.html").read_text(encoding="utf-8")
    assert 'id="fig-km-tomita"' in page
    assert "Input: <code>example_cohort.csv</code>" in page
    assert (out / "results.json").exists()
    assert not (out / "index.html").exists()


def test_command_line_user_file(tmp_path, capsys):
    out = tmp_path / "r"
    code = main([str(EXAMPLE), "--out", str(out), "--score", "tokuhashi_revised",
                 "--bootstrap", "5", "--horizons", "6,12"])
    assert code == 0
    assert (out / "index.html").exists()
    settings = json.loads((out / "results.json").read_text())["settings"]
    assert settings["horizons"] == [6.0, 12.0]
    assert settings["bootstrap"] == 5
    assert "report written to" in capsys.readouterr().out


@pytest.mark.parametrize("argv", [["--map", "x.toml"], ["--score", "tomita"]])
def test_command_line_options_need_input(argv, capsys):
    assert main(argv) == 2
    assert "needs an INPUT file" in capsys.readouterr().err


def test_command_line_bad_horizons_is_user_error(tmp_path, capsys):
    assert main([str(EXAMPLE), "--out", str(tmp_path / "x"), "--horizons", "0,6"]) == 2
    assert "--horizons" in capsys.readouterr().err


def test_synthetic_targets_table():
    import synthetic

    frame = synthetic.generate(400, seed=3)
    table = synthetic_targets(frame)
    check = synthetic.calibration_check(frame=frame)
    assert len(table) == len(check)
    assert list(table["target"]) == list(check["target"])
    assert (table["lower"] <= table["target_value"]).all()
    assert (table["target_value"] <= table["upper"]).all()
    inside = (table["generated"] >= table["lower"]) & (table["generated"] <= table["upper"])
    # the band reproduces the checker's own pass/fail verdicts
    assert (inside == table["passed"]).all()


def test_synthetic_targets_match_the_wanted_text():
    """The numeric band agrees with the checker's text: "10 ± 1.5" is 8.5, 10, 11.5."""
    import synthetic

    frame = synthetic.generate(200, seed=1)
    table = synthetic_targets(frame)
    wanted = synthetic.calibration_check(frame=frame)["wanted"].astype(str)
    plus_minus = wanted.str.contains("±")
    assert plus_minus.any()
    assert (~plus_minus).any()
    for w, row in zip(wanted, table.itertuples(), strict=True):
        if "±" in w:
            value, tol = (float(x) for x in w.split("±"))
            assert (row.lower, row.target_value, row.upper) == pytest.approx(
                (value - tol, value, value + tol))
        else:  # a range "lo-hi": the target value is its middle
            lo, hi = (float(x) for x in w.split("-"))
            assert (row.lower, row.target_value, row.upper) == pytest.approx(
                (lo, (lo + hi) / 2, hi))
