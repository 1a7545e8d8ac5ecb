"""References: every ID a table uses is defined in the table it names."""

from __future__ import annotations

import polars as pl

from geoevents import problems as P
from geoevents.check.hints import nearest
from geoevents.codebook import Codebook


def check(tables: dict[str, pl.DataFrame], codebook: Codebook) -> pl.DataFrame:
    out = []
    for table in codebook.tables.values():
        frame = tables[table.name]
        for f in table.fields:
            if not f.references or f.name not in frame.columns:
                continue
            known = tables[f.ref_table].get_column(f.ref_field).drop_nulls().unique()
            bad = frame.filter(pl.col(f.name).is_not_null() & ~pl.col(f.name).is_in(known.implode()))
            if bad.is_empty():
                continue
            choices = known.to_list()
            hints = {v: nearest(v, choices) if choices else f"{f.ref_table} is empty"
                     for v in bad.get_column(f.name).unique().to_list()}
            out.append(
                P.from_frame(
                    bad, "unknown-reference", f.name,
                    pl.format("{} is not defined in " + f.ref_table, pl.col(f.name)),
                    pl.col(f.name).replace_strict(hints, return_dtype=pl.String),
                )
            )
    return P.combine(out)
