"""fit_cox against lifelines (Efron; ties, strata, weights), statsmodels (Breslow) and
invariances; separation and bad input.

References: lifelines 0.30 ``CoxPHFitter`` (model-based SEs, ``robust=False``), run with a
tightened Newton tolerance so the reference itself is accurate well below the tolerances
asserted here; statsmodels ``PHReg`` for Breslow ties (lifelines has Efron only).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from lifelines import CoxPHFitter
from lifelines.exceptions import ConvergenceWarning as LifelinesConvergenceWarning
from lifelines.exceptions import StatisticalWarning

from cohort.errors import CohortInputError, ConvergenceWarning
from cohort.models import CoxFit, fit_cox

COEF_TOL = 1e-6  # absolute, coefficients
SE_RTOL = 1e-5  # relative, standard errors
TIGHT = {"precision": 1e-12, "r_precision": 1e-15}  # lifelines' own Newton tolerances


def make_data(n: int, p: int, seed: int, ties: bool) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p))
    if p >= 2:
        X[:, -1] = rng.integers(0, 2, n)
    lp = X @ np.linspace(0.6, -0.4, p)
    t = rng.exponential(np.exp(-lp))
    c = rng.exponential(1.5, size=n)
    if ties:
        t, c = np.ceil(t * 4), np.ceil(c * 4)
    df = pd.DataFrame(X, columns=[f"x{j}" for j in range(p)])
    df["T"] = np.minimum(t, c)
    df["E"] = (t <= c).astype(int)
    df["W"] = rng.uniform(0.5, 2.0, n)
    df["S"] = rng.integers(0, 3, n)
    return df


def lifelines_fit(df: pd.DataFrame, cols: list[str], **kw: object) -> CoxPHFitter:
    with warnings.catch_warnings():
        # non-integer weights: lifelines advises robust=True; we match its default SEs
        warnings.simplefilter("ignore", StatisticalWarning)
        return CoxPHFitter().fit(df[cols], "T", "E", fit_options=TIGHT, **kw)


def assert_matches(fit: CoxFit, ref: CoxPHFitter) -> None:
    np.testing.assert_allclose(fit.coef, ref.params_.to_numpy(), rtol=0, atol=COEF_TOL)
    np.testing.assert_allclose(fit.se, ref.standard_errors_.to_numpy(), rtol=SE_RTOL)
    assert fit.loglik == pytest.approx(ref.log_likelihood_, abs=1e-6)
    assert fit.loglik_null == pytest.approx(ref._ll_null_, abs=1e-6)
    assert fit.converged
    assert fit.names == tuple(ref.params_.index)


@pytest.mark.parametrize("engine", ["numba", "numpy"])
@pytest.mark.parametrize("ties", [False, True], ids=["distinct-times", "tied-times"])
@pytest.mark.parametrize("variant", ["plain", "weights", "strata", "strata+weights"])
def test_efron_matches_lifelines(ties: bool, variant: str, engine: str) -> None:
    df = make_data(400, 3, seed=11 if ties else 12, ties=ties)
    covs = ["x0", "x1", "x2"]
    if ties:
        assert df.loc[df.E == 1, "T"].duplicated().sum() > 50  # the data really has ties
    kw_ref: dict[str, object] = {}
    kw_ours: dict[str, object] = {"engine": engine}
    cols = [*covs, "T", "E"]
    if "weights" in variant:
        cols.append("W")
        kw_ref["weights_col"] = "W"
        kw_ours["weights"] = df["W"]
    if "strata" in variant:
        cols.append("S")
        kw_ref["strata"] = ["S"]
        kw_ours["strata"] = df["S"]
    ref = lifelines_fit(df, cols, **kw_ref)
    fit = fit_cox(df["T"], df["E"], df[covs], **kw_ours)
    assert_matches(fit, ref)
    assert fit.n == len(df)
    assert fit.events == int(df["E"].sum())
    assert fit.n_strata == (3 if "strata" in variant else 1)


def test_two_strata_columns_match_lifelines() -> None:
    df = make_data(300, 2, seed=5, ties=True)
    df["S2"] = np.arange(len(df)) % 2
    ref = lifelines_fit(df, ["x0", "x1", "T", "E", "S", "S2"], strata=["S", "S2"])
    fit = fit_cox(df["T"], df["E"], df[["x0", "x1"]], strata=df[["S", "S2"]])
    assert_matches(fit, ref)
    assert fit.n_strata == 6


@pytest.mark.parametrize("engine", ["numba", "numpy"])
@pytest.mark.parametrize("with_strata", [False, True])
def test_breslow_matches_statsmodels(with_strata: bool, engine: str) -> None:
    df = make_data(300, 3, seed=3, ties=True)
    X = df[["x0", "x1", "x2"]].to_numpy()
    strata = df["S"].to_numpy() if with_strata else None
    ref = sm.PHReg(df["T"], X, status=df["E"], ties="breslow", strata=strata).fit()
    fit = fit_cox(df["T"], df["E"], X, ties="breslow", strata=strata, engine=engine)
    np.testing.assert_allclose(fit.coef, ref.params, rtol=0, atol=COEF_TOL)
    np.testing.assert_allclose(fit.se, ref.bse, rtol=SE_RTOL)
    assert fit.loglik == pytest.approx(ref.llf, abs=1e-6)
    # and Efron differs from Breslow on tied data (the tie handling is really used)
    efron = fit_cox(df["T"], df["E"], X, strata=strata, engine=engine)
    assert np.max(np.abs(efron.coef - fit.coef)) > 1e-3


def test_efron_equals_breslow_without_ties() -> None:
    df = make_data(200, 2, seed=8, ties=False)
    a = fit_cox(df["T"], df["E"], df[["x0", "x1"]], ties="efron")
    b = fit_cox(df["T"], df["E"], df[["x0", "x1"]], ties="breslow")
    np.testing.assert_allclose(a.coef, b.coef, atol=1e-12)
    assert a.loglik == pytest.approx(b.loglik, abs=1e-9)


def efron_loglik_by_hand(beta: float) -> float:
    # t = 1, 1, 2, 3, 3; event = 1, 1, 0, 1, 0; x = 1, 0, 0, 1, 0.
    # t=1: deaths of subjects 1 (x=1) and 2 (x=0), risk set all five:
    #      S0 = 2 e^b + 3, tied deaths D0 = e^b + 1, Efron terms S0 and S0 - D0/2.
    # t=3: death of subject 4 (x=1), risk set {4, 5}: S0 = e^b + 1.
    eb = np.exp(beta)
    return float(
        2 * beta - np.log(2 * eb + 3) - np.log(2 * eb + 3 - (eb + 1) / 2) - np.log(eb + 1)
    )


def test_hand_worked_efron_likelihood() -> None:
    t = [1.0, 1.0, 2.0, 3.0, 3.0]
    e = [1, 1, 0, 1, 0]
    x = [1.0, 0.0, 0.0, 1.0, 0.0]
    fit = fit_cox(t, e, x)
    b = float(fit.coef[0])
    assert fit.loglik == pytest.approx(efron_loglik_by_hand(b), abs=1e-12)
    assert fit.loglik_null == pytest.approx(efron_loglik_by_hand(0.0), abs=1e-12)
    h = 1e-5
    score = (efron_loglik_by_hand(b + h) - efron_loglik_by_hand(b - h)) / (2 * h)
    second = (
        efron_loglik_by_hand(b + h) - 2 * efron_loglik_by_hand(b) + efron_loglik_by_hand(b - h)
    ) / h**2
    assert score == pytest.approx(0, abs=1e-6)
    assert fit.se[0] == pytest.approx(1 / np.sqrt(-second), rel=1e-4)


def test_invariances() -> None:
    df = make_data(250, 3, seed=21, ties=True)
    X = df[["x0", "x1", "x2"]].to_numpy()
    base = fit_cox(df["T"], df["E"], X)
    perm = np.random.default_rng(0).permutation(len(df))
    shuffled = fit_cox(df["T"].to_numpy()[perm], df["E"].to_numpy()[perm], X[perm])
    np.testing.assert_allclose(shuffled.coef, base.coef, atol=1e-10)
    scaled = fit_cox(df["T"], df["E"], X * np.array([2.0, 1.0, 1.0]) + 5.0)
    np.testing.assert_allclose(scaled.coef, base.coef / np.array([2.0, 1.0, 1.0]), atol=1e-9)
    np.testing.assert_allclose(scaled.se, base.se / np.array([2.0, 1.0, 1.0]), rtol=1e-8)
    # integer weights = replicated rows when there are no tied times (Breslow always)
    w = np.random.default_rng(1).integers(1, 4, len(df))
    rep = np.repeat(np.arange(len(df)), w)
    weighted = fit_cox(df["T"], df["E"], X, ties="breslow", weights=w)
    replicated = fit_cox(df["T"].to_numpy()[rep], df["E"].to_numpy()[rep], X[rep], ties="breslow")
    np.testing.assert_allclose(weighted.coef, replicated.coef, atol=1e-9)
    np.testing.assert_allclose(weighted.se, replicated.se, rtol=1e-8)


def test_memory_layouts_and_presorted_rows_agree() -> None:
    # the compiled copy walks X by subject (C order) or by covariate (F order, as from
    # most DataFrames) and skips the permutation for rows already in time order
    df = make_data(300, 3, seed=23, ties=True)
    X = df[["x0", "x1", "x2"]].to_numpy()
    ref = fit_cox(df["T"], df["E"], X, engine="numpy")
    wide = np.zeros((300, 7))
    wide[:, ::2][:, :3] = X  # a strided view: neither C- nor F-contiguous
    order = np.argsort(df["T"].to_numpy(), kind="stable")
    variants = {
        "C": (df["T"], df["E"], np.ascontiguousarray(X)),
        "F": (df["T"], df["E"], np.asfortranarray(X)),
        "strided": (df["T"], df["E"], wide[:, ::2][:, :3]),
        "frame": (df["T"], df["E"], df[["x0", "x1", "x2"]]),
        "presorted": (df["T"].to_numpy()[order], df["E"].to_numpy()[order], X[order]),
    }
    for name, (t, e, x) in variants.items():
        fit = fit_cox(t, e, x)
        np.testing.assert_allclose(fit.coef, ref.coef, rtol=0, atol=1e-10, err_msg=name)
        np.testing.assert_allclose(fit.se, ref.se, rtol=1e-9, err_msg=name)
        assert fit.loglik == pytest.approx(ref.loglik, rel=1e-12), name


def test_inputs_are_not_modified() -> None:
    df = make_data(150, 3, seed=13, ties=True)
    before = df.copy(deep=True)
    X = df[["x0", "x1", "x2"]].to_numpy()
    X_before = X.copy()
    fit_cox(df["T"], df["E"], df[["x0", "x1", "x2"]], weights=df["W"], strata=df["S"])
    fit_cox(df["T"].to_numpy(), df["E"].to_numpy(), X)
    pd.testing.assert_frame_equal(df, before)
    np.testing.assert_array_equal(X, X_before)


def test_result_fields_and_summary() -> None:
    df = make_data(200, 2, seed=2, ties=False)
    fit = fit_cox(df["T"], df["E"], df[["x0", "x1"]])
    ref = lifelines_fit(df, ["x0", "x1", "T", "E"])
    summary = fit.summary()
    assert list(summary.index) == ["x0", "x1"]
    np.testing.assert_allclose(summary["p"], ref.summary["p"], rtol=1e-4)
    np.testing.assert_allclose(summary["hr"], np.exp(ref.params_), rtol=1e-6)
    np.testing.assert_allclose(fit.linear_predictor(df[["x0", "x1"]]), df[["x0", "x1"]] @ fit.coef)
    lr_ref = ref.log_likelihood_ratio_test().test_statistic
    assert fit.lr_statistic == pytest.approx(lr_ref, rel=1e-6)
    np.testing.assert_allclose(fit.gradient, 0, atol=1e-6)
    with pytest.raises(ValueError, match="read-only"):
        fit.coef[0] = 1.0


def separated_data() -> pd.DataFrame:
    # x = 1 subjects all die before any x = 0 subject: quasi-complete separation
    rng = np.random.default_rng(4)
    n = 80
    x = np.repeat([1.0, 0.0], n // 2)
    t = np.concatenate([rng.uniform(0, 1, n // 2), rng.uniform(2, 3, n // 2)])
    e = rng.integers(0, 2, n)
    e[0] = 1
    return pd.DataFrame({"x": x, "z": rng.normal(size=n), "T": t, "E": e})


def test_separation_warns_like_lifelines() -> None:
    df = separated_data()
    with pytest.warns(LifelinesConvergenceWarning):
        CoxPHFitter().fit(df, "T", "E")
    with pytest.warns(ConvergenceWarning, match=r"\['x'\].*infinite.*separation"):
        fit = fit_cox(df["T"], df["E"], df[["x", "z"]])
    assert not fit.converged
    assert "separation" in fit.message
    assert fit.coef[0] > 10  # drifting to +infinity, not silently "converged"
    # warn=False keeps the flag and message without the warning
    quiet = fit_cox(df["T"], df["E"], df[["x", "z"]], warn=False)
    assert not quiet.converged
    assert quiet.message


def sparse_indicator_data(seed: int) -> pd.DataFrame:
    # 3 normal covariates and 7 indicators of a rare category (as one-hot encoded
    # primary-tumour sites): with seed 36 the log-likelihood settles (relative change
    # < 1e-10) one Newton step before the step falls below 1e-9, which fit_cox used to
    # report as "log-likelihood converged while the Newton steps stayed large"
    rng = np.random.default_rng(seed)
    n, k = 300, 8
    site = rng.choice(k, size=n, p=np.r_[0.5, np.full(k - 1, 0.5 / (k - 1))])
    X = np.column_stack([rng.normal(size=(n, 3))] + [site == j for j in range(1, k)])
    X = X.astype(float)
    t = rng.exponential(np.exp(-X @ rng.normal(0, 0.5, X.shape[1])))
    c = rng.exponential(3.0, n)
    df = pd.DataFrame(X, columns=[f"x{j}" for j in range(X.shape[1])])
    df["T"], df["E"] = np.minimum(t, c), (t <= c).astype(int)
    return df


@pytest.mark.parametrize("engine", ["numba", "numpy"])
def test_fit_at_the_optimum_is_converged(engine: str) -> None:
    df = sparse_indicator_data(36)
    ref = lifelines_fit(df, list(df.columns))
    fit = fit_cox(df["T"], df["E"], df.drop(columns=["T", "E"]), engine=engine)
    assert fit.converged, fit.message
    assert fit.message == ""
    assert_matches(fit, ref)


def test_tolerance_below_rounding_still_converges() -> None:
    # steps cannot fall below ~1e-16 in double precision: with an unreachable tol the
    # fit ends when the log-likelihood is flat and the steps are tiny, and is converged
    df = make_data(400, 3, seed=2, ties=True)
    ref = lifelines_fit(df, ["x0", "x1", "x2", "T", "E"])
    fit = fit_cox(df["T"], df["E"], df[["x0", "x1", "x2"]], tol=1e-30)
    assert fit.converged, fit.message
    assert_matches(fit, ref)


def test_complete_ordering_is_flagged_not_crashed() -> None:
    rng = np.random.default_rng(9)
    x = rng.normal(size=60)
    t = np.argsort(np.argsort(-x)).astype(float) + 1.0  # higher x dies strictly first
    with pytest.warns(ConvergenceWarning, match="infinite"):
        fit = fit_cox(t, np.ones(60), x)
    assert not fit.converged


@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(30, 80),
    p=st.integers(1, 3),
    tie_scale=st.sampled_from([0, 2, 5]),
)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_property_matches_lifelines(seed: int, n: int, p: int, tie_scale: int) -> None:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p))
    t = rng.exponential(np.exp(-X @ np.full(p, 0.5)))
    c = rng.exponential(2.0, size=n)
    if tie_scale:
        t, c = np.ceil(t * tie_scale), np.ceil(c * tie_scale)
    df = pd.DataFrame(X, columns=[f"x{j}" for j in range(p)])
    df["T"], df["E"] = np.minimum(t, c), (t <= c).astype(int)
    assume(df["E"].sum() >= 8)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # skip examples lifelines itself is unhappy with
        try:
            ref = CoxPHFitter().fit(df, "T", "E", fit_options=TIGHT)
        except Exception:  # any lifelines complaint disqualifies the example
            assume(False)
            raise
    fit = fit_cox(df["T"], df["E"], df.drop(columns=["T", "E"]))
    assert_matches(fit, ref)  # includes converged: lifelines converged, so must we


def test_engines_agree_with_weights_strata_and_ties() -> None:
    # two independent implementations of the same likelihood: the numba single pass and
    # the vectorised NumPy evaluation (cumulative sums + X' diag(v) X)
    df = make_data(3000, 4, seed=31, ties=True)
    X = df[["x0", "x1", "x2", "x3"]]
    for ties in ("efron", "breslow"):
        a = fit_cox(df["T"], df["E"], X, ties=ties, weights=df["W"], strata=df["S"])
        b = fit_cox(
            df["T"], df["E"], X, ties=ties, weights=df["W"], strata=df["S"], engine="numpy"
        )
        np.testing.assert_allclose(a.coef, b.coef, rtol=0, atol=1e-10)
        np.testing.assert_allclose(a.cov, b.cov, rtol=1e-9)
        assert a.loglik == pytest.approx(b.loglik, rel=1e-12)


def test_bad_input_messages() -> None:
    df = make_data(20, 2, seed=1, ties=False)
    X = df[["x0", "x1"]].copy()
    X.loc[[3, 7], "x1"] = np.nan
    with pytest.raises(CohortInputError, match=r"'x1'.*2 rows \(rows 4, 8\)"):
        fit_cox(df["T"], df["E"], X)
    bad_e = df["E"].to_numpy().copy()
    bad_e[5] = 2
    with pytest.raises(CohortInputError, match=r"event must be 0.*row 6"):
        fit_cox(df["T"], bad_e, df[["x0"]])
    with pytest.raises(CohortInputError, match="constant"):
        fit_cox(df["T"], df["E"], np.column_stack([df["x0"], np.ones(20)]))
    with pytest.raises(CohortInputError, match="No deaths"):
        fit_cox(df["T"], np.zeros(20), df[["x0"]])
    with pytest.raises(CohortInputError, match="weights must be positive"):
        fit_cox(df["T"], df["E"], df[["x0"]], weights=np.r_[0.0, np.ones(19)])
    with pytest.raises(CohortInputError, match="time has 20"):
        fit_cox(df["T"], df["E"][:10], df[["x0"]])
    with pytest.raises(CohortInputError, match="ties"):
        fit_cox(df["T"], df["E"], df[["x0"]], ties="exact")  # type: ignore[arg-type]
    with pytest.raises(CohortInputError, match="engine"):
        fit_cox(df["T"], df["E"], df[["x0"]], engine="cuda")  # type: ignore[arg-type]
    strata = df["S"].astype(float).to_numpy()
    strata[2] = np.nan
    with pytest.raises(CohortInputError, match=r"strata has missing.*row 3"):
        fit_cox(df["T"], df["E"], df[["x0"]], strata=strata)


def test_collinear_columns_warn_and_give_nan_se() -> None:
    df = make_data(100, 2, seed=6, ties=False)
    X = np.column_stack([df["x0"], df["x1"], df["x0"] + df["x1"]])
    with pytest.warns(ConvergenceWarning, match="singular"):
        fit = fit_cox(df["T"], df["E"], X)
    assert not fit.converged
    assert np.isnan(fit.se).all()


def test_large_n_runs() -> None:
    df = make_data(20_000, 4, seed=1, ties=True)
    fit = fit_cox(df["T"], df["E"], df[["x0", "x1", "x2", "x3"]])
    assert fit.converged
    np.testing.assert_allclose(fit.coef, np.linspace(0.6, -0.4, 4), atol=0.1)
