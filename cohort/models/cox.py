"""Cox proportional-hazards models of scores and prognostic factors (lifelines, Efron ties).

:func:`fit_cox_model` wraps :class:`lifelines.CoxPHFitter` so that a fit never crashes
and never returns a silent garbage estimate: when lifelines fails to converge or the
estimates show separation (a coefficient beyond +/-``MAX_ABS_COEF`` on the log-hazard
scale, or non-finite standard errors), a :class:`cohort.errors.ConvergenceWarning` is
issued and the model is refitted with a small ridge penalty (``penalizer=0.1``); the
result is flagged ``penalized=True`` and its confidence intervals are those of the
penalised fit (shrunken, not for inference). The Schoenfeld-residual test of
proportional hazards (rank time transform) is reported per term.

Design helpers build the covariate columns for one score (per point, or by group
against a reference group) and for the canonical clinical factors.

References
----------
Cox DR. Regression models and life-tables. J R Stat Soc B 1972;34:187-220.
Efron B. The efficiency of Cox's likelihood function for censored data. J Am Stat
Assoc 1977;72:557-565.
Grambsch PM, Therneau TM. Proportional hazards tests and diagnostics based on weighted
residuals. Biometrika 1994;81:515-526.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from lifelines import CoxPHFitter
from lifelines.exceptions import ConvergenceError
from lifelines.exceptions import ConvergenceWarning as LifelinesConvergenceWarning
from lifelines.statistics import proportional_hazard_test
from numpy.typing import ArrayLike

from cohort.errors import ConvergenceWarning

__all__ = [
    "FOREST_COLUMNS",
    "MAX_ABS_COEF",
    "PENALIZER",
    "CoxModelResult",
    "factor_designs",
    "fit_cox_model",
    "group_design",
]

#: |coefficient| above which a fit is treated as separated (HR beyond e^10 ~ 22,000):
#: assumption, no clinical factor has a real hazard ratio of that size.
MAX_ABS_COEF = 10.0
#: Ridge penalty of the refit after separation or non-convergence (lifelines scale):
#: assumption, small enough to leave well-identified terms nearly unchanged.
PENALIZER = 0.1
FOREST_COLUMNS = ["term", "hr", "ci_lower", "ci_upper", "p", "n", "events"]


@dataclass(frozen=True)
class CoxModelResult:
    """A fitted Cox model as a tidy table.

    Attributes
    ----------
    table
        ``[term, coef, se, hr, ci_lower, ci_upper, p, ph_p]`` (hazard ratios with 95% CI,
        Wald p, Schoenfeld-residual PH test p).
    n, events
        Patients and deaths in the fit (complete cases).
    penalized
        True when the model was refitted with a ridge penalty after separation or
        non-convergence; the estimates are then shrunken.
    notes
        What was done (refits, dropped constant columns), in words.
    model
        The lifelines fitter (None when nothing could be fitted).
    """

    table: pd.DataFrame
    n: int
    events: int
    penalized: bool = False
    notes: tuple[str, ...] = ()
    loglik: float = float("nan")
    model: CoxPHFitter | None = field(default=None, repr=False, compare=False)

    def forest(self) -> pd.DataFrame:
        """Forest-plot frame ``[term, hr, ci_lower, ci_upper, p, n, events]``."""
        out = self.table[["term", "hr", "ci_lower", "ci_upper", "p"]].copy()
        out["n"] = self.n
        out["events"] = self.events
        return out[FOREST_COLUMNS]


def _empty_table(terms: Sequence[str]) -> pd.DataFrame:
    return pd.DataFrame(
        {"term": list(terms), "coef": np.nan, "se": np.nan, "hr": np.nan,
         "ci_lower": np.nan, "ci_upper": np.nan, "p": np.nan, "ph_p": np.nan}
    )


def _fit(df: pd.DataFrame, penalizer: float) -> tuple[CoxPHFitter | None, list[str]]:
    """Fit, collecting lifelines' convergence complaints instead of raising."""
    problems: list[str] = []
    cph = CoxPHFitter(penalizer=penalizer)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            cph.fit(df, duration_col="__time", event_col="__event")
        except (ConvergenceError, np.linalg.LinAlgError, ValueError) as exc:
            problems.append(f"lifelines failed: {str(exc).splitlines()[0]}")
            return None, problems
    for w in caught:
        text = str(w.message)
        # lifelines also warns before fitting about low variance or high correlation
        # with the duration; those are heads-ups, judged here by the estimates instead.
        if issubclass(w.category, LifelinesConvergenceWarning) and "failed" in text:
            problems.append(text.split(". Please")[0].strip())
    coef = cph.params_.to_numpy(dtype=float)
    se = cph.standard_errors_.to_numpy(dtype=float)
    if not (np.isfinite(coef).all() and np.isfinite(se).all()):
        problems.append("non-finite estimates")
    elif np.abs(coef).max(initial=0.0) > MAX_ABS_COEF:
        problems.append(f"|coefficient| > {MAX_ABS_COEF:g} (separation)")
    return cph, problems


