"""Benchmark of ``synthetic.generate``: time vs raw numpy draws, and peak memory.

Run: ``python benchmarks/generator.py [--n 1000000] [--repeat 3]``.

- *ratio*: best wall time of ``synthetic.generate(n)`` divided by the best time numpy
  needs to draw the same number of variates (17 uniforms and 8 standard normals per
  patient, the generator's draws with the teaching switches off). Target: <= 10.
- *memory*: peak resident-set growth while generating, and the tracemalloc peak,
  divided by the final frame's ``memory_usage(deep=True)``. Target: <= 2.

Measurements, not tests: nothing here asserts.
"""

from __future__ import annotations

import argparse
import gc
import resource
import time
import tracemalloc

import numpy as np


def _rss_bytes() -> int:
    with open("/proc/self/statm") as fh:
        pages = int(fh.read().split()[1])
    return pages * resource.getpagesize()


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)

    import synthetic
    from synthetic.model import _N_NORMAL, _N_UNIFORM

    synthetic.generate(1_000, seed=0)  # load the spec, warm caches
    gc.collect()
    rss0 = _rss_bytes()
    peak0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    frame = synthetic.generate(args.n, seed=1)
    peak1 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    frame_bytes = int(frame.memory_usage(deep=True).sum())
    rss_growth = max(peak1, rss0) - rss0 if peak1 > peak0 else float("nan")
    del frame
    gc.collect()

    tracemalloc.start()
    frame = synthetic.generate(args.n, seed=1)
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del frame
    gc.collect()

    gen_times = []
    for r in range(args.repeat):
        t0 = time.perf_counter()
        synthetic.generate(args.n, seed=r)
        gen_times.append(time.perf_counter() - t0)
    np_times = []
    rng = np.random.default_rng(0)
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        rng.random(args.n * _N_UNIFORM)
        rng.standard_normal(args.n * _N_NORMAL)
        np_times.append(time.perf_counter() - t0)
    out = {
        "n": args.n,
        "variates": args.n * (_N_UNIFORM + _N_NORMAL),
        "generate_s": min(gen_times),
        "numpy_s": min(np_times),
        "ratio": min(gen_times) / min(np_times),
        "frame_mb": frame_bytes / 1e6,
        "rss_peak_growth_mb": rss_growth / 1e6,
        "rss_ratio": rss_growth / frame_bytes,
        "tracemalloc_peak_mb": traced_peak / 1e6,
        "tracemalloc_ratio": traced_peak / frame_bytes,
    }
    for k, v in out.items():
        print(f"{k:>22}: {v:.4g}" if isinstance(v, float) else f"{k:>22}: {v}")
    return out


if __name__ == "__main__":
    main()
