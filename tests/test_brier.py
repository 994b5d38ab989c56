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