def fit_cox_model(
    covariates: pd.DataFrame,
    time: ArrayLike,
    event: ArrayLike,
    *,
    label: str = "model",
    ph_test: bool = True,
) -> CoxModelResult:
    """Fit a Cox model (Efron ties) on numeric covariate columns, robustly.

    Rows with any missing covariate are left out (complete cases; ``n`` says how many
    were used). Constant columns cannot be estimated and are reported with NaN.

    Parameters
    ----------
    covariates
        Numeric columns; the column names become the term names.
    time, event
        Survival time (months) and event (1 = death), aligned with ``covariates``.
    label
        Model name used in warnings.
    ph_test
        Whether to run the Schoenfeld-residual test of proportional hazards.

    Returns
    -------
    CoxModelResult

    Warns
    -----
    cohort.errors.ConvergenceWarning
        When the unpenalised fit failed or separated and a penalised refit was used.
    """
    terms = [str(c) for c in covariates.columns]
    df = covariates.astype(float).copy()
    df.columns = terms
    df["__time"] = np.asarray(time, dtype=float)
    df["__event"] = np.asarray(event, dtype=int)
    df = df.dropna()
    n, events = len(df), int(df["__event"].sum())
    notes: list[str] = []
    const = [c for c in terms if df[c].nunique() <= 1]
    if const:
        notes.append(f"{', '.join(const)}: constant among the {n} patients, not estimable")
        df = df.drop(columns=const)
    usable = [c for c in terms if c not in const]
    if not usable or events == 0:
        if events == 0:
            notes.append("no deaths: nothing to estimate")
        return CoxModelResult(_empty_table(terms), n, events, notes=tuple(notes))
    cph, problems = _fit(df, 0.0)
    penalized = False
    if problems:
        penalized = True
        msg = (
            f"Cox model '{label}' ({n} patients, {events} deaths): {'; '.join(problems)}. "
            f"Refitted with a ridge penalty {PENALIZER:g}; its hazard ratios are shrunken "
            "and their intervals are not valid for inference. Check for a group with no "
            "deaths or a covariate that predicts the outcome perfectly."
        )
        warnings.warn(msg, ConvergenceWarning, stacklevel=2)
        notes.append(msg)
        cph, problems2 = _fit(df, PENALIZER)
        if cph is None:
            notes.append("penalised refit failed too: " + "; ".join(problems2))
            return CoxModelResult(_empty_table(terms), n, events, True, tuple(notes))
    assert cph is not None
    s = cph.summary
    table = _empty_table(terms).set_index("term")
    table.loc[usable, "coef"] = s["coef"].to_numpy()
    table.loc[usable, "se"] = s["se(coef)"].to_numpy()
    table.loc[usable, "hr"] = s["exp(coef)"].to_numpy()
    table.loc[usable, "ci_lower"] = s["exp(coef) lower 95%"].to_numpy()
    table.loc[usable, "ci_upper"] = s["exp(coef) upper 95%"].to_numpy()
    table.loc[usable, "p"] = s["p"].to_numpy()
    if ph_test:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                ph = proportional_hazard_test(cph, df, time_transform="rank").summary
                pcol = ph["p"]
                pcol.index = [i if isinstance(i, str) else i[0] for i in pcol.index]
                table.loc[usable, "ph_p"] = pcol.reindex(usable).to_numpy()
            except (ValueError, np.linalg.LinAlgError) as exc:  # pragma: no cover
                notes.append(f"PH test not computed: {exc}")
    return CoxModelResult(
        table.reset_index(), n, events, penalized, tuple(notes),
        float(cph.log_likelihood_), cph,
    )


