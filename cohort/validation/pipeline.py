"""The validation pipeline behind ``cohort validate``: one call, every statistic.

:func:`run_validation` takes a loaded cohort, computes the requested scores, and for
each score estimates Kaplan-Meier curves by score group with log-rank tests (global,
trend, pairwise Holm), Cox hazard ratios (per point and by group), discrimination
(Harrell's C with bootstrap CI, Uno's C, time-dependent AUC), Brier scores,
calibration at each horizon, Harrell's bootstrap optimism correction, fixed-horizon
logistic models, and (for scores predicting survival bands) the prediction
consistency. Across scores: univariable Cox models per clinical factor, a multivariable
Cox model on the items of the revised Tokuhashi score, and paired bootstrap differences
in C. :func:`write_outputs` writes ``results.json`` and the tidy CSV tables
atomically, and then the HTML report if a writer is registered.

Missing data
------------
Rows without a usable survival time or event cannot be analysed at all; they are
excluded and listed. A row whose score cannot be computed (an input missing) is left
out of that score's analyses only, and listed with the reason; it stays in the overall
survival analysis and in every score it does have. Each score reports its own ``n``.
Nothing else is removed. In ``results.json`` each listed row has a ``scope``: ``"all"``
(excluded from every analysis) or ``"scores"`` (left out of the ``scores`` it names only).

Conventions: times in months; C-indices and AUCs oriented so that a score working as
its authors intended is above 0.5 (see :mod:`cohort.validation.discrimination`);
hazard ratios per point are on the score's own scale (below 1 for scores where higher
is better).

Nulls: a value that cannot be estimated is ``null`` and its reason is in the
``null_reasons`` of its block (``overall`` or the score), keyed by its path, e.g.
``"survival.12"``, ``"brier.12"``, ``"groups.0-8.median_ci.upper"``; ``"all"`` when a
score was not analysed at all (its contract keys are then present and null). Survival
is never extrapolated beyond the last follow-up. The integrated Brier score states the
window it was integrated over (``ibs_from`` to ``ibs_tau``); Uno's C its truncation
time (``uno_tau``).
"""

from __future__ import annotations

import itertools
import json
import math
import os
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cohort.errors import CohortInputError, SchemaError, describe_rows
from cohort.io import LoadedCohort, atomic_write, refuse_input_overwrite, write_table
from cohort.models.cox import factor_designs, fit_cox_model, group_design
from cohort.models.horizon import horizon_logistic
from cohort.models.km import (
    KaplanMeierResult,
    kaplan_meier,
    logrank_global,
    logrank_pairwise,
    logrank_trend,
)
from cohort.schema import MISSING_TEXT
from cohort.scores import (
    REGISTRY,
    ScoreOptions,
    assign_groups,
    compute_scores,
    score_components,
    score_options_from,
)
from cohort.validation.brier import brier_at, fit_survival_model, ibs_grid, integrated_brier
from cohort.validation.calibration import (
    bootstrap_optimism,
    calibration_summary,
    calibration_table,
)
from cohort.validation.comparison import paired_c_difference
from cohort.validation.consistency import prediction_consistency
from cohort.validation.discrimination import (
    harrell_c_bootstrap,
    orient_risk,
    td_auc,
    uno_c,
    uno_tau,
)

__all__ = [
    "ScoreSpec",
    "ValidationResult",
    "parse_horizons",
    "run_cli_validation",
    "run_validation",
    "validate_file",
    "write_outputs",
]

#: A score needs at least this many patients and deaths to be analysed (assumption:
#: below this, C-indices and Cox models are meaningless).
MIN_PATIENTS = 10
MIN_EVENTS = 5
#: Custom scores with at most this many distinct values are grouped by value,
#: otherwise into tertiles (assumption, for Kaplan-Meier curves and log-rank tests).
MAX_VALUE_GROUPS = 6


@dataclass(frozen=True)
class ScoreSpec:
    """A score to validate: a registered name, or a custom column with its direction."""

    name: str
    direction: str | None = None  # None: from the registry

    @classmethod
    def parse(cls, text: str) -> ScoreSpec:
        """Parse ``NAME`` or ``COL:higher-is-better`` / ``COL:higher-is-worse``."""
        if ":" not in text:
            return cls(text.strip())
        col, _, direction = text.rpartition(":")
        d = direction.strip().lower().replace("-", "_")
        if d not in ("higher_is_better", "higher_is_worse"):
            raise CohortInputError(
                f"--score '{text}': the direction must be 'higher-is-better' or "
                f"'higher-is-worse', not '{direction}'. Example: --score my_score:higher-is-worse."
            )
        return cls(col.strip(), d)


@dataclass(frozen=True)
class ValidationResult:
    """Everything :func:`run_validation` computed.

    Attributes
    ----------
    results
        The ``results.json`` content (the schema of docs/design.md plus documented extras).
    km
        ``"overall"`` and each score name -> :class:`KaplanMeierResult`.
    tables
        Table name -> tidy DataFrame (written as ``tables/<name>.csv``).
    cohort
        The analysed frame with the score columns added.
    excluded
        ``[row, patient_id, reason]``: row = 1-based data row of the input.
    source
        The input file, when known.
    """

    results: dict[str, Any]
    km: dict[str, KaplanMeierResult]
    tables: dict[str, pd.DataFrame]
    cohort: pd.DataFrame
    excluded: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=["row", "patient_id", "reason"])
    )
    source: Path | None = None


