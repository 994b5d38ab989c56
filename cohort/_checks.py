"""Checks of survival arrays shared by the numerical routines (Cox solver, C-index)."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from cohort.errors import CohortInputError, describe_rows

__all__ = ["check_time_event"]


def check_time_event(
    time: NDArray[np.float64], event: NDArray[np.float64], action: str
) -> None:
    """Raise :class:`CohortInputError` naming the rows where ``time`` is not finite or
    ``event`` is not 0/1; ``action`` ends the fix (e.g. ``"fitting"``)."""
    bad = np.flatnonzero(~np.isfinite(time))
    if bad.size:
        raise CohortInputError(
            f"time has missing or non-finite values in {describe_rows(bad)}. "
            f"Drop or correct those rows before {action}."
        )
    bad = np.flatnonzero((event != 0.0) & (event != 1.0))
    if bad.size:
        raise CohortInputError(
            f"event must be 0 (censored) or 1 (death); other values in {describe_rows(bad)}. "
            "Recode the event column."
        )
