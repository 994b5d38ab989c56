"""`cohort generate` and `cohort calibration-check` through the core CLI (entry points)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from click.testing import CliRunner

from cohort.cli import cli


def test_generate_writes_csv_and_parquet(tmp_path: Path) -> None:
    runner = CliRunner()
    for name in ("c.csv", "c.parquet"):
        out = tmp_path / name
        res = runner.invoke(cli, ["generate", "--n", "300", "--seed", "4", "--out", str(out)])
        assert res.exit_code == 0, res.output
        df = pd.read_csv(out) if name.endswith(".csv") else pd.read_parquet(out)
        assert len(df) == 300
        assert {"time_months", "event", "true_lp"} <= set(df.columns)
    assert not list(tmp_path.glob("*.tmp*"))


def test_generate_rejects_unknown_extension(tmp_path: Path) -> None:
    res = CliRunner().invoke(cli, ["generate", "--n", "5", "--out", str(tmp_path / "x.txt")])
    assert res.exit_code == 2
    assert ".csv or .parquet" in res.output


def test_calibration_check_passes_and_prints_table() -> None:
    res = CliRunner().invoke(cli, ["calibration-check", "--n", "20000", "--seed", "1"])
    assert res.exit_code == 0, res.output
    assert "tokuhashi_harrell_c" in res.output
    assert "all 41 targets met" in res.output


def test_calibration_check_exits_1_on_a_missed_target(tmp_path: Path) -> None:
    spec = tmp_path / "spec.toml"
    spec.write_text('[targets.male_percent]\nlow = 90.0\nhigh = 100.0\nsource = "test"\n')
    res = CliRunner().invoke(cli, ["calibration-check", "--n", "5000", "--spec", str(spec)])
    assert res.exit_code == 1
    assert "male_percent" in res.output
    assert "NO" in res.output


def test_bad_spec_is_a_user_error(tmp_path: Path) -> None:
    spec = tmp_path / "spec.toml"
    spec.write_text("[primary_site.share]\nbreast = 50.0\n")
    res = CliRunner().invoke(cli, ["generate", "--n", "5", "--spec", str(spec),
                                   "--out", str(tmp_path / "o.csv")])
    assert res.exit_code == 2
    assert "primary_site.share" in res.output
