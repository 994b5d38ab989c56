"""HTML assembly: determinism, plotly.js once, fixed ids, escaping, CSV links, at-risk
table equal to the KM result's frame.

The result object here is assembled from the package's own Kaplan-Meier function and
lifelines (C-index, Cox), in the shape of the ``ValidationResult`` contract, so the HTML
layer is tested independently of the validation pipeline.
"""

from __future__ import annotations

import base64
import io
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest
from lifelines import CoxPHFitter
from lifelines.utils import concordance_index
from plotly.offline import get_plotlyjs

from cohort.models.km import kaplan_meier
from reports.html import ReportOptions, build_html

INJECTION = "<script>alert(1)</script>"


@dataclass(frozen=True)
class FakeResult:
    results: dict
    km: dict
    tables: dict
    cohort: pd.DataFrame
    excluded: pd.DataFrame


def make_result(custom: str = "custom_score", label: str = "high") -> FakeResult:
    rng = np.random.default_rng(5)
    n = 120
    tok = rng.integers(0, 16, n)
    tok_group = np.where(tok <= 8, "0-8", np.where(tok <= 11, "9-11", "12-15"))
    cus = rng.integers(0, 3, n)
    cus_group = np.where(cus == 2, label, "low")
    t_death = rng.exponential(3 + 2 * tok)
    t_cens = rng.uniform(1, 40, n)
    time = np.round(np.minimum(t_death, t_cens), 2)
    event = (t_death <= t_cens).astype(int)
    cohort = pd.DataFrame({
        "patient_id": [f"P{i:03d}" for i in range(n)],
        "age": rng.normal(62, 11, n).round(0), "sex": rng.choice(["female", "male"], n),
        "time_months": time, "event": event,
        "tokuhashi_revised": pd.array(tok, dtype="Int64"), "tokuhashi_revised_group": tok_group,
        custom: pd.array(cus, dtype="Int64"), f"{custom}_group": cus_group})
    km = {"overall": kaplan_meier(time, event),
          "tokuhashi_revised": kaplan_meier(time, event, tok_group,
                                            group_order=["0-8", "9-11", "12-15"]),
          custom: kaplan_meier(time, event, cus_group, group_order=["low", label])}
    scores, rows, forest = {}, [], []
    for name, x, sign in (("tokuhashi_revised", tok, 1), (custom, cus, -1)):
        c = concordance_index(time, sign * x, event)
        scores[name] = {"n": n, "direction": "higher_is_better", "harrell_c": c,
                        "harrell_c_ci": [c - 0.05, c + 0.05], "uno_c": c - 0.01,
                        "optimism_corrected_c": c - 0.005, "logrank_p": 0.01,
                        "trend_p": 0.002, "ibs": 0.18, "consistency_rate": None,
                        "cox": {"hr_per_point": 0.9, "hr_ci": [0.85, 0.95], "p": 0.001}}
        rows.append({"score": name, "harrell_c": c, "ci_lower": c - 0.05,
                     "ci_upper": c + 0.05, "uno_c": c - 0.01})
        cph = CoxPHFitter().fit(pd.DataFrame({"t": time, "e": event, name: x}), "t", "e")
        s = cph.summary.iloc[0]
        forest.append({"term": name, "hr": s["exp(coef)"], "ci_lower": s["exp(coef) lower 95%"],
                       "ci_upper": s["exp(coef) upper 95%"], "p": s["p"], "n": n,
                       "events": int(event.sum())})
    results = {"n_input_rows": n + 2, "n_analysed": n, "n_events": int(event.sum()),
               "excluded": [{"row": 7, "reason": "time_months missing"},
                            {"row": 9, "reason": INJECTION}],
               "overall": {"median": float(km["overall"].medians["median"].iloc[0]),
                           "median_ci": [5.0, 9.0], "survival": {"6": 0.6}},
               "scores": scores, "settings": {"bootstrap": 50, "seed": 3}}
    cal = pd.DataFrame({"horizon": [6, 6, 6], "group": ["0-8", "9-11", "12-15"],
                        "n": [40, 40, 40], "predicted": [0.3, 0.6, 0.8],
                        "observed": [0.35, 0.55, 0.85], "observed_lower": [0.2, 0.4, 0.7],
                        "observed_upper": [0.5, 0.7, 0.95]})
    tables = {"c_index": pd.DataFrame(rows), "cox_univariable": pd.DataFrame(forest),
              "td_auc": pd.DataFrame({"score": ["tokuhashi_revised"] * 2, "time": [6, 12],
                                      "auc": [0.7, 0.68]}),
              "calibration_tokuhashi_revised": cal}
    excluded = pd.DataFrame({"row": [7, 9], "patient_id": ["X7", INJECTION],
                             "reason": ["time_months missing", INJECTION]})
    return FakeResult(results, km, tables, cohort, excluded)


