"""Benchmark the plan parser on the five seeds (and underthesea.word_tokenize for reference).

Usage: python bench/plan_parse.py [SEED_DIR]

Prints, per seed, the median parse time over ten runs; overall throughput in MB of UTF-8 text
per second; peak memory (tracemalloc peak during one extra pass, and the process's maximum
resident set); the same files through ``underthesea.word_tokenize`` when it is installed, with
the ratio. The last line is one JSON object with all the figures.
"""

from __future__ import annotations

import json
import resource
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from ttdn.plans.parsing import parse_text  # noqa: E402

RUNS = 10


def main() -> int:
    seed_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else REPO.parent / "shared" / "seeds"
    files = sorted(seed_dir.glob("*.txt"))
    if not files:
        print(f"no seeds in {seed_dir}", file=sys.stderr)
        return 2
    texts = {f.name: f.read_text("utf-8") for f in files}
    total_bytes = sum(len(t.encode("utf-8")) for t in texts.values())

    parse_text(next(iter(texts.values())))  # warm-up: compile regexes once
    medians: dict[str, float] = {}
    total_time = 0.0
    for name, text in texts.items():
        times = []
        for _ in range(RUNS):
            t0 = time.perf_counter()
            parse_text(text)
            times.append(time.perf_counter() - t0)
        medians[name] = statistics.median(times)
        total_time += sum(times)
        print(
            f"{name}: {len(text.encode('utf-8')) / 1024:.1f} KiB, "
            f"median {medians[name] * 1000:.1f} ms"
        )
    throughput = total_bytes * RUNS / total_time / 1e6
    largest = max(texts, key=lambda n: len(texts[n]))

    tracemalloc.start()
    for text in texts.values():
        parse_text(text)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    print(
        f"median per document: {statistics.median(medians.values()) * 1000:.1f} ms; "
        f"largest seed {largest}: {medians[largest] * 1000:.1f} ms"
    )
    print(
        f"throughput: {throughput:.2f} MB/s; tracemalloc peak {peak / 1e6:.1f} MB; "
        f"max RSS {rss_mb:.0f} MB"
    )

    ref: float | None = None
    try:
        from underthesea import word_tokenize
    except Exception as exc:  # the reference is optional: report and skip
        print(f"underthesea unavailable ({exc.__class__.__name__}: {exc}); reference skipped")
    else:
        word_tokenize("Khởi động bộ tách từ.")
        ref_times = []
        for text in texts.values():
            times = []
            for _ in range(RUNS):
                t0 = time.perf_counter()
                word_tokenize(text)
                times.append(time.perf_counter() - t0)
            ref_times.append(statistics.median(times))
        ref = sum(ref_times)
        ours = sum(medians.values())
        print(
            f"underthesea.word_tokenize: {ref * 1000:.1f} ms for all seeds "
            f"(parser {ours * 1000:.1f} ms; parser/underthesea = {ours / ref:.2f})"
        )
    figures = {
        "docs": len(texts),
        "runs": RUNS,
        "median_ms_per_doc": round(statistics.median(medians.values()) * 1000, 2),
        "largest_seed_ms": round(medians[largest] * 1000, 2),
        "throughput_mb_s": round(throughput, 3),
        "tracemalloc_peak_mb": round(peak / 1e6, 2),
        "max_rss_mb": round(rss_mb, 1),
        "underthesea_ms_all": round(ref * 1000, 2) if ref is not None else None,
        "ratio_parser_to_underthesea": round(sum(medians.values()) / ref, 3) if ref else None,
    }
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
