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
    sheet = "Cohort"       # Excel sheet name or 0-based number (default: the first)
    encoding = "latin-1"   # CSV text encoding (default: UTF-8, else Windows-1252)

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

import contextlib
import os
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd

from cohort.column_map import ColumnMap, apply_column_map, did_you_mean, load_column_map
from cohort.csv_reader import FORMATS_HINT, read_csv_table
from cohort.errors import (
    CohortInputError,
    EventCodingError,
    InputFileError,
    SchemaError,
    describe_rows,
)
from cohort.schema import validate_cohort
from cohort.survival_coding import TIME_UNITS, code_event, normalize_time_unit, to_months

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
    "output_dir",
    "prepare_output_dir",
    "read_table",
    "refuse_input_overwrite",
    "sheet_notes",
    "to_months",
    "write_table",
]

CSV_SUFFIXES = (".csv", ".tsv", ".txt")
PARQUET_SUFFIXES = (".parquet", ".pq")
EXCEL_SUFFIXES = (".xlsx", ".xlsm")
_WRITE_SUFFIXES = (".csv", ".parquet", ".xlsx")
# Median survival after spinal metastasis is months, not years (Zeng et al. 2007: overall
# median 7.9 months in 447 patients; the longest group median there is 29 months). A
# median above 60 months suggests times in days or weeks (the threshold is an assumption).
_IMPLAUSIBLE_MEDIAN_MONTHS = 60.0


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
        raise InputFileError(f"'{p}' is a directory, not a table file. {FORMATS_HINT}")
    suffix = p.suffix.lower()
    if p.stat().st_size == 0:
        raise InputFileError(f"input file '{p}' is empty (0 bytes). Export the table again.")
    if suffix not in CSV_SUFFIXES + PARQUET_SUFFIXES + EXCEL_SUFFIXES:
        raise InputFileError(
            f"cannot read '{p.name}': unknown extension '{p.suffix or '(none)'}'. "
            f"{FORMATS_HINT}"
        )
    try:
        if suffix in CSV_SUFFIXES:
            frame = read_csv_table(p, sep=sep, decimal=decimal, encoding=encoding)
        elif suffix in PARQUET_SUFFIXES:
            frame = _read_parquet(p)
        else:
            frame = _read_excel(p, sheet)
    except OSError as exc:  # permission denied, file vanished, I/O error
        raise InputFileError(f"cannot read '{p}': {exc.strerror or exc}.") from exc
    if len(frame) == 0:
        raise InputFileError(
            f"input file '{p}' has a header but no data rows. Export the table with its rows."
        )
    return frame


