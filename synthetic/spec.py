"""Loading and validating synthetic-cohort specifications (TOML).

A specification holds every target and parameter of the generator, each with its
provenance (a seed document by file name, a paper key of the clinical reference
file, or ``source = "assumption"`` with a ``reason``). The packaged default lives in
``synthetic/specs/default.toml``; a user file is merged over it, so it only needs the
entries it changes (``[meta] extends = "none"`` starts from an empty spec instead).

Every problem is a :class:`cohort.errors.SpecError` naming the entry (for example
``primary_site.share``) and what to do.
"""

from __future__ import annotations

import copy
import hashlib
import json
import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from cohort.errors import SpecError
from cohort.schema import (
    FRANKEL_GRADES,
    PRIMARY_SITES,
    SINS_ALIGNMENT,
    SINS_COLLAPSE,
    SINS_LESION,
    SINS_LOCATION,
    SINS_PAIN,
    SINS_POSTEROLATERAL,
    SPINAL_REGIONS,
)

__all__ = [
    "FREE_PARAMETERS",
    "HAZARD_TERMS",
    "KPS_LEVELS",
    "MISSINGNESS_COLUMNS",
    "Parameters",
    "Spec",
    "Target",
    "default_spec_path",
    "load_raw",
    "parse_spec",
    "spec_hash",
]

#: KPS values, best first (the latent scale runs from good to poor condition).
KPS_LEVELS: tuple[int, ...] = (100, 90, 80, 70, 60, 50, 40, 30, 20, 10)
#: Frankel grades, best (E) first.
FRANKEL_ORDER: tuple[str, ...] = ("E", "D", "C", "B", "A")
VISCERAL_ORDER: tuple[str, ...] = ("none", "removable", "unremovable")
EXTRASPINAL_ORDER: tuple[str, ...] = ("0", "1-2", "3+")
VERTEBRAL_ORDER: tuple[str, ...] = ("1", "2", "3+")
LATENT_COLUMNS: tuple[str, ...] = (
    "kps", "frankel", "visceral_mets", "extraspinal_bone_mets", "vertebral_mets", "albumin",
)  # fmt: skip
#: Hazard-ratio terms of the survival model (besides site and KPS, which are solved).
HAZARD_TERMS: tuple[str, ...] = (
    "non_ambulatory", "frankel_CD", "frankel_AB", "visceral_removable",
    "visceral_unremovable", "extraspinal_1_2", "extraspinal_3plus", "vertebral_2",
    "vertebral_3plus", "male", "age_per_10_years",
)  # fmt: skip
#: Parameters the calibration solver determines.
FREE_PARAMETERS: tuple[str, ...] = (
    "baseline_scale", "baseline_shape", "site_effect_scale", "kps_log_hr_per_10",
)  # fmt: skip
#: Columns that the missing-data teaching switch may blank out.
MISSINGNESS_COLUMNS: tuple[str, ...] = (
    "age", "sex", "primary_site", "kps", "ecog", "extraspinal_bone_mets", "vertebral_mets",
    "visceral_mets", "frankel", "spinal_region", "cord_compression", "back_pain",
    "ambulatory", "albumin", "pathologic_fracture", "sins_location", "sins_pain",
    "sins_lesion", "sins_alignment", "sins_collapse", "sins_posterolateral",
)  # fmt: skip
MAR_DRIVERS: tuple[str, ...] = ("age", "kps", "albumin")
TARGET_GROUPS: tuple[str, ...] = ("0-8", "9-11", "12-15")
_META_KEYS = frozenset({"source", "reason"})


