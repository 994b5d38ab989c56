"""Assemble one self-contained HTML report from a validation result.

The page embeds plotly.js once (inline, so it opens offline), draws every figure into a
``div`` with a fixed id, and links every table as a CSV ``data:`` URI. Nothing depends on
the clock or on random numbers: the same result gives the same bytes. Every string that
comes from the user's data (file names, column names, group labels) is escaped.
"""

from __future__ import annotations

import base64
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from plotly.offline import get_plotlyjs

from reports._page import CSS
from reports._text import fmt_ci, fmt_num, fmt_p, html_text, slug, unique_slugs
from reports.figures import (
    c_index_figure,
    calibration_figure,
    forest_figure,
    group_composition_figure,
    score_distribution_figure,
    targets_figure,
    td_auc_figure,
)
from reports.km import KaplanMeierLike, at_risk_matrix, km_figure
from reports.methods import STATISTICS, score_reference
from reports.table_one import table_one

__all__ = ["ReportOptions", "ValidationLike", "build_html", "find_tables"]

#: CSV tables up to this many bytes are embedded in the page as data: URIs.
EMBED_LIMIT = 250_000

PLOT_CONFIG = {"displaylogo": False, "responsive": True,
               "toImageButtonOptions": {"format": "svg"}}

_SIGNATURES: dict[str, tuple[str, ...]] = {
    "forest": ("term", "hr", "ci_lower", "ci_upper", "p", "n", "events"),
    "calibration": ("horizon", "group", "n", "predicted", "observed", "observed_lower",
                    "observed_upper"),
    "td_auc": ("score", "time", "auc"),
    "c_index": ("score", "harrell_c", "ci_lower", "ci_upper", "uno_c"),
}


class ValidationLike(Protocol):
    """What the report reads from ``cohort.validation.pipeline.ValidationResult``."""

    @property
    def results(self) -> Mapping[str, Any]: ...
    @property
    def km(self) -> Mapping[str, KaplanMeierLike]: ...
    @property
    def tables(self) -> Mapping[str, pd.DataFrame]: ...
    @property
    def cohort(self) -> pd.DataFrame: ...
    @property
    def excluded(self) -> pd.DataFrame: ...


@dataclass(frozen=True)
class ReportOptions:
    """Settings of one report.

    Attributes
    ----------
    title
        Page title.
    source_name
        Name of the input (file name, or a description of the synthetic cohort).
    bootstrap
        Bootstrap replicates used for the intervals, stated in the methods text
        (``None``: taken from ``results["settings"]`` when present).
    seed
        Seed of the run, stated in the methods text.
    notes
        Extra sentences for the methods section (e.g. how the cohort was generated).
    targets
        For synthetic cohorts: ``[target, target_value, generated, lower, upper]``.
    """

    title: str = "Validation of prognostic scores for spinal metastases"
    source_name: str | None = None
    bootstrap: int | None = None
    seed: int | None = None
    notes: tuple[str, ...] = ()
    targets: pd.DataFrame | None = field(default=None, compare=False)


def find_tables(tables: Mapping[str, pd.DataFrame], kind: str) -> list[tuple[str, pd.DataFrame]]:
    """Tables whose columns match one of the contract shapes (``forest``, ``calibration``,
    ``td_auc``, ``c_index``), in name order."""
    need = set(_SIGNATURES[kind])
    return [(name, tables[name]) for name in sorted(tables)
            if isinstance(tables[name], pd.DataFrame) and need <= set(tables[name].columns)]


def _registry() -> Mapping[str, Any]:
    try:
        from cohort.scores import REGISTRY
    except ImportError:  # pragma: no cover - the scores package is part of cohort
        return {}
    return REGISTRY


def _score_label(name: str, registry: Mapping[str, Any],
                 results: Mapping[str, Any] | None = None) -> str:
    if name in registry:
        return str(getattr(registry[name], "label", name))
    entry = ((results or {}).get("scores", {}) or {}).get(name, {}) or {}
    return str(entry.get("label") or name)


def _num(value: object) -> float:
    try:
        v = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return math.nan
    return v


