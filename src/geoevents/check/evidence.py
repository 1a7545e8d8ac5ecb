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


def fold(texts: pl.Series) -> pl.Series:
    """NFC, every run of white space as one space, none at the ends.

    Each step runs only on the strings it can change: ASCII is already NFC,
    and most strings hold single spaces only. On a million quotes this halves
    the time of folding them all.
    """
    texts = _change_where(
        texts, texts.str.len_bytes() != texts.str.len_chars(), lambda t: t.str.normalize("NFC")
    )
    texts = _change_where(
        texts, texts.str.contains(r"\s\s|[^\S ]"), lambda t: t.str.replace_all(r"\s+", " ")
    )
    return texts.str.strip_chars()


def _change_where(values: pl.Series, mask: pl.Series, change) -> pl.Series:
    at = mask.arg_true()
    if at.is_empty():
        return values
    return values.clone().scatter(at, change(values.gather(at)))


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
    texts = texts.with_columns(fold(texts.get_column("text")))
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
    return P.combine([_not_found(table, texts), _untranslated(table, sources)])


def _not_found(table: pl.DataFrame, texts: pl.DataFrame) -> pl.DataFrame:
    cited = table.select("_file", "_line", "source_id", "quote").filter(
        pl.col("quote").is_not_null() & pl.col("source_id").is_not_null()
    )
    cited = cited.with_columns(_q=fold(cited.get_column("quote")))
    # a quote whose source has no text (unknown, missing file) is not searched
    texts = texts.unique("source_id", keep="first", maintain_order=True)
    cited = cited.join(texts, on="source_id", how="inner")
    # one search per quote; the streaming engine shares them out among the cores
    miss = cited.lazy().filter(~pl.col("text").str.contains(pl.col("_q"), literal=True))
    miss = miss.collect(engine="streaming")
    if miss.is_empty():
        return P.empty()
    pairs = miss.unique(["source_id", "_q"]).select("source_id", "_q", "text")
    hints = pairs.select("source_id", "_q", _hint=pl.Series(
        [closest_passage(q, text) for _, q, text in pairs.iter_rows()], dtype=pl.String
    ))
    return P.from_frame(
        miss.join(hints, on=["source_id", "_q"], how="left"), "quote-not-found", "quote",
        pl.format("the quote is not in source {}", pl.col("source_id")), pl.col("_hint"),
        value=pl.col("quote"),
    )


def _untranslated(table: pl.DataFrame, sources: pl.DataFrame) -> pl.DataFrame:
    langs = sources.select("source_id", "language")
    untranslated = table.join(langs, on="source_id", how="inner").filter(
        (pl.col("language") != "en") & pl.col("quote").is_not_null() & pl.col("quote_en").is_null()
    )
    return P.from_frame(
        untranslated, "quote-translation", "quote_en",
        pl.format("the quote is in {} and has no English translation", pl.col("language")),
        "add quote_en: a faithful English translation of the quote",
    )


def closest_passage(quote: str, text: str) -> str:
    from rapidfuzz import fuzz

    found = fuzz.partial_ratio_alignment(quote, text)
    if found is None or found.score < 50:
        return "copy the passage from the source exactly (after folding spaces)"
    passage = text[found.dest_start:found.dest_end]
    return f"closest passage ({found.score:.0f}% alike): {passage!r}"


def uncited(events: pl.DataFrame, citations: pl.DataFrame) -> pl.DataFrame:
    with_id = events.filter(pl.col("event_id").is_not_null())
    bad = with_id.join(citations.select("event_id"), on="event_id", how="anti")
    return P.from_frame(
        bad, "no-citation", "event_id", "the event has no citation",
        "add at least one citation: a verbatim quote from a source that reports the event",
    )