@dataclass(frozen=True)
class Target:
    """One calibration target: ``value`` +- ``tolerance``, or the range ``low``..``high``.

    ``solve`` marks the survival targets the calibration solver fits; the others are
    only checked.
    """

    name: str
    low: float
    high: float
    value: float | None
    tolerance: float | None
    solve: bool
    source: str

    def contains(self, x: float) -> bool:
        """Whether ``x`` is within the target's tolerance."""
        return bool(np.isfinite(x) and self.low <= x <= self.high)

    def describe(self) -> str:
        """``"10 +- 1.5"`` or ``"0.62-0.70"``."""
        if self.value is not None and self.tolerance is not None:
            return f"{self.value:g} ± {self.tolerance:g}"
        return f"{self.low:g}-{self.high:g}"


@dataclass(frozen=True)
class Parameters:
    """Parameters set by the calibration solver (see :mod:`synthetic.calibrate`)."""

    baseline_scale: float
    baseline_shape: float
    site_effect_scale: float
    kps_log_hr_per_10: float
    followup_months: float

    def as_dict(self) -> dict[str, float]:
        """Plain dict (for caching and reports)."""
        return {
            "baseline_scale": self.baseline_scale,
            "baseline_shape": self.baseline_shape,
            "site_effect_scale": self.site_effect_scale,
            "kps_log_hr_per_10": self.kps_log_hr_per_10,
            "followup_months": self.followup_months,
        }


@dataclass(frozen=True, eq=False)
class Spec:
    """A parsed, validated specification (arrays indexed like the vocabularies).

    Attributes hold probabilities (not percent); site arrays follow
    :data:`cohort.schema.PRIMARY_SITES`, region arrays
    :data:`cohort.schema.SPINAL_REGIONS`, ordinal arrays the ``*_ORDER`` tuples of this
    module (best category first). ``raw`` is the merged TOML document and ``hash`` its
    fingerprint (without the cached solution). Specs compare by identity (they hold
    arrays); compare ``hash`` to test two specs for equal content.
    """

    raw: Mapping[str, Any] = field(repr=False)
    hash: str
    site_p: np.ndarray = field(repr=False)
    male_p: np.ndarray = field(repr=False)
    age_mean: float
    age_sd: float
    age_min: float
    age_max: float
    age_site_shift: np.ndarray = field(repr=False)
    region_p: np.ndarray = field(repr=False)
    back_pain_p: float
    loading: Mapping[str, float]
    ordinal_p: Mapping[str, np.ndarray] = field(repr=False)
    site_shift: Mapping[str, np.ndarray] = field(repr=False)
    extraspinal_p_one: float
    extraspinal_mean_extra: float
    vertebral_mean_extra: float
    cord_p: float
    cord_lor: np.ndarray = field(repr=False)  # by FRANKEL_ORDER
    albumin_mean: float
    albumin_sd: float
    sins_location: np.ndarray = field(repr=False)  # region x location
    sins_pain: np.ndarray = field(repr=False)  # (no back pain, back pain) x pain
    sins_lesion: np.ndarray = field(repr=False)  # site x lesion
    sins_alignment: np.ndarray = field(repr=False)
    sins_collapse: np.ndarray = field(repr=False)
    sins_posterolateral: np.ndarray = field(repr=False)
    log_hr: Mapping[str, float]
    age_centre: float
    site_profile: np.ndarray = field(repr=False)
    free: Mapping[str, tuple[float, float, float]]  # start, lower, upper
    accrual_months: float
    followup_months: float
    loss_rate: float
    targets: tuple[Target, ...]
    missingness: Mapping[str, Mapping[str, Any]]
    nonproportional: Mapping[str, Any]
    treatment: Mapping[str, Any]
    measurement_error: Mapping[str, Any]
    calibration_seed: int
    calibration_n: int
    parameters: Parameters | None = None

    def target(self, name: str) -> Target:
        """The target called ``name`` (e.g. ``"tokuhashi_median[0-8]"``)."""
        for t in self.targets:
            if t.name == name:
                return t
        raise KeyError(name)


# --------------------------------------------------------------------------- loading


