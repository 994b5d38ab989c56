"""Command line of the report build: ``python -m reports [INPUT] [options]``.

Without INPUT it builds the default report from the built-in synthetic cohort. With
INPUT it runs the same validation as ``cohort validate`` (same options) and writes
index.html, results.json and tables/ into ``--out``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from click.core import ParameterSource

from cohort.cli_options import command_runtime, validation_options
from cohort.errors import CohortError
from cohort.io import output_dir

__all__ = ["report_command", "run"]

#: Options that describe a user's file, so need INPUT (parameter names).
_INPUT_ONLY = ("map_path", "time_col", "event_col", "event_value", "time_unit", "scores",
               "score_options_path", "horizons")


@click.command("report", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("input_path", metavar="[INPUT]", required=False,
                type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", "out_dir", default="build/report", show_default=True,
              type=click.Path(file_okay=False, path_type=Path), help="Output directory.")
@click.option("--n", "n", default=None, type=click.IntRange(min=20),
              help="Synthetic cohort size (default report only; default 1000).")
@validation_options
def report_command(input_path: Path | None, out_dir: Path, n: int | None,
                   **options: Any) -> None:
    """Build an HTML report (index.html, results.json, tables/) into --out.

    Without INPUT: the report of the built-in synthetic cohort, where --bootstrap
    defaults to 100 and --seed to 2026 unless given. With INPUT: the validation of
    cohort validate, with the same options and defaults.
    """
    with output_dir(out_dir, "tables"):  # checked before the analysis, not after it
        page = _build(input_path, out_dir, n, options)
    click.echo(f"report written to {page}")


def _build(input_path: Path | None, out_dir: Path, n: int | None,
           options: dict[str, Any]) -> Path:
    from reports.build import DEFAULT_BOOTSTRAP, DEFAULT_N, DEFAULT_SEED, default_report

    if input_path is None:
        ctx = click.get_current_context()
        given = [p.opts[0] for p in ctx.command.params if p.name in _INPUT_ONLY
                 and ctx.get_parameter_source(p.name) is not ParameterSource.DEFAULT]
        if given:
            raise click.UsageError(f"{', '.join(given)} needs an INPUT file.")

        def chosen(name: str, synthetic_default: int) -> int:
            if ctx.get_parameter_source(name) is ParameterSource.DEFAULT:
                return synthetic_default
            return int(options[name])

        page = default_report(out_dir, n=n or DEFAULT_N,
                              seed=chosen("seed", DEFAULT_SEED),
                              bootstrap=chosen("bootstrap", DEFAULT_BOOTSTRAP))
    else:
        if n is not None:
            raise click.UsageError("--n applies to the synthetic report only (no INPUT).")
        from reports.build import user_report

        page = user_report(input_path, out_dir, **options)
    return Path(page)


def run(argv: list[str] | None = None) -> int:
    """Run the command; user errors exit with code 2 and a message, no traceback."""
    try:
        with command_runtime():
            report_command.main(args=argv, prog_name="python -m reports",
                                standalone_mode=False)
    except CohortError as exc:
        click.echo(f"error: {exc}", err=True)
        return 2
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except click.exceptions.Abort:
        return 1
    return 0
