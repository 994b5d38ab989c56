"""Options that change how scores are computed (:class:`ScoreOptions`)."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from os import PathLike
from pathlib import Path

import pandas as pd

from cohort.errors import CohortInputError, InputFileError
from cohort.schema import PRIMARY_SITES
from cohort.scores.sites import SITE_ITEM_POINTS, SITE_ITEMS, SITE_PLACEMENTS, site_points_table

__all__ = ["VAN_DER_LINDEN_KPS10_OPTIONS", "VERTEBRAL_OPTIONS", "ScoreOptions",
           "describe_score_options", "load_score_options", "score_options_from"]

#: Codings of the revised Tokuhashi "metastases in the vertebral body" item
#: (sources CONFLICT): "321" is >=3 / 2 / 1 -> 0 / 1 / 2 (S2, S3, S6;
#: the default) and "3-12-0" is >=3 / 1-2 / 0 -> 0 / 1 / 2 (two reproductions recorded
#: by the calculator audit S7).
VERTEBRAL_OPTIONS: tuple[str, ...] = ("321", "3-12-0")

#: How the van der Linden score treats KPS 10, which is below its lowest published band
#: (20-40, S33): "lowest" scores it 0 like 20-40 (the default; assumption: a worse
#: status cannot earn more points, and leaving it out would drop the sickest
#: patients); "missing" leaves the score missing for that patient, with the reason.
VAN_DER_LINDEN_KPS10_OPTIONS: tuple[str, ...] = ("lowest", "missing")


@dataclass(frozen=True)
class ScoreOptions:
    """Settings for :func:`cohort.scores.compute_scores`.

    Parameters
    ----------
    vertebral_option
        Coding of the revised Tokuhashi vertebral-body item: ``"321"`` (default,
        >=3 / 2 / 1 -> 0 / 1 / 2) or ``"3-12-0"`` (>=3 / 1-2 / 0 -> 0 / 1 / 2). With the
        canonical schema (``vertebral_mets >= 1``) the 2-point category of ``"3-12-0"``
        cannot occur, so that coding tops out at 14.
    site_overrides
        ``{item: {site: points}}`` replacing default primary-site placements, e.g.
        ``{"tomita": {"melanoma": 2}, "tokuhashi_original": {"unknown": 0}}``. Items
        are those of :data:`cohort.scores.sites.SITE_ITEMS`; points must be among the
        item's published values.
    van_der_linden_kps10
        ``"lowest"`` (default): KPS 10, below the lowest published van der Linden band
        20-40, scores 0 like that band (assumption); ``"missing"``: the van der Linden
        score is left missing for KPS 10, with the reason recorded.

    Raises
    ------
    CohortInputError
        For an unknown option, item or site, or points outside the item's values.
    """

    vertebral_option: str = "321"
    site_overrides: Mapping[str, Mapping[str, int]] = field(default_factory=dict)
    van_der_linden_kps10: str = "lowest"

    def __post_init__(self) -> None:
        if self.vertebral_option not in VERTEBRAL_OPTIONS:
            raise CohortInputError(
                f"vertebral_option {self.vertebral_option!r} is not known. Use one of "
                f"{', '.join(repr(o) for o in VERTEBRAL_OPTIONS)}."
            )
        if self.van_der_linden_kps10 not in VAN_DER_LINDEN_KPS10_OPTIONS:
            raise CohortInputError(
                f"van_der_linden_kps10 {self.van_der_linden_kps10!r} is not known. Use one "
                f"of {', '.join(repr(o) for o in VAN_DER_LINDEN_KPS10_OPTIONS)}."
            )
        clean: dict[str, dict[str, int]] = {}
        for item, sites in dict(self.site_overrides).items():
            if item not in SITE_ITEMS:
                raise CohortInputError(
                    f"site_overrides: item {item!r} is not known. Items with primary-site "
                    f"points are {', '.join(SITE_ITEMS)}."
                )
            clean[item] = {}
            for site, points in dict(sites).items():
                if site not in PRIMARY_SITES:
                    raise CohortInputError(
                        f"site_overrides[{item!r}]: site {site!r} is not in the primary-site "
                        f"vocabulary ({', '.join(PRIMARY_SITES)})."
                    )
                allowed = SITE_ITEM_POINTS[item]
                if isinstance(points, bool) or points not in allowed:
                    raise CohortInputError(
                        f"site_overrides[{item!r}][{site!r}] = {points!r} is not a value "
                        f"the item can take; use one of {', '.join(map(str, allowed))}."
                    )
                clean[item][site] = int(points)
        object.__setattr__(self, "site_overrides", clean)

    def site_points(self, item: str) -> dict[str, int]:
        """Site -> points for one item, defaults with this object's overrides applied."""
        if item not in SITE_PLACEMENTS:
            raise CohortInputError(f"unknown site item {item!r}; items: {', '.join(SITE_ITEMS)}.")
        placements = SITE_PLACEMENTS[item]
        overrides = self.site_overrides.get(item, {})
        return {site: int(overrides.get(site, placements[site].points)) for site in PRIMARY_SITES}

    def site_table(self) -> pd.DataFrame:
        """Site -> points for every item (see :func:`cohort.scores.sites.site_points_table`)."""
        return site_points_table(self.site_overrides)


