"""run_validation / write_outputs: schema of results.json, exclusions, determinism, hooks."""

from __future__ import annotations

import json
from importlib.resources import files
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cohort.errors import CohortInputError, SchemaError
from cohort.io import load_cohort
from cohort.validation import pipeline
from cohort.validation.pipeline import ScoreSpec, run_validation, write_outputs

TOP_KEYS = {"n_input_rows", "n_analysed", "n_events", "excluded", "overall", "scores",
            "cox_multivariable"}


@pytest.fixture(scope="module")
def loaded():
    return load_cohort(str(files("cohort.data").joinpath("example_cohort.csv")))


def test_results_follow_design_schema_and_are_deterministic(loaded, tmp_path: Path) -> None:
    a = run_validation(loaded, ["tokuhashi_revised", "tomita"], bootstrap=8, seed=4)
    b = run_validation(loaded, ["tokuhashi_revised", "tomita"], bootstrap=8, seed=4)
    assert set(a.results) >= TOP_KEYS
    assert set(a.results["overall"]) >= {"median", "median_ci", "survival"}
    files_a = write_outputs(a, tmp_path / "a", report=False)
    write_outputs(b, tmp_path / "b", report=False)
    for f in files_a:
        rel = f.relative_to(tmp_path / "a")
        assert f.read_bytes() == (tmp_path / "b" / rel).read_bytes(), rel
    data = json.loads((tmp_path / "a" / "results.json").read_text(encoding="utf-8"))
    tok = data["scores"]["tokuhashi_revised"]
    assert tok["cox"]["hr_per_point"] < 1  # higher is better: hazard falls per point
    assert tok["harrell_c"] > 0.5
    assert len(tok["harrell_c_ci"]) == 2
    assert [g["label"] for g in tok["groups"]] == [
        g for g in ("0-8", "9-11", "12-15") if g in {x["label"] for x in tok["groups"]}]
    assert data["scores"]["tomita"]["direction"] == "higher_is_worse"
    assert set(tok["calibration"]) == {"3", "6", "12"}
    assert 0 <= tok["consistency_rate"] <= 1
    assert tok["optimism_corrected_c"] == pytest.approx(
        tok["harrell_c"] - tok["optimism"]["c_optimism"], abs=1e-5)
    # a km table per score plus overall, with the contract columns
    assert set(a.km) == {"overall", "tokuhashi_revised", "tomita"}
    assert list(a.km["tomita"].curves.columns) == ["group", "time", "survival", "ci_lower",
                                                   "ci_upper"]
    assert list(a.tables["td_auc"].columns) == ["score", "time", "auc"]


def test_rows_without_time_are_excluded_and_listed_nothing_else_lost(loaded) -> None:
    frame = loaded.frame.copy()
    frame["time_months"] = frame["time_months"].astype(float)
    frame.loc[[2, 5], "time_months"] = np.nan
    res = run_validation(frame, ["van_der_linden"], bootstrap=5, seed=0, compare=False)
    r = res.results
    assert (r["n_input_rows"], r["n_analysed"]) == (len(frame), len(frame) - 2)
    first = [x for x in r["excluded"] if "every analysis" in x["reason"]]
    assert [x["row"] for x in first] == [3, 6]
    vdl_missing = frame.drop(index=[2, 5])[["kps", "primary_site", "visceral_mets"]]
    n_missing = int(vdl_missing.isna().any(axis=1).sum())
    assert r["scores"]["van_der_linden"]["n"] == len(frame) - 2 - n_missing
    assert len(r["excluded"]) == 2 + n_missing
    assert list(res.excluded.columns) == ["row", "patient_id", "reason"]


def test_custom_score_tertiles_and_supplied_known_score_column(loaded) -> None:
    frame = loaded.frame[["patient_id", "time_months", "event"]].copy()
    rng = np.random.default_rng(1)
    frame["risk index"] = rng.normal(size=len(frame)) + frame["time_months"].rank() / -10
    frame["tokuhashi_revised"] = rng.integers(0, 16, len(frame))  # no inputs: taken as is
    res = run_validation(frame, ["risk index:higher-is-worse", "tokuhashi_revised"],
                         bootstrap=5, seed=0)
    custom = res.results["scores"]["risk index"]
    assert len(custom["groups"]) == 3  # tertiles
    assert custom["harrell_c"] > 0.5
    tok = res.results["scores"]["tokuhashi_revised"]
    assert tok["source"] == "column"
    assert res.results["cox_multivariable"] == []  # the items are not available


