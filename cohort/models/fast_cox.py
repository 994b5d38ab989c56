"""A fast Newton-Raphson solver for the Cox proportional hazards model.

Built for loops (bootstrap optimism, simulation studies) where the model is refitted
hundreds of times. lifelines' :class:`~lifelines.CoxPHFitter` stays the user-facing Cox
model (summary tables, proportional-hazards tests); this solver gives the same estimates
and model-based standard errors (tests compare the two) in a fraction of the time.

How it is fast: the rows are sorted by time once (and not at all when they already are,
as in bootstrap samples of time-sorted data); each Newton iteration is then O(n p^2)
arithmetic. Two engines compute the same log partial likelihood, gradient and
information (the tests check them against lifelines, statsmodels and each other):

- ``"numba"`` (default): the rows are grouped by distinct time once. A compiled
  backward pass accumulates the risk-set sums as the risk set grows (never
  subtracting), each time's sums over its rows as vectorised loops; per event time,
  the Efron terms' scalar sums give its gradient and rank-one information parts in
  O(p^2) however many deaths are tied. A forward pass then accumulates the term
  ``X' diag(v) X`` block by block (vectorised dot products, no (p, n) temporary).
  The sorted, standardised copy of X is made by one compiled routine (two passes).
- ``"numpy"``: vectorised NumPy. Risk-set sums are reverse cumulative sums taken at the
  distinct event times, the second-derivative term
  ``sum_g a_g * sum_{i in R(t_g)} r_i x_i x_i'`` is rewritten as ``X' diag(r * A) X``
  with ``A_i = sum_{g: t_g <= t_i} a_g``, so no n x p x p array is formed, and the Efron
  correction is array arithmetic over the tied deaths, not Python loops.

One likelihood evaluation (CPU time, best of several), measured on the 2-core
benchmark machine (Efron):

=====================  ===============  ===============
n x p                  numba            numpy
=====================  ===============  ===============
10^4 x 6, tied/dist.   0.17 / 0.45 ms   0.73 / 0.47 ms
10^5 x 6, tied/dist.   1.5 / 4.6 ms     11 / 5.8 ms
10^6 x 10, tied/dist.  35 / 88 ms       226 / 152 ms
=====================  ===============  ===============

("tied": follow-up in whole days, about 40 deaths per event time; "dist.": no ties),
hence numba by default; the NumPy engine needs no compiler.
"""

from __future__ import annotations

import functools
import itertools
import math
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
import scipy.linalg
import scipy.stats
from numpy.typing import ArrayLike, NDArray
from threadpoolctl import ThreadpoolController

from cohort._checks import check_time_event
from cohort._numba import jit_kernel
from cohort.errors import CohortInputError, ConvergenceWarning, describe_rows

__all__ = ["CoxFit", "fit_cox"]

Ties = Literal["efron", "breslow"]
FloatArray = NDArray[np.float64]
IntArray = NDArray[np.intp]


@dataclass(frozen=True)
class CoxFit:
    """Result of :func:`fit_cox` (immutable; the arrays are read-only).

    Attributes
    ----------
    coef
        Log hazard ratios, one per column of ``X``.
    se
        Model-based standard errors (square roots of the diagonal of ``cov``).
    cov
        Inverse of the observed information (negative Hessian of the log partial
        likelihood) at ``coef``; NaN when the information is singular.
    loglik
        Log partial likelihood at ``coef``.
    loglik_null
        Log partial likelihood at ``coef = 0``.
    n_iter
        Newton iterations (likelihood evaluations, including step-halving ones).
    converged
        Whether Newton-Raphson reached the maximum: the largest step fell below ``tol``
        on the standardised scale, or the log-likelihood stopped changing while every
        step was small relative to its coefficient (then one more Newton step is taken
        first, so the estimates are at the optimum to rounding). False on separation
        (a coefficient drifting to infinity), a singular information matrix, or running
        out of iterations; a :class:`~cohort.errors.ConvergenceWarning` was then issued.
    n
        Rows used.
    events
        Deaths (rows with event 1, unweighted).
    names
        Column names of ``X`` (``x0, x1, ...`` for arrays).
    ties
        ``"efron"`` or ``"breslow"``.
    n_strata
        Number of strata (1 when unstratified).
    message
        Why the fit did not converge ("" when it did).
    """

    coef: FloatArray
    se: FloatArray
    cov: FloatArray
    loglik: float
    loglik_null: float
    n_iter: int
    converged: bool
    n: int
    events: int
    names: tuple[str, ...]
    ties: str
    n_strata: int = 1
    message: str = ""
    gradient: FloatArray = field(default_factory=lambda: np.zeros(0), repr=False)

    @property
    def hazard_ratio(self) -> FloatArray:
        """``exp(coef)``."""
        return np.exp(self.coef)

    @property
    def z(self) -> FloatArray:
        """Wald statistics ``coef / se``."""
        return self.coef / self.se

    @property
    def p_value(self) -> FloatArray:
        """Two-sided Wald p-values."""
        return 2.0 * scipy.stats.norm.sf(np.abs(self.z))

    @property
    def lr_statistic(self) -> float:
        """Likelihood-ratio statistic ``2 (loglik - loglik_null)`` on ``len(coef)`` df."""
        return 2.0 * (self.loglik - self.loglik_null)

    def linear_predictor(self, X: ArrayLike) -> FloatArray:
        """``X @ coef`` (uncentred), the risk score used for concordance."""
        arr = np.asarray(X, dtype=np.float64)
        if arr.ndim == 1:
            arr = arr[:, None]
        return arr @ self.coef

    def summary(self) -> pd.DataFrame:
        """Table of coef, HR, SE, z, p and 95% Wald CI of the HR, one row per term."""
        q = scipy.stats.norm.ppf(0.975)
        return pd.DataFrame(
            {
                "coef": self.coef,
                "hr": self.hazard_ratio,
                "se": self.se,
                "z": self.z,
                "p": self.p_value,
                "hr_ci_lower": np.exp(self.coef - q * self.se),
                "hr_ci_upper": np.exp(self.coef + q * self.se),
            },
            index=pd.Index(self.names, name="term"),
        )