class _Page:
    """Collects sections, figures and downloads in order, with unique fixed ids."""

    def __init__(self) -> None:
        self.sections: list[tuple[str, str, list[str]]] = []
        self.downloads: list[tuple[str, pd.DataFrame, str]] = []
        self.figure_ids: list[str] = []
        self._ids: set[str] = set()

    def new_id(self, base: str) -> str:
        name, k = slug(base), 1
        candidate = name
        while candidate in self._ids:
            k += 1
            candidate = f"{name}-{k}"
        self._ids.add(candidate)
        return candidate

    def section(self, key: str, title: str) -> list[str]:
        body: list[str] = []
        self.sections.append((self.new_id(f"sec-{key}"), title, body))
        return body

    def figure(self, fig: go.Figure, base: str, caption: str, km: str | None = None) -> str:
        fid = self.new_id(f"fig-{base}")
        self.figure_ids.append(fid)
        height = int(fig.layout.height or 450)
        div = pio.to_html(fig, include_plotlyjs=False, full_html=False, div_id=fid,
                          config=PLOT_CONFIG, default_height=f"{height}px",
                          default_width="100%", validate=True)
        km_attr = f' data-km="{html_text(km)}"' if km is not None else ""
        return (f'<figure class="plot" data-figure="{fid}"{km_attr}>{div}'
                f"<figcaption>{caption}</figcaption></figure>")

    def download(self, name: str, df: pd.DataFrame, description: str) -> str:
        """Register a CSV (embedded once, in the Tables section); return a link to it."""
        file_name = f"{slug(name)}.csv"
        if file_name not in {d[0] for d in self.downloads}:
            self.downloads.append((file_name, df, description))
        return (f'<a class="csv-ref" href="#dl-{slug(name)}">{html_text(file_name)} '
                "(CSV)</a>")


_TABLE_DESCRIPTIONS = {
    "c_comparison": "Paired differences in Harrell's C between scores",
    "consistency": "Prediction consistency (survival band predicted vs observed)",
    "excluded_rows": "Excluded rows and why",
    "horizon_logistic": "Fixed-horizon logistic models",
    "km_at_risk": "Number at risk, every score",
    "km_censored": "Censoring times, every score",
    "km_curves": "Kaplan-Meier curves, every score",
    "km_medians": "Median survival by group, every score",
    "km_survival_at": "Kaplan-Meier survival at the horizons",
    "logrank_pairwise": "Pairwise log-rank tests (Holm-adjusted)",
}


def _download_item(file_name: str, df: pd.DataFrame, description: str,
                   in_tables_dir: set[str]) -> str:
    anchor = f"dl-{file_name[:-4]}"
    data = df.to_csv(index=False, lineterminator="\n").encode("utf-8")
    what = f"{html_text(description)} ({len(df)} {'row' if len(df) == 1 else 'rows'})"
    if len(data) > EMBED_LIMIT and file_name in in_tables_dir:
        return (f'<li><a id="{anchor}" class="csv" href="tables/{html_text(file_name)}">'
                f"tables/{html_text(file_name)}</a> — {what}; {len(data) / 1e6:.1f} MB, "
                "not embedded</li>")
    uri = "data:text/csv;charset=utf-8;base64," + base64.b64encode(data).decode("ascii")
    return (f'<li><a id="{anchor}" class="csv" download="{html_text(file_name)}" '
            f'href="{uri}">{html_text(file_name)}</a> — {what}</li>')


def _html_table(df: pd.DataFrame, *, table_id: str | None = None, cls: str = "data",
                max_rows: int | None = None, group_first: bool = False) -> str:
    """``group_first``: show the first column only where it changes (Table 1 blocks)."""
    shown = df if max_rows is None else df.head(max_rows)
    head = "".join(f"<th>{html_text(c)}</th>" for c in shown.columns)
    body = []
    previous: object = None
    for row in shown.itertuples(index=False):
        values = [_cell(v) for v in row]
        new_block = not group_first or values[0] != previous
        if group_first:
            previous = values[0]
            if not new_block:
                values[0] = ""
        cells = "".join(f"<td>{html_text(v)}</td>" for v in values)
        body.append(f'<tr class="block-start">{cells}</tr>' if group_first and new_block
                    else f"<tr>{cells}</tr>")
    attr = f' id="{table_id}"' if table_id else ""
    return (f'<div class="table-wrap"><table class="{cls}"{attr}><thead><tr>{head}</tr>'
            f"</thead><tbody>{''.join(body)}</tbody></table></div>")