def _read_parquet(p: Path) -> pd.DataFrame:
    with open(p, "rb") as fh:
        head = fh.read(4)
    if head != b"PAR1":
        raise InputFileError(
            f"'{p.name}' is not a Parquet file (it does not start with the Parquet magic "
            f"bytes). {FORMATS_HINT}"
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
            f"is not). {FORMATS_HINT}"
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
        try:
            # header=None: pandas would rename duplicate headers ("kps.1") and fill blank
            # ones ("Unnamed: 3"); the header row is checked here instead.
            grid = book.parse(
                target, header=None, dtype=object, keep_default_na=False, na_values=[""]
            )
        except Exception as exc:  # openpyxl raises several unrelated types on bad sheets
            raise InputFileError(f"cannot read the sheet of '{p.name}': {exc}") from exc
    filled = grid.notna().any(axis=1).to_numpy()
    if not filled.any():
        raise InputFileError(f"the sheet of '{p.name}' is empty. Put the table in the first sheet.")
    first = int(np.flatnonzero(filled)[0])  # leading empty rows above the header
    header = ["" if pd.isna(h) else str(h).strip() for h in grid.iloc[first]]
    body = grid.iloc[first + 1 :].reset_index(drop=True)
    keep = []
    for j, name in enumerate(header):
        if name:
            keep.append(j)
        elif body.iloc[:, j].notna().any():
            _title_row_check(p, header, body, first)
            raise InputFileError(
                f"'{p.name}': column {j + 1} has no name in the header row but holds values. "
                "Give every column a name."
            )
    if len(keep) < len(header):
        notes.append(f"ignored {len(header) - len(keep)} unnamed, empty column(s) of '{p.name}'.")
    names_kept = [header[j] for j in keep]
    dupes = sorted({h for h in names_kept if names_kept.count(h) > 1})
    if dupes:
        raise InputFileError(
            f"'{p.name}': column name(s) {dupes} appear more than once in the header. "
            "Rename the duplicates so that every column name is unique."
        )
    frame = body.iloc[:, keep]
    frame.columns = names_kept
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
    frame = frame.where(frame.notna(), None)  # type: ignore[call-overload]  # stubs lack None
    frame.attrs["notes"] = notes
    return frame


def _title_row_check(p: Path, header: list[str], body: pd.DataFrame, first: int) -> None:
    """Raise a clear error when the sheet's first filled row is a title, not the header."""
    named = sum(1 for h in header if h)
    widths = body.notna().sum(axis=1).to_numpy()
    filled = np.flatnonzero(widths > 0)
    # a title fills at most half as many cells as the header row below it
    if not len(filled) or 2 * max(named, 1) > widths[filled[0]]:
        return
    title = "; ".join(h for h in header if h)[:60]
    header_row = first + filled[0] + 2  # spreadsheet row number (1-based)
    raise InputFileError(
        f"'{p.name}': sheet row {first + 1} ({title!r}) looks like a title above the header: "
        f"it fills {named} cell(s) while row {header_row} fills {int(widths[filled[0]])}. "
        f"Delete the rows above the header row (row {header_row}) so that the column "
        "names come first."
    )


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
            f"{did_you_mean(user, map(str, frame.columns))}. The table's columns are "
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
        encoding=cmap.encoding if cmap else None,
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
        sheets = sheet_notes(notes)
        if sheets:  # the data may be on another sheet than the one read
            msg += " Note: " + " ".join(sheets)
        if names or sheets:
            raise type(exc)(msg) from exc
        raise
    if "time_months" in frame.columns and len(frame):
        median = float(frame["time_months"].median())
        if median > _IMPLAUSIBLE_MEDIAN_MONTHS:
            notes.append(
                f"the median survival time is {median:.0f} months, far longer than usual after "
                "spinal metastasis; if the times are in days or weeks, pass --time-unit (or "
                "[time] unit in the --map file)."
            )
    return LoadedCohort(frame=frame, n_input_rows=n_input, source=source, notes=tuple(notes))


def sheet_notes(notes: Iterable[str]) -> list[str]:
    """The notes saying which sheet of a workbook with several sheets was read."""
    return [n for n in notes if " sheets; read the first," in n]


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
        unit = normalize_time_unit(unit, "--time-unit")
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
        raise CohortInputError(_no_directory(target, directory))
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


def refuse_input_overwrite(
    path: str | os.PathLike[str], forbid: Iterable[str | os.PathLike[str]] = ()
) -> Path:
    """Raise :class:`CohortInputError` if ``path`` is one of ``forbid`` (the input file).

    Returns ``path`` as a Path.
    """
    target = Path(path)
    for f in forbid:
        if _same_file(target, Path(f)):
            raise CohortInputError(
                f"refusing to overwrite the input file '{f}' with the output. Choose another "
                "--out file; the input file is never modified."
            )
    return target


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
    target = refuse_input_overwrite(path, forbid)
    if target.suffix.lower() not in _WRITE_SUFFIXES:
        raise CohortInputError(
            f"cannot write '{target.name}': unknown output extension "
            f"'{target.suffix or '(none)'}'. Use .csv, .parquet or .xlsx."
        )
    if target.is_dir():
        raise CohortInputError(f"cannot write '{target}': it is a directory.")
    directory = target.parent if str(target.parent) else Path(".")
    if not directory.is_dir():
        raise CohortInputError(_no_directory(target, directory))
    return target


def _no_directory(target: Path, directory: Path) -> str:
    if directory.exists():
        return (f"cannot write '{target}': '{directory}' is a file, not a directory. "
                "Choose an --out path inside a directory.")
    return f"cannot write '{target}': the directory '{directory}' does not exist. Create it first."


def prepare_output_dir(path: str | os.PathLike[str], *subdirs: str) -> Path:
    """Create the output directory ``path`` (and ``subdirs`` in it) and check it is writable.

    Called before any work, so a directory that cannot be written is reported at once,
    not after a long analysis.

    Raises
    ------
    CohortInputError
        ``path`` (or a parent) is a file, or the directory cannot be created or written.
    """
    out = Path(path)
    if out.exists() and not out.is_dir():
        raise CohortInputError(f"cannot write to '{out}': it is a file, not a directory. "
                               "Choose another --out directory.")
    try:
        out.mkdir(parents=True, exist_ok=True)
        for sub in subdirs:
            (out / sub).mkdir(exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=".write-test.", dir=out)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise CohortInputError(
            f"cannot write to the output directory '{out}': {exc.strerror or exc}. Choose a "
            "directory you can write to with --out."
        ) from exc
    return out


@contextlib.contextmanager
def output_dir(path: str | os.PathLike[str], *subdirs: str) -> Iterator[Path]:
    """:func:`prepare_output_dir` for a block of work; if the block fails, the
    directories it created are removed again when still empty (a rejected input leaves
    no empty ``--out`` directory behind)."""
    out = Path(path)
    missing = [p for p in (out, *out.parents) if not p.exists()]
    new_subdirs = [out / sub for sub in subdirs if not (out / sub).exists()]
    prepare_output_dir(out, *subdirs)
    try:
        yield out
    except BaseException:
        for d in [*new_subdirs, *missing]:  # innermost first
            with contextlib.suppress(OSError):
                d.rmdir()  # only succeeds when empty
        raise


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
    try:
        if suffix == ".csv":
            with atomic_write(target, "w") as fh:
                df.to_csv(fh, index=False, lineterminator="\n")
        elif suffix == ".parquet":
            with atomic_write(target, "wb") as fh:
                _arrow_safe(df).to_parquet(fh, index=False)
        else:
            with atomic_write(target, "wb") as fh:
                df.to_excel(fh, index=False, engine="openpyxl")
    except OSError as exc:  # permission denied, disk full
        raise CohortInputError(f"cannot write '{target}': {exc.strerror or exc}.") from exc
