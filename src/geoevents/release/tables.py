"""The release tables, derived from validated annotation tables.

Internal columns (``_file``, ``_line``) are dropped, rows are sorted by key so
that the same annotations always give the same bytes, and the events table is
flattened to one row per event for analysts: dates, type, participants and
their countries, location and sources side by side.
"""

from __future__ import annotations

import polars as pl

from geoevents import evidence_text as T
from geoevents.codebook import Codebook

TABLES = ("events", "event_actors", "citations", "actors", "locations", "sources", "errata")


def release_tables(tables: dict[str, pl.DataFrame], codebook: Codebook,
                   texts: dict[str, str]) -> dict[str, pl.DataFrame]:
    out = {}
    for name in ("actors", "locations", "sources", "event_actors", "errata"):
        out[name] = _clean(tables[name], codebook.tables[name].primary_key)
    out["sources"] = out["sources"].drop("_published_error", strict=False)
    out["citations"] = _citations(tables["citations"], texts)
    out["events"] = _events(tables, codebook)
    return {name: out[name] for name in TABLES}


def _clean(frame: pl.DataFrame, key) -> pl.DataFrame:
    keep = [c for c in frame.columns if not c.startswith("_")]
    return frame.select(keep).sort(list(key), nulls_last=True)


def _events(tables, codebook: Codebook) -> pl.DataFrame:
    events = tables["events"].drop("_date_error", strict=False)
    types = pl.DataFrame(
        [(t.code, t.quad, list(t.cameo_roots)) for t in codebook.event_types.values()],
        schema={"event_type": pl.String, "quad": pl.String, "cameo_roots": pl.List(pl.String)},
        orient="row",
    )
    actors = tables["actors"].select("actor_id", pl.col("country").alias("_country"))
    people = tables["event_actors"].join(actors, on="actor_id", how="left").sort(
        "event_id", "role", "actor_id")

    def role(name: str, prefix: str) -> pl.DataFrame:
        return people.filter(pl.col("role") == name).group_by("event_id").agg(
            pl.col("actor_id").alias(f"{prefix}_ids"),
            pl.col("_country").unique(maintain_order=True).drop_nulls().alias(f"{prefix}_countries"),
        )

    sources = tables["citations"].group_by("event_id").agg(
        pl.col("source_id").unique().sort().alias("source_ids"))
    locations = tables["locations"].select(
        "location_id",
        *[pl.col(c).alias(f"location_{c}") for c in
          ("name", "country", "admin1", "lat", "lon", "precision")],
    )
    flat = (
        events.join(types, on="event_type", how="left")
        .join(role("actor", "actor"), on="event_id", how="left")
        .join(role("recipient", "recipient"), on="event_id", how="left")
        .join(locations, on="location_id", how="left")
        .join(sources, on="event_id", how="left")
    )
    order = [
        "event_id", "date", "date_start", "date_end", "date_precision", "date_approximate",
        "date_uncertain", "status", "event_type", "mode", "quad", "cameo_roots", "contexts",
        "summary", "actor_ids", "actor_countries", "recipient_ids", "recipient_countries",
        "location_id", "location_name", "location_country", "location_admin1", "location_lat",
        "location_lon", "location_precision", "source_ids", "annotated_by", "checked_by",
        "checked_on", "notes",
    ]
    lists = ["actor_ids", "actor_countries", "recipient_ids", "recipient_countries", "source_ids",
             "contexts"]
    flat = flat.with_columns(pl.col(c).fill_null([]) for c in lists)
    return flat.select(order).sort("event_id")


def _citations(citations: pl.DataFrame, texts: dict[str, str]) -> pl.DataFrame:
    """Citations with where each quote stands in its source text (character offsets).

    The quote is found as the validator finds it (``evidence_text``: the same
    folding, the same search on whole characters), then the folded offsets are
    mapped back to the text as published.
    """
    folded = {source: T.fold_with_index(text) for source, text in texts.items()}
    frame = citations.select("event_id", "source_id", "quote", "quote_en")
    frame = frame.with_columns(_q=T.fold(frame.get_column("quote")))
    known = pl.DataFrame({"source_id": list(folded), "text": [f.text for f in folded.values()]},
                         schema=T.TEXTS_SCHEMA)
    frame = frame.with_columns(_at=T.find(known, frame, offsets=True))
    spans = [
        T.spans(folded[s], at, n) if at is not None else (None, None)
        for s, at, n in frame.select("source_id", "_at", pl.col("_q").str.len_chars()).iter_rows()
    ]
    return (
        frame.select("event_id", "source_id", "quote", "quote_en")
        .with_columns(
            pl.Series("char_start", [s[0] for s in spans], dtype=pl.Int64),
            pl.Series("char_end", [s[1] for s in spans], dtype=pl.Int64),
        )
        .sort("event_id", "source_id", "char_start", "quote")
    )


def locate(quote: str, folded: T.Folded) -> tuple[int | None, int | None]:
    """Start and end (code points, end exclusive) of one quote in the original text
    that ``folded = evidence_text.fold_with_index(text)`` folds."""
    needle = T.fold_one(quote)
    texts = pl.DataFrame({"source_id": ["s"], "text": [folded.text]}, schema=T.TEXTS_SCHEMA)
    at = T.find(texts, pl.DataFrame({"source_id": ["s"], "_q": [needle]}), offsets=True).item()
    return T.spans(folded, at, len(needle))
