"""Evidence: source files are what sources.yaml says, and every quote stands in them.

Quotes and texts are compared after Unicode NFC and whitespace folding (any run
of white space, including non-breaking and ideographic spaces, counts as one
space), so a quote copied from a rendered page still matches its source.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import polars as pl

from geoevents import problems as P


def fold(expr: pl.Expr) -> pl.Expr:
    return expr.str.normalize("NFC").str.replace_all(r"\s+", " ").str.strip_chars()


def source_texts(root: Path, sources: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Folded text of every readable source, and missing-file / hash problems."""
    rows, missing, mismatched = [], [], []
    for rec in sources.select("source_id", "file", "sha256", "_file", "_line").iter_rows(named=True):
        if not rec["file"] or not rec["source_id"]:
            continue
        path = root / "seeds" / rec["file"]
        if not path.is_file():
            missing.append(rec)
            continue
        data = path.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        if rec["sha256"] and digest != rec["sha256"]:
            mismatched.append({**rec, "actual": digest})
        rows.append((rec["source_id"], data.decode("utf-8", errors="replace")))
    texts = pl.DataFrame(rows, schema={"source_id": pl.String, "text": pl.String}, orient="row")
    texts = texts.with_columns(fold(pl.col("text")))
    found = [
        P.from_frame(
            pl.DataFrame(missing, schema=sources.select("source_id", "file", "sha256", "_file",
                                                         "_line").schema),
            "source-missing", "file", pl.format("seeds/{} does not exist", pl.col("file")),
            "copy the source document into seeds/ byte for byte, or correct the file name",
        ),
    ]
    if mismatched:
        bad = pl.DataFrame(mismatched)
        found.append(P.from_frame(
            bad, "source-hash", "sha256",
            pl.format("seeds/{} has sha256 {}, not the recorded one", pl.col("file"),
                      pl.col("actual")),
            "a source is never edited: restore the original bytes; if the source itself changed, "
            "add it as a new source",
        ))
    return texts, P.combine(found)


def quotes(table: pl.DataFrame, texts: pl.DataFrame, sources: pl.DataFrame) -> pl.DataFrame:
    """Quotes not found in their source, and non-English quotes without translation."""
    cited = table.filter(pl.col("quote").is_not_null() & pl.col("source_id").is_not_null())
    cited = cited.with_columns(_q=fold(pl.col("quote")))
    out = []
    for (source_id,), group in cited.group_by(["source_id"]):
        text = texts.filter(pl.col("source_id") == source_id).get_column("text")
        if text.is_empty():
            continue
        hit = group.select(pl.lit(text[0]).str.contains(pl.col("_q"), literal=True)).to_series()
        miss = group.filter(~hit)
        if miss.height:
            hints = {q: closest_passage(q, text[0]) for q in miss.get_column("_q").unique()}
            out.append(P.from_frame(
                miss, "quote-not-found", "quote",
                pl.format("the quote is not in source {}", pl.lit(source_id)),
                pl.col("_q").replace_strict(hints, return_dtype=pl.String),
                value=pl.col("quote"),
            ))
    langs = sources.select("source_id", "language")
    untranslated = table.join(langs, on="source_id", how="inner").filter(
        (pl.col("language") != "en") & pl.col("quote").is_not_null() & pl.col("quote_en").is_null()
    )
    out.append(P.from_frame(
        untranslated, "quote-translation", "quote_en",
        pl.format("the quote is in {} and has no English translation", pl.col("language")),
        "add quote_en: a faithful English translation of the quote",
    ))
    return P.combine(out)


def closest_passage(quote: str, text: str) -> str:
    from rapidfuzz import fuzz

    found = fuzz.partial_ratio_alignment(quote, text)
    if found is None or found.score < 50:
        return "copy the passage from the source exactly (after folding spaces)"
    passage = text[found.dest_start:found.dest_end]
    return f"closest passage ({found.score:.0f}% alike): {passage!r}"


def uncited(events: pl.DataFrame, citations: pl.DataFrame) -> pl.DataFrame:
    bad = events.filter(~pl.col("event_id").is_in(citations.get_column("event_id").implode()))
    return P.from_frame(
        bad, "no-citation", "event_id", "the event has no citation",
        "add at least one citation: a verbatim quote from a source that reports the event",
    )
