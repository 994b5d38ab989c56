"""The canonical schema: normalisation, validation messages, and core-import isolation."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cohort.errors import SchemaError, describe_rows
from cohort.schema import COLUMNS, DAYS_PER_MONTH, normalize_cohort, validate_cohort


def _frame(**columns: list[object]) -> pd.DataFrame:
    n = len(next(iter(columns.values())))
    base: dict[str, list[object]] = {"patient_id": [f"P{i + 1}" for i in range(n)]}
    base.update(columns)
    return pd.DataFrame(base)


def test_days_per_month() -> None:
    assert DAYS_PER_MONTH == 365.25 / 12 == 30.4375


def test_describe_rows_is_one_based_and_limited() -> None:
    assert describe_rows([0]) == "1 row (row 1)"
    assert describe_rows([1, 4], ["a", "b"]) == "2 rows (rows 2 (id a), 5 (id b))"
    assert describe_rows(range(7)) == "7 rows (rows 1, 2, 3, 4, 5, ...)"


def test_categories_normalised_and_none_is_a_label() -> None:
    df = _frame(
        primary_site=[" Breast", "LUNG", None, "na"],
        visceral_mets=["none", "None", "unremovable", ""],
        frankel=["e", "A", "D", None],
        sins_collapse=["none", "gt50", "NONE", "body_gt50"],
    )
    out = validate_cohort(df)
    assert out["primary_site"].tolist()[:2] == ["breast", "lung"]
    assert out["primary_site"].isna().tolist() == [False, False, True, True]
    # "none" is a category of visceral_mets and SINS collapse, never "missing".
    assert out["visceral_mets"].tolist()[:3] == ["none", "none", "unremovable"]
    assert pd.isna(out["visceral_mets"].iloc[3])
    assert out["sins_collapse"].tolist() == ["none", "gt50", "none", "body_gt50"]
    assert out["frankel"].tolist()[:3] == ["E", "A", "D"]


def test_booleans() -> None:
    out = validate_cohort(_frame(cord_compression=["yes", "No", "1", "0", "TRUE", None, "f"]))
    assert out["cord_compression"].tolist() == [True, False, True, False, True, pd.NA, False]
    expected = r"'cord_compression': 1 row \(row 2 \(id P2\)\) are not yes/no"
    with pytest.raises(SchemaError, match=expected):
        validate_cohort(_frame(cord_compression=["yes", "maybe"]))


def test_numbers_and_whole_numbers() -> None:
    out = validate_cohort(_frame(kps=["80", 90, None], age=["61.5", "NA", 70]))
    assert out["kps"].dtype == "Int64"
    assert out["kps"].tolist()[:2] == [80, 90]
    np.testing.assert_allclose(out["age"].to_numpy(), [61.5, np.nan, 70])
    with pytest.raises(SchemaError, match=r"'age': 1 row \(row 2 \(id P2\)\) are not numbers"):
        validate_cohort(_frame(age=["61", "sixty"]))
    with pytest.raises(SchemaError, match=r"'vertebral_mets'.*row 1 .*not whole numbers"):
        validate_cohort(_frame(vertebral_mets=["1.5", "2"]))


def test_mixed_type_cells_as_from_excel() -> None:
    df = _frame(
        kps=pd.Series([80, "90", 70.0, None, " NA "], dtype=object),
        cord_compression=pd.Series([True, "yes", 1, 0.0, None], dtype=object),
        primary_site=pd.Series(["Lung", " breast ", None, np.nan, "n/a"], dtype=object),
    )
    out = validate_cohort(df)
    assert out["kps"].tolist()[:3] == [80, 90, 70]
    assert out["kps"].isna().tolist() == [False, False, False, True, True]
    assert out["cord_compression"].tolist() == [True, True, True, False, pd.NA]
    assert out["primary_site"].tolist()[:2] == ["lung", "breast"]
    assert out["primary_site"].isna().tolist() == [False, False, True, True, True]
    with pytest.raises(SchemaError, match=r"'kps': 2 rows \(rows 2 \(id P2\), 3 \(id P3\)\)"):
        validate_cohort(_frame(kps=["80", "-nan", "1_000"]))


@pytest.mark.parametrize(
    ("column", "values", "bad_rows", "words"),
    [
        ("kps", [80, 55, 100, 5], "2 rows (rows 2 (id P2), 4 (id P4))", "multiples of 10"),
        ("kps", [80, 110], "1 row (row 2 (id P2))", "above the maximum 100"),
        ("ecog", [0, 5], "1 row (row 2 (id P2))", "above the maximum 4"),
        ("age", [40, -1], "1 row (row 2 (id P2))", "below the minimum 0"),
        ("vertebral_mets", [0, 2], "1 row (row 1 (id P1))", "below the minimum 1"),
        ("albumin", [3.5, 35.0], "1 row (row 2 (id P2))", "above the maximum 10"),
    ],
)
def test_range_errors_name_rows(
    column: str, values: list[float], bad_rows: str, words: str
) -> None:
    with pytest.raises(SchemaError) as info:
        validate_cohort(_frame(**{column: values}))
    msg = str(info.value)
    assert f"column '{column}'" in msg
    assert bad_rows in msg
    assert words in msg


def test_time_and_event_checks() -> None:
    ok = validate_cohort(_frame(time_months=["1.5", 0, 12], event=["1", 0, 1]))
    assert ok["event"].tolist() == [1, 0, 1]
    with pytest.raises(SchemaError, match=r"'time_months': 1 row \(row 3 \(id P3\)\) are negative"):
        validate_cohort(_frame(time_months=[1, 2, -0.5], event=[1, 0, 1]))
    with pytest.raises(SchemaError, match=r"'time_months': 2 rows .*missing or not finite"):
        validate_cohort(_frame(time_months=[np.nan, 2, np.inf], event=[1, 0, 1]))
    with pytest.raises(SchemaError, match=r"'event': 1 row \(row 2 \(id P2\)\) are not 0/1"):
        validate_cohort(_frame(time_months=[1, 2], event=[1, 2]))


def test_patient_ids() -> None:
    with pytest.raises(SchemaError, match=r"'patient_id': 2 rows \(rows 1 \(id A\), 3 \(id A\)\)"):
        validate_cohort(pd.DataFrame({"patient_id": ["A", "B", " A "]}))
    with pytest.raises(SchemaError, match=r"'patient_id': 1 row \(row 2\) have no patient id"):
        validate_cohort(pd.DataFrame({"patient_id": ["A", None]}))


def test_misnamed_and_required_columns() -> None:
    with pytest.raises(SchemaError, match=r"column 'Primary site' looks like .*'primary_site'"):
        validate_cohort(pd.DataFrame({"Primary site": ["lung"]}))
    with pytest.raises(SchemaError, match=r"column 'KPS' looks like the canonical column 'kps'"):
        validate_cohort(pd.DataFrame({"KPS": [80]}))
    # Unrelated columns pass through untouched.
    out = validate_cohort(pd.DataFrame({"hospital": ["X"], "kps": [80]}))
    assert out["hospital"].tolist() == ["X"]
    # A close but not identical name is caught as misnamed ...
    with pytest.raises(SchemaError, match=r"column 'events' looks like .* 'event'"):
        validate_cohort(pd.DataFrame({"time_months": [1.0], "events": [1]}))
    # ... an unrelated one as a missing required column.
    expected = (
        r"required column\(s\) 'event'.*not found; the table has columns "
        r"\['time_months', 'death'\]"
    )
    with pytest.raises(SchemaError, match=expected):
        validate_cohort(pd.DataFrame({"time_months": [1.0], "death": [1]}),
                        require=("time_months", "event"))
    df = pd.DataFrame([[1, 2]], columns=["kps", "kps"])
    with pytest.raises(SchemaError, match="appear more than once"):
        validate_cohort(df)


def test_input_frame_is_not_modified() -> None:
    df = _frame(primary_site=[" Breast"], kps=["80"], cord_compression=["yes"])
    before = df.copy()
    validate_cohort(df)
    normalize_cohort(df)
    pd.testing.assert_frame_equal(df, before)


def test_every_column_has_a_description() -> None:
    for spec in COLUMNS.values():
        assert spec.description
        if spec.kind == "category":
            assert spec.values


def test_core_imports_do_not_pull_plotly_synthetic_or_reports() -> None:
    code = (
        "import sys\n"
        "import cohort, cohort.cli, cohort.io, cohort.schema, cohort.scores, cohort.commands\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('plotly', 'synthetic', 'reports'))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=120)
    assert out.stdout.strip() == ""


ANY_VALUE = st.one_of(
    st.none(), st.booleans(), st.integers(-5, 200), st.floats(), st.just(pd.NA),
    st.sampled_from(["lung", "none", "E", "yes", "80", "", "NA", "x", "1,5", "inf"]),
)


@settings(max_examples=150, deadline=None)
@given(columns=st.lists(st.sampled_from(list(COLUMNS)), min_size=1, max_size=6, unique=True),
       data=st.data())
def test_any_values_validate_or_raise_schema_error(columns: list[str], data: st.DataObject) -> None:
    # Excel and Parquet hand over typed cells of any kind; a bad one is a SchemaError
    # (exit 2 with a message), never a crash inside pandas.
    n = data.draw(st.integers(1, 5))
    df = pd.DataFrame({c: pd.Series([data.draw(ANY_VALUE) for _ in range(n)], dtype=object)
                       for c in columns})
    try:
        out = validate_cohort(df)
    except SchemaError:
        return
    assert len(out) == n
