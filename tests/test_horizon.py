"""Fixed-horizon logistic models: outcome coding by hand, estimates against scikit-learn."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

from cohort.models.horizon import horizon_logistic, horizon_outcome


def test_horizon_outcome_hand_coded() -> None:
    t = [2, 6, 6, 8, 3, 12]
    e = [1, 1, 0, 1, 0, 0]
    # died by 6 -> 1; died at 6 -> 1; censored at 6 -> alive at 6 -> 0; died at 8 -> 0;
    # censored at 3 -> unknown; censored at 12 -> 0
    y = horizon_outcome(t, e, 6)
    assert y[[0, 1, 2, 3, 5]].tolist() == [1, 1, 0, 0, 0]
    assert np.isnan(y[4])


def test_logistic_matches_sklearn_and_counts_exclusions() -> None:
    rng = np.random.default_rng(4)
    n = 500
    x = rng.normal(size=n)
    t = rng.exponential(8 * np.exp(-0.6 * x))
    c = rng.uniform(0, 24, n)
    time, event = np.minimum(t, c), (t <= c).astype(int)
    cov = pd.DataFrame({"score": x})
    cov.loc[:9, "score"] = np.nan
    res = horizon_logistic(cov, time, event, 6.0)
    y = horizon_outcome(time, event, 6.0)
    known = ~np.isnan(y)
    use = known & cov["score"].notna().to_numpy()
    assert res.n_excluded_censored == int((~known).sum()) > 0
    assert res.n_excluded_missing == int((known[:10]).sum())
    assert res.n + res.n_excluded_censored + res.n_excluded_missing == n
    ref = LogisticRegression(C=np.inf, tol=1e-10, max_iter=1000)
    ref.fit(x[use, None], y[use])
    assert np.log(res.table["odds_ratio"].iloc[0]) == pytest.approx(ref.coef_[0, 0], abs=1e-5)
    assert res.table["ci_lower"].iloc[0] < res.table["odds_ratio"].iloc[0]
    assert res.deaths == int(y[use].sum())


def test_no_deaths_is_not_estimable() -> None:
    res = horizon_logistic(pd.DataFrame({"s": [1.0, 2, 3]}), [10, 11, 12], [0, 0, 0], 6)
    assert not res.converged
    assert np.isnan(res.table["odds_ratio"].iloc[0])


def test_score_constant_among_known_status_is_not_estimable_not_a_crash() -> None:
    """Score 2 only in patients censored before 6 months: among those with known status
    the score is constant, so the odds ratio is not identified (statsmodels: singular)."""
    t = [1, 2, 3, 8, 9, 10, 2, 3, 4, 1]
    e = [1, 1, 1, 0, 0, 0, 0, 0, 0, 1]
    cov = pd.DataFrame({"s": [1.0, 1, 1, 1, 1, 1, 2, 2, 2, 1]})
    res = horizon_logistic(cov, t, e, 6.0)
    assert not res.converged
    assert res.n == 7
    assert res.n_excluded_censored == 3
    assert np.isnan(res.table["odds_ratio"].iloc[0])
    assert "constant" in res.note
