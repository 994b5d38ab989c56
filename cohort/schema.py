"""The canonical cohort schema: column names, types, vocabularies and validation.

Time is in months (1 month = 365.25 / 12 days); ``event`` is 1 for death and 0 for
censored. Optional columns may be absent; a missing value in a score input makes that
score missing for the row (with the reason recorded by :mod:`cohort.scores`), never
guessed.

Validation happens once, at the boundary, with :mod:`pandera`; every failure is turned
into a :class:`cohort.errors.SchemaError` that names the column, how many rows are
affected, up to five example rows and the fix.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pandera.pandas as pa

from cohort.errors import SchemaError, describe_rows

__all__ = [
    "BOOL_COLUMNS",
    "CATEGORY_COLUMNS",
    "COLUMNS",
    "DAYS_PER_MONTH",
    "FRANKEL_GRADES",
    "MISSING_TEXT",
    "PRIMARY_SITES",
    "ColumnSpec",
    "normalize_cohort",
    "validate_cohort",
]

#: 1 month = 365.25 / 12 days (docs/design.md).
DAYS_PER_MONTH = 365.25 / 12

PRIMARY_SITES: tuple[str, ...] = (
    "breast", "lung", "prostate", "kidney", "thyroid", "stomach", "esophagus", "colon",
    "rectum", "pancreas", "liver", "gallbladder", "bladder", "uterus", "ovary", "melanoma",
    "lymphoma", "myeloma", "sarcoma", "carcinoid", "head_neck", "unknown", "other",
)  # fmt: skip
FRANKEL_GRADES: tuple[str, ...] = ("A", "B", "C", "D", "E")
VISCERAL_METS = ("none", "removable", "unremovable")
SEXES = ("female", "male")
SPINAL_REGIONS = ("cervical", "thoracic", "lumbar", "sacral")
# SINS categories (Fisher et al., Spine 2010), one label per published category.
SINS_LOCATION = ("junctional", "mobile", "semirigid", "rigid")
SINS_PAIN = ("mechanical", "occasional", "none")
SINS_LESION = ("lytic", "mixed", "blastic")
SINS_ALIGNMENT = ("subluxation", "deformity", "normal")
# gt50: >50% collapse; lt50: <50% collapse; body_gt50: no collapse but >50% of the
# body involved; none: none of these.
SINS_COLLAPSE = ("gt50", "lt50", "body_gt50", "none")
SINS_POSTEROLATERAL = ("bilateral", "unilateral", "none")


@dataclass(frozen=True)
class ColumnSpec:
    """One canonical column."""

    name: str
    kind: str  # "id", "float", "int", "category", "bool", "event"
    description: str
    values: tuple[str, ...] | None = None
    minimum: float | None = None
    maximum: float | None = None
    step: float | None = None


_SPECS: tuple[ColumnSpec, ...] = (
    ColumnSpec("patient_id", "id", "unique patient identifier"),
    ColumnSpec("age", "float", "age in years", minimum=0, maximum=110),
    ColumnSpec("sex", "category", "sex", SEXES),
    ColumnSpec("primary_site", "category", "primary tumour site", PRIMARY_SITES),
    ColumnSpec("kps", "int", "Karnofsky performance status", minimum=10, maximum=100, step=10),
    ColumnSpec("ecog", "int", "ECOG performance status", minimum=0, maximum=4, step=1),
    ColumnSpec(
        "extraspinal_bone_mets", "int", "number of extraspinal bone metastasis foci",
        minimum=0, step=1,
    ),
    ColumnSpec(
        "vertebral_mets", "int", "number of vertebral bodies involved", minimum=1, step=1
    ),
    ColumnSpec("visceral_mets", "category", "metastases to major internal organs", VISCERAL_METS),
    ColumnSpec("frankel", "category", "Frankel grade (E = no palsy)", FRANKEL_GRADES),
    ColumnSpec("spinal_region", "category", "region of the index lesion", SPINAL_REGIONS),
    ColumnSpec("cord_compression", "bool", "spinal cord compression"),
    ColumnSpec("back_pain", "bool", "back pain"),
    ColumnSpec("ambulatory", "bool", "able to walk"),
    ColumnSpec("albumin", "float", "serum albumin in g/dL", minimum=0, maximum=10),
    ColumnSpec("pathologic_fracture", "bool", "pathologic fracture (original Bauer)"),
    ColumnSpec("sins_location", "category", "SINS location", SINS_LOCATION),
    ColumnSpec("sins_pain", "category", "SINS pain", SINS_PAIN),
    ColumnSpec("sins_lesion", "category", "SINS bone lesion", SINS_LESION),
    ColumnSpec("sins_alignment", "category", "SINS radiographic alignment", SINS_ALIGNMENT),
    ColumnSpec("sins_collapse", "category", "SINS vertebral body collapse", SINS_COLLAPSE),
    ColumnSpec(
        "sins_posterolateral", "category", "SINS posterolateral involvement", SINS_POSTEROLATERAL
    ),
    ColumnSpec("time_months", "float", "overall survival time in months", minimum=0),
    ColumnSpec("event", "event", "1 = death, 0 = censored"),
)  # fmt: skip

#: Canonical columns by name, in canonical order.
COLUMNS: dict[str, ColumnSpec] = {s.name: s for s in _SPECS}
CATEGORY_COLUMNS = tuple(s.name for s in _SPECS if s.kind == "category")
BOOL_COLUMNS = tuple(s.name for s in _SPECS if s.kind == "bool")

_TRUE = {"true", "t", "yes", "y", "1", "1.0"}
_FALSE = {"false", "f", "no", "n", "0", "0.0"}
#: Cell texts read as missing (compared in lower case, after stripping spaces).
MISSING_TEXT = frozenset({"", "na", "n/a", "nan", "none", "null", "missing", "."})


def _ids(df: pd.DataFrame, positions: Sequence[int] | np.ndarray) -> list[object] | None:
    if "patient_id" not in df.columns:
        return None
    return [df["patient_id"].iloc[p] for p in positions]


def _fail(df: pd.DataFrame, column: str, mask: np.ndarray, problem: str, fix: str) -> None:
    positions = np.flatnonzero(mask)
    where = describe_rows(positions, _ids(df, positions))
    examples = ", ".join(
        repr(v) if isinstance(v, str) else str(v) for v in pd.unique(df[column].iloc[positions[:5]])
    )
    raise SchemaError(
        f"column '{column}': {where} {problem} (values seen: {examples}). {fix}"
    )


def check_column_names(df: pd.DataFrame, require: Iterable[str] = ()) -> None:
    """Reject misnamed canonical columns and report missing required ones.

    A column that is not canonical but closely resembles a canonical name that is
    absent (``"KPS"`` for ``kps``, ``"Primary site"`` for ``primary_site``) is an error:
    using the file as it stands would silently leave that input missing for every row.
    Columns that resemble nothing canonical are kept and passed through untouched.
    """
    present = [str(c) for c in df.columns]
    dupes = sorted({c for c in present if present.count(c) > 1})
    if dupes:
        raise SchemaError(
            f"column names {dupes} appear more than once in the table. Rename the "
            "duplicates so that every column name is unique."
        )
    canonical = set(COLUMNS)
    absent = [c for c in COLUMNS if c not in present]
    for col in present:
        if col in canonical:
            continue
        key = col.strip().lower().replace(" ", "_").replace("-", "_")
        match = [c for c in absent if c == key]
        if not match:
            match = difflib.get_close_matches(key, absent, n=1, cutoff=0.85)
        if match:
            raise SchemaError(
                f"column '{col}' looks like the canonical column '{match[0]}' but is not "
                f"named so. Rename it to '{match[0]}', or map it in a column-map file "
                f"passed with --map ([columns] \"{col}\" = \"{match[0]}\")."
            )
    missing = [c for c in require if c not in present]
    if missing:
        hints = []
        for c in missing:
            close = difflib.get_close_matches(c, present, n=1, cutoff=0.5)
            near = f" (closest column in the file: '{close[0]}')" if close else ""
            hints.append(f"'{c}'{near}")
        raise SchemaError(
            f"required column(s) {', '.join(hints)} not found; the table has columns "
            f"{present}. Rename the columns, or map them with --map."
        )


_OK, _MISSING, _BAD = 0, 1, 2
_MAX_WHOLE = 2.0**53  # larger whole numbers are not exact in float64, nor plausible counts


def _classify_text(
    raw: pd.Series, classify: Callable[[str], tuple[int, object]]
) -> tuple[np.ndarray, np.ndarray]:
    """Classify each cell by its stripped, lower-case text, once per distinct value.

    Returns ``(kind, value)`` arrays aligned with ``raw``: kind is ``_OK``, ``_MISSING``
    or ``_BAD``; NA cells are ``_MISSING``. Working on distinct values keeps large
    cohorts fast (a column has few distinct labels).
    """
    codes, uniques = pd.factorize(raw, use_na_sentinel=True)
    kinds = np.empty(len(uniques) + 1, dtype=np.int8)
    values = np.empty(len(uniques) + 1, dtype=object)
    for k, u in enumerate(uniques):
        kinds[k], values[k] = classify(str(u).strip().lower())
    kinds[-1], values[-1] = _MISSING, None  # code -1 (NA) takes the last slot
    return kinds[codes], values[codes]


def _normalize_category(df: pd.DataFrame, spec: ColumnSpec) -> pd.Series:
    assert spec.values is not None
    lookup = {v.lower(): v for v in spec.values}

    def classify(key: str) -> tuple[int, object]:
        # A vocabulary label is never missing text ("none" is a visceral_mets category).
        if key in lookup:
            return _OK, lookup[key]
        return (_MISSING, None) if key in MISSING_TEXT else (_BAD, None)

    kind, value = _classify_text(df[spec.name], classify)
    bad = kind == _BAD
    if bad.any():
        _fail(
            df, spec.name, bad, "hold values outside the vocabulary",
            f"Allowed values: {', '.join(spec.values)}. Map other labels in the "
            "[values." + spec.name + "] table of a --map file.",
        )
    value[kind != _OK] = np.nan
    return pd.Series(value, index=df.index, dtype=object)


def _normalize_bool(df: pd.DataFrame, spec: ColumnSpec) -> pd.Series:
    def classify(key: str) -> tuple[int, object]:
        if key in _TRUE:
            return _OK, True
        if key in _FALSE:
            return _OK, False
        return (_MISSING, None) if key in MISSING_TEXT else (_BAD, None)

    kind, value = _classify_text(df[spec.name], classify)
    bad = kind == _BAD
    if bad.any():
        _fail(
            df, spec.name, bad, "are not yes/no values",
            "Use true/false, yes/no or 1/0, or map the labels with --map.",
        )
    value[kind != _OK] = pd.NA
    return pd.Series(value, index=df.index, dtype="boolean")


def _classify_number(key: str) -> tuple[int, object]:
    if key in MISSING_TEXT:
        return _MISSING, None
    if "_" in key:  # Python's float() accepts "1_000"; a table cell should not
        return _BAD, None
    try:
        number = float(key)
    except ValueError:
        return _BAD, None
    # "-nan", "inf" and the like are not values a cohort table can mean: report them.
    return (_OK, number) if math.isfinite(number) else (_BAD, None)


def _normalize_number(df: pd.DataFrame, spec: ColumnSpec) -> pd.Series:
    raw = df[spec.name]
    if raw.dtype == object or pd.api.types.is_string_dtype(raw):
        kind, value = _classify_text(raw, _classify_number)
        value[kind != _OK] = np.nan
        num = pd.Series(value.astype(float), index=raw.index)
        bad = kind == _BAD
    else:
        num = pd.to_numeric(raw, errors="coerce")
        bad = (raw.notna() & num.isna()).to_numpy(dtype=bool)
    if bad.any():
        fix = "Fix or blank out these cells."
        if raw.astype("string").str.strip()[bad].str.fullmatch(r"[+-]?\d*,\d+").fillna(False).any():
            fix += ' For a decimal comma set decimal = "," in the [read] table of a --map file.'
        _fail(df, spec.name, bad, "are not numbers", fix)
    num = num.astype(float)
    if spec.kind == "int":
        finite = np.isfinite(num.to_numpy(dtype=float, na_value=np.nan))
        frac = (num.notna().to_numpy() & (~finite | (num != np.round(num)).to_numpy()))
        if frac.any():
            _fail(df, spec.name, frac, "are not whole numbers", "Use whole numbers.")
        huge = (num.abs() > _MAX_WHOLE).fillna(False).to_numpy(dtype=bool)
        if huge.any():
            _fail(df, spec.name, huge, "are too large for this column", "Correct these cells.")
        return num.astype("Int64")
    return num


def normalize_cohort(df: pd.DataFrame) -> pd.DataFrame:
    """Return a copy of ``df`` with canonical columns converted to canonical types.

    Category labels are matched ignoring case and surrounding spaces (``" Breast "``
    is ``breast``; Frankel grades are upper case); booleans accept true/false, yes/no
    and 1/0; empty cells and NA-like text become missing. Anything else that cannot be
    converted raises :class:`SchemaError`. Non-canonical columns are kept unchanged.
    The input frame is never modified.
    """
    out = df.copy()
    for name, spec in COLUMNS.items():
        if name not in out.columns:
            continue
        if spec.kind == "category":
            out[name] = _normalize_category(out, spec)
        elif spec.kind == "bool":
            out[name] = _normalize_bool(out, spec)
        elif spec.kind in ("float", "int"):
            out[name] = _normalize_number(out, spec)
        elif spec.kind == "id":
            ids = out[name]
            out[name] = ids.where(ids.isna(), ids.astype(str).str.strip()).astype(object)
    return out


def _pandera_schema() -> pa.DataFrameSchema:
    cols: dict[str, pa.Column] = {}
    for name, spec in COLUMNS.items():
        checks: list[pa.Check] = []
        if spec.values is not None:
            checks.append(pa.Check.isin(list(spec.values)))
        if spec.minimum is not None:
            checks.append(pa.Check.ge(spec.minimum))
        if spec.maximum is not None:
            checks.append(pa.Check.le(spec.maximum))
        if spec.step is not None and spec.step != 1:
            step = spec.step
            checks.append(
                pa.Check(lambda s, step=step: (s % step) == 0, element_wise=False,
                         name=f"multiple_of_{step:g}")
            )
        if spec.kind == "event":
            checks.append(pa.Check.isin([0, 1]))
        cols[name] = pa.Column(
            checks=checks,
            nullable=name not in ("patient_id", "time_months", "event"),
            required=False,
            unique=name == "patient_id",
            coerce=False,
        )
    return pa.DataFrameSchema(cols, strict=False)


_SCHEMA = _pandera_schema()

_FIXES = {
    "kps": "KPS is recorded in steps of 10 from 10 to 100; round to the nearest "
    "published category or correct the cell.",
    "time_months": "Survival times must be present and >= 0; check the dates, or "
    "remove these patients from the file yourself (nothing is dropped silently).",
    "event": "Code the event column 1 = death, 0 = censored, or name the death value "
    "with --event-value.",
    "patient_id": "Patient ids must be unique; fix the duplicates.",
}


def _plain_check(check: str) -> str:
    """A pandera check name in words: ``greater_than_or_equal_to(10)`` -> ``are below 10``."""
    m = re.fullmatch(r"(\w+)\((.*)\)", check)
    name, arg = (m.group(1), m.group(2)) if m else (check, "")
    if name == "greater_than_or_equal_to":
        return f"are below the minimum {arg}"
    if name == "less_than_or_equal_to":
        return f"are above the maximum {arg}"
    if name == "isin":
        return "hold values outside the allowed set"
    if check.startswith("multiple_of_"):
        return f"are not multiples of {check.removeprefix('multiple_of_')}"
    if check == "field_uniqueness":
        return "are not unique"
    return f"fail the check {check}"


def validate_cohort(df: pd.DataFrame, require: Iterable[str] = ()) -> pd.DataFrame:
    """Normalise and validate a cohort frame against the canonical schema.

    Parameters
    ----------
    df
        A frame whose canonical columns carry canonical names (apply a column map
        first, see :func:`cohort.io.apply_column_map`).
    require
        Canonical columns that must be present (e.g. ``("time_months", "event")``
        for survival analysis).

    Returns
    -------
    pandas.DataFrame
        A normalised copy; the index is reset to 0..n-1 (input data-row positions).

    Raises
    ------
    SchemaError
        Naming the column, the number of bad rows, up to five example rows, and the fix.
    """
    require = tuple(require)
    check_column_names(df, require)
    frame = normalize_cohort(df.reset_index(drop=True))
    if "event" in frame.columns:
        ev = pd.to_numeric(frame["event"], errors="coerce")
        bad = (ev.isna() | ~ev.isin([0, 1])).to_numpy(dtype=bool)
        if bad.any():
            _fail(frame, "event", bad, "are not 0/1", _FIXES["event"])
        frame["event"] = ev.astype(int)
    for col in ("time_months",):
        if col in frame.columns:
            bad = (frame[col].isna() | ~np.isfinite(frame[col].astype(float))).to_numpy(bool)
            if bad.any():
                _fail(frame, col, bad, "are missing or not finite", _FIXES[col])
            negative = (frame[col].astype(float) < 0).to_numpy(bool)
            if negative.any():
                _fail(frame, col, negative, "are negative", _FIXES[col])
    if "patient_id" in frame.columns:
        ids = frame["patient_id"]
        bad = ids.isna().to_numpy(dtype=bool)
        if bad.any():
            _fail(frame, "patient_id", bad, "have no patient id", _FIXES["patient_id"])
        bad = ids.duplicated(keep=False).to_numpy(dtype=bool)
        if bad.any():
            _fail(frame, "patient_id", bad, "share their patient id with another row",
                  _FIXES["patient_id"])
    try:
        _SCHEMA.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
        first = cases.dropna(subset=["column"]).iloc[0] if len(cases) else None
        column = str(first["column"]) if first is not None else "?"
        sub = cases[cases["column"] == column]
        positions = sorted({int(i) for i in sub["index"].dropna()})
        spec = COLUMNS.get(column)
        rng = ""
        if spec is not None and spec.minimum is not None:
            rng = f" Allowed range: {spec.minimum:g} to "
            rng += f"{spec.maximum:g}" if spec.maximum is not None else "no upper limit"
            if spec.step is not None and spec.step != 1:
                rng += f" in steps of {spec.step:g}"
            rng += "."
        mask = np.zeros(len(frame), dtype=bool)
        mask[positions] = True
        problems = ", ".join(_plain_check(c) for c in sorted(set(sub["check"].astype(str))))
        _fail(
            frame, column, mask, problems,
            (_FIXES.get(column, "Correct these cells.") + rng).strip(),
        )
    return frame
