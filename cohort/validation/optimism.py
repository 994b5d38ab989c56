"""Harrell's bootstrap optimism correction, with a reusable bootstrap loop.

The loop (:func:`run_bootstrap`) knows nothing about Cox models: it draws B bootstrap
index vectors from per-replicate seeds and maps a function over them, sequentially or
with joblib, so any statistic can be optimism-corrected with :func:`bootstrap_optimism`
(for example the calibration slope). :func:`optimism_corrected_c` is the Cox-model C-index
built on it.
"""

from __future__ import annotations

import math
import os
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np
from numpy.typing import ArrayLike, NDArray

from cohort.errors import CohortInputError, ConvergenceWarning
from cohort.models.fast_cox import Ties, fit_cox
from cohort.validation.concordance import concordance_counts, harrell_c

__all__ = [
    "OptimismResult",
    "bootstrap_indices",
    "bootstrap_optimism",
    "optimism_corrected_c",
    "run_bootstrap",
]

R = TypeVar("R")

# Below this much work (rows x replicates) worker processes cost more than they save.
# Measured with benchmarks/bench.py on an idle 2-core machine: two workers were 1.8x
# faster at 10,000 x 200 and 1.6x at 100,000 x 40, but 0.8-1.0x at 2,000 x 20 and
# 20,000 x 4 (and slower when other processes kept the cores busy).
AUTO_PARALLEL_MIN_WORK = 2_000_000


@dataclass(frozen=True)
class OptimismResult:
    """Bootstrap optimism-corrected statistic (immutable; arrays read-only).

    Attributes
    ----------
    apparent
        The statistic of the model fitted and evaluated on the original data.
    optimism
        Mean over successful replicates of (statistic on the bootstrap sample) minus
        (statistic of the same bootstrap model on the original data).
    corrected
        ``apparent - optimism``.
    B
        Bootstrap replicates requested.
    replicate_optimism
        Optimism of each replicate, in replicate order; NaN where the replicate failed
        (its model did not converge or could not be fitted).
    seed
        The seed of :class:`numpy.random.SeedSequence` the replicates were drawn from.
    n_failed
        Replicates that failed and are left out of the mean.
    statistic
        Name of the statistic.
    """

    apparent: float
    optimism: float
    corrected: float
    B: int
    replicate_optimism: NDArray[np.float64]
    seed: int | None
    n_failed: int = 0
    statistic: str = ""

    @property
    def n_used(self) -> int:
        """Replicates that entered the mean optimism."""
        return self.B - self.n_failed


def bootstrap_indices(n: int, seed_seq: np.random.SeedSequence) -> NDArray[np.intp]:
    """One bootstrap sample of ``range(n)``, drawn from ``seed_seq``, sorted ascending.

    Sorting keeps the rows of data that is already sorted (for example by time) in order,
    so a time-sorted data set gives time-sorted bootstrap samples without a new sort.
    """
    rng = np.random.default_rng(seed_seq)
    idx = rng.integers(0, n, size=n)
    idx.sort()
    return idx.astype(np.intp, copy=False)


def _chunks(items: Sequence[Any], k: int) -> list[Sequence[Any]]:
    size = math.ceil(len(items) / k)
    return [items[i : i + size] for i in range(0, len(items), size)]


def _run_chunk(
    func: Callable[[NDArray[np.intp]], R], n: int, seeds: Sequence[np.random.SeedSequence]
) -> list[R]:
    return [func(bootstrap_indices(n, s)) for s in seeds]


def _resolve_jobs(n_jobs: int | None, work: int) -> int:
    cpus = os.cpu_count() or 1
    if n_jobs is None:
        return min(cpus, 8) if work >= AUTO_PARALLEL_MIN_WORK and cpus > 1 else 1
    if n_jobs < 0:
        return max(1, cpus + 1 + n_jobs)
    return max(1, n_jobs)