def load_score_options(path: str | PathLike[str]) -> ScoreOptions:
    """Read :class:`ScoreOptions` from a TOML file.

    Example::

        vertebral_option = "3-12-0"
        van_der_linden_kps10 = "missing"   # default "lowest"

        [site_overrides.tomita]
        melanoma = 2            # moderate instead of the default rapid (assumption)

        [site_overrides.tokuhashi_original]
        unknown = 0             # Enkaoua's proposal (S6)

    Raises
    ------
    InputFileError
        The file cannot be read or is not valid TOML.
    CohortInputError
        Unknown keys, items, sites, or points (see :class:`ScoreOptions`).
    """
    source = Path(path)
    try:
        data = tomllib.loads(source.read_text(encoding="utf-8-sig"))
    except OSError as exc:
        raise InputFileError(
            f"cannot read the score-options file '{source.name}': {exc.strerror}. Check the path."
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise InputFileError(
            f"the score-options file '{source.name}' is not valid TOML ({exc}). Fix the syntax."
        ) from None
    unknown = sorted(set(data) - {"vertebral_option", "van_der_linden_kps10", "site_overrides"})
    if unknown:
        raise CohortInputError(
            f"score-options file '{source.name}': unknown key(s) {unknown}. Allowed keys: "
            "vertebral_option, van_der_linden_kps10, site_overrides."
        )
    overrides = data.get("site_overrides", {})
    if not isinstance(overrides, dict) or not all(isinstance(v, dict) for v in overrides.values()):
        raise CohortInputError(
            f"score-options file '{source.name}': site_overrides must be tables such as "
            "[site_overrides.tomita] with lines like melanoma = 2."
        )
    try:
        return ScoreOptions(
            vertebral_option=str(data.get("vertebral_option", "321")),
            site_overrides=overrides,
            van_der_linden_kps10=str(data.get("van_der_linden_kps10", "lowest")),
        )
    except CohortInputError as exc:
        raise CohortInputError(f"score-options file '{source.name}': {exc}") from None


def score_options_from(
    path: str | PathLike[str] | None = None, *, vertebral_option: str | None = None
) -> ScoreOptions:
    """The :class:`ScoreOptions` of the command line (``--score-options``, ``--vertebral-option``).

    Parameters
    ----------
    path
        TOML file read by :func:`load_score_options`; None: the defaults.
    vertebral_option
        When given, replaces the file's (or the default) ``vertebral_option``.
    """
    options = ScoreOptions() if path is None else load_score_options(path)
    if vertebral_option is not None:
        options = replace(options, vertebral_option=vertebral_option)
    return options


def describe_score_options(options: ScoreOptions) -> str:
    """One line for summaries: ``"vertebral_option 321; site overrides: tomita melanoma=2"``.

    ``van_der_linden_kps10`` is named only when it is not the default ``"lowest"``.
    """
    overrides = "; ".join(
        f"{item} " + ", ".join(f"{site}={points}" for site, points in sites.items())
        for item, sites in options.site_overrides.items() if sites
    )
    text = f"vertebral_option {options.vertebral_option}; site overrides: {overrides or 'none'}"
    if options.van_der_linden_kps10 != "lowest":
        text += f"; van_der_linden_kps10 {options.van_der_linden_kps10}"
    return text