def _cell(value: object) -> str:
    if value is None or value is pd.NA:
        return "–"
    if isinstance(value, float | np.floating):
        if np.isnan(value):
            return "–"
        return f"{float(value):.4g}"
    return str(value)


def _at_risk_table(km: KaplanMeierLike, table_id: str, name: str) -> str:
    mat = at_risk_matrix(km)
    times = [fmt_num(t, 0) if float(t).is_integer() else fmt_num(t, 1) for t in mat.columns]
    head = "<th>Group</th>" + "".join(f'<th data-time="{t}">{t}</th>' for t in times)
    rows = []
    for group, counts in mat.iterrows():
        cells = "".join(f"<td>{'' if v is pd.NA else int(v)}</td>" for v in counts)
        rows.append(f'<tr data-group="{html_text(group)}"><th scope="row">'
                    f"{html_text(group)}</th>{cells}</tr>")
    return (f'<div class="table-wrap"><table class="at-risk" id="{table_id}" '
            f'data-km="{html_text(name)}"><caption>Number '
            f"at risk (months)</caption><thead><tr>{head}</tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table></div>")


def _best_score(scores: Mapping[str, Any]) -> tuple[str, Mapping[str, Any]] | None:
    ranked = [(n, s) for n, s in scores.items() if not math.isnan(_num(s.get("harrell_c")))]
    if not ranked:
        return None
    ranked.sort(key=lambda item: -_num(item[1].get("harrell_c")))
    return ranked[0]


def _ci_pair(value: object) -> tuple[object, object]:
    if isinstance(value, Sequence) and not isinstance(value, str) and len(value) == 2:
        return value[0], value[1]
    return None, None


def _summary(page: _Page, res: Mapping[str, Any], registry: Mapping[str, Any],
             source: str | None) -> None:
    body = page.section("summary", "Summary")
    scores: Mapping[str, Any] = res.get("scores", {}) or {}
    overall = res.get("overall", {}) or {}
    lines = []
    if source:
        lines.append(f"Input: <code>{html_text(source)}</code>.")
    full, partial = _exclusion_counts(res)
    lines.append(
        f"{html_text(res.get('n_analysed', '–'))} of {html_text(res.get('n_input_rows', '–'))} "
        f"patients analysed, {html_text(res.get('n_events', '–'))} deaths; {_rows(full)} "
        f"excluded from every analysis (no usable survival data) and {_rows(partial)} left "
        "out of some scores only (a score not computable for them); all listed under Cohort.")
    med = overall.get("median")
    lo, hi = _ci_pair(overall.get("median_ci"))
    lines.append(f"Median overall survival {fmt_num(med, 1)} months (95% CI "
                 f"{fmt_ci(lo, hi, 1)})" + ("" if med is not None else
                                             " — not reached in this cohort") + ".")
    best = _best_score(scores)
    if best is not None:
        name, s = best
        blo, bhi = _ci_pair(s.get("harrell_c_ci"))
        others = sorted(((n, _num(v.get("harrell_c"))) for n, v in scores.items() if n != name
                         and not math.isnan(_num(v.get("harrell_c")))), key=lambda x: -x[1])
        runner = (f" The next best is {html_text(_score_label(others[0][0], registry, res))} "
                  f"({fmt_num(others[0][1], 3)})." if others else "")
        lines.append(
            f'<strong id="best-score" data-score="{html_text(name)}">'
            f"{html_text(_score_label(name, registry, res))} discriminates best</strong>: "
            f"Harrell's C {fmt_num(s.get('harrell_c'), 3)} (95% CI {fmt_ci(blo, bhi, 3)}), Uno's C "
            f"{fmt_num(s.get('uno_c'), 3)}, optimism-corrected C "
            f"{fmt_num(s.get('optimism_corrected_c'), 3)}.{runner} Overlapping intervals mean "
            f"the data cannot rank the scores reliably.")
    else:
        lines.append("No score could be evaluated (see the exclusions and missing inputs).")
    body.append("".join(f"<p>{line}</p>" for line in lines))
    if scores:
        rows = []
        for name, s in sorted(scores.items(), key=lambda kv: -_num(kv[1].get("harrell_c"))
                              if not math.isnan(_num(kv[1].get("harrell_c"))) else 0.0):
            clo, chi = _ci_pair(s.get("harrell_c_ci"))
            cox = s.get("cox") or {}
            hlo, hhi = _ci_pair(cox.get("hr_ci"))
            purpose = getattr(registry.get(name), "purpose", "survival") if name in registry \
                else "user score"
            rows.append({
                "Score": _score_label(name, registry, res), "Purpose": purpose,
                "n": s.get("n"), "Harrell's C (95% CI)":
                    f"{fmt_num(s.get('harrell_c'), 3)} ({fmt_ci(clo, chi, 3)})",
                "Uno's C": fmt_num(s.get("uno_c"), 3),
                "Optimism-corrected C": fmt_num(s.get("optimism_corrected_c"), 3),
                "HR per point (95% CI)": f"{fmt_num(cox.get('hr_per_point'))} "
                                         f"({fmt_ci(hlo, hhi)})",
                "Log-rank p": fmt_p(s.get("logrank_p")), "Trend p": fmt_p(s.get("trend_p")),
                "IBS": fmt_num(s.get("ibs"), 3),
                "Consistency": fmt_num(s.get("consistency_rate"), 3),
            })
        table = pd.DataFrame(rows)
        body.append(_html_table(table, table_id="summary-table"))
        body.append(page.download("summary_scores", table, "Summary of every score"))


