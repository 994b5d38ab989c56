"""Synthetic spinal-metastasis cohorts calibrated to documented distributions, with a known truth.

Quick start::

    import synthetic
    df = synthetic.generate(2_000, seed=1)        # canonical schema + true_* columns
    t = synthetic.truth()                         # true log hazard ratios, baseline
    X = synthetic.design_matrix(df)               # X @ t.coefficients == df.true_lp

Every number of the generator comes from a TOML specification with its source
(``synthetic/specs/default.toml``); :func:`load_spec` merges a user file over it and
solves the survival parameters for the user's targets (:mod:`synthetic.calibrate`).
:func:`calibration_check` compares a generated cohort with every target.

Truth columns added to the canonical schema (all prefixed ``true_``):
``true_lp`` (log relative hazard vs the reference patient: breast primary, KPS 100,
ambulatory, Frankel E, no visceral/extraspinal metastases, one vertebra, female,
age = centre), ``true_event_time`` (latent death time, months) and
``true_censor_time`` (months); ``true_kps`` with the measurement-error switch, and a
treatment column (default ``surgery``) with the treatment switch.
"""

from __future__ import annotations

from synthetic.api import (
    Truth,
    default_spec,
    design_matrix,
    generate,
    load_spec,
    truth,
)
from synthetic.check import calibration_check

__all__ = [
    "Truth",
    "calibration_check",
    "default_spec",
    "design_matrix",
    "generate",
    "load_spec",
    "truth",
]
