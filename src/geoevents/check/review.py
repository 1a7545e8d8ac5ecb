"""Review: events are checked, by a named curator, on a day that has come."""

from __future__ import annotations

import datetime as dt

import polars as pl

from geoevents import problems as P


def check(events: pl.DataFrame, today: dt.date | None = None) -> pl.DataFrame:
    today = today or dt.date.today()
    unchecked = events.filter(pl.col("checked_by").is_null())
    undated = events.filter(pl.col("checked_by").is_not_null() & pl.col("checked_on").is_null())
    future = events.filter(pl.col("checked_on") > today)
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
    ])
