"""Reading delimited text tables: encoding, delimiter and decimal-mark detection.

Used by :func:`cohort.io.read_table` for ``.csv``, ``.tsv`` and ``.txt`` files (see
there for the user-facing description). Cells are returned as text; empty cells as
``None``. Every problem is an :class:`~cohort.errors.InputFileError` that says what is
wrong with the file and what to do.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from cohort.errors import InputFileError, describe_rows
from cohort.schema import MISSING_TEXT

__all__ = ["DELIMITERS", "DELIMITER_NAMES", "FORMATS_HINT", "read_csv_table"]

DELIMITERS = (",", ";", "\t", "|")
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
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

FORMATS_HINT = (
    "Supported formats: CSV (.csv, .tsv, .txt), Parquet (.parquet, .pq), Excel (.xlsx, .xlsm)."
)


def _check_magic(raw: bytes, p: Path) -> None:
    for magic, what in _MAGIC:
        if raw.startswith(magic):
            raise InputFileError(
                f"'{p.name}' is not a text table: it looks like {what}. {FORMATS_HINT}"
            )
    if b"\x00" in raw[:65536] and not raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise InputFileError(
            f"'{p.name}' is not a text table: it contains binary data (NUL bytes). "
            f"{FORMATS_HINT}"
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
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep, quotechar='"', strict=False)
    return list(reader)


def _blank(row: Sequence[str]) -> bool:
    return all(not c.strip() for c in row)


def _best_sep(lines: list[str]) -> tuple[tuple[float, int, int] | None, str | None]:
    if not lines:
        return None, None
    sample = "\n".join(lines)
    best: tuple[float, int, int] | None = None
    best_sep = None
    for k, cand in enumerate(DELIMITERS):
        if cand not in lines[0]:
            continue
        rows = [r for r in _parse(sample, cand) if not _blank(r)]
        if not rows:  # only delimiters, no text
            continue
        width = len(rows[0])
        if width < 2:
            continue
        body = rows[1:]
        consistent = sum(len(r) == width for r in body) / len(body) if body else 1.0
        key = (consistent, width, -k)
        if best is None or key > best:
            best, best_sep = key, cand
    return best, best_sep


def _sniff_sep(text: str, p: Path) -> str:
    lines = [ln for ln in text.splitlines() if ln.strip()][:_SNIFF_LINES]
    best, best_sep = _best_sep(lines)
    if best is None or best_sep is None or best[0] < _MIN_CONSISTENT:
        # A title or note above the header (common in exports) breaks the sniffing;
        # say so when the lines below it form a table.
        for skip in (1, 2, 3):
            if len(lines) < skip + 2:  # a header and at least one row below the title
                break
            below, below_sep = _best_sep(lines[skip:])
            if below is not None and below_sep is not None and below[0] >= _MIN_CONSISTENT:
                above = "; ".join(repr(ln.strip()[:60]) for ln in lines[:skip])
                raise InputFileError(
                    f"'{p.name}': the first {'line' if skip == 1 else f'{skip} lines'} "
                    f"({above}) {'looks' if skip == 1 else 'look'} like a title above the "
                    f"header; the lines below {'it' if skip == 1 else 'them'} form a table "
                    f"of {below[1]} columns ({DELIMITER_NAMES[below_sep]}-delimited). Delete "
                    "the line(s) above the header row so that the column names come first."
                )
        guess = ""
        if best is not None and best_sep is not None:
            guess = (
                f" (best guess, {DELIMITER_NAMES[best_sep]}: the header has {best[1]} fields "
                f"and only {best[0]:.0%} of the first {len(lines) - 1} rows have as many)"
            )
        raise InputFileError(
            f"'{p.name}' does not look like a table: no delimiter among comma, semicolon, "
            f"tab and '|' splits its lines into a consistent number of columns{guess}. A "
            "table needs a header line and at least two columns. Export the data as CSV, "
            f"Parquet or Excel, or set sep in the [read] table of a --map file. {FORMATS_HINT}"
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


def read_csv_table(
    p: Path, *, sep: str | None, decimal: str | None, encoding: str | None
) -> pd.DataFrame:
    """Read a delimited text file into a frame of text cells.

    Parameters
    ----------
    p
        The file (its existence and non-zero size are checked by the caller).
    sep, decimal, encoding
        As in :func:`cohort.io.read_table`; ``None`` means detect.

    Returns
    -------
    pandas.DataFrame
        Object columns of ``str`` (``None`` for empty cells); cells of columns written
        with a decimal comma have it replaced by a point. ``attrs["notes"]`` lists what
        was detected or ignored.

    Raises
    ------
    InputFileError
        Binary content, no consistent delimiter, prose instead of a header, rows with
        the wrong number of fields, empty rows between data rows, unnamed columns with
        values, duplicate column names, or an ambiguous decimal mark.
    """
    raw = p.read_bytes()
    _check_magic(raw, p)
    notes: list[str] = []
    text = _decode(raw, p, encoding, notes)
    if _looks_binary(text):
        raise InputFileError(
            f"'{p.name}' is not a text table: it contains control characters (binary data). "
            f"{FORMATS_HINT}"
        )
    if not text.strip():
        raise InputFileError(f"input file '{p}' is empty (only blank lines).")
    if sep is None:
        sep = _sniff_sep(text, p)
        if sep != ",":
            notes.append(f"detected delimiter: {DELIMITER_NAMES[sep]}.")
    elif sep not in DELIMITERS:
        raise InputFileError(
            f"unsupported delimiter {sep!r}; use one of comma, semicolon, tab or '|'."
        )
    if decimal not in (None, ".", ","):
        raise InputFileError(f"unsupported decimal mark {decimal!r}; use '.' or ','.")
    rows = _parse(text, sep)
    # Leading blank lines are skipped; the first non-blank line is the header.
    while rows and _blank(rows[0]):
        rows.pop(0)
    if not rows:
        raise InputFileError(
            f"'{p.name}' holds only delimiters and blank cells: no header, no data."
        )
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
            f"but the header has {width} ({DELIMITER_NAMES[sep]}-delimited). Check for "
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
