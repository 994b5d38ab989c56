"""Calibration solver: find the baseline and free effects that meet the survival targets.

The solver draws one large fixed-seed covariate sample (``[calibration] n`` and
``seed``) and treats the survival targets as smooth functions of the free parameters
``theta = (log scale, log shape, site_effect_scale, kps_log_hr_per_10)``: with
``S_i(t) = exp(-(t / scale)^shape exp(lp_i))`` the population survival at ``t`` is the
sample mean of ``S_i(t)``, and a (group) median ``m`` solves ``mean_i S_i(m) = 0.5``
(Newton on ``u = shape * log(m / scale)``, which does not depend on the baseline).
Harrell's C of the revised Tokuhashi score is its expectation without censoring over
``2 n`` fixed random pairs, ``P(T_i > T_j) = exp(lp_j) / (exp(lp_i) + exp(lp_j))``
(score ties count 1/2); it fixes the spread of ``lp`` (C does not depend on the
baseline), the medians then fix the baseline scale and shape.
No event times are drawn, so the objective has no Monte Carlo step noise and
:func:`scipy.optimize.least_squares` converges to the same answer on every run.
Residuals are ``(achieved - target) / tolerance`` for the targets with
``solve = true``. The administrative follow-up is then solved with
:func:`scipy.optimize.brentq` for ``targets.censored_percent`` using
``P(censored_i) = S_i(C_i)`` with the sample's censoring times ``C_i``.

If a solved target stays outside its tolerance the spec cannot be met and a
:class:`cohort.errors.SpecError` names the target(s).

Run ``python -m synthetic.calibrate --write`` to refresh the cached solution of the
packaged default spec (``synthetic/specs/default_solution.json``).
"""

from __future__ import annotations

import argparse
import json
import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import optimize, special

from cohort.errors import SpecError
from synthetic.model import build_model, sample_for_solver
from synthetic.spec import FREE_PARAMETERS, TARGET_GROUPS, Parameters, Spec, Target

__all__ = ["MODEL_VERSION", "SolverReport", "cached_parameters", "resolve", "solve"]

#: Bump when the generative model changes in a way that changes solved parameters.
MODEL_VERSION = 1
_SOLUTION_FILE = "specs/default_solution.json"


@dataclass(frozen=True)
class SolverReport:
    """Outcome of :func:`solve`.

    Attributes
    ----------
    parameters
        The solved :class:`~synthetic.spec.Parameters`.
    table
        DataFrame [target, value, achieved, tolerance, passed]: population values of
        the solver's sample (not a finite generated cohort).
    n, seed
        Size and seed of the solver's sample.
    cost
        Final least-squares cost (half the sum of squared scaled residuals).
    """

    parameters: Parameters
    table: pd.DataFrame
    n: int
    seed: int
    cost: float


def _target_scale(t: Target) -> tuple[float, float]:
    centre = t.value if t.value is not None else (t.low + t.high) / 2
    tol = t.tolerance if t.tolerance is not None else (t.high - t.low) / 2
    return centre, max(tol, 1e-6 * max(abs(centre), 1.0))


def _median_u(lp: np.ndarray) -> float:
    """u with mean(exp(-exp(u + lp))) = 1/2."""
    u = math.log(math.log(2.0)) - float(np.median(lp))
    for _ in range(50):
        h = np.exp(u + lp)
        s = np.exp(-h)
        f = float(s.mean()) - 0.5
        df = -float((h * s).mean())
        step = f / df
        u -= max(min(step, 2.0), -2.0)
        if abs(step) < 1e-10:
            break
    return u


