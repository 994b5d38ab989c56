"""harrell_c against lifelines.utils.concordance_index (which takes predicted survival
times, so it gets ``-risk``) and against a brute-force O(n^2) count of the documented
pair rules; tied times and tied risks throughout."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lifelines import CoxPHFitter
from lifelines.utils import concordance_index

from cohort.errors import CohortInputError
from cohort.validation import harrell_c
from cohort.validation.concordance import concordance_counts


def brute_force_counts(t: np.ndarray, e: np.ndarray, r: np.ndarray) -> tuple[int, int, int]:
    """Direct reading of the rules in harrell_c's docstring (independent of the kernel)."""
    conc = tied = pairs = 0
    n = len(t)
    for j in range(n):  # j: the one who died first
        if not e[j]:
            continue
        for i in range(n):
            if i == j:
                continue
            if t[j] < t[i] or (t[j] == t[i] and not e[i]):
                pairs += 1
                if r[j] > r[i]:
                    conc += 1
                elif r[j] == r[i]:
                    tied += 1
    return conc, tied, pairs


def tied_data(n: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    t = rng.integers(1, 15, n).astype(float)  # many tied times
    e = rng.integers(0, 2, n)
    r = rng.integers(0, 6, n).astype(float)  # many tied risks
    return t, e, r


def test_equals_lifelines_with_tied_times_and_risks() -> None:
    t, e, r = tied_data(3000, seed=1)
    assert len(np.unique(t)) < 20
    assert len(np.unique(r)) < 10
    ours = harrell_c(t, e, r)
    ref = concordance_index(t, -r, e)
    assert ours == pytest.approx(ref, abs=1e-12)


def test_counts_equal_brute_force() -> None:
    t, e, r = tied_data(300, seed=2)
    counts = concordance_counts(t, e, r)
    assert (counts.concordant, counts.tied_risk, counts.admissible) == brute_force_counts(t, e, r)
    assert counts.discordant == counts.admissible - counts.concordant - counts.tied_risk


@given(
    data=st.lists(
        st.tuples(st.integers(0, 6), st.booleans(), st.integers(-3, 3)), min_size=2, max_size=60
    )
)
@settings(max_examples=200, deadline=None)
def test_property_matches_lifelines_and_brute_force(data: list[tuple[int, bool, int]]) -> None:
    t = np.array([d[0] for d in data], dtype=float)
    e = np.array([d[1] for d in data], dtype=int)
    r = np.array([d[2] for d in data], dtype=float)
    counts = concordance_counts(t, e, r)
    assert (counts.concordant, counts.tied_risk, counts.admissible) == brute_force_counts(t, e, r)
    if counts.admissible == 0:
        with pytest.raises(ZeroDivisionError):
            concordance_index(t, -r, e)
        with pytest.raises(CohortInputError, match="No admissible pairs"):
            harrell_c(t, e, r)
    else:
        assert harrell_c(t, e, r) == pytest.approx(concordance_index(t, -r, e), abs=1e-12)


def test_continuous_data_and_lifelines_cox_concordance() -> None:
    rng = np.random.default_rng(3)
    n = 2000
    x = rng.normal(size=(n, 2))
    t = rng.exponential(np.exp(-x @ np.array([0.7, -0.3])))
    c = rng.exponential(1.0, n)
    df = pd.DataFrame(x, columns=["a", "b"])
    df["T"], df["E"] = np.minimum(t, c), (t <= c).astype(int)
    cph = CoxPHFitter().fit(df, "T", "E")
    lp = df[["a", "b"]].to_numpy() @ cph.params_.to_numpy()
    assert harrell_c(df["T"], df["E"], lp) == pytest.approx(cph.concordance_index_, abs=1e-12)
    # higher risk = earlier death: reversing the score mirrors C around 1/2 (no ties)
    assert harrell_c(df["T"], df["E"], -lp) == pytest.approx(1 - harrell_c(df["T"], df["E"], lp))


def test_infinite_risks_are_ordered() -> None:
    t = np.array([1.0, 2.0, 3.0, 4.0])
    e = np.array([1, 1, 1, 0])
    r = np.array([np.inf, 1.0, -np.inf, -np.inf])
    assert harrell_c(t, e, r) == pytest.approx(concordance_index(t, -r, e), abs=1e-12)


def test_input_errors() -> None:
    t, e, r = tied_data(20, seed=4)
    r_bad = r.copy()
    r_bad[[1, 4]] = np.nan
    with pytest.raises(CohortInputError, match=r"risk has missing values in 2 rows \(rows 2, 5\)"):
        harrell_c(t, e, r_bad)
    e_bad = e.copy()
    e_bad[0] = 3
    with pytest.raises(CohortInputError, match="event must be 0"):
        harrell_c(t, e_bad, r)
    t_bad = t.copy()
    t_bad[2] = np.inf
    with pytest.raises(CohortInputError, match="time has missing or non-finite"):
        harrell_c(t_bad, e, r)
    with pytest.raises(CohortInputError, match="same length"):
        harrell_c(t, e, r[:10])
    with pytest.raises(CohortInputError, match="No admissible pairs"):
        harrell_c(t, np.zeros(20), r)
    with pytest.raises(CohortInputError, match="one-dimensional"):
        harrell_c(np.ones((4, 2)), np.ones((4, 2)), np.ones((4, 2)))


def test_kernel_compiles_without_a_writable_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    # A read-only install without a home directory: numba finds no cache locator and
    # refuses cache=True; the package must compile in memory instead of failing.
    import numba.core.caching

    from cohort._numba import jit_kernel

    monkeypatch.setattr(numba.core.caching.CacheImpl, "_locator_classes", [])
    with pytest.raises(RuntimeError, match="no locator available"):
        numba.njit(cache=True)(lambda x: x + 1)

    def add_one(x: float) -> float:
        return x + 1.0

    assert jit_kernel(add_one)(1.0) == 2.0
