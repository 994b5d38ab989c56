"""The ``cohort`` command: a thin layer that parses options, calls the library, prints.

User errors (:class:`cohort.errors.CohortError`) exit with code 2 and a readable
message, without a traceback. Sub-commands that live in packages the core must not
import (``synthetic``, ``reports``) are contributed through the ``cohort.commands``
entry-point group, each entry pointing at a :class:`click.Command`.
"""

from __future__ import annotations

import json
import sys
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

import click

from cohort import __version__
from cohort.cli_options import (
    command_runtime,
    map_option,
    score_options_option,
    survival_options,
    validation_options,
)
from cohort.errors import CohortError

__all__ = ["cli", "main", "run_user_errors"]

EXIT_USER_ERROR = 2


class CohortGroup(click.Group):
    """A group that turns package errors into exit code 2 and loads plug-in commands."""

    def _plugins(self) -> dict[str, click.Command]:
        found: dict[str, click.Command] = {}
        for ep in entry_points(group="cohort.commands"):
            if ep.name not in self.commands:
                found[ep.name] = ep.load()
        return found

    def list_commands(self, ctx: click.Context) -> list[str]:
        names = set(super().list_commands(ctx))
        names.update(ep.name for ep in entry_points(group="cohort.commands"))
        return sorted(names)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        cmd = super().get_command(ctx, cmd_name)
        if cmd is not None:
            return cmd
        for ep in entry_points(group="cohort.commands"):
            if ep.name == cmd_name:
                loaded = ep.load()
                return loaded if isinstance(loaded, click.Command) else None
        return None

    def invoke(self, ctx: click.Context) -> Any:
        try:
            with command_runtime():
                return super().invoke(ctx)
        except CohortError as exc:
            click.echo(f"error: {exc}", err=True)
            ctx.exit(EXIT_USER_ERROR)


@click.group(cls=CohortGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="cohort")
def cli() -> None:
    """Cohort analytics and survival modelling of spinal metastases.

    Score patients with the published prognostic scores (revised and original
    Tokuhashi, Tomita, Bauer, van der Linden, SINS), generate synthetic cohorts, and
    validate how well the scores predict survival.
    """


@cli.command("score")
@click.argument("input_path", metavar="INPUT", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", "out_path", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Output file (.csv, .parquet or .xlsx); never the input file.")
@map_option
@survival_options
@score_options_option
@click.option("--vertebral-option", type=click.Choice(["321", "3-12-0"]), default=None,
              help="Revised Tokuhashi vertebral-body item: '321' scores >=3/2/1 as 0/1/2 "
              "(default); '3-12-0' scores >=3/1-2/0 as 0/1/2 (the alternative printing). "
              "Overrides vertebral_option of --score-options.")
def score_command(input_path: Path, out_path: Path, map_path: Path | None,
                  score_options_path: Path | None, vertebral_option: str | None,
                  time_col: str | None, event_col: str | None, event_value: str | None,
                  time_unit: str | None) -> None:
    """Add every computable prognostic score and its group to INPUT, written to --out.

    Survival columns are optional here; when present they are checked and written in
    months with 0/1 events, so --time-unit and --event-value apply as in validate.

    \b
    Examples:
      cohort score my_cohort.csv --out scored.csv
      cohort score export.xlsx --map my_map.toml --out scored.xlsx
      cohort score r_export.csv --event-value 2 --time-unit days --out scored.csv
    """
    from cohort.commands import run_score

    report = run_score(input_path, out_path, map_path=map_path,
                       score_options_path=score_options_path,
                       vertebral_option=vertebral_option, time_col=time_col,
                       event_col=event_col, event_value=event_value, time_unit=time_unit)
    click.echo(report)


@cli.command("validate")
@click.argument("input_path", metavar="INPUT", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Output directory for results.json, tables/*.csv and report.html.")
@validation_options
def validate_command(input_path: Path, out_dir: Path, **options: Any) -> None:
    """Validate prognostic scores on INPUT; write results.json, tables and report.html.

    \b
    Examples:
      cohort validate my_cohort.csv --out results/
      cohort validate export.xlsx --map my_map.toml --out results/ --bootstrap 500
      cohort validate r_export.csv --event-value 2 --time-unit days --out results/ \\
          --score tokuhashi_revised --score "my index:higher-is-worse"
    """
    from cohort.io import output_dir
    from cohort.validation.pipeline import run_cli_validation

    with output_dir(out_dir, "tables"):  # checked before the analysis, not after it
        # progress bars only for a person at a terminal: none in CI logs, files or pipes
        text = run_cli_validation(input_path, out_dir, progress=_stderr_is_terminal(),
                                  **options)
    # what loading did (unit conversion, event coding, detected delimiter, a median that
    # suggests days), as `cohort score` prints it; results.json keeps the same notes
    notes = _results_notes(Path(out_dir) / "results.json")
    click.echo("\n".join([f"  note: {n}" for n in notes] + [text]))


def _results_notes(path: Path) -> list[str]:
    try:
        notes = json.loads(path.read_text(encoding="utf-8")).get("notes") or []
    except (OSError, ValueError, AttributeError):
        return []
    return [str(n) for n in notes]


def _stderr_is_terminal() -> bool:
    return sys.stderr.isatty()


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``cohort`` console script."""
    try:
        cli.main(args=argv, prog_name="cohort", standalone_mode=True)
    except SystemExit as exc:
        code = exc.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    return 0


def run_user_errors() -> None:  # pragma: no cover - convenience for `python -m`
    sys.exit(main())


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
