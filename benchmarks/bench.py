"""Benchmarks of the fast paths against their references, measured in the same run.

Run with ``nox -s bench`` (or ``python benchmarks/bench.py``). Prints a table of timings
and ratios and writes it as JSON (default ``build/bench/bench.json``).

Rows
----
- ``fit_cox``: :func:`cohort.models.fit_cox` vs ``lifelines.CoxPHFitter().fit`` (Efron),
  n = 100,000, p = 6.
- ``harrell_c``: :func:`cohort.validation.harrell_c` vs
  ``lifelines.utils.concordance_index``, n = 1,000,000.
- ``optimism_corrected_c``: :func:`cohort.validation.optimism_corrected_c` (B = 200) vs a
  straightforward lifelines loop (fit ``CoxPHFitter`` on each bootstrap sample, two
  ``concordance_index`` calls), n = 10,000, p = 6. The lifelines loop is timed on fewer
  replicates and scaled per replicate (stated in the output).
- peak memory of ``fit_cox`` on 1,000,000 x 10, in fresh subprocesses: the tracemalloc
  peak of the call (heap allocations made by the fit, NumPy included; the input arrays
  are not counted) and the process's maximum resident set size (``ru_maxrss``: interpreter,
  libraries and the input data included).
- ``synthetic.generate(1_000_000)`` vs the NumPy floor (drawing one uniform variate per
  generated cell), and the wall time of the default report build, when those exist.

Timings are medians of ``--repeats`` runs (the first, compiling or cache-loading call is
reported separately where there is one). Speed-up = reference time / our time.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

TARGET_SPEEDUP = 20.0
MEMORY_LIMIT_MB = 1500.0


def median_time(func: Callable[[], Any], repeats: int) -> tuple[float, list[float]]:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times), times


def cox_data(
    n: int, p: int, seed: int, tied: bool = True
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p))
    lp = X @ np.linspace(-0.5, 0.5, p)
    t = rng.exponential(np.exp(-lp))
    c = rng.exponential(2.0, n)
    t_obs = np.minimum(t, c)
    if tied:  # follow-up recorded in whole days (time unit: years): realistic ties
        t_obs = np.ceil(t_obs * 365.25) / 365.25
    return t_obs, (t <= c).astype(np.int64), X


def frame(t: np.ndarray, e: np.ndarray, X: np.ndarray) -> pd.DataFrame:
    df = pd.DataFrame(X, columns=[f"x{j}" for j in range(X.shape[1])])
    df["T"] = t
    df["E"] = e
    return df


def machine() -> dict[str, Any]:
    import lifelines
    import numba

    return {
        "cpu_count": os.cpu_count(),
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "pandas": pd.__version__,
        "lifelines": lifelines.__version__,
        "numba": numba.__version__,
    }


def row(name: str, ours: float | None, ref: float | None, **extra: Any) -> dict[str, Any]:
    speedup = ref / ours if ours and ref else None
    return {"name": name, "ours_s": ours, "reference_s": ref, "speedup": speedup, **extra}


# --------------------------------------------------------------------------------------


def bench_fit_cox(
    n: int, p: int, repeats: int, ref_repeats: int, tied: bool = True
) -> dict[str, Any]:
    from lifelines import CoxPHFitter

    from cohort.models import fit_cox

    t, e, X = cox_data(n, p, seed=1, tied=tied)
    df = frame(t, e, X)
    ours_fit = fit_cox(t, e, X)
    ours, ours_all = median_time(lambda: fit_cox(t, e, X), repeats)
    ref_fit: list[Any] = []
    ref, ref_all = median_time(
        lambda: ref_fit.append(CoxPHFitter().fit(df, "T", "E")), ref_repeats
    )
    diff = float(np.max(np.abs(ours_fit.coef - ref_fit[-1].params_.to_numpy())))
    se_rel = float(np.max(np.abs(ours_fit.se / ref_fit[-1].standard_errors_.to_numpy() - 1)))
    return row(
        "fit_cox vs lifelines CoxPHFitter",
        ours,
        ref,
        size=f"n={n:,}, p={p}, Efron, {'tied times' if tied else 'distinct times'}",
        ours_runs=ours_all,
        reference_runs=ref_all,
        target=TARGET_SPEEDUP,
        check=f"max |coef diff| {diff:.1e}, max SE rel diff {se_rel:.1e}; fit_cox "
        f"converged={ours_fit.converged} in {ours_fit.n_iter} likelihood evaluations",
    )


def bench_harrell_c(n: int, repeats: int, ref_repeats: int) -> dict[str, Any]:
    from lifelines.utils import concordance_index

    from cohort.validation import harrell_c

    rng = np.random.default_rng(2)
    t = np.ceil(rng.exponential(12.0, n) * 30.4375)  # days: tied times
    e = rng.integers(0, 2, n)
    risk = np.round(-np.log(t) + rng.normal(size=n), 2)  # tied risks
    start = time.perf_counter()
    c_ours = harrell_c(t[:1000], e[:1000], risk[:1000])
    first = time.perf_counter() - start
    c_ours = harrell_c(t, e, risk)
    ours, ours_all = median_time(lambda: harrell_c(t, e, risk), repeats)
    c_ref: list[float] = []
    ref, ref_all = median_time(lambda: c_ref.append(concordance_index(t, -risk, e)), ref_repeats)
    return row(
        "harrell_c vs lifelines concordance_index",
        ours,
        ref,
        size=f"n={n:,}, tied times and risks",
        ours_runs=ours_all,
        reference_runs=ref_all,
        first_call_s=first,
        target=TARGET_SPEEDUP,
        check=f"|C diff| {abs(c_ours - c_ref[-1]):.1e}",
    )


def lifelines_optimism_loop(df: pd.DataFrame, B: int, seed: int) -> list[float]:
    """The straightforward loop: refit CoxPHFitter per bootstrap sample, two C's each."""
    from lifelines import CoxPHFitter
    from lifelines.utils import concordance_index

    rng = np.random.default_rng(seed)
    out = []
    for _ in range(B):
        boot = df.iloc[rng.integers(0, len(df), len(df))].reset_index(drop=True)
        cph = CoxPHFitter().fit(boot, "T", "E")
        c_boot = concordance_index(boot["T"], -cph.predict_log_partial_hazard(boot), boot["E"])
        c_orig = concordance_index(df["T"], -cph.predict_log_partial_hazard(df), df["E"])
        out.append(c_boot - c_orig)
    return out


