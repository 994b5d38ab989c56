"""Validation statistics: discrimination, calibration, bootstrap optimism, comparison."""

from cohort.validation.concordance import harrell_c
from cohort.validation.optimism import OptimismResult, optimism_corrected_c

__all__ = ["OptimismResult", "harrell_c", "optimism_corrected_c"]
