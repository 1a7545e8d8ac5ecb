"""The release tables, derived from validated annotation tables.

Which tables a release publishes, their columns in order and how each derived
column is computed are the codebook's (``release_tables`` and the ``derived``
columns of schemas/tables.yaml; see ``geoevents.codebook.release``). Internal
columns (``_file``, ``_line``) are dropped and rows are sorted by primary key,
so that the same annotations always give the same bytes.
"""

from __future__ import annotations

import polars as pl

from geoevents import evidence_text as T
from geoevents.codebook import LIST_TYPES, Codebook, Field, Table
from geoevents.codebook import crosswalk as X
from geoevents.codebook import release as spec


def release_tables(tables: dict[str, pl.DataFrame], codebook: Codebook,
                   texts: dict[str, str]) -> dict[str, pl.DataFrame]:
    """Every published table with its release columns, in the codebook's order."""
    out = {}
    for name in codebook.release_tables:
        table = codebook.tables[name]
        frame = tables[name]
        derived = {}
        for column in table.columns:
            if column.derived and column.derived.kind != "crosswalk":
                derived[column.name] = _derive(column, table, frame, tables, codebook, texts)
        frame = frame.with_columns(**{k: v for k, v in derived.items()
                                      if isinstance(v, pl.Expr | pl.Series)})
        for values in derived.values():
            if isinstance(values, pl.DataFrame):  # per-record values joined on the key
                frame = frame.join(values, on=list(table.primary_key), how="left")
        frame = _crosswalks(frame, table, codebook)
        columns = spec.columns(table, [c for c in frame.columns if not c.startswith("_")])
        frame = frame.select(
            (pl.col(c.name).fill_null([]) if c.type in LIST_TYPES else pl.col(c.name))
            .cast(spec.polars_dtype(c.type)) for c in columns)
        out[name] = frame.sort(_sort_key(table), nulls_last=True)
    return out


def _crosswalks(frame: pl.DataFrame, table: Table, codebook: Codebook) -> pl.DataFrame:
    """The crosswalk columns, from the columns they number (derived ones included)."""
    out = {}
    for c in table.columns:
        if c.derived and c.derived.kind == "crosswalk":
            values = frame.get_column(c.derived.source)
            if isinstance(values.dtype, pl.List):
                values = values.fill_null([])
            out[c.name] = X.crosswalk(values, c.derived.part, codebook).alias(c.name)
    return frame.with_columns(**out) if out else frame


def _sort_key(table: Table) -> list[str]:
    """The primary key; quoted passages by where they stand (offset, then text)."""
    offsets = [c.name for c in table.columns if c.derived and c.derived.kind == "offset"
               and c.derived.part == "start"]
    key = list(table.primary_key)
    if offsets and len(key) > 1:
        return [*key[:-1], *offsets, key[-1]]
    return key


def _derive(column: Field, table: Table, frame: pl.DataFrame, tables, codebook: Codebook,
            texts: dict[str, str]):
    """An expression on the table's own columns, a column of values in the table's row
    order, or a frame of key + column to join."""
    d = column.derived
    if d.kind == "edtf":  # normalised already: <field>_<part>
        return pl.col(f"{d.source}_{d.part}")
    if d.kind == "attribute":
        kind = spec.polars_dtype(column.type)
        values = pl.DataFrame(
            {d.source: list(codebook.event_types),
             "_value": [list(v) if column.type == "list" else v
                           for v in (getattr(t, d.part) for t in codebook.event_types.values())]},
            schema={d.source: pl.String, "_value": kind})
        return _in_row_order(frame, d.source, values, column.name)
    if d.kind == "lookup":
        through = table.field(d.source)
        target = tables[through.ref_table].select(
            pl.col(through.ref_field).alias(d.source), pl.col(d.part).alias("_value"))
        return _in_row_order(frame, d.source, target.unique(d.source, keep="first"), column.name)
    if d.kind == "collect":
        return _collect(column, table, tables, codebook)
    return _offsets(column, table, frame, texts)


def _in_row_order(frame: pl.DataFrame, on: str, values: pl.DataFrame, name: str) -> pl.Series:
    """``values._value`` for each row of ``frame`` by its ``on`` column (one each)."""
    joined = frame.select(on).join(values, on=on, how="left", maintain_order="left")
    return joined.get_column("_value").alias(name)


def _collect(column: Field, table: Table, tables, codebook: Codebook) -> pl.DataFrame:
    """Per record, the values of a child table's field: sorted and each once; through
    ``then``, the referenced records' values in that order, each once, none empty."""
    d = column.derived
    child_name, _, field_name = d.source.partition(".")
    child = codebook.tables[child_name]
    key = table.primary_key[0]
    parent = next(f.name for f in child.fields if f.references == f"{table.name}.{key}")
    rows = tables[child_name]
    for name, value in d.where:
        rows = rows.filter(pl.col(name) == value)
    # the collected values as _value: the child's field may share the key's name
    rows = rows.select(pl.col(parent).alias(key), pl.col(field_name).alias("_value"))
    rows = rows.unique().sort(key, "_value")
    if d.then is None:
        return rows.group_by(key, maintain_order=True).agg(pl.col("_value").alias(column.name))
    f = child.field(field_name)
    target = tables[f.ref_table].select(pl.col(f.ref_field).alias("_value"),
                                        pl.col(d.then).alias("_then"))
    rows = rows.join(target.unique("_value", keep="first"), on="_value", how="left")
    return rows.group_by(key, maintain_order=True).agg(
        pl.col("_then").unique(maintain_order=True).drop_nulls().alias(column.name))


def _offsets(column: Field, table: Table, frame: pl.DataFrame, texts: dict[str, str]):
    """Where each quote stands in its source text, as the validator finds it
    (``evidence_text``: the same folding, the same search on whole characters),
    the folded offsets mapped back to the text as published."""
    d = column.derived
    source = "source_id"  # the table's reference to its source (the checks read it by name)
    folded = {s: T.fold_with_index(text) for s, text in texts.items()}
    quotes = frame.select(pl.col(source).alias("source_id"), d.source)
    quotes = quotes.with_columns(_q=T.fold(quotes.get_column(d.source)))
    known = pl.DataFrame({"source_id": list(folded), "text": [f.text for f in folded.values()]},
                         schema=T.TEXTS_SCHEMA)
    quotes = quotes.with_columns(_at=T.find(known, quotes, offsets=True))
    at = 0 if d.part == "start" else 1
    spans = [
        T.spans(folded[s], position, n)[at] if position is not None else None
        for s, position, n in quotes.select("source_id", "_at",
                                            pl.col("_q").str.len_chars()).iter_rows()
    ]
    return pl.Series(column.name, spans, dtype=pl.Int64)


def locate(quote: str, folded: T.Folded) -> tuple[int | None, int | None]:
    """Start and end (code points, end exclusive) of one quote in the original text
    that ``folded = evidence_text.fold_with_index(text)`` folds."""
    needle = T.fold_one(quote)
    texts = pl.DataFrame({"source_id": ["s"], "text": [folded.text]}, schema=T.TEXTS_SCHEMA)
    at = T.find(texts, pl.DataFrame({"source_id": ["s"], "_q": [needle]}), offsets=True).item()
    return T.spans(folded, at, len(needle))
