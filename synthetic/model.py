"""The generative model: covariates with their dependence, then proportional-hazards survival.

Covariates
----------
- ``primary_site`` from the shares of ``[primary_site.share]``; ``sex`` given the
  site (``[sex.male_probability]``); ``age`` normal with a site shift, clipped.
- A latent standard-normal *disease burden* ``B`` per patient. KPS, Frankel grade,
  visceral metastases, extraspinal bone metastases and number of vertebrae are
  thresholded normals ``site_shift[site] + a * B + sqrt(1 - a^2) * noise`` (higher =
  worse), so they are correlated with each other through ``B`` and depend on the site.
  The thresholds are solved so that each population marginal equals the distribution
  in the spec exactly (a mixture of normals over the sites). Albumin falls with ``B``.
- ``ambulatory`` = Frankel D or E *and* KPS >= 50 (Frankel A-C: no useful motor
  function; KPS <= 40: disabled). ``ecog`` from KPS by the usual conversion
  (90-100 -> 0, 70-80 -> 1, 50-60 -> 2, 30-40 -> 3, 10-20 -> 4; assumption).
- ``cord_compression`` logistic in the Frankel grade, intercept solved for the
  percent; ``back_pain`` Bernoulli; ``spinal_region`` categorical; SINS components
  from the conditional tables (location | region, pain | back pain, lesion | site;
  the others independent); ``pathologic_fracture`` = SINS collapse (< or > 50%).

Survival
--------
Weibull proportional hazards, ``H(t | x) = (t / scale)^shape * exp(lp)`` with
``lp = site_effect_scale * profile[site] + kps_log_hr_per_10 * (100 - kps) / 10
+ sum_j log(HR_j) x_j`` (terms in :data:`synthetic.spec.HAZARD_TERMS`; age enters as
``(age - centre) / 10``). ``lp`` is returned as ``true_lp``; ``true_event_time`` is
the latent death time. Censoring: uniform accrual over ``accrual_months``,
administrative end ``followup_months`` after accrual closes, and exponential loss to
follow-up; ``true_censor_time`` is the earlier of the two.

Teaching switches (``[teaching.*]``, all off by default) use their own random
streams, so switching one on leaves the rest of the cohort (same seed) unchanged:

- missingness: per column, MCAR (``percent``) or MAR (logistic in a fully observed
  ``driver`` column among age/kps/albumin, ``strength`` per SD, intercept set for the
  percent by Gauss-Hermite quadrature on a normal approximation of the driver);
- nonproportional: the chosen binary term acts with its hazard ratio before
  ``change_month`` and with ``late_hazard_ratio`` afterwards (``true_lp`` holds the
  early effect);
- treatment: a column (default ``surgery``) assigned with
  ``logit P = intercept + log_odds_per_point * (tokuhashi_revised - centre)``
  (confounding by indication) with true hazard ratio ``hazard_ratio``;
- measurement_error: recorded ``kps`` = true KPS + normal error rounded to the
  10-point grid and clipped to 10-100; survival follows ``true_kps``.

References
----------
Bender R, Augustin T, Blettner M. Generating survival times to simulate Cox
proportional hazards models. Stat Med 2005;24:1713-23 (inverse-transform Weibull
survival times).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize, special

from cohort.errors import SpecError
from cohort.schema import (
    FRANKEL_GRADES,
    PRIMARY_SITES,
    SEXES,
    SINS_ALIGNMENT,
    SINS_COLLAPSE,
    SINS_LESION,
    SINS_LOCATION,
    SINS_PAIN,
    SINS_POSTEROLATERAL,
    SPINAL_REGIONS,
    VISCERAL_METS,
)
from synthetic.scoring import tokuhashi_revised
from synthetic.spec import HAZARD_TERMS, KPS_LEVELS, Parameters, Spec

__all__ = [
    "CHUNK_ROWS",
    "Covariates",
    "Model",
    "build_model",
    "draw_covariates",
    "generate_frame",
    "linear_predictor_parts",
]

#: Rows generated per random stream; row i depends only on the seed and i.
CHUNK_ROWS = 1 << 16
_N_UNIFORM = 17
_N_NORMAL = 8
_KPS = np.array(KPS_LEVELS, dtype=np.int64)
_ECOG_BY_KPS = {100: 0, 90: 0, 80: 1, 70: 1, 60: 2, 50: 2, 40: 3, 30: 3, 20: 4, 10: 4}
_ORDINALS = ("kps", "frankel", "visceral_mets", "extraspinal_bone_mets", "vertebral_mets")
_REFERENCE_SITE = "breast"


@dataclass(frozen=True)
class Model:
    """A spec compiled for generation: thresholds, intercepts and coefficients."""

    spec: Spec
    params: Parameters
    thresholds: Mapping[str, np.ndarray] = field(repr=False)
    cord_intercept: float
    mar_intercepts: Mapping[str, float]

    @property
    def site_log_hr(self) -> np.ndarray:
        """Log hazard ratio of each primary site vs breast."""
        return self.params.site_effect_scale * (
            self.spec.site_profile - self.spec.site_profile[PRIMARY_SITES.index(_REFERENCE_SITE)]
        )

    def coefficients(self) -> pd.Series:
        """True log hazard ratios, indexed by design-matrix column name."""
        coef: dict[str, float] = {}
        site_beta = self.site_log_hr
        for i, s in enumerate(PRIMARY_SITES):
            if s != _REFERENCE_SITE:
                coef[f"site_{s}"] = float(site_beta[i])
        coef["kps_per_10_below_100"] = self.params.kps_log_hr_per_10
        for term in HAZARD_TERMS:
            coef[term] = float(self.spec.log_hr[term])
        if self.spec.treatment.get("enabled"):
            coef[str(self.spec.treatment["column"])] = float(self.spec.treatment["log_hr"])
        return pd.Series(coef, name="log_hr")


# ------------------------------------------------------------------ compiling a spec


def _mixture_thresholds(site_p: np.ndarray, shift: np.ndarray, probs: np.ndarray,
                        entry: str) -> np.ndarray:
    """Thresholds t_k with sum_s p_s Phi(t_k - shift_s) = cumulative probs[:k+1]."""
    cum = np.cumsum(probs)[:-1]
    used = site_p > 0
    p, mu = site_p[used], shift[used]
    out = np.empty(len(cum))
    for k, c in enumerate(cum):
        if c <= 0:
            out[k] = -np.inf
            continue
        if c >= 1 - 1e-15:
            out[k] = np.inf
            continue

        def f(t: float, c: float = c) -> float:
            return float(np.dot(p, special.ndtr(t - mu)) - c)

        lo, hi = mu.min() - 40.0, mu.max() + 40.0
        try:
            out[k] = optimize.brentq(f, lo, hi, xtol=1e-12)
        except ValueError as exc:  # pragma: no cover - f is monotone with a sign change
            raise SpecError(f"spec entry '{entry}': thresholds cannot be solved ({exc}).") from None
    return out


def _cord_intercept(spec: Spec) -> float:
    frankel_p = spec.ordinal_p["frankel"]  # E..A order, like cord_lor

    def f(a: float) -> float:
        return float(np.dot(frankel_p, special.expit(a + spec.cord_lor)) - spec.cord_p)

    if spec.cord_p <= 0:
        return -np.inf
    if spec.cord_p >= 1:
        return np.inf
    return float(optimize.brentq(f, -800.0, 800.0, xtol=1e-12))


def _driver_moments(spec: Spec, driver: str) -> tuple[float, float]:
    if driver == "age":
        mean = float(np.dot(spec.site_p, spec.age_mean + spec.age_site_shift))
        var = spec.age_sd**2 + float(
            np.dot(spec.site_p, (spec.age_mean + spec.age_site_shift - mean) ** 2)
        )
        return mean, math.sqrt(var)
    if driver == "kps":
        p = spec.ordinal_p["kps"]
        mean = float(np.dot(p, _KPS))
        return mean, math.sqrt(float(np.dot(p, (_KPS - mean) ** 2)))
    return spec.albumin_mean, max(spec.albumin_sd, 1e-9)


def _mar_intercepts(spec: Spec) -> dict[str, float]:
    nodes, weights = np.polynomial.hermite_e.hermegauss(60)
    weights = weights / weights.sum()
    out: dict[str, float] = {}
    for col, conf in spec.missingness.items():
        p = float(conf["p"])
        if conf["mechanism"] != "MAR":
            continue
        if p <= 0 or p >= 1:
            out[col] = -np.inf if p <= 0 else np.inf
            continue
        s = float(conf["strength"])

        def f(a: float, s: float = s, p: float = p) -> float:
            return float(np.dot(weights, special.expit(a + s * nodes)) - p)

        out[col] = float(optimize.brentq(f, -800.0, 800.0, xtol=1e-12))
    return out


def build_model(spec: Spec, params: Parameters) -> Model:
    """Compile ``spec`` with solved ``params`` into a :class:`Model`."""
    thresholds = {
        col: _mixture_thresholds(spec.site_p, spec.site_shift[col], spec.ordinal_p[col],
                                 f"{col}.distribution")
        for col in _ORDINALS
    }
    return Model(spec, params, thresholds, _cord_intercept(spec), _mar_intercepts(spec))


# ------------------------------------------------------------------ drawing covariates


@dataclass
class Covariates:
    """Integer-coded covariates of one chunk (before survival)."""

    site: np.ndarray
    male: np.ndarray
    age: np.ndarray
    kps: np.ndarray
    frankel: np.ndarray  # index into FRANKEL_GRADES (A..E)
    visceral: np.ndarray  # index into VISCERAL_METS
    extraspinal: np.ndarray
    vertebral: np.ndarray
    albumin: np.ndarray
    region: np.ndarray
    cord: np.ndarray
    back_pain: np.ndarray
    ambulatory: np.ndarray
    sins: dict[str, np.ndarray]
    uniforms: np.ndarray  # the survival/censoring uniforms (3 x m)


def _categorical(u: np.ndarray, p: np.ndarray) -> np.ndarray:
    cum = np.cumsum(p)[:-1]
    return np.searchsorted(cum, u, side="right").astype(np.int8)


def _conditional(u: np.ndarray, row: np.ndarray, table: np.ndarray) -> np.ndarray:
    cum = np.cumsum(table, axis=1)[:, :-1]
    k = cum.shape[1]
    if k == 0:
        return np.zeros(len(u), dtype=np.int8)
    out = (u > cum[row, 0]).astype(np.int8)
    for j in range(1, k):
        out += u > cum[row, j]
    return out


def _geometric(u: np.ndarray, mean_extra: float) -> np.ndarray:
    """Geometric on {0, 1, ...} with the given mean, by inversion."""
    if mean_extra <= 0:
        return np.zeros(len(u), dtype=np.int64)
    q = 1.0 / (1.0 + mean_extra)
    return np.floor(np.log1p(-u) / math.log1p(-q)).astype(np.int64)


def draw_covariates(model: Model, rngs: tuple[np.random.Generator, np.random.Generator],
                    m: int) -> Covariates:
    """Draw ``m`` patients' covariates (uniforms from ``rngs[0]``, normals from ``rngs[1]``)."""
    spec = model.spec
    # Drawn patient-major and transposed, so that patient i's variates do not depend
    # on the chunk length (a larger n extends a smaller one).
    u = np.ascontiguousarray(rngs[0].random((m, _N_UNIFORM)).T)
    z = np.ascontiguousarray(rngs[1].standard_normal((m, _N_NORMAL)).T)
    site = np.searchsorted(np.cumsum(spec.site_p)[:-1], u[0], side="right").astype(np.int8)
    male = u[1] < spec.male_p[site]
    age = spec.age_mean + spec.age_site_shift[site] + spec.age_sd * z[0]
    np.clip(age, spec.age_min, spec.age_max, out=age)
    age = np.round(age, 1)
    burden = z[1]
    cats: dict[str, np.ndarray] = {}
    for j, col in enumerate(_ORDINALS):
        a = spec.loading[col]
        latent = spec.site_shift[col][site] + a * burden + math.sqrt(1 - a * a) * z[2 + j]
        cats[col] = np.searchsorted(model.thresholds[col], latent).astype(np.int8)
    kps = _KPS[cats["kps"]]
    frankel = (4 - cats["frankel"]).astype(np.int8)
    visceral = cats["visceral_mets"]
    ext_cat = cats["extraspinal_bone_mets"]
    extraspinal = np.where(
        ext_cat == 0, 0,
        np.where(ext_cat == 1, 1 + (u[2] >= spec.extraspinal_p_one),
                 3 + _geometric(u[2], spec.extraspinal_mean_extra)),
    ).astype(np.int64)
    vert_cat = cats["vertebral_mets"]
    vertebral = np.where(vert_cat < 2, vert_cat + 1,
                         3 + _geometric(u[3], spec.vertebral_mean_extra)).astype(np.int64)
    a = spec.loading["albumin"]
    albumin = spec.albumin_mean - spec.albumin_sd * (a * burden + math.sqrt(1 - a * a) * z[7])
    np.clip(albumin, 1.0, 6.0, out=albumin)
    albumin = np.round(albumin, 1)
    region = _categorical(u[4], spec.region_p)
    cord = u[5] < special.expit(model.cord_intercept + spec.cord_lor[4 - frankel])
    back = u[6] < spec.back_pain_p
    ambulatory = (frankel >= 3) & (kps >= 50)
    sins = {
        "sins_location": _conditional(u[7], region, spec.sins_location),
        "sins_pain": _conditional(u[8], back.astype(np.int8), spec.sins_pain),
        "sins_lesion": _conditional(u[9], site, spec.sins_lesion),
        "sins_alignment": _categorical(u[10], spec.sins_alignment),
        "sins_collapse": _categorical(u[11], spec.sins_collapse),
        "sins_posterolateral": _categorical(u[12], spec.sins_posterolateral),
    }
    return Covariates(site, male, age, kps, frankel, visceral, extraspinal, vertebral,
                      albumin, region, cord, back, ambulatory, sins, u[13:16])