# --------------------------------------------------------------------------------------
# Precomputed structure of one stratum (does not depend on the coefficients)


@dataclass
class _Stratum:
    XT: FloatArray  # (p, n) standardised covariates, columns = rows sorted by time
    w: FloatArray | None  # (n,) weights, None = all 1
    block_starts: IntArray  # (G,) first row with time >= t_g (t_g = g-th event time)
    block_rev: IntArray  # (G,) n - 1 - block_starts: the same rows counted from the end
    row_block: IntArray  # (n,) number of event times <= t_i
    death_rows: IntArray  # (D,)
    death_group: IntArray  # (D,) event-time index of each death
    death_w: FloatArray  # (D,) weights of deaths
    tied_rows: IntArray  # deaths in groups of >= 2 tied deaths (Efron only)
    tied_starts: IntArray  # start of each such group within tied_rows
    tied_groups: IntArray  # event-time index of each such group
    slot_group: IntArray  # (K,) event-time index of each Efron/Breslow term
    slot_f: FloatArray  # (K,) Efron fraction l/d_g (0 for Breslow)
    slot_w: FloatArray  # (K,) weight of the term: mean death weight (Efron), total (Breslow)
    wx_death: FloatArray  # (p,) sum of w_i x_i over deaths
    total_death_w: float
    sqrt_slot_w: FloatArray  # (K,)
    work: _Workspace | None = None


def _build_stratum(
    XT: FloatArray, t: FloatArray, e: NDArray[np.bool_], w: FloatArray | None, ties: str
) -> _Stratum | None:
    """Precompute everything that does not depend on the coefficients (rows sorted by t)."""
    death_rows = np.flatnonzero(e)
    if death_rows.size == 0:
        return None
    death_times = t[death_rows]
    ev_times = np.unique(death_times)
    n_groups = ev_times.size
    block_starts = np.searchsorted(t, ev_times, side="left")
    row_block = np.searchsorted(ev_times, t, side="right")
    death_group = np.searchsorted(ev_times, death_times, side="left")
    d_g = np.bincount(death_group, minlength=n_groups)
    death_w = np.ones(death_rows.size) if w is None else w[death_rows]
    w_g = np.bincount(death_group, weights=death_w, minlength=n_groups)
    empty = np.zeros(0, dtype=np.intp)
    tied_rows, tied_starts, tied_groups = empty, empty, empty
    if ties == "efron":
        group_starts = np.concatenate(([0], np.cumsum(d_g)[:-1]))
        slot_group = death_group
        within = np.arange(death_rows.size) - group_starts[death_group]
        slot_f = within / d_g[death_group]
        slot_w = (w_g / d_g)[death_group]
        is_tied = d_g[death_group] > 1
        if is_tied.any():
            tied_rows = death_rows[is_tied]
            tied_groups = np.flatnonzero(d_g > 1)
            tied_starts = np.concatenate(([0], np.cumsum(d_g[tied_groups])[:-1]))
    else:
        slot_group = np.arange(n_groups, dtype=np.intp)
        slot_f = np.zeros(n_groups)
        slot_w = w_g.astype(np.float64)
    return _Stratum(
        XT=XT,
        w=w,
        block_starts=block_starts.astype(np.intp),
        block_rev=(t.shape[0] - 1 - block_starts).astype(np.intp),
        row_block=row_block.astype(np.intp),
        death_rows=death_rows.astype(np.intp),
        death_group=death_group.astype(np.intp),
        death_w=death_w,
        tied_rows=tied_rows.astype(np.intp),
        tied_starts=tied_starts.astype(np.intp),
        tied_groups=tied_groups.astype(np.intp),
        slot_group=slot_group.astype(np.intp),
        slot_f=slot_f,
        slot_w=slot_w,
        wx_death=XT[:, death_rows] @ death_w,
        total_death_w=float(death_w.sum()),
        sqrt_slot_w=np.sqrt(slot_w),
    )


def _evaluate(s: _Stratum, beta: FloatArray) -> tuple[float, FloatArray, FloatArray]:
    """Log partial likelihood, gradient and information (negative Hessian) of a stratum."""
    # Under- and overflow happen only at diverging coefficients; the caller sees the
    # non-finite values and halves the step, so numpy's warnings are silenced here.
    with np.errstate(over="ignore", under="ignore", divide="ignore", invalid="ignore"):
        return _evaluate_unguarded(s, beta)


@dataclass
class _Workspace:
    """Buffers reused across Newton iterations: fresh large arrays cost page faults on
    every iteration (measured: 0.25 s per 80 MB array on the benchmark machine)."""

    eta: FloatArray  # (n,)
    r: FloatArray  # (n,)
    cs: FloatArray  # (n,)
    v: FloatArray  # (n,)
    pn: FloatArray  # (p, n)
    pg: FloatArray  # (p, G)
    pk: FloatArray  # (p, K)
    pk2: FloatArray | None  # (p, K), Efron with ties only


