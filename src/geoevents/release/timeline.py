"""A timeline picture of the release: events over time, by type and status.

Background events decades older than the rest (the 1953 armistice beside 2019-2026)
would squeeze everything else into a corner, so a long empty gap splits the time
axis into two panels.
"""

from __future__ import annotations

import datetime as dt
import itertools
import warnings
from pathlib import Path

import polars as pl

#: markers given to the statuses in the order their vocabulary lists them
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*", "h", "<", ">", "p")
GAP_YEARS = 10


def split_at_gap(starts: list[dt.date]) -> dt.date | None:
    """First date after the widest gap longer than GAP_YEARS, if any."""
    ordered = sorted(starts)
    gaps = [(b - a, b) for a, b in itertools.pairwise(ordered)]
    wide = [g for g in gaps if g[0].days > GAP_YEARS * 365]
    return max(wide)[1] if wide else None


def draw(events: pl.DataFrame, path: Path, title: str, codebook) -> None:
    """Write a PNG; the same events give the same bytes (no timestamps in the file).

    Each status of the codebook's vocabulary gets a marker, in vocabulary order."""
    # a Figure of its own with the Agg canvas: no pyplot, so the process's
    # plotting backend and pyplot's figure registry are left as they are
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    rows = events.filter(pl.col("date_start").is_not_null()).sort("date_start", "event_id")
    types = sorted(set(rows.get_column("event_type").to_list()))
    split = split_at_gap(rows.get_column("date_start").to_list())
    fig = Figure(figsize=(11, 0.45 * max(len(types), 4) + 1.6), dpi=100)
    FigureCanvasAgg(fig)
    if split is None:
        main = fig.subplots()
        panels = [(main, rows)]
    else:
        early, main = fig.subplots(
            1, 2, sharey=True,
            gridspec_kw={"width_ratios": [1, 6], "wspace": 0.05},
        )
        panels = [(early, rows.filter(pl.col("date_start") < split)),
                  (main, rows.filter(pl.col("date_start") >= split))]
        early.spines["right"].set_linestyle((0, (2, 3)))
        main.spines["left"].set_linestyle((0, (2, 3)))
    for i, (ax, part) in enumerate(panels):
        _plot(ax, part, types, _markers(codebook), narrow=len(panels) == 2 and i == 0)
    panels[0][0].set_yticks(range(len(types)), [_plain(t) for t in types])
    main.set_ylim(-0.7, len(types) - 0.3)
    fig.suptitle(_plain(title))
    main.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False, fontsize="small",
                title="status")
    fig.subplots_adjust(left=0.1, right=0.88, bottom=0.12, top=0.9)
    with warnings.catch_warnings():  # a range of days leaves the date locator unsure; harmless
        warnings.simplefilter("ignore", UserWarning)
        fig.savefig(path, format="png", metadata={"Software": None})


def _clip_to_calendar(ax) -> None:
    """Keep the axis within the years matplotlib can draw (1 to 9999).

    The automatic margins around an event dated 9999-12-31 would reach past the
    year 9999, which matplotlib cannot turn into a date; other limits are left as
    they are, so the pictures of earlier releases stay byte for byte the same.
    """
    import matplotlib.dates as mdates

    lo, hi = ax.get_xlim()
    first = mdates.date2num(dt.datetime(1, 1, 1))
    last = mdates.date2num(dt.datetime(9999, 12, 31))
    if lo < first or hi > last:
        ax.set_xlim(max(lo, first), min(hi, last))


def _plain(label: str) -> str:
    """A codebook value as matplotlib draws it literally: '$' would start mathtext."""
    return label.replace("$", r"\$")


def _markers(codebook) -> dict[str, str]:
    statuses = codebook.vocabulary(codebook.tables["events"].field("status"))
    return {s: MARKERS[i % len(MARKERS)] for i, s in enumerate(statuses)}


def _plot(ax, rows: pl.DataFrame, types: list[str], markers: dict[str, str],
          narrow: bool = False) -> None:
    import matplotlib.dates as mdates

    for status, marker in markers.items():
        part = rows.filter(pl.col("status") == status)
        if part.is_empty():
            continue
        part = part.with_columns(y=pl.col("event_type").replace_strict(
            {t: i for i, t in enumerate(types)}, return_dtype=pl.Int64))
        spans = part.filter(pl.col("date_end").is_not_null()
                            & (pl.col("date_end") != pl.col("date_start")))
        if spans.height:  # one collection of lines, not one line per event
            ax.hlines(spans.get_column("y").to_list(), spans.get_column("date_start").to_list(),
                      spans.get_column("date_end").to_list(), color="0.6", linewidth=2, zorder=1)
        ax.scatter(part.get_column("date_start").to_list(), part.get_column("y").to_list(),
                   marker=marker, s=42, label=_plain(status), zorder=2, edgecolors="black",
                   linewidths=0.5)
    _clip_to_calendar(ax)
    if narrow:  # a few background events: label their first year only
        first = min(rows.get_column("date_start").to_list())
        ax.set_xticks([dt.date(first.year, 1, 1)])
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    else:
        locator = mdates.AutoDateLocator(maxticks=8)
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    ax.grid(axis="x", color="0.9")