def bench_optimism(n: int, p: int, B: int, B_ref: int, repeats: int) -> list[dict[str, Any]]:
    from lifelines import CoxPHFitter

    from cohort.validation import optimism_corrected_c

    t, e, X = cox_data(n, p, seed=3)
    df = frame(t, e, X)
    optimism_corrected_c(t[:300], e[:300], X[:300], B=2)  # compile / load kernels
    result = optimism_corrected_c(t, e, X, B=B, n_jobs=1)
    ours, ours_all = median_time(lambda: optimism_corrected_c(t, e, X, B=B, n_jobs=1), repeats)
    apparent_ref, _ = median_time(lambda: CoxPHFitter().fit(df, "T", "E"), 1)
    loop, loop_all = median_time(lambda: lifelines_optimism_loop(df, B_ref, seed=0), repeats)
    ref = apparent_ref + loop / B_ref * B
    rows = [
        row(
            "optimism_corrected_c vs lifelines loop",
            ours,
            ref,
            size=f"n={n:,}, p={p}, B={B}",
            ours_runs=ours_all,
            reference_runs=[apparent_ref + x / B_ref * B for x in loop_all],
            target=TARGET_SPEEDUP,
            check=(
                f"lifelines loop timed on {B_ref} replicates, scaled x{B / B_ref:g} per "
                f"replicate (+ one full-data fit); ours: corrected C {result.corrected:.4f}"
            ),
        )
    ]
    par, par_all = median_time(lambda: optimism_corrected_c(t, e, X, B=B, n_jobs=2), repeats)
    rows.append(
        row(
            "optimism_corrected_c n_jobs=2 vs n_jobs=1",
            par,
            ours,
            size=f"n={n:,}, p={p}, B={B}",
            ours_runs=par_all,
            reference_runs=ours_all,
            check="speed-up > 1 means two worker processes pay at this size",
        )
    )
    n_big, B_big = n * 10, max(B // 5, 4)
    tb, eb, Xb = cox_data(n_big, p, seed=4)
    seq, seq_all = median_time(lambda: optimism_corrected_c(tb, eb, Xb, B=B_big, n_jobs=1), 1)
    par, par_all = median_time(lambda: optimism_corrected_c(tb, eb, Xb, B=B_big, n_jobs=2), 1)
    rows.append(
        row(
            "optimism_corrected_c n_jobs=2 vs n_jobs=1",
            par,
            seq,
            size=f"n={n_big:,}, p={p}, B={B_big}",
            ours_runs=par_all,
            reference_runs=seq_all,
            check="one run each",
        )
    )
    return rows


MEMORY_SCRIPT = textwrap.dedent(
    """
    import json, resource, sys, tracemalloc
    import numpy as np
    from cohort.models import fit_cox
    n, p, mode = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    rng = np.random.default_rng(5)
    X = rng.normal(size=(n, p))
    t = rng.exponential(np.exp(-X @ np.linspace(-0.3, 0.3, p)))
    c = rng.exponential(2.0, n)
    e = (t <= c).astype(np.int64)
    t = np.minimum(t, c)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if mode == "tracemalloc":
        tracemalloc.start()
        fit = fit_cox(t, e, X)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        out = {"tracemalloc_peak_mb": peak / 1e6}
    else:
        fit = fit_cox(t, e, X)
        after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        out = {"maxrss_mb": after / 1024, "maxrss_before_fit_mb": before / 1024}
    out["converged"] = bool(fit.converged)
    print(json.dumps(out))
    """
)


def bench_memory(n: int, p: int) -> dict[str, Any]:
    results: dict[str, Any] = {}
    for mode in ("tracemalloc", "rss"):
        proc = subprocess.run(
            [sys.executable, "-c", MEMORY_SCRIPT, str(n), str(p), mode],
            capture_output=True,
            text=True,
            check=True,
        )
        results.update(json.loads(proc.stdout.strip().splitlines()[-1]))
    peak = max(results["tracemalloc_peak_mb"], results["maxrss_mb"])
    return {
        "name": "fit_cox peak memory",
        "size": f"n={n:,}, p={p}",
        **results,
        "limit_mb": MEMORY_LIMIT_MB,
        "passed": peak < MEMORY_LIMIT_MB,
        "check": (
            "tracemalloc: peak of allocations during the fit (input excluded); "
            "maxrss: whole process incl. interpreter, libraries and input data"
        ),
    }


def bench_generator(n: int, repeats: int) -> dict[str, Any]:
    try:
        import synthetic
    except ImportError:
        return {"name": "synthetic.generate vs numpy floor", "status": "not available yet"}
    if not hasattr(synthetic, "generate"):
        return {"name": "synthetic.generate vs numpy floor", "status": "not available yet"}
    df = synthetic.generate(n, seed=0)
    cells = int(df.shape[0] * df.shape[1])
    ours, ours_all = median_time(lambda: synthetic.generate(n, seed=0), repeats)
    rng = np.random.default_rng(0)
    floor, floor_all = median_time(lambda: rng.random(cells), repeats)
    return {
        "name": "synthetic.generate vs numpy floor",
        "size": f"n={n:,} rows x {df.shape[1]} columns",
        "generate_s": ours,
        "numpy_floor_s": floor,
        "ratio_to_floor": ours / floor,
        "generate_runs": ours_all,
        "floor_runs": floor_all,
        "check": f"floor = numpy Generator.random drawing {cells:,} variates (one per cell)",
    }


REPORT_SCRIPT = (
    "import sys\nfrom reports.build import default_report\ndefault_report(sys.argv[1])\n"
)


def bench_report() -> dict[str, Any]:
    name = "default report build (wall time)"
    try:
        from reports.build import default_report  # noqa: F401
    except ImportError:
        return {"name": name, "status": "not available yet"}
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, "-c", REPORT_SCRIPT, tmp], capture_output=True, text=True
        )
        wall = time.perf_counter() - start
    if proc.returncode != 0:
        return {
            "name": name,
            "status": "failed",
            "stderr_tail": proc.stderr.strip().splitlines()[-3:],
        }
    return {
        "name": name,
        "wall_s": wall,
        "check": "one run, fresh interpreter (imports included): reports.build.default_report",
    }


