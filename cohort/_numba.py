"""Lazy, cache-aware compilation of the package's few numba kernels.

numba is imported only when a kernel is first needed, so ``import cohort`` stays cheap.
Compiled machine code is cached on disk (``cache=True``) when numba finds a writable
place for it (next to the source file, or the user-wide cache directory, or
``NUMBA_CACHE_DIR``); when none is writable, for example a read-only install without a
home directory, the kernel is compiled in memory instead of failing.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

__all__ = ["jit_kernel"]


def jit_kernel(func: Callable[..., Any], reassociate: bool = False) -> Callable[..., Any]:
    """Compile ``func`` with ``numba.njit``, caching on disk where possible.

    Parameters
    ----------
    func
        A plain Python function written in the numba-supported subset.
    reassociate
        Allow LLVM to reorder floating-point sums (fast-math flags ``reassoc`` and
        ``contract`` only), so that reductions such as dot products are vectorised.
        Results then differ from strict left-to-right summation by rounding; NaN and
        infinity keep their IEEE meaning (``nnan``/``ninf`` are not set).

    Returns
    -------
    callable
        The dispatcher; the first call with new argument types compiles (or loads
        the cached machine code). Division by zero gives inf/NaN as in NumPy
        (``error_model="numpy"``) instead of raising, so callers can detect it.
    """
    import numba

    fastmath: set[str] | bool = {"reassoc", "contract"} if reassociate else False
    try:
        with warnings.catch_warnings():
            # numba reports an unusable cache location as a warning on some versions.
            warnings.simplefilter("ignore", numba.NumbaWarning)
            return numba.njit(cache=True, nogil=True, error_model="numpy", fastmath=fastmath)(func)
    except (RuntimeError, OSError):
        # "cannot cache function ...: no locator available": compile in memory instead.
        return numba.njit(cache=False, nogil=True, error_model="numpy", fastmath=fastmath)(func)
