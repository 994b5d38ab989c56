"""Column maps: a TOML file that maps a user's column names and labels to canonical ones.

The format is described in :mod:`cohort.io` (and the README); :func:`load_column_map`
parses and checks a file, :func:`apply_column_map` applies it to a frame.
"""

from __future__ import annotations

import difflib
import os
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from cohort.csv_reader import DELIMITERS
from cohort.errors import ColumnMapError
from cohort.schema import COLUMNS
from cohort.survival_coding import normalize_time_unit

__all__ = ["ColumnMap", "apply_column_map", "did_you_mean", "load_column_map"]


@dataclass(frozen=True)
class ColumnMap:
    """A parsed column-map file (see the module docstring for the format).

    Attributes
    ----------
    columns
        User column name -> canonical column name.
    values
        Canonical column -> {user label -> canonical label}.
    time_unit, event_value
        From the ``[time]`` and ``[event]`` tables, or ``None``.
    sep, decimal, sheet, encoding
        Reading options from the ``[read]`` table, or ``None``.
    source
        The file it was read from.
    """

    columns: Mapping[str, str] = field(default_factory=dict)
    values: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    time_unit: str | None = None
    event_value: str | None = None
    sep: str | None = None
    decimal: str | None = None
    sheet: str | int | None = None
    encoding: str | None = None
    source: Path | None = None


_MAP_TABLES = {"columns", "values", "time", "event", "read"}
_MAP_KEYS = {"time": {"unit", "column"}, "event": {"value", "column"},
             "read": {"sep", "decimal", "sheet", "encoding"}}  # fmt: skip


