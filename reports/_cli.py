"""Command line of the report build: ``python -m reports [INPUT] [options]``.

Without INPUT it builds the default report from the built-in synthetic cohort. With
INPUT it runs the same validation as ``cohort validate`` (same options) and writes
index.html, results.json and tables/ into ``--out``.
"""

from __future__ import annotations

from pathlib import Path

import click

from cohort.errors import CohortError

__all__ = ["report_command", "run"]


@click.command("report", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("input_path", metavar="[INPUT]", required=False,
                type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", "out_dir", default="build/report", show_default=True,
              type=click.Path(file_okay=False, path_type=Path), help="Output directory.")
@click.option("--n", "n", default=None, type=click.IntRange(min=20),
              help="Synthetic cohort size (default report only; default 1000).")
@click.option("--map", "map_path", type=click.Path(dir_okay=False, path_type=Path),
              help="TOML column map (as for cohort validate).")
@click.option("--time", "time_col", help="Column holding survival time.")
@click.option("--event", "event_col", help="Column holding the event indicator.")
@click.option("--event-value", help="Value of the event column that means death.")
@click.option("--time-unit", type=click.Choice(["days", "weeks", "months", "years"]),
              help="Unit of the time column.")
@click.option("--score", "scores", multiple=True,
              help="Score to validate: NAME, or COL:higher-is-better|higher-is-worse.")
@click.option("--horizons", default="3,6,12", show_default=True,
              help="Horizons in months, comma-separated.")
@click.option("--bootstrap", type=click.IntRange(min=0), default=None,
              help="Bootstrap replicates (default: 100 for the synthetic report, the "
                   "validate default otherwise).")
@click.option("--seed", type=int, default=None, help="Random seed (default 2026 / 0).")
def report_command(input_path: Path | None, out_dir: Path, n: int | None,
                   map_path: Path | None, time_col: str | None, event_col: str | None,
                   event_value: str | None, time_unit: str | None, scores: tuple[str, ...],
                   horizons: str, bootstrap: int | None, seed: int | None) -> None:
    """Build an HTML report (index.html, results.json, tables/) into --out."""
    from reports.build import DEFAULT_BOOTSTRAP, DEFAULT_N, DEFAULT_SEED, default_report

    if input_path is None:
        given = [name for name, v in (("--map", map_path), ("--time", time_col),
                                      ("--event", event_col), ("--event-value", event_value),
                                      ("--time-unit", time_unit)) if v is not None]
        if given or scores:
            raise click.UsageError(f"{', '.join(given) or '--score'} needs an INPUT file.")
        page = default_report(out_dir, n=n or DEFAULT_N,
                              seed=DEFAULT_SEED if seed is None else seed,
                              bootstrap=DEFAULT_BOOTSTRAP if bootstrap is None else bootstrap)
    else:
        if n is not None:
            raise click.UsageError("--n applies to the synthetic report only (no INPUT).")
        from reports.build import user_report

        page = user_report(input_path, out_dir, map_path=map_path, time_col=time_col,
                           event_col=event_col, event_value=event_value, time_unit=time_unit,
                           scores=scores, horizons=horizons, bootstrap=bootstrap, seed=seed)
    click.echo(f"report written to {page}")


def run(argv: list[str] | None = None) -> int:
    """Run the command; user errors exit with code 2 and a message, no traceback."""
    try:
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
