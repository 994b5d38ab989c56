"""Methods text and references for the report: one entry per statistic, and the
published reference of each score (taken from the score registry).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["STATISTICS", "Statistic", "score_reference"]


@dataclass(frozen=True)
class Statistic:
    """One statistic in the methods section: what was done and where it comes from."""

    key: str
    title: str
    text: str
    references: tuple[str, ...]


STATISTICS: tuple[Statistic, ...] = (
    Statistic(
        "km", "Kaplan-Meier estimates",
        "Overall survival from the diagnosis of spinal metastasis, in months (1 month = "
        "365.25/12 days), was estimated with the Kaplan-Meier method (lifelines). Pointwise "
        "95% confidence intervals use Greenwood's variance on the log(-log) scale; the median "
        "is the first time with S(t) <= 0.5 and its interval the range where the band crosses "
        "0.5. The number at risk at time t is the number of patients with an observed time "
        ">= t. Censoring marks show patients alive at their last follow-up.",
        ("Kaplan EL, Meier P. Nonparametric estimation from incomplete observations. "
         "J Am Stat Assoc 1958;53:457-481.",
         "Greenwood M. The natural duration of cancer. Rep Public Health Med Subj 1926;33:1-26.",
         "Brookmeyer R, Crowley J. A confidence interval for the median survival time. "
         "Biometrics 1982;38:29-41."),
    ),
    Statistic(
        "logrank", "Log-rank tests",
        "Survival was compared across the groups of each score with the log-rank test, and "
        "across ordered groups with the log-rank test for trend.",
        ("Peto R, Peto J. Asymptotically efficient rank invariant test procedures. "
         "J R Stat Soc A 1972;135:185-207.",
         "Collett D. Modelling Survival Data in Medical Research, 3rd ed. CRC Press 2015, "
         "section 2.6.4."),
    ),
    Statistic(
        "cox", "Cox proportional-hazards models",
        "Hazard ratios per score point, by score group against the lowest group, and for "
        "each clinical factor were estimated with Cox models (lifelines; Efron's method "
        "for ties) with Wald 95% confidence intervals; a multivariable model holds the "
        "revised Tokuhashi items. Proportional hazards were checked with the Schoenfeld-"
        "residual test. A model that failed to converge or showed separation was refitted "
        "with a small ridge penalty and flagged (its intervals are then not for "
        "inference). A hazard ratio below 1 per point means that a higher score goes "
        "with longer survival.",
        ("Cox DR. Regression models and life-tables. J R Stat Soc B 1972;34:187-220.",
         "Efron B. The efficiency of Cox's likelihood function for censored data. "
         "J Am Stat Assoc 1977;72:557-565.",
         "Grambsch PM, Therneau TM. Proportional hazards tests and diagnostics based on "
         "weighted residuals. Biometrika 1994;81:515-526."),
    ),
    Statistic(
        "c_index", "Concordance (C-index)",
        "Harrell's C is the share of usable patient pairs whose order of death agrees with "
        "the order of their scores (ties in score count one half); scores are oriented so "
        "that a score working as its authors intended is above 0.5. Its 95% interval is a "
        "percentile bootstrap (patients resampled). Uno's C weights pairs by the inverse "
        "probability of censoring and is less dependent on the censoring pattern. The "
        "optimism-corrected C subtracts the mean bootstrap optimism of a Cox model on the "
        "score (Harrell's method, as rms::validate).",
        ("Harrell FE, Califf RM, Pryor DB, Lee KL, Rosati RA. Evaluating the yield of "
         "medical tests. JAMA 1982;247:2543-2546.",
         "Uno H, Cai T, Pencina MJ, D'Agostino RB, Wei LJ. On the C-statistics for evaluating "
         "overall adequacy of risk prediction procedures with censored survival data. "
         "Stat Med 2011;30:1105-1117.",
         "Harrell FE, Lee KL, Mark DB. Multivariable prognostic models. Stat Med "
         "1996;15:361-387."),
    ),
    Statistic(
        "td_auc", "Time-dependent AUC",
        "The cumulative/dynamic AUC at time t is the probability that a patient who died by "
        "t has a worse score than a patient still alive at t, with inverse-probability-of-"
        "censoring weights (scikit-survival).",
        ("Uno H, Cai T, Tian L, Wei LJ. Evaluating prediction rules for t-year survivors "
         "with censored regression models. J Am Stat Assoc 2007;102:527-537.",
         "Hung H, Chiang CT. Estimation methods for time-dependent AUC models with survival "
         "data. Can J Stat 2010;38:8-26."),
    ),
    Statistic(
        "brier", "Brier score",
        "The Brier score at a horizon is the mean squared difference between the survival "
        "predicted by a Cox model on the score and the observed status, with inverse-"
        "probability-of-censoring weights (scikit-survival); the integrated Brier score "
        "(IBS) averages it over follow-up up to the last horizon. Lower is better.",
        ("Graf E, Schmoor C, Sauerbrei W, Schumacher M. Assessment and comparison of "
         "prognostic classification schemes for survival data. Stat Med 1999;18:2529-2545.",),
    ),
    Statistic(
        "calibration", "Calibration",
        "Predicted survival at each horizon comes from a Cox model on the score (Breslow "
        "baseline). Patients are grouped by predicted survival (one group per distinct "
        "prediction when the score has few values) and the mean predicted survival of "
        "each group is set against its Kaplan-Meier survival with the 95% interval; points "
        "on the diagonal mean perfect calibration. The calibration slope (Cox model of "
        "follow-up censored at the horizon on log(-log) predicted survival; 1 is ideal) "
        "and the integrated calibration index (ICI, mean absolute difference between "
        "predicted and smoothed observed risk) summarise agreement.",
        ("Royston P, Altman DG. External validation of a Cox prognostic model: principles "
         "and methods. BMC Med Res Methodol 2013;13:33.",
         "Austin PC, Harrell FE, van Klaveren D. Graphical calibration curves and the "
         "integrated calibration index (ICI) for survival models. Stat Med "
         "2020;39:2714-2742."),
    ),
    Statistic(
        "consistency", "Consistency rate",
        "For scores whose groups predict a survival band (revised Tokuhashi: < 6, 6-12, "
        ">= 12 months), the consistency rate is the share of patients whose survival fell "
        "in the band predicted by their group, the measure reported by the score's "
        "authors. Patients censored before their band's end cannot be classified; they "
        "are left out of the rate and counted in the consistency table.",
        ("Tokuhashi Y, Matsuzaki H, Oda H, Oshima M, Ryu J. A revised scoring system for "
         "preoperative evaluation of metastatic spine tumor prognosis. Spine "
         "2005;30:2186-2191.",
         "Tokuhashi Y, Ajiro Y, Umezawa N. Outcome of treatment for spinal metastases using "
         "scoring system for preoperative evaluation of prognosis. Spine 2009;34:69-73."),
    ),
)


def score_reference(name: str, registry: Mapping[str, object] | None = None) -> str:
    """The published reference of a registered score, or a note for a user-supplied column."""
    if registry is not None and name in registry:
        ref = getattr(registry[name], "reference", None)
        if ref:
            return str(ref)
    return "user-supplied score column (no published reference)"
