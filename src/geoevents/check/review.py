"""Review: events are checked, by a named curator, on a day that has come."""

from __future__ import annotations

import datetime as dt

import polars as pl

from geoevents import problems as P


def check(events: pl.DataFrame, today: dt.date | None = None,
          distinct_checker: bool = False) -> pl.DataFrame:
    """Unchecked events, checks without a day or dated in the future, and (when the
    project file's review policy asks for it) events checked by their own annotator."""
    today = today or dt.date.today()
    unchecked = events.filter(pl.col("checked_by").is_null())
    undated = events.filter(pl.col("checked_by").is_not_null() & pl.col("checked_on").is_null())
    future = events.filter(pl.col("checked_on") > today)
    own = events.filter(pl.col("checked_by") == pl.col("annotated_by")) if distinct_checker \
        else events.clear()
    return P.combine([
        P.from_frame(
            unchecked, "unchecked", "checked_by", "the event has not been checked",
            "re-read the event against its quotes and sources, then set checked_by and checked_on; "
            "releases publish only checked events",
        ),
        P.from_frame(
            undated, "missing-field", "checked_on", "checked_on is required once checked_by is set",
            "write the day of the check as YYYY-MM-DD",
        ),
        P.from_frame(
            future, "date-future-check", "checked_on",
            pl.format("checked on {}, which is after today", pl.col("checked_on")),
            "write the day the check was done",
        ),
        P.from_frame(
            own, "checker-is-annotator", "checked_by",
            pl.format("{} checked an event they annotated", pl.col("checked_by")),
            "the project file (distinct_checker: true) asks for a second curator: have "
            "another curator check the event",
        ),
    ])
