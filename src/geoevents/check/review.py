"""Review: events are checked, by a named curator, on a day that has come."""

from __future__ import annotations

import datetime as dt

import polars as pl

from geoevents import problems as P

#: the fields of events this rule reads: who checked, on which day (geoevents sign-off
#: writes these two), and who annotated
CHECKED_BY, CHECKED_ON, ANNOTATED_BY = "checked_by", "checked_on", "annotated_by"


def check(events: pl.DataFrame, today: dt.date | None = None,
          distinct_checker: bool = False) -> pl.DataFrame:
    """Unchecked events, checks without a day or dated in the future, and (when the
    project file's review policy asks for it) events checked by their own annotator."""
    today = today or dt.date.today()
    by, on = pl.col(CHECKED_BY), pl.col(CHECKED_ON)
    unchecked = events.filter(by.is_null())
    undated = events.filter(by.is_not_null() & on.is_null())
    future = events.filter(on > today)
    own = events.filter(by == pl.col(ANNOTATED_BY)) if distinct_checker else events.clear()
    return P.combine([
        P.from_frame(
            unchecked, "unchecked", CHECKED_BY, "the event has not been checked",
            "re-read the event against its quotes and sources, then sign it off: geoevents "
            "sign-off EVENT_ID --by CURATOR (it writes checked_by and checked_on); releases "
            "publish only checked events",
        ),
        P.from_frame(
            undated, "missing-field", CHECKED_ON,
            f"{CHECKED_ON} is required once {CHECKED_BY} is set",
            "write the day of the check as YYYY-MM-DD",
        ),
        P.from_frame(
            future, "date-future-check", CHECKED_ON,
            pl.format("checked on {}, which is after today", on),
            "write the day the check was done",
        ),
        P.from_frame(
            own, "checker-is-annotator", CHECKED_BY,
            pl.format("{} checked an event they annotated", by),
            "the project file (distinct_checker: true) asks for a second curator: have "
            "another curator check the event",
        ),
    ])
