"""Calibration check: compare a generated cohort with every target of its spec.

Survival targets are estimated the way a user would from the data: Kaplan-Meier
medians and landmark survival (lifelines), the revised Tokuhashi score from
:func:`cohort.scores.compute_scores`, Harrell's C from
:func:`cohort.validation.concordance.harrell_c`. Covariate targets are sample shares.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from lifelines import KaplanMeierFitter

from cohort.schema import PRIMARY_SITES, SPINAL_REGIONS
from synthetic.api import _as_spec, generate
from synthetic.spec import Spec, Target

__all__ = ["calibration_check"]


def _km(time: np.ndarray, event: np.ndarray) -> KaplanMeierFitter:
    return KaplanMeierFitter().fit(time, event)


def _km_median(time: np.ndarray, event: np.ndarray) -> float:
    if len(time) == 0:
        return float("nan")
    return float(_km(time, event).median_survival_time_)


def _row(target: Target, generated: float, label: str | None = None) -> dict[str, object]:
    return {
        "target": label or target.name,
        "wanted": target.describe(),
        "generated": generated,
        "tolerance": target.tolerance if target.tolerance is not None else np.nan,
        "low": target.low,
        "high": target.high,
        "passed": target.contains(generated),
        "source": target.source,
    }


def calibration_check(
    n: int = 50_000, seed: int = 0, spec: Spec | str | Path | None = None,
    frame: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Generate a cohort (or use ``frame``) and compare it with every target.

    Returns
    -------
    pandas.DataFrame
        [target, wanted, generated, tolerance, low, high, passed, source]: ``wanted``
        as text (``"10 ± 1.5"``, ``"0.62-0.7"``), ``low``/``high`` the accepted range;
        ``passed`` is False when the generated value lies outside it.
    """
    from cohort.schema import validate_cohort
    from cohort.scores import compute_scores
    from cohort.validation.concordance import harrell_c

    s = _as_spec(spec)
    df = generate(n, seed=seed, spec=s) if frame is None else frame
    time = df["time_months"].to_numpy(dtype=float)
    event = df["event"].to_numpy(dtype=int)
    rows: list[dict[str, object]] = []
    score = None
    for t in s.targets:
        if t.name.startswith("tokuhashi") and score is None:
            canon = validate_cohort(df)
            score = compute_scores(canon, names=["tokuhashi_revised"]).values[
                "tokuhashi_revised"].to_numpy(dtype=float, na_value=np.nan)
        if t.name == "overall_median":
            rows.append(_row(t, _km_median(time, event)))
        elif t.name.startswith("survival_"):
            months = float(t.name.split("_")[1])
            km = _km(time, event)
            rows.append(_row(t, 100.0 * float(km.survival_function_at_times(months).iloc[0])))
        elif t.name.startswith("tokuhashi_median"):
            assert score is not None
            lo, hi = (int(x) for x in t.name[len("tokuhashi_median["):-1].split("-"))
            rows_g = (score >= lo) & (score <= hi)
            rows.append(_row(t, _km_median(time[rows_g], event[rows_g])))
        elif t.name == "tokuhashi_harrell_c":
            assert score is not None
            ok = ~np.isnan(score)
            rows.append(_row(t, harrell_c(time[ok], event[ok], -score[ok])))
        elif t.name == "censored_percent":
            rows.append(_row(t, 100.0 * (1.0 - event.mean())))
        elif t.name == "male_percent":
            rows.append(_row(t, 100.0 * float((df["sex"] == "male").mean())))
        elif t.name == "mean_age":
            rows.append(_row(t, float(df["age"].mean())))
        elif t.name == "percent_over_60":
            rows.append(_row(t, 100.0 * float((df["age"] > 60).mean())))
        elif t.name == "percent_under_18":
            rows.append(_row(t, 100.0 * float((df["age"] < 18).mean())))
        elif t.name == "cord_compression_percent":
            rows.append(_row(t, 100.0 * float(df["cord_compression"].astype(float).mean())))
        elif t.name == "back_pain_percent":
            rows.append(_row(t, 100.0 * float(df["back_pain"].astype(float).mean())))
        elif t.name in ("site_percent", "region_percent"):
            col, levels, probs = (
                ("primary_site", PRIMARY_SITES, s.site_p) if t.name == "site_percent"
                else ("spinal_region", SPINAL_REGIONS, s.region_p)
            )
            shares = df[col].value_counts(normalize=True)
            tol = float(t.tolerance or 0.0)
            for level, p in zip(levels, probs, strict=True):
                want = 100.0 * float(p)
                sub = Target(f"{col}={level} %", want - tol, want + tol, want, tol, False,
                             t.source)
                rows.append(_row(sub, 100.0 * float(shares.get(level, 0.0))))
    return pd.DataFrame(rows, columns=["target", "wanted", "generated", "tolerance", "low",
                                       "high", "passed", "source"])