def linear_predictor_parts(model: Model, cov: Covariates) -> tuple[np.ndarray, ...]:
    """``(fixed_lp, site_profile, kps_units)`` with ``lp = fixed + s * profile + b * units``.

    ``fixed_lp`` holds the hazard-ratio terms of the spec; the solver varies the
    site-effect scale ``s`` and the KPS effect ``b``.
    """
    spec = model.spec
    lhr = spec.log_hr
    fixed = (lhr["age_per_10_years"] / 10.0) * (cov.age - spec.age_centre)
    fixed += lhr["male"] * cov.male
    fixed += lhr["non_ambulatory"] * ~cov.ambulatory
    fixed += np.where(cov.frankel <= 1, lhr["frankel_AB"],
                      np.where(cov.frankel <= 3, lhr["frankel_CD"], 0.0))
    fixed += np.where(cov.visceral == 1, lhr["visceral_removable"],
                      np.where(cov.visceral == 2, lhr["visceral_unremovable"], 0.0))
    fixed += np.where(cov.extraspinal >= 3, lhr["extraspinal_3plus"],
                      np.where(cov.extraspinal >= 1, lhr["extraspinal_1_2"], 0.0))
    fixed += np.where(cov.vertebral >= 3, lhr["vertebral_3plus"],
                      np.where(cov.vertebral == 2, lhr["vertebral_2"], 0.0))
    ref = spec.site_profile[PRIMARY_SITES.index(_REFERENCE_SITE)]
    profile = (spec.site_profile - ref)[cov.site]
    units = (100 - cov.kps) / 10.0
    return fixed, profile, units


