"""The registry of prognostic scores: range, groups, direction, inputs and reference."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

import pandas as pd

from cohort.scores import bauer, sins, tokuhashi, tomita, van_der_linden
from cohort.scores.options import ScoreOptions

__all__ = ["REGISTRY", "ScoreDefinition", "ScoreGroup"]

Direction = Literal["higher_is_better", "higher_is_worse"]
Purpose = Literal["survival", "instability"]


@dataclass(frozen=True)
class ScoreGroup:
    """A published group of score values (``lo`` to ``hi`` inclusive).

    Parameters
    ----------
    label
        Group label as written in the score's column ``<name>_group``, e.g. ``"0-8"``.
    lo, hi
        Inclusive bounds.
    predicted_survival
        Published survival statement for the group (text), or None if none is published.
    band_months
        Predicted survival band ``(lower, upper)`` in months (upper None = open), when
        the publication predicts a band (used for consistency rates); None otherwise.
    description
        Published name of the group ("stable", "group A", ...), if any.
    source
        Source of ``predicted_survival`` / ``band_months`` / the cut points.
    """

    label: str
    lo: int
    hi: int
    predicted_survival: str | None = None
    band_months: tuple[float, float | None] | None = None
    description: str | None = None
    source: str | None = None


@dataclass(frozen=True)
class ScoreDefinition:
    """One registered score.

    ``compute(frame, options)`` returns the score as an ``Int64`` Series (NA where an
    input is missing); ``components(frame, options)`` the item points (float, NaN where
    missing). Their docstrings hold the full definition and references.
    ``unscored(frame, options)``, when set, gives the reason a score is missing although
    every input is present (an option that leaves a value unscored), NA elsewhere.
    """

    name: str
    label: str
    minimum: int
    maximum: int
    groups: tuple[ScoreGroup, ...]
    direction: Direction
    inputs: tuple[str, ...]
    reference: str
    purpose: Purpose
    compute: Callable[[pd.DataFrame, ScoreOptions | None], pd.Series]
    components: Callable[[pd.DataFrame, ScoreOptions | None], pd.DataFrame]
    evidence: str = ""
    unscored: Callable[[pd.DataFrame, ScoreOptions | None], pd.Series] | None = None

    @property
    def group_labels(self) -> tuple[str, ...]:
        """Group labels in increasing score order."""
        return tuple(g.label for g in self.groups)

    @property
    def doc(self) -> str:
        """The full definition (docstring of the compute function)."""
        return self.compute.__doc__ or ""


_T05_REF = "Tokuhashi Y et al. Spine 2005;30(19):2186-91 (PMID 16205345)"
_T05_GROUPS_SRC = "Tokuhashi 2005 (Spine 30:2186) abstract S4 [V]; NICE CG75 table S1 [V]"
# The 2005 text predicts ">= 6 months" for 9-11 with no upper limit; the band used for
# consistency rates closes it at 12 months (the 12-15 group's lower limit), as the
# accuracy studies pooled by Zoccali 2016 (S44 [V]) do ("II (6-12 mo)"). Assumption
# behind that choice: a 9-11 patient who outlives 12 months was predicted too short.
_T05_MIDDLE_SRC = (
    _T05_GROUPS_SRC + "; band upper limit 12 months: Zoccali 2016 (Eur Spine J) S44 [V] "
    "group II 6-12 months (the 2005 text says only >= 6 months)"
)
_T90_REF = "Tokuhashi Y et al. Spine 1990;15(11):1110-3"
_T90_GROUPS_SRC = "medicalalgorithms reproduction of Tokuhashi 1990 (S6) [S]"
_TOMITA_REF = "Tomita K et al. Spine 2001;26(3):298-306"
_TOMITA_SRC = "Adler et al. J Cancer Metastasis Treat 2019;5:45, Table 8 (S14) [S]"
_BAUER_MOD_REF = "Leithner A et al. Eur Spine J 2008;17(11):1488-95"
_BAUER_MOD_SRC = "dss.dign.eu modified Bauer (S19) [S]; group median survival NOT FOUND"
_BAUER_ORIG_REF = "Bauer HC, Wedin R. Acta Orthop Scand 1995;66(2):143-6"
_BAUER_ORIG_SRC = (
    "assumption: cut points 0-1 / 2-3 / 4-5 are not in the sources consulted (grouping "
    "commonly used in validations of the original score); no survival attached"
)
_VDL_REF = "van der Linden YM et al. Cancer 2005;103(2):320-8"
_VDL_SRC = "medicalalgorithms (S33) [S], medians read from Figure 2 of the paper"
_SINS_REF = "Fisher CG et al. Spine 2010;35(22):E1221-9"
_SINS_SRC = "pacs.de (S24) and cancercalc (S25) [S]"


def _definitions() -> dict[str, ScoreDefinition]:
    defs = [
        ScoreDefinition(
            name="tokuhashi_revised",
            label="Revised Tokuhashi",
            minimum=0,
            maximum=15,
            groups=(
                ScoreGroup("0-8", 0, 8, "< 6 months", (0.0, 6.0),
                           "conservative or palliative", _T05_GROUPS_SRC),
                ScoreGroup("9-11", 9, 11, ">= 6 months", (6.0, 12.0),
                           "palliative surgery", _T05_MIDDLE_SRC),
                ScoreGroup("12-15", 12, 15, ">= 12 months", (12.0, None),
                           "excisional surgery", _T05_GROUPS_SRC),
            ),
            direction="higher_is_better",
            inputs=tokuhashi.TOKUHASHI_INPUTS,
            reference=_T05_REF,
            purpose="survival",
            compute=tokuhashi.tokuhashi_revised,
            components=tokuhashi.tokuhashi_revised_components,
            evidence="[V] S1 (NICE reproduction), [S] S2/S3; vertebral item CONFLICT "
            "(two printings; option vertebral_option)",
        ),
        ScoreDefinition(
            name="tokuhashi_original",
            label="Original Tokuhashi (1990)",
            minimum=0,
            maximum=12,
            groups=(
                # band (0, 3): "usually <= 3 months"; 6-8 "variable; most survive < 6
                # months" is not a band, so no band is given.
                ScoreGroup("0-5", 0, 5, "usually <= 3 months", (0.0, 3.0), None,
                           _T90_GROUPS_SRC),
                ScoreGroup("6-8", 6, 8, "variable; most < 6 months", None, None,
                           _T90_GROUPS_SRC),
                ScoreGroup("9-12", 9, 12, ">= 12 months", (12.0, None),
                           "candidates for excision", _T90_GROUPS_SRC),
            ),
            direction="higher_is_better",
            inputs=tokuhashi.TOKUHASHI_INPUTS,
            reference=_T90_REF,
            purpose="survival",
            compute=tokuhashi.tokuhashi_original,
            components=tokuhashi.tokuhashi_original_components,
            evidence="[S] S6 (medicalalgorithms reproduction)",
        ),
        ScoreDefinition(
            name="tomita",
            label="Tomita",
            minimum=2,
            maximum=10,
            groups=(
                ScoreGroup("2-3", 2, 3, "mean survival 50 months", None,
                           "long-term local control: wide or marginal excision", _TOMITA_SRC),
                ScoreGroup("4-5", 4, 5, "mean survival 23.5 months", None,
                           "middle-term local control: marginal or intralesional excision",
                           _TOMITA_SRC),
                ScoreGroup("6-7", 6, 7, "mean survival 15 months", None,
                           "short-term palliation: palliative surgery", _TOMITA_SRC),
                ScoreGroup("8-10", 8, 10, "mean survival 6 months", None,
                           "terminal care: supportive care", _TOMITA_SRC),
            ),
            direction="higher_is_worse",
            inputs=tomita.TOMITA_INPUTS,
            reference=_TOMITA_REF,
            purpose="survival",
            compute=tomita.tomita,
            components=tomita.tomita_components,
            evidence="[S] S14, S7 (primary paper NOT FOUND); rapid growth 4 vs 3 CONFLICT, "
            "4 used",
        ),
        ScoreDefinition(
            name="bauer_modified",
            label="Modified Bauer",
            minimum=0,
            maximum=4,
            groups=(
                ScoreGroup("0-1", 0, 1, None, None, "supportive care, no surgery",
                           _BAUER_MOD_SRC),
                ScoreGroup("2", 2, 2, None, None, "short-term palliation, posterior surgery",
                           _BAUER_MOD_SRC),
                ScoreGroup("3-4", 3, 4, None, None,
                           "middle-term local control, anterior-posterior surgery",
                           _BAUER_MOD_SRC),
            ),
            direction="higher_is_better",
            inputs=bauer.BAUER_MODIFIED_INPUTS,
            reference=_BAUER_MOD_REF,
            purpose="survival",
            compute=bauer.bauer_modified,
            components=bauer.bauer_modified_components,
            evidence="[S] S19 (items); [V] S20 (original Bauer without the fracture item)",
        ),
        ScoreDefinition(
            name="bauer_original",
            label="Original Bauer",
            minimum=0,
            maximum=5,
            groups=(
                ScoreGroup("0-1", 0, 1, None, None, None, _BAUER_ORIG_SRC),
                ScoreGroup("2-3", 2, 3, None, None, None, _BAUER_ORIG_SRC),
                ScoreGroup("4-5", 4, 5, None, None, None, _BAUER_ORIG_SRC),
            ),
            direction="higher_is_better",
            inputs=bauer.BAUER_ORIGINAL_INPUTS,
            reference=_BAUER_ORIG_REF,
            purpose="survival",
            compute=bauer.bauer_original,
            components=bauer.bauer_original_components,
            evidence="[S] S8 (fifth item, range 0-5); groups are an assumption",
        ),
        ScoreDefinition(
            name="van_der_linden",
            label="van der Linden",
            minimum=0,
            maximum=6,
            groups=(
                ScoreGroup("0-3", 0, 3, "median survival 3 months", None, "group A",
                           _VDL_SRC),
                ScoreGroup("4-5", 4, 5, "median survival 9 months", None, "group B",
                           _VDL_SRC),
                ScoreGroup("6", 6, 6, "median survival 19 months", None, "group C",
                           _VDL_SRC),
            ),
            direction="higher_is_better",
            inputs=van_der_linden.VAN_DER_LINDEN_INPUTS,
            reference=_VDL_REF,
            purpose="survival",
            compute=van_der_linden.van_der_linden,
            components=van_der_linden.van_der_linden_components,
            evidence="[S] S33; KPS 10 -> 0 is an assumption (option van_der_linden_kps10)",
            unscored=van_der_linden.van_der_linden_unscored,
        ),
        ScoreDefinition(
            name="sins",
            label="SINS (instability)",
            minimum=0,
            maximum=18,
            groups=(
                ScoreGroup("0-6", 0, 6, None, None, "stable", _SINS_SRC),
                ScoreGroup("7-12", 7, 12, None, None, "potentially unstable", _SINS_SRC),
                ScoreGroup("13-18", 13, 18, None, None, "unstable", _SINS_SRC),
            ),
            direction="higher_is_worse",
            inputs=sins.SINS_INPUTS,
            reference=_SINS_REF,
            purpose="instability",
            compute=sins.sins,
            components=sins.sins_components,
            evidence="[S] S24, S25 (agree), S26, S27",
        ),
    ]
    return {d.name: d for d in defs}


#: Score name -> definition, in the order scores are reported.
REGISTRY: Mapping[str, ScoreDefinition] = MappingProxyType(_definitions())
