"""Escaping and id helpers (property-based)."""

from __future__ import annotations

import html
import re

from hypothesis import given
from hypothesis import strategies as st

from reports._text import fmt_ci, fmt_p, html_text, plot_text, slug, unique_slugs


@given(st.text())
def test_escaped_text_has_no_markup_and_round_trips(s):
    for esc in (html_text(s), plot_text(s)):
        assert "<" not in esc
        assert ">" not in esc
        assert html.unescape(esc) == s
    assert '"' not in html_text(s)


@given(st.lists(st.text(), max_size=8))
def test_unique_slugs_are_ids(values):
    out = unique_slugs(values)
    assert len(out) == len(set(out)) == len(values)
    assert all(re.fullmatch(r"[a-z0-9_-]+", s) for s in out)
    assert all(s == slug(v) or s.startswith(slug(v) + "-") for s, v in zip(out, values,
                                                                             strict=True))


def test_number_formats():
    assert fmt_p(0.0004) == "<0.001"
    assert fmt_p(0.0123) == "0.012"
    assert fmt_p(None) == "–"
    assert fmt_ci(0.61234, 0.7, 3) == "0.612–0.700"
    assert fmt_ci(float("nan"), None) == "–"
