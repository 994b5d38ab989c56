"""Survival models: Kaplan-Meier, Cox (lifelines), the fast Cox solver, horizon models."""

from cohort.models.fast_cox import CoxFit, fit_cox

__all__ = ["CoxFit", "fit_cox"]
