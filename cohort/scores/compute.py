"""Compute registered scores over a cohort frame: :func:`compute_scores`, :func:`add_scores`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from cohort.errors import CohortInputError, SchemaError, describe_rows
from cohort.scores._common import check_inputs
from cohort.scores.options import ScoreOptions
from cohort.scores.registry import REGISTRY, ScoreDefinition

__all__ = [
    "ScoreResult",
    "add_scores",
    "assign_groups",
    "compute_scores",
    "missing_reasons",
    "score_components",
]


@dataclass(frozen=True)
class ScoreResult:
    """Scores of one cohort frame.

    Attributes
    ----------
    values
        Index aligned with the frame; for each computed score ``<name>`` (``Int64``,
        NA where missing) and ``<name>_group`` (``string``, NA where missing).
    reasons
        Same index; column ``<name>`` holds why the score is missing for the row
        (e.g. ``"kps missing; frankel missing"``, or the reason an option left it
        unscored, see :attr:`ScoreDefinition.unscored`), NA where it was computed.
    names
        Computed score names, in registry order (or the order asked for).
    skipped
        Scores not computed because input columns are absent from the frame
        (name -> absent columns); only filled when ``names`` was None.
    options
        The options used.
    """

    values: pd.DataFrame
    reasons: pd.DataFrame
    names: tuple[str, ...]
    skipped: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    options: ScoreOptions = field(default_factory=ScoreOptions)

    def n_missing(self, name: str) -> int:
        """Number of rows where score ``name`` could not be computed."""
        return int(self.values[name].isna().sum())


def missing_reasons(frame: pd.DataFrame, inputs: Iterable[str]) -> pd.Series:
    """Per row, ``"<col> missing; <col> missing"`` for missing inputs, NA if none missing."""
    columns = list(inputs)
    missing = np.column_stack(
        [frame[c].isna().to_numpy(dtype=bool) for c in columns] or [np.zeros(len(frame), bool)]
    )
    # One text per distinct pattern of missing inputs (few), then broadcast to rows.
    codes = missing.astype(np.int64) @ (np.int64(1) << np.arange(missing.shape[1], dtype=np.int64))
    patterns, inverse = np.unique(codes, return_inverse=True)
    texts = np.array(
        ["; ".join(f"{c} missing" for k, c in enumerate(columns) if (code >> k) & 1) or None
         for code in patterns],
        dtype=object,
    )
    return pd.Series(texts[inverse.ravel()], index=frame.index, dtype="string")


def assign_groups(scores: pd.Series, definition: ScoreDefinition) -> pd.Series:
    """Group label of each score value (``string``, NA where the score is NA).

    Raises
    ------
    SchemaError
        A value is not a whole number within the score's range (e.g. a supplied
        ``tomita`` column holding 11 or 1): it belongs to no published group, so it is
        refused rather than put into the nearest end group.
    """
    lows = np.array([g.lo for g in definition.groups], dtype=float)
    labels = np.array(definition.group_labels, dtype=object)
    x = scores.astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    known = ~np.isnan(x)
    with np.errstate(invalid="ignore"):
        bad = known & ((x < definition.minimum) | (x > definition.maximum) | (x != np.round(x)))
    if bad.any():
        positions = np.flatnonzero(bad)
        seen = ", ".join(f"{v:g}" for v in pd.unique(x[positions[:5]]))
        raise SchemaError(
            f"column '{definition.name}': {describe_rows(positions)} hold values that are "
            f"not a {definition.label} score (values seen: {seen}; allowed: whole numbers "
            f"from {definition.minimum} to {definition.maximum}). Correct these cells, or "
            f"rename the column and validate it as a custom score "
            f"(--score NAME:higher-is-better or --score NAME:higher-is-worse)."
        )
    position = np.searchsorted(lows, np.where(known, x, lows[0]), side="right") - 1
    out = pd.Series(labels[np.clip(position, 0, len(labels) - 1)], index=scores.index)
    return out.where(known).astype("string")


def _resolve(
    frame: pd.DataFrame, names: str | Iterable[str] | None
) -> tuple[list[str], dict[str, tuple[str, ...]]]:
    present = set(frame.columns)
    if names is None:
        chosen: list[str] = []
        skipped: dict[str, tuple[str, ...]] = {}
        for name, definition in REGISTRY.items():
            absent = tuple(c for c in definition.inputs if c not in present)
            if absent:
                skipped[name] = absent
            else:
                chosen.append(name)
        return chosen, skipped
    wanted = [names] if isinstance(names, str) else list(names)
    unknown = [n for n in wanted if n not in REGISTRY]
    if unknown:
        raise CohortInputError(
            f"unknown score name(s) {unknown}. Known scores: {', '.join(REGISTRY)}."
        )
    problems = []
    for name in wanted:
        needed = [c for c in REGISTRY[name].inputs if c not in present]
        if needed:
            problems.append(f"'{name}' needs column(s) {needed}")
    if problems:
        raise SchemaError(
            "cannot compute the requested score(s): "
            + "; ".join(problems)
            + " that are absent from the table. Add these columns (or map your own "
            "column names to them with a --map file), or do not request these scores."
        )
    return list(dict.fromkeys(wanted)), {}


def compute_scores(
    frame: pd.DataFrame,
    names: str | Iterable[str] | None = None,
    options: ScoreOptions | None = None,
) -> ScoreResult:
    """Compute registered scores for every row of a cohort frame.

    Parameters
    ----------
    frame
        Canonical cohort frame (:func:`cohort.schema.validate_cohort` output).
    names
        Score names (see :data:`REGISTRY`); None computes every score whose input
        columns are all present in ``frame`` and records the others in ``skipped``.
    options
        :class:`ScoreOptions`; default ``ScoreOptions()``.

    Returns
    -------
    ScoreResult

    Raises
    ------
    SchemaError
        A requested score's input columns are absent, or an input holds a value outside
        the canonical schema.
    CohortInputError
        An unknown score name.
    """
    options = options or ScoreOptions()
    chosen, skipped = _resolve(frame, names)
    check_inputs(frame, dict.fromkeys(c for n in chosen for c in REGISTRY[n].inputs))
    values: dict[str, pd.Series] = {}
    reasons: dict[str, pd.Series] = {}
    for name in chosen:
        definition = REGISTRY[name]
        score = definition.compute(frame, options)
        values[name] = score.rename(name)
        values[f"{name}_group"] = assign_groups(score, definition)
        reason = missing_reasons(frame, definition.inputs)
        if definition.unscored is not None:
            reason = reason.fillna(definition.unscored(frame, options))
        reasons[name] = reason
    return ScoreResult(
        values=pd.DataFrame(values, index=frame.index),
        reasons=pd.DataFrame(reasons, index=frame.index),
        names=tuple(chosen),
        skipped=skipped,
        options=options,
    )


def score_components(
    frame: pd.DataFrame, name: str, options: ScoreOptions | None = None
) -> pd.DataFrame:
    """Item points of one score per row (float, NaN where the item's input is missing).

    Useful to show how a total arose, and to fit the items as separate covariates.
    The row sum of the items is the score.
    """
    chosen, _ = _resolve(frame, [name])
    return REGISTRY[chosen[0]].components(frame, options or ScoreOptions())


def add_scores(
    frame: pd.DataFrame,
    names: str | Iterable[str] | None = None,
    options: ScoreOptions | None = None,
) -> pd.DataFrame:
    """Return a copy of ``frame`` with ``<name>``, ``<name>_group`` and ``<name>_missing_reason``.

    A column of that name already in ``frame`` is replaced only if it holds exactly
    the computed values (re-scoring a scored file); otherwise :class:`SchemaError` is
    raised rather than overwriting the user's data.
    """
    result = compute_scores(frame, names, options)
    out = frame.copy()
    for name in result.names:
        new = {
            name: result.values[name],
            f"{name}_group": result.values[f"{name}_group"],
            f"{name}_missing_reason": result.reasons[name],
        }
        for column, series in new.items():
            if column in out.columns and not _same(out[column], series):
                raise SchemaError(
                    f"column '{column}' is already in the table and differs from the "
                    f"computed {name} values. Rename or drop that column (e.g. "
                    f"'{column}_published') so the computed score does not replace it."
                )
            out[column] = series
    return out


def _same(old: pd.Series, new: pd.Series) -> bool:
    old_na, new_na = old.isna().to_numpy(), new.isna().to_numpy()
    if not np.array_equal(old_na, new_na):
        return False
    known = ~new_na
    a = old[known].astype(str).str.replace(r"\.0$", "", regex=True).to_numpy()
    b = new[known].astype(str).to_numpy()
    return bool(np.array_equal(a, b))