def _term_indicator(cov: Covariates, term: str) -> np.ndarray:
    return {
        "non_ambulatory": ~cov.ambulatory,
        "frankel_CD": (cov.frankel == 2) | (cov.frankel == 3),
        "frankel_AB": cov.frankel <= 1,
        "visceral_removable": cov.visceral == 1,
        "visceral_unremovable": cov.visceral == 2,
        "extraspinal_1_2": (cov.extraspinal >= 1) & (cov.extraspinal <= 2),
        "extraspinal_3plus": cov.extraspinal >= 3,
        "vertebral_2": cov.vertebral == 2,
        "vertebral_3plus": cov.vertebral >= 3,
        "male": cov.male,
    }[term]


# ------------------------------------------------------------------ the output frame


class _Columns:
    """Preallocated output arrays, filled chunk by chunk (no final concatenation)."""

    def __init__(self, n: int, spec: Spec) -> None:
        self.n = n
        f8, i8, i1, b1 = np.float64, np.int64, np.int8, np.bool_
        self.data: dict[str, np.ndarray] = {
            "age": np.empty(n, f8), "sex": np.empty(n, i1), "primary_site": np.empty(n, i1),
            "kps": np.empty(n, i8), "ecog": np.empty(n, i8),
            "extraspinal_bone_mets": np.empty(n, i8), "vertebral_mets": np.empty(n, i8),
            "visceral_mets": np.empty(n, i1), "frankel": np.empty(n, i1),
            "spinal_region": np.empty(n, i1), "cord_compression": np.empty(n, b1),
            "back_pain": np.empty(n, b1), "ambulatory": np.empty(n, b1),
            "albumin": np.empty(n, f8), "pathologic_fracture": np.empty(n, b1),
            "sins_location": np.empty(n, i1), "sins_pain": np.empty(n, i1),
            "sins_lesion": np.empty(n, i1), "sins_alignment": np.empty(n, i1),
            "sins_collapse": np.empty(n, i1), "sins_posterolateral": np.empty(n, i1),
            "time_months": np.empty(n, f8), "event": np.empty(n, i8),
            "true_lp": np.empty(n, f8), "true_event_time": np.empty(n, f8),
            "true_censor_time": np.empty(n, f8),
        }  # fmt: skip
        if spec.treatment.get("enabled"):
            self.data[str(spec.treatment["column"])] = np.empty(n, b1)
        if spec.measurement_error.get("enabled"):
            self.data["true_kps"] = np.empty(n, i8)
        self.missing: dict[str, np.ndarray] = {
            col: np.zeros(n, dtype=bool) for col in spec.missingness
        }


