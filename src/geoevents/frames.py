"""Release tables where analysts work: time filters as polars expressions, and pandas.

An event's ``date`` is EDTF; the release derives ``date_start`` (the first day the
date can mean) and ``date_end`` (the last): ``2023`` is 2023-01-01 to 2023-12-31,
``2023-09~`` (approximate) 2023-09-01 to 2023-09-30, ``2022-02-24/2023-09-06`` those
two days. An open end (``2019/..``) or an unknown one (``/2019``) is empty (null).
So "events in 2023" has two readings, each one call:

- ``within("2023-01-01", "2023-12-31")``: what the date can mean lies wholly inside
  the period (both ends known and inside);
- ``overlaps("2023-01-01", "2023-12-31")``: what the date can mean meets the period
  on at least one day (an empty end counts as unbounded on its side).
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from geoevents.errors import UsageError

START, END = "date_start", "date_end"


def _day(value, name: str) -> dt.date:
    """A bound given as a date, a datetime (its day) or an ISO string YYYY-MM-DD."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        text = value.strip()
        try:
            if len(text) == 10:
                return dt.date.fromisoformat(text)
        except ValueError:
            pass
        raise UsageError(f"{name} {value!r} is not a day written YYYY-MM-DD",
                         f"give a date or an ISO string such as '2023-01-01' for {name}")
    raise UsageError(f"{name} must be a date or an ISO string YYYY-MM-DD, "
                     f"not {type(value).__name__}",
                     f"give a date or an ISO string such as '2023-01-01' for {name}")


def _bounds(start, end) -> tuple[dt.date, dt.date]:
    first, last = _day(start, "start"), _day(end, "end")
    if first > last:
        raise UsageError(f"start {first.isoformat()} is after end {last.isoformat()}",
                         "give the earlier day first")
    return first, last


def within(start, end) -> pl.Expr:
    """Rows whose dates lie wholly inside [start, end] (both days included): date_start
    and date_end are known and inside. ``events.filter(geoevents.within("2023-01-01",
    "2023-12-31"))``."""
    first, last = _bounds(start, end)
    return (pl.col(START).is_not_null() & pl.col(END).is_not_null()
            & (pl.col(START) >= first) & (pl.col(END) <= last))


def overlaps(start, end) -> pl.Expr:
    """Rows whose dates meet [start, end] on at least one day (both days included); an
    empty date_start or date_end (an open or unknown end) is unbounded on its side."""
    first, last = _bounds(start, end)
    return ((pl.col(START).is_null() | (pl.col(START) <= last))
            & (pl.col(END).is_null() | (pl.col(END) >= first)))


def to_pandas(frame: pl.DataFrame):
    """A pandas DataFrame of a release table in which dates are ``datetime.date`` values
    and lists are Python lists (object columns; missing values are None); other columns
    as polars converts them. Needs pandas and pyarrow (``pip install 'geoevents[pandas]'``)."""
    try:
        import pandas as pd
    except ImportError:
        raise UsageError("to_pandas needs pandas, which is not installed",
                         "pip install 'geoevents[pandas]'") from None
    if isinstance(frame, pl.LazyFrame):
        frame = frame.collect()
    kept = [c for c, t in frame.schema.items() if not _as_objects(t)]
    out = frame.select(kept).to_pandas() if kept else pd.DataFrame(index=range(frame.height))
    for column, dtype in frame.schema.items():
        if _as_objects(dtype):
            out[column] = pd.Series(frame[column].to_list(), dtype=object, index=out.index)
    return out[frame.columns]


def _as_objects(dtype) -> bool:
    return dtype == pl.Date or isinstance(dtype, (pl.List, pl.Array))
