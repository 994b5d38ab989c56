"""The report's exclusion counts and wording: excluded from every analysis vs some scores."""

from __future__ import annotations

from importlib.resources import files

import numpy as np
import pytest

from cohort.io import load_cohort
from cohort.scores import compute_scores
from cohort.validation.pipeline import run_validation
from reports.html import build_html

NO_TIME = [2, 5]  # 0-based rows without a survival time
NO_KPS = [0, 1, 3, 2]  # row 2 lacks both: it counts once, as excluded from everything
SCORES = ["tokuhashi_revised", "sins"]  # sins does not use KPS


@pytest.fixture(scope="module")
def result():
    frame = load_cohort(str(files("cohort.data").joinpath("example_cohort.csv"))).frame.copy()
    frame["time_months"] = frame["time_months"].astype(float)
    frame.loc[NO_TIME, "time_months"] = np.nan
    frame.loc[NO_KPS, "kps"] = np.nan
    return frame, run_validation(frame, SCORES, bootstrap=5, seed=0, compare=False)


def _expected_partial(frame):
    """1-based rows with a survival time but without one of the scores, by score."""
    kept = frame.drop(index=NO_TIME)
    values = compute_scores(kept, SCORES).values
    return {name: [int(i) + 1 for i in kept.index[values[name].isna().to_numpy()]]
            for name in SCORES}


def test_results_json_tells_the_scope_of_each_listed_row(result) -> None:
    frame, res = result
    by_row = {e["row"]: e for e in res.results["excluded"]}
    assert {r for r, e in by_row.items() if e["scope"] == "all"} == {i + 1 for i in NO_TIME}
    assert all(by_row[i + 1]["scores"] == [] for i in NO_TIME)
    partial = _expected_partial(frame)
    rows = sorted({r for rs in partial.values() for r in rs})
    assert {r for r, e in by_row.items() if e["scope"] == "scores"} == set(rows)
    for r in rows:
        assert by_row[r]["scores"] == [n for n in SCORES if r in partial[n]]
    assert {1, 2, 4} <= set(partial["tokuhashi_revised"])  # the KPS gaps are among them


def test_footnote_counts_each_kind_of_exclusion(result) -> None:
    frame, res = result
    page = build_html(res)
    foot = page[page.index('id="fn-exclusions"'):]
    foot = foot[:foot.index("</li>")]
    partial = _expected_partial(frame)
    n_partial = len({r for rs in partial.values() for r in rs})
    assert ("2 input rows had no usable survival time or event and were excluded from every "
            "analysis.") in foot
    assert f"{n_partial} rows lacked an input of some score" in foot
    assert "left out of the analyses of those scores only" in foot
    per_score = ", ".join(f"{n} {len(partial[n])}" for n in SCORES if partial[n])
    assert f"(per score: {per_score})" in foot
    assert "were not analysed" not in foot
    summary = page[page.index('id="sec-summary"'):]
    assert "2 rows excluded from every analysis" in summary
    assert f"{n_partial} rows left out of some scores only" in summary


def test_one_row_is_singular(result) -> None:
    _, res = result
    one = dict(res.results)
    one["excluded"] = [e for e in res.results["excluded"] if e["row"] != NO_TIME[0] + 1]
    page = build_html(type(res)(one, res.km, res.tables, res.cohort, res.excluded))
    assert "1 input row had no usable survival time or event and was excluded" in page