def _workspace(s: _Stratum) -> _Workspace:
    if s.work is None:
        p, n = s.XT.shape
        k = s.slot_group.size
        s.work = _Workspace(
            eta=np.empty(n),
            r=np.empty(n),
            cs=np.empty(n),
            v=np.empty(n),
            pn=np.empty((p, n)),
            pg=np.empty((p, s.block_starts.size)),
            pk=np.empty((p, k)),
            pk2=np.empty((p, k)) if s.tied_rows.size else None,
        )
    return s.work


def _evaluate_unguarded(s: _Stratum, beta: FloatArray) -> tuple[float, FloatArray, FloatArray]:
    XT = s.XT
    ws = _workspace(s)
    eta = np.dot(beta, XT, out=ws.eta)
    shift = float(eta.max())  # exp never overflows; the likelihood is shift-invariant
    r = np.subtract(eta, shift, out=ws.r)
    np.exp(r, out=r)
    if s.w is not None:
        r *= s.w
    # risk-set sums at each event time t_g: sums over rows i >= block_starts[g], taken
    # from cumulative sums accumulated from the last row backwards (small risk sets late
    # in follow-up are summed exactly, never as a difference of two large totals)
    at = s.block_rev
    s0 = np.cumsum(r[::-1], out=ws.cs)[at]
    rev = np.multiply(XT[:, ::-1], r[::-1], out=ws.pn)
    np.cumsum(rev, axis=1, out=rev)
    s1 = np.take(rev, at, axis=1, out=ws.pg, mode="clip")
    g = s.slot_group
    f = s.slot_f
    den = s0[g]
    num = np.take(s1, g, axis=1, out=ws.pk, mode="clip")  # (p, K)
    if ws.pk2 is not None:
        # Efron: subtract the fraction f of the tied deaths' sums (only groups with ties)
        n_groups = s.block_starts.size
        d0 = np.zeros(n_groups)
        d1 = np.zeros((XT.shape[0], n_groups))
        d0[s.tied_groups] = np.add.reduceat(r[s.tied_rows], s.tied_starts)
        d1[:, s.tied_groups] = np.add.reduceat(
            XT[:, s.tied_rows] * r[s.tied_rows], s.tied_starts, axis=1
        )
        den -= f * d0[g]
        tied_part = np.take(d1, g, axis=1, out=ws.pk2, mode="clip")
        tied_part *= f
        num -= tied_part
    u = np.divide(num, den, out=num)
    loglik = (
        float(s.death_w @ eta[s.death_rows])
        - float(s.slot_w @ np.log(den))
        - s.total_death_w * shift
    )
    n_groups = s.block_starts.size
    a = np.bincount(g, weights=s.slot_w / den, minlength=n_groups)
    cum_a = np.concatenate(([0.0], np.cumsum(a)))
    v = np.take(cum_a, s.row_block, out=ws.v, mode="clip")
    v *= r
    if ws.pk2 is not None:
        b = np.bincount(g, weights=s.slot_w * f / den, minlength=n_groups)
        v[s.death_rows] -= r[s.death_rows] * b[s.death_group]
    gradient = s.wx_death - XT @ v
    xv = np.multiply(XT, v, out=ws.pn)
    info = xv @ XT.T
    u *= s.sqrt_slot_w
    info -= u @ u.T
    return loglik, gradient, info


def _kernel_py(
    XT: FloatArray,
    starts: IntArray,
    ef: FloatArray,
    g_deaths: IntArray,
    g_wdeath: FloatArray,
    r: FloatArray,
    efron: bool,
    ga1: FloatArray,
    gaf: FloatArray,
    den: FloatArray,
    term_w: FloatArray,
) -> tuple[int, FloatArray, FloatArray]:
    """Backward pass over one stratum, rows sorted by time, ``r = w exp(eta - shift)``.

    Rows ``starts[g]:starts[g + 1]`` share the g-th distinct time, with ``g_deaths[g]``
    deaths of total weight ``g_wdeath[g]``; ``ef`` is 1 for a death, 0 otherwise.
    From the last time backwards, the risk-set sums S0, S1 (and the time's deaths' D0,
    D1) are accumulated as the risk set grows, never subtracting; each time's sums over
    its rows are plain loops that LLVM vectorises (the kernel is compiled with
    reassociation). Per event time with d deaths, the Efron terms l = 0..d-1 use
    ``den_l = S0 - (l/d) D0``; their scalar sums give the time's gradient and rank-one
    information parts in O(p^2), whatever d is. The denominators and their weights are
    written to ``den`` / ``term_w`` (the caller takes the logs, vectorised), the
    per-time scalars ``a1 = sum_l q_l`` and ``af = sum_l q_l f_l`` (``q_l = tw /
    den_l``) to ``ga1[g]`` / ``gaf[g]`` for :func:`_info_py`. Returns the number of
    terms, the gradient without the deaths' ``sum w x`` part, and the rank-one part of
    the information (lower triangle).
    """
    p = XT.shape[0]
    grad = np.zeros(p)
    uu = np.zeros((p, p))
    s1 = np.zeros(p)
    d1 = np.zeros(p)
    s0 = 0.0
    n_terms_total = 0
    for g in range(starts.size - 2, -1, -1):
        lo = starts[g]
        m = starts[g + 1] - lo
        rg = r[lo : lo + m]
        eg = ef[lo : lo + m]
        d0 = 0.0
        for j in range(m):
            s0 += rg[j]
            d0 += rg[j] * eg[j]
        for a in range(p):
            xa = XT[a, lo : lo + m]
            sa = 0.0
            da = 0.0
            for j in range(m):
                y = rg[j] * xa[j]
                sa += y
                da += y * eg[j]
            s1[a] += sa
            d1[a] = da
        n_death = g_deaths[g]
        a1 = 0.0
        af = 0.0
        if n_death > 0:
            # Efron: one term per tied death, each with the deaths' mean weight;
            # Breslow: one term with their total weight.
            n_terms = n_death if efron else 1
            tw = g_wdeath[g] / n_death if efron else g_wdeath[g]
            b0 = 0.0
            b1 = 0.0
            b2 = 0.0
            for k in range(n_terms):
                f = k / n_death if efron else 0.0
                dk = s0 - f * d0
                den[n_terms_total] = dk
                term_w[n_terms_total] = tw
                n_terms_total += 1
                q = tw / dk
                a1 += q
                af += q * f
                q2 = q / dk
                b0 += q2
                b1 += q2 * f
                b2 += q2 * f * f
            # minus sum_k tw (S1 - f_k D1) / den_k, and the rank-one information part
            # sum_k tw (S1 - f_k D1)(...)' / den_k^2 (lower triangle)
            for a in range(p):
                grad[a] -= s1[a] * a1 - d1[a] * af
                for b in range(a + 1):
                    uu[a, b] += (
                        s1[a] * s1[b] * b0
                        - (s1[a] * d1[b] + d1[a] * s1[b]) * b1
                        + d1[a] * d1[b] * b2
                    )
        ga1[g] = a1
        gaf[g] = af
    return n_terms_total, grad, uu


