"""Public API: load a spec, generate a cohort, expose the true parameters."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from cohort.errors import SpecError
from cohort.schema import PRIMARY_SITES
from synthetic.calibrate import resolve
from synthetic.model import Model, build_model, generate_frame
from synthetic.spec import Parameters, Spec, load_raw, parse_spec

__all__ = ["Truth", "default_spec", "design_matrix", "generate", "load_spec", "truth"]

REFERENCE_SITE = "breast"


def load_spec(path: str | Path | None = None) -> Spec:
    """Load, validate and calibrate a spec (the packaged default when ``path`` is None).

    A user file is merged over the default. The survival parameters are taken from
    the cached solution when the spec is the default, otherwise solved (a few seconds,
    deterministic).

    Raises
    ------
    SpecError
        Naming the offending entry, including targets the model cannot reach.
    """
    return resolve(parse_spec(load_raw(path)))


@functools.lru_cache(maxsize=1)
def default_spec() -> Spec:
    """The packaged default spec (loaded once; specs are immutable)."""
    return load_spec(None)


def _as_spec(spec: Spec | str | Path | None) -> Spec:
    if spec is None:
        return default_spec()
    if isinstance(spec, Spec):
        return resolve(spec)
    return load_spec(spec)


def _model(spec: Spec) -> Model:
    params = spec.parameters
    assert params is not None  # resolve() attaches them
    return build_model(spec, params)


def generate(n: int, seed: int = 0, spec: Spec | str | Path | None = None) -> pd.DataFrame:
    """Generate a synthetic cohort of ``n`` patients.

    Parameters
    ----------
    n
        Number of patients (>= 0).
    seed
        Seed of the random streams; the same (n, seed, spec) gives an identical frame,
        and row ``i`` depends only on the seed and ``i`` (a larger ``n`` extends a
        smaller one).
    spec
        A :class:`~synthetic.spec.Spec`, a path to a TOML spec, or None (default).

    Returns
    -------
    pandas.DataFrame
        The canonical schema columns (categorical, nullable Int64 and boolean dtypes)
        plus the truth columns documented in :mod:`synthetic`.
    """
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 0:
        raise SpecError(f"n must be a whole number >= 0, got {n!r}.")
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise SpecError(f"seed must be a whole number >= 0, got {seed!r}.")
    frame, _ = generate_frame(_model(_as_spec(spec)), int(n), int(seed))
    return frame


@dataclass(frozen=True)
class Truth:
    """The true parameters of a spec.

    Attributes
    ----------
    coefficients
        True log hazard ratios by design-matrix column (see :func:`design_matrix`).
    parameters
        Solved :class:`~synthetic.spec.Parameters` (Weibull baseline scale and shape in
        months, the site and KPS effects, the follow-up after accrual).
    baseline
        ``"weibull"``: ``H0(t) = (t / baseline_scale) ** baseline_shape``.
    reference
        Description of the reference patient (``true_lp = 0``).
    """

    coefficients: pd.Series
    parameters: Parameters
    baseline: str
    reference: str

    @property
    def hazard_ratios(self) -> pd.Series:
        """``exp(coefficients)``."""
        return np.exp(self.coefficients).rename("hazard_ratio")

    def survival(self, t: np.ndarray | float, lp: np.ndarray | float = 0.0) -> np.ndarray:
        """True survival ``exp(-H0(t) exp(lp))`` (proportional hazards, switches off)."""
        p = self.parameters
        h0 = np.power(np.asarray(t, dtype=float) / p.baseline_scale, p.baseline_shape)
        return np.exp(-h0 * np.exp(lp))


def truth(spec: Spec | str | Path | None = None) -> Truth:
    """True log hazard ratios and baseline of ``spec`` (the default when None)."""
    s = _as_spec(spec)
    model = _model(s)
    return Truth(
        coefficients=model.coefficients(),
        parameters=model.params,
        baseline="weibull",
        reference=(f"{REFERENCE_SITE} primary, KPS 100, ambulatory, Frankel E, no visceral "
                   "or extraspinal metastases, one vertebra, female, age "
                   f"{s.age_centre:g}"),
    )


def design_matrix(frame: pd.DataFrame, spec: Spec | str | Path | None = None) -> pd.DataFrame:
    """The true covariates of ``frame`` as a float design matrix.

    Columns match :attr:`Truth.coefficients`, so ``design_matrix(df) @ coef`` equals
    ``df["true_lp"]`` (up to rounding). Uses ``true_kps`` when present. Rows with a
    missing covariate (missing-data switch) give NaN.
    """
    s = _as_spec(spec)
    cols: dict[str, np.ndarray] = {}
    site = frame["primary_site"].astype(object)
    for name in PRIMARY_SITES:
        if name != REFERENCE_SITE:
            cols[f"site_{name}"] = _flag(site == name, site.isna())
    kps_col = "true_kps" if "true_kps" in frame.columns else "kps"
    kps = frame[kps_col].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    cols["kps_per_10_below_100"] = (100.0 - kps) / 10.0
    amb = frame["ambulatory"].astype("boolean")
    cols["non_ambulatory"] = _flag(amb == False, amb.isna())  # noqa: E712
    fr = frame["frankel"].astype(object)
    cols["frankel_CD"] = _flag(fr.isin(["C", "D"]), fr.isna())
    cols["frankel_AB"] = _flag(fr.isin(["A", "B"]), fr.isna())
    vis = frame["visceral_mets"].astype(object)
    cols["visceral_removable"] = _flag(vis == "removable", vis.isna())
    cols["visceral_unremovable"] = _flag(vis == "unremovable", vis.isna())
    ext = frame["extraspinal_bone_mets"].astype("Float64").to_numpy(dtype=float,
                                                                    na_value=np.nan)
    cols["extraspinal_1_2"] = np.where(np.isnan(ext), np.nan, (ext >= 1) & (ext <= 2))
    cols["extraspinal_3plus"] = np.where(np.isnan(ext), np.nan, ext >= 3)
    ver = frame["vertebral_mets"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    cols["vertebral_2"] = np.where(np.isnan(ver), np.nan, ver == 2)
    cols["vertebral_3plus"] = np.where(np.isnan(ver), np.nan, ver >= 3)
    sex = frame["sex"].astype(object)
    cols["male"] = _flag(sex == "male", sex.isna())
    age = frame["age"].to_numpy(dtype=float, na_value=np.nan)
    cols["age_per_10_years"] = (age - s.age_centre) / 10.0
    if s.treatment.get("enabled"):
        col = str(s.treatment["column"])
        cols[col] = frame[col].to_numpy(dtype=float, na_value=np.nan)
    return pd.DataFrame({k: np.asarray(v, dtype=float) for k, v in cols.items()},
                        index=frame.index)


def _flag(mask: pd.Series, missing: pd.Series) -> np.ndarray:
    out = mask.fillna(False).to_numpy(dtype=float)
    out[missing.to_numpy(dtype=bool)] = np.nan
    return out
