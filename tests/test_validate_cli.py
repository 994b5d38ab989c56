"""`cohort validate` end to end on a user-style file (other names, days, events 1/2, gaps)."""

from __future__ import annotations

import hashlib
import json
from importlib.resources import files
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from lifelines import KaplanMeierFitter

from cohort.cli import cli
from cohort.scores import REGISTRY

DAYS_PER_MONTH = 365.25 / 12
MISSING_KPS_ROWS = [3, 8, 17, 30]  # 0-based positions in the file
SCORE_KEYS = {"n", "direction", "harrell_c", "harrell_c_ci", "uno_c", "td_auc", "brier", "ibs",
              "cox", "groups", "logrank_p", "trend_p", "calibration", "optimism_corrected_c",
              "consistency_rate"}


def _example() -> pd.DataFrame:
    path = files("cohort.data").joinpath("example_cohort.csv")
    return pd.read_csv(str(path), dtype={"patient_id": str})


@pytest.fixture
def user_file(tmp_path: Path) -> tuple[Path, Path, pd.DataFrame]:
    canon = _example()
    user = canon.rename(columns={"patient_id": "Patient", "kps": "KPS (%)",
                                 "primary_site": "Primary tumour"})
    user["OS days"] = canon["time_months"] * DAYS_PER_MONTH
    user["Status"] = np.where(canon["event"] == 1, 2, 1)  # R style: 2 = dead, 1 = alive
    user = user.drop(columns=["time_months", "event"])
    user.loc[MISSING_KPS_ROWS, "KPS (%)"] = np.nan
    user["Primary tumour"] = user["Primary tumour"].replace({"lung": "Lung ca"})
    rng = np.random.default_rng(0)
    user["frailty index"] = np.round(rng.normal(size=len(user)) - canon["kps"].fillna(50) / 30, 2)
    csv = tmp_path / "my cohort.csv"
    user.to_csv(csv, index=False, float_format="%.10g")
    cmap = tmp_path / "map.toml"
    cmap.write_text(
        '[columns]\n"Patient" = "patient_id"\n"KPS (%)" = "kps"\n'
        '"Primary tumour" = "primary_site"\n"OS days" = "time_months"\n"Status" = "event"\n'
        '[values.primary_site]\n"Lung ca" = "lung"\n[time]\nunit = "days"\n',
        encoding="utf-8",
    )
    return csv, cmap, canon


def test_validate_user_style_csv_end_to_end(user_file, tmp_path: Path) -> None:
    csv, cmap, canon = user_file
    digest = hashlib.sha256(csv.read_bytes()).hexdigest()
    out = tmp_path / "out"
    res = CliRunner().invoke(cli, [
        "validate", str(csv), "--out", str(out), "--map", str(cmap), "--event-value", "2",
        "--score", "tokuhashi_revised", "--score", "frailty index:higher-is-worse",
        "--horizons", "3,6,12", "--bootstrap", "20", "--seed", "3",
    ])
    assert res.exit_code == 0, res.output
    assert hashlib.sha256(csv.read_bytes()).hexdigest() == digest  # input untouched
    r = json.loads((out / "results.json").read_text(encoding="utf-8"))
    n = len(canon)
    # nothing lost: every row analysed; the 4 rows without KPS listed, for that score only
    assert (r["n_input_rows"], r["n_analysed"], r["n_events"]) == (n, n, int(canon.event.sum()))
    inputs = list(REGISTRY["tokuhashi_revised"].inputs)
    gaps = canon[inputs].isna().any(axis=1).to_numpy()
    gaps[MISSING_KPS_ROWS] = True
    expected = np.flatnonzero(gaps)
    assert [x["row"] for x in r["excluded"]] == (expected + 1).tolist()
    assert [x["patient_id"] for x in r["excluded"]] == canon.patient_id[expected].tolist()
    for x in r["excluded"]:
        assert "tokuhashi_revised (" in x["reason"]
        if x["row"] - 1 in MISSING_KPS_ROWS:
            assert "kps missing" in x["reason"]
    tok, custom = r["scores"]["tokuhashi_revised"], r["scores"]["frailty index"]
    assert (tok["n"], custom["n"]) == (n - len(expected), n)
    assert set(tok) >= SCORE_KEYS
    assert set(custom) >= SCORE_KEYS
    assert tok["direction"] == "higher_is_better"
    assert custom["direction"] == "higher_is_worse"
    # days were converted: the overall median equals the KM median of the original months
    kmf = KaplanMeierFitter().fit(canon["time_months"], canon["event"])
    assert r["overall"]["median"] == pytest.approx(kmf.median_survival_time_, rel=1e-5)
    assert set(r["overall"]["survival"]) == {"3", "6", "12"}
    assert r["settings"]["bootstrap"] == 20
    tables = {p.stem for p in (out / "tables").glob("*.csv")}
    assert {"c_index", "td_auc", "calibration", "cox_scores", "km_curves", "km_at_risk",
            "excluded_rows", "cox_multivariable"} <= tables
    c_index = pd.read_csv(out / "tables" / "c_index.csv")
    assert list(c_index.columns[:5]) == ["score", "harrell_c", "ci_lower", "ci_upper", "uno_c"]
    cal = pd.read_csv(out / "tables" / "calibration.csv")
    assert {"horizon", "group", "n", "predicted", "observed", "observed_lower",
            "observed_upper"} <= set(cal.columns)
    assert "written to" in res.output