def did_you_mean(name: str, options: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` for the closest of ``options``, or an empty string."""
    close = difflib.get_close_matches(name, list(options), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def load_column_map(path: str | os.PathLike[str]) -> ColumnMap:
    """Parse a TOML column-map file.

    Raises
    ------
    ColumnMapError
        The file is missing, is not valid TOML, has unknown tables or keys, maps to a
        canonical column that does not exist, maps two columns to one canonical name,
        or maps a label to one outside the canonical vocabulary.
    """
    p = Path(path)
    if not p.is_file():
        raise ColumnMapError(f"column-map file '{p}' does not exist. Check the --map path.")
    try:
        doc = tomllib.loads(p.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise ColumnMapError(f"column-map file '{p.name}' is not UTF-8 text: {exc}.") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ColumnMapError(f"column-map file '{p.name}' is not valid TOML: {exc}.") from exc
    where = f"column-map file '{p.name}'"
    for key in doc:
        if key not in _MAP_TABLES:
            raise ColumnMapError(
                f"{where}: unknown table [{key}]{did_you_mean(key, _MAP_TABLES)}. Allowed tables: "
                f"{', '.join(sorted(_MAP_TABLES))}."
            )
        if not isinstance(doc[key], dict):
            raise ColumnMapError(f"{where}: '{key}' must be a table ([{key}]), not a value.")
    for table, allowed in _MAP_KEYS.items():
        for key, val in doc.get(table, {}).items():
            if key not in allowed:
                raise ColumnMapError(
                    f"{where}: unknown key '{key}' in [{table}]{did_you_mean(key, allowed)}. "
                    f"Allowed keys: {', '.join(sorted(allowed))}."
                )
            if not isinstance(val, str | int) or isinstance(val, bool):
                raise ColumnMapError(f"{where}: [{table}] {key} must be a string.")

    columns: dict[str, str] = {}
    for user, canon in doc.get("columns", {}).items():
        if not isinstance(canon, str):
            raise ColumnMapError(f"{where}: [columns] \"{user}\" must map to a column name string.")
        columns[str(user)] = canon
    for table, canon in (("time", "time_months"), ("event", "event")):
        user = doc.get(table, {}).get("column")
        if user is not None:
            if str(user) in columns and columns[str(user)] != canon:
                raise ColumnMapError(
                    f"{where}: column '{user}' is mapped to '{columns[str(user)]}' in [columns] "
                    f"and to '{canon}' in [{table}]."
                )
            columns[str(user)] = canon
    for user, canon in columns.items():
        if canon not in COLUMNS:
            raise ColumnMapError(
                f"{where}: [columns] maps '{user}' to '{canon}', which is not a canonical "
                f"column{did_you_mean(canon, COLUMNS)}. Canonical columns: {', '.join(COLUMNS)}."
            )
    targets: dict[str, list[str]] = {}
    for user, canon in columns.items():
        targets.setdefault(canon, []).append(user)
    clash = {c: us for c, us in targets.items() if len(us) > 1}
    if clash:
        canon, users = next(iter(clash.items()))
        raise ColumnMapError(
            f"{where}: columns {users} are all mapped to '{canon}'; each canonical column can "
            "come from one column only. Keep one mapping and remove the others."
        )

    values: dict[str, dict[str, str]] = {}
    for canon, table in doc.get("values", {}).items():
        if canon not in COLUMNS:
            raise ColumnMapError(
                f"{where}: [values.{canon}] names '{canon}', which is not a canonical "
                f"column{did_you_mean(canon, COLUMNS)}."
            )
        spec = COLUMNS[canon]
        if spec.kind not in ("category", "bool"):
            hint = " (use [event] value for the event column)" if canon == "event" else ""
            raise ColumnMapError(
                f"{where}: [values.{canon}]: labels can be mapped for category and yes/no "
                f"columns only; '{canon}' is a {spec.kind} column{hint}."
            )
        if not isinstance(table, dict):
            raise ColumnMapError(f"{where}: [values.{canon}] must be a table of labels.")
        seen: dict[str, str] = {}
        out: dict[str, str] = {}
        for user_label, label in table.items():
            if not isinstance(label, str | int | bool):
                raise ColumnMapError(
                    f"{where}: [values.{canon}] \"{user_label}\" must map to a label string."
                )
            label_s = str(label).lower() if isinstance(label, bool) else str(label)
            if spec.values is not None:
                lookup = {v.lower(): v for v in spec.values}
                if label_s.strip().lower() not in lookup:
                    raise ColumnMapError(
                        f"{where}: [values.{canon}] maps '{user_label}' to '{label_s}', which "
                        f"is not an allowed value{did_you_mean(label_s, spec.values)}. Allowed "
                        f"values: {', '.join(spec.values)}."
                    )
                label_s = lookup[label_s.strip().lower()]
            key = str(user_label).strip().lower()
            if key in seen:
                raise ColumnMapError(
                    f"{where}: [values.{canon}] lists '{seen[key]}' and '{user_label}', which "
                    "are the same label once case and spaces are ignored."
                )
            seen[key] = str(user_label)
            out[key] = label_s
        values[canon] = out

    time = doc.get("time", {})
    unit = time.get("unit")
    if unit is not None:
        unit = normalize_time_unit(str(unit), f"{where}: [time] unit")
    event_value = doc.get("event", {}).get("value")
    read = doc.get("read", {})
    sheet = read.get("sheet")
    return ColumnMap(
        columns=columns,
        values=values,
        time_unit=unit,
        event_value=None if event_value is None else str(event_value),
        sep=_map_sep(read.get("sep"), where),
        decimal=_map_decimal(read.get("decimal"), where),
        sheet=sheet,
        encoding=None if read.get("encoding") is None else str(read.get("encoding")),
        source=p,
    )


def _map_decimal(decimal: object, where: str) -> str | None:
    if decimal is None:
        return None
    if str(decimal) not in (".", ","):
        raise ColumnMapError(f"{where}: [read] decimal {decimal!r} is not '.' or ','.")
    return str(decimal)


def _map_sep(sep: object, where: str) -> str | None:
    if sep is None:
        return None
    s = str(sep)
    aliases = {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";", "pipe": "|"}
    s = aliases.get(s.lower(), s)
    if s not in DELIMITERS:
        raise ColumnMapError(f"{where}: [read] sep {sep!r} is not one of , ; tab |.")
    return s


def apply_column_map(df: pd.DataFrame, cmap: ColumnMap) -> pd.DataFrame:
    """Rename user columns to canonical names and map user labels to canonical labels.

    Returns a copy; ``df`` is not modified. Labels are matched ignoring case and
    surrounding spaces; labels the map does not list are left unchanged for the schema
    to check.

    Raises
    ------
    ColumnMapError
        The map names a column the table does not have, a renamed column would collide
        with a column already carrying that canonical name, or ``[values.X]`` names a
        column that is not in the (renamed) table.
    """
    where = "column map" + (f" '{cmap.source.name}'" if cmap.source is not None else "")
    present = [str(c) for c in df.columns]
    missing = [u for u in cmap.columns if u not in present]
    if missing:
        hints = [f"'{u}'{did_you_mean(u, present)}" for u in missing]
        raise ColumnMapError(
            f"{where} names column(s) {', '.join(hints)} that the table does not have. "
            f"The table's columns are {present}. Fix the names in [columns]."
        )
    for user, canon in cmap.columns.items():
        if canon in present and canon not in cmap.columns and user != canon:
            raise ColumnMapError(
                f"{where} maps '{user}' to '{canon}', but the table already has a column "
                f"named '{canon}'. Rename or remove one of them."
            )
    out = df.rename(columns=dict(cmap.columns))
    out.attrs = dict(df.attrs)
    for canon, labels in cmap.values.items():
        if canon not in out.columns:
            raise ColumnMapError(
                f"{where} has [values.{canon}] but the table has no column '{canon}' (after "
                "renaming with [columns]). Map the column in [columns] or remove the table."
            )
        col = out[canon]
        key = col.astype("string").str.strip().str.lower()
        mapped = key.map(labels)
        hit = mapped.notna() & col.notna()
        out[canon] = col.astype(object).where(~hit.to_numpy(), mapped.astype(object))
    return out
