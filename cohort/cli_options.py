"""Command-line options shared by ``cohort validate`` and the report build.

:func:`validation_options` declares the options once; ``cohort validate``
(:mod:`cohort.cli`) and ``python -m reports`` (which may import the core, never the
reverse) both apply it, and pass the parsed values on, unchanged, as keyword arguments
of :func:`cohort.validation.pipeline.run_cli_validation` /
:func:`cohort.validation.pipeline.validate_file`.
"""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
import types
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TextIO, TypeVar

import click

__all__ = ["command_runtime", "map_option", "score_options_option", "survival_options",
           "validation_options"]

#: Exit status of a command stopped by SIGTERM (128 + 15, the shell convention).
EXIT_TERMINATED = 128 + signal.SIGTERM

F = TypeVar("F", bound=Callable[..., object])

_PATH = click.Path(dir_okay=False, path_type=Path)

#: ``--map FILE`` (also used by ``cohort score``).
map_option = click.option(
    "--map", "map_path", type=_PATH,
    help="TOML column map: user column names and labels -> canonical ones.")

#: ``--score-options FILE`` (also used by ``cohort score``).
score_options_option = click.option(
    "--score-options", "score_options_path", type=_PATH,
    help="TOML file of score options: vertebral_option, van_der_linden_kps10 and "
    "[site_overrides.<item>] tables (see the README, section Scores).")

#: ``--time``, ``--event``, ``--event-value``, ``--time-unit`` (also used by ``cohort score``).
_SURVIVAL_OPTIONS = (
    click.option("--time", "time_col", help="Name of the survival-time column."),
    click.option("--event", "event_col", help="Name of the event column."),
    click.option("--event-value",
                 help="Value of the event column that means death (e.g. 2, or dead)."),
    click.option("--time-unit", type=click.Choice(["days", "weeks", "months", "years"]),
                 help="Unit of the survival times (converted to months)."),
)

_OPTIONS = (
    map_option,
    *_SURVIVAL_OPTIONS,
    click.option("--score", "scores", multiple=True,
                 help="A known score name, or COL:higher-is-better / COL:higher-is-worse for "
                 "a custom score column. Repeatable; default: every computable known score."),
    score_options_option,
    click.option("--horizons", default="3,6,12", show_default=True,
                 help="Comma-separated horizons in months."),
    click.option("--bootstrap", default=200, show_default=True,
                 type=click.IntRange(min=1),
                 help="Bootstrap replicates (CIs, optimism, comparisons)."),
    click.option("--seed", default=0, show_default=True, type=int,
                 help="Random seed."),
)


def survival_options(func: F) -> F:
    """Add ``--time``, ``--event``, ``--event-value`` and ``--time-unit`` to a command.

    The command receives ``time_col``, ``event_col``, ``event_value`` and ``time_unit``
    (keyword arguments of :func:`cohort.io.load_cohort`).
    """
    for option in reversed(_SURVIVAL_OPTIONS):
        func = option(func)
    return func


def validation_options(func: F) -> F:
    """Add the validation options to a click command.

    The command receives ``map_path``, ``time_col``, ``event_col``, ``event_value``,
    ``time_unit``, ``scores``, ``score_options_path``, ``horizons``, ``bootstrap`` and
    ``seed``: the keyword arguments of
    :func:`cohort.validation.pipeline.run_cli_validation`.
    """
    for option in reversed(_OPTIONS):
        func = option(func)
    return func


def _on_sigterm(signum: int, frame: types.FrameType | None) -> None:  # noqa: ARG001
    # An exception (not the default instant death) so that ``atomic_write`` removes its
    # temporary file and no half-written output is left behind.
    raise SystemExit(EXIT_TERMINATED)


def _show_warning(message: Warning | str, category: type[Warning],  # noqa: ARG001
                  filename: str, lineno: int,  # noqa: ARG001
                  file: TextIO | None = None, line: str | None = None) -> None:  # noqa: ARG001
    # One plain line for a person at a terminal, without the source file and code line.
    click.echo(f"warning: {message}", err=True)


@contextlib.contextmanager
def command_runtime() -> Iterator[None]:
    """Run a command-line command: SIGTERM stops it cleanly, warnings are plain lines.

    SIGTERM raises :class:`SystemExit` (status 143) instead of killing the process at
    once, so temporary files of atomic writes are removed, as on Ctrl-C. Warnings are
    printed as ``warning: <message>`` on stderr.
    """
    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGTERM, _on_sigterm)
    old_show = warnings.showwarning
    warnings.showwarning = _show_warning
    try:
        yield
    finally:
        warnings.showwarning = old_show
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
        sys.stderr.flush()
