"""The work behind the command-line commands, as plain functions returning text.

The click layer (:mod:`cohort.cli`) only parses options and prints what these return,
so every command can be called and tested without a terminal.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from cohort.errors import SchemaError
from cohort.io import check_output_path, load_cohort, sheet_notes, write_table

__all__ = ["run_score"]


def run_score(
    input_path: str | os.PathLike[str],
    out_path: str | os.PathLike[str],
    map_path: str | os.PathLike[str] | None = None,
    vertebral_option: str | None = None,
    score_options_path: str | os.PathLike[str] | None = None,
    *,
    time_col: str | None = None,
    event_col: str | None = None,
    event_value: object | None = None,
    time_unit: str | None = None,
) -> str:
    """Score a cohort file: add every computable score and group, write the result.

    Parameters
    ----------
    input_path
        CSV, Parquet or Excel cohort file (see :func:`cohort.io.read_table`); only read.
    out_path
        Output ``.csv``, ``.parquet`` or ``.xlsx``, written atomically; never the input.
    map_path
        Optional TOML column map (:func:`cohort.io.load_column_map`).
    vertebral_option
        Revised Tokuhashi vertebral-body item, ``"321"`` or ``"3-12-0"``
        (:class:`cohort.scores.ScoreOptions`); None: that of ``score_options_path``,
        else ``"321"``.
    score_options_path
        Optional TOML file of score options (:func:`cohort.scores.load_score_options`):
        ``vertebral_option`` and primary-site overrides.
    time_col, event_col, event_value, time_unit
        As in :func:`cohort.io.load_cohort`: the survival columns are optional for
        scoring, but when present they are checked, converted to months and coded
        0/1 like everywhere else.

    Returns
    -------
    str
        A short summary: rows read, the scores computed, how many rows lack each score
        and why, the scores that could not be computed and the columns they need.

    Raises
    ------
    CohortInputError
        Bad input (see :func:`cohort.io.load_cohort`), a bad score-options file, an
        output that would overwrite the input, or a table from which no score at all
        can be computed.
    """
    from cohort.scores import REGISTRY, add_scores, describe_score_options, score_options_from

    source, target = Path(input_path), Path(out_path)
    forbid = [source] + [Path(p) for p in (map_path, score_options_path) if p is not None]
    # Refuse a bad output before any work; write_table checks again when writing.
    check_output_path(target, forbid)
    options = score_options_from(score_options_path, vertebral_option=vertebral_option)
    loaded = load_cohort(source, map_path=map_path, time_col=time_col, event_col=event_col,
                         event_value=event_value, time_unit=time_unit)
    frame = loaded.frame
    present = set(frame.columns)
    computable = [n for n, d in REGISTRY.items() if all(c in present for c in d.inputs)]
    if not computable:
        needs = "; ".join(
            f"{n} needs {', '.join(c for c in d.inputs if c not in present)}"
            for n, d in REGISTRY.items()
        )
        raise SchemaError(
            f"no score can be computed from '{source.name}': every score needs input columns "
            f"that the table lacks ({needs}). The table has columns "
            f"{list(frame.columns)}. Rename the columns to the canonical names or map them "
            "with --map." + "".join(f" Note: {n}" for n in sheet_notes(loaded.notes))
        )
    scored = add_scores(frame, options=options)
    write_table(scored, target, forbid=forbid)
    notes = loaded.notes
    if score_options_path is not None:
        notes += (f"score options from {Path(score_options_path).name}: "
                  f"{describe_score_options(options)}",)
    return _summary(loaded.n_input_rows, source, target, scored, notes)


def _summary(
    n_rows: int,
    source: Path,
    target: Path,
    scored: pd.DataFrame,
    notes: tuple[str, ...],
) -> str:
    from cohort.scores import REGISTRY

    lines = [f"Read {n_rows} rows from {source.name}."]
    lines += [f"  note: {n}" for n in notes]
    lines.append("Scores (rows scored / rows read; why the others are not scored):")
    width = max(len(n) for n in REGISTRY)
    skipped = []
    for name, definition in REGISTRY.items():
        reason_col = f"{name}_missing_reason"
        if name not in scored.columns or reason_col not in scored.columns:
            skipped.append(f"{name} (needs {', '.join(definition.inputs)})")
            continue
        have = int(scored[name].notna().sum())
        line = f"  {name:<{width}}  {have}/{n_rows}"
        reasons = scored.loc[scored[name].isna(), reason_col]
        if len(reasons):
            per_input: dict[str, int] = {}
            for text in reasons.fillna("reason not recorded").astype(str):
                for piece in text.split("; "):
                    per_input[piece] = per_input.get(piece, 0) + 1
            shown = ", ".join(f"{k} in {v}" for k, v in per_input.items())
            line += f"; {len(reasons)} not scored: {shown}"
        lines.append(line)
    if skipped:
        lines.append("Not computed (input columns absent): " + "; ".join(skipped) + ".")
    lines.append(f"Wrote {len(scored)} rows x {scored.shape[1]} columns to {target}.")
    return "\n".join(lines)
