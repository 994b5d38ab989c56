"""Command-line options shared by ``cohort validate`` and the report build.

:func:`validation_options` declares the options once; ``cohort validate``
(:mod:`cohort.cli`) and ``python -m reports`` (which may import the core, never the
reverse) both apply it, and pass the parsed values on, unchanged, as keyword arguments
of :func:`cohort.validation.pipeline.run_cli_validation` /
:func:`cohort.validation.pipeline.validate_file`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import click

__all__ = ["map_option", "score_options_option", "validation_options"]

F = TypeVar("F", bound=Callable[..., object])

_PATH = click.Path(dir_okay=False, path_type=Path)

#: ``--map FILE`` (also used by ``cohort score``).
map_option = click.option(
    "--map", "map_path", type=_PATH,
    help="TOML column map: user column names and labels -> canonical ones.")

#: ``--score-options FILE`` (also used by ``cohort score``).
score_options_option = click.option(
    "--score-options", "score_options_path", type=_PATH,
    help="TOML file of score options: vertebral_option and [site_overrides.<item>] tables "
    "(see the README, section Scores).")

_OPTIONS = (
    map_option,
    click.option("--time", "time_col", help="Name of the survival-time column."),
    click.option("--event", "event_col", help="Name of the event column."),
    click.option("--event-value", help="Value of the event column that means death (e.g. 2)."),
    click.option("--time-unit", type=click.Choice(["days", "weeks", "months", "years"]),
                 help="Unit of the survival times (converted to months)."),
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