def group_design(
    groups: ArrayLike, group_order: Sequence[str], reference: str | None = None
) -> pd.DataFrame:
    """Indicator columns ``"<g> vs <reference>"`` for every group but the reference.

    The reference defaults to the first group of ``group_order`` (for the scores, the
    lowest score group). Missing labels give a row of NaN (left out of the fit).
    """
    order = [str(g) for g in group_order]
    ref = order[0] if reference is None else reference
    g = pd.Series(np.asarray(groups, dtype=object), dtype=object)
    out = pd.DataFrame(index=range(len(g)))
    miss = g.isna().to_numpy()
    for lab in order:
        if lab == ref:
            continue
        col = (g.astype(str) == lab).astype(float).to_numpy()
        col[miss] = np.nan
        out[f"{lab} vs {ref}"] = col
    return out


def _dummies(values: pd.Series, reference: str, prefix: str) -> pd.DataFrame:
    cats = [c for c in pd.unique(values.dropna()) if c != reference]
    out = pd.DataFrame(index=values.index)
    miss = values.isna().to_numpy()
    for c in sorted(cats, key=str):
        col = (values == c).astype(float).to_numpy()
        col[miss] = np.nan
        out[f"{prefix}: {c} vs {reference}"] = col
    return out


def factor_designs(frame: pd.DataFrame, min_site_n: int = 10) -> dict[str, pd.DataFrame]:
    """Covariate columns for each canonical prognostic factor present in ``frame``.

    Continuous factors enter linearly with a clinically readable unit: age per 10 years,
    KPS per 10 points, albumin per g/dL, counts per focus. Categories are indicator
    columns against a reference: visceral metastases vs none, Frankel A-B and C-D vs E
    (the revised Tokuhashi palsy grouping, Tokuhashi 2005 (Spine 30:2186)), primary
    site vs breast (sites with fewer than ``min_site_n`` patients are pooled as
    "other sites": assumption, to avoid separation in sparse categories).

    Returns
    -------
    dict
        factor name -> DataFrame of its covariate columns (aligned with ``frame``).
    """
    out: dict[str, pd.DataFrame] = {}

    def num(col: str, scale: float, term: str) -> None:
        if col in frame.columns and frame[col].notna().any():
            out[col] = pd.DataFrame(
                {term: pd.to_numeric(frame[col], errors="coerce").astype(float) / scale}
            )

    num("age", 10.0, "age (per 10 years)")
    num("kps", 10.0, "KPS (per 10 points)")
    num("ecog", 1.0, "ECOG (per point)")
    num("extraspinal_bone_mets", 1.0, "extraspinal bone metastases (per focus)")
    num("vertebral_mets", 1.0, "vertebral metastases (per vertebra)")
    num("albumin", 1.0, "albumin (per g/dL)")
    if "sex" in frame.columns and frame["sex"].notna().any():
        out["sex"] = _dummies(frame["sex"].astype(object), "female", "sex")
    if "visceral_mets" in frame.columns and frame["visceral_mets"].notna().any():
        out["visceral_mets"] = _dummies(frame["visceral_mets"].astype(object), "none",
                                        "visceral metastases")
    if "frankel" in frame.columns and frame["frankel"].notna().any():
        fr = frame["frankel"].astype(object).map(
            {"A": "A-B", "B": "A-B", "C": "C-D", "D": "C-D", "E": "E"}
        )
        out["frankel"] = _dummies(fr, "E", "Frankel")
    for col in ("cord_compression", "back_pain", "ambulatory", "pathologic_fracture"):
        if col in frame.columns and frame[col].notna().any():
            v = frame[col].astype("boolean")
            out[col] = pd.DataFrame(
                {col.replace("_", " ") + " (yes vs no)": v.astype("Float64").astype(float)}
            )
    if "primary_site" in frame.columns and frame["primary_site"].notna().any():
        site = frame["primary_site"].astype(object)
        counts = site.value_counts()
        rare = counts.index[counts < min_site_n]
        pooled = site.where(~site.isin(rare) | site.isna(), "other sites")
        ref = "breast" if (pooled == "breast").any() else str(pooled.value_counts().index[0])
        out["primary_site"] = _dummies(pooled, ref, "primary site")
    return {k: v for k, v in out.items() if v.shape[1] > 0}