def test_validate_unknown_score_column_is_a_clear_error(user_file, tmp_path: Path) -> None:
    csv, cmap, _ = user_file
    res = CliRunner().invoke(cli, [
        "validate", str(csv), "--out", str(tmp_path / "o"), "--map", str(cmap),
        "--event-value", "2", "--score", "nosuch:higher-is-better", "--bootstrap", "5",
    ])
    assert res.exit_code == 2
    assert "'nosuch'" in res.output
    assert not (tmp_path / "o" / "results.json").exists()


def test_validate_custom_score_without_direction_and_bad_horizons(user_file, tmp_path) -> None:
    csv, cmap, _ = user_file
    base = ["validate", str(csv), "--out", str(tmp_path / "o"), "--map", str(cmap),
            "--event-value", "2", "--bootstrap", "5"]
    res = CliRunner().invoke(cli, [*base, "--score", "frailty index"])
    assert res.exit_code == 2
    assert "higher-is-better" in res.output
    res = CliRunner().invoke(cli, [*base, "--horizons", "6,x"])
    assert res.exit_code == 2
    assert "--horizons" in res.output


def test_validate_progress_only_when_stderr_is_a_terminal(user_file, tmp_path: Path,
                                                          monkeypatch) -> None:
    import cohort.cli
    import cohort.validation.pipeline

    seen: list[bool] = []

    def fake_run(input_path, out_dir, *, progress, **options):
        seen.append(progress)
        return "done"

    monkeypatch.setattr(cohort.validation.pipeline, "run_cli_validation", fake_run)
    csv, _, _ = user_file
    args = ["validate", str(csv), "--out", str(tmp_path / "o")]
    assert CliRunner().invoke(cli, args).exit_code == 0  # CliRunner's stderr is no terminal
    monkeypatch.setattr(cohort.cli, "_stderr_is_terminal", lambda: True)
    assert CliRunner().invoke(cli, args).exit_code == 0
    assert seen == [False, True]


def test_validate_output_is_clean_when_redirected(tmp_path: Path) -> None:
    """Not at a terminal: stdout is the summary only (no blank lines), stderr is empty."""
    example = str(files("cohort.data").joinpath("example_cohort.csv"))
    res = CliRunner().invoke(cli, ["validate", example, "--out", str(tmp_path / "o"),
                                   "--score", "tomita", "--bootstrap", "3"])
    assert res.exit_code == 0, res.output
    assert res.stderr == ""
    lines = res.stdout.splitlines()
    assert lines[0].startswith(tuple("0123456789"))
    assert "" not in lines
    assert lines[-1].startswith("written to ")


def test_validate_prints_how_the_file_was_read(tmp_path: Path) -> None:
    # times in days without --time-unit: the implausible median is said on stdout, not
    # only in the report; with --time-unit the conversion is said instead
    canon = _example()
    days = canon.assign(time_months=canon["time_months"] * DAYS_PER_MONTH)
    path = tmp_path / "days.csv"
    days.to_csv(path, index=False)
    plain = CliRunner().invoke(cli, ["validate", str(path), "--out", str(tmp_path / "a"),
                                     "--bootstrap", "2", "--score", "tokuhashi_revised"])
    assert plain.exit_code == 0, plain.output
    assert "note: the median survival time is" in plain.output
    assert "--time-unit" in plain.output
    converted = CliRunner().invoke(cli, ["validate", str(path), "--out", str(tmp_path / "b"),
                                         "--bootstrap", "2", "--score", "tokuhashi_revised",
                                         "--time-unit", "days"])
    assert converted.exit_code == 0, converted.output
    assert "note: survival times converted from days to months" in converted.output
    assert "median survival time is" not in converted.output