# ------------------------------------------------------------------------ helpers


def _num(x: object, digits: int | None = None) -> float | None:
    """A JSON number, or None for NaN / inf / missing."""
    if x is None:
        return None
    try:
        v = float(x)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    if not math.isfinite(v):
        return None
    return round(v, digits) if digits is not None else v


def _records(df: pd.DataFrame) -> list[Any]:
    """Rows as named tuples (typed loosely: the columns vary)."""
    return list(df.itertuples(index=False))


def _pair(a: object, b: object) -> list[float | None]:
    return [_num(a), _num(b)]


def _hkey(h: float) -> str:
    return f"{h:g}"


def _value_groups(values: pd.Series) -> tuple[pd.Series, list[str]]:
    """Groups for a custom score: by value when few, else tertiles."""
    v = values.astype(float)
    distinct = np.sort(v.dropna().unique())
    if len(distinct) <= MAX_VALUE_GROUPS:
        g = v.map(lambda x: f"{x:g}" if pd.notna(x) else np.nan)
        return g.astype(object), [f"{x:g}" for x in distinct]
    codes = np.asarray(pd.qcut(v, 3, labels=False, duplicates="drop"), dtype=float)
    x = v.to_numpy(dtype=float)
    labels: list[str] = []
    out = np.full(len(x), np.nan, dtype=object)
    for k in np.unique(codes[~np.isnan(codes)]):
        m = codes == k
        lab = f"{x[m].min():g}-{x[m].max():g}"
        labels.append(lab)
        out[m] = lab
    return pd.Series(out, index=v.index, dtype=object), labels


def _missing_text(values: pd.Series, text: str) -> pd.Series:
    """``text`` where ``values`` is missing, None elsewhere."""
    return pd.Series([text if miss else None for miss in values.isna()], index=values.index,
                     dtype=object)


@dataclass
class _Score:
    name: str
    label: str
    direction: str
    values: pd.Series  # float, NaN missing
    groups: pd.Series  # object, NaN missing
    group_order: list[str]
    reasons: pd.Series  # why missing (string or NA)
    bands: dict[str, tuple[float, float | None]] | None
    purpose: str
    source: str  # "computed", "column"


def _numeric_score_column(frame: pd.DataFrame, name: str) -> pd.Series:
    """A supplied score column as floats; text that is not a number is refused, not
    turned into a missing value."""
    raw = frame[name]
    text = raw.astype("string").str.strip()
    blank = raw.isna() | text.str.lower().isin(MISSING_TEXT).fillna(True)
    vals = pd.to_numeric(text.where(~blank), errors="coerce").astype(float)
    bad = (vals.isna() & ~blank).to_numpy(dtype=bool)
    if bad.any():
        positions = np.flatnonzero(bad)
        ids = (frame["patient_id"].iloc[positions].tolist()
               if "patient_id" in frame.columns else None)
        seen = ", ".join(repr(v) for v in pd.unique(text.iloc[positions[:5]]))
        raise SchemaError(
            f"column '{name}' (score): {describe_rows(positions, ids)} are not numbers "
            f"(values seen: {seen}). A score must be numeric: correct or blank these cells."
        )
    return vals


def _prepare_scores(
    frame: pd.DataFrame, specs: Sequence[ScoreSpec] | None, options: ScoreOptions
) -> tuple[list[_Score], dict[str, str]]:
    skipped: dict[str, str] = {}
    out: list[_Score] = []
    if specs is None:
        res = compute_scores(frame, None, options)
        skipped.update({k: f"input column(s) absent: {', '.join(v)}"
                        for k, v in res.skipped.items()})
        specs = [ScoreSpec(n) for n in res.names]
    for spec in specs:
        if spec.name in REGISTRY and spec.direction is None:
            d = REGISTRY[spec.name]
            absent = [c for c in d.inputs if c not in frame.columns]
            if not absent:
                res = compute_scores(frame, [spec.name], options)
                vals = res.values[spec.name].astype("Float64").astype(float)
                groups = res.values[f"{spec.name}_group"].astype(object)
                reasons = res.reasons[spec.name]
                source = "computed"
            elif spec.name in frame.columns:  # a score column supplied without its inputs
                vals = _numeric_score_column(frame, spec.name)
                # not rounded: a value that is no whole score in range is refused
                groups = assign_groups(vals, d).astype(object)
                reasons = _missing_text(vals, f"{spec.name} missing in the input")
                source = "column"
            else:
                raise SchemaError(
                    f"cannot validate '{spec.name}': its input column(s) {absent} are absent "
                    f"and the table has no '{spec.name}' column. Add the inputs (or map them "
                    "with --map), or drop this --score."
                )
            bands = None
            if all(g.band_months is not None for g in d.groups):
                bands = {g.label: g.band_months for g in d.groups if g.band_months is not None}
            out.append(_Score(spec.name, d.label, d.direction, vals,
                              groups.where(groups.notna(), np.nan), list(d.group_labels),
                              reasons, bands, d.purpose, source))
            continue
        if spec.name not in frame.columns:
            raise SchemaError(
                f"--score '{spec.name}': the table has no such column (columns: "
                f"{[str(c) for c in frame.columns]}). Name an existing column, or a known "
                f"score ({', '.join(REGISTRY)})."
            )
        if spec.direction is None:
            raise CohortInputError(
                f"--score '{spec.name}' is not a known score, so its direction is needed: "
                f"--score {spec.name}:higher-is-better or --score {spec.name}:higher-is-worse."
            )
        vals = _numeric_score_column(frame, spec.name)
        groups, order = _value_groups(vals)
        reasons = _missing_text(vals, f"{spec.name} missing")
        out.append(_Score(spec.name, spec.name, spec.direction, vals, groups, order, reasons,
                          None, "survival", "column"))
    return out, skipped


