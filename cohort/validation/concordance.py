"""Harrell's concordance index in O(n log n).

The pair conventions are exactly those of ``lifelines.utils.concordance_index`` (version
0.30), so the two agree to floating-point rounding; the counting is done with a Fenwick
(binary indexed) tree over the ranks of the risk score, compiled with numba.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from cohort._checks import check_time_event
from cohort._numba import jit_kernel
from cohort.errors import CohortInputError, describe_rows

__all__ = ["ConcordanceCounts", "concordance_counts", "harrell_c"]


@dataclass(frozen=True)
class ConcordanceCounts:
    """Pair counts behind Harrell's C.

    Attributes
    ----------
    concordant
        Admissible pairs in which the subject who died first has the higher risk.
    tied_risk
        Admissible pairs whose two risk values are equal (each counts 1/2).
    admissible
        All admissible (comparable) pairs.
    """

    concordant: int
    tied_risk: int
    admissible: int

    @property
    def discordant(self) -> int:
        """Admissible pairs in which the subject who died first has the lower risk."""
        return self.admissible - self.concordant - self.tied_risk

    @property
    def c_index(self) -> float:
        """``(concordant + tied_risk / 2) / admissible`` (NaN when nothing is comparable)."""
        if self.admissible == 0:
            return float("nan")
        return (self.concordant + self.tied_risk / 2) / self.admissible


def _count_pairs_py(
    time: NDArray[np.float64],
    event: NDArray[np.bool_],
    risk: NDArray[np.float64],
    order: NDArray[np.intp],
    risk_order: NDArray[np.intp],
) -> tuple[int, int, int]:
    # ``order`` sorts by time, ``risk_order`` by risk. A Fenwick tree over the dense
    # risk ranks holds the deaths visited so far (plus a plain count per rank for ties);
    # for each subject we ask how many of them have a higher or the same risk.
    n = time.shape[0]
    rank = np.empty(n, dtype=np.int32)
    current = 0
    previous = 0.0
    for k in range(n):
        idx = risk_order[k]
        value = risk[idx]
        if k == 0 or value != previous:
            current += 1
            previous = value
        rank[idx] = current
    n_ranks = current
    # the subjects in time order, gathered once so the main loop reads memory in sequence
    t_sorted = np.empty(n)
    e_sorted = np.empty(n, dtype=np.bool_)
    r_sorted = np.empty(n, dtype=np.int32)
    for k in range(n):
        idx = order[k]
        t_sorted[k] = time[idx]
        e_sorted[k] = event[idx]
        r_sorted[k] = rank[idx]
    tree = np.zeros(n_ranks + 1, dtype=np.int32)
    same = np.zeros(n_ranks + 1, dtype=np.int32)
    inserted = 0
    concordant = 0
    tied = 0
    pairs = 0
    i = 0
    while i < n:
        t = t_sorted[i]
        end = i
        while end < n and t_sorted[end] == t:
            end += 1
        # stage 0: deaths at t against deaths strictly before t
        # stage 1: insert the deaths at t
        # stage 2: censored at t against deaths at or before t
        for stage in range(3):
            for k in range(i, end):
                if (stage < 2) != e_sorted[k]:
                    continue
                q = r_sorted[k]
                if stage == 1:
                    same[q] += 1
                    j = q
                    while j <= n_ranks:
                        tree[j] += 1
                        j += j & (-j)
                    inserted += 1
                    continue
                at_most = 0  # deaths so far with risk rank <= q
                j = q
                while j > 0:
                    at_most += tree[j]
                    j -= j & (-j)
                concordant += inserted - at_most
                tied += same[q]
                pairs += inserted
        i = end
    return concordant, tied, pairs


@functools.cache
def _count_pairs_kernel() -> Callable[..., Any]:
    return jit_kernel(_count_pairs_py)


def _as_1d(values: ArrayLike, name: str) -> NDArray[Any]:
    arr = np.asarray(values)
    if arr.ndim == 2 and 1 in arr.shape:
        arr = arr.ravel()
    if arr.ndim != 1:
        raise CohortInputError(
            f"{name} must be one-dimensional (one value per subject); got shape {arr.shape}. "
            f"Pass a single column."
        )
    return arr


def _check_inputs(
    time: ArrayLike, event: ArrayLike, risk: ArrayLike
) -> tuple[NDArray[np.float64], NDArray[np.bool_], NDArray[np.float64]]:
    t = _as_1d(time, "time")
    e = _as_1d(event, "event")
    r = _as_1d(risk, "risk")
    if not (t.shape == e.shape == r.shape):
        raise CohortInputError(
            f"time, event and risk must have the same length; got {t.shape[0]}, "
            f"{e.shape[0]} and {r.shape[0]}. Pass aligned columns of one table."
        )
    try:
        t = t.astype(np.float64)
        r = r.astype(np.float64)
        ef = e.astype(np.float64)
    except (TypeError, ValueError) as exc:
        raise CohortInputError(
            f"time, event and risk must be numeric ({exc}). Convert the columns to numbers."
        ) from exc
    check_time_event(t, ef, "computing the C-index")
    bad = np.flatnonzero(np.isnan(r))
    if bad.size:
        raise CohortInputError(
            f"risk has missing values in {describe_rows(bad)}. "
            "Drop those rows (and record why) before computing the C-index."
        )
    return t, ef.astype(bool), r


def concordance_counts(time: ArrayLike, event: ArrayLike, risk: ArrayLike) -> ConcordanceCounts:
    """Count concordant, risk-tied and admissible pairs for Harrell's C.

    Parameters and conventions are those of :func:`harrell_c`.

    Returns
    -------
    ConcordanceCounts
    """
    t, e, r = _check_inputs(time, event, risk)
    if t.size == 0 or not e.any():
        return ConcordanceCounts(0, 0, 0)
    # quicksort (introsort) is several times faster than a stable sort here, and the
    # counts do not depend on the order within tied times or tied risks
    order = np.argsort(t)
    risk_order = np.argsort(r)
    concordant, tied, pairs = _count_pairs_kernel()(t, e, r, order, risk_order)
    return ConcordanceCounts(int(concordant), int(tied), int(pairs))


def harrell_c(time: ArrayLike, event: ArrayLike, risk: ArrayLike) -> float:
    """Harrell's concordance index, higher ``risk`` meaning earlier death.

    Parameters
    ----------
    time
        Follow-up times (finite; any unit).
    event
        1 = death observed at ``time``, 0 = censored at ``time``.
    risk
        Risk score (for example a Cox linear predictor, or a prognostic score oriented
        so that higher means worse). NaN is an error; ties are allowed.

    Returns
    -------
    float
        ``(concordant + tied_risk / 2) / admissible``.

    Raises
    ------
    CohortInputError
        Misaligned or non-numeric input, missing values, event not 0/1, or no
        admissible pair (for example no deaths).

    Notes
    -----
    A pair of subjects (i, j) is *admissible* when the one with the shorter follow-up
    died: ``T_j < T_i`` with ``E_j = 1``, or ``T_j == T_i`` with ``E_j = 1`` and
    ``E_i = 0`` (a death and a censoring at the same time count as the death coming
    first). Two deaths at the same time are not compared; two censorings never are.
    An admissible pair is concordant when the subject who died first has the higher
    risk, ``risk_j > risk_i``; pairs with ``risk_j == risk_i`` count 1/2.

    These are the conventions of ``lifelines.utils.concordance_index(T, -risk, E)``
    (lifelines 0.30; lifelines takes predicted survival times, hence the minus sign).
    The integer pair counts are identical and the ratio is formed the same way, so the
    two values are equal (the tests compare them to 1e-12 and the counts with a
    brute-force O(n^2) count). Two differences in input handling: lifelines treats any
    non-zero event as a death, here the event must be 0 or 1; and time must be finite.
    Infinite risks are allowed and ordered as usual.

    The pairs are counted in O(n log n): subjects are visited in order of time, and a
    Fenwick tree over the ranks of ``risk`` holds the deaths already visited.

    References
    ----------
    Harrell FE, Lee KL, Mark DB. Multivariable prognostic models: issues in developing
    models, evaluating assumptions and adequacy, and measuring and reducing errors.
    Stat Med 1996;15(4):361-87.

    Examples
    --------
    >>> harrell_c([1, 2, 3], [1, 1, 0], [3.0, 2.0, 1.0])
    1.0
    """
    counts = concordance_counts(time, event, risk)
    if counts.admissible == 0:
        raise CohortInputError(
            "No admissible pairs for the C-index: at least one death followed by a longer "
            "(or equally long, censored) follow-up is needed. Check the event coding."
        )
    return counts.c_index
