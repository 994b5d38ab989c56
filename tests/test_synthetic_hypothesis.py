"""Property: any valid spec and any n >= 1 give a frame that passes the schema."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cohort.schema import FRANKEL_GRADES, PRIMARY_SITES, SPINAL_REGIONS, validate_cohort
from synthetic.model import build_model, generate_frame
from synthetic.spec import KPS_LEVELS, Parameters, load_raw, parse_spec

SRC = {"source": "assumption", "reason": "property test"}


def _shares(draw: Any, keys: tuple[str, ...], *, percent: bool = True) -> dict[str, Any]:
    w = np.array(draw(st.lists(st.integers(0, 20), min_size=len(keys), max_size=len(keys))),
                 dtype=float)
    if w.sum() == 0:
        w[0] = 1.0
    p = w / w.sum() * (100.0 if percent else 1.0)
    return {**SRC, **{k: float(v) for k, v in zip(keys, p, strict=True)}}


@st.composite
def specs(draw: Any) -> Any:
    raw = load_raw()
    raw["primary_site"]["share"] = _shares(draw, PRIMARY_SITES)
    raw["sex"]["male_probability"] = {
        **SRC, **{s: draw(st.floats(0, 1)) for s in PRIMARY_SITES if draw(st.booleans())},
    }
    raw["spinal_region"]["share"] = _shares(draw, SPINAL_REGIONS)
    raw["kps"]["distribution"] = _shares(draw, tuple(str(k) for k in KPS_LEVELS))
    raw["frankel"]["distribution"] = _shares(draw, FRANKEL_GRADES)
    raw["visceral_mets"]["distribution"] = _shares(draw, ("none", "removable", "unremovable"))
    raw["extraspinal_bone_mets"]["distribution"] = _shares(draw, ("0", "1-2", "3+"))
    raw["vertebral_mets"]["distribution"] = _shares(draw, ("1", "2", "3+"))
    raw["latent"]["loading"] = {**SRC, **{
        k: draw(st.floats(-0.95, 0.95)) for k in
        ("kps", "frankel", "visceral_mets", "extraspinal_bone_mets", "vertebral_mets", "albumin")
    }}
    raw["cord_compression"]["percent"] = {**SRC, "value": draw(st.floats(0, 100))}
    raw["back_pain"]["percent"] = {**SRC, "value": draw(st.floats(0, 100))}
    raw["censoring"]["loss_rate_per_month"] = {**SRC, "value": draw(st.floats(0, 0.5))}
    raw["censoring"]["accrual_months"] = {**SRC, "value": draw(st.floats(0, 120))}
    teaching = raw["teaching"]
    if draw(st.booleans()):
        cols = draw(st.lists(st.sampled_from(["kps", "sex", "frankel", "back_pain", "albumin",
                                              "vertebral_mets", "sins_pain"]),
                             unique=True, max_size=3))
        miss = {}
        for c in cols:
            if c != "albumin" and draw(st.booleans()):
                miss[c] = {"mechanism": "MAR", "percent": draw(st.floats(0, 100)),
                           "driver": "age", "strength": draw(st.floats(-3, 3))}
            else:
                miss[c] = {"mechanism": "MCAR", "percent": draw(st.floats(0, 100))}
        teaching["missingness"] = {**SRC, **miss}
    teaching["treatment"]["enabled"] = draw(st.booleans())
    teaching["measurement_error"]["enabled"] = draw(st.booleans())
    teaching["nonproportional"]["enabled"] = draw(st.booleans())
    spec = parse_spec(raw)
    params = Parameters(
        baseline_scale=draw(st.floats(0.5, 300)), baseline_shape=draw(st.floats(0.3, 3)),
        site_effect_scale=draw(st.floats(0, 2)), kps_log_hr_per_10=draw(st.floats(0, 1)),
        followup_months=draw(st.floats(0, 120)),
    )
    return replace(spec, parameters=params)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(spec=specs(), n=st.integers(1, 400), seed=st.integers(0, 2**32 - 1))
def test_any_valid_spec_gives_a_schema_valid_frame(spec: Any, n: int, seed: int) -> None:
    frame, _ = generate_frame(build_model(spec, spec.parameters), n, seed)
    assert len(frame) == n
    valid = validate_cohort(frame, require=("time_months", "event"))
    assert len(valid) == n
    assert (frame["time_months"] >= 0).all()
    assert np.isfinite(frame["true_lp"]).all()