# ------------------------------------------------------------------- per score


def _median_limit_reason(side: str) -> str:
    """Why the ``side`` limit of a median's CI is null (see :mod:`cohort.models.km`)."""
    # the lower limit is where the lower band first reaches 50%, the upper limit where
    # the upper band does (lifelines' median_survival_times on the band)
    return (f"not reached: the {side} 95% confidence band of the survival curve stays "
            "above 50%")


def _unanalysed(horizons: Sequence[float]) -> dict[str, Any]:
    """The ``results.json`` contract keys of a score, all null (score not analysed)."""
    hk = [_hkey(h) for h in horizons]
    return {
        "harrell_c": None, "harrell_c_ci": [None, None], "uno_c": None, "uno_tau": None,
        "td_auc": dict.fromkeys(hk), "brier": dict.fromkeys(hk), "ibs": None,
        "cox": {"hr_per_point": None, "hr_ci": [None, None], "p": None},
        "groups": [], "logrank_p": None, "trend_p": None,
        "calibration": {h: {"slope": None, "ici": None} for h in hk},
        "optimism_corrected_c": None, "consistency_rate": None,
    }


def _analyse_score(
    s: _Score, t: np.ndarray, e: np.ndarray, horizons: Sequence[float], B: int, seed: int,
    progress: bool, tables: dict[str, list[pd.DataFrame]],
) -> tuple[dict[str, Any], KaplanMeierResult | None]:
    m = s.values.notna().to_numpy()
    n, events = int(m.sum()), int(e[m].sum())
    entry: dict[str, Any] = {
        "label": s.label, "n": n, "events": events, "n_missing": int((~m).sum()),
        "direction": s.direction, "purpose": s.purpose, "source": s.source,
    }
    null: dict[str, str] = {}
    entry["null_reasons"] = null
    if n < MIN_PATIENTS or events < MIN_EVENTS:
        null["all"] = (f"too few patients or deaths ({n} patients, {events} deaths; at least "
                       f"{MIN_PATIENTS} and {MIN_EVENTS} needed)")
        entry.update(_unanalysed(horizons))
        return entry, None
    ts, es = t[m], e[m]
    v = s.values.to_numpy(dtype=float)[m]
    if np.unique(v).size < 2:
        null["all"] = f"the score takes a single value ({v[0]:g}) in all {n} patients"
        entry.update(_unanalysed(horizons))
        return entry, None
    g = s.groups.to_numpy(dtype=object)[m]
    risk = orient_risk(v, s.direction)

    hc = harrell_c_bootstrap(ts, es, risk, B=B, seed=seed)
    tau = uno_tau(ts, horizons)
    entry.update({"harrell_c": _num(hc.c), "harrell_c_ci": _pair(hc.ci_lower, hc.ci_upper),
                  "uno_c": _num(uno_c(ts, es, risk, tau)), "uno_tau": _num(tau)})
    if entry["uno_c"] is None:
        null["uno_c"] = f"no death before the truncation time tau = {tau:g} months"
    if None in entry["harrell_c_ci"]:
        null["harrell_c_ci"] = "too few bootstrap samples with a comparable pair"
    grid = sorted({*[float(h) for h in horizons],
                   *np.arange(1.0, float(np.quantile(ts, 0.9)) + 1e-9, 1.0).tolist()})
    auc = td_auc(ts, es, risk, grid)
    auc.insert(0, "score", s.name)
    tables["td_auc"].append(auc)
    at_h = auc.set_index("time")["auc"]
    entry["td_auc"] = {_hkey(h): _num(at_h.get(float(h))) for h in horizons}
    for h in horizons:
        if entry["td_auc"][_hkey(h)] is None:
            null[f"td_auc.{_hkey(h)}"] = "horizon outside follow-up or no deaths/survivors"

    # Cox per point and by group
    cox = fit_cox_model(pd.DataFrame({s.name: v}), ts, es, label=f"{s.name} per point")
    row = cox.table.iloc[0]
    entry["cox"] = {"hr_per_point": _num(row["hr"]), "hr_ci": _pair(row["ci_lower"],
                    row["ci_upper"]), "p": _num(row["p"]), "ph_p": _num(row["ph_p"]),
                    "penalized": cox.penalized}
    if entry["cox"]["hr_per_point"] is None or None in entry["cox"]["hr_ci"]:
        null["cox"] = "; ".join(cox.notes) or "the Cox model could not be estimated"
    fr = cox.forest().assign(score=s.name, ph_p=row["ph_p"])
    fr["term"] = f"{s.label} (per point)"
    tables["cox_scores"].append(fr)
    order = [x for x in s.group_order if (g == x).any()]
    gdesign = group_design(g, order)
    if gdesign.shape[1]:
        cg = fit_cox_model(gdesign, ts, es, label=f"{s.name} groups")
        fg = cg.forest().assign(score=s.name, ph_p=cg.table["ph_p"].to_numpy())
        fg["term"] = s.name + ": " + fg["term"]
        tables["cox_groups"].append(fg)
        entry["cox_groups"] = [
            {"term": r.term, "hr": _num(r.hr), "hr_ci": _pair(r.ci_lower, r.ci_upper),
             "p": _num(r.p), "ph_p": _num(r.ph_p), "penalized": cg.penalized}
            for r in _records(cg.table)
        ]
        entry["cox_groups_notes"] = list(cg.notes)

    # Kaplan-Meier by group, log-rank tests
    km = kaplan_meier(ts, es, g, group_order=order, horizons=horizons)
    groups = []
    for r in _records(km.medians):
        groups.append({"label": r.group, "n": int(r.n), "events": int(r.events),
                       "median": _num(r.median),
                       "median_ci": _pair(r.median_ci_lower, r.median_ci_upper)})
        if _num(r.median) is None:
            null[f"groups.{r.group}.median"] = "not reached (survival stayed above 50%)"
        for side, lim in (("lower", r.median_ci_lower), ("upper", r.median_ci_upper)):
            if _num(lim) is None:
                null[f"groups.{r.group}.median_ci.{side}"] = _median_limit_reason(side)
    entry["groups"] = groups
    if len(order) >= 2:
        entry["logrank_p"] = _num(logrank_global(ts, es, g).p)
        tr = logrank_trend(ts, es, g, order)
        entry["trend_p"] = _num(tr.p)
        entry["trend_statistic"] = _num(tr.statistic)
        for key in ("logrank_p", "trend_p"):
            if entry[key] is None:
                null[key] = ("the log-rank variance is 0 (no death at a time when two "
                             "groups are at risk)")
        pw = logrank_pairwise(ts, es, g, order)
        pw.insert(0, "score", s.name)
        tables["logrank_pairwise"].append(pw)
    else:
        entry["logrank_p"] = entry["trend_p"] = None
        null["logrank_p"] = null["trend_p"] = "fewer than two score groups present"

    # predicted survival, Brier, calibration
    model = fit_survival_model(ts, es, v)
    pred = model.survival(v, horizons)
    bs = brier_at(ts, es, pred, horizons)
    entry["brier"] = {_hkey(h): _num(bs[float(h)]) for h in horizons}
    for h in horizons:
        if entry["brier"][_hkey(h)] is None:
            null[f"brier.{_hkey(h)}"] = (
                f"horizon outside the follow-up (first {ts.min():g}, last {ts.max():g} "
                "months): the censoring weights do not exist there")
    # the integration grid: distinct observed times from the first up to the largest
    # horizon, below the last follow-up time (see cohort.validation.brier.ibs_grid)
    igrid = ibs_grid(ts, float(max(horizons)))
    entry["ibs"] = _num(integrated_brier(ts, es, model, v, tau=float(max(horizons))))
    entry["ibs_from"] = _num(igrid[0]) if len(igrid) else None
    entry["ibs_tau"] = _num(igrid[-1]) if len(igrid) else None
    if entry["ibs"] is None:
        null["ibs"] = "fewer than two observed times before the largest horizon"
    cal: dict[str, Any] = {}
    for k, h in enumerate(horizons):
        ct = calibration_table(ts, es, pred[:, k], h)
        ct.insert(0, "score", s.name)
        tables["calibration"].append(ct)
        cs = calibration_summary(ts, es, pred[:, k], h)
        cal[_hkey(h)] = {"slope": _num(cs.slope), "ici": _num(cs.ici), "e50": _num(cs.e50),
                         "e90": _num(cs.e90), "method": cs.method}
        if cs.method == "none":
            null[f"calibration.{_hkey(h)}"] = "follow-up does not reach the horizon or no deaths"
        elif None in (cal[_hkey(h)]["slope"], cal[_hkey(h)]["ici"]):
            null[f"calibration.{_hkey(h)}"] = "the calibration Cox model did not converge"
    entry["calibration"] = cal

    opt = bootstrap_optimism(ts, es, v, B=B, seed=seed, progress=progress,
                             label=f"bootstrap {s.name}")
    entry["optimism"] = {"c_apparent": _num(opt.c_apparent), "c_optimism": _num(opt.c_optimism),
                         "c_corrected": _num(opt.c_corrected),
                         "slope_optimism": _num(opt.slope_optimism),
                         "slope_corrected": _num(opt.slope_corrected), "B": opt.B,
                         "failed": opt.n_failed}
    # The Cox model is linear in the score, so its C equals the oriented score's C when
    # the fitted sign agrees with the score's direction (1 - C otherwise); the corrected
    # value is reported on the oriented scale so that it sits next to harrell_c:
    # C - optimism when the signs agree, 1 - (C_model - optimism) = C + optimism when not.
    agrees = not (abs(opt.c_apparent - (1 - hc.c)) < abs(opt.c_apparent - hc.c))
    entry["optimism_corrected_c"] = _num(
        hc.c - opt.c_optimism if agrees else hc.c + opt.c_optimism)
    if entry["optimism_corrected_c"] is None:
        null["optimism_corrected_c"] = f"every one of the {opt.B} bootstrap refits failed"

    # fixed-horizon logistic models
    hl: dict[str, Any] = {}
    for h in horizons:
        hres = horizon_logistic(pd.DataFrame({s.name: v}), ts, es, h)
        first = hres.table.iloc[0]
        hl[_hkey(h)] = {"or_per_point": _num(first["odds_ratio"]),
                        "or_ci": _pair(first["ci_lower"], first["ci_upper"]),
                        "p": _num(first["p"]), "n": hres.n, "deaths": hres.deaths,
                        "excluded_censored_before_horizon": hres.n_excluded_censored}
        if hl[_hkey(h)]["or_per_point"] is None:
            null[f"horizon_logistic.{_hkey(h)}"] = (
                f"not estimable among the {hres.n} patients with known status at {h:g} months "
                f"({hres.deaths} deaths): {hres.note or 'not estimated'}")
        tables["horizon_logistic"].append(hres.table.assign(
            score=s.name, horizon=h, n=hres.n, deaths=hres.deaths,
            n_excluded_censored=hres.n_excluded_censored))
    entry["horizon_logistic"] = hl

    if s.bands is not None:
        con = prediction_consistency(ts, es, g, s.bands)
        entry["consistency_rate"] = _num(con.rate)
        entry["consistency"] = {"consistent": con.n_consistent,
                                "inconsistent": con.n_inconsistent,
                                "indeterminate_censored": con.n_indeterminate}
        tables["consistency"].append(con.table.assign(score=s.name))
    else:
        entry["consistency_rate"] = None
        null["consistency_rate"] = "the score's groups do not all predict a survival band"
    return entry, km


