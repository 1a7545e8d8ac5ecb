"""EDTF dates: parsing (vectorized) and the date rules.

Supported: EDTF levels 0 and 1 as annotators use them: ``2019-04-25``,
``2023-09``, ``2023``, seasons ``2023-21`` (spring) to ``-24`` (winter), the
qualifiers ``?`` (uncertain), ``~`` (approximate) and ``%`` (both) at the end of
a date, and intervals ``A/B`` whose ends are such dates, ``..`` (open) or empty
(unknown). Unspecified digits (``201X``) and level 2 are refused with a hint.
The parser runs on the distinct date strings only and is cross-checked against
the ``edtf`` library in the tests.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from geoevents import problems as P

#: ASCII digits only: ``\d`` would take fullwidth (２０２３) and Arabic-Indic (٢٠٢٣) ones
PART = r"^([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?([?~%])?$"
SEASONS = {21: (3, 5, 0), 22: (6, 8, 0), 23: (9, 11, 0), 24: (12, 2, 1)}
EARLIEST = dt.date(1900, 1, 1)

DERIVED = {
    "date_start": pl.Date,
    "date_end": pl.Date,
    "date_precision": pl.String,
    "date_approximate": pl.Boolean,
    "date_uncertain": pl.Boolean,
    "_date_error": pl.String,
}


def parse(values: pl.Series) -> pl.DataFrame:
    """Derived columns for each distinct EDTF string (column ``edtf``)."""
    frame = pl.DataFrame({"edtf": values.drop_nulls().unique()}, schema={"edtf": pl.String})
    parts = pl.col("edtf").str.split("/")
    frame = frame.with_columns(
        is_interval=pl.col("edtf").str.contains("/", literal=True),
        n_parts=parts.list.len(),
        left=parts.list.first(),
        right=parts.list.last(),
    )
    frame = frame.with_columns(**_part("left"), **_part("right"))
    frame = frame.with_columns(
        left_start=_start("left"), left_end=_end("left"),
        right_start=_start("right"), right_end=_end("right"),
    )
    return frame.with_columns(**_derive()).select("edtf", *DERIVED)


def _part(side: str) -> dict[str, pl.Expr]:
    """Year, month, day and qualifier of one side of a date."""
    text = pl.col(side)
    groups = [text.str.extract(PART, i) for i in (1, 2, 3, 4)]
    return {
        f"{side}_open": text.is_in(["..", ""]),
        f"{side}_ok": text.str.contains(PART),
        f"{side}_y": groups[0].cast(pl.Int32),
        f"{side}_m": groups[1].cast(pl.Int32),
        f"{side}_d": groups[2].cast(pl.Int32),
        f"{side}_q": groups[3],
    }


def _start(side: str) -> pl.Expr:
    y, m, d = (pl.col(f"{side}_{k}") for k in "ymd")
    season = m.replace_strict({s: v[0] for s, v in SEASONS.items()}, default=None)
    month = pl.when(m > 12).then(season).otherwise(m.fill_null(1))
    return _date(y, month, d.fill_null(1))


def _end(side: str) -> pl.Expr:
    y, m, d = (pl.col(f"{side}_{k}") for k in "ymd")
    season_month = m.replace_strict({s: v[1] for s, v in SEASONS.items()}, default=None)
    season_year = m.replace_strict({s: v[2] for s, v in SEASONS.items()}, default=0)
    month = pl.when(m > 12).then(season_month).otherwise(m.fill_null(12))
    year = pl.when(m > 12).then(y + season_year).otherwise(y)
    last = _date(year, month, pl.lit(1)).dt.month_end()
    return pl.when(d.is_not_null()).then(_date(y, m, d)).otherwise(last)


def _date(y: pl.Expr, m: pl.Expr, d: pl.Expr) -> pl.Expr:
    text = pl.format(
        "{}-{}-{}",
        y.cast(pl.String).str.zfill(4),
        m.cast(pl.String).str.zfill(2),
        d.cast(pl.String).str.zfill(2),
    )
    return text.str.to_date("%Y-%m-%d", strict=False)


def _side_ok(side: str) -> pl.Expr:
    """The side is well formed: a date, or an open/unknown end of an interval.

    Level 1 qualifies dates, not seasons: ``2023-21~`` is refused.
    """
    qualified_season = (pl.col(f"{side}_m") > 12) & pl.col(f"{side}_q").is_not_null()
    return (pl.col(f"{side}_ok") & ~qualified_season.fill_null(False)) | (
        pl.col("is_interval") & pl.col(f"{side}_open")
    )


def _side_exists(side: str) -> pl.Expr:
    """The side names real days (and a season has no day)."""
    m, d = pl.col(f"{side}_m"), pl.col(f"{side}_d")
    real = pl.col(f"{side}_start").is_not_null() & pl.col(f"{side}_end").is_not_null()
    return pl.col(f"{side}_open") | (real & ~((m > 12) & d.is_not_null()))


def _derive() -> dict[str, pl.Expr]:
    interval = pl.col("is_interval")
    both_open = interval & pl.col("left_open") & pl.col("right_open")
    well_formed = (pl.col("n_parts") <= 2) & _side_ok("left") & _side_ok("right") & ~both_open
    start = pl.when(pl.col("left_open")).then(None).otherwise(pl.col("left_start"))
    end = (
        pl.when(interval & pl.col("right_open")).then(None)
        .when(interval).then(pl.col("right_end"))
        .otherwise(pl.col("left_end"))
    )
    error = (
        pl.when(~well_formed).then(pl.lit("date-format"))
        .when(~_side_exists("left") | ~_side_exists("right")).then(pl.lit("date-invalid"))
        .when(start > end).then(pl.lit("date-order"))
    )
    precision = (
        pl.when(interval).then(pl.lit("interval"))
        .when(pl.col("left_d").is_not_null()).then(pl.lit("day"))
        .when(pl.col("left_m") > 12).then(pl.lit("season"))
        .when(pl.col("left_m").is_not_null()).then(pl.lit("month"))
        .otherwise(pl.lit("year"))
    )
    quals = pl.concat_str(pl.col("left_q").fill_null(""), pl.col("right_q").fill_null(""))
    ok = error.is_null()
    return {
        "date_start": pl.when(ok).then(start),
        "date_end": pl.when(ok).then(end),
        "date_precision": pl.when(ok).then(precision),
        "date_approximate": pl.when(ok).then(quals.str.contains("[~%]")),
        "date_uncertain": pl.when(ok).then(quals.str.contains("[?%]")),
        "_date_error": error,
    }


def derive(frame: pl.DataFrame, column: str, prefix: str = "date") -> pl.DataFrame:
    """``frame`` with the derived date columns of ``column`` joined on."""
    parsed = parse(frame.get_column(column)).rename(
        {k: k.replace("date", prefix, 1) for k in DERIVED}
    )
    return frame.join(parsed, left_on=column, right_on="edtf", how="left")


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


def in_the_future(events: pl.DataFrame, sources: pl.DataFrame) -> pl.DataFrame:
    """Sources published after today, and occurred events that start after today.

    Only these two rules read the clock, and time only makes them looser: what
    validated once validates later.
    """
    today = dt.date.today()
    sources_ = sources.filter(pl.col("published_start") > today)
    events_ = events.filter((pl.col("status") == "occurred") & (pl.col("date_start") > today))
    return P.combine([
        P.from_frame(
            sources_, "date-future-source", "published",
            pl.format("source dated {}, which is after today ({})", pl.col("published"),
                      pl.lit(today.isoformat())),
            "a source is registered once it is published: check the year of its date",
        ),
        P.from_frame(
            events_, "date-future-event", "date",
            pl.format("occurred event dated {}, which is after today ({})", pl.col("date"),
                      pl.lit(today.isoformat())),
            "an event that has not happened yet is planned or expected: check the date "
            "or the status",
        ),
    ])


def against_sources(events, citations, sources) -> pl.DataFrame:
    """Occurred events start by their newest source; planned ones end after the oldest.

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
    events = events.filter(~((pl.col("status") == "occurred") & (pl.col("date_start") > today))
                           .fill_null(False))
    # An event can start after its newest source only if it starts after the
    # earliest publication of all (and end before its oldest one only if it ends
    # before the latest): only those few are joined with their citations.
    late = events.filter(
        (pl.col("status") == "occurred")
        & (pl.col("date_start") > pl.lit(pubs.get_column("p_end").min(), dtype=pl.Date))
    )
    early = events.filter(
        pl.col("status").is_in(["planned", "expected"])
        & (pl.col("date_end") < pl.lit(pubs.get_column("p_start").max(), dtype=pl.Date))
    )
    late = _with_source_span(late, citations, pubs).filter(pl.col("date_start") > pl.col("newest"))
    early = _with_source_span(early, citations, pubs).filter(pl.col("date_end") < pl.col("oldest"))
    return P.combine([
        P.from_frame(
            late, "date-after-sources", "date",
            pl.format("occurred event dated {} but its newest source was published by {}",
                      pl.col("date"), pl.col("newest")),
            "a source cannot report what had not happened yet: check the date or use status planned",
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
