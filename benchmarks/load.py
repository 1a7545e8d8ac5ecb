"""Time ``geoevents.load()`` against ``pl.read_parquet`` on the same release file.

    python benchmarks/load.py --events 1000000 --json [--release DIR]

Builds a synthetic release of N events (or uses DIR, a folder holding index.json
and <version>/), then, in one process and interleaved, reads the events table
``--repeat`` times each way: through ``geoevents.load`` (index look-up, version
resolution, path checks, then polars) and with ``pl.read_parquet`` on the path
directly (the baseline). Prints one JSON line with the medians and their ratio.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "src"))


def build_release(folder: Path, events: int) -> Path:
    import synth

    from geoevents import release

    root = folder / "project"
    synth.generate(root, events)
    (root / "CHANGELOG.md").write_text("# Changelog\n\n## [1.0.0] - 2026-01-01\n\n- x\n")
    release.build(root, "1.0.0")
    return root / "dataset"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100000)
    parser.add_argument("--release", type=Path, default=None)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    import polars as pl

    import geoevents
    from geoevents import loading

    with tempfile.TemporaryDirectory(prefix="geoevents-load-bench-") as tmp:
        dataset = args.release or build_release(Path(tmp), args.events)
        loading.bundled_dir = lambda: dataset  # the synthetic release stands in for the shipped one
        path = dataset / loading.latest() / "events.parquet"
        ours, base = [], []
        for _ in range(args.repeat):
            start = time.perf_counter()
            a = geoevents.load()
            ours.append(time.perf_counter() - start)
            start = time.perf_counter()
            b = pl.read_parquet(path)
            base.append(time.perf_counter() - start)
        assert a.equals(b)
        result = {
            "events": a.height,
            "load_s": round(statistics.median(ours), 4),
            "read_parquet_s": round(statistics.median(base), 4),
            "ratio": round(statistics.median(ours) / statistics.median(base), 3),
            "repeat": args.repeat,
        }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