# -------------------------------------------------------------------- pipeline


def _survival_rows(frame: pd.DataFrame) -> tuple[np.ndarray, list[dict[str, Any]]]:
    """Rows usable for survival analysis, and the others with their reasons."""
    excluded: list[dict[str, Any]] = []
    if "time_months" not in frame.columns or "event" not in frame.columns:
        raise SchemaError(
            "the cohort needs 'time_months' and 'event' columns for validation. Name them "
            "with --time and --event, or in a --map file."
        )
    t = pd.to_numeric(frame["time_months"], errors="coerce")
    ev = pd.to_numeric(frame["event"], errors="coerce")
    ok = np.ones(len(frame), dtype=bool)
    ids = frame["patient_id"] if "patient_id" in frame.columns else pd.Series(
        [None] * len(frame))
    for i in range(len(frame)):
        why = []
        if not (pd.notna(t.iloc[i]) and np.isfinite(t.iloc[i]) and t.iloc[i] >= 0):
            why.append("survival time missing or invalid")
        if ev.iloc[i] not in (0, 1):
            why.append("event missing or not 0/1")
        if why:
            ok[i] = False
            excluded.append({"row": i + 1, "patient_id": ids.iloc[i],
                             "reason": "; ".join(why) + ": excluded from every analysis",
                             "scope": "all", "scores": []})
    return ok, excluded