@pytest.fixture(scope="module")
def page() -> str:
    return build_html(make_result(), ReportOptions(source_name="cohort.csv", seed=3))


def test_deterministic_bytes():
    a = build_html(make_result(), ReportOptions(source_name="x.csv"))
    b = build_html(make_result(), ReportOptions(source_name="x.csv"))
    assert a.encode() == b.encode()


def test_plotly_embedded_once_and_no_external_resources(page):
    assert page.count(get_plotlyjs()) == 1
    assert page.count("plotly.js v") == 1
    ours = page.replace(get_plotlyjs(), "")  # plotly.js holds map-tile URLs it never loads here
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", ours)
    assert "<link" not in ours
    assert "@import" not in ours


def test_every_figure_has_fixed_id_and_a_plot_call(page):
    ids = re.findall(r'<div id="(fig-[a-z0-9_-]+)" class="plotly-graph-div"', page)
    assert len(ids) == len(set(ids))
    # overall + 2 score KMs, C-index, td-AUC, forest, calibration, distribution, composition
    assert len(ids) == 9
    assert {"fig-km-overall", "fig-km-tokuhashi_revised", "fig-km-custom_score"} <= set(ids)
    for fid in ids:
        assert f'Plotly.newPlot(                        "{fid}"' in page


def test_at_risk_html_table_equals_frame(page):
    result = make_result()
    for key in ("overall", "tokuhashi_revised", "custom_score"):
        km = result.km[key]
        table = re.search(rf'<table class="at-risk" id="at-risk-{key}"[^>]*>(.*?)</table>', page)
        assert table is not None
        rows = re.findall(r'<tr data-group="([^"]+)"><th scope="row">[^<]*</th>(.*?)</tr>',
                          table.group(1))
        assert [g for g, _ in rows] == list(km.group_order)
        for group, cells in rows:
            expect = km.at_risk[km.at_risk["group"] == group]["n_at_risk"].tolist()
            assert [int(v) for v in re.findall(r"<td>(\d+)</td>", cells)] == expect


def test_injection_appears_as_text():
    res = make_result(custom=INJECTION, label=INJECTION)
    out = build_html(res, ReportOptions(title=INJECTION, source_name=INJECTION,
                                        notes=(INJECTION,)))
    assert INJECTION not in out
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in out
    # the only <script> tags are plotly.js and the figure calls
    assert out.count("<script") == out.count("</script>")
    assert out.count("<script") == 1 + len(re.findall(r'class="plotly-graph-div"', out))


def test_csv_downloads_decode_to_the_frames(page):
    links = dict(re.findall(r'download="([^"]+)" href="data:text/csv;charset=utf-8;base64,'
                            r'([A-Za-z0-9+/=]+)"', page))
    result = make_result()
    got = pd.read_csv(io.BytesIO(base64.b64decode(links["c_index.csv"])))
    pd.testing.assert_frame_equal(got, result.tables["c_index"], check_dtype=False)
    risk = pd.read_csv(io.BytesIO(base64.b64decode(links["km_tokuhashi_revised_at_risk.csv"])))
    pd.testing.assert_frame_equal(risk, result.km["tokuhashi_revised"].at_risk,
                                  check_dtype=False)
    assert "table_one.csv" in links
    assert "excluded_rows.csv" in links


