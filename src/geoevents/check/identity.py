"""Identity: composite keys are unique and retired IDs stay retired."""

from __future__ import annotations

import polars as pl

from geoevents import problems as P
from geoevents.codebook import Codebook


def duplicate_rows(tables: dict[str, pl.DataFrame], codebook: Codebook) -> pl.DataFrame:
    out = []
    for table in codebook.tables.values():
        key = list(table.primary_key)
        frame = tables[table.name]
        if len(key) < 2 or frame.is_empty():
            continue
        dup = frame.filter(pl.struct(key).is_duplicated() & pl.all_horizontal(
            pl.col(k).is_not_null() for k in key))
        first = dup.group_by(key).agg(pl.col("_file").first().alias("_f"),
                                      pl.col("_line").min().alias("_l"))
        dup = dup.join(first, on=key).filter(
            (pl.col("_line") != pl.col("_l")) | (pl.col("_file") != pl.col("_f")))
        out.append(
            P.from_frame(
                dup, "duplicate-row", key[-1],
                f"the same {' + '.join(key)} is given twice",
                pl.format("first at {}:{}; remove one", pl.col("_f"), pl.col("_l")),
                value=pl.concat_str([pl.col(k) for k in key], separator=" | "),
            )
        )
    return P.combine(out)


def retired_reused(tables: dict[str, pl.DataFrame], codebook: Codebook) -> pl.DataFrame:
    retired = tables["retired"]
    out = []
    for name, table in codebook.tables.items():
        if name == "retired" or len(table.primary_key) != 1:
            continue
        key = table.primary_key[0]
        ids = retired.filter(pl.col("table") == name)
        reused = tables[name].join(ids.select("retired_id", "reason", "replaced_by"),
                                   left_on=key, right_on="retired_id", how="inner")
        out.append(
            P.from_frame(
                reused, "retired-id", key,
                pl.format("{} was retired ({}) and may not be used again", pl.col(key),
                          pl.col("reason")),
                pl.when(pl.col("replaced_by").is_not_null())
                .then(pl.format("use {} instead", pl.col("replaced_by")))
                .otherwise(pl.lit("choose a new ID")),
            )
        )
    return P.combine(out)


def split_records(tables: dict[str, pl.DataFrame], codebook: Codebook) -> pl.DataFrame:
    """A record that nests its child records (an event's actors, its citations) has all
    of them there: a child written in another file for the same parent is a problem.
    One place per record keeps a review of it whole, and lets the editor schemas judge
    a record by what it nests (a recipient among the nested actors)."""
    out = []
    for child in codebook.tables.values():
        if not child.nested_in:
            continue
        key = codebook.tables[child.nested_in["table"]].primary_key[0]
        parent = tables[child.nested_in["table"]]
        rows = tables[child.name]
        if rows.is_empty() or parent.is_empty() or key not in rows.columns:
            continue
        home = parent.select(key, pl.col("_file").alias("_home"),
                             pl.col("_line").alias("_home_line")).unique(key, keep="first")
        placed = rows.join(home, on=key, how="inner").with_columns(
            (pl.col("_file") == pl.col("_home")).alias("_nested"))
        nests = placed.filter(pl.col("_nested")).select(key).unique()
        stray = placed.filter(~pl.col("_nested")).join(nests, on=key, how="semi")
        out.append(P.from_frame(
            stray, "nested-split", key,
            pl.format(f"{{}} nests its {child.nested_in['key']} in {{}} (line {{}}); this "
                      f"{child.name} record adds one in another file", pl.col(key),
                      pl.col("_home"), pl.col("_home_line")),
            pl.format(f"write all of a record's {child.nested_in['key']} in one place: move "
                      f"this one under {{}} in {{}}, or move the nested ones here",
                      pl.col(key), pl.col("_home")),
        ))
    return P.combine(out)
