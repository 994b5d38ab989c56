"""The registry of prognostic scores: range, groups, direction, inputs and reference."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

import pandas as pd

from cohort.scores import tokuhashi
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
_T90_REF = "Tokuhashi Y et al. Spine 1990;15(11):1110-3"
_T90_GROUPS_SRC = "medicalalgorithms reproduction of Tokuhashi 1990 (S6) [S]"


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
                           "palliative surgery", _T05_GROUPS_SRC),
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
            "(clinical-references 1.2)",
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
    ]
    return {d.name: d for d in defs}


#: Score name -> definition, in the order scores are reported.
REGISTRY: Mapping[str, ScoreDefinition] = MappingProxyType(_definitions())
