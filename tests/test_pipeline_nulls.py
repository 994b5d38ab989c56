"""results.json: every contract key present, every null explained, strict JSON, on hard cohorts.

Hard cohorts: follow-up shorter than the horizons, a score with a single value, all
patients censored, a score group with one patient, a group without deaths, n = 10; and
a score that works against its stated direction (the optimism-corrected C must stay on
the oriented scale).
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sksurv.metrics import integrated_brier_score
from sksurv.util import Surv

from cohort.validation.brier import fit_survival_model
from cohort.validation.pipeline import run_validation, write_outputs

HORIZONS = (3.0, 6.0, 12.0)
#: the per-score keys of the results.json contract in docs/design.md
SCORE_KEYS = {"n", "direction", "harrell_c", "harrell_c_ci", "uno_c", "td_auc", "brier",
              "ibs", "cox", "groups", "logrank_p", "trend_p", "calibration",
              "optimism_corrected_c", "consistency_rate"}


def _strict_json(path: Path) -> dict[str, Any]:
    def refuse(token: str) -> None:
        raise ValueError(f"non-standard JSON token {token}")

    return json.loads(path.read_text(encoding="utf-8"), parse_constant=refuse)


def _unexplained(entry: dict[str, Any], horizons: tuple[float, ...]) -> list[str]:
    """Contract values of a score entry that are null without a reason."""
    why = entry["null_reasons"]
    if "all" in why:
        return []
    hk = [f"{h:g}" for h in horizons]
    missing = []

    def need(value: object, *keys: str) -> None:
        if value is None and not any(k in why for k in keys):
            missing.append(keys[0])

    for key in ("harrell_c", "uno_c", "ibs", "logrank_p", "trend_p", "optimism_corrected_c",
                "consistency_rate"):
        need(entry[key], key)
    for v in entry["harrell_c_ci"]:
        need(v, "harrell_c_ci")
    for h in hk:
        need(entry["td_auc"][h], f"td_auc.{h}")
        need(entry["brier"][h], f"brier.{h}")
        need(entry["calibration"][h]["slope"], f"calibration.{h}")
        need(entry["calibration"][h]["ici"], f"calibration.{h}")
        need(entry["horizon_logistic"][h]["or_per_point"], f"horizon_logistic.{h}")
    for k in ("hr_per_point", "p"):
        need(entry["cox"][k], "cox")
    for v in entry["cox"]["hr_ci"]:
        need(v, "cox")
    for g in entry["groups"]:
        need(g["median"], f"groups.{g['label']}.median")
        need(g["median_ci"][0], f"groups.{g['label']}.median_ci.lower")
        need(g["median_ci"][1], f"groups.{g['label']}.median_ci.upper")
    return missing


def _cohort(n: int, seed: int, follow_up: float = 30.0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 4, n).astype(float)
    death = rng.exponential(1 / (0.1 * np.exp(0.4 * x)))
    cens = rng.uniform(1.0, follow_up, n)
    return pd.DataFrame({
        "patient_id": [f"p{i}" for i in range(n)],
        "time_months": np.minimum(death, cens),
        "event": (death <= cens).astype(int),
        "s": x,
    })


def _run(frame: pd.DataFrame, tmp_path: Path, spec: str = "s:higher-is-worse"
         ) -> dict[str, Any]:
    with warnings.catch_warnings():
        # separation in the by-group Cox model is expected in some of these cohorts
        warnings.filterwarnings("ignore", message=r"Cox model .* Refitted")
        warnings.filterwarnings("ignore", message=r"logistic model of death")
        res = run_validation(frame, [spec], horizons=HORIZONS, bootstrap=4, seed=0,
                             compare=False)
    write_outputs(res, tmp_path, report=False)
    return _strict_json(tmp_path / "results.json")


def _short_follow_up() -> pd.DataFrame:
    f = _cohort(80, 1)
    f["event"] = np.where(f["time_months"] > 5, 0, f["event"])
    f["time_months"] = np.minimum(f["time_months"], 5.0)
    return f


def _single_value() -> pd.DataFrame:
    return _cohort(40, 2).assign(s=3.0)


def _all_censored() -> pd.DataFrame:
    return _cohort(40, 3).assign(event=0)


def _one_patient_group() -> pd.DataFrame:
    f = _cohort(40, 4)
    f.loc[0, "s"] = 9.0
    return f


def _group_without_deaths() -> pd.DataFrame:
    f = _cohort(40, 5)
    f.loc[f["s"] == 0, "event"] = 0
    return f


def _value_only_in_early_censored() -> pd.DataFrame:
    """Two score values, one only in patients censored at 1 month: at every horizon the
    score is constant among the patients with known status."""
    f = _cohort(30, 9).assign(s=1.0)
    f.loc[:2, ["s", "time_months", "event"]] = [2.0, 1.0, 0]
    return f


def _ten() -> pd.DataFrame:
    f = _cohort(10, 6)
    f["event"] = [1, 1, 1, 1, 1, 1, 0, 0, 1, 0]
    return f


@pytest.mark.parametrize("make", [_short_follow_up, _single_value, _all_censored,
                                  _one_patient_group, _group_without_deaths, _ten,
                                  _value_only_in_early_censored])
def test_contract_keys_present_and_every_null_explained(make, tmp_path: Path) -> None:
    data = _run(make(), tmp_path)
    entry = data["scores"]["s"]
    assert set(entry) >= SCORE_KEYS, SCORE_KEYS - set(entry)
    assert _unexplained(entry, HORIZONS) == []
    overall = data["overall"]
    for h, v in overall["survival"].items():
        if v is None:
            assert f"survival.{h}" in overall["null_reasons"]


def test_short_follow_up_gives_nulls_beyond_it_not_extrapolations(tmp_path: Path) -> None:
    """Max follow-up 5 months, horizons 3, 6, 12: 6 and 12 are null with reasons."""
    data = _run(_short_follow_up(), tmp_path)
    overall, s = data["overall"], data["scores"]["s"]
    assert overall["survival"]["3"] is not None
    assert overall["survival"]["6"] is None
    assert overall["survival"]["12"] is None
    assert "beyond the last follow-up" in overall["null_reasons"]["survival.12"]
    for key in ("td_auc", "brier"):
        assert s[key]["3"] is not None
        assert s[key]["6"] is None
        assert s[key]["12"] is None
    assert "brier.12" in s["null_reasons"]
    assert s["uno_c"] is not None
    assert s["uno_tau"] < 5.0
    # the IBS interval is stated as it was integrated: from the first observed time to
    # the last one below the maximum follow-up
    assert s["ibs_from"] <= s["ibs_tau"] < 5.0


def test_optimism_corrected_c_stays_oriented_for_a_score_working_backwards() -> None:
    """A score declared higher-is-better that in fact works as higher-is-worse.

    The Cox model on it is the same whatever the declared direction, so its corrected C
    (on the model's scale, above 0.5) must map to 1 - corrected on the oriented scale.
    """
    f = _cohort(60, 7)
    f["s"] = f["s"] + np.random.default_rng(7).normal(0, 0.5, len(f))
    worse = run_validation(f, ["s:higher-is-worse"], bootstrap=20, seed=3,
                           compare=False).results["scores"]["s"]
    better = run_validation(f, ["s:higher-is-better"], bootstrap=20, seed=3,
                            compare=False).results["scores"]["s"]
    assert worse["harrell_c"] > 0.5 > better["harrell_c"]
    assert better["optimism"]["c_optimism"] != 0
    assert worse["optimism_corrected_c"] == pytest.approx(
        worse["optimism"]["c_corrected"], abs=1e-12)
    assert better["optimism_corrected_c"] == pytest.approx(
        1 - better["optimism"]["c_corrected"], abs=1e-12)


def test_ibs_window_matches_scikit_survival_on_that_grid() -> None:
    """The stated [ibs_from, ibs_tau] is the window scikit-survival integrates over."""
    f = _cohort(120, 8)
    s = run_validation(f, ["s:higher-is-worse"], bootstrap=2, seed=0,
                       compare=False).results["scores"]["s"]
    t, e, x = (f["time_months"].to_numpy(), f["event"].to_numpy(), f["s"].to_numpy())
    grid = np.unique(t[(t >= s["ibs_from"]) & (t <= s["ibs_tau"])])
    model = fit_survival_model(t, e, x)
    y = Surv.from_arrays(e.astype(bool), t)
    ref = integrated_brier_score(y, y, model.survival(x, grid), grid)
    assert s["ibs"] == pytest.approx(ref, rel=1e-9)
    assert s["ibs_tau"] == pytest.approx(grid[-1])
    assert s["ibs_tau"] <= max(HORIZONS)


def test_median_ci_limit_reasons_name_the_band_that_stays_above_half(tmp_path: Path) -> None:
    """lifelines: the median's upper limit is where the upper band reaches 50%."""
    from lifelines import KaplanMeierFitter
    from lifelines.utils import median_survival_times

    f = _cohort(80, 1)
    cut = 1.05 * KaplanMeierFitter().fit(f["time_months"], f["event"]).median_survival_time_
    f["event"] = np.where(f["time_months"] > cut, 0, f["event"])  # follow-up ends just
    f["time_months"] = np.minimum(f["time_months"], cut)  # after the median
    data = _run(f, tmp_path)
    kmf = KaplanMeierFitter().fit(f["time_months"], f["event"])
    lo_band, hi_band = kmf.confidence_interval_.iloc[:, 0], kmf.confidence_interval_.iloc[:, 1]
    limits = median_survival_times(kmf.confidence_interval_).to_numpy().ravel()
    assert np.isfinite(limits[0])
    assert lo_band.min() <= 0.5
    assert not np.isfinite(limits[1])
    assert hi_band.min() > 0.5
    assert data["overall"]["median_ci"][1] is None
    assert "upper 95% confidence band" in data["overall"]["null_reasons"]["median_ci.upper"]


def test_penalised_group_model_is_flagged_in_results(tmp_path: Path) -> None:
    """A score group without deaths separates the by-group Cox model; the refit is
    penalised (ConvergenceWarning) and results.json must say so, not only stderr."""
    f = _group_without_deaths()
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"logistic model of death")
        with pytest.warns(Warning, match="Refitted with a ridge penalty"):
            res = run_validation(f, ["s:higher-is-worse"], horizons=(3.0, 6.0), bootstrap=2,
                                 seed=0, compare=False)
    s = res.results["scores"]["s"]
    assert s["cox_groups"]
    assert all(row["penalized"] for row in s["cox_groups"])
    assert any("ridge penalty" in note for note in s["cox_groups_notes"])
    assert s["cox"]["penalized"] is False