def _info_py(
    XT: FloatArray,
    starts: IntArray,
    ef: FloatArray,
    r: FloatArray,
    ga1: FloatArray,
    gaf: FloatArray,
    uu: FloatArray,
    vbuf: FloatArray,
) -> FloatArray:
    """Information of one stratum: ``X' diag(v) X - uu`` (``uu`` lower triangle from
    :func:`_kernel_py`), ``v_i = r_i`` times (the sum of ``a1`` over times <= t_i,
    minus ``af`` of t_i if i died), which equals ``sum_g (a1_g S2_g - af_g D2_g)``.
    Forward over blocks of ``vbuf.size`` rows: the block's ``v`` first, then the
    ``p (p + 1) / 2`` dot products over the block, which LLVM vectorises (compiled with
    reassociation), so no (p, n) temporary and no BLAS call is needed."""
    p, n = XT.shape
    info = np.zeros((p, p))
    size = vbuf.size
    cum = 0.0
    af = 0.0
    g = -1
    end = 0  # first row after time g
    for lo in range(0, n, size):
        m = min(n, lo + size) - lo
        for j in range(m):
            i = lo + j
            while i >= end:
                g += 1
                end = starts[g + 1]
                cum += ga1[g]
                af = gaf[g]
            vbuf[j] = r[i] * (cum - af * ef[i])
        for a in range(p):
            xa = XT[a, lo : lo + m]
            for b in range(a + 1):
                xb = XT[b, lo : lo + m]
                acc = 0.0
                for j in range(m):
                    acc += vbuf[j] * xa[j] * xb[j]
                info[a, b] += acc
    for a in range(p):
        info[a, a] -= uu[a, a]
        for b in range(a):
            info[a, b] -= uu[a, b]
            info[b, a] = info[a, b]
    return info


@functools.cache
def _kernel() -> Callable[..., tuple[int, FloatArray, FloatArray]]:
    return jit_kernel(_kernel_py, reassociate=True)


@functools.cache
def _info_kernel() -> Callable[..., FloatArray]:
    return jit_kernel(_info_py, reassociate=True)


