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


def test_interval_equals_lifelines_on_the_same_paired_resamples() -> None:
    """Independent recomputation: the same patient draws (numpy Generator, seed) for
    both scores, each C by lifelines; percentile interval and p must agree exactly."""
    t, e, x, noise = _data(n=120, seed=8)
    t = np.round(t)  # tied times
    a, b = np.round(x + 0.5 * noise), np.round(x + 1.5 * noise)  # tied risks
    res = paired_c_difference(t, e, a, b, B=150, seed=5)
    rng = np.random.default_rng(5)
    reps = []
    for _ in range(150):
        idx = rng.integers(0, len(t), len(t))
        reps.append(concordance_index(t[idx], -a[idx], e[idx])
                    - concordance_index(t[idx], -b[idx], e[idx]))
    d = np.asarray(reps)
    assert [res.ci_lower, res.ci_upper] == pytest.approx(np.quantile(d, [0.025, 0.975]),
                                                         abs=1e-12)
    # two-sided bootstrap p, bounded below by 1/B (documented)
    assert res.p == pytest.approx(max(2 * min((d <= 0).mean(), (d >= 0).mean()), 1 / 150))
    assert res.ci_lower <= res.difference <= res.ci_upper
