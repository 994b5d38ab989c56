"""Reading and writing cohort tables; column maps, time units and event coding.

Reading
-------
:func:`read_table` reads CSV (``.csv``, ``.tsv``, ``.txt``), Parquet (``.parquet``,
``.pq``) and Excel (``.xlsx``, ``.xlsm``) files. CSV files are decoded as UTF-8 (with or
without a byte-order mark); a file that is not valid UTF-8 is read as Windows-1252
(Latin-1) and a note says so. The delimiter is detected among comma, semicolon, tab and
``|`` (the one that splits every line into the same number of fields as the header),
and a decimal comma is detected when the delimiter is not a comma and numeric columns
are written like ``12,5``. Both can be given explicitly. CSV cells are kept as text
(``"007"`` stays ``"007"``); empty cells are missing; the schema layer
(:mod:`cohort.schema`) decides what each canonical column means. Row numbers in every
message count data rows, 1 being the first row under the header.

Column map (``--map FILE``)
---------------------------
A small TOML file that says how the user's table maps onto the canonical schema::

    # user column name = canonical column name
    [columns]
    "Patient"        = "patient_id"
    "Primary tumour" = "primary_site"
    "KPS (%)"        = "kps"
    "OS days"        = "time_months"      # converted with [time] unit below
    "Status"         = "event"

    # user label = canonical label, per canonical column (matched ignoring case and
    # surrounding spaces); labels not listed are passed to the schema unchanged
    [values.primary_site]
    "Lung ca"  = "lung"
    "Mamma"    = "breast"

    [values.cord_compression]
    "MSCC" = "true"

    [time]
    unit = "days"          # days | weeks | months | years (1 month = 365.25/12 days)

    [event]
    value = "dead"         # the value of the event column that means death

    [read]                 # optional reading options
    sep = ";"              # , ; tab | (write "\\t" for tab)
    decimal = ","          # . or ,
    sheet = "Cohort"       # Excel sheet name (default: the first sheet)

``[time] column = "OS days"`` and ``[event] column = "Status"`` are accepted as
shorthand for the ``[columns]`` entries. A map that names a column the file does not
have, sends two columns to one canonical name, names a canonical column that does not
exist, or has unknown tables or keys is a :class:`~cohort.errors.ColumnMapError`.

Events
------
The canonical event column is 1 = death, 0 = censored. A 0/1 column is used as is. For
anything else, the value that means death must be named (``--event-value`` or ``[event]
value``); the event is then "value == V", and the column may hold at most one other
value (censored). R's survival package codes 1 = censored, 2 = death: pass
``--event-value 2``. Missing events are an error.

Writing
-------
:func:`write_table` writes ``.csv`` (UTF-8, comma, decimal point), ``.parquet`` or
``.xlsx`` through :func:`atomic_write`: a temporary file in the target directory
replaced onto the target only when complete, so an interrupted run never leaves a
half-written output. It refuses to overwrite the input file.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import difflib
import io as _io
import os
import re
import tempfile
import tomllib
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd

from cohort.errors import (
    CohortInputError,
    ColumnMapError,
    EventCodingError,
    InputFileError,
    SchemaError,
    describe_rows,
)
from cohort.schema import COLUMNS, DAYS_PER_MONTH, MISSING_TEXT, validate_cohort

__all__ = [
    "CSV_SUFFIXES",
    "EXCEL_SUFFIXES",
    "PARQUET_SUFFIXES",
    "TIME_UNITS",
    "ColumnMap",
    "LoadedCohort",
    "apply_column_map",
    "atomic_write",
    "check_output_path",
    "code_event",
    "load_cohort",
    "load_column_map",
    "read_table",
    "to_months",
    "write_table",
]

CSV_SUFFIXES = (".csv", ".tsv", ".txt")
PARQUET_SUFFIXES = (".parquet", ".pq")
EXCEL_SUFFIXES = (".xlsx", ".xlsm")
_WRITE_SUFFIXES = (".csv", ".parquet", ".xlsx")

#: Months per unit (1 month = 365.25 / 12 days, DESIGN.md).
TIME_UNITS: dict[str, float] = {
    "days": 1 / DAYS_PER_MONTH,
    "weeks": 7 / DAYS_PER_MONTH,
    "months": 1.0,
    "years": 12.0,
}
_UNIT_ALIASES = {"day": "days", "week": "weeks", "month": "months", "year": "years"}

_DELIMITERS = (",", ";", "\t", "|")
_DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
_SNIFF_LINES = 200
# A column name longer than this many words is taken for prose (assumption: cohort
# headers are short labels such as "Karnofsky performance status (%)").
_MAX_HEADER_WORDS = 10
# Share of sniffed rows that must have the header's field count for a delimiter to be
# taken; below it the file is "not a table", above it the odd rows are reported by
# number (assumption: a real export has at most a few broken rows).
_MIN_CONSISTENT = 0.8
_INT_RE = re.compile(r"^[+-]?\d+$")
_COMMA_NUM_RE = re.compile(r"^[+-]?\d*,\d+$")
_DOT_NUM_RE = re.compile(r"^[+-]?\d*\.\d+$")

# Magic numbers of files that are often handed to a table reader by mistake.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (an .xlsx workbook is one; save it with the .xlsx extension)"),
    (b"\x1f\x8b", "a gzip archive (decompress it first)"),
    (b"PAR1", "a Parquet file (give it the .parquet extension)"),
    (b"\xd0\xcf\x11\xe0", "a legacy Office file (.xls/.doc); save it as .xlsx or .csv"),
    (b"SQLite format 3", "an SQLite database"),
)

_FORMATS_HINT = (
    "Supported formats: CSV (.csv, .tsv, .txt), Parquet (.parquet, .pq), Excel (.xlsx, .xlsm)."
)


# --------------------------------------------------------------------------- reading


def read_table(
    path: str | os.PathLike[str],
    *,
    sep: str | None = None,
    decimal: str | None = None,
    sheet: str | int | None = None,
    encoding: str | None = None,
) -> pd.DataFrame:
    """Read a CSV, Parquet or Excel file into a frame, columns as given.

    Parameters
    ----------
    path
        The file; the format follows the extension.
    sep
        CSV delimiter (``","``, ``";"``, ``"\\t"``, ``"|"``); detected when ``None``.
    decimal
        CSV decimal mark (``"."`` or ``","``); detected when ``None``.
    sheet
        Excel sheet name or 0-based position; the first sheet when ``None``.
    encoding
        CSV text encoding; UTF-8 (with or without BOM), falling back to Windows-1252
        with a note, when ``None``.

    Returns
    -------
    pandas.DataFrame
        One row per data row of the file, index 0..n-1. CSV cells are strings (missing
        cells ``None``); Parquet and Excel keep their stored types. Notes about how the
        file was read (detected delimiter, encoding fallback, ignored empty trailing
        rows) are in ``frame.attrs["notes"]``.

    Raises
    ------
    InputFileError
        The file is missing, empty, has no data rows, is not a table, has rows with the
        wrong number of fields, or has an unsupported extension.
    """
    p = Path(path)
    if not p.exists():
        raise InputFileError(f"input file '{p}' does not exist. Check the path.")
    if p.is_dir():
        raise InputFileError(f"'{p}' is a directory, not a table file. {_FORMATS_HINT}")
    suffix = p.suffix.lower()
    if p.stat().st_size == 0:
        raise InputFileError(f"input file '{p}' is empty (0 bytes). Export the table again.")
    if suffix in CSV_SUFFIXES:
        frame = _read_csv(p, sep=sep, decimal=decimal, encoding=encoding)
    elif suffix in PARQUET_SUFFIXES:
        frame = _read_parquet(p)
    elif suffix in EXCEL_SUFFIXES:
        frame = _read_excel(p, sheet)
    else:
        raise InputFileError(
            f"cannot read '{p.name}': unknown extension '{p.suffix or '(none)'}'. "
            f"{_FORMATS_HINT}"
        )
    if len(frame) == 0:
        raise InputFileError(
            f"input file '{p}' has a header but no data rows. Export the table with its rows."
        )
    return frame


def _check_magic(raw: bytes, p: Path) -> None:
    for magic, what in _MAGIC:
        if raw.startswith(magic):
            raise InputFileError(
                f"'{p.name}' is not a text table: it looks like {what}. {_FORMATS_HINT}"
            )
    if b"\x00" in raw[:65536] and not raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise InputFileError(
            f"'{p.name}' is not a text table: it contains binary data (NUL bytes). "
            f"{_FORMATS_HINT}"
        )


def _decode(raw: bytes, p: Path, encoding: str | None, notes: list[str]) -> str:
    if encoding is not None:
        try:
            return raw.decode(encoding)
        except (UnicodeDecodeError, LookupError) as exc:
            raise InputFileError(f"cannot decode '{p.name}' as {encoding}: {exc}.") from exc
    for bom, enc in ((codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if raw.startswith(bom):
            notes.append(f"'{p.name}' is UTF-16 encoded (byte-order mark); read as UTF-16.")
            return raw.decode(enc)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        first_bad = exc.start
    for enc, label in (("cp1252", "Windows-1252"), ("latin-1", "Latin-1")):
        try:
            text = raw.decode(enc)
        except UnicodeDecodeError:
            continue
        notes.append(
            f"'{p.name}' is not valid UTF-8 (first invalid byte at offset {first_bad}); "
            f"read it as {label}. Check accented labels, or save the file as UTF-8."
        )
        return text
    raise AssertionError("latin-1 decodes every byte string")  # pragma: no cover


def _looks_binary(text: str) -> bool:
    sample = text[:65536]
    if not sample:
        return False
    ctrl = sum(
        1 for ch in sample if (ord(ch) < 32 and ch not in "\t\r\n\f") or 127 <= ord(ch) < 160
    )
    return ctrl > max(2, len(sample) // 200)


def _parse(text: str, sep: str) -> list[list[str]]:
    reader = csv.reader(_io.StringIO(text, newline=""), delimiter=sep, quotechar='"', strict=False)
    return list(reader)


def _blank(row: Sequence[str]) -> bool:
    return all(not c.strip() for c in row)


def _sniff_sep(text: str, p: Path) -> str:
    lines = [ln for ln in text.splitlines() if ln.strip()][:_SNIFF_LINES]
    sample = "\n".join(lines)
    best: tuple[float, int, int] | None = None
    best_sep = None
    for k, cand in enumerate(_DELIMITERS):
        if cand not in lines[0]:
            continue
        rows = [r for r in _parse(sample, cand) if not _blank(r)]
        width = len(rows[0])
        if width < 2:
            continue
        body = rows[1:]
        consistent = sum(len(r) == width for r in body) / len(body) if body else 1.0
        key = (consistent, width, -k)
        if best is None or key > best:
            best, best_sep = key, cand
    if best is None or best_sep is None or best[0] < _MIN_CONSISTENT:
        guess = ""
        if best is not None and best_sep is not None:
            guess = (
                f" (best guess, {_DELIMITER_NAMES[best_sep]}: the header has {best[1]} fields "
                f"and only {best[0]:.0%} of the first {len(lines) - 1} rows have as many)"
            )
        raise InputFileError(
            f"'{p.name}' does not look like a table: no delimiter among comma, semicolon, "
            f"tab and '|' splits its lines into a consistent number of columns{guess}. A "
            "table needs a header line and at least two columns. Export the data as CSV, "
            f"Parquet or Excel, or set sep in the [read] table of a --map file. {_FORMATS_HINT}"
        )
    return best_sep


def _numeric_columns(
    names: Sequence[str], rows: Sequence[Sequence[str]], pattern: re.Pattern[str]
) -> list[int]:
    """Positions of columns whose non-missing cells are all integers or match ``pattern``,
    with at least one match of ``pattern``."""
    found = []
    for j in range(len(names)):
        hit = False
        ok = True
        for r in rows:
            cell = r[j].strip()
            if not cell or cell.lower() in MISSING_TEXT or _INT_RE.match(cell):
                continue
            if pattern.match(cell):
                hit = True
            else:
                ok = False
                break
        if ok and hit:
            found.append(j)
    return found


def _read_csv(
    p: Path, *, sep: str | None, decimal: str | None, encoding: str | None
) -> pd.DataFrame:
    raw = p.read_bytes()
    _check_magic(raw, p)
    notes: list[str] = []
    text = _decode(raw, p, encoding, notes)
    if _looks_binary(text):
        raise InputFileError(
            f"'{p.name}' is not a text table: it contains control characters (binary data). "
            f"{_FORMATS_HINT}"
        )
    if not text.strip():
        raise InputFileError(f"input file '{p}' is empty (only blank lines).")
    if sep is None:
        sep = _sniff_sep(text, p)
        if sep != ",":
            notes.append(f"detected delimiter: {_DELIMITER_NAMES[sep]}.")
    elif sep not in _DELIMITERS:
        raise InputFileError(
            f"unsupported delimiter {sep!r}; use one of comma, semicolon, tab or '|'."
        )
    if decimal not in (None, ".", ","):
        raise InputFileError(f"unsupported decimal mark {decimal!r}; use '.' or ','.")
    rows = _parse(text, sep)
    # Leading blank lines are skipped; the first non-blank line is the header.
    while rows and _blank(rows[0]):
        rows.pop(0)
    header = [h.strip() for h in rows[0]]
    body = rows[1:]
    wordy = [h for h in header if len(h.split()) > _MAX_HEADER_WORDS]
    if wordy:
        raise InputFileError(
            f"'{p.name}' does not look like a table: its first line should hold the column "
            f"names, but it reads like text ({wordy[0][:60]!r} has more than "
            f"{_MAX_HEADER_WORDS} words). Export the data as CSV, Parquet or Excel with a "
            "header row."
        )
    trailing = 0
    while body and _blank(body[-1]):
        body.pop()
        trailing += 1
    if trailing:
        notes.append(f"ignored {trailing} empty line(s) at the end of '{p.name}'.")
    if not body:
        raise InputFileError(
            f"input file '{p}' has a header but no data rows. Export the table with its rows."
        )
    width = len(header)
    blank_rows = [i for i, r in enumerate(body) if _blank(r)]
    if blank_rows:
        raise InputFileError(
            f"'{p.name}': {describe_rows(blank_rows)} empty, between data rows. Delete the "
            "empty rows (row numbers count data rows, 1 = first row under the header)."
        )
    ragged = [i for i, r in enumerate(body) if len(r) != width]
    if ragged:
        counts = sorted({len(body[i]) for i in ragged})
        raise InputFileError(
            f"'{p.name}': {describe_rows(ragged)} have {', '.join(map(str, counts))} fields "
            f"but the header has {width} ({_DELIMITER_NAMES[sep]}-delimited). Check for "
            "unquoted delimiters inside cells or missing cells; quote text that contains "
            "the delimiter, or set sep in the [read] table of a --map file."
        )
    # A delimiter at the end of every line gives unnamed, empty columns: drop them.
    keep = []
    for j, name in enumerate(header):
        if name:
            keep.append(j)
            continue
        if any(r[j].strip() for r in body):
            raise InputFileError(
                f"'{p.name}': column {j + 1} has no name in the header but holds values. "
                "Give every column a name."
            )
        notes.append(f"ignored column {j + 1} of '{p.name}': no name and no values.")
    header = [header[j] for j in keep]
    body = [[r[j] for j in keep] for r in body]
    dupes = sorted({h for h in header if header.count(h) > 1})
    if dupes:
        raise InputFileError(
            f"'{p.name}': column name(s) {dupes} appear more than once in the header. "
            "Rename the duplicates so that every column name is unique."
        )
    decimal_cols: list[int] = []
    if decimal == ",":
        decimal_cols = _numeric_columns(header, body, _COMMA_NUM_RE)
    elif decimal is None and sep != ",":
        comma = _numeric_columns(header, body, _COMMA_NUM_RE)
        if comma:
            dot = _numeric_columns(header, body, _DOT_NUM_RE)
            if dot:
                raise InputFileError(
                    f"'{p.name}': the decimal mark is ambiguous: columns "
                    f"{[header[j] for j in comma]} use a decimal comma, columns "
                    f"{[header[j] for j in dot]} a decimal point. Use one mark, or set "
                    'decimal = "," or "." in the [read] table of a --map file.'
                )
            decimal_cols = comma
            notes.append(
                f"detected decimal comma in column(s) {[header[j] for j in comma]}; "
                "read as numbers."
            )
    data: dict[str, list[str | None]] = {}
    for j, name in enumerate(header):
        col: list[str | None] = []
        for r in body:
            cell = r[j]
            if not cell.strip():
                col.append(None)
            elif j in decimal_cols:
                col.append(cell.strip().replace(",", "."))
            else:
                col.append(cell)
        data[name] = col
    frame = pd.DataFrame(data, dtype=object)
    frame.attrs["notes"] = notes
    return frame


def _read_parquet(p: Path) -> pd.DataFrame:
    with open(p, "rb") as fh:
        head = fh.read(4)
    if head != b"PAR1":
        raise InputFileError(
            f"'{p.name}' is not a Parquet file (it does not start with the Parquet magic "
            f"bytes). {_FORMATS_HINT}"
        )
    try:
        frame = pd.read_parquet(p)
    except Exception as exc:  # pyarrow raises several unrelated types on corrupt files
        raise InputFileError(f"cannot read the Parquet file '{p.name}': {exc}") from exc
    frame = frame.reset_index(drop=frame.index.name is None)
    frame.columns = [str(c) for c in frame.columns]
    frame.attrs["notes"] = []
    return frame


def _read_excel(p: Path, sheet: str | int | None) -> pd.DataFrame:
    if not zipfile.is_zipfile(p):
        raise InputFileError(
            f"'{p.name}' is not an Excel workbook (.xlsx files are ZIP archives; this one "
            f"is not). {_FORMATS_HINT}"
        )
    try:
        book = pd.ExcelFile(p, engine="openpyxl")
    except Exception as exc:  # openpyxl raises several unrelated types on corrupt files
        raise InputFileError(f"cannot read the Excel file '{p.name}': {exc}") from exc
    with book:
        names = list(book.sheet_names)
        notes = []
        if sheet is None:
            target: str | int = 0
            if len(names) > 1:
                notes.append(
                    f"'{p.name}' has {len(names)} sheets; read the first, '{names[0]}' "
                    "(choose another with sheet in the [read] table of a --map file)."
                )
        elif isinstance(sheet, int):
            if not 0 <= sheet < len(names):
                raise InputFileError(
                    f"'{p.name}' has no sheet number {sheet}; its sheets are {names}."
                )
            target = sheet
        else:
            if sheet not in names:
                raise InputFileError(
                    f"'{p.name}' has no sheet '{sheet}'; its sheets are {names}."
                )
            target = sheet
        frame = book.parse(target, dtype=object, keep_default_na=False, na_values=[""])
    if frame.shape[1] == 0:
        raise InputFileError(f"the sheet of '{p.name}' is empty. Put the table in the first sheet.")
    unnamed = [str(c) for c in frame.columns if str(c).startswith("Unnamed: ")]
    for c in unnamed:
        if frame[c].notna().any():
            raise InputFileError(
                f"'{p.name}': a column ({c.replace('Unnamed: ', 'position ')}) has no name "
                "in the header row but holds values. Give every column a name."
            )
        frame = frame.drop(columns=c)
        notes.append(f"ignored an unnamed, empty column of '{p.name}'.")
    frame.columns = [str(c).strip() for c in frame.columns]
    # Excel leaves formatted-but-empty rows at the end of a sheet.
    filled = frame.notna().any(axis=1).to_numpy()
    if filled.any():
        last = int(np.flatnonzero(filled)[-1])
        if last < len(frame) - 1:
            notes.append(f"ignored {len(frame) - 1 - last} empty row(s) at the end of the sheet.")
        frame = frame.iloc[: last + 1]
    else:
        frame = frame.iloc[:0]
    empty = np.flatnonzero(~frame.notna().any(axis=1).to_numpy())
    if len(empty):
        raise InputFileError(
            f"'{p.name}': {describe_rows(empty)} empty, between data rows. Delete the empty rows "
            "(row numbers count data rows, 1 = first row under the header)."
        )
    frame = frame.reset_index(drop=True).astype(object)
    frame = frame.where(frame.notna(), None)
    frame.attrs["notes"] = notes
    return frame


# ----------------------------------------------------------------------- column map


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
    sep, decimal, sheet
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
    source: Path | None = None


_MAP_TABLES = {"columns", "values", "time", "event", "read"}
_MAP_KEYS = {"time": {"unit", "column"}, "event": {"value", "column"},
             "read": {"sep", "decimal", "sheet", "encoding"}}  # fmt: skip


def _suggest(name: str, options: Iterable[str]) -> str:
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
                f"{where}: unknown table [{key}]{_suggest(key, _MAP_TABLES)}. Allowed tables: "
                f"{', '.join(sorted(_MAP_TABLES))}."
            )
        if not isinstance(doc[key], dict):
            raise ColumnMapError(f"{where}: '{key}' must be a table ([{key}]), not a value.")
    for table, allowed in _MAP_KEYS.items():
        for key, val in doc.get(table, {}).items():
            if key not in allowed:
                raise ColumnMapError(
                    f"{where}: unknown key '{key}' in [{table}]{_suggest(key, allowed)}. "
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
                f"column{_suggest(canon, COLUMNS)}. Canonical columns: {', '.join(COLUMNS)}."
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
                f"column{_suggest(canon, COLUMNS)}."
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
                        f"is not an allowed value{_suggest(label_s, spec.values)}. Allowed "
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
        unit = _normalize_unit(str(unit), f"{where}: [time] unit")
    event_value = doc.get("event", {}).get("value")
    read = doc.get("read", {})
    sheet = read.get("sheet")
    return ColumnMap(
        columns=columns,
        values=values,
        time_unit=unit,
        event_value=None if event_value is None else str(event_value),
        sep=_map_sep(read.get("sep"), where),
        decimal=None if read.get("decimal") is None else str(read.get("decimal")),
        sheet=sheet,
        source=p,
    )


def _map_sep(sep: object, where: str) -> str | None:
    if sep is None:
        return None
    s = str(sep)
    aliases = {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";", "pipe": "|"}
    s = aliases.get(s.lower(), s)
    if s not in _DELIMITERS:
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
        hints = [f"'{u}'{_suggest(u, present)}" for u in missing]
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


# ------------------------------------------------------------------ times and events


def _normalize_unit(unit: str, where: str = "time unit") -> str:
    u = unit.strip().lower()
    u = _UNIT_ALIASES.get(u, u)
    if u not in TIME_UNITS:
        raise CohortInputError(
            f"{where} '{unit}' is not known; use one of {', '.join(TIME_UNITS)}."
        )
    return u


def _parse_numbers(values: pd.Series, column: str) -> pd.Series:
    """Numbers from a column that may hold text; NA-like text is missing."""
    if pd.api.types.is_bool_dtype(values):
        raise SchemaError(f"column '{column}' holds true/false values, not numbers.")
    if pd.api.types.is_numeric_dtype(values):
        return pd.to_numeric(values, errors="coerce").astype(float)
    text = values.astype("string").str.strip()
    missing = values.isna() | text.str.lower().isin(MISSING_TEXT).fillna(True)
    num = pd.to_numeric(text.where(~missing), errors="coerce")
    bad = np.flatnonzero((~missing & num.isna()).to_numpy(dtype=bool))
    if len(bad):
        seen = ", ".join(repr(v) for v in pd.unique(values.iloc[bad[:5]]))
        raise SchemaError(
            f"column '{column}': {describe_rows(bad)} are not numbers (values seen: {seen}). "
            "Fix or blank out these cells (a decimal comma needs decimal = \",\" in the [read] "
            "table of a --map file if it was not detected)."
        )
    return num.astype(float)


def to_months(
    values: pd.Series | Sequence[float], unit: str, *, column: str = "time_months"
) -> pd.Series:
    """Convert survival times to months.

    Parameters
    ----------
    values
        Times in ``unit`` (numbers or numeric text; NA-like text is missing and stays
        missing).
    unit
        ``"days"``, ``"weeks"``, ``"months"`` or ``"years"`` (singular accepted).
    column
        Column name used in error messages.

    Returns
    -------
    pandas.Series
        Float months, same index; 1 month = 365.25 / 12 days, 1 year = 12 months.

    References
    ----------
    DESIGN.md canonical schema: time in months, 1 month = 365.25/12 days.
    """
    series = values if isinstance(values, pd.Series) else pd.Series(values)
    factor = TIME_UNITS[_normalize_unit(unit)]
    months = _parse_numbers(series, column) * factor
    months.name = series.name
    return months


def _named(result: pd.Series, like: pd.Series) -> pd.Series:
    result.name = like.name
    return result


def _event_key(value: object) -> str:
    if isinstance(value, bool | np.bool_):
        return "1" if value else "0"
    if isinstance(value, int | float | np.integer | np.floating):
        f = float(value)
        return str(int(f)) if f.is_integer() else repr(f)
    s = str(value).strip()
    try:
        f = float(s)
    except ValueError:
        return s.lower()
    if not np.isfinite(f):
        return s.lower()
    return str(int(f)) if f.is_integer() else repr(f)


def code_event(
    values: pd.Series | Sequence[object],
    event_value: object | None = None,
    column: str = "event",
) -> pd.Series:
    """Code an event column as 1 = death, 0 = censored.

    Parameters
    ----------
    values
        The user's event column (numbers, booleans or text labels).
    event_value
        The value that means death. ``None`` accepts only 0/1 (or true/false stored as
        booleans). Compared as a number when both sides are numeric (``2`` matches
        ``"2.0"``), otherwise as text ignoring case and surrounding spaces.
    column
        Column name used in error messages.

    Returns
    -------
    pandas.Series
        ``int`` 0/1, same index.

    Raises
    ------
    EventCodingError
        Missing events (rows listed); a coding other than 0/1 without ``event_value``
        (1/2 gets the hint for R's coding); ``event_value`` not found, or more than one
        other value besides it (values listed).
    """
    series = values if isinstance(values, pd.Series) else pd.Series(list(values))
    text = series.astype("string").str.strip()
    missing = (series.isna() | text.str.lower().isin(MISSING_TEXT).fillna(True)).to_numpy(bool)
    if missing.any():
        rows = np.flatnonzero(missing)
        raise EventCodingError(
            f"column '{column}': {describe_rows(rows)} have no event value (missing). Every "
            "patient needs an event status: 1 = death, 0 = censored (alive at last follow-up)."
        )
    keys = series.map(_event_key)
    seen = list(pd.unique(keys))
    shown = ", ".join(repr(v) for v in sorted(seen)[:10])
    if event_value is None:
        if set(seen) <= {"0", "1"}:
            return _named((keys == "1").astype(int), series)
        if set(seen) == {"1", "2"} or set(seen) == {"2"}:
            raise EventCodingError(
                f"column '{column}' is coded 1/2 (values seen: {shown}), not 0/1. Pass "
                "--event-value 2 if 2 means death (R survival's 1/2 coding), or "
                "--event-value 1 if 1 means death."
            )
        raise EventCodingError(
            f"column '{column}' is not coded 0 = censored / 1 = death (values seen: {shown}). "
            "Say which value means death with --event-value (or [event] value in the "
            "--map file), e.g. --event-value dead."
        )
    target = _event_key(event_value)
    if target not in seen:
        raise EventCodingError(
            f"column '{column}': no row has the event value {event_value!r} (values seen: "
            f"{shown}). Pass the value that means death with --event-value."
        )
    others = [v for v in seen if v != target]
    if len(others) > 1:
        raise EventCodingError(
            f"column '{column}' has {len(seen)} different values ({shown}); with "
            f"--event-value {event_value} exactly one other value can mean censored. Recode "
            "the column (e.g. competing causes of death) so that it has two values."
        )
    return _named((keys == target).astype(int), series)


# -------------------------------------------------------------------- whole cohort


@dataclass(frozen=True)
class LoadedCohort:
    """A validated cohort and how it was obtained.

    Attributes
    ----------
    frame
        The canonical, validated frame (:func:`cohort.schema.validate_cohort`); index
        0..n-1 are the input data rows in order (row ``i`` is data row ``i + 1``).
    n_input_rows
        Number of data rows in the input file.
    source
        The input file.
    notes
        What was done while loading (detected delimiter, unit conversion, generated
        ids, ...), in plain sentences for the report.
    """

    frame: pd.DataFrame
    n_input_rows: int
    source: Path
    notes: tuple[str, ...] = ()


def _rename(frame: pd.DataFrame, user: str, canon: str, option: str) -> pd.DataFrame:
    if user not in frame.columns:
        raise SchemaError(
            f"{option} '{user}': the table has no such column"
            f"{_suggest(user, map(str, frame.columns))}. The table's columns are "
            f"{[str(c) for c in frame.columns]}."
        )
    if user == canon:
        return frame
    if canon in frame.columns:
        raise SchemaError(
            f"{option} '{user}' would rename it to '{canon}', but the table already has a "
            f"column '{canon}'. Remove one of them, or drop {option}."
        )
    out = frame.rename(columns={user: canon})
    out.attrs = dict(frame.attrs)
    return out


def load_cohort(
    path: str | os.PathLike[str],
    *,
    map_path: str | os.PathLike[str] | None = None,
    time_col: str | None = None,
    event_col: str | None = None,
    event_value: object | None = None,
    time_unit: str | None = None,
    require: Iterable[str] = (),
    sep: str | None = None,
    decimal: str | None = None,
    sheet: str | int | None = None,
) -> LoadedCohort:
    """Read, map, convert and validate a cohort file.

    Steps: :func:`read_table`; the column map (``map_path``); ``time_col`` and
    ``event_col`` renamed to ``time_months`` and ``event``; times converted to months
    (``time_unit``, default months); events coded (``event_value``); ``patient_id``
    generated as ``"row-1"``, ``"row-2"``, ... (the data-row numbers) when absent;
    :func:`cohort.schema.validate_cohort`. Options given here override the map's. The
    input file is only read.

    Parameters
    ----------
    require
        Canonical columns that must be present, e.g. ``("time_months", "event")``.

    Raises
    ------
    CohortInputError
        :class:`InputFileError`, :class:`ColumnMapError`, :class:`EventCodingError` or
        :class:`SchemaError`, each naming the column, the rows and the fix.
    """
    source = Path(path)
    cmap = load_column_map(map_path) if map_path is not None else None
    raw = read_table(
        source,
        sep=sep if sep is not None else (cmap.sep if cmap else None),
        decimal=decimal if decimal is not None else (cmap.decimal if cmap else None),
        sheet=sheet if sheet is not None else (cmap.sheet if cmap else None),
    )
    notes: list[str] = list(raw.attrs.get("notes", []))
    n_input = len(raw)
    origin: dict[str, str] = {}  # canonical name -> user's name
    frame = raw
    if cmap is not None:
        frame = apply_column_map(frame, cmap)
        origin.update({c: u for u, c in cmap.columns.items() if u != c})
        if cmap.columns:
            notes.append(
                "renamed columns: "
                + ", ".join(f"'{u}' -> '{c}'" for u, c in cmap.columns.items() if u != c)
                + "."
            )
    if time_col is not None:
        frame = _rename(frame, time_col, "time_months", "--time")
        if time_col != "time_months":
            origin["time_months"] = time_col
    if event_col is not None:
        frame = _rename(frame, event_col, "event", "--event")
        if event_col != "event":
            origin["event"] = event_col
    try:
        frame = _convert(frame, cmap, time_unit, event_value, notes)
        if "patient_id" not in frame.columns:
            ids = [f"row-{i + 1}" for i in range(len(frame))]
            frame = frame.copy()
            frame.insert(0, "patient_id", ids)
            notes.append(
                "the table has no patient_id column; ids 'row-1', 'row-2', ... were "
                "generated from the data-row numbers."
            )
        frame = validate_cohort(frame, require=require)
    except CohortInputError as exc:
        msg = str(exc)
        names = [f"'{c}' is '{u}'" for c, u in origin.items() if f"'{c}'" in msg]
        if names:
            msg += f" (In the input file, column {'; '.join(names)}.)"
            raise type(exc)(msg) from exc
        raise
    return LoadedCohort(frame=frame, n_input_rows=n_input, source=source, notes=tuple(notes))


def _convert(
    frame: pd.DataFrame,
    cmap: ColumnMap | None,
    time_unit: str | None,
    event_value: object | None,
    notes: list[str],
) -> pd.DataFrame:
    unit = time_unit if time_unit is not None else (cmap.time_unit if cmap else None)
    ev_value = event_value if event_value is not None else (cmap.event_value if cmap else None)
    out = frame.copy()
    if unit is not None:
        unit = _normalize_unit(unit, "--time-unit")
        if "time_months" not in out.columns:
            raise SchemaError(
                f"a time unit ({unit}) was given but the table has no 'time_months' column. "
                "Name the survival-time column with --time or in the --map file."
            )
        if unit != "months":
            out["time_months"] = to_months(out["time_months"], unit)
            notes.append(
                f"survival times converted from {unit} to months (1 month = 365.25/12 days)."
            )
    if "event" in out.columns:
        out["event"] = code_event(out["event"], ev_value)
        if ev_value is not None:
            notes.append(f"event = 1 where the event column is {ev_value!r}, 0 otherwise.")
    elif ev_value is not None:
        raise EventCodingError(
            f"an event value ({ev_value!r}) was given but the table has no 'event' column. "
            "Name the event column with --event or in the --map file."
        )
    return out


# -------------------------------------------------------------------------- writing


def _same_file(a: Path, b: Path) -> bool:
    try:
        if a.exists() and b.exists():
            return os.path.samefile(a, b)
    except OSError:
        pass
    return a.resolve() == b.resolve()


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike[str], mode: str = "w") -> Iterator[IO[Any]]:
    """Open a temporary file next to ``path``; move it onto ``path`` when the block ends.

    The temporary file lives in the target directory (so :func:`os.replace` is atomic);
    if the block raises (including ``KeyboardInterrupt``), it is removed and ``path`` is
    untouched. Text mode writes UTF-8 with ``\\n`` line ends.
    """
    if mode not in ("w", "wb"):
        raise ValueError("mode must be 'w' or 'wb'")
    target = Path(path)
    directory = target.parent if str(target.parent) else Path(".")
    if not directory.is_dir():
        raise CohortInputError(
            f"cannot write '{target}': the directory '{directory}' does not exist. Create it first."
        )
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    try:
        if mode == "w":
            fh: IO[Any] = os.fdopen(fd, "w", encoding="utf-8", newline="")
        else:
            fh = os.fdopen(fd, "wb")
        with fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _arrow_safe(df: pd.DataFrame) -> pd.DataFrame:
    """Object columns mixing types (numbers and text) as text, for Parquet."""
    out = df.copy()
    for col in out.columns:
        s = out[col]
        if s.dtype == object:
            kinds = {type(v) for v in s.dropna()}
            if len(kinds) > 1:
                out[col] = s.where(s.isna(), s.astype(str)).astype(object)
    return out


def check_output_path(
    path: str | os.PathLike[str], forbid: Iterable[str | os.PathLike[str]] = ()
) -> Path:
    """Check that ``path`` can be written by :func:`write_table`; return it as a Path.

    Raises
    ------
    CohortInputError
        ``path`` is one of ``forbid`` (the input file), has an unsupported extension,
        is a directory, or its directory does not exist.
    """
    target = Path(path)
    for f in forbid:
        if _same_file(target, Path(f)):
            raise CohortInputError(
                f"refusing to overwrite the input file '{f}' with the output. Choose another "
                "--out file; the input file is never modified."
            )
    if target.suffix.lower() not in _WRITE_SUFFIXES:
        raise CohortInputError(
            f"cannot write '{target.name}': unknown output extension "
            f"'{target.suffix or '(none)'}'. Use .csv, .parquet or .xlsx."
        )
    if target.is_dir():
        raise CohortInputError(f"cannot write '{target}': it is a directory.")
    directory = target.parent if str(target.parent) else Path(".")
    if not directory.is_dir():
        raise CohortInputError(
            f"cannot write '{target}': the directory '{directory}' does not exist. Create it first."
        )
    return target


def write_table(
    df: pd.DataFrame,
    path: str | os.PathLike[str],
    *,
    forbid: Iterable[str | os.PathLike[str]] = (),
) -> None:
    """Write ``df`` atomically as CSV, Parquet or XLSX according to the extension.

    Parameters
    ----------
    df
        The table; the index is not written.
    path
        Target file: ``.csv`` (UTF-8, comma, decimal point, empty = missing),
        ``.parquet`` or ``.xlsx``.
    forbid
        Files that must not be overwritten (the input file).

    Raises
    ------
    CohortInputError
        ``path`` is one of ``forbid``, has an unsupported extension, or its directory
        does not exist.
    """
    target = check_output_path(path, forbid)
    suffix = target.suffix.lower()
    if suffix == ".csv":
        with atomic_write(target, "w") as fh:
            df.to_csv(fh, index=False, lineterminator="\n")
    elif suffix == ".parquet":
        with atomic_write(target, "wb") as fh:
            _arrow_safe(df).to_parquet(fh, index=False)
    else:
        with atomic_write(target, "wb") as fh:
            df.to_excel(fh, index=False, engine="openpyxl")
