"""The date rules: EDTF dates that parse, exist and are ordered; events after 1900,
not in the future, and coherent with their sources' publication dates.

The dates are parsed in the normalise stage (``geoevents.normalise``), which
adds the derived columns (``date_start`` ...) and an error code per value that
these rules report.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from geoevents import problems as P
from geoevents.codebook import Codebook

EARLIEST = dt.date(1900, 1, 1)


MESSAGES = {
    "date-format": (
        "{} is not an EDTF date of levels 0-1",
        "write 2019-04-25, 2023-09, 2023, 2023-09-04/2023-09-05, 2025-11~ or 2023?",
    ),
    "date-invalid": ("{} is not a day of the calendar", "check the month (01-12) and the day"),
    "date-order": ("{} ends before it starts", "write the earlier date first: start/end"),
}


def date_problems(frame: pl.DataFrame, column: str, prefix: str = "date") -> pl.DataFrame:
    """Format, calendar and order problems of a derived EDTF column."""
    wrong = frame.filter(pl.col(f"_{prefix}_error").is_not_null())
    out = []
    for rule, (message, hint) in MESSAGES.items():
        bad = wrong.filter(pl.col(f"_{prefix}_error") == rule)
        out.append(P.from_frame(bad, rule, column, pl.format(message, pl.col(column)), hint))
    return P.combine(out)


def too_early(events: pl.DataFrame) -> pl.DataFrame:
    """Events before 1900; an unknown start (``../1899-05``) is judged by its end."""
    bad = events.filter(pl.coalesce("date_start", "date_end") < EARLIEST)
    return P.from_frame(
        bad, "date-too-early", "date",
        pl.format("{} is before 1900", pl.col("date")),
        "the dataset covers events from 1900 on; check the year",
    )


def in_the_future(events: pl.DataFrame, sources: pl.DataFrame, codebook: Codebook) -> pl.DataFrame:
    """Sources published after today, and occurred events that start after today.

    Only these two rules read the clock, and time only makes them looser: what
    validated once validates later.
    """
    today = dt.date.today()
    happened = pl.col("status").is_in(codebook.role_values("events", "status", "happened"))
    foreseen = codebook.role_values("events", "status", "foreseen")
    sources_ = sources.filter(pl.col("published_start") > today)
    events_ = events.filter(happened & (pl.col("date_start") > today))
    return P.combine([
        P.from_frame(
            sources_, "date-future-source", "published",
            pl.format("source dated {}, which is after today ({})", pl.col("published"),
                      pl.lit(today.isoformat())),
            "a source is registered once it is published: check the year of its date",
        ),
        P.from_frame(
            events_, "date-future-event", "date",
            pl.format("{} event dated {}, which is after today ({})", pl.col("status"),
                      pl.col("date"), pl.lit(today.isoformat())),
            f"an event that has not happened yet is {' or '.join(foreseen)}: check the date "
            "or the status",
        ),
    ])


def against_sources(events, citations, sources, codebook: Codebook) -> pl.DataFrame:
    """Events that happened start by their newest source; foreseen ones end after the
    oldest (the statuses in the roles "happened" and "foreseen").

    A publication date after today counts as today (that source is reported by
    ``in_the_future``), and an occurred event after today is reported there
    too, not here: one error for one mistake.
    """
    today = pl.lit(dt.date.today(), dtype=pl.Date)
    capped = lambda c: pl.when(pl.col(c) > today).then(today).otherwise(pl.col(c))  # keeps nulls
    pubs = sources.select(
        "source_id", capped("published_start").alias("p_start"),
        capped("published_end").alias("p_end"),
    )
    happened = pl.col("status").is_in(codebook.role_values("events", "status", "happened"))
    foreseen = pl.col("status").is_in(codebook.role_values("events", "status", "foreseen"))
    events = events.filter(~(happened & (pl.col("date_start") > today)).fill_null(False))
    # An event can start after its newest source only if it starts after the
    # earliest publication of all (and end before its oldest one only if it ends
    # before the latest): only those few are joined with their citations.
    late = events.filter(
        happened
        & (pl.col("date_start") > pl.lit(pubs.get_column("p_end").min(), dtype=pl.Date))
    )
    early = events.filter(
        foreseen
        & (pl.col("date_end") < pl.lit(pubs.get_column("p_start").max(), dtype=pl.Date))
    )
    late = _with_source_span(late, citations, pubs).filter(pl.col("date_start") > pl.col("newest"))
    early = _with_source_span(early, citations, pubs).filter(pl.col("date_end") < pl.col("oldest"))
    return P.combine([
        P.from_frame(
            late, "date-after-sources", "date",
            pl.format("{} event dated {} but its newest source was published by {}",
                      pl.col("status"), pl.col("date"), pl.col("newest")),
            "a source cannot report what had not happened yet: check the date or use status "
            + " or ".join(codebook.role_values("events", "status", "foreseen")),
        ),
        P.from_frame(
            early, "date-before-sources", "date",
            pl.format("{} event dated {} ends before its oldest source ({})",
                      pl.col("status"), pl.col("date"), pl.col("oldest")),
            "an event in the past of every source occurred (or not): check the date or the status",
        ),
    ])


def _with_source_span(events, citations, pubs) -> pl.DataFrame:
    """Events (those with a cited source) and the newest and oldest publication of their sources."""
    spans = (
        citations.select("event_id", "source_id")
        .join(events.select("event_id"), on="event_id", how="semi")
        .join(pubs, on="source_id")
        .group_by("event_id")
        .agg(newest=pl.col("p_end").max(), oldest=pl.col("p_start").min())
    )
    return events.join(spans, on="event_id", how="inner")