class _Objective:
    def __init__(self, spec: Spec, sample: dict[str, np.ndarray]) -> None:
        self.spec = spec
        self.sample = sample
        self.targets = [t for t in spec.targets if t.solve]
        # Fixed random pairs for the expected Harrell's C (no censoring): for a pair,
        # P(T_i > T_j) = exp(lp_j) / (exp(lp_i) + exp(lp_j)) under proportional hazards.
        n = len(sample["fixed"])
        pair_rng = np.random.default_rng(spec.calibration_seed)
        i = pair_rng.integers(0, n, 2 * n)
        j = pair_rng.integers(0, n, 2 * n)
        keep = i != j
        self.pair_i, self.pair_j = i[keep], j[keep]
        score = sample["score"]
        self.pair_sign = np.sign(score[self.pair_i] - score[self.pair_j])
        groups = sample["group"]
        self.group_rows = [np.flatnonzero(groups == g) for g in range(len(TARGET_GROUPS))]
        for t in self.targets:
            if t.name.startswith("tokuhashi_median"):
                g = TARGET_GROUPS.index(t.name[len("tokuhashi_median["):-1])
                if len(self.group_rows[g]) < 100:
                    raise SpecError(
                        f"spec entry 'targets.tokuhashi_median.\"{TARGET_GROUPS[g]}\"' cannot "
                        f"be reached: only {len(self.group_rows[g])} of "
                        f"{len(groups)} simulated patients fall in that group. Change the "
                        "covariate distributions or drop the target."
                    )

    def lp(self, s: float, b: float) -> np.ndarray:
        smp = self.sample
        return smp["fixed"] + s * smp["profile"] + b * smp["units"]

    def achieved(self, x: np.ndarray) -> dict[str, float]:
        log_scale, log_shape, s, b = (float(v) for v in x)
        k = math.exp(log_shape)
        lp = self.lp(s, b)
        out: dict[str, float] = {}
        for t in self.targets:
            if t.name == "overall_median":
                out[t.name] = math.exp(log_scale + _median_u(lp) / k)
            elif t.name.startswith("tokuhashi_median"):
                g = TARGET_GROUPS.index(t.name[len("tokuhashi_median["):-1])
                out[t.name] = math.exp(log_scale + _median_u(lp[self.group_rows[g]]) / k)
            elif t.name == "tokuhashi_harrell_c":
                p_i_longer = special.expit(lp[self.pair_j] - lp[self.pair_i])
                sign = self.pair_sign
                c = np.where(sign > 0, p_i_longer, np.where(sign < 0, 1 - p_i_longer, 0.5))
                out[t.name] = float(c.mean())
            elif t.name.startswith("survival_"):
                months = float(t.name.split("_")[1])
                h = np.exp(k * (math.log(months) - log_scale) + lp)
                out[t.name] = 100.0 * float(np.exp(-h).mean())
        return out

    def residuals(self, x: np.ndarray) -> np.ndarray:
        got = self.achieved(x)
        res = []
        for t in self.targets:
            centre, tol = _target_scale(t)
            res.append((got[t.name] - centre) / tol)
        return np.array(res)


def _solve_followup(spec: Spec, sample: dict[str, np.ndarray], lp: np.ndarray,
                    scale: float, shape: float) -> float:
    names = [t.name for t in spec.targets]
    if "censored_percent" not in names:
        return spec.followup_months
    target = spec.target("censored_percent")
    centre, _ = _target_scale(target)
    u = sample["u"]
    entry = u[1] * spec.accrual_months
    loss = (-np.log1p(-u[2]) / spec.loss_rate) if spec.loss_rate > 0 else np.full(len(lp), np.inf)
    risk = np.exp(lp)

    def censored(f: float) -> float:
        c = np.minimum(spec.accrual_months + f - entry, loss)
        return 100.0 * float(np.exp(-np.power(c / scale, shape) * risk).mean())

    hi_f = 1200.0
    most, least = censored(0.0), censored(hi_f)
    if not least <= centre <= most:
        raise SpecError(
            f"spec entry 'targets.censored_percent' ({centre:g}%) cannot be reached: with the "
            f"accrual of {spec.accrual_months:g} months and loss rate {spec.loss_rate:g}/month "
            f"the censored share runs from {least:.1f}% (long follow-up) to {most:.1f}% "
            "(follow-up ends with accrual). Change the target or the censoring entries."
        )
    return float(optimize.brentq(lambda f: censored(f) - centre, 0.0, hi_f, xtol=1e-6))