def _cohort(page: _Page, result: ValidationLike, best: str | None,
            registry: Mapping[str, Any]) -> None:
    body = page.section("cohort", "Cohort")
    frame = result.cohort
    group_col = f"{best}_group" if best and f"{best}_group" in frame.columns else None
    order = None
    if group_col and best is not None and best in result.km:
        order = list(result.km[best].group_order)
    t1 = table_one(frame, group=group_col, group_order=order)
    by = (f" and by {html_text(_score_label(best, registry, result.results))} group"
          if group_col and best else "")
    body.append(f"<h3>Table 1. Characteristics overall{by}</h3>")
    shown = t1.rename(columns={"characteristic": "Characteristic", "level": "Statistic"})
    body.append(_html_table(shown, table_id="table-one", group_first=True))
    body.append(page.download("table_one", t1, "Table 1"))
    excluded = result.excluded
    body.append('<h3>Exclusions<sup><a href="#fn-exclusions">1</a></sup></h3>')
    if excluded is not None and len(excluded):
        reasons = excluded["reason"].astype(str).value_counts().rename_axis("reason")
        body.append(_html_table(reasons.reset_index(name="rows"), table_id="exclusion-reasons"))
        body.append(f"<p>First rows excluded (all {len(excluded)} in the CSV):</p>")
        body.append(_html_table(excluded, table_id="exclusions", max_rows=20))
        body.append(page.download("excluded_rows", excluded, "Excluded rows"))
    else:
        body.append("<p>No rows were excluded.</p>")


