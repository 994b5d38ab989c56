"""The validation options are declared once and shared by `cohort validate` and the report."""

from __future__ import annotations

import click
import pytest

from cohort.cli import cli
from cohort.errors import CohortInputError
from cohort.validation.pipeline import parse_horizons
from reports._cli import report_command
from reports.build import main as report_main


def _params(command: click.Command) -> dict[str, tuple[object, ...]]:
    return {p.name or "": (tuple(p.opts), repr(p.type), p.default, p.multiple)
            for p in command.params}


def test_validate_and_report_share_the_validation_options() -> None:
    validate = _params(cli.commands["validate"])
    report = _params(report_command)
    shared = {"map_path", "time_col", "event_col", "event_value", "time_unit", "scores",
              "score_options_path", "horizons", "bootstrap", "seed"}
    assert shared <= set(validate)
    assert {k: validate[k] for k in shared} == {k: report[k] for k in shared}
    # only the positional INPUT, --out and the report's --n are declared apart
    assert set(validate) - shared == {"input_path", "out_dir"}
    assert set(report) - shared == {"input_path", "out_dir", "n"}


def test_parse_horizons_sorts_and_drops_duplicates() -> None:
    assert parse_horizons("12, 3,6,6,") == (3.0, 6.0, 12.0)
    assert parse_horizons("1.5") == (1.5,)


@pytest.mark.parametrize("text", ["", "3,x", "0,6", "-3", "nan", "inf"])
def test_parse_horizons_rejects_bad_text(text: str) -> None:
    with pytest.raises(CohortInputError, match="--horizons"):
        parse_horizons(text)


@pytest.mark.parametrize("argv", [["--horizons", "1,2"], ["--time", "OS"],
                                  ["--event-value", "2"], ["--score-options", "o.toml"]])
def test_report_options_of_a_users_file_need_input(argv: list[str], capsys) -> None:
    """Without INPUT the synthetic report would ignore these, so they are refused."""
    assert report_main(argv) == 2
    assert f"{argv[0]} needs an INPUT file" in capsys.readouterr().err


def test_synthetic_report_keeps_its_own_bootstrap_and_seed_defaults(tmp_path,
                                                                   monkeypatch) -> None:
    """Without INPUT the shared --bootstrap/--seed defaults give way to 100 / 2026."""
    import reports.build

    calls: list[dict[str, object]] = []

    def fake_default_report(out_dir, **kwargs):
        calls.append(kwargs)
        return tmp_path / "index.html"

    monkeypatch.setattr(reports.build, "default_report", fake_default_report)
    assert report_main(["--out", str(tmp_path), "--n", "60"]) == 0
    assert report_main(["--out", str(tmp_path), "--bootstrap", "7", "--seed", "3"]) == 0
    assert calls == [
        {"n": 60, "seed": reports.build.DEFAULT_SEED, "bootstrap": reports.build.DEFAULT_BOOTSTRAP},
        {"n": reports.build.DEFAULT_N, "seed": 3, "bootstrap": 7},
    ]
