"""Cox-predicted survival, Brier score and IBS against lifelines and Graf's formula."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from lifelines import CoxPHFitter

from cohort.validation.brier import brier_at, fit_survival_model, ibs_grid, integrated_brier


def _data(n: int = 200, seed: int = 5) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 8, n).astype(float)
    t = rng.exponential(8 * np.exp(-0.25 * x))
    c = rng.uniform(1, 30, n)
    return np.minimum(t, c), (t <= c).astype(int), x


def _censoring_km(t, e):
    ct = np.sort(np.unique(t[e == 0]))
    surv, g = [], 1.0
    for s in ct:
        g *= 1 - ((t == s) & (e == 0)).sum() / (t >= s).sum()
        surv.append(g)
    return lambda s: 1.0 if (k := np.searchsorted(ct, s, side="right")) == 0 else surv[k - 1]


def _graf_brier(t, e, pred, s):
    """Graf et al. 1999: mean of S^2 1{T<=s, d=1}/G(T) + (1-S)^2 1{T>s}/G(s)."""
    G = _censoring_km(t, e)
    terms = [
        (p**2 / G(ti) if (ti <= s and ei == 1) else 0.0) + ((1 - p) ** 2 / G(s) if ti > s else 0.0)
        for ti, ei, p in zip(t, e, pred, strict=True)
    ]
    return float(np.mean(terms))


def test_survival_prediction_matches_lifelines_breslow_baseline() -> None:
    t, e, x = _data()
    t = np.ceil(t)  # ties, Efron
    model = fit_survival_model(t, e, x)
    cph = CoxPHFitter().fit(pd.DataFrame({"x": x, "T": t, "E": e}), "T", "E")
    assert model.coef[0] == pytest.approx(cph.params_["x"], abs=1e-6)
    ref = cph.predict_survival_function(pd.DataFrame({"x": [0.0, 3.0, 7.0]}), times=[2, 6, 12])
    ours = model.survival(np.array([0.0, 3.0, 7.0]), [2, 6, 12])
    assert ours == pytest.approx(ref.to_numpy().T, abs=1e-6)


def test_brier_matches_graf_formula_and_out_of_range_is_nan() -> None:
    t, e, x = _data()
    model = fit_survival_model(t, e, x)
    pred = model.survival(x, [3, 6, 12, 500])
    bs = brier_at(t, e, pred, [3, 6, 12, 500])
    for k, h in enumerate([3, 6, 12]):
        assert bs[float(h)] == pytest.approx(_graf_brier(t, e, pred[:, k], h), abs=1e-10)
    assert np.isnan(bs[500.0])


def test_integrated_brier_is_trapezoid_of_graf_brier() -> None:
    t, e, x = _data(n=120, seed=9)
    model = fit_survival_model(t, e, x)
    ibs = integrated_brier(t, e, model, x, tau=12)
    grid = ibs_grid(t, 12)
    assert grid.max() <= 12
    pred = model.survival(x, grid)
    bs = np.array([_graf_brier(t, e, pred[:, k], s) for k, s in enumerate(grid)])
    ref = np.trapezoid(bs, grid) / (grid[-1] - grid[0])
    assert ibs == pytest.approx(ref, abs=1e-10)


def test_integrated_brier_in_blocks_equals_scikit_survival() -> None:
    from sksurv.metrics import integrated_brier_score
    from sksurv.util import Surv

    t, e, x = _data(n=300, seed=3)
    model = fit_survival_model(t, e, x)
    grid = ibs_grid(t, 12)
    y = Surv.from_arrays(e.astype(bool), t)
    ref = integrated_brier_score(y, y, model.survival(x, grid), grid)
    # blocks of 7 grid times (300 patients x 7 = 2,100 floats a block)
    ours = integrated_brier(t, e, model, x, tau=12, block_floats=2100)
    assert len(grid) > 7
    assert ours == pytest.approx(ref, abs=1e-12)


def test_capped_grid_keeps_ends_and_barely_moves_the_ibs() -> None:
    # A large cohort has ~n distinct times; the grid is capped so that the cost is
    # O(n * cap), not O(n^2). With 3,000 patients (about 1,300 distinct times below 12)
    # a cap of 150 points changes the IBS by less than 1e-3, far below its sampling SE
    # (about 5e-3 here).
    t, e, x = _data(n=3000, seed=11)
    model = fit_survival_model(t, e, x)
    full = ibs_grid(t, 12, max_points=10**9)
    capped = ibs_grid(t, 12, max_points=150)
    assert len(full) > 1000
    assert len(capped) == 150
    assert capped[0] == full[0]
    assert capped[-1] == full[-1]
    assert set(capped) <= set(full)
    a = integrated_brier(t, e, model, x, tau=12, max_points=10**9)
    b = integrated_brier(t, e, model, x, tau=12, max_points=150)
    assert abs(a - b) < 1e-3


def test_prediction_is_shift_invariant_even_for_extreme_linear_predictors() -> None:
    # A Cox model does not change when a covariate is shifted; with x - 4000 (b about 0.25) the
    # uncentred baseline would need exp(1000), which overflows. The baseline is kept
    # for the centred linear predictor, so both give the same survival, warning-free.
    t, e, x = _data(n=150, seed=2)
    a = fit_survival_model(t, e, x)
    b = fit_survival_model(t, e, x - 4000.0)
    assert b.coef[0] > 0.2  # so the uncentred baseline would be about exp(1000)
    assert b.survival(x - 4000.0, [2, 6, 12]) == pytest.approx(
        a.survival(x, [2, 6, 12]), rel=1e-9, abs=1e-12)