def _survival(page: _Page, result: ValidationLike, registry: Mapping[str, Any]) -> None:
    body = page.section("survival", "Survival by score group")
    names = list(result.km)
    ordered = (["overall"] if "overall" in result.km else []) + [
        n for n in names if n != "overall"]
    for name, key in zip(ordered, unique_slugs(ordered), strict=True):
        km = result.km[name]
        label = ("All patients" if name == "overall"
                 else _score_label(name, registry, result.results))
        fig = km_figure(km, title=f"Kaplan-Meier: {label}", group_title=label,
                        time_label="Months since diagnosis of spinal metastasis")
        body.append(f"<h3>{html_text(label)}</h3>")
        whose = ("of all patients" if name == "overall"
                 else f"by {html_text(label)} group")
        body.append(page.figure(fig, f"km-{key}",
                                f"Kaplan-Meier survival {whose} with 95% confidence bands; "
                                "ticks mark censored patients, dashed lines the medians; the "
                                "number at risk is counted at each tick of the time axis."
                                '<sup><a href="#fn-censoring">2</a></sup>', km=name))
        body.append(_at_risk_table(km, f"at-risk-{key}", name))
        body.append(page.download(f"km_{key}_at_risk", km.at_risk, "Number at risk") + " · "
                    + page.download(f"km_{key}_medians", km.medians, "Medians by group"))


def _discrimination(page: _Page, result: ValidationLike, registry: Mapping[str, Any]) -> None:
    body = page.section("discrimination", "Discrimination")
    labels = {n: _score_label(n, registry, result.results)
              for n in result.results.get("scores", {}) or {}}
    for name, df in find_tables(result.tables, "c_index"):
        body.append(page.figure(c_index_figure(df, title="C-index by score", labels=labels),
                                f"c-index-{name}", "Harrell's C with 95% bootstrap CI, and "
                                "Uno's C; 0.5 is no better than chance."))
        body.append(page.download(name, df, "C-index comparison"))
    for name, df in find_tables(result.tables, "td_auc"):
        body.append(page.figure(td_auc_figure(df, title="Time-dependent AUC", labels=labels),
                                f"td-auc-{name}", "Cumulative/dynamic AUC over follow-up."))
        body.append(page.download(name, df, "Time-dependent AUC"))
    if len(body) == 0:
        body.append("<p>No discrimination tables in this result.</p>")


_FOREST_TITLES = {
    "cox_scores": "Per score point (one Cox model per score)",
    "cox_groups": "Score groups against the lowest group (one Cox model per score)",
    "cox_factors": "Single factors (one unadjusted Cox model per factor)",
    "cox_multivariable": "Revised Tokuhashi items together (one Cox model)",
}


def _term_label(term: str, registry: Mapping[str, Any], results: Mapping[str, Any]) -> str:
    """A Cox term for a clinical reader: ``tokuhashi_revised: 9-11 vs 0-8`` ->
    ``Revised Tokuhashi: 9-11 vs 0-8``; ``general_condition`` -> ``general condition``."""
    head, sep, rest = term.partition(":")
    if sep and head in registry:
        return f"{_score_label(head, registry, results)}:{rest}"
    return term.replace("head_neck", "head and neck").replace("_", " ")


def _cox(page: _Page, result: ValidationLike, registry: Mapping[str, Any]) -> None:
    body = page.section("cox", "Hazard ratios")
    labels = {n: _score_label(n, registry, result.results) for n in registry}
    for name, df in find_tables(result.tables, "forest"):
        if df.empty:
            continue
        title = _FOREST_TITLES.get(name, f"Cox model: {name}")
        terms = {str(t): _term_label(str(t), registry, result.results) for t in df["term"]}
        body.append(page.figure(forest_figure(df, title=title, labels={**labels, **terms}),
                                f"forest-{name}", "Hazard ratios with 95% CI on a log scale; "
                                "n / events per row."))
        body.append(page.download(name, df, "Cox model"))
    if not body:
        body.append("<p>No Cox model tables in this result.</p>")


def _calibration(page: _Page, result: ValidationLike, registry: Mapping[str, Any]) -> None:
    body = page.section("calibration", "Calibration")
    for name, df in find_tables(result.tables, "calibration"):
        if df.empty:
            continue
        if "score" in df.columns:
            parts = [(str(s), df[df["score"].astype(str) == str(s)].drop(columns="score"))
                     for s in pd.unique(df["score"])]
        else:
            parts = [(name, df)]
        for score, part in parts:
            label = _score_label(score, registry, result.results)
            body.append(page.figure(
                calibration_figure(part, title=f"Calibration: {label}"),
                f"calibration-{score}", f"{html_text(label)}: mean survival predicted by "
                "a Cox model on the score, in groups of predicted survival, against the "
                "Kaplan-Meier survival observed in each group (95% CI) at each horizon; "
                "the dashed line is perfect calibration."))
        body.append(page.download(name, df, "Calibration"))
    if not body:
        body.append("<p>No calibration tables in this result.</p>")


