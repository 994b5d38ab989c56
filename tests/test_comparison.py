"""Paired bootstrap difference in Harrell's C."""

from __future__ import annotations

import numpy as np
import pytest
from lifelines.utils import concordance_index

from cohort.validation.comparison import paired_c_difference


def _data(n: int = 300, seed: int = 6):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    t = rng.exponential(8 * np.exp(-1.0 * x))
    c = rng.uniform(1, 30, n)
    return np.minimum(t, c), (t <= c).astype(int), x, rng.normal(size=n)


def test_strong_vs_noise_difference_excludes_zero() -> None:
    t, e, x, noise = _data()
    a = np.round(x * 2)
    res = paired_c_difference(t, e, a, noise, B=40, seed=2)
    assert res.c_a == pytest.approx(concordance_index(t, -a, e))
    assert res.c_b == pytest.approx(concordance_index(t, -noise, e))
    assert res.difference == pytest.approx(res.c_a - res.c_b)
    assert 0 < res.ci_lower < res.difference < res.ci_upper
    assert res.p == pytest.approx(1 / 40)


def test_identical_scores_and_missing_values() -> None:
    t, e, x, _ = _data()
    b = x.copy()
    b[:10] = np.nan
    res = paired_c_difference(t, e, x, b, B=20, seed=0)
    assert res.n == len(t) - 10
    assert (res.difference, res.ci_lower, res.ci_upper) == (0.0, 0.0, 0.0)
    assert res.p == 1.0