def _gather_standardise_py(
    src: FloatArray, order: IntArray, sorted_rows: bool, by_column: bool, xt: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Write ``src`` (p, n; any memory layout) into ``xt`` (p, n, C order) with the
    columns permuted by ``order`` (unless ``sorted_rows``), centred and scaled by the
    (population) standard deviation when it is positive; returns the means and
    standard deviations. Two passes: sums of ``x - x_0`` and their squares in the given
    row order (shifting by the first value keeps the one-pass variance accurate, and a
    constant column gives exactly 0), then the permuted, standardised copy. Any
    scaling gives the same fit (results are transformed back with the same ``sd``).
    ``by_column`` walks one covariate at a time (fast when each covariate is contiguous
    in ``src``), otherwise one subject at a time."""
    p, n = src.shape
    s1 = np.zeros(p)
    s2 = np.zeros(p)
    shift = np.empty(p)
    for a in range(p):
        shift[a] = src[a, 0]
    if by_column:
        for a in range(p):
            acc1 = 0.0
            acc2 = 0.0
            k = shift[a]
            for i in range(n):
                d = src[a, i] - k
                acc1 += d
                acc2 += d * d
            s1[a] = acc1
            s2[a] = acc2
    else:
        for i in range(n):
            for a in range(p):
                d = src[a, i] - shift[a]
                s1[a] += d
                s2[a] += d * d
    mean = np.empty(p)
    sd = np.empty(p)
    scale = np.empty(p)
    for a in range(p):
        m1 = s1[a] / n
        mean[a] = shift[a] + m1
        sd[a] = math.sqrt(max(s2[a] / n - m1 * m1, 0.0))
        scale[a] = 1.0 / sd[a] if sd[a] > 0.0 else 0.0
    if by_column:
        for a in range(p):
            m = mean[a]
            c = scale[a]
            for i in range(n):
                xt[a, i] = (src[a, i if sorted_rows else order[i]] - m) * c
    else:
        for i in range(n):
            row = i if sorted_rows else order[i]
            for a in range(p):
                xt[a, i] = (src[a, row] - mean[a]) * scale[a]
    return mean, sd


@functools.cache
def _gather_kernel() -> Callable[..., tuple[FloatArray, FloatArray]]:
    return jit_kernel(_gather_standardise_py)


def _sorted_standardised(
    xa: FloatArray, order: IntArray | None, compiled: bool
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Rows of ``xa`` (n, p) in ``order`` as a private standardised (p, n) C array,
    with the column means and standard deviations (before scaling)."""
    n, p = xa.shape
    if compiled:
        xt = np.empty((p, n))
        src = xa.T
        mean, sd = _gather_kernel()(
            src, np.zeros(0, dtype=np.intp) if order is None else order.astype(np.intp),
            order is None, src.strides[1] == src.itemsize, xt,
        )
        return xt, mean, sd
    xt = np.array(xa.T, order="C") if order is None else np.take(xa.T, order, axis=1)
    mean = xt.mean(axis=1)
    xt -= mean[:, None]
    sd = np.sqrt(np.einsum("ij,ij->i", xt, xt) / n)  # no n x p temporaries
    xt /= np.where(sd > 0, sd, 1.0)[:, None]
    return xt, mean, sd


Evaluator = Callable[[FloatArray], tuple[float, FloatArray, FloatArray]]


@dataclass
class _SortedStratum:
    """One stratum for the compiled engine: rows sorted by time, grouped by distinct
    time once, plus work buffers."""

    XT: FloatArray  # (p, n) standardised
    w: FloatArray | None
    efron: bool
    starts: IntArray  # (G + 1,) first row of each distinct time, then n
    ef: FloatArray  # (n,) 1.0 for a death
    g_deaths: IntArray  # (G,) deaths per distinct time
    g_wdeath: FloatArray  # (G,) their total weight
    we: FloatArray  # (n,) w_i for deaths, 0 otherwise
    wx_death: FloatArray  # (p,) sum over deaths of w_i x_i
    total_death_w: float
    r: FloatArray  # buffers: (n,) linear predictor, then risk weights
    ga1: FloatArray  # (G,)
    gaf: FloatArray
    den: FloatArray  # (deaths,)
    term_w: FloatArray
    vbuf: FloatArray  # (block,) v of one block of rows

    @classmethod
    def build(
        cls, XT: FloatArray, t: FloatArray, e: NDArray[np.bool_], w: FloatArray | None,
        efron: bool,
    ) -> _SortedStratum:
        n = t.shape[0]
        first = np.empty(n, dtype=bool)
        first[0] = True
        np.not_equal(t[1:], t[:-1], out=first[1:])
        starts = np.append(np.flatnonzero(first), n).astype(np.intp)
        ef = e.astype(np.float64)
        we = ef if w is None else np.where(e, w, 0.0)
        g_deaths = np.add.reduceat(e.astype(np.intp), starts[:-1])
        g_wdeath = np.add.reduceat(we, starts[:-1])
        n_groups = starts.size - 1
        n_death = int(g_deaths.sum())
        return cls(
            XT=XT, w=w, efron=efron, starts=starts, ef=ef, g_deaths=g_deaths,
            g_wdeath=g_wdeath, we=we, wx_death=XT @ we, total_death_w=float(we.sum()),
            r=np.empty(n), ga1=np.empty(n_groups), gaf=np.empty(n_groups),
            den=np.empty(n_death), term_w=np.empty(n_death), vbuf=np.empty(1024),
        )

    def evaluate(self, beta: FloatArray) -> tuple[float, FloatArray, FloatArray]:
        with np.errstate(over="ignore", under="ignore", divide="ignore", invalid="ignore"):
            eta = np.dot(beta, self.XT, out=self.r)
            shift = float(eta.max())  # exp never overflows; the likelihood is shift-invariant
            ll_death = float(self.we @ eta)
            r = np.subtract(eta, shift, out=eta)
            np.exp(r, out=r)
            if self.w is not None:
                r *= self.w
            k, grad, uu = _kernel()(
                self.XT, self.starts, self.ef, self.g_deaths, self.g_wdeath, r,
                self.efron, self.ga1, self.gaf, self.den, self.term_w,
            )
            info = _info_kernel()(
                self.XT, self.starts, self.ef, r, self.ga1, self.gaf, uu, self.vbuf
            )
            loglik = (
                ll_death
                - float(self.term_w[:k] @ np.log(self.den[:k]))
                - self.total_death_w * shift
            )
            grad += self.wx_death
        return loglik, grad, info


def _evaluate_all(
    evaluators: Sequence[Evaluator], beta: FloatArray
) -> tuple[float, FloatArray, FloatArray]:
    p = beta.size
    loglik = 0.0
    gradient = np.zeros(p)
    info = np.zeros((p, p))
    for evaluate in evaluators:
        ll, gr, inf = evaluate(beta)
        loglik += ll
        gradient += gr
        info += inf
    return loglik, gradient, info


@functools.cache
def _blas_controller() -> ThreadpoolController:
    return ThreadpoolController()


# --------------------------------------------------------------------------------------
# Input handling


def _column_names(X: Any, p: int) -> tuple[str, ...]:
    if isinstance(X, pd.DataFrame):
        return tuple(str(c) for c in X.columns)
    if isinstance(X, pd.Series) and X.name is not None:
        return (str(X.name),)
    return tuple(f"x{j}" for j in range(p))


def _as_vector(values: ArrayLike, name: str, n: int | None) -> NDArray[Any]:
    arr = np.asarray(values)
    if arr.ndim == 2 and 1 in arr.shape:
        arr = arr.ravel()
    if arr.ndim != 1:
        raise CohortInputError(f"{name} must be one-dimensional; got shape {arr.shape}.")
    if n is not None and arr.shape[0] != n:
        raise CohortInputError(
            f"{name} has {arr.shape[0]} values but time has {n}; pass aligned columns."
        )
    return arr


def _to_float(arr: NDArray[Any], name: str) -> FloatArray:
    try:
        return np.asarray(arr, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise CohortInputError(f"{name} must be numeric ({exc}); convert it first.") from exc


def _prepare(
    time: ArrayLike,
    event: ArrayLike,
    X: ArrayLike,
    weights: ArrayLike | None,
    strata: ArrayLike | None,
) -> tuple[FloatArray, NDArray[np.bool_], FloatArray, FloatArray | None, IntArray | None,
           tuple[str, ...]]:
    t = _to_float(_as_vector(time, "time", None), "time")
    n = t.shape[0]
    ev = _to_float(_as_vector(event, "event", n), "event")
    x_arr = np.asarray(X)
    if x_arr.ndim == 1:
        x_arr = x_arr[:, None]
    if x_arr.ndim != 2 or x_arr.shape[0] != n:
        raise CohortInputError(
            f"X must be a table with one row per subject ({n} rows); got shape {x_arr.shape}."
        )
    names = _column_names(X, x_arr.shape[1])
    if x_arr.shape[1] == 0:
        raise CohortInputError("X has no columns; pass at least one covariate.")
    try:
        xa = np.asarray(x_arr, dtype=np.float64)  # may be the caller's data: never modified
    except (TypeError, ValueError) as exc:
        raise CohortInputError(
            f"X must be numeric ({exc}). Encode categorical columns as indicators first."
        ) from exc
    check_time_event(t, ev, "fitting")
    # one pass over X (a per-column reduction over an (n, p) array is 10x slower)
    finite_cols = np.ones(xa.shape[1], bool) if np.isfinite(xa).all() else np.isfinite(
        xa
    ).all(axis=0)
    for j in np.flatnonzero(~finite_cols):
        name = names[j]
        bad = np.flatnonzero(~np.isfinite(xa[:, j]))
        if bad.size:
            raise CohortInputError(
                f"column {name!r} of X has missing or non-finite values in "
                f"{describe_rows(bad)}. Drop those rows (and report them) or impute first."
            )
    w: FloatArray | None = None
    if weights is not None:
        w = _to_float(_as_vector(weights, "weights", n), "weights")
        bad = np.flatnonzero(~(np.isfinite(w) & (w > 0)))
        if bad.size:
            raise CohortInputError(
                f"weights must be positive and finite; not so in {describe_rows(bad)}. "
                "Remove those rows or correct the weights."
            )
    codes: IntArray | None = None
    if strata is not None:
        strata_any: Any = strata
        frame = (
            pd.DataFrame(strata_any)
            if np.ndim(strata_any) == 2
            else pd.DataFrame({"s": np.asarray(strata_any)})
        )
        if len(frame) != n:
            raise CohortInputError(f"strata has {len(frame)} rows but time has {n}.")
        bad = np.flatnonzero(frame.isna().any(axis=1).to_numpy())
        if bad.size:
            raise CohortInputError(
                f"strata has missing values in {describe_rows(bad)}. "
                "Give those rows a stratum label or drop them."
            )
        codes = np.asarray(frame.groupby(list(frame.columns), sort=True).ngroup(), dtype=np.intp)
    return t, ev.astype(bool), xa, w, codes, names


# --------------------------------------------------------------------------------------
# The solver


_TOLER_CHOL = float(np.finfo(np.float64).eps) ** 0.75  # R coxph.control(toler.chol)


def _moving(step: FloatArray, beta: FloatArray, tol: float) -> NDArray[np.bool_]:
    """Coefficients whose Newton step is large relative to their size (R coxph's
    ``toler.inf = sqrt(eps)`` rule for infinite coefficients, Therneau & Grambsch 2000,
    3.5), on the standardised scale."""
    return np.isfinite(step) & (np.abs(step) > np.sqrt(tol) * np.maximum(1.0, np.abs(beta)))


def fit_cox(
    time: ArrayLike,
    event: ArrayLike,
    X: ArrayLike,
    ties: Ties = "efron",
    weights: ArrayLike | None = None,
    strata: ArrayLike | None = None,
    *,
    init: ArrayLike | None = None,
    tol: float = 1e-9,
    max_iter: int = 50,
    warn: bool = True,
    engine: Literal["numba", "numpy"] = "numba",
) -> CoxFit:
    """Fit a Cox proportional hazards model by Newton-Raphson with step halving.

    Parameters
    ----------
    time
        Follow-up times, one per subject (finite).
    event
        1 = death at ``time``, 0 = censored.
    X
        Covariates, shape (n, p) (a DataFrame keeps its column names) or (n,).
    ties
        ``"efron"`` (default, as lifelines and R) or ``"breslow"``.
    weights
        Optional positive case weights. As in lifelines (``weights_col``, default
        ``robust=False``) and R ``coxph``, they enter the likelihood, the Efron term
        uses the mean weight of the tied deaths, and the reported standard errors are
        the model-based ones (inverse information), not robust sandwich ones.
    strata
        Optional stratum labels (n,) or a table of several stratum columns; each
        stratum has its own baseline hazard and the log-likelihoods add up.
    init
        Starting coefficients (default 0).
    tol
        Convergence when the largest Newton step, on the scale of standardised
        covariates, is below ``tol``.
    max_iter
        Maximum number of likelihood evaluations.
    warn
        Issue a :class:`~cohort.errors.ConvergenceWarning` when the fit does not
        converge (the result says so in ``converged`` and ``message`` either way).
    engine
        ``"numba"`` (compiled; the first call in a process compiles or loads the cached
        kernel) or ``"numpy"``; both give the same results to rounding.

    Returns
    -------
    CoxFit

    Raises
    ------
    CohortInputError
        Misaligned or non-numeric input, missing values, event not 0/1, weights not
        positive, a constant covariate, or no deaths.

    Notes
    -----
    Covariates are centred and scaled internally (as lifelines does) and the results
    transformed back. Each iteration evaluates the log partial likelihood ``l``, its
    gradient ``U`` and information ``I``; a step that lowers ``l`` (or makes it
    non-finite) is halved back towards the previous point. Iteration stops when the
    Newton step ``I^{-1} U`` is below ``tol``, or when the log-likelihood stops changing
    (relative change <= 1e-10) with all steps small relative to the coefficients (R
    ``coxph``'s ``sqrt(tol)`` rule) for two consecutive iterations: near the maximum the
    log-likelihood settles one step before the step drops below ``tol``. When the
    log-likelihood stops changing while a step is still large, the likelihood has a
    supremum at infinity (monotone likelihood, e.g. complete separation): the fit stops
    with ``converged=False`` and a warning naming the coefficients that diverge, like R
    ``coxph`` ("coefficient may be infinite") and lifelines (a ConvergenceWarning).

    References
    ----------
    Cox DR. Regression models and life-tables. J R Stat Soc B 1972;34(2):187-220.
    Efron B. The efficiency of Cox's likelihood function for censored data. J Am Stat
    Assoc 1977;72(359):557-65.
    Therneau TM, Grambsch PM. Modeling Survival Data: Extending the Cox Model.
    Springer, 2000 (ch. 3: computation, weights, and infinite coefficients).
    """
    # All BLAS work here is thin (p x n products, p x p factorisations) and memory-bound:
    # extra BLAS threads gain nothing and lose badly when the cores are busy (handing a
    # 0.1 ms product to a second thread measured up to 28 ms with another process
    # running on a 2-core machine), so the whole fit runs single-threaded.
    with _blas_controller().limit(limits=1, user_api="blas"):
        fit = _fit_cox(time, event, X, ties, weights, strata, init, tol, max_iter, engine)
    if fit.message and warn:
        warnings.warn(fit.message, ConvergenceWarning, stacklevel=2)
    return fit


def _fit_cox(
    time: ArrayLike,
    event: ArrayLike,
    X: ArrayLike,
    ties: Ties,
    weights: ArrayLike | None,
    strata: ArrayLike | None,
    init: ArrayLike | None,
    tol: float,
    max_iter: int,
    engine: Literal["numba", "numpy"],
) -> CoxFit:
    if ties not in ("efron", "breslow"):
        raise CohortInputError(f"ties must be 'efron' or 'breslow', not {ties!r}.")
    if engine not in ("numba", "numpy"):
        raise CohortInputError(f"engine must be 'numba' or 'numpy', not {engine!r}.")
    t, e, xa, w, codes, names = _prepare(time, event, X, weights, strata)
    n, p = xa.shape
    n_events = int(e.sum())
    if n_events == 0:
        raise CohortInputError(
            f"No deaths among the {n} rows: a Cox model needs at least one event. "
            "Check the event coding (1 = death)."
        )
    # Sort once (by stratum, then time) while copying X into a private (p, n) array:
    # rows of the transposed table are contiguous, as every per-iteration operation
    # wants, and the copy can be standardised in place.
    if codes is None:
        # rows already in time order (e.g. sorted bootstrap indices of sorted data) skip
        # the sort; the order within tied times does not matter
        order = None if np.all(t[1:] >= t[:-1]) else np.argsort(t)
        bounds = np.array([0, n])
    else:
        order = np.lexsort((t, codes))
        bounds = np.concatenate(([0], np.flatnonzero(np.diff(codes[order])) + 1, [n]))
    xt, mean, sd = _sorted_standardised(xa, order, compiled=engine == "numba")
    if order is not None:
        t, e = t[order], e[order]
        w = None if w is None else w[order]
    n_strata = bounds.size - 1
    const = [names[j] for j in np.flatnonzero(sd <= 1e-12 * np.maximum(1.0, np.abs(mean)))]
    if const:
        raise CohortInputError(
            f"column(s) {const} of X are constant over all {n} rows, so their coefficients "
            "are not identifiable. Drop them from the model."
        )
    evaluators: list[Evaluator] = []
    for lo, hi in itertools.pairwise(bounds):
        es = e[lo:hi]
        if not es.any():
            continue  # a stratum without deaths adds nothing to the partial likelihood
        xs = xt if n_strata == 1 else np.ascontiguousarray(xt[:, lo:hi])
        ts = t[lo:hi]
        ws = None if w is None else w[lo:hi]
        if engine == "numba":
            evaluators.append(_SortedStratum.build(xs, ts, es, ws, ties == "efron").evaluate)
        else:
            built = _build_stratum(xs, ts, es, ws, ties)
            if built is not None:
                evaluators.append(functools.partial(_evaluate, built))
    del xt

    beta = np.zeros(p) if init is None else np.asarray(init, dtype=np.float64) * sd
    if beta.shape != (p,):
        raise CohortInputError(f"init must have {p} values, one per column of X.")
    loglik_null = (
        _evaluate_all(evaluators, np.zeros(p))[0] if init is not None else float("nan")
    )

    converged = False
    reason = ""
    n_iter = 0
    prev_beta: FloatArray | None = None
    prev_ll = -math.inf
    halvings = 0
    singular = False
    polished = False
    ll, grad, info = -math.inf, np.zeros(p), np.zeros((p, p))
    step = np.full(p, np.nan)
    while True:
        if n_iter >= max_iter:
            reason = f"Newton-Raphson did not converge in {max_iter} iterations."
            break
        ll, grad, info = _evaluate_all(evaluators, beta)
        n_iter += 1
        if n_iter == 1 and init is None:
            loglik_null = ll
        finite = math.isfinite(ll) and bool(np.isfinite(info).all() and np.isfinite(grad).all())
        if prev_beta is not None and (not finite or ll < prev_ll - 1e-12 * abs(prev_ll)):
            halvings += 1
            if halvings > 30:
                beta = prev_beta
                ll, grad, info = _evaluate_all(evaluators, beta)
                reason = "Step halving failed to increase the log-likelihood."
                break
            beta = prev_beta + 0.5 * (beta - prev_beta)
            continue
        halvings = 0
        try:
            chol = scipy.linalg.cho_factor(info, check_finite=True)
            # R coxph's rule (coxph.control toler.chol = eps^0.75): a Cholesky pivot
            # below toler.chol times its diagonal element is a singular direction;
            # whether the factorisation fails outright depends on rounding
            pivots = np.diag(chol[0]) ** 2
            if np.any(pivots < _TOLER_CHOL * np.diag(info)):
                raise np.linalg.LinAlgError("singular information")
            step = scipy.linalg.cho_solve(chol, grad)
        except (np.linalg.LinAlgError, ValueError):
            singular = True
            step = np.full(p, np.nan)
            reason = (
                "The information matrix is singular (collinear covariates within the data "
                "or within strata, or a flat likelihood)."
            )
            break
        if float(np.max(np.abs(step))) < tol:
            converged = True
            break
        if prev_beta is not None and abs(ll - prev_ll) <= 1e-10 * max(1.0, abs(ll)):
            # The log-likelihood has stopped changing. Near the maximum this happens one
            # Newton step before the step drops below tol (the change is quadratic in
            # the step: a step of 3e-9 changes l by ~1e-14 relative), and at the
            # floating-point floor the step may never get below a tiny tol. Both are
            # converged fits. A monotone likelihood instead keeps steps that are large
            # relative to the coefficients; R coxph's rule (toler.inf = sqrt(eps),
            # Therneau & Grambsch 2000, 3.5) tells them apart.
            if _moving(step, beta, tol).any():
                reason = "The log-likelihood converged while the Newton steps stayed large."
                break
            if polished:
                converged = True  # steps at the rounding floor of the gradient
                break
            polished = True  # one more Newton step from here is essentially exact
        prev_beta, prev_ll = beta, ll
        beta = beta + step

    message = ""
    if not converged:
        # R coxph's rule for infinite coefficients (Therneau & Grambsch 2000, 3.5): the
        # last Newton step is large relative to the coefficient. Assumption: a
        # standardised coefficient beyond 10 (HR e^10 per SD) is a divergence, not data.
        moving = _moving(step, beta, tol)
        suspect = [names[j] for j in np.flatnonzero(moving | (np.abs(beta) > 10))]
        message = reason
        if suspect:
            message += (
                f" Coefficient(s) {suspect} are diverging and may be infinite: monotone "
                "likelihood, typically (quasi-)complete separation, where a covariate "
                "perfectly orders the deaths. Their estimates and standard errors are "
                "meaningless; drop or merge the covariate, or use a penalised model."
            )
        else:
            message += " The estimates are the last iterate and may be inaccurate."

    cov_std = np.full((p, p), np.nan)
    if converged:
        cov_std = scipy.linalg.cho_solve(chol, np.eye(p))  # factor of the final info
    elif not singular:
        try:
            cov_std = scipy.linalg.inv(info, check_finite=True)
        except (np.linalg.LinAlgError, ValueError):
            cov_std = np.full((p, p), np.nan)
    coef = beta / sd
    cov = cov_std / np.outer(sd, sd)
    se = np.sqrt(np.diag(cov))
    gradient = grad * sd
    for arr in (coef, cov, se, gradient):
        arr.setflags(write=False)
    return CoxFit(
        coef=coef,
        se=se,
        cov=cov,
        loglik=float(ll),
        loglik_null=float(loglik_null),
        n_iter=n_iter,
        converged=converged,
        n=n,
        events=n_events,
        names=names,
        ties=ties,
        n_strata=n_strata,
        message=message,
        gradient=gradient,
    )
