"""Spec loading and validation: every bad entry gives a SpecError naming it."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from cohort.errors import CohortError, SpecError
from synthetic.calibrate import cached_parameters, solve
from synthetic.spec import load_raw, parse_spec


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "spec.toml"
    path.write_text(text)
    return path


def test_spec_error_is_a_cohort_error() -> None:
    assert issubclass(SpecError, CohortError)


def test_default_spec_parses_with_every_value_sourced() -> None:
    spec = parse_spec(load_raw())
    assert math.isclose(spec.site_p.sum(), 1.0)
    # StatPearls shares (seed 002) survive parsing unchanged.
    from cohort.schema import PRIMARY_SITES

    shares = dict(zip(PRIMARY_SITES, spec.site_p * 100, strict=True))
    assert shares["breast"] == pytest.approx(21.0)
    assert shares["lung"] == pytest.approx(19.0)
    assert shares["prostate"] == pytest.approx(7.5)
    # Pooled HRs of clinical references 6.3 become log hazard ratios.
    assert spec.log_hr["non_ambulatory"] == pytest.approx(math.log(1.96))
    assert spec.log_hr["frankel_CD"] == pytest.approx(math.log(1.73))


def test_shares_not_summing_to_100_name_the_entry(tmp_path: Path) -> None:
    path = _write(tmp_path, "[primary_site.share]\nbreast = 30.0\n")
    with pytest.raises(SpecError, match=r"primary_site\.share.*sum to 109"):
        parse_spec(load_raw(path))


def test_negative_rate_names_the_entry(tmp_path: Path) -> None:
    path = _write(tmp_path, "[censoring]\nloss_rate_per_month = { value = -0.01, "
                  "source = \"assumption\", reason = \"test\" }\n")
    with pytest.raises(SpecError, match=r"censoring\.loss_rate_per_month.*negative"):
        parse_spec(load_raw(path))


def test_negative_share_names_the_entry(tmp_path: Path) -> None:
    path = _write(tmp_path, "[spinal_region.share]\nthoracic = 90.0\nlumbar = -10.0\n")
    with pytest.raises(SpecError, match=r"spinal_region\.share\.lumbar.*negative"):
        parse_spec(load_raw(path))


def test_unknown_site_names_the_entry(tmp_path: Path) -> None:
    path = _write(tmp_path, "[primary_site.share]\nbreast = 11.0\nbrain = 10.0\n")
    with pytest.raises(SpecError, match=r"primary_site\.share.*unknown categories \['brain'\]"):
        parse_spec(load_raw(path))


def test_unknown_site_in_a_site_table(tmp_path: Path) -> None:
    path = _write(tmp_path, "[kps.site_shift]\nlungs = 0.3\n")
    with pytest.raises(SpecError, match=r"kps\.site_shift.*\['lungs'\]"):
        parse_spec(load_raw(path))


def test_value_without_source_is_rejected(tmp_path: Path) -> None:
    path = _write(tmp_path, "[age]\nmean = 70.0\n")
    with pytest.raises(SpecError, match=r"'age\.mean' has no source"):
        parse_spec(load_raw(path))


def test_assumption_needs_a_reason(tmp_path: Path) -> None:
    path = _write(tmp_path, "[age]\nmean = { value = 70.0, source = \"assumption\" }\n")
    with pytest.raises(SpecError, match=r"'age\.mean' is an assumption without a reason"):
        parse_spec(load_raw(path))


def test_non_positive_hazard_ratio(tmp_path: Path) -> None:
    path = _write(tmp_path, "[survival.hazard_ratio]\nmale = { value = 0.0, source = \"x\" }\n")
    with pytest.raises(SpecError, match=r"survival\.hazard_ratio\.male.*> 0"):
        parse_spec(load_raw(path))


def test_invalid_toml_is_a_spec_error(tmp_path: Path) -> None:
    path = _write(tmp_path, "[age\nmean = 1\n")
    with pytest.raises(SpecError, match="not valid TOML"):
        load_raw(path)


def test_unreachable_target_names_it(tmp_path: Path) -> None:
    # A 0-8 group living longer than the 12-15 group cannot come from the model
    # (the score's components all raise the hazard).
    path = _write(tmp_path, """
[calibration]
n = 20000
[targets.tokuhashi_median."0-8"]
value = 40.0
tolerance = 2.0
solve = true
source = "test"
[targets.tokuhashi_median."12-15"]
value = 3.0
tolerance = 0.5
solve = true
source = "test"
""")
    with pytest.raises(SpecError, match=r"cannot reach.*targets\.tokuhashi_median\[0-8\]"):
        solve(parse_spec(load_raw(path)))


def test_unreachable_censoring_names_it(tmp_path: Path) -> None:
    path = _write(tmp_path, """
[calibration]
n = 20000
[targets.censored_percent]
value = 99.0
tolerance = 0.5
source = "test"
""")
    with pytest.raises(SpecError, match=r"targets\.censored_percent"):
        solve(parse_spec(load_raw(path)))


def test_user_targets_are_met_by_the_solver(tmp_path: Path) -> None:
    """A user's own target table: a hospital cohort with median 6 months."""
    path = _write(tmp_path, """
[calibration]
n = 30000
[targets.overall_median]
value = 6.0
tolerance = 0.3
solve = true
source = "my hospital, Table 2"
[targets.survival_6_months]
value = 50.0
tolerance = 20.0
solve = false
source = "my hospital"
[targets.survival_12_months]
value = 30.0
tolerance = 20.0
solve = false
source = "my hospital"
[targets.tokuhashi_median."0-8"]
solve = false
[targets.tokuhashi_median."9-11"]
solve = false
[targets.tokuhashi_median."12-15"]
solve = false
""")
    report = solve(parse_spec(load_raw(path)))
    got = dict(zip(report.table["target"], report.table["achieved"], strict=True))
    assert got["overall_median"] == pytest.approx(6.0, abs=0.3)
    assert report.table["passed"].all()


def test_cached_solution_matches_a_fresh_solve() -> None:
    """The cached default parameters are what the solver finds (guards stale caches)."""
    spec = parse_spec(load_raw())
    cached = cached_parameters(spec)
    assert cached is not None, "stale cache: run python -m synthetic.calibrate --write"
    fresh = solve(spec).parameters
    np.testing.assert_allclose(list(cached.as_dict().values()),
                               list(fresh.as_dict().values()), rtol=1e-6, atol=1e-9)


def test_extends_none_starts_from_the_user_file(tmp_path: Path) -> None:
    path = _write(tmp_path, "[meta]\nextends = \"none\"\n")
    with pytest.raises(SpecError, match=r"'primary_site\.share' is missing"):
        parse_spec(load_raw(path))