def test_summary_names_best_score(page):
    result = make_result()
    best = max(result.results["scores"].items(), key=lambda kv: kv[1]["harrell_c"])
    m = re.search(r'<strong id="best-score" data-score="([^"]+)">', page)
    assert m is not None
    assert m.group(1) == best[0]
    assert f"Harrell&#x27;s C {best[1]['harrell_c']:.3f}" in page or \
        f"Harrell's C {best[1]['harrell_c']:.3f}" in page
    # summary comes first in the page
    assert page.index('id="sec-summary"') < page.index('id="sec-cohort"')


def test_footnotes_list_skipped_scores_and_unestimable_values():
    from dataclasses import replace

    base = make_result()
    results = dict(base.results)
    results["scores_skipped"] = {"bauer_original": f"needs pathologic_fracture {INJECTION}"}
    results["scores"] = {k: dict(v) for k, v in base.results["scores"].items()}
    results["scores"]["tokuhashi_revised"]["null_reasons"] = {
        "consistency_rate": "no patient could be classified"}
    results["notes"] = ["detected delimiter ';'"]
    out = build_html(replace(base, results=results))
    foot = out[out.index('id="sec-footnotes"'):]
    assert "Scores not analysed: bauer_original: needs pathologic_fracture &lt;script&gt;" in foot
    assert "tokuhashi_revised consistency_rate: no patient could be classified" in foot
    # the fake result: 122 input rows, 120 analysed, 2 listed
    assert "Exclusions: 2 input rows had no usable survival time" in foot
    assert "0 rows lacked an input" in foot
    censored = int((base.cohort["event"] == 0).sum())
    assert f"Censoring: {censored} of {len(base.cohort)} analysed patients" in foot
    # loader notes appear in the methods (no options given)
    assert "detected delimiter &#x27;;&#x27;" in out


def test_table_one_shows_each_characteristic_once_with_clinical_labels(page):
    table = re.search(r'<table class="data" id="table-one">(.*?)</table>', page, re.S)
    assert table is not None
    first_cells = re.findall(r"<tr[^>]*><td>([^<]*)</td>", table.group(1))
    shown = [c for c in first_cells if c]
    # sex has two levels (female, male): the label is printed on the first row only
    assert shown.count("Sex") == 1
    assert first_cells[first_cells.index("Sex") + 1] == ""
    assert "Age, years" in shown
    assert "(age)" not in table.group(1)
    assert "<th>Characteristic</th><th>Statistic</th>" in table.group(1)


def test_download_items_count_rows_in_words():
    from reports.html import _download_item

    one = _download_item("x.csv", pd.DataFrame({"a": [1]}), "Medians by group", set())
    two = _download_item("y.csv", pd.DataFrame({"a": [1, 2]}), "Medians by group", set())
    assert "Medians by group (1 row)" in one
    assert "Medians by group (2 rows)" in two


def test_methods_state_the_score_options_used():
    from dataclasses import replace

    base = make_result()
    settings = {"bootstrap": 50, "seed": 3, "vertebral_option": "321", "site_overrides": {},
                "van_der_linden_kps10": "missing"}
    out = build_html(replace(base, results={**base.results, "settings": settings}))
    assert "van der Linden KPS 10 left unscored (missing)" in out
    settings["van_der_linden_kps10"] = "lowest"
    out = build_html(replace(base, results={**base.results, "settings": settings}))
    assert "Score options: revised Tokuhashi vertebral-body item coded 321" in out
    assert "KPS 10 left unscored" not in out