def _scores(page: _Page, result: ValidationLike, registry: Mapping[str, Any]) -> None:
    body = page.section("scores", "Score distributions")
    names = [n for n in (result.results.get("scores", {}) or {}) if n in result.cohort.columns]
    if not names:
        body.append("<p>No score columns.</p>")
        return
    labels = {n: _score_label(n, registry, result.results) for n in names}
    ranges = {n: (int(registry[n].minimum), int(registry[n].maximum))
              for n in names if n in registry}
    orders = {n: list(result.km[n].group_order) for n in names if n in result.km}
    body.append(page.figure(score_distribution_figure(result.cohort, names, labels=labels,
                                                      ranges=ranges,
                                                      title="Distribution of score values"),
                            "score-distribution", "Patients per score value (missing "
                            "values counted in each panel's legend entry)."))
    body.append(page.figure(group_composition_figure(result.cohort, names,
                                                     group_orders=orders, labels=labels,
                                                     title="Score-group composition"),
                            "group-composition", "Share of patients in each score group "
                            "(patients with the score computed)."))


def _targets(page: _Page, targets: pd.DataFrame) -> None:
    body = page.section("synthetic", "Synthetic cohort: generated against target")
    body.append(page.figure(targets_figure(targets, title="Calibration targets"),
                            "targets", "Each generated quantity as its deviation from the "
                            "target in units of the accepted band (0 = on target, ±1 = band "
                            "edges; crosses fall outside). A cohort of this size varies by "
                            "chance around the targets; the package's calibration check "
                            "uses a much larger cohort."))
    body.append(_html_table(targets, table_id="targets-table"))
    body.append(page.download("synthetic_targets", targets, "Calibration targets"))


def _methods(page: _Page, result: ValidationLike, registry: Mapping[str, Any],
             options: ReportOptions) -> None:
    body = page.section("methods", "Methods and references")
    settings = result.results.get("settings", {}) or {}
    boot = options.bootstrap if options.bootstrap is not None else settings.get("bootstrap")
    seed = options.seed if options.seed is not None else settings.get("seed")
    run = []
    if boot is not None:
        run.append(f"Bootstrap intervals and optimism correction used B = {html_text(boot)} "
                   "replicates")
    if seed is not None:
        run.append(f"random seed {html_text(seed)}")
    if run:
        body.append(f"<p>{'; '.join(run)}. The same input and seed reproduce this page "
                    "byte for byte.</p>")
    if settings.get("vertebral_option") is not None:
        overrides = settings.get("site_overrides") or {}
        changed = "; ".join(
            f"{html_text(item)}: " + ", ".join(f"{html_text(site)} {html_text(points)}"
                                               for site, points in sites.items())
            for item, sites in overrides.items() if sites)
        body.append(
            "<p>Score options: revised Tokuhashi vertebral-body item coded "
            f"{html_text(settings['vertebral_option'])}; primary-site points "
            + (f"overridden by the user ({changed})" if changed else
               "as documented in the package")
            + ("; van der Linden KPS 10 left unscored (missing)"
               if settings.get("van_der_linden_kps10") == "missing" else "")
            + ".</p>")
    notes = list(options.notes) or [str(n) for n in result.results.get("notes", []) or []]
    if notes:
        body.append("<h3>Data preparation</h3>")
        body.append("<ul>" + "".join(f"<li>{html_text(note)}</li>" for note in notes)
                    + "</ul>")
    for stat in STATISTICS:
        refs = "".join(f"<li>{html_text(r)}</li>" for r in stat.references)
        body.append(f'<h3 id="methods-{stat.key}">{html_text(stat.title)}</h3>'
                    f"<p>{html_text(stat.text)}</p><ul class=\"refs\">{refs}</ul>")
    rows = []
    for name in result.results.get("scores", {}) or {}:
        d = registry.get(name)
        rows.append({"Score": _score_label(name, registry, result.results), "Column": name,
                     "Range": f"{d.minimum}-{d.maximum}" if d is not None else "–",
                     "Direction": str(d.direction if d is not None else
                                      result.results["scores"][name].get("direction", "–")
                                      ).replace("_", " "),
                     "Reference": score_reference(name, registry)})
    if rows:
        body.append("<h3>Scores</h3>")
        body.append(_html_table(pd.DataFrame(rows), table_id="score-references"))