_CATEGORIES: dict[str, tuple[str, ...]] = {
    "sex": SEXES, "primary_site": PRIMARY_SITES, "visceral_mets": VISCERAL_METS,
    "frankel": FRANKEL_GRADES, "spinal_region": SPINAL_REGIONS,
    "sins_location": SINS_LOCATION, "sins_pain": SINS_PAIN, "sins_lesion": SINS_LESION,
    "sins_alignment": SINS_ALIGNMENT, "sins_collapse": SINS_COLLAPSE,
    "sins_posterolateral": SINS_POSTEROLATERAL,
}  # fmt: skip
_INTS = ("kps", "ecog", "extraspinal_bone_mets", "vertebral_mets")
_BOOLS = ("cord_compression", "back_pain", "ambulatory", "pathologic_fracture")


def _chunk_rngs(seed: int, chunk: int) -> tuple[np.random.Generator, ...]:
    base = np.random.SeedSequence(entropy=seed, spawn_key=(chunk,))
    return tuple(np.random.default_rng(s) for s in base.spawn(5))


def _survival_times(model: Model, cov: Covariates, lp: np.ndarray,
                    surgery: np.ndarray | None) -> np.ndarray:
    p = model.params
    e = -np.log1p(-cov.uniforms[0])
    spec = model.spec
    nonprop = spec.nonproportional
    if surgery is not None:
        lp = lp + spec.treatment["log_hr"] * surgery
    if not nonprop.get("enabled"):
        return p.baseline_scale * np.power(e * np.exp(-lp), 1.0 / p.baseline_shape)
    term = str(nonprop["term"])
    x = _term_indicator(cov, term)
    early = spec.log_hr[term]
    lp_rest = lp - early * x
    t0 = float(nonprop["change_month"])
    h0_t0 = (t0 / p.baseline_scale) ** p.baseline_shape
    c_early = np.exp(lp_rest + early * x)
    c_late = np.exp(lp_rest + nonprop["late_log_hr"] * x)
    before = e <= c_early * h0_t0
    h0 = np.where(before, e / c_early, h0_t0 + (e - c_early * h0_t0) / c_late)
    return p.baseline_scale * np.power(h0, 1.0 / p.baseline_shape)


