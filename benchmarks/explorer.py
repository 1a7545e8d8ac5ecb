"""The explorer of a release of N synthetic events: its size, how long it takes to
write, and (where chromium is installed) how long the browser takes to show it,
filter it and search it.

    python benchmarks/explorer.py --events 100000 --json

Generates a valid project (benchmarks/synth.py), derives its release tables as
the build does, writes explorer.html, and prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "src"))

import synth

CHROMIUM = Path("/usr/bin/chromium")


def release_tables(root: Path):
    from geoevents import check
    from geoevents.evidence_text import source_texts
    from geoevents.release.tables import release_tables as derive

    result = check.run(root)
    assert result.errors.is_empty(), result.errors.head()
    return derive(result.tables, result.codebook, source_texts(root, result.tables["sources"]))


def in_browser(path: Path) -> dict:
    """Seconds to load and show the page, to filter by a type and to search a word."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                    args=["--no-sandbox"])
        page = browser.new_page()
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        start = time.perf_counter()
        page.goto(path.as_uri())
        page.wait_for_selector("#events tbody tr")
        load_s = time.perf_counter() - start
        value = page.eval_on_selector("#filter-event_type", "s => s.options[1].value")
        start = time.perf_counter()
        page.select_option("#filter-event_type", value)
        filter_s = time.perf_counter() - start
        page.select_option("#filter-event_type", "")
        before = page.get_attribute("#count", "data-count")
        start = time.perf_counter()
        page.fill("#search", "minister")
        while page.get_attribute("#count", "data-count") == before:
            page.wait_for_timeout(10)
        search_s = time.perf_counter() - start - 0.15  # it runs 150 ms after the last key
        shown = int(page.get_attribute("#count", "data-count"))
        browser.close()
    return {"load_s": round(load_s, 2), "filter_s": round(filter_s, 2),
            "search_s": round(search_s, 2), "search_matches": shown, "errors": errors}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10000)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--keep", type=Path, default=None, help="copy explorer.html here")
    args = parser.parse_args()

    from geoevents.pages import explorer

    with tempfile.TemporaryDirectory(prefix="geoevents-explorer-bench-") as tmp:
        root = Path(tmp) / "project"
        synth.generate(root, args.events)
        tables = release_tables(root)
        path = Path(tmp) / "explorer.html"
        start = time.perf_counter()
        explorer.write(path, tables, {"title": "synthetic", "version": "1.0.0"})
        write_s = time.perf_counter() - start
        out = {"events": args.events, "citations": tables["citations"].height,
               "bytes": path.stat().st_size, "mb": round(path.stat().st_size / 1e6, 1),
               "write_s": round(write_s, 2)}
        if CHROMIUM.exists():
            out |= in_browser(path)
        if args.keep:
            args.keep.write_bytes(path.read_bytes())
    print(json.dumps(out) if args.json else json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