def _exclusion_counts(res: Mapping[str, Any]) -> tuple[int, int]:
    """(rows excluded from every analysis, rows left out of some scores only).

    Counted from the ``scope`` of each ``results.json`` ``excluded`` entry (``"all"`` or
    ``"scores"``); for entries without one, rows not analysed are ``n_input_rows -
    n_analysed`` and the other listed rows are the partial ones.
    """
    listed = list(res.get("excluded", []) or [])
    scopes = [e.get("scope") if isinstance(e, Mapping) else None for e in listed]
    if listed and all(sc in ("all", "scores") for sc in scopes):
        full = scopes.count("all")
        return full, len(listed) - full
    try:
        full = int(res["n_input_rows"]) - int(res["n_analysed"])
    except (KeyError, TypeError, ValueError):
        return len(listed), 0
    return full, max(0, len(listed) - full)


def _rows(k: int, noun: str = "row") -> str:
    """``"1 row"``, ``"3 rows"``."""
    return f"{k} {noun}" + ("" if k == 1 else "s")


def _left_out_per_score(res: Mapping[str, Any]) -> str:
    """``" (tomita 4, sins 2)"``: analysed patients each score left out; empty if none."""
    counts = []
    for name, entry in (res.get("scores", {}) or {}).items():
        k = (entry or {}).get("n_missing")
        if isinstance(k, int) and k > 0:
            counts.append(f"{html_text(name)} {k}")
    return f" (per score: {', '.join(counts)})" if counts else ""


def _footnotes(result: ValidationLike) -> str:
    frame = result.cohort
    full, partial = _exclusion_counts(result.results)
    res = result.results
    notes = [f'<li id="fn-exclusions">Exclusions: {_rows(full, "input row")} had no usable '
             f"survival time or event and {'was' if full == 1 else 'were'} excluded from every "
             f"analysis. {_rows(partial)} lacked an input of some score (or the score's value) "
             f"and {'was' if partial == 1 else 'were'} left out of the analyses of those scores "
             f"only{_left_out_per_score(res)}, staying in the overall survival analysis and "
             "in every score they have, so each score reports its own n. Each row is listed "
             "once with its reason (Cohort section and excluded_rows.csv); no row was dropped "
             "without being listed.</li>"]
    if {"time_months", "event"} <= set(frame.columns) and len(frame):
        ev = pd.to_numeric(frame["event"], errors="coerce")
        t = pd.to_numeric(frame["time_months"], errors="coerce")
        cens = int((ev == 0).sum())
        fu = _reverse_km_median(t.to_numpy(float), ev.to_numpy(float))
        notes.append(
            f'<li id="fn-censoring">Censoring: {cens} of {len(frame)} analysed patients '
            f"({100.0 * cens / len(frame):.1f}%) were alive at last follow-up and are "
            f"censored at that time; median follow-up (reverse Kaplan-Meier) "
            f"{fmt_num(fu, 1)} months. Estimates assume censoring unrelated to prognosis."
            "</li>")
    else:
        notes.append('<li id="fn-censoring">Censoring: no survival columns.</li>')
    skipped = res.get("scores_skipped", {}) or {}
    if skipped:
        items = "; ".join(f"{html_text(k)}: {html_text(v)}" for k, v in sorted(skipped.items()))
        notes.append(f'<li id="fn-skipped">Scores not analysed: {items}.</li>')
    unestimable = []
    overall_note = (res.get("overall", {}) or {}).get("median_note")
    if overall_note:
        unestimable.append(f"overall median: {html_text(overall_note)}")
    for name, entry in sorted((res.get("scores", {}) or {}).items()):
        for key, why in sorted(((entry or {}).get("null_reasons", {}) or {}).items()):
            unestimable.append(f"{html_text(name)} {html_text(key)}: {html_text(why)}")
    detail = (" Reasons: " + "; ".join(unestimable) + ".") if unestimable else ""
    notes.append('<li id="fn-unestimable">Values that cannot be estimated (e.g. a median '
                 f"never reached) are shown as –.{detail}</li>")
    return f'<section id="sec-footnotes"><h2>Footnotes</h2><ol>{"".join(notes)}</ol></section>'


