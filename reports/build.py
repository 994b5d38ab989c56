"""Build report directories: ``index.html``, ``results.json`` and ``tables/*.csv``.

* :func:`build_report` writes a full report directory from a validation result.
* :func:`write_report_html` is the ``cohort.report_writers`` entry point ``html``: the
  ``cohort validate`` command calls it to add ``report.html`` next to its outputs
  (the core package never imports this module).
* :func:`default_report` builds the report of the built-in synthetic cohort (the
  ``nox -s report`` main job); :func:`main` is its command line
  (``python -m reports``).

Every file is written atomically (temporary file in the same directory, then
:func:`os.replace`), and the HTML holds no timestamp, so rebuilding from the same input
and seed gives byte-identical files.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from cohort.errors import CohortInputError
from cohort.io import atomic_write
from reports.html import ReportOptions, ValidationLike, build_html

__all__ = [
    "DEFAULT_BOOTSTRAP",
    "DEFAULT_N",
    "DEFAULT_SEED",
    "build_report",
    "default_report",
    "main",
    "synthetic_targets",
    "user_report",
    "write_report_html",
]

#: The default report's synthetic cohort: size and seed (fixed, so the build reproduces).
DEFAULT_N = 1000
DEFAULT_SEED = 2026
#: Bootstrap replicates in the default report build: fewer than the pipeline's default
#: so that ``nox -s report`` stays quick; the methods section states the number used.
DEFAULT_BOOTSTRAP = 100


def _same(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:  # pragma: no cover
        return False


def _write_text(path: Path, text: str) -> None:
    with atomic_write(path, "w") as fh:
        fh.write(text)


def build_report(result: ValidationLike, out_dir: str | os.PathLike[str],
                 options: ReportOptions | None = None, *,
                 html_name: str = "index.html", write_results: bool = True,
                 forbid: Sequence[str | os.PathLike[str]] = ()) -> Path:
    """Write ``index.html`` (and, by default, ``results.json`` and ``tables/``) to ``out_dir``.

    Parameters
    ----------
    result
        A ``cohort.validation.pipeline.ValidationResult``.
    out_dir
        Output directory (created if needed).
    options
        Report title, input name, notes, synthetic targets.
    html_name
        File name of the page.
    write_results
        Also write ``results.json`` and ``tables/*.csv`` with
        :func:`cohort.validation.pipeline.write_outputs`.
    forbid
        Paths that must not be overwritten (the input file).

    Returns
    -------
    pathlib.Path
        The HTML file.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    page = build_html(result, options)
    if write_results:
        from cohort.validation.pipeline import write_outputs

        write_outputs(result, out, forbid=forbid, report=False)  # type: ignore[arg-type]
    target = out / html_name
    if any(_same(target, Path(p)) for p in forbid):
        raise CohortInputError(f"the report would overwrite the input file '{target}'; "
                               "choose another --out directory.")
    _write_text(target, page)
    return target


def write_report_html(result: Any, out_dir: str | os.PathLike[str]) -> Path:
    """Entry point ``html`` of group ``cohort.report_writers``: write ``out_dir/report.html``.

    ``cohort validate`` has already written ``results.json`` and the tables; this adds
    the page only.
    """
    source = getattr(result, "source", None)
    options = ReportOptions(source_name=Path(str(source)).name if source else None)
    return build_report(result, out_dir, options, html_name="report.html",
                        write_results=False)


def default_report(out_dir: str | os.PathLike[str] = "build/report", *, n: int = DEFAULT_N,
                   seed: int = DEFAULT_SEED, bootstrap: int = DEFAULT_BOOTSTRAP) -> Path:
    """Build the report of the built-in synthetic cohort (default spec) into ``out_dir``.

    The cohort is generated with ``synthetic.generate(n, seed)``, written to
    ``out_dir/synthetic_cohort.csv`` and read back through the same loader as a user's
    file, so the default report exercises the path real data takes.
    """
    import synthetic
    from cohort.io import load_cohort, write_table
    from cohort.validation.pipeline import run_validation

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    frame = synthetic.generate(n, seed=seed)
    data_path = out / "synthetic_cohort.csv"
    write_table(frame, data_path)
    loaded = load_cohort(data_path)
    result = run_validation(loaded, bootstrap=bootstrap, seed=seed)
    targets = synthetic_targets(frame)
    notes = (
        f"Cohort: {n} synthetic patients generated with the package's default specification "
        f"(seed {seed}); every generator setting and its source is in the specification "
        "file. Synthetic data illustrate the method; they are not evidence about real "
        "patients.",
        f"Intervals use B = {bootstrap} bootstrap replicates in this default build (fewer "
        "than the validate command's default, to keep the build quick); pass --bootstrap "
        "for more.",
    )
    options = ReportOptions(source_name=f"built-in synthetic cohort (n={n}, seed {seed})",
                            bootstrap=bootstrap, seed=seed, notes=notes, targets=targets)
    return build_report(result, out, options)


def user_report(input_path: str | os.PathLike[str], out_dir: str | os.PathLike[str],
                **options: Any) -> Path:
    """Validate a user's file with the options of ``cohort validate`` and build its report.

    ``options`` are those of ``cohort validate`` (keyword arguments of
    :func:`cohort.validation.pipeline.validate_file`, with its defaults). The steps are
    those of ``cohort validate`` (load with the column map and options, validate, write
    results.json and tables) plus ``index.html``. The input file is only read and is
    never overwritten by an output.
    """
    from cohort.validation.pipeline import validate_file

    result = validate_file(input_path, out_dir, **options)
    settings = result.results["settings"]
    report_options = ReportOptions(source_name=Path(input_path).name,
                                   bootstrap=settings["bootstrap"], seed=settings["seed"],
                                   notes=tuple(result.results["notes"]))
    return build_report(result, out_dir, report_options, forbid=(input_path,))


def synthetic_targets(frame: pd.DataFrame) -> pd.DataFrame:
    """Generated-against-target table of a cohort from the default synthetic spec.

    Wraps :func:`synthetic.calibration_check` into
    ``[target, target_value, generated, lower, upper, passed, source]``: ``lower`` and
    ``upper`` are the checker's accepted range (``low``, ``high``) and ``target_value``
    its midpoint (the stated value of a "10 ± 1.5" target, the middle of a range).
    """
    import synthetic

    check = synthetic.calibration_check(frame=frame)
    low, high = check["low"].astype(float), check["high"].astype(float)
    return pd.DataFrame({
        "target": check["target"].astype(str),
        "target_value": (low + high) / 2.0,
        "generated": check["generated"].astype(float),
        "lower": low,
        "upper": high,
        "passed": check["passed"].astype(bool),
        "source": check["source"].astype(str),
    })


def main(argv: Sequence[str] | None = None) -> int:
    """Command line of the report build (``python -m reports``).

    Without INPUT: the default synthetic report. With INPUT: the same options as
    ``cohort validate`` (``--map``, ``--time``, ``--event``, ...), writing index.html,
    results.json and tables/ into ``--out`` (default ``build/report``).
    """
    from reports._cli import run

    return run(list(argv) if argv is not None else None)

