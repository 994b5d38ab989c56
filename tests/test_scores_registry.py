"""The score registry: names, ranges, groups, directions, inputs, references, and
ranges checked by exhaustive enumeration of every input combination."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pandas as pd
import pytest

from cohort.errors import SchemaError
from cohort.schema import COLUMNS, PRIMARY_SITES
from cohort.scores import REGISTRY, ScoreOptions, assign_groups, compute_scores

CONTRACT_NAMES = (
    "tokuhashi_revised", "tokuhashi_original", "tomita", "bauer_modified", "bauer_original",
    "van_der_linden", "sins",
)  # fmt: skip
# Published ranges and group cut points (sources in the cohort.scores docstring).
PUBLISHED = {
    "tokuhashi_revised": (0, 15, ["0-8", "9-11", "12-15"], "higher_is_better"),
    "tokuhashi_original": (0, 12, ["0-5", "6-8", "9-12"], "higher_is_better"),
    "tomita": (2, 10, ["2-3", "4-5", "6-7", "8-10"], "higher_is_worse"),
    "bauer_modified": (0, 4, ["0-1", "2", "3-4"], "higher_is_better"),
    "bauer_original": (0, 5, ["0-1", "2-3", "4-5"], "higher_is_better"),
    "van_der_linden": (0, 6, ["0-3", "4-5", "6"], "higher_is_better"),
    "sins": (0, 18, ["0-6", "7-12", "13-18"], "higher_is_worse"),
}


def test_names_match_the_contract() -> None:
    assert tuple(REGISTRY) == CONTRACT_NAMES


@pytest.mark.parametrize("name", CONTRACT_NAMES)
def test_range_groups_direction(name: str) -> None:
    definition = REGISTRY[name]
    minimum, maximum, labels, direction = PUBLISHED[name]
    assert (definition.minimum, definition.maximum) == (minimum, maximum)
    assert list(definition.group_labels) == labels
    assert definition.direction == direction
    assert definition.purpose == ("instability" if name == "sins" else "survival")


@pytest.mark.parametrize("name", CONTRACT_NAMES)
def test_groups_partition_the_range_exactly(name: str) -> None:
    definition = REGISTRY[name]
    groups = definition.groups
    assert groups[0].lo == definition.minimum
    assert groups[-1].hi == definition.maximum
    for left, right in itertools.pairwise(groups):
        assert right.lo == left.hi + 1
    for g in groups:
        assert g.lo <= g.hi
        assert g.label == (f"{g.lo}" if g.lo == g.hi else f"{g.lo}-{g.hi}")
        assert g.source


@pytest.mark.parametrize("name", CONTRACT_NAMES)
def test_inputs_references_and_docstrings(name: str) -> None:
    definition = REGISTRY[name]
    assert definition.name == name
    assert set(definition.inputs) <= set(COLUMNS)
    assert re.search(r"(19|20)\d\d", definition.reference)
    assert definition.evidence
    doc = definition.doc
    assert "References\n    ----------" in doc
    assert re.search(r"\[(V|S)\]", doc)
    assert "Returns\n    -------" in doc


def test_published_survival_bands() -> None:
    revised = REGISTRY["tokuhashi_revised"].groups
    # Tokuhashi 2005: 0-8 < 6 months, 9-11 >= 6 months, 12-15 >= 12 months.
    assert [g.band_months for g in revised] == [(0.0, 6.0), (6.0, 12.0), (12.0, None)]
    assert [g.predicted_survival for g in revised] == ["< 6 months", ">= 6 months", ">= 12 months"]
    original = REGISTRY["tokuhashi_original"].groups
    assert original[0].band_months == (0.0, 3.0)
    assert original[2].band_months == (12.0, None)
    # Tomita (S14) mean survival 50 / 23.5 / 15 / 6 months; van der Linden medians 3/9/19.
    tomita = [g.predicted_survival for g in REGISTRY["tomita"].groups]
    assert [re.search(r"[\d.]+", t or "").group() for t in tomita] == ["50", "23.5", "15", "6"]
    vdl = [g.predicted_survival for g in REGISTRY["van_der_linden"].groups]
    assert [re.search(r"[\d.]+", t or "").group() for t in vdl] == ["3", "9", "19"]
    # Modified Bauer group survival is NOT FOUND in the sources: none is claimed.
    assert all(g.predicted_survival is None for g in REGISTRY["bauer_modified"].groups)


def _all_combinations() -> pd.DataFrame:
    grid = {
        "kps": range(10, 101, 10),
        "extraspinal_bone_mets": range(5),
        "vertebral_mets": range(1, 5),
        "visceral_mets": ("none", "removable", "unremovable"),
        "primary_site": PRIMARY_SITES,
        "frankel": ("A", "B", "C", "D", "E"),
        "pathologic_fracture": (True, False),
    }
    df = pd.DataFrame(list(itertools.product(*grid.values())), columns=list(grid))
    for col in ("kps", "extraspinal_bone_mets", "vertebral_mets"):
        df[col] = df[col].astype("Int64")
    df["pathologic_fracture"] = df["pathologic_fracture"].astype("boolean")
    return df


@pytest.fixture(scope="module")
def all_scores() -> pd.DataFrame:
    """Every non-SINS score for every combination of its inputs (138,000 patients)."""
    return compute_scores(_all_combinations(), CONTRACT_NAMES[:-1]).values


@pytest.mark.parametrize(
    "name",
    ["tokuhashi_revised", "tokuhashi_original", "tomita", "bauer_modified", "bauer_original",
     "van_der_linden"],
)  # fmt: skip
def test_every_value_of_the_range_is_reached_and_nothing_else(
    name: str, all_scores: pd.DataFrame
) -> None:
    values = all_scores[name]
    definition = REGISTRY[name]
    assert set(values.astype(int)) == set(range(definition.minimum, definition.maximum + 1))


def test_sins_every_value_reached() -> None:
    grid = [COLUMNS[c].values for c in REGISTRY["sins"].inputs]
    df = pd.DataFrame(list(itertools.product(*grid)), columns=list(REGISTRY["sins"].inputs))
    values = compute_scores(df.astype(object), ["sins"]).values["sins"]
    assert set(values.astype(int)) == set(range(19))


def test_alternative_vertebral_coding_tops_out_at_14() -> None:
    # With vertebral_mets >= 1 (schema), ">=3 / 1-2 / 0" never gives the 2-point category.
    options = ScoreOptions(vertebral_option="3-12-0")
    values = compute_scores(_all_combinations(), ["tokuhashi_revised"], options).values
    assert set(values["tokuhashi_revised"].astype(int)) == set(range(15))


@pytest.mark.parametrize(
    ("name", "bad"),
    [("tomita", 11), ("tomita", 1), ("tokuhashi_revised", 16), ("tokuhashi_revised", -1),
     ("van_der_linden", 7), ("sins", 19)],
)  # fmt: skip
def test_assign_groups_refuses_values_outside_the_range(name: str, bad: int) -> None:
    # A supplied score column (validation without the inputs) goes through assign_groups;
    # a value outside the published range belongs to no group and must not be put into
    # the nearest end group.
    definition = REGISTRY[name]
    scores = pd.Series([definition.minimum, bad, pd.NA, definition.maximum], dtype="Int64")
    with pytest.raises(SchemaError, match=rf"column '{name}': 1 row \(row 2\).*{bad}"):
        assign_groups(scores, definition)


def test_assign_groups_refuses_fractional_values() -> None:
    scores = pd.Series([8.0, 8.5], dtype="Float64")
    with pytest.raises(SchemaError, match="whole numbers from 0 to 15"):
        assign_groups(scores, REGISTRY["tokuhashi_revised"])


@pytest.mark.parametrize("name", CONTRACT_NAMES)
def test_assign_groups_every_value_of_the_range(name: str) -> None:
    definition = REGISTRY[name]
    values = list(range(definition.minimum, definition.maximum + 1))
    got = assign_groups(pd.Series(values, dtype="Int64"), definition).tolist()
    assert got == [next(g.label for g in definition.groups if g.lo <= v <= g.hi) for v in values]


def test_every_cited_source_key_is_listed_in_the_package() -> None:
    # Provenance: a clinical number cites a source key (S1, S14, ...) that the
    # cohort.scores docstring lists. "S2-S5" (sacral levels in SINS) is not a key.
    import cohort.scores as package

    listed = set(re.findall(r"^- (S\d+(?:, S\d+)*):", package.__doc__ or "", re.M))
    listed_keys = {k for group in listed for k in group.split(", ")}
    cited: set[str] = set()
    for path in Path(package.__file__).parent.glob("*.py"):
        text = path.read_text(encoding="utf-8").replace("S2-S5", "")
        cited |= set(re.findall(r"\bS\d{1,2}\b", text))
    assert cited <= listed_keys, sorted(cited - listed_keys)


def test_revised_middle_band_upper_limit_cites_its_source() -> None:
    # The 2005 text predicts ">= 6 months" for 9-11; the consistency band closes it at 12
    # months, which is Zoccali 2016's (S44) grouping, not the 2005 text.
    middle = REGISTRY["tokuhashi_revised"].groups[1]
    assert middle.band_months == (6.0, 12.0)
    assert middle.predicted_survival == ">= 6 months"
    assert middle.source is not None
    assert "S44" in middle.source