def solve(spec: Spec) -> SolverReport:
    """Solve the free parameters of ``spec`` for its survival targets.

    Raises
    ------
    SpecError
        If a target with ``solve = true`` stays outside its tolerance (naming it).
    """
    start = Parameters(
        baseline_scale=spec.free["baseline_scale"][0],
        baseline_shape=spec.free["baseline_shape"][0],
        site_effect_scale=spec.free["site_effect_scale"][0],
        kps_log_hr_per_10=spec.free["kps_log_hr_per_10"][0],
        followup_months=spec.followup_months,
    )
    model = build_model(spec, start)
    sample = sample_for_solver(model, spec.calibration_n, spec.calibration_seed)
    obj = _Objective(spec, sample)
    transforms: tuple[Callable[[float], float], ...] = (math.log, math.log, float, float)
    x0 = np.array([f(spec.free[name][0]) for f, name in zip(transforms, FREE_PARAMETERS,
                                                             strict=True)])
    lo = np.array([f(spec.free[name][1]) for f, name in zip(transforms, FREE_PARAMETERS,
                                                             strict=True)])
    hi = np.array([f(spec.free[name][2]) for f, name in zip(transforms, FREE_PARAMETERS,
                                                             strict=True)])
    fixed = lo >= hi
    if obj.targets:
        free_idx = np.flatnonzero(~fixed)

        def fun(xf: np.ndarray) -> np.ndarray:
            x = x0.copy()
            x[free_idx] = xf
            return obj.residuals(x)

        fit = optimize.least_squares(fun, x0[free_idx], bounds=(lo[free_idx], hi[free_idx]),
                                     method="trf", x_scale=1.0, xtol=1e-10, ftol=1e-10)
        x = x0.copy()
        x[free_idx] = fit.x
        cost = float(fit.cost)
    else:
        x, cost = x0, 0.0
    scale, shape, s, b = math.exp(x[0]), math.exp(x[1]), float(x[2]), float(x[3])
    got = obj.achieved(x)
    rows = []
    for t in obj.targets:
        rows.append({"target": t.name, "value": t.describe(), "achieved": got[t.name],
                     "tolerance": t.tolerance, "passed": t.contains(got[t.name])})
    table = pd.DataFrame(rows, columns=["target", "value", "achieved", "tolerance", "passed"])
    missed = table[~table["passed"]] if len(table) else table
    if len(missed):
        detail = "; ".join(f"targets.{r.target}: wanted {r.value}, best reachable "
                           f"{r.achieved:.3g}" for r in missed.itertuples())
        raise SpecError(
            f"the survival model cannot reach {len(missed)} target(s): {detail}. The free "
            f"parameters ended at baseline_scale = {scale:.4g}, baseline_shape = {shape:.4g}, "
            f"site_effect_scale = {s:.4g}, kps_log_hr_per_10 = {b:.4g}. Loosen or change "
            "these targets, or widen the bounds in [survival.free]."
        )
    followup = _solve_followup(spec, sample, obj.lp(s, b), scale, shape)
    params = Parameters(scale, shape, s, b, followup)
    return SolverReport(params, table, spec.calibration_n, spec.calibration_seed, cost)


def _solution_path() -> Path:
    return Path(str(resources.files("synthetic").joinpath(_SOLUTION_FILE)))


def cached_parameters(spec: Spec) -> Parameters | None:
    """The cached solution if it was solved for exactly this spec and model version."""
    path = _solution_path()
    if not path.exists():
        return None
    doc = json.loads(path.read_text())
    if doc.get("spec_hash") != spec.hash or doc.get("model_version") != MODEL_VERSION:
        return None
    return Parameters(**{k: float(v) for k, v in doc["parameters"].items()})


def resolve(spec: Spec) -> Spec:
    """``spec`` with its solved parameters attached (cached or freshly solved)."""
    if spec.parameters is not None:
        return spec
    params = cached_parameters(spec)
    if params is None:
        params = solve(spec).parameters
    return replace(spec, parameters=params)


def _write_default() -> SolverReport:  # pragma: no cover - maintenance command
    from synthetic.spec import load_raw, parse_spec

    spec = parse_spec(load_raw())
    report = solve(spec)
    doc = {
        "spec_hash": spec.hash,
        "model_version": MODEL_VERSION,
        "solver": {"n": report.n, "seed": report.seed, "cost": report.cost},
        "parameters": report.parameters.as_dict(),
        "achieved": {r.target: r.achieved for r in report.table.itertuples()},
    }
    path = _solution_path()
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(doc, indent=2, sort_keys=True) + "\n")
    tmp.replace(path)
    return report


def main(argv: list[str] | None = None) -> int:  # pragma: no cover - maintenance command
    """``python -m synthetic.calibrate [--write]``: solve the default spec and print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true",
                        help="write the cached solution of the default spec")
    args = parser.parse_args(argv)
    if args.write:
        report = _write_default()
    else:
        from synthetic.spec import load_raw, parse_spec

        report = solve(parse_spec(load_raw()))
    print(report.table.to_string(index=False))
    print(json.dumps(report.parameters.as_dict(), indent=2))
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
