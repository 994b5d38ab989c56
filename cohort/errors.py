"""Error and warning types of the package.

Every user-facing problem with input data is a :class:`CohortInputError` (a
``ValueError``), whose message names the column, how many rows are affected, up to
five example rows, and what to do about it. The command line turns these into exit
code 2 with the message and no traceback.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

__all__ = [
    "CohortError",
    "CohortInputError",
    "CohortWarning",
    "ColumnMapError",
    "ConvergenceWarning",
    "EventCodingError",
    "InputFileError",
    "SchemaError",
    "SpecError",
    "describe_rows",
]

MAX_EXAMPLES = 5


class CohortError(ValueError):
    """Base class of every error raised on purpose by this package."""


class CohortInputError(CohortError):
    """Input data (a file, a frame, an option) cannot be used as given."""


class InputFileError(CohortInputError):
    """The file cannot be read as a table (missing, empty, wrong format)."""


class SchemaError(CohortInputError):
    """A column is missing, misnamed, or holds values outside the canonical schema."""


class ColumnMapError(CohortInputError):
    """A column-map (TOML) file is malformed or refers to columns that do not exist."""


class EventCodingError(CohortInputError):
    """The event column cannot be turned into 0 = censored / 1 = death unambiguously."""


class SpecError(CohortError):
    """A synthetic-cohort specification is invalid or cannot be met."""


class CohortWarning(UserWarning):
    """Base class of the package's warnings."""


class ConvergenceWarning(CohortWarning):
    """A model did not converge (e.g. complete separation) and was refitted or flagged."""


def describe_rows(
    rows: Iterable[int], ids: Sequence[object] | None = None, limit: int = MAX_EXAMPLES
) -> str:
    """Describe offending rows as ``"3 rows (rows 2, 5, 9)"``.

    Parameters
    ----------
    rows
        Zero-based positions in the input table. They are shown 1-based, counting
        data rows only (the header is not a row), which is what a spreadsheet user
        sees after the header line.
    ids
        Optional patient ids aligned with ``rows``; shown next to the row numbers.
    limit
        How many examples to show at most.
    """
    rows = list(rows)
    n = len(rows)
    shown = []
    for k, r in enumerate(rows[:limit]):
        label = f"{int(r) + 1}"
        if ids is not None and k < len(ids) and ids[k] is not None and str(ids[k]) != "nan":
            label += f" (id {ids[k]})"
        shown.append(label)
    more = ", ..." if n > limit else ""
    noun = "row" if n == 1 else "rows"
    which = "row" if len(shown) == 1 else "rows"
    return f"{n} {noun} ({which} {', '.join(shown)}{more})"
