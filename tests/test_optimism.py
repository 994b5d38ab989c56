"""Bootstrap optimism: against a slow reference loop (lifelines CoxPHFitter +
concordance_index) on the same bootstrap indices; seeding, n_jobs independence, failed
replicates, and the generic loop."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from lifelines import CoxPHFitter
from lifelines.utils import concordance_index

from cohort.errors import CohortInputError, ConvergenceWarning
from cohort.validation import OptimismResult, optimism_corrected_c
from cohort.validation.optimism import bootstrap_indices, bootstrap_optimism, run_bootstrap


def small_cohort(n: int = 60, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2))
    t = np.round(rng.exponential(np.exp(-X @ np.array([0.8, -0.4]))), 1) + 0.1  # ties
    c = rng.exponential(2.0, n)
    return np.minimum(t, c), (t <= c).astype(int), X


def lifelines_c(df: pd.DataFrame, cph: CoxPHFitter) -> float:
    lp = df[["a", "b"]].to_numpy() @ cph.params_.to_numpy()
    return float(concordance_index(df["T"], -lp, df["E"]))


def test_matches_slow_lifelines_loop_on_same_indices() -> None:
    t, e, X = small_cohort()
    B, seed = 8, 123
    result = optimism_corrected_c(t, e, X, B=B, seed=seed, n_jobs=1)

    df = pd.DataFrame(X, columns=["a", "b"])
    df["T"], df["E"] = t, e
    fo = {"precision": 1e-12, "r_precision": 1e-15}
    full = CoxPHFitter().fit(df, "T", "E", fit_options=fo)
    apparent = lifelines_c(df, full)
    # The optimism loop draws replicate b from SeedSequence(seed).spawn(B)[b]; the rows
    # are indexed in time order (a stable sort of t), as documented.
    sorted_df = df.iloc[np.argsort(t, kind="stable")].reset_index(drop=True)
    reference = []
    for child in np.random.SeedSequence(seed).spawn(B):
        boot = sorted_df.iloc[bootstrap_indices(len(df), child)].reset_index(drop=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            cph = CoxPHFitter().fit(boot, "T", "E", fit_options=fo)
        reference.append(lifelines_c(boot, cph) - lifelines_c(df, cph))
    assert result.apparent == pytest.approx(apparent, abs=1e-12)
    np.testing.assert_allclose(result.replicate_optimism, reference, rtol=0, atol=1e-10)
    assert result.optimism == pytest.approx(np.mean(reference), abs=1e-10)
    assert result.corrected == pytest.approx(apparent - np.mean(reference), abs=1e-10)
    assert result.B == B
    assert result.seed == seed
    assert result.n_failed == 0


def test_reproducible_and_seed_dependent() -> None:
    t, e, X = small_cohort(80, seed=1)
    a = optimism_corrected_c(t, e, X, B=20, seed=7)
    b = optimism_corrected_c(t, e, X, B=20, seed=7)
    c = optimism_corrected_c(t, e, X, B=20, seed=8)
    np.testing.assert_array_equal(a.replicate_optimism, b.replicate_optimism)
    assert not np.array_equal(a.replicate_optimism, c.replicate_optimism)
    # the first replicates do not depend on B (each replicate has its own child seed)
    longer = optimism_corrected_c(t, e, X, B=25, seed=7)
    np.testing.assert_array_equal(longer.replicate_optimism[:20], a.replicate_optimism)
    assert a.optimism > 0  # fitting on the sample flatters the model on average


def test_independent_of_n_jobs() -> None:
    t, e, X = small_cohort(200, seed=2)
    serial = optimism_corrected_c(t, e, X, B=16, seed=3, n_jobs=1)
    parallel = optimism_corrected_c(t, e, X, B=16, seed=3, n_jobs=2, progress=True)
    np.testing.assert_allclose(parallel.replicate_optimism, serial.replicate_optimism, atol=1e-12)


def test_failed_replicates_are_counted_and_excluded() -> None:
    rng = np.random.default_rng(5)
    n = 30
    rare = np.zeros(n)
    rare[[2, 17]] = 1.0  # absent from about 1 in 8 bootstrap samples -> constant column
    X = np.column_stack([rng.normal(size=n), rare])
    t = rng.exponential(1.0, n)
    e = np.ones(n, dtype=int)
    with pytest.warns(ConvergenceWarning, match=r"of 40 bootstrap replicates failed"):
        res = optimism_corrected_c(t, e, X, B=40, seed=0)
    failed = np.isnan(res.replicate_optimism)
    assert res.n_failed == int(failed.sum()) > 0
    assert res.n_used == 40 - res.n_failed
    assert res.optimism == pytest.approx(np.mean(res.replicate_optimism[~failed]))


def test_generic_loop_with_a_hand_checked_statistic() -> None:
    y = np.arange(10.0) ** 2
    B, seed = 50, 11

    def mean_pair(idx: np.ndarray) -> tuple[float, float]:
        return float(np.mean(y[idx])), float(np.mean(y))

    res = bootstrap_optimism(mean_pair, apparent=float(np.mean(y)), n=10, B=B, seed=seed)
    expected = [
        np.mean(y[bootstrap_indices(10, s)]) - np.mean(y)
        for s in np.random.SeedSequence(seed).spawn(B)
    ]
    assert isinstance(res, OptimismResult)
    np.testing.assert_allclose(res.replicate_optimism, expected)
    idx = run_bootstrap(lambda i: i, 10, 3, seed=seed)
    assert all(np.all(np.diff(i) >= 0) and i.min() >= 0 and i.max() < 10 for i in idx)


def test_input_errors() -> None:
    t, e, X = small_cohort(40)
    with pytest.raises(CohortInputError, match="B"):
        optimism_corrected_c(t, e, X, B=0)
    X_bad = X.copy()
    X_bad[3, 0] = np.nan
    with pytest.raises(CohortInputError, match="row 4"):
        optimism_corrected_c(t, e, X_bad, B=5)


def test_progress_bar_goes_to_stderr_not_stdout(capsys) -> None:
    """Redirected stdout (results, summaries) gets nothing from the progress bar."""
    out = run_bootstrap(len, 12, 6, progress=True, n_jobs=1)
    assert out == [12] * 6
    assert capsys.readouterr().out == ""
