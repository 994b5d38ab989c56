"""``cohort generate`` and ``cohort calibration-check``, contributed to the ``cohort`` CLI.

Registered in ``pyproject.toml`` under ``[project.entry-points."cohort.commands"]``;
the core CLI discovers them without importing :mod:`synthetic`.
"""

from __future__ import annotations

from pathlib import Path

import click
import numpy as np
import pandas as pd

__all__ = ["calibration_check_command", "format_check_table", "generate_command"]


@click.command("generate")
@click.option("--n", "n", type=click.IntRange(min=0), required=True, help="Number of patients.")
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True,
              help="Random seed; the same seed gives the same cohort.")
@click.option("--spec", "spec_path", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              default=None, help="TOML spec merged over the packaged default.")
@click.option("--out", "out_path", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Output file (.csv or .parquet), written atomically.")
def generate_command(n: int, seed: int, spec_path: Path | None, out_path: Path) -> None:
    """Generate a synthetic spinal-metastasis cohort (canonical schema + true_* columns)."""
    from cohort.errors import InputFileError
    from cohort.io import write_table
    from synthetic.api import generate, load_spec

    if out_path.suffix.lower() not in (".csv", ".parquet"):
        raise InputFileError(
            f"--out {out_path}: unsupported extension '{out_path.suffix}'. Use .csv or .parquet."
        )
    spec = load_spec(spec_path)
    frame = generate(n, seed=seed, spec=spec)
    forbid = (spec_path,) if spec_path is not None else ()
    write_table(frame, out_path, forbid=forbid)
    events = int(frame["event"].sum()) if n else 0
    click.echo(f"wrote {n} patients ({events} deaths) to {out_path} (seed {seed}, spec "
               f"{spec_path or 'default'})")


def format_check_table(table: pd.DataFrame) -> str:
    """Plain-text table: target / wanted / generated / tolerance / pass."""
    rows = [("target", "wanted", "generated", "tolerance", "pass")]
    for rec in table.to_dict("records"):
        tol_value = float(rec["tolerance"])
        tol = "" if np.isnan(tol_value) else f"{tol_value:g}"
        rows.append((str(rec["target"]), str(rec["wanted"]), f"{float(rec['generated']):.4g}",
                     tol, "yes" if rec["passed"] else "NO"))
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
             for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


@click.command("calibration-check")
@click.option("--n", "n", type=click.IntRange(min=1), default=50_000, show_default=True,
              help="Size of the generated cohort.")
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True,
              help="Random seed of the generated cohort.")
@click.option("--spec", "spec_path", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              default=None, help="TOML spec merged over the packaged default.")
@click.pass_context
def calibration_check_command(ctx: click.Context, n: int, seed: int,
                              spec_path: Path | None) -> None:
    """Generate a cohort and compare it with every target; exit 1 if one is missed."""
    from synthetic.api import load_spec
    from synthetic.check import calibration_check

    spec = load_spec(spec_path)
    table = calibration_check(n, seed=seed, spec=spec)
    click.echo(format_check_table(table))
    missed = int((~table["passed"]).sum())
    p = spec.parameters
    if p is not None:
        click.echo("\nsolved: " + ", ".join(f"{k} = {v:.4g}" for k, v in p.as_dict().items()))
    if missed:
        click.echo(f"\n{missed} of {len(table)} targets missed.", err=True)
        ctx.exit(1)
    click.echo(f"\nall {len(table)} targets met (n = {n}, seed = {seed}).")
