"""Calibration table, slope, ICI and bootstrap optimism."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from lifelines import CoxPHFitter, KaplanMeierFitter

from cohort.validation.brier import fit_survival_model
from cohort.validation.calibration import (
    CALIBRATION_COLUMNS,
    bootstrap_optimism,
    calibration_summary,
    calibration_table,
    rcs_basis,
)
from cohort.validation.optimism import optimism_corrected_c


def _data(n: int = 600, seed: int = 2) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 12, n).astype(float)
    t = rng.weibull(1.2, n) * 10 * np.exp(-0.15 * x)
    c = rng.uniform(2, 40, n)
    return np.minimum(t, c), (t <= c).astype(int), x


def test_calibration_table_observed_is_group_km() -> None:
    t, e, x = _data()
    pred = fit_survival_model(t, e, x).survival(x, [6.0])[:, 0]
    tab = calibration_table(t, e, pred, 6.0, n_groups=4)
    assert list(tab.columns) == CALIBRATION_COLUMNS
    assert tab["n"].sum() == len(t)
    assert len(tab) == 4
    # reconstruct the quantile groups and check the observed column with lifelines
    codes = pd.qcut(pred, 4, labels=False, duplicates="drop")
    for k, row in zip(sorted(set(codes)), tab.itertuples(), strict=True):
        m = codes == k
        kmf = KaplanMeierFitter().fit(t[m], e[m])
        assert row.observed == pytest.approx(float(kmf.survival_function_at_times(6.0).iloc[0]))
        assert row.predicted == pytest.approx(pred[m].mean())
        assert row.observed_lower <= row.observed <= row.observed_upper


def test_calibration_table_few_distinct_predictions_one_group_each() -> None:
    t, e, x = _data()
    xs = np.minimum(x // 4, 2)  # three values
    pred = fit_survival_model(t, e, xs).survival(xs, [6.0])[:, 0]
    tab = calibration_table(t, e, pred, 6.0, n_groups=5)
    assert len(tab) == 3
    assert sorted(tab["n"]) == sorted(np.unique(xs, return_counts=True)[1])


def test_rcs_basis_hand_value_and_linear_tail() -> None:
    # knots 0, 1, 2 at x = 3: (27 - 8 * 2 / 1 + 1 * 1 / 1) / 2^2 = 3
    b = rcs_basis(np.array([3.0, 4.0, 5.0, 6.0]), [0, 1, 2])
    assert b[0, 1] == pytest.approx(3.0)
    d = np.diff(b[:, 1])
    assert d == pytest.approx(np.full(3, d[0]))  # linear beyond the last knot


def test_slope_and_ici_well_calibrated_vs_miscalibrated() -> None:
    t, e, x = _data(n=1500)
    pred = fit_survival_model(t, e, x).survival(x, [6.0])[:, 0]
    good = calibration_summary(t, e, pred, 6.0)
    assert good.slope == pytest.approx(1.0, abs=0.15)
    assert good.ici < 0.03
    bad = calibration_summary(t, e, pred**2, 6.0)  # predicted survival far too low
    assert bad.ici > good.ici + 0.05
    assert bad.e90 >= bad.e50


def test_ici_matches_lifelines_spline_calibration_model() -> None:
    rng = np.random.default_rng(4)
    n = 500
    x = rng.normal(size=n)
    t = rng.exponential(8 * np.exp(-0.7 * x))
    c = rng.uniform(2, 30, n)
    t, e = np.minimum(t, c), (t <= c).astype(int)
    pred = fit_survival_model(t, e, x).survival(x, [6.0])[:, 0]
    res = calibration_summary(t, e, pred, 6.0)
    assert res.method == "rcs3"
    cll = np.log(-np.log(pred))
    basis = rcs_basis(cll, np.quantile(cll, [0.1, 0.5, 0.9]))
    df = pd.DataFrame({"a": basis[:, 0], "b": basis[:, 1], "T": np.minimum(t, 6.0),
                       "E": ((e == 1) & (t <= 6.0)).astype(int)})
    cph = CoxPHFitter().fit(df, "T", "E")
    obs = 1 - cph.predict_survival_function(df[["a", "b"]], times=[6.0]).to_numpy()[0]
    assert res.ici == pytest.approx(np.mean(np.abs((1 - pred) - obs)), abs=1e-5)


def test_bootstrap_optimism_small_for_one_term_large_for_many() -> None:
    rng = np.random.default_rng(0)
    n = 400
    x = rng.normal(size=n)
    t = rng.exponential(8 * np.exp(-0.8 * x))
    c = rng.uniform(2, 30, n)
    t, e = np.minimum(t, c), (t <= c).astype(int)
    one = bootstrap_optimism(t, e, x, B=25, seed=1)
    assert abs(one.c_optimism) < 0.01
    assert one.slope_corrected == pytest.approx(1.0, abs=0.1)
    noise = np.column_stack([x[:120], rng.normal(size=(120, 14))])
    many = bootstrap_optimism(t[:120], e[:120], noise, B=25, seed=1)
    assert many.c_optimism > 0.03
    assert many.slope_corrected < 0.9
    assert many.c_corrected == pytest.approx(many.c_apparent - many.c_optimism)
    again = bootstrap_optimism(t[:120], e[:120], noise, B=25, seed=1)
    assert again == many


def test_bootstrap_c_part_equals_fast_path_optimism_corrected_c() -> None:
    # same replicates (SeedSequence children) -> the same C optimism as the reference loop
    rng = np.random.default_rng(3)
    n = 200
    x = rng.normal(size=(n, 3))
    t = rng.exponential(8 * np.exp(-0.5 * x[:, 0]))
    c = rng.uniform(2, 30, n)
    t, e = np.minimum(t, c), (t <= c).astype(int)
    ours = bootstrap_optimism(t, e, x, B=15, seed=7)
    ref = optimism_corrected_c(t, e, x, B=15, seed=7)
    assert ours.c_apparent == pytest.approx(ref.apparent, abs=1e-12)
    assert ours.c_optimism == pytest.approx(ref.optimism, abs=1e-12)


def test_slope_one_for_the_true_model_half_for_doubled_lp_matching_lifelines() -> None:
    """True-model survival gives slope ~1 and a small ICI; lp * 2 gives slope ~0.5.

    The doubled predictor drives some predicted survival below 1e-12; those values must
    enter log(-log S) unchanged, so slope and ICI equal lifelines' Cox fits on the
    untouched complementary log-log (the slope to 1e-5, the ICI to 1e-5).
    """
    rng = np.random.default_rng(11)
    n, lam, beta, h = 800, 0.08, 0.7, 12.0
    x = rng.normal(size=n)
    death = rng.exponential(1 / (lam * np.exp(beta * x)))
    cens = rng.uniform(0, 36, n)
    t, e = np.minimum(death, cens), (death <= cens).astype(int)
    true = calibration_summary(t, e, np.exp(-lam * h * np.exp(beta * x)), h)
    assert true.slope == pytest.approx(1.0, abs=0.15)
    assert true.ici < 0.02
    doubled = np.exp(-lam * h * np.exp(2 * beta * x))
    assert (doubled < 1e-12).any()
    res = calibration_summary(t, e, doubled, h)
    assert res.slope == pytest.approx(0.5, abs=0.075)
    cll = np.log(-np.log(doubled))
    df = pd.DataFrame({"cll": cll, "T": np.minimum(t, h), "E": ((e == 1) & (t <= h)).astype(int)})
    assert res.slope == pytest.approx(CoxPHFitter().fit(df, "T", "E").params_["cll"], abs=1e-5)
    basis = rcs_basis(cll, np.quantile(cll, [0.1, 0.5, 0.9]))
    df2 = df.assign(a=basis[:, 0], b=basis[:, 1])[["a", "b", "T", "E"]]
    cph = CoxPHFitter().fit(df2, "T", "E")
    obs = 1 - cph.predict_survival_function(df2[["a", "b"]], times=[h]).to_numpy()[0]
    assert res.ici == pytest.approx(np.mean(np.abs((1 - doubled) - obs)), abs=1e-5)
