"""The release tables, derived from validated annotation tables.

Internal columns (``_file``, ``_line``) are dropped, rows are sorted by key so
that the same annotations always give the same bytes, and the events table is
flattened to one row per event for analysts: dates, type, participants and
their countries, location and sources side by side.
"""

from __future__ import annotations

import re
import unicodedata

import polars as pl

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
    """Citations with where each quote stands in its source text (character offsets)."""
    folded = {source: _fold_with_index(text) for source, text in texts.items()}
    spans = [
        locate(q, *folded.get(s, ("", []))) for s, q in
        citations.select("source_id", "quote").iter_rows()
    ]
    return (
        citations.select("event_id", "source_id", "quote", "quote_en")
        .with_columns(
            pl.Series("char_start", [s[0] for s in spans], dtype=pl.Int64),
            pl.Series("char_end", [s[1] for s in spans], dtype=pl.Int64),
        )
        .sort("event_id", "source_id", "char_start", "quote")
    )


def locate(quote: str, folded: str, index: list[int]) -> tuple[int | None, int | None]:
    """Start and end (code points, end exclusive) of a quote in the original text.

    The match is made as the validator makes it, after NFC and whitespace folding
    (``folded`` and ``index`` come from ``_fold_with_index(text)``); the offsets are
    mapped back to the text as published.
    """
    needle = _fold(quote).strip()
    at = folded.find(needle)
    if at < 0 or not needle:
        return None, None
    return index[at], index[at + len(needle) - 1] + 1


#: white space that folding changes: any but a single plain space
_FOLDABLE_SPACE = re.compile(r"[^\S ]|  ")


def _fold(text: str) -> str:
    """``_fold_with_index(text)[0]``, without the per-character loop when it would
    change nothing (most quotes: a million of them take seconds, not a minute)."""
    if unicodedata.is_normalized("NFC", text) and not _FOLDABLE_SPACE.search(text):
        return text
    return _fold_with_index(text)[0]


def _fold_with_index(text: str) -> tuple[str, list[int]]:
    out, index, space = [], [], False
    for i, ch in enumerate(text):
        if ch.isspace():
            if not space:
                out.append(" ")
                index.append(i)
            space = True
            continue
        space = False
        out.append(ch)
        index.append(i)
    folded = "".join(out)
    if unicodedata.is_normalized("NFC", folded):
        return folded, index
    # NFC may merge characters; offsets then point at the first code point merged
    merged, merged_index = [], []
    for ch, i in zip(folded, index, strict=True):
        if merged and unicodedata.normalize("NFC", merged[-1] + ch) != merged[-1] + ch and len(
                unicodedata.normalize("NFC", merged[-1] + ch)) == 1:
            merged[-1] = unicodedata.normalize("NFC", merged[-1] + ch)
            continue
        merged.append(ch)
        merged_index.append(i)
    return "".join(merged), merged_index