def run_validation(
    loaded: LoadedCohort | pd.DataFrame,
    scores: Sequence[ScoreSpec | str] | None = None,
    *,
    horizons: Sequence[float] = (3.0, 6.0, 12.0),
    bootstrap: int = 200,
    seed: int = 0,
    options: ScoreOptions | None = None,
    compare: bool = True,
    progress: bool = False,
) -> ValidationResult:
    """Validate prognostic scores on a cohort.

    Parameters
    ----------
    loaded
        A :class:`cohort.io.LoadedCohort` (or a canonical frame).
    scores
        Score names / :class:`ScoreSpec` (custom columns need a direction); None: every
        registered score whose inputs are present.
    horizons
        Months at which survival, AUC, Brier and calibration are reported.
    bootstrap
        Replicates for the C confidence intervals, optimism and comparisons.
    seed
        Seed of every bootstrap (the same seed gives identical results).
    options
        Score options (vertebral-item variant, site overrides).
    compare
        Compute paired C differences between every pair of scores.
    progress
        Show progress bars for the optimism bootstrap.

    Returns
    -------
    ValidationResult
    """
    source: Path | None = None
    if isinstance(loaded, LoadedCohort):
        frame, n_input, notes = loaded.frame, loaded.n_input_rows, list(loaded.notes)
        source = loaded.source
    else:
        frame, n_input, notes = loaded.reset_index(drop=True), len(loaded), []
    horizons = tuple(float(h) for h in horizons)
    if not horizons or min(horizons) <= 0:
        raise CohortInputError("--horizons must be positive numbers of months, e.g. 3,6,12.")
    if bootstrap < 1:
        raise CohortInputError("--bootstrap must be at least 1 (200 is the default).")
    options = options or ScoreOptions()
    ok, excluded = _survival_rows(frame)
    data = frame[ok].reset_index(drop=True)
    rows = np.flatnonzero(ok) + 1
    t = data["time_months"].to_numpy(dtype=float)
    e = data["event"].to_numpy(dtype=int)
    specs = None if scores is None else [
        x if isinstance(x, ScoreSpec) else ScoreSpec.parse(x) for x in scores]
    prepared, skipped = _prepare_scores(data, specs, options)

    tables: dict[str, list[pd.DataFrame]] = {k: [] for k in (
        "td_auc", "cox_scores", "cox_groups", "logrank_pairwise", "calibration",
        "horizon_logistic", "consistency")}
    km: dict[str, KaplanMeierResult] = {}
    overall = kaplan_meier(t, e, horizons=horizons)
    km["overall"] = overall
    med = overall.medians.iloc[0]
    results: dict[str, Any] = {
        "n_input_rows": int(n_input),
        "n_analysed": len(data),
        "n_events": int(e.sum()),
        "excluded": [],
        "overall": {
            "median": _num(med["median"]),
            "median_ci": _pair(med["median_ci_lower"], med["median_ci_upper"]),
            "survival": {_hkey(r.horizon): _num(r.survival)
                         for r in _records(overall.survival_at)},
            "survival_ci": {_hkey(r.horizon): _pair(r.ci_lower, r.ci_upper)
                            for r in _records(overall.survival_at)},
            "max_follow_up": _num(t.max()) if len(t) else None,
        },
        "scores": {},
        "scores_skipped": skipped,
        "settings": {"horizons": list(horizons), "bootstrap": int(bootstrap), "seed": int(seed),
                     "time_unit": "months", "vertebral_option": options.vertebral_option,
                     "van_der_linden_kps10": options.van_der_linden_kps10,
                     "site_overrides": options.site_overrides},
        "notes": notes,
    }
    overall_null: dict[str, str] = {}
    if _num(med["median"]) is None:
        results["overall"]["median_note"] = "not reached (survival stayed above 50%)"
        overall_null["median"] = results["overall"]["median_note"]
    for side, lim in (("lower", med["median_ci_lower"]), ("upper", med["median_ci_upper"])):
        if _num(lim) is None:
            overall_null[f"median_ci.{side}"] = _median_limit_reason(side)
    for h, v in results["overall"]["survival"].items():
        if v is None:
            overall_null[f"survival.{h}"] = (
                f"{h} months is beyond the last follow-up ({_num(t.max()) or 0:g} months) "
                "with the curve above 0: not extrapolated")
    results["overall"]["null_reasons"] = overall_null

    score_excl: dict[int, list[tuple[str, str]]] = {}
    for s in prepared:
        entry, km_s = _analyse_score(s, t, e, horizons, bootstrap, seed, progress, tables)
        results["scores"][s.name] = entry
        if km_s is not None:
            km[s.name] = km_s
        for i in np.flatnonzero(s.values.isna().to_numpy()).tolist():
            why = s.reasons.iloc[i]
            why = "score missing" if pd.isna(why) else str(why)
            score_excl.setdefault(int(i), []).append((s.name, why))

    ids = data["patient_id"] if "patient_id" in data.columns else pd.Series([None] * len(data))
    for i in sorted(score_excl):
        excluded.append({
            "row": int(rows[i]), "patient_id": ids.iloc[i],
            "reason": "not scored, so left out of these scores' analyses only: "
                      + "; ".join(f"{name} ({why})" for name, why in score_excl[i]),
            "scope": "scores", "scores": [name for name, _ in score_excl[i]],
        })
    excluded.sort(key=lambda r: r["row"])
    results["excluded"] = [
        {"row": int(r["row"]),
         "patient_id": None if pd.isna(r["patient_id"]) else str(r["patient_id"]),
         "reason": r["reason"], "scope": r["scope"], "scores": r["scores"]} for r in excluded
    ]
    excl = pd.DataFrame(excluded, columns=["row", "patient_id", "reason"])

    # factors and the multivariable model
    out_tables: dict[str, pd.DataFrame] = {}
    factor_rows = []
    factor_penalized: dict[str, bool] = {}
    for name, design in factor_designs(data).items():
        fit = fit_cox_model(design, t, e, label=name)
        factor_penalized[name] = fit.penalized
        factor_rows.append(fit.forest().assign(factor=name, ph_p=fit.table["ph_p"].to_numpy()))
    if factor_rows:
        ft = pd.concat(factor_rows, ignore_index=True)
        out_tables["cox_factors"] = ft
        results["cox_factors"] = [
            {"factor": r.factor, "term": r.term, "hr": _num(r.hr),
             "hr_ci": _pair(r.ci_lower, r.ci_upper), "p": _num(r.p), "n": int(r.n),
             "events": int(r.events), "ph_p": _num(r.ph_p),
             "penalized": factor_penalized[r.factor]} for r in _records(ft)]
    base = next((s for s in prepared if s.name == "tokuhashi_revised" and s.source == "computed"),
                None)
    results["cox_multivariable"] = []
    if base is not None:
        comp = score_components(data, base.name, options)
        comp.columns = [f"{c} (per item point)" for c in comp.columns]
        mv = fit_cox_model(comp.reset_index(drop=True), t, e, label="multivariable")
        out_tables["cox_multivariable"] = mv.forest().assign(ph_p=mv.table["ph_p"].to_numpy())
        results["cox_multivariable"] = [
            {"term": r.term, "hr": _num(r.hr), "hr_ci": _pair(r.ci_lower, r.ci_upper),
             "p": _num(r.p), "ph_p": _num(r.ph_p)} for r in _records(mv.table)]
        results["cox_multivariable_info"] = {
            "items_of": base.name, "n": mv.n, "events": mv.events, "penalized": mv.penalized,
            "notes": list(mv.notes)}
    else:
        results["cox_multivariable_info"] = {
            "note": "not fitted: the revised Tokuhashi items need its input columns"}

    # paired comparisons
    analysed = [s for s in prepared if results["scores"][s.name].get("harrell_c") is not None]
    comp_rows = []
    if compare:
        for a, b in itertools.combinations(analysed, 2):
            d = paired_c_difference(
                t, e, orient_risk(a.values.to_numpy(dtype=float), a.direction),
                orient_risk(b.values.to_numpy(dtype=float), b.direction), B=bootstrap, seed=seed)
            comp_rows.append({"score_a": a.name, "score_b": b.name, "n": d.n, "c_a": d.c_a,
                              "c_b": d.c_b, "difference": d.difference, "ci_lower": d.ci_lower,
                              "ci_upper": d.ci_upper, "p": d.p})
    results["comparisons"] = [
        {k: (_num(v) if isinstance(v, float) else v) for k, v in r.items()} for r in comp_rows]

    # tidy tables
    for k, parts in tables.items():
        if parts:
            out_tables[k] = pd.concat(parts, ignore_index=True)
    if "td_auc" in out_tables:
        out_tables["td_auc"] = out_tables["td_auc"][["score", "time", "auc"]]
    if "calibration" in out_tables:
        cal = out_tables["calibration"]
        out_tables["calibration"] = cal[["score", *[c for c in cal.columns if c != "score"]]]
    c_rows = [{"score": s.name, "harrell_c": results["scores"][s.name]["harrell_c"],
               "ci_lower": results["scores"][s.name]["harrell_c_ci"][0],
               "ci_upper": results["scores"][s.name]["harrell_c_ci"][1],
               "uno_c": results["scores"][s.name]["uno_c"],
               "optimism_corrected_c": results["scores"][s.name]["optimism_corrected_c"],
               "n": results["scores"][s.name]["n"]} for s in analysed]
    out_tables["c_index"] = pd.DataFrame(
        c_rows, columns=["score", "harrell_c", "ci_lower", "ci_upper", "uno_c",
                         "optimism_corrected_c", "n"])
    if comp_rows:
        out_tables["c_comparison"] = pd.DataFrame(comp_rows)
    for name, kmr in km.items():
        for part in ("curves", "censored", "at_risk", "medians", "survival_at"):
            out_tables.setdefault(f"km_{part}", pd.DataFrame())
            piece = getattr(kmr, part).assign(score=name)
            out_tables[f"km_{part}"] = pd.concat([out_tables[f"km_{part}"], piece],
                                                 ignore_index=True)
    for part in ("curves", "censored", "at_risk", "medians", "survival_at"):
        df = out_tables[f"km_{part}"]
        out_tables[f"km_{part}"] = df[["score", *[c for c in df.columns if c != "score"]]]
    out_tables["excluded_rows"] = excl

    cohort_out = data.copy()
    for s in prepared:
        if s.source == "computed" or s.name not in cohort_out.columns:
            cohort_out[s.name] = s.values.to_numpy()
        cohort_out[f"{s.name}_group"] = s.groups.to_numpy()
    return ValidationResult(results, km, out_tables, cohort_out, excl, source)