def _progress_wrap(
    iterable: Iterable[R],
    total: int,
    show: bool,
    label: str,
    size: Callable[[R], int] = lambda _: 1,
) -> Iterator[R]:
    if not show:
        yield from iterable
        return
    from rich.console import Console
    from rich.progress import Progress

    # stderr, so that the results on stdout stay clean when redirected
    with Progress(console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(label or "bootstrap", total=total)
        for item in iterable:
            bar.advance(task, size(item))
            yield item


def run_bootstrap(
    func: Callable[[NDArray[np.intp]], R],
    n: int,
    B: int,
    *,
    seed: int | None = 0,
    n_jobs: int | None = None,
    progress: bool = False,
    label: str = "bootstrap",
) -> list[R]:
    """Apply ``func`` to B bootstrap index vectors of ``range(n)``.

    Parameters
    ----------
    func
        Called with one sorted index vector (``numpy.intp``, length ``n``) per replicate;
        must be picklable when run in parallel (a module-level function or a
        :func:`functools.partial` of one).
    n
        Number of rows of the original data.
    B
        Number of replicates.
    seed
        Seed of the :class:`numpy.random.SeedSequence` whose B spawned children draw
        the replicates; replicate b always gets child b, so the results do not depend on
        ``n_jobs`` or on scheduling.
    n_jobs
        Worker processes (joblib, loky backend). None = automatic: sequential unless
        ``n * B`` is at least ``AUTO_PARALLEL_MIN_WORK`` and more than one CPU is
        available; -1 = all CPUs.
    progress
        Show a progress bar (rich) on standard error.
    label
        Text of the progress bar.

    Returns
    -------
    list
        ``func``'s results in replicate order.
    """
    if B < 1:
        raise CohortInputError(f"B (bootstrap replicates) must be at least 1, not {B}.")
    seeds = np.random.SeedSequence(seed).spawn(B)
    jobs = _resolve_jobs(n_jobs, n * B)
    if jobs == 1:
        per_rep = (func(bootstrap_indices(n, s)) for s in seeds)
        return list(_progress_wrap(per_rep, B, progress, label))
    from joblib import Parallel, delayed

    # several chunks per worker: fewer round trips than one task per replicate, while
    # keeping the progress bar moving and the load balanced
    chunks = _chunks(seeds, jobs * 4)
    parallel = Parallel(n_jobs=jobs, return_as="generator")
    results = parallel(delayed(_run_chunk)(func, n, c) for c in chunks)
    out: list[R] = []
    for chunk_result in _progress_wrap(results, B, progress, label, size=len):
        out.extend(chunk_result)
    return out


def bootstrap_optimism(
    replicate: Callable[[NDArray[np.intp]], tuple[float, float]],
    apparent: float,
    n: int,
    B: int = 200,
    *,
    seed: int | None = 0,
    n_jobs: int | None = None,
    progress: bool = False,
    statistic: str = "",
) -> OptimismResult:
    """Harrell's bootstrap optimism for any statistic.

    Parameters
    ----------
    replicate
        Given the bootstrap indices, fits the model on those rows and returns
        ``(statistic on the bootstrap sample, statistic of that model on the original
        data)``; NaN in either marks a failed replicate.
    apparent
        The statistic of the model fitted and evaluated on the original data.
    n, B, seed, n_jobs, progress
        As in :func:`run_bootstrap`.
    statistic
        Name stored in the result.

    Returns
    -------
    OptimismResult

    References
    ----------
    Harrell FE, Lee KL, Mark DB. Multivariable prognostic models: issues in developing
    models, evaluating assumptions and adequacy, and measuring and reducing errors.
    Stat Med 1996;15(4):361-87.
    Efron B, Tibshirani RJ. An Introduction to the Bootstrap. Chapman & Hall, 1993
    (ch. 17: estimates of prediction error and the optimism).
    """
    pairs = run_bootstrap(
        replicate, n, B, seed=seed, n_jobs=n_jobs, progress=progress, label=statistic
    )
    arr = np.asarray(pairs, dtype=np.float64).reshape(B, 2)
    rep = arr[:, 0] - arr[:, 1]
    failed = ~np.isfinite(rep)
    n_failed = int(failed.sum())
    if n_failed == B:
        raise CohortInputError(
            f"All {B} bootstrap replicates failed (no model could be fitted); the data "
            "are too small or degenerate for a bootstrap validation."
        )
    if n_failed:
        warnings.warn(
            f"{n_failed} of {B} bootstrap replicates failed (model not converged or not "
            "estimable) and were left out of the mean optimism.",
            ConvergenceWarning,
            stacklevel=2,
        )
    optimism = float(np.mean(rep[~failed]))
    rep.setflags(write=False)
    return OptimismResult(
        apparent=float(apparent),
        optimism=optimism,
        corrected=float(apparent) - optimism,
        B=B,
        replicate_optimism=rep,
        seed=seed,
        n_failed=n_failed,
        statistic=statistic,
    )


@dataclass(frozen=True)
class _CoxCReplicate:
    """Picklable replicate function for :func:`optimism_corrected_c` (data time-sorted)."""

    time: NDArray[np.float64]
    event: NDArray[np.float64]
    X: NDArray[np.float64]
    ties: Ties

    def __call__(self, idx: NDArray[np.intp]) -> tuple[float, float]:
        t, e, x = self.time[idx], self.event[idx], self.X[idx]
        try:
            fit = fit_cox(t, e, x, ties=self.ties, warn=False)
        except CohortInputError:  # e.g. a covariate constant in this resample
            return math.nan, math.nan
        if not fit.converged:
            return math.nan, math.nan
        boot = concordance_counts(t, e, x @ fit.coef).c_index
        orig = concordance_counts(self.time, self.event, self.X @ fit.coef).c_index
        return boot, orig


def optimism_corrected_c(
    time: ArrayLike,
    event: ArrayLike,
    X: ArrayLike,
    B: int = 200,
    seed: int | None = 0,
    n_jobs: int | None = None,
    progress: bool = False,
    *,
    ties: Ties = "efron",
) -> OptimismResult:
    """Harrell's C of a Cox model on X, corrected for optimism by the bootstrap.

    Parameters
    ----------
    time, event
        Follow-up and 1 = death / 0 = censored.
    X
        Covariates of the Cox model (n, p) or (n,), e.g. one prognostic score.
    B
        Bootstrap replicates.
    seed
        Seed of the :class:`numpy.random.SeedSequence` behind the replicates; results
        do not depend on ``n_jobs``.
    n_jobs
        Worker processes; None = automatic (see :func:`run_bootstrap`).
    progress
        Show a progress bar.
    ties
        Tie handling of the Cox fits.

    Returns
    -------
    OptimismResult
        ``apparent`` is the C of the Cox linear predictor fitted on all rows;
        ``replicate_optimism[b]`` is C(model_b on sample_b) - C(model_b on all rows).

    Notes
    -----
    Each replicate refits the Cox model (:func:`cohort.models.fit_cox`) on a bootstrap
    sample of rows and computes Harrell's C (:func:`harrell_c`, higher linear predictor
    = higher risk) on that sample and on the original rows. Replicates whose fit does
    not converge are left out (and counted in ``n_failed``, with a warning), as in
    ``rms::validate``.

    Replicate b takes the rows ``bootstrap_indices(n, SeedSequence(seed).spawn(B)[b])``
    of the data sorted by time (``numpy.argsort(time, kind="stable")``), so the samples
    arrive in time order and need no sort; another statistic computed with
    :func:`run_bootstrap` on the same sorted rows and seed sees the same samples.

    References
    ----------
    Harrell FE, Lee KL, Mark DB. Multivariable prognostic models: issues in developing
    models, evaluating assumptions and adequacy, and measuring and reducing errors.
    Stat Med 1996;15(4):361-87.
    """
    full = fit_cox(time, event, X, ties=ties)
    if not full.converged:
        raise CohortInputError(
            f"The Cox model on all rows did not converge ({full.message}); the apparent "
            "C-index is undefined, so there is nothing to correct."
        )
    t = np.asarray(time, dtype=np.float64).ravel()
    e = np.asarray(event, dtype=np.float64).ravel()
    x = np.asarray(X, dtype=np.float64)
    if x.ndim == 1:
        x = x[:, None]
    apparent = harrell_c(t, e, x @ full.coef)
    order = np.argsort(t, kind="stable")
    replicate = _CoxCReplicate(
        time=t[order], event=e[order], X=np.ascontiguousarray(x[order]), ties=ties
    )
    return bootstrap_optimism(
        replicate,
        apparent,
        t.shape[0],
        B,
        seed=seed,
        n_jobs=n_jobs,
        progress=progress,
        statistic="harrell_c",
    )
