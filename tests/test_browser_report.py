"""The built report in a real headless browser (Debian's chromium driven by Playwright).

Checks: no console errors, no network requests (only file: and data: URLs), every
figure rendered as SVG, the number-at-risk numbers in the page (the SVG text of each
Kaplan-Meier figure and the HTML table under it) equal to the KM result's at-risk
frame, and a title containing a script tag shown as text (no dialog opens).

Skipped only outside CI when Chromium or Playwright is missing; with ``CI`` set the
test fails instead, so CI cannot pass without running it. Never runs
``playwright install`` (no browser download): it uses /usr/bin/chromium.
"""

from __future__ import annotations

import os
import tempfile
from importlib.resources import files
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cohort.io import load_cohort
from cohort.validation.pipeline import run_validation
from reports.build import build_report
from reports.html import ReportOptions

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
INJECTION = "<script>alert(1)</script>"


def _require_browser() -> None:
    problems = []
    if not CHROMIUM.exists():
        problems.append(f"{CHROMIUM} is missing (apt-get install chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        problems.append("the playwright package is missing (pip install playwright)")
    if problems:
        message = "browser test cannot run: " + "; ".join(problems)
        if os.environ.get("CI"):
            pytest.fail(message + " — CI must install them", pytrace=False)
        pytest.skip(message)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    # The example cohort plus a custom score column whose *name* is a script tag: it
    # becomes a score name, a figure title, a legend title and a table cell.
    out = tmp_path_factory.mktemp("report")
    frame = pd.read_csv(files("cohort.data") / "example_cohort.csv")
    frame[INJECTION] = np.arange(len(frame)) % 3
    data = out / "cohort.csv"
    frame.to_csv(data, index=False)
    result = run_validation(load_cohort(data), ["tomita", f"{INJECTION}:higher-is-better"],
                            bootstrap=5, seed=1, compare=False)
    assert INJECTION in result.km
    page = build_report(result, out, ReportOptions(title=INJECTION, source_name=INJECTION))
    return result, page


@pytest.fixture(scope="module")
def seen(built):
    _require_browser()
    from playwright.sync_api import sync_playwright

    _, page_path = built
    obs: dict = {"requests": [], "console": [], "dialogs": []}
    with sync_playwright() as pw, tempfile.TemporaryDirectory() as profile:
        ctx = pw.chromium.launch_persistent_context(
            profile, executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS,
            viewport={"width": 1400, "height": 900})
        try:
            ctx.on("request", lambda r: obs["requests"].append(r.url))
            page = ctx.new_page()
            page.on("console", lambda m: obs["console"].append((m.type, m.text)))
            page.on("pageerror", lambda e: obs["console"].append(("pageerror", str(e))))
            page.on("dialog", lambda d: (obs["dialogs"].append(d.message), d.dismiss()))
            page.goto(page_path.resolve().as_uri(), wait_until="load")
            page.wait_for_function(
                "() => [...document.querySelectorAll('div.plotly-graph-div')]"
                ".every(d => d.querySelector('svg.main-svg'))", timeout=30_000)
            obs["figure_ids"] = page.evaluate(
                "() => [...document.querySelectorAll('div.plotly-graph-div')].map(d => d.id)")
            obs["rendered"] = page.evaluate(
                "() => Object.fromEntries([...document.querySelectorAll('div.plotly-graph-div')]"
                ".map(d => [d.id, d.querySelectorAll('svg.main-svg').length]))")
            # keyed by the KM result's name (data-km, decoded by the DOM)
            obs["svg_at_risk"] = page.evaluate(
                "() => Object.fromEntries([...document.querySelectorAll('figure[data-km]')]"
                ".map(f => [f.dataset.km, "
                "[...f.querySelectorAll('.subplot.x2y2 .scatterlayer .trace')].map("
                "t => [...t.querySelectorAll('.textpoint text')].map(x => x.textContent))]))")
            obs["table_at_risk"] = page.evaluate(
                "() => Object.fromEntries([...document.querySelectorAll('table.at-risk')]"
                ".map(t => [t.dataset.km, [...t.querySelectorAll('tbody tr')].map(r => "
                "[r.dataset.group, [...r.querySelectorAll('td')].map(c => c.textContent)])]))")
            obs["km_text"] = page.evaluate(
                "() => Object.fromEntries([...document.querySelectorAll('figure[data-km]')]"
                ".map(f => [f.dataset.km, [...f.querySelectorAll('.legendtitletext, .gtitle')]"
                ".map(x => x.textContent)]))")
            obs["h1"] = page.inner_text("nav#toc h1")
            obs["title"] = page.title()
        finally:
            ctx.close()
    return obs


def test_no_console_errors(seen):
    assert [c for c in seen["console"] if c[0] in ("error", "pageerror")] == []


def test_no_network_requests(seen):
    assert seen["requests"], "the page load itself should be recorded"
    assert [u for u in seen["requests"] if not u.startswith(("file:", "data:"))] == []


def test_every_figure_rendered(seen, built):
    result, _ = built
    ids = seen["figure_ids"]
    # overall + one KM per analysed score, at least
    assert {"fig-km-overall", "fig-km-tomita", "fig-km-script-alert-1-script"} <= set(ids)
    assert len(ids) >= len(result.km) + 4
    assert {i: n for i, n in seen["rendered"].items() if n < 1} == {}


def test_at_risk_numbers_equal_the_frame(seen, built):
    result, _ = built
    for name, km in result.km.items():
        expect = [[str(int(v)) for v in km.at_risk[km.at_risk["group"] == g]["n_at_risk"]]
                  for g in km.group_order]
        assert seen["svg_at_risk"][name] == expect
        table = seen["table_at_risk"][name]
        assert [g for g, _ in table] == list(km.group_order)
        assert [cells for _, cells in table] == expect


def test_script_tags_in_user_text_show_as_text(seen):
    assert seen["h1"] == INJECTION
    assert seen["title"] == INJECTION
    # the custom score's figure: title and legend title carry the column name verbatim
    assert sorted(seen["km_text"][INJECTION]) == sorted([f"Kaplan-Meier: {INJECTION}", INJECTION])
    assert seen["dialogs"] == []