# --------------------------------------------------------------------------------------


def fmt(x: float | None, unit: str = "s") -> str:
    if x is None:
        return "-"
    if unit == "s":
        return f"{x * 1e3:.1f} ms" if x < 1 else f"{x:.2f} s"
    return f"{x:.1f}{unit}"


def print_table(report: dict[str, Any]) -> None:
    m = report["machine"]
    print(
        f"\nMachine: {m['cpu_count']} CPUs, {m['processor']}, {m['platform']}\n"
        f"Python {m['python']}, numpy {m['numpy']}, pandas {m['pandas']}, "
        f"lifelines {m['lifelines']}, numba {m['numba']}\n"
        f"Medians of {report['repeats']} runs unless stated.\n"
    )
    header = f"{'benchmark':44} {'size':34} {'ours':>10} {'reference':>10} {'speed-up':>9} target"
    print(header)
    print("-" * len(header))
    for r in report["rows"]:
        if "status" in r:
            print(f"{r['name']:44} {r['status']}")
            continue
        if "limit_mb" in r:
            print(
                f"{r['name']:44} {r['size']:34} tracemalloc peak {r['tracemalloc_peak_mb']:.0f}"
                f" MB, max RSS {r['maxrss_mb']:.0f} MB (limit {r['limit_mb']:.0f} MB: "
                f"{'pass' if r['passed'] else 'FAIL'})"
            )
        elif "ratio_to_floor" in r:
            print(
                f"{r['name']:44} {r['size']:34} {fmt(r['generate_s']):>10} "
                f"{fmt(r['numpy_floor_s']):>10} {r['ratio_to_floor']:8.1f}x slower than floor"
            )
        elif "wall_s" in r:
            print(f"{r['name']:44} {'':34} {fmt(r['wall_s']):>10}")
        else:
            target = r.get("target")
            verdict = ""
            if target:
                verdict = f">= {target:g}x {'pass' if r['speedup'] >= target else 'FAIL'}"
            print(
                f"{r['name']:44} {r['size']:34} {fmt(r['ours_s']):>10} "
                f"{fmt(r['reference_s']):>10} {r['speedup']:8.1f}x {verdict}"
            )
        if r.get("check"):
            print(f"{'':46}{r['check']}")
        if r.get("first_call_s") is not None:
            print(f"{'':46}first call in this process (kernel compile/cache load): "
                  f"{fmt(r['first_call_s'])}")
    print()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="runs per timing (median)")
    parser.add_argument("--quick", action="store_true", help="small sizes, smoke test only")
    parser.add_argument("--out", default="build/bench/bench.json", help="JSON output path")
    parser.add_argument(
        "--only", default="", help="comma-separated subset: cox,c,optimism,memory,generator,report"
    )
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore", FutureWarning)  # lifelines/pandas deprecations
    q = args.quick
    only = set(filter(None, args.only.split(",")))

    def want(key: str) -> bool:
        return not only or key in only

    rows: list[dict[str, Any]] = []
    if want("cox"):
        for tied in (True, False):
            rows.append(
                bench_fit_cox(10_000 if q else 100_000, 6, args.repeats, args.repeats, tied)
            )
    if want("c"):
        rows.append(bench_harrell_c(50_000 if q else 1_000_000, args.repeats, args.repeats))
    if want("optimism"):
        rows.extend(
            bench_optimism(2_000 if q else 10_000, 6, 20 if q else 200, 5 if q else 10,
                           args.repeats)
        )
    if want("memory"):
        rows.append(bench_memory(100_000 if q else 1_000_000, 10))
    if want("generator"):
        rows.append(bench_generator(100_000 if q else 1_000_000, args.repeats))
    if want("report"):
        rows.append(bench_report())
    report = {"machine": machine(), "repeats": args.repeats, "quick": q, "rows": rows}
    print_table(report)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(report, indent=2))
    os.replace(tmp, out)
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
