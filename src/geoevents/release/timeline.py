"""A timeline picture of the release: events over time, by type and status."""

from __future__ import annotations

from pathlib import Path

import polars as pl

STATUS_MARKERS = {"occurred": "o", "planned": "s", "expected": "^"}


def draw(events: pl.DataFrame, path: Path, title: str) -> None:
    """Write a PNG; the same events give the same bytes (no timestamps in the file)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt

    rows = events.filter(pl.col("date_start").is_not_null()).sort("date_start", "event_id")
    types = sorted(set(rows.get_column("event_type").to_list()))
    fig, ax = plt.subplots(figsize=(11, 0.45 * max(len(types), 4) + 1.6), dpi=100)
    for status, marker in STATUS_MARKERS.items():
        part = rows.filter(pl.col("status") == status)
        if part.is_empty():
            continue
        starts = part.get_column("date_start").to_list()
        ends = part.get_column("date_end").to_list()
        ys = [types.index(t) for t in part.get_column("event_type").to_list()]
        for s, e, y in zip(starts, ends, ys, strict=True):
            if e is not None and e != s:
                ax.plot([s, e], [y, y], color="0.6", linewidth=2, zorder=1)
        ax.scatter(starts, ys, marker=marker, s=42, label=status, zorder=2,
                   edgecolors="black", linewidths=0.5)
    ax.set_yticks(range(len(types)), types)
    locator = mdates.AutoDateLocator()
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    ax.set_ylim(-0.7, len(types) - 0.3)
    ax.set_title(title)
    ax.grid(axis="x", color="0.9")
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False, fontsize="small",
              title="status")
    fig.tight_layout()
    fig.savefig(path, format="png", metadata={"Software": None})
    plt.close(fig)