def default_spec_path() -> Path:
    """Path of the packaged default specification."""
    return Path(str(resources.files("synthetic").joinpath("specs/default.toml")))


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise SpecError(f"spec file {path} not found. Pass an existing TOML file.") from None
    except tomllib.TOMLDecodeError as exc:
        raise SpecError(f"spec file {path} is not valid TOML: {exc}. Fix the syntax.") from None


def _merge(base: dict[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = _merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def load_raw(path: str | Path | None = None) -> dict[str, Any]:
    """The merged TOML document: the default, with the user file (if any) over it."""
    base = _read_toml(default_spec_path())
    if path is None:
        return base
    user = _read_toml(Path(path))
    if str(user.get("meta", {}).get("extends", "default")) == "none":
        return user
    return _merge(base, user)


def spec_hash(raw: Mapping[str, Any]) -> str:
    """Fingerprint of a spec document (the ``calibration.solution`` table excluded)."""
    doc = copy.deepcopy(dict(raw))
    cal = doc.get("calibration")
    if isinstance(cal, dict):
        cal.pop("solution", None)
    text = json.dumps(doc, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


# --------------------------------------------------------------------------- parsing


def _section(raw: Mapping[str, Any], path: str) -> Mapping[str, Any]:
    node: Any = raw
    for part in path.split("."):
        if not isinstance(node, Mapping) or part not in node:
            raise SpecError(f"spec entry '{path}' is missing. Add the [{path}] table.")
        node = node[part]
    if not isinstance(node, Mapping):
        raise SpecError(f"spec entry '{path}' must be a table.")
    return node


def _check_source(entry: str, source: Any, reason: Any) -> None:
    if not isinstance(source, str) or not source.strip():
        raise SpecError(
            f"spec entry '{entry}' has no source. Add source = \"<seed file or paper key>\" "
            "or source = \"assumption\" with a reason."
        )
    if source.strip() == "assumption" and (not isinstance(reason, str) or not reason.strip()):
        raise SpecError(
            f"spec entry '{entry}' is an assumption without a reason. Add reason = \"...\"."
        )


def _number(entry: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise SpecError(f"spec entry '{entry}' must be a number, got {value!r}.")
    x = float(value)
    if not math.isfinite(x):
        raise SpecError(f"spec entry '{entry}' must be finite, got {value!r}.")
    return x


def _sourced_values(raw: Mapping[str, Any], path: str) -> dict[str, Any]:
    """Values of a table whose ``source``/``reason`` apply to all plain entries."""
    table = _section(raw, path)
    tsource, treason = table.get("source"), table.get("reason")
    out: dict[str, Any] = {}
    for key, value in table.items():
        if key in _META_KEYS:
            continue
        entry = f"{path}.{key}"
        if isinstance(value, Mapping) and "value" in value:
            _check_source(entry, value.get("source", tsource),
                          value.get("reason", treason if "source" not in value else None))
            out[key] = value["value"]
        elif isinstance(value, Mapping):
            _check_source(entry, value.get("source", tsource), value.get("reason", treason))
            out[key] = {k: v for k, v in value.items() if k not in _META_KEYS}
        else:
            _check_source(entry, tsource, treason)
            out[key] = value
    return out


def _nonnegative(entry: str, value: Any) -> float:
    x = _number(entry, value)
    if x < 0:
        raise SpecError(f"spec entry '{entry}' is negative ({x:g}); it must be >= 0.")
    return x


def _positive(entry: str, value: Any) -> float:
    x = _number(entry, value)
    if x <= 0:
        raise SpecError(f"spec entry '{entry}' must be > 0, got {x:g}.")
    return x


def _distribution(
    raw: Mapping[str, Any], path: str, levels: tuple[str, ...], *, percent: bool,
    required: bool = True,
) -> np.ndarray:
    values = _sourced_values(raw, path)
    unknown = [k for k in values if k not in levels]
    if unknown:
        raise SpecError(
            f"spec entry '{path}' names unknown categories {unknown}. Allowed: {', '.join(levels)}."
        )
    if required:
        missing = [k for k in levels if k not in values]
        if missing:
            raise SpecError(
                f"spec entry '{path}' has no value for {missing}. Give every category "
                "(0 for an absent one)."
            )
    p = np.array([_nonnegative(f"{path}.{k}", values.get(k, 0.0)) for k in levels])
    total = 100.0 if percent else 1.0
    if abs(p.sum() - total) > 1e-6 * total:
        unit = "%" if percent else ""
        raise SpecError(
            f"spec entry '{path}': the shares sum to {p.sum():g}{unit}, not {total:g}{unit}. "
            "Adjust them so that they sum exactly."
        )
    return p / p.sum()


def _site_map(raw: Mapping[str, Any], path: str, default: float = 0.0) -> np.ndarray:
    values = _sourced_values(raw, path)
    base = values.pop("default", default)
    unknown = [k for k in values if k not in PRIMARY_SITES]
    if unknown:
        raise SpecError(
            f"spec entry '{path}' names unknown primary sites {unknown}. Allowed sites: "
            f"{', '.join(PRIMARY_SITES)}."
        )
    return np.array(
        [_number(f"{path}.{s}", values.get(s, base)) for s in PRIMARY_SITES], dtype=float
    )


def _row_table(
    raw: Mapping[str, Any], path: str, rows: tuple[str, ...], cols: tuple[str, ...],
    *, default_row: bool = False,
) -> np.ndarray:
    values = _sourced_values(raw, path)
    base = values.pop("default", None) if default_row else None
    unknown = [k for k in values if k not in rows]
    if unknown:
        raise SpecError(
            f"spec entry '{path}' names unknown rows {unknown}. Allowed: {', '.join(rows)}."
        )
    out = np.zeros((len(rows), len(cols)))
    for i, r in enumerate(rows):
        row = values.get(r, base)
        entry = f"{path}.{r}"
        if row is None:
            raise SpecError(f"spec entry '{entry}' is missing. Give a probability table for it.")
        if not isinstance(row, Mapping):
            raise SpecError(f"spec entry '{entry}' must be a table of probabilities.")
        out[i] = _probabilities(row, entry, cols)
    return out


def _probabilities(values: Mapping[str, Any], entry: str, cols: tuple[str, ...]) -> np.ndarray:
    """Probabilities of ``cols`` from ``values`` (absent = 0), checked to sum to 1."""
    bad = [k for k in values if k not in cols]
    if bad:
        raise SpecError(
            f"spec entry '{entry}' names unknown categories {bad}. Allowed: {', '.join(cols)}."
        )
    p = np.array([_nonnegative(f"{entry}.{c}", values.get(c, 0.0)) for c in cols])
    if abs(p.sum() - 1.0) > 1e-6:
        raise SpecError(
            f"spec entry '{entry}': the probabilities sum to {p.sum():g}, not 1. Fix them."
        )
    return p / p.sum()


def _probability_row(raw: Mapping[str, Any], path: str, cols: tuple[str, ...]) -> np.ndarray:
    return _probabilities(_sourced_values(raw, path), path, cols)


def _percent(entry: str, value: Any) -> float:
    x = _nonnegative(entry, value)
    if x > 100:
        raise SpecError(f"spec entry '{entry}' is {x:g}%, above 100%.")
    return x / 100.0


def _targets(raw: Mapping[str, Any]) -> tuple[Target, ...]:
    table = _section(raw, "targets")
    out: list[Target] = []

    def one(name: str, entry: str, t: Mapping[str, Any]) -> Target:
        _check_source(entry, t.get("source"), t.get("reason"))
        solve = bool(t.get("solve", False))
        if "value" in t:
            value = _number(f"{entry}.value", t["value"])
            tol = _nonnegative(f"{entry}.tolerance", t.get("tolerance", 0.0))
            return Target(name, value - tol, value + tol, value, tol, solve, str(t["source"]))
        if "low" in t and "high" in t:
            lo, hi = _number(f"{entry}.low", t["low"]), _number(f"{entry}.high", t["high"])
            if lo > hi:
                raise SpecError(f"spec entry '{entry}': low {lo:g} is above high {hi:g}.")
            return Target(name, lo, hi, None, None, solve, str(t["source"]))
        raise SpecError(
            f"spec entry '{entry}' needs value and tolerance, or low and high."
        )

    for key, t in table.items():
        entry = f"targets.{key}"
        if not isinstance(t, Mapping):
            raise SpecError(f"spec entry '{entry}' must be a table.")
        if key == "tokuhashi_median":
            for group, tg in t.items():
                if group not in TARGET_GROUPS:
                    raise SpecError(
                        f"spec entry '{entry}.{group}' is not a revised Tokuhashi group. "
                        f"Allowed: {', '.join(TARGET_GROUPS)}."
                    )
                target = one(f"tokuhashi_median[{group}]", f"{entry}.\"{group}\"", tg)
                if target.low <= 0:
                    raise SpecError(f"spec entry '{entry}.\"{group}\"': medians must be > 0.")
                out.append(target)
        elif key in ("site_percent", "region_percent"):
            _check_source(entry, t.get("source"), t.get("reason"))
            tol = _nonnegative(f"{entry}.tolerance", t.get("tolerance", 1.0))
            out.append(Target(key, -tol, tol, 0.0, tol, False, str(t["source"])))
        elif key in _KNOWN_TARGETS:
            target = one(key, entry, t)
            if key in ("overall_median",) and target.low <= 0:
                raise SpecError(f"spec entry '{entry}': the median must be > 0.")
            if key in _PERCENT_TARGETS and not (target.low >= 0 and target.high <= 100):
                raise SpecError(f"spec entry '{entry}' must lie within 0-100 (percent).")
            if key == "tokuhashi_harrell_c" and not (target.low >= 0 and target.high <= 1):
                raise SpecError(f"spec entry '{entry}' must lie within 0-1.")
            out.append(target)
        else:
            raise SpecError(
                f"spec entry '{entry}' is not a known target. Known targets: "
                f"{', '.join(sorted(_ALL_TARGET_KEYS))}."
            )
    return tuple(out)


_PERCENT_TARGETS = frozenset({
    "survival_6_months", "survival_12_months", "censored_percent", "male_percent",
    "percent_over_60", "percent_under_18", "cord_compression_percent", "back_pain_percent",
})  # fmt: skip
_KNOWN_TARGETS = frozenset({*_PERCENT_TARGETS, "overall_median", "tokuhashi_harrell_c",
                            "mean_age"})
_ALL_TARGET_KEYS = frozenset({*_KNOWN_TARGETS, "tokuhashi_median", "site_percent",
                             "region_percent"})
_SOLVABLE = frozenset({"overall_median", "survival_6_months", "survival_12_months",
                       "tokuhashi_harrell_c"})


def _teaching(raw: Mapping[str, Any]) -> tuple[dict[str, Any], ...]:
    teach = raw.get("teaching", {})
    missing = {k: v for k, v in dict(teach.get("missingness", {})).items() if k not in _META_KEYS}
    miss_out: dict[str, Any] = {}
    for col, conf in missing.items():
        entry = f"teaching.missingness.{col}"
        if col not in MISSINGNESS_COLUMNS:
            raise SpecError(
                f"spec entry '{entry}': column '{col}' cannot be made missing. Allowed: "
                f"{', '.join(MISSINGNESS_COLUMNS)}."
            )
        if not isinstance(conf, Mapping):
            raise SpecError(f"spec entry '{entry}' must be a table with mechanism and percent.")
        mech = str(conf.get("mechanism", "MCAR")).upper()
        if mech not in ("MCAR", "MAR"):
            raise SpecError(f"spec entry '{entry}.mechanism' must be MCAR or MAR, got {mech!r}.")
        pct = _percent(f"{entry}.percent", conf.get("percent", 0.0))
        item: dict[str, Any] = {"mechanism": mech, "p": pct}
        if mech == "MAR":
            driver = str(conf.get("driver", "age"))
            if driver not in MAR_DRIVERS:
                raise SpecError(
                    f"spec entry '{entry}.driver' must be one of {', '.join(MAR_DRIVERS)}."
                )
            if driver in missing:
                raise SpecError(
                    f"spec entry '{entry}.driver': '{driver}' is itself made missing, so "
                    "the mechanism would not be MAR. Choose a fully observed driver."
                )
            item["driver"] = driver
            item["strength"] = _number(f"{entry}.strength", conf.get("strength", 1.0))
        miss_out[col] = item
    nonprop = dict(teach.get("nonproportional", {}))
    np_out: dict[str, Any] = {"enabled": bool(nonprop.get("enabled", False))}
    if np_out["enabled"]:
        term = str(nonprop.get("term", ""))
        if term not in HAZARD_TERMS or term in ("age_per_10_years",):
            raise SpecError(
                "spec entry 'teaching.nonproportional.term' must be a binary hazard term: "
                f"{', '.join(t for t in HAZARD_TERMS if t != 'age_per_10_years')}."
            )
        np_out.update(
            term=term,
            late_log_hr=math.log(_positive("teaching.nonproportional.late_hazard_ratio",
                                           nonprop.get("late_hazard_ratio", 1.0))),
            change_month=_positive("teaching.nonproportional.change_month",
                                   nonprop.get("change_month", 6.0)),
        )
    treat = dict(teach.get("treatment", {}))
    tr_out: dict[str, Any] = {"enabled": bool(treat.get("enabled", False))}
    if tr_out["enabled"]:
        e = "teaching.treatment"
        tr_out.update(
            column=str(treat.get("column", "surgery")),
            intercept=_number(f"{e}.intercept", treat.get("intercept", -1.5)),
            log_odds_per_point=_number(f"{e}.log_odds_per_point",
                                       treat.get("log_odds_per_point", 0.5)),
            centre=_number(f"{e}.centre", treat.get("centre", 9.0)),
            log_hr=math.log(_positive(f"{e}.hazard_ratio", treat.get("hazard_ratio", 1.0))),
        )
    err = dict(teach.get("measurement_error", {}))
    me_out: dict[str, Any] = {"enabled": bool(err.get("enabled", False))}
    if me_out["enabled"]:
        if str(err.get("column", "kps")) != "kps":
            raise SpecError(
                "spec entry 'teaching.measurement_error.column': only 'kps' is supported."
            )
        me_out.update(column="kps", sd=_nonnegative("teaching.measurement_error.sd",
                                                    err.get("sd", 10.0)))
    return miss_out, np_out, tr_out, me_out


def parse_spec(raw: Mapping[str, Any]) -> Spec:
    """Validate a merged TOML document and turn it into a :class:`Spec`.

    Raises
    ------
    SpecError
        Naming the offending entry and the fix.
    """
    sites = _distribution(raw, "primary_site.share", PRIMARY_SITES, percent=True,
                          required=False)
    male = _site_map(raw, "sex.male_probability", default=0.5)
    for s, p in zip(PRIMARY_SITES, male, strict=True):
        if not 0 <= p <= 1:
            raise SpecError(f"spec entry 'sex.male_probability.{s}' = {p:g} is not a probability.")
    age = _sourced_values(raw, "age")
    age_site = age.pop("site_shift", {})
    if not isinstance(age_site, Mapping):
        raise SpecError("spec entry 'age.site_shift' must be a table of sites.")
    bad = [k for k in age_site if k not in PRIMARY_SITES]
    if bad:
        raise SpecError(f"spec entry 'age.site_shift' names unknown primary sites {bad}.")
    age_shift = np.array([_number(f"age.site_shift.{s}", age_site.get(s, 0.0))
                          for s in PRIMARY_SITES])
    age_min = _nonnegative("age.minimum", age.get("minimum", 0.0))
    age_max = _number("age.maximum", age.get("maximum", 110.0))
    if not age_min < age_max <= 110:
        raise SpecError(
            "spec entries 'age.minimum'/'age.maximum' must satisfy 0 <= min < max <= 110."
        )
    region = _distribution(raw, "spinal_region.share", SPINAL_REGIONS, percent=True,
                           required=False)
    back = _percent("back_pain.percent", _sourced_values(raw, "back_pain")["percent"])
    loading = {k: float(v) for k, v in _sourced_values(raw, "latent.loading").items()}
    for col in LATENT_COLUMNS:
        if col not in loading:
            raise SpecError(f"spec entry 'latent.loading.{col}' is missing.")
        if not -1 < loading[col] < 1:
            raise SpecError(
                f"spec entry 'latent.loading.{col}' must lie strictly between -1 and 1."
            )
    kps_levels = tuple(str(k) for k in KPS_LEVELS)
    ordinal = {
        "kps": _distribution(raw, "kps.distribution", kps_levels, percent=True),
        "frankel": _distribution(raw, "frankel.distribution", FRANKEL_ORDER, percent=True),
        "visceral_mets": _distribution(raw, "visceral_mets.distribution", VISCERAL_ORDER,
                                       percent=True),
        "extraspinal_bone_mets": _distribution(raw, "extraspinal_bone_mets.distribution",
                                               EXTRASPINAL_ORDER, percent=True),
        "vertebral_mets": _distribution(raw, "vertebral_mets.distribution", VERTEBRAL_ORDER,
                                        percent=True),
    }
    shift = {col: _site_map(raw, f"{col}.site_shift") for col in ordinal}
    ext = _sourced_values(raw, "extraspinal_bone_mets.count")
    p_one = _number("extraspinal_bone_mets.count.p_one_given_1_2", ext["p_one_given_1_2"])
    if not 0 <= p_one <= 1:
        raise SpecError(
            "spec entry 'extraspinal_bone_mets.count.p_one_given_1_2' must be a probability."
        )
    ext_extra = _nonnegative("extraspinal_bone_mets.count.mean_extra_given_3plus",
                             ext["mean_extra_given_3plus"])
    vert_extra = _nonnegative(
        "vertebral_mets.count.mean_extra_given_3plus",
        _sourced_values(raw, "vertebral_mets.count")["mean_extra_given_3plus"],
    )
    cord_p = _percent("cord_compression.percent",
                      _sourced_values(raw, "cord_compression")["percent"])
    lor = _sourced_values(raw, "cord_compression.log_odds_ratio")
    bad = [k for k in lor if k not in FRANKEL_GRADES]
    if bad:
        raise SpecError(f"spec entry 'cord_compression.log_odds_ratio' names unknown grades {bad}.")
    cord_lor = np.array([_number(f"cord_compression.log_odds_ratio.{g}", lor.get(g, 0.0))
                         for g in FRANKEL_ORDER])
    alb = _sourced_values(raw, "albumin")
    sins_loc = _row_table(raw, "sins.location_given_region", SPINAL_REGIONS, SINS_LOCATION)
    pain_rows = _row_table(raw, "sins.pain_given_back_pain", ("no", "yes"), SINS_PAIN)
    lesion = _row_table(raw, "sins.lesion_given_site", PRIMARY_SITES, SINS_LESION,
                        default_row=True)
    surv = _section(raw, "survival")
    if str(surv.get("baseline", "weibull")) != "weibull":
        raise SpecError("spec entry 'survival.baseline' must be \"weibull\".")
    hr = _sourced_values(raw, "survival.hazard_ratio")
    unknown = [k for k in hr if k not in HAZARD_TERMS]
    if unknown:
        raise SpecError(
            f"spec entry 'survival.hazard_ratio' names unknown terms {unknown}. Known terms: "
            f"{', '.join(HAZARD_TERMS)}."
        )
    log_hr = {t: math.log(_positive(f"survival.hazard_ratio.{t}", hr.get(t, 1.0)))
              for t in HAZARD_TERMS}
    centre = _number("survival.age.centre", _sourced_values(raw, "survival.age")["centre"])
    profile = _site_map(raw, "survival.site_log_hr_profile")
    free_raw = _sourced_values(raw, "survival.free")
    free: dict[str, tuple[float, float, float]] = {}
    for name in FREE_PARAMETERS:
        entry = f"survival.free.{name}"
        conf = free_raw.get(name)
        if not isinstance(conf, Mapping):
            raise SpecError(f"spec entry '{entry}' is missing (needs start, lower, upper).")
        start, lo, hi = (_number(f"{entry}.{k}", conf.get(k)) for k in ("start", "lower", "upper"))
        if not lo <= start <= hi:
            raise SpecError(f"spec entry '{entry}': need lower <= start <= upper.")
        if name in ("baseline_scale", "baseline_shape") and lo <= 0:
            raise SpecError(f"spec entry '{entry}.lower' must be > 0.")
        if name in ("site_effect_scale", "kps_log_hr_per_10") and lo < 0:
            raise SpecError(f"spec entry '{entry}.lower' is negative; effects are >= 0.")
        free[name] = (start, lo, hi)
    cens = _sourced_values(raw, "censoring")
    teach = _teaching(raw)
    cal = _section(raw, "calibration")
    cal_n = int(_positive("calibration.n", cal.get("n", 200_000)))
    targets = _targets(raw)
    names = [t.name for t in targets]
    for need in ("overall_median",):
        if need not in names:
            raise SpecError(f"spec entry 'targets.{need}' is missing; the solver needs it.")
    for t in targets:
        if t.solve and not (t.name in _SOLVABLE or t.name.startswith("tokuhashi_median")):
            raise SpecError(
                f"spec entry 'targets.{t.name}': solve = true is only supported for "
                "overall_median, survival_6_months, survival_12_months, tokuhashi_median and "
                "tokuhashi_harrell_c."
            )
    return Spec(
        raw=raw,
        hash=spec_hash(raw),
        site_p=sites,
        male_p=male,
        age_mean=_number("age.mean", age["mean"]),
        age_sd=_positive("age.sd", age["sd"]),
        age_min=age_min,
        age_max=age_max,
        age_site_shift=age_shift,
        region_p=region,
        back_pain_p=back,
        loading=loading,
        ordinal_p=ordinal,
        site_shift=shift,
        extraspinal_p_one=p_one,
        extraspinal_mean_extra=ext_extra,
        vertebral_mean_extra=vert_extra,
        cord_p=cord_p,
        cord_lor=cord_lor,
        albumin_mean=_positive("albumin.mean", alb["mean"]),
        albumin_sd=_nonnegative("albumin.sd", alb["sd"]),
        sins_location=sins_loc,
        sins_pain=pain_rows,
        sins_lesion=lesion,
        sins_alignment=_probability_row(raw, "sins.alignment", SINS_ALIGNMENT),
        sins_collapse=_probability_row(raw, "sins.collapse", SINS_COLLAPSE),
        sins_posterolateral=_probability_row(raw, "sins.posterolateral", SINS_POSTEROLATERAL),
        log_hr=log_hr,
        age_centre=centre,
        site_profile=profile,
        free=free,
        accrual_months=_nonnegative("censoring.accrual_months", cens["accrual_months"]),
        followup_months=_nonnegative("censoring.followup_months", cens["followup_months"]),
        loss_rate=_nonnegative("censoring.loss_rate_per_month", cens["loss_rate_per_month"]),
        targets=targets,
        missingness=teach[0],
        nonproportional=teach[1],
        treatment=teach[2],
        measurement_error=teach[3],
        calibration_seed=int(_nonnegative("calibration.seed", cal.get("seed", 0))),
        calibration_n=cal_n,
    )
