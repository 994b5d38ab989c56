"""Table 1: cohort characteristics overall and by score group.

Continuous characteristics are summarised as mean (SD) and median [IQR], counts as
n (%) with percentages of the patients in whom the characteristic is known; missing
values get their own row, so every patient is accounted for in every block.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from cohort.schema import COLUMNS

__all__ = ["LABELS", "LEVEL_LABELS", "OVERALL_COLUMN", "table_one"]

OVERALL_COLUMN = "Overall"

_SKIP = {"patient_id", "time_months", "event"}

#: How each canonical characteristic is labelled for a clinical reader: the clinical
#: name with its unit (the canonical column name is in the CSV column ``column``).
LABELS: dict[str, str] = {
    "age": "Age, years",
    "sex": "Sex",
    "primary_site": "Primary tumour site",
    "kps": "Karnofsky performance status, %",
    "ecog": "ECOG performance status (0-4)",
    "extraspinal_bone_mets": "Extraspinal bone metastases, number of foci",
    "vertebral_mets": "Vertebral bodies involved, number",
    "visceral_mets": "Metastases to major internal organs",
    "frankel": "Frankel grade (A = complete palsy, E = normal)",
    "spinal_region": "Spinal region of the index lesion",
    "cord_compression": "Spinal cord compression",
    "back_pain": "Back pain",
    "ambulatory": "Able to walk",
    "albumin": "Serum albumin, g/dL",
    "pathologic_fracture": "Pathologic fracture",
    "sins_location": "SINS: location",
    "sins_pain": "SINS: pain",
    "sins_lesion": "SINS: bone lesion",
    "sins_alignment": "SINS: radiographic alignment",
    "sins_collapse": "SINS: vertebral body collapse",
    "sins_posterolateral": "SINS: posterolateral involvement",
}

#: Category labels that are codes rather than words (cohort.schema vocabularies).
LEVEL_LABELS: dict[str, dict[str, str]] = {
    "primary_site": {"head_neck": "head and neck"},
    "sins_collapse": {"gt50": ">50% collapse", "lt50": "<50% collapse",
                      "body_gt50": "no collapse, >50% of body involved",
                      "none": "none of these"},
}


def _pct(k: int, n: int) -> str:
    return f"{k} ({100.0 * k / n:.1f}%)" if n else f"{k} (–)"


def _whole(x: float) -> str:
    """A quantile of whole-number data: ``80`` rather than ``80.0``; ``82.5`` kept."""
    return f"{x:.0f}" if float(x).is_integer() else f"{x:.1f}"


def _continuous(values: pd.Series, whole: bool = False) -> tuple[str, str]:
    v = pd.to_numeric(values, errors="coerce").dropna().astype(float)
    if v.empty:
        return "–", "–"
    sd = float(v.std(ddof=1)) if len(v) > 1 else float("nan")
    q1, med, q3 = np.percentile(v, [25, 50, 75])
    sd_text = "–" if np.isnan(sd) else f"{sd:.1f}"
    if whole:
        return f"{v.mean():.1f} ({sd_text})", f"{_whole(med)} [{_whole(q1)}–{_whole(q3)}]"
    return f"{v.mean():.1f} ({sd_text})", f"{med:.1f} [{q1:.1f}–{q3:.1f}]"


def _block(column: str, label: str, kind: str, vocab: Sequence[str] | None,
           parts: dict[str, pd.DataFrame]) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    series = {name: part[column] for name, part in parts.items()}
    missing = {name: int(s.isna().sum()) for name, s in series.items()}
    if kind in ("float", "int"):
        means = {name: _continuous(s, whole=kind == "int") for name, s in series.items()}
        if kind == "float":
            rows.append({"characteristic": label, "level": "mean (SD)",
                         **{n: m[0] for n, m in means.items()}})
        rows.append({"characteristic": label, "level": "median [IQR]",
                     **{n: m[1] for n, m in means.items()}})
    elif kind == "bool":
        rows.append({"characteristic": label, "level": "yes, n (%)",
                     **{name: _pct(int((s.dropna().astype(bool)).sum()), int(s.notna().sum()))
                        for name, s in series.items()}})
    else:
        overall = series[OVERALL_COLUMN].dropna().astype(str)
        present = set(overall)
        levels = [v for v in (vocab or ()) if v in present]
        levels += sorted(present - set(levels))
        shown = LEVEL_LABELS.get(column, {})
        for level in levels:
            rows.append({"characteristic": label,
                         "level": f"{shown.get(level, level)}, n (%)",
                         **{name: _pct(int((s.dropna().astype(str) == level).sum()),
                                       int(s.notna().sum()))
                            for name, s in series.items()}})
    if missing[OVERALL_COLUMN]:
        rows.append({"characteristic": label, "level": "missing, n",
                     **{name: str(k) for name, k in missing.items()}})
    return rows


def table_one(frame: pd.DataFrame, group: str | None = None,
              group_order: Sequence[str] | None = None) -> pd.DataFrame:
    """Characteristics of the cohort, overall and (optionally) by a grouping column.

    Parameters
    ----------
    frame
        Validated canonical cohort (with score columns if grouping by a score group).
    group
        Column to split by, e.g. ``"tokuhashi_revised_group"``. Patients with a missing
        group appear in a ``"group missing"`` column so that columns add up to Overall.
    group_order
        Display order of the group labels (default: sorted).

    Returns
    -------
    pandas.DataFrame
        Columns ``characteristic``, ``level``, ``Overall`` and one per group; every cell
        is display text. The first row is the number of patients; deaths and the observed
        follow-up time (time_months) come next, then every canonical characteristic
        present in ``frame`` in schema order, labelled for a clinical reader
        (:data:`LABELS`: name and unit; :data:`LEVEL_LABELS` for coded categories).
        Whole-number characteristics (KPS, ECOG, counts) show medians and quartiles
        without a spurious decimal.

    References
    ----------
    Hayes-Larson E, Kezios KL, Mooney SJ, Lovasi G. Who is in this study, anyway?
    Guidelines for a useful Table 1. J Clin Epidemiol 2019;114:125-132.
    """
    parts: dict[str, pd.DataFrame] = {OVERALL_COLUMN: frame}
    if group is not None:
        if group not in frame.columns:
            raise ValueError(
                f"table_one: no column {group!r}; columns are {list(frame.columns)}."
            )
        labels = frame[group]
        known = labels.dropna().astype(str)
        order = [str(g) for g in group_order] if group_order is not None else sorted(set(known))
        for g in order:
            if (known == g).any():
                parts[g] = frame.loc[known.index[known == g]]
        if labels.isna().any():
            parts["group missing"] = frame.loc[labels.isna()]
    rows: list[dict[str, str]] = [
        {"characteristic": "Patients", "level": "n", **{k: str(len(p)) for k, p in parts.items()}}
    ]
    if "event" in frame.columns:
        rows.append({"characteristic": "Deaths", "level": "n (%)",
                     **{k: _pct(int((p["event"] == 1).sum()), len(p)) for k, p in parts.items()}})
    if "time_months" in frame.columns:
        rows.append({"characteristic": "Observed time, months", "level": "median [IQR]",
                     **{k: _continuous(p["time_months"])[1] for k, p in parts.items()}})
    for name, spec in COLUMNS.items():
        if name in _SKIP or name not in frame.columns:
            continue
        label = LABELS.get(name, spec.description)
        rows.extend(_block(name, label, spec.kind, spec.values, parts))
    out = pd.DataFrame(rows, columns=["characteristic", "level", *parts.keys()])
    return out.fillna("–")
