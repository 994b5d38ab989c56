"""Cox models against R survival (Rossi, the validate vignette) and statsmodels PHReg."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from lifelines.datasets import load_rossi
from scipy.optimize import brentq
from statsmodels.duration.hazard_regression import PHReg

from cohort.errors import ConvergenceWarning
from cohort.models.cox import factor_designs, fit_cox_model, group_design

# R survival 3.x, coxph(Surv(week, arrest) ~ fin + age + race + wexp + mar + paro + prio,
# data = rossi) with the default Efron ties (Fox & Weisberg, "Cox Proportional-Hazards
# Regression for Survival Data in R", appendix to An R Companion to Applied Regression).
ROSSI_R = {"fin": -0.37942, "age": -0.05744, "race": 0.31390, "wexp": -0.14980,
           "mar": -0.43370, "paro": -0.08487, "prio": 0.09150}


def test_rossi_coefficients_match_r_efron() -> None:
    rossi = load_rossi()
    cols = list(ROSSI_R)
    res = fit_cox_model(rossi[cols], rossi["week"], rossi["arrest"], ph_test=False)
    coef = res.table.set_index("term")["coef"]
    for k, v in ROSSI_R.items():
        assert coef[k] == pytest.approx(v, abs=1e-4)
    assert (res.n, res.events) == (432, 114)
    assert not res.penalized


def _tied_data(n: int = 400, seed: int = 7) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = pd.DataFrame({"a": rng.normal(size=n), "b": rng.integers(0, 2, n).astype(float)})
    lp = 0.7 * x["a"] - 0.5 * x["b"]
    t = np.ceil(rng.exponential(6 * np.exp(-lp)))  # whole months: many ties
    c = np.ceil(rng.uniform(1, 15, n))
    return x, np.minimum(t, c), (t <= c).astype(int)


def test_lifelines_matches_statsmodels_phreg_efron() -> None:
    x, t, e = _tied_data()
    res = fit_cox_model(x, t, e, ph_test=False)
    ref = PHReg(t, x.to_numpy(), status=e, ties="efron").fit()
    tab = res.table.set_index("term")
    assert tab["coef"].to_numpy() == pytest.approx(ref.params, abs=1e-5)
    assert tab["se"].to_numpy() == pytest.approx(ref.bse, rel=1e-4)
    assert res.loglik == pytest.approx(ref.llf, abs=1e-6)


# Therneau, "Validation" vignette of R survival (test1): a closed-form Cox example.
# time = (1,1,6,6,8,9), status = (1,0,1,1,0,1), x = (1,1,1,0,0,0); r = exp(beta).
# Death at 1: risk set {3 with x=1, 3 with x=0}; deaths at 6: {x=1, x=0} with the risk
# set {6,6,8,9} (x = 1,0,0,0); death at 9: risk set {x=0}. Hence
#   Breslow: LL(b) = 2b - log(3r+3) - 2 log(r+3),       U(b) = 2 - r/(r+1) - 2r/(r+3)
#            U = 0  <=>  r^2 - 3r - 6 = 0  =>  b_hat = log((3 + sqrt(33)) / 2) = 1.475285
#   Efron:   LL(b) = 2b - log(3r+3) - log(r+3) - log((r+5)/2),
#            U(b) = 2 - r/(r+1) - r/(r+3) - r/(r+5)   (U(0) = 13/12)
#            b_hat = root of U (1.676857, as in the vignette).
TEST1 = pd.DataFrame({"time": [1, 1, 6, 6, 8, 9], "status": [1, 0, 1, 1, 0, 1],
                      "x": [1.0, 1, 1, 0, 0, 0]})


def _efron_ll(b: float) -> float:
    r = np.exp(b)
    return 2 * b - np.log(3 * r + 3) - np.log(r + 3) - np.log((r + 5) / 2)


def test_validate_vignette_test1_efron_closed_form() -> None:
    b_hat = brentq(lambda b: 2 - (r := np.exp(b)) / (r + 1) - r / (r + 3) - r / (r + 5), 0, 5)
    assert b_hat == pytest.approx(1.676857, abs=1e-6)
    res = fit_cox_model(TEST1[["x"]], TEST1["time"], TEST1["status"], ph_test=False)
    assert res.table["coef"].iloc[0] == pytest.approx(b_hat, abs=1e-5)
    assert res.loglik == pytest.approx(_efron_ll(b_hat), abs=1e-8)
    # information = -d2 LL / db2 at b_hat (numerical from the closed form): se = 1/sqrt(I)
    h = 1e-4
    info = -(_efron_ll(b_hat + h) - 2 * _efron_ll(b_hat) + _efron_ll(b_hat - h)) / h**2
    assert res.table["se"].iloc[0] == pytest.approx(1 / np.sqrt(info), rel=1e-4)


def test_validate_vignette_test1_breslow_closed_form_statsmodels() -> None:
    # lifelines only does Efron; the Breslow closed form checks statsmodels, which the
    # Efron cross-check above relies on as an independent reference.
    b_hat = np.log((3 + np.sqrt(33)) / 2)
    ref = PHReg(TEST1["time"], TEST1[["x"]].to_numpy(), status=TEST1["status"],
                ties="breslow").fit()
    assert ref.params[0] == pytest.approx(b_hat, abs=1e-6)
    r = np.exp(b_hat)
    assert ref.llf == pytest.approx(2 * b_hat - np.log(3 * r + 3) - 2 * np.log(r + 3), abs=1e-8)


def test_separation_warns_and_refits_penalised() -> None:
    rng = np.random.default_rng(0)
    n = 60
    x = np.r_[np.zeros(30), np.ones(30)]
    t = rng.exponential(5, n)
    e = np.where(x == 1, 0, 1)  # nobody in group x=1 dies: infinite HR
    with pytest.warns(ConvergenceWarning, match="Refitted with a ridge penalty"):
        res = fit_cox_model(pd.DataFrame({"x": x}), t, e, label="sep")
    assert res.penalized
    hr = res.table["hr"].iloc[0]
    assert np.isfinite(hr)
    assert hr < 1
    assert any("ridge" in note for note in res.notes)


def test_constant_column_and_no_deaths_are_reported_not_crashing() -> None:
    x = pd.DataFrame({"c": np.ones(20), "z": np.random.default_rng(2).normal(size=20)})
    t = np.arange(1.0, 21.0)
    e = np.r_[np.ones(10), np.zeros(10)].astype(int)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = fit_cox_model(x, t, e)
    tab = res.table.set_index("term")
    assert np.isnan(tab.loc["c", "hr"])
    assert np.isfinite(tab.loc["z", "hr"])
    none = fit_cox_model(x[["z"]], t, np.zeros(20, dtype=int))
    assert np.isnan(none.table["hr"].iloc[0])
    assert "no deaths" in none.notes[0]


def test_ph_test_flags_crossing_hazards_only() -> None:
    rng = np.random.default_rng(11)
    n = 800
    g = rng.integers(0, 2, n)
    # group 1: early deaths or long survival (crossing curves); group 0: exponential
    t1 = np.where(rng.random(n) < 0.5, rng.exponential(1, n), rng.exponential(30, n))
    t = np.where(g == 1, t1, rng.exponential(8, n))
    c = rng.uniform(5, 40, n)
    res = fit_cox_model(pd.DataFrame({"g": g.astype(float)}), np.minimum(t, c), (t <= c) * 1)
    assert res.table["ph_p"].iloc[0] < 1e-4
    x, tt, e = _tied_data()
    ok = fit_cox_model(x, tt, e)
    assert (ok.table["ph_p"] > 0.01).all()
    fr = ok.forest()
    assert list(fr.columns) == ["term", "hr", "ci_lower", "ci_upper", "p", "n", "events"]
    assert (fr["ci_lower"] < fr["hr"]).all()
    assert (fr["hr"] < fr["ci_upper"]).all()


def test_group_design_and_factor_designs() -> None:
    d = group_design(["0-8", "9-11", None, "12-15"], ["0-8", "9-11", "12-15"])
    assert list(d.columns) == ["9-11 vs 0-8", "12-15 vs 0-8"]
    assert d.iloc[1].tolist() == [1.0, 0.0]
    assert d.iloc[2].isna().all()
    frame = pd.DataFrame({
        "age": [50.0, 60, np.nan], "kps": pd.array([80, 40, 60], dtype="Int64"),
        "frankel": ["E", "A", "D"], "visceral_mets": ["none", "removable", None],
        "cord_compression": pd.array([True, False, pd.NA], dtype="boolean"),
    })
    f = factor_designs(frame)
    assert f["age"].iloc[:, 0].tolist()[:2] == [5.0, 6.0]
    assert list(f["frankel"].columns) == ["Frankel: A-B vs E", "Frankel: C-D vs E"]
    assert np.isnan(f["visceral_mets"].iloc[2, 0])
    assert np.isnan(f["cord_compression"].iloc[2, 0])