def write_outputs(
    result: ValidationResult, out_dir: str | os.PathLike[str], *,
    forbid: Sequence[str | os.PathLike[str]] = (),
    report: bool = True,
) -> list[Path]:
    """Write ``results.json``, ``tables/<name>.csv`` and the HTML report as one set.

    Everything is first written into a staging directory inside ``out_dir`` (the HTML
    report too, which takes the longest), and only then moved into place file by file
    with :func:`os.replace`. An interrupted run therefore leaves either the previous
    outputs or the complete new set (apart from the few milliseconds of the moves),
    never new results beside an old report; the staging directory is removed in every
    case.

    The report is written by the entry point ``html`` of the group
    ``cohort.report_writers`` (called as ``writer(result, out_dir)``) when one is
    installed; the core package never imports the report code itself.

    Returns
    -------
    list of Path
        The files written by this function (the report writer's file excluded).
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=".cohort-staging.", dir=out))
    try:
        (stage / "tables").mkdir()
        staged = [Path("results.json")]
        with atomic_write(stage / "results.json", "w") as fh:
            json.dump(_jsonable(result.results), fh, indent=2, allow_nan=False)
            fh.write("\n")
        for name, df in sorted(result.tables.items()):
            rel = Path("tables") / f"{name}.csv"
            write_table(df, stage / rel)
            staged.append(rel)
        report_files: list[Path] = []
        if report:
            for ep in entry_points(group="cohort.report_writers"):
                if ep.name == "html":
                    before = {p.relative_to(stage) for p in stage.rglob("*") if p.is_file()}
                    ep.load()(result, stage)
                    report_files = sorted(p.relative_to(stage) for p in stage.rglob("*")
                                          if p.is_file() and p.relative_to(stage) not in before)
        # check every destination before moving anything, then publish the set
        for rel in [*staged, *report_files]:
            refuse_input_overwrite(out / rel, forbid)
        (out / "tables").mkdir(exist_ok=True)
        for rel in [*staged, *report_files]:
            os.replace(stage / rel, out / rel)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    return [out / rel for rel in staged]


def _jsonable(obj: Any) -> Any:
    if isinstance(obj, Mapping):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, bool | str) or obj is None:
        return obj
    if isinstance(obj, int | np.integer):
        return int(obj)
    if isinstance(obj, float | np.floating):
        v = _num(obj)
        return None if v is None else float(f"{v:.6g}")  # 6 significant digits
    if isinstance(obj, np.bool_):
        return bool(obj)
    return str(obj)


def parse_horizons(text: str) -> tuple[float, ...]:
    """Read ``--horizons``: ``"3,6,12"`` -> ``(3.0, 6.0, 12.0)`` (sorted, duplicates dropped).

    Raises
    ------
    CohortInputError
        Unless every value is a positive finite number of months.
    """
    try:
        values = tuple(float(x) for x in text.split(",") if x.strip())
    except ValueError:
        values = ()
    if not values or any(not math.isfinite(v) or v <= 0 for v in values):
        raise CohortInputError(
            f"--horizons '{text}': give positive months separated by commas, e.g. 3,6,12."
        )
    return tuple(sorted(set(values)))


def validate_file(
    input_path: str | os.PathLike[str],
    out_dir: str | os.PathLike[str],
    *,
    map_path: str | os.PathLike[str] | None = None,
    time_col: str | None = None,
    event_col: str | None = None,
    event_value: str | None = None,
    time_unit: str | None = None,
    scores: Sequence[str] = (),
    score_options_path: str | os.PathLike[str] | None = None,
    horizons: str = "3,6,12",
    bootstrap: int = 200,
    seed: int = 0,
    progress: bool = False,
) -> ValidationResult:
    """Load a cohort file with the command-line options and validate it (nothing written).

    The arguments are the options of ``cohort validate`` (see
    :func:`cohort.cli_options.validation_options`); ``out_dir`` is only checked (it
    must not be a file), before any work is done. ``score_options_path`` is a TOML
    file of :class:`cohort.scores.ScoreOptions` (:func:`cohort.scores.load_score_options`).
    """
    from cohort.io import load_cohort

    hz = parse_horizons(horizons)
    specs = [ScoreSpec.parse(x) for x in scores] or None
    options = score_options_from(score_options_path)
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise CohortInputError(f"--out '{out}' is a file; give a directory.")
    loaded = load_cohort(input_path, map_path=map_path, time_col=time_col,
                         event_col=event_col, event_value=event_value, time_unit=time_unit,
                         require=("time_months", "event"))
    return run_validation(loaded, specs, horizons=hz, bootstrap=bootstrap, seed=seed,
                          options=options, progress=progress)


def run_cli_validation(
    input_path: str | os.PathLike[str], out_dir: str | os.PathLike[str], *,
    progress: bool = False, **options: Any,
) -> str:
    """What ``cohort validate`` does: load, validate, write; returns a short summary.

    ``options`` are the keyword arguments of :func:`validate_file`; ``progress`` shows
    the bootstrap progress bars (on stderr).
    """
    result = validate_file(input_path, out_dir, progress=progress, **options)
    out = Path(out_dir)
    forbid = [p for p in (input_path, options.get("map_path"),
                          options.get("score_options_path")) if p is not None]
    write_outputs(result, out, forbid=forbid)
    res = result.results
    lines = [f"{res['n_analysed']} of {res['n_input_rows']} rows analysed, "
             f"{res['n_events']} deaths; {len(result.excluded)} rows listed as excluded."]
    for name, s in res["scores"].items():
        c = s.get("harrell_c")
        ci = s.get("harrell_c_ci") or [None, None]
        text = "not analysed" if c is None else (
            f"Harrell's C {c:.3f} ({ci[0]:.3f}-{ci[1]:.3f})" if None not in ci
            else f"Harrell's C {c:.3f}")
        lines.append(f"  {name}: n={s['n']}, {text}")
    lines.append(f"written to {out}")
    return "\n".join(lines)
