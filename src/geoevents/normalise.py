"""The normalise stage: raw string tables become typed tables.

Each value is cast to its field's codebook type (a value that does not cast is
a ``type`` problem and becomes empty), and every EDTF field gets its derived
columns: ``<field>_start``, ``<field>_end`` (inclusive days), ``<field>_precision``,
``<field>_approximate``, ``<field>_uncertain``, plus an internal
``_<field>_error`` the date rules report. Nested records were flattened into
their own tables by the reader. Nothing here judges the data: the check stage
does.

EDTF levels 0 and 1 as annotators use them: ``2019-04-25``, ``2023-09``,
``2023``, seasons ``2023-21`` (spring) to ``-24`` (winter), the qualifiers ``?``
(uncertain), ``~`` (approximate) and ``%`` (both) at the end of a date, and
intervals ``A/B`` whose ends are such dates, ``..`` (open) or empty (unknown).
Unspecified digits (``201X``) and level 2 are refused with a hint. The parser
runs on the distinct date strings only and is cross-checked against the
``edtf`` library in the tests.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from geoevents import problems as P
from geoevents.codebook import Codebook, Table


@dataclass
class Normalised:
    tables: dict[str, pl.DataFrame]
    #: values that are not of their field's type
    problems: pl.DataFrame


def normalise(raw_tables: dict[str, pl.DataFrame], codebook: Codebook) -> Normalised:
    """Typed tables with derived dates, and the type problems casting found."""
    tables, found = {}, []
    for name, table in codebook.tables.items():
        typed, problems = cast(raw_tables[name], table)
        for f in table.fields:
            if f.type == "edtf":
                typed = derive(typed, f.name, prefix=f.name)
        tables[name] = typed
        found.append(problems)
    return Normalised(tables, P.combine(found))


# --- casts -------------------------------------------------------------------


def cast(frame: pl.DataFrame, table: Table) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The table with typed columns, and a ``type`` problem for each value that did not cast."""
    casts, found = [], []
    for f in table.fields:
        expr = _cast_expr(pl.col(f.name), f.type)
        if expr is None:
            continue
        casts.append(expr.alias(f.name))
        bad = frame.filter(pl.col(f.name).is_not_null() & expr.is_null())
        found.append(
            P.from_frame(bad, "type", f.name, f"not {TYPE_TEXT[f.type][0]}",
                         hint=TYPE_TEXT[f.type][1])
        )
    return frame.with_columns(casts), P.combine(found)


def _cast_expr(col: pl.Expr, kind: str) -> pl.Expr | None:
    text = col.str.strip_chars()
    if kind == "integer":
        return text.cast(pl.Int64, strict=False)
    if kind == "number":
        return text.cast(pl.Float64, strict=False)
    if kind == "boolean":
        low = text.str.to_lowercase()
        return pl.when(low.is_in(TRUE)).then(True).when(low.is_in(FALSE)).then(False)
    if kind == "date":
        return pl.when(text.str.contains(r"^\d{4}-\d{2}-\d{2}$")).then(
            text.str.to_date("%Y-%m-%d", strict=False)
        )
    return None


TRUE, FALSE = ["true", "yes"], ["false", "no"]

#: per type a value must be cast to: what it must be, and how to write it
TYPE_TEXT = {
    "integer": ("a whole number", "write digits only, like 2013348"),
    "number": ("a number", "use a decimal point, like 43.1155"),
    "boolean": ("true or false", "write true or false"),
    "date": ("a date (YYYY-MM-DD)", "write an existing day as YYYY-MM-DD, like 2023-09-13"),
}


# --- EDTF --------------------------------------------------------------------

#: ASCII digits only: ``\d`` would take fullwidth (２０２３) and Arabic-Indic (٢٠٢٣) ones
PART = r"^([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?([?~%])?$"
SEASONS = {21: (3, 5, 0), 22: (6, 8, 0), 23: (9, 11, 0), 24: (12, 2, 1)}

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