def _reverse_km_median(time: np.ndarray, event: np.ndarray) -> float:
    """Median follow-up by the reverse Kaplan-Meier method (censoring as the event)."""
    from lifelines import KaplanMeierFitter

    ok = np.isfinite(time) & np.isfinite(event)
    if not ok.any():
        return math.nan
    kmf = KaplanMeierFitter().fit(time[ok], 1 - event[ok])
    med = float(kmf.median_survival_time_)
    return med if np.isfinite(med) else math.nan


def build_html(result: ValidationLike, options: ReportOptions | None = None) -> str:
    """The report as one HTML string.

    Parameters
    ----------
    result
        A ``ValidationResult`` (see :class:`ValidationLike`).
    options
        Title, input name, methods notes and synthetic targets.

    Returns
    -------
    str
        A complete HTML document with plotly.js inline exactly once, each figure in a
        ``div`` whose id starts with ``fig-``, each number-at-risk table as
        ``table.at-risk``, and every table downloadable as CSV.

    References
    ----------
    Collins GS, Reitsma JB, Altman DG, Moons KGM. Transparent reporting of a
    multivariable prediction model for individual prognosis or diagnosis (TRIPOD).
    BMJ 2015;350:g7594.
    """
    options = options or ReportOptions()
    registry = _registry()
    res = result.results
    page = _Page()
    _summary(page, res, registry, options.source_name)
    best = _best_score(res.get("scores", {}) or {})
    _cohort(page, result, best[0] if best else None, registry)
    _survival(page, result, registry)
    _discrimination(page, result, registry)
    _cox(page, result, registry)
    _calibration(page, result, registry)
    _scores(page, result, registry)
    if options.targets is not None and len(options.targets):
        _targets(page, options.targets)
    _methods(page, result, registry, options)
    downloads = page.section("downloads", "Tables (CSV)")
    for name, df in sorted(result.tables.items()):
        if isinstance(df, pd.DataFrame):
            page.download(name, df, _TABLE_DESCRIPTIONS.get(name, "Result table"))
    in_tables_dir = {f"{slug(n)}.csv" for n in result.tables}
    downloads.append(
        "<p>Each table is embedded in this page (click to save). Tables larger than "
        f"{EMBED_LIMIT // 1000} kB are not embedded; they are in the <code>tables/</code> "
        "folder written next to this page.</p>")
    items = "".join(_download_item(f, df, desc, in_tables_dir)
                    for f, df, desc in page.downloads)
    downloads.append(f'<ul id="downloads">{items}</ul>')

    nav = "".join(f'<li><a href="#{sid}">{html_text(title)}</a></li>'
                  for sid, title, _ in page.sections)
    sections = "".join(f'<section id="{sid}"><h2>{html_text(title)}</h2>{"".join(body)}'
                       "</section>" for sid, title, body in page.sections)
    figure_list = ",".join(f'"{f}"' for f in page.figure_ids)
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        f"<meta name=\"generator\" content=\"cohort reports\"><title>{html_text(options.title)}"
        f"</title><style>{CSS}</style>"
        f"<script>{get_plotlyjs()}</script></head>"
        f'<body><nav id="toc"><h1>{html_text(options.title)}</h1><ol>{nav}'
        '<li><a href="#sec-footnotes">Footnotes</a></li></ol></nav>'
        f'<main data-figures="{html_text(figure_list)}">{sections}{_footnotes(result)}</main>'
        "</body></html>\n"
    )
