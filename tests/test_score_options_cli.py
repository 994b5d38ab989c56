"""--score-options FILE end to end: cohort score, cohort validate and the report build."""

from __future__ import annotations

import json
from importlib.resources import files
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from cohort.cli import cli
from cohort.scores import REGISTRY, ScoreOptions
from reports.build import main as report_main

EXAMPLE = str(files("cohort.data").joinpath("example_cohort.csv"))
OVERRIDDEN = ("lung", "melanoma")  # sites whose Tomita growth points the file changes
OPTIONS_TOML = """\
# tomita: lung and melanoma as moderate growth (2 points) instead of rapid
[site_overrides.tomita]
lung = 2
melanoma = 2
"""


@pytest.fixture
def options_file(tmp_path: Path) -> Path:
    path = tmp_path / "score_options.toml"
    path.write_text(OPTIONS_TOML, encoding="utf-8")
    return path


def _score(tmp_path: Path, name: str, *extra: str) -> tuple[pd.DataFrame, str]:
    out = tmp_path / name
    res = CliRunner().invoke(cli, ["score", EXAMPLE, "--out", str(out), *extra])
    assert res.exit_code == 0, res.output
    return pd.read_csv(out), res.output


def test_score_site_override_changes_only_those_sites(tmp_path: Path, options_file) -> None:
    plain, _ = _score(tmp_path, "plain.csv")
    custom, text = _score(tmp_path, "custom.csv", "--score-options", str(options_file))
    default_points = ScoreOptions().site_points("tomita")
    shift = pd.Series(0.0, index=plain.index)
    for site in OVERRIDDEN:
        shift[plain["primary_site"] == site] = 2 - default_points[site]
    hit = plain["primary_site"].isin(OVERRIDDEN) & plain["tomita"].notna()
    assert hit.sum() >= 3
    assert (shift[hit] != 0).all()  # the file really changes these rows
    np.testing.assert_array_equal(custom["tomita"].to_numpy(),
                                  (plain["tomita"] + shift).to_numpy())
    for name in REGISTRY:  # every other score is untouched
        if name != "tomita" and name in plain.columns:
            pd.testing.assert_series_equal(custom[name], plain[name])
    assert "score options from score_options.toml" in text
    assert "tomita lung=2, melanoma=2" in text


def test_score_vertebral_option_overrides_the_files(tmp_path: Path) -> None:
    opts = tmp_path / "o.toml"
    opts.write_text('vertebral_option = "3-12-0"\n', encoding="utf-8")
    from_file, _ = _score(tmp_path, "a.csv", "--score-options", str(opts))
    given, _ = _score(tmp_path, "b.csv", "--score-options", str(opts),
                      "--vertebral-option", "321")
    plain, _ = _score(tmp_path, "c.csv")
    pd.testing.assert_series_equal(given["tokuhashi_revised"], plain["tokuhashi_revised"])
    assert not from_file["tokuhashi_revised"].equals(plain["tokuhashi_revised"])


@pytest.mark.parametrize(("text", "message"), [
    ("[site_overrides.tomita\nlung = 2\n", "is not valid TOML"),
    ("[site_overrides.tomitta]\nlung = 2\n", "item 'tomitta' is not known"),
    ("[site_overrides.tomita]\nlung = 3\n", "is not a value the item can take"),
    ("colour = 1\n", "unknown key(s) ['colour']"),
])
@pytest.mark.parametrize("command", ["score", "validate"])
def test_bad_score_options_file_exits_2_with_message(tmp_path: Path, text: str, message: str,
                                                     command: str) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(text, encoding="utf-8")
    out = tmp_path / ("o.csv" if command == "score" else "o")
    res = CliRunner().invoke(cli, [command, EXAMPLE, "--out", str(out),
                                   "--score-options", str(bad)])
    assert res.exit_code == 2
    assert "bad.toml" in res.stderr
    assert message in res.stderr
    assert "Traceback" not in res.output
    assert not out.exists()


def test_missing_score_options_file_exits_2(tmp_path: Path) -> None:
    res = CliRunner().invoke(cli, ["score", EXAMPLE, "--out", str(tmp_path / "o.csv"),
                                   "--score-options", str(tmp_path / "nope.toml")])
    assert res.exit_code == 2
    assert "cannot read the score-options file 'nope.toml'" in res.stderr


def test_validate_and_report_use_the_file(tmp_path: Path, options_file) -> None:
    common = ["--score", "tomita", "--bootstrap", "3"]
    runs = {}
    for name, extra in (("plain", []), ("custom", ["--score-options", str(options_file)])):
        out = tmp_path / name
        res = CliRunner().invoke(cli, ["validate", EXAMPLE, "--out", str(out), *common, *extra])
        assert res.exit_code == 0, res.output
        runs[name] = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert runs["plain"]["settings"]["site_overrides"] == {}
    assert runs["custom"]["settings"]["site_overrides"] == {
        "tomita": {"lung": 2, "melanoma": 2}}
    assert runs["custom"]["scores"]["tomita"]["harrell_c"] != pytest.approx(
        runs["plain"]["scores"]["tomita"]["harrell_c"], abs=1e-9)
    html = (tmp_path / "custom" / "report.html").read_text(encoding="utf-8")
    assert "overridden by the user (tomita: lung 2, melanoma 2)" in html

    report_dir = tmp_path / "report"
    assert report_main([EXAMPLE, "--out", str(report_dir), *common,
                        "--score-options", str(options_file)]) == 0
    built = json.loads((report_dir / "results.json").read_text(encoding="utf-8"))
    assert built["settings"]["site_overrides"] == runs["custom"]["settings"]["site_overrides"]
    assert built["scores"]["tomita"]["harrell_c"] == runs["custom"]["scores"]["tomita"][
        "harrell_c"]


def test_readme_example_file_loads(tmp_path: Path) -> None:
    from cohort.scores import load_score_options

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    block = readme.split("```toml\n", 1)[1].split("```", 1)[0]
    path = tmp_path / "score_options.toml"
    path.write_text(block, encoding="utf-8")
    options = load_score_options(path)
    assert options.site_points("tomita")["melanoma"] == 2
    assert ScoreOptions().site_points("tomita")["melanoma"] == 4  # the comment's "default 4"