def _fill_chunk(model: Model, cols: _Columns, start: int, m: int, seed: int, chunk: int) -> int:
    spec = model.spec
    rng_u, rng_z, rng_miss, rng_treat, rng_err = _chunk_rngs(seed, chunk)
    cov = draw_covariates(model, (rng_u, rng_z), m)
    sl = slice(start, start + m)
    d = cols.data
    d["age"][sl] = cov.age
    d["sex"][sl] = cov.male
    d["primary_site"][sl] = cov.site
    d["kps"][sl] = cov.kps
    d["ecog"][sl] = np.searchsorted(-np.array([80, 60, 40, 20]), -cov.kps, side="right")
    d["extraspinal_bone_mets"][sl] = cov.extraspinal
    d["vertebral_mets"][sl] = cov.vertebral
    d["visceral_mets"][sl] = cov.visceral
    d["frankel"][sl] = cov.frankel
    d["spinal_region"][sl] = cov.region
    d["cord_compression"][sl] = cov.cord
    d["back_pain"][sl] = cov.back_pain
    d["ambulatory"][sl] = cov.ambulatory
    d["albumin"][sl] = cov.albumin
    for name, codes in cov.sins.items():
        d[name][sl] = codes
    d["pathologic_fracture"][sl] = cov.sins["sins_collapse"] <= 1
    fixed, profile, units = linear_predictor_parts(model, cov)
    p = model.params
    lp = fixed + p.site_effect_scale * profile + p.kps_log_hr_per_10 * units
    surgery = None
    treat = spec.treatment
    if treat.get("enabled"):
        score = tokuhashi_revised(cov.site, cov.kps, cov.extraspinal, cov.vertebral,
                                  cov.visceral, cov.frankel)
        prob = special.expit(treat["intercept"] + treat["log_odds_per_point"]
                             * (score - treat["centre"]))
        surgery = rng_treat.random(m) < prob
        d[str(treat["column"])][sl] = surgery
    with np.errstate(over="ignore", divide="ignore"):  # extreme specs: T = inf is censored
        t = _survival_times(model, cov, lp, surgery)
    d["true_lp"][sl] = lp if surgery is None else lp + treat["log_hr"] * surgery
    entry = cov.uniforms[1] * spec.accrual_months
    admin = spec.accrual_months + p.followup_months - entry
    if spec.loss_rate > 0:
        with np.errstate(over="ignore"):  # a tiny rate: never lost (inf)
            loss = -np.log1p(-cov.uniforms[2]) / spec.loss_rate
        censor = np.minimum(admin, loss)
    else:
        censor = admin
    d["true_event_time"][sl] = t
    d["true_censor_time"][sl] = censor
    event = t <= censor
    d["time_months"][sl] = np.where(event, t, censor)
    d["event"][sl] = event
    err = spec.measurement_error
    if err.get("enabled"):
        d["true_kps"][sl] = cov.kps
        noisy = cov.kps + err["sd"] * rng_err.standard_normal(m)
        d["kps"][sl] = np.clip(np.round(noisy / 10.0) * 10, 10, 100).astype(np.int64)
        d["ecog"][sl] = np.searchsorted(-np.array([80, 60, 40, 20]), -d["kps"][sl],
                                        side="right")
    if spec.missingness:
        u_miss = rng_miss.random((m, len(spec.missingness))).T
        for k, (col, conf) in enumerate(spec.missingness.items()):
            if conf["mechanism"] == "MCAR":
                p_miss: Any = conf["p"]
            else:
                mean, sd = _driver_moments(spec, str(conf["driver"]))
                z = (d[str(conf["driver"])][sl] - mean) / sd
                p_miss = special.expit(model.mar_intercepts[col] + conf["strength"] * z)
            cols.missing[col][sl] = u_miss[k] < p_miss
    return _N_UNIFORM * m + _N_NORMAL * m