def test_supplied_score_column_is_not_rounded_or_coerced(loaded) -> None:
    frame = loaded.frame[["patient_id", "time_months", "event"]].copy()
    frame["tokuhashi_revised"] = (np.arange(len(frame)) % 16).astype(float)
    frame.loc[3, "tokuhashi_revised"] = 8.6  # would have been grouped as 9 (9-11)
    with pytest.raises(SchemaError, match=r"tokuhashi_revised.*\(row 4\b.*8.6"):
        run_validation(frame, ["tokuhashi_revised"], bootstrap=2)
    frame = frame.astype({"tokuhashi_revised": object})
    frame.loc[3, "tokuhashi_revised"] = "nine"  # would have become missing silently
    frame.loc[5, "tokuhashi_revised"] = ""      # a blank cell stays a missing score
    with pytest.raises(SchemaError, match=r"'nine'.*not numbers|not numbers.*'nine'"):
        run_validation(frame, ["tokuhashi_revised"], bootstrap=2)
    frame["custom"] = frame["tokuhashi_revised"]
    with pytest.raises(SchemaError, match=r"column 'custom'.*1 row \(row 4"):
        run_validation(frame, ["custom:higher-is-better"], bootstrap=2)


def test_settings_record_every_score_option(loaded) -> None:
    from cohort.scores import ScoreOptions

    opts = ScoreOptions(van_der_linden_kps10="missing")
    res = run_validation(loaded, ["van_der_linden"], bootstrap=2, options=opts)
    assert res.results["settings"]["van_der_linden_kps10"] == "missing"


def test_bad_specs_are_clear_errors(loaded) -> None:
    with pytest.raises(CohortInputError, match="higher-is-better"):
        ScoreSpec.parse("x:up")
    with pytest.raises(SchemaError, match="no such column"):
        run_validation(loaded, ["nosuch:higher-is-worse"], bootstrap=2)
    with pytest.raises(CohortInputError, match="direction"):
        run_validation(loaded, ["age"], bootstrap=2)


def test_too_few_deaths_gives_nulls_with_reason(loaded) -> None:
    frame = loaded.frame.head(8)
    res = run_validation(frame, ["tomita"], bootstrap=2, seed=0)
    s = res.results["scores"]["tomita"]
    assert "harrell_c" not in s or s["harrell_c"] is None
    assert "too few" in s["null_reasons"]["all"]


def _fake_writer(monkeypatch, writer) -> None:
    class FakeEntryPoint:
        name = "html"

        def load(self):
            return writer

    def fake_entry_points(group: str):
        return [FakeEntryPoint()] if group == "cohort.report_writers" else []

    monkeypatch.setattr(pipeline, "entry_points", fake_entry_points)


def test_report_writer_entry_point_is_called(loaded, tmp_path: Path, monkeypatch) -> None:
    calls = []

    def writer(result, out):
        calls.append((result, Path(out)))
        (Path(out) / "report.html").write_text("page", encoding="utf-8")

    _fake_writer(monkeypatch, writer)
    res = run_validation(loaded, ["tomita"], bootstrap=2, seed=0)
    write_outputs(res, tmp_path / "o")
    assert len(calls) == 1
    assert calls[0][0] is res
    assert calls[0][1].parent == tmp_path / "o"  # written in a staging directory there
    assert (tmp_path / "o" / "report.html").read_text(encoding="utf-8") == "page"
    assert pd.read_csv(tmp_path / "o" / "tables" / "c_index.csv")["score"].tolist() == ["tomita"]
    assert sorted(p.name for p in (tmp_path / "o").iterdir()) == [
        "report.html", "results.json", "tables"]  # no staging directory left


def test_interrupted_write_leaves_the_previous_set_whole(
    loaded, tmp_path: Path, monkeypatch
) -> None:
    def writer(result, out):
        (Path(out) / "report.html").write_text("old page", encoding="utf-8")

    _fake_writer(monkeypatch, writer)
    first = run_validation(loaded, ["tomita"], bootstrap=2, seed=0)
    write_outputs(first, tmp_path / "o")
    before = {p: p.read_bytes() for p in (tmp_path / "o").rglob("*") if p.is_file()}

    def interrupted(result, out):
        raise KeyboardInterrupt  # Ctrl-C while the (slow) report is being built

    _fake_writer(monkeypatch, interrupted)
    second = run_validation(loaded, ["tomita", "sins"], bootstrap=2, seed=1)
    with pytest.raises(KeyboardInterrupt):
        write_outputs(second, tmp_path / "o")
    after = {p: p.read_bytes() for p in (tmp_path / "o").rglob("*") if p.is_file()}
    assert after == before  # old results.json and tables beside the old page, untouched
    assert not [p for p in (tmp_path / "o").iterdir() if p.name.startswith(".")]


def test_constant_score_is_reported_not_crashing(loaded) -> None:
    frame = loaded.frame[["patient_id", "time_months", "event"]].copy()
    frame["flat"] = 3.0
    res = run_validation(frame, ["flat:higher-is-worse"], bootstrap=2, seed=0)
    assert "single value" in res.results["scores"]["flat"]["null_reasons"]["all"]
    assert res.results["scores"]["flat"]["n"] == len(frame)
