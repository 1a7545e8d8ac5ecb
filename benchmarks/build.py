"""Time ``geoevents build`` on a synthetic project, with the great-expectations part apart.

    python benchmarks/build.py --events 1000000 --json

Generates a valid CSV-form project of N events (benchmarks/synth.py), writes a
CHANGELOG section for 1.0.0 and builds it, timing the whole build and, inside
it, the validation, the great-expectations quality suite, and the rest (release
tables, Parquet/CSV, metadata, picture, checksums). Prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "src"))

import synth


def timed(module, name, bucket, key):
    """Replace module.name by a wrapper that adds its run time to bucket[key]."""
    original = getattr(module, name)

    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            bucket[key] = bucket.get(key, 0.0) + time.perf_counter() - start

    setattr(module, name, wrapper)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    from geoevents import check, release
    from geoevents.release import quality

    with tempfile.TemporaryDirectory(prefix="geoevents-build-bench-") as tmp:
        root = Path(tmp) / "project"
        start = time.perf_counter()
        synth.generate(root, args.events)
        generate_s = time.perf_counter() - start
        (root / "CHANGELOG.md").write_text("# Changelog\n\n## [1.0.0] - 2026-01-01\n\n- x\n")
        parts: dict[str, float] = {}
        timed(check, "run", parts, "validate")
        timed(quality, "run", parts, "gx")
        start = time.perf_counter()
        release.build(root, "1.0.0")
        build_s = time.perf_counter() - start
        size = sum(p.stat().st_size for p in (root / "dataset" / "1.0.0").iterdir())
    result = {
        "events": args.events,
        "build_s": round(build_s, 3),
        "validate_s": round(parts.get("validate", 0.0), 3),
        "gx_s": round(parts.get("gx", 0.0), 3),
        "rest_s": round(build_s - parts.get("validate", 0.0) - parts.get("gx", 0.0), 3),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "release_mb": round(size / 2**20, 1),
        "generate_s": round(generate_s, 3),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