def _patient_ids(n: int) -> pd.Series:
    import pyarrow as pa
    import pyarrow.compute as pc

    width = max(6, len(str(n)))
    nums = pc.cast(pa.array(np.arange(1, n + 1, dtype=np.int64)), pa.string())
    padded = pc.utf8_lpad(nums, width=width, padding="0")
    ids = pc.binary_join_element_wise(pa.scalar("SYN-"), padded, "")
    return pd.Series(pd.arrays.ArrowStringArray(ids), name="patient_id")


def generate_frame(model: Model, n: int, seed: int) -> tuple[pd.DataFrame, int]:
    """Generate ``n`` patients; returns the frame and the number of variates drawn."""
    cols = _Columns(n, model.spec)
    variates = 0
    for chunk, start in enumerate(range(0, n, CHUNK_ROWS)):
        m = min(CHUNK_ROWS, n - start)
        variates += _fill_chunk(model, cols, start, m, seed, chunk)
    d, miss = cols.data, cols.missing
    out: dict[str, Any] = {"patient_id": _patient_ids(n).array}
    for name, values in d.items():
        mask = miss.get(name)
        if name in _CATEGORIES:
            codes = values if mask is None else np.where(mask, -1, values).astype(np.int8)
            out[name] = pd.Categorical.from_codes(
                codes, categories=pd.Index(_CATEGORIES[name])  # type: ignore[arg-type]
            )
        elif name in _INTS:
            out[name] = pd.arrays.IntegerArray(
                values, mask if mask is not None else np.zeros(n, dtype=bool))
        elif name in _BOOLS:
            out[name] = pd.arrays.BooleanArray(
                values, mask if mask is not None else np.zeros(n, dtype=bool))
        elif mask is not None:
            values[mask] = np.nan
            out[name] = values
        else:
            out[name] = values
    frame = pd.DataFrame(out, copy=False)
    return frame, variates


def sample_for_solver(model: Model, n: int, seed: int) -> dict[str, np.ndarray]:
    """Covariate summaries of a fixed-seed sample, for the calibration solver."""
    parts: dict[str, list[np.ndarray]] = {k: [] for k in
                                          ("fixed", "profile", "units", "group", "u")}
    for chunk, start in enumerate(range(0, n, CHUNK_ROWS)):
        m = min(CHUNK_ROWS, n - start)
        rngs = _chunk_rngs(seed, chunk)
        cov = draw_covariates(model, (rngs[0], rngs[1]), m)
        fixed, profile, units = linear_predictor_parts(model, cov)
        score = tokuhashi_revised(cov.site, cov.kps, cov.extraspinal, cov.vertebral,
                                  cov.visceral, cov.frankel)
        parts["fixed"].append(fixed)
        parts["profile"].append(profile)
        parts["units"].append(units)
        parts["group"].append((score >= 9).astype(np.int8) + (score >= 12))
        parts.setdefault("score", []).append(score.astype(np.float64))
        parts["u"].append(cov.uniforms)
    return {k: np.concatenate(v, axis=-1) for k, v in parts.items()}
