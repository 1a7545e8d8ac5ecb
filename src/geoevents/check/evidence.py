"""Evidence: source files are what sources.yaml says, and every quote stands in them.

Quotes and texts are compared after Unicode NFC and whitespace folding (any run
of white space, including non-breaking and ideographic spaces, counts as one
space), so a quote copied from a rendered page still matches its source. The
reading, folding and searching are ``geoevents.evidence_text``'s, the same the
build uses to cite each quote with offsets.
"""

from __future__ import annotations

import os
from pathlib import Path

import polars as pl

from geoevents import evidence_text as T
from geoevents import problems as P
from geoevents.check.hints import MAX_FUZZY
from geoevents.codebook import Codebook

fold = T.fold


def source_texts(root: Path, sources: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Folded text of every source that may be read, and the problems of the others
    (a path out of seeds/ or of the project, not a regular file, missing, hash,
    not UTF-8)."""
    texts, problems = T.read_sources(root, sources)
    # the text as read stays too: a quote not found is shown the line of its
    # closest passage
    return texts.with_columns(raw=pl.col("text"), text=fold(texts.get_column("text"))), problems


#: entries of seeds/ looked at for unregistered files (a folder of a million files is
#: not a corpus; what lies beyond is not listed)
MAX_SEED_ENTRIES = 100_000


def unregistered(root: Path, sources: pl.DataFrame, location: str) -> pl.DataFrame:
    """Files in seeds/ that no source record names (by the file they resolve to, so
    ``./a.txt`` and ``a.txt`` are one file). The sources table itself, Markdown files
    and hidden entries (``.gitkeep``) are not sources."""
    seeds = root / "seeds"
    if not seeds.is_dir() or seeds.is_symlink():
        return P.empty()
    named = set()
    for name in sources.get_column("file").drop_nulls().to_list():
        try:
            named.add((seeds / name).resolve())
        except (OSError, RuntimeError, ValueError):  # reported by read_sources
            continue
    table_file = (root / location).resolve()
    rows, seen = [], 0
    for folder, dirs, files in os.walk(seeds):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            seen += 1
            if seen > MAX_SEED_ENTRIES:
                return P.make(rows)
            path = Path(folder) / name
            if name.startswith(".") or name.lower().endswith(".md"):
                continue
            try:
                resolved = path.resolve()
            except (OSError, RuntimeError):
                continue
            if resolved in named or resolved == table_file or not resolved.is_file():
                continue
            rel = path.relative_to(seeds).as_posix()
            rows.append({
                "rule": "source-unregistered", "file": f"seeds/{rel}", "line": None,
                "message": f"seeds/{rel} is in seeds/ but no record of {location} names it",
                "hint": f"register it: geoevents source add seeds/{rel} (it appends its record "
                        f"to {location}, with placeholders for what to fill in); or move the "
                        "file out of seeds/ if it is no source",
            })
    return P.make(rows)


def quotes(table: pl.DataFrame, texts: pl.DataFrame, sources: pl.DataFrame,
           codebook: Codebook, name: str) -> pl.DataFrame:
    """Quotes empty, damaged or not found in their source; quotes from a source in
    another language than their translation field's without one."""
    cited = table.select("_file", "_line", "source_id", "quote").filter(
        pl.col("quote").is_not_null())
    cited = cited.with_columns(_q=fold(cited.get_column("quote")))
    empty = cited.filter(pl.col("_q") == "")
    damaged = cited.filter(pl.col("quote").str.contains(T.REPLACEMENT, literal=True))
    searched = cited.filter((pl.col("_q") != "") & ~pl.col("quote").str.contains(
        T.REPLACEMENT, literal=True) & pl.col("source_id").is_not_null())
    return P.combine([
        P.from_frame(empty, "quote-empty", "quote", "the quote is empty or only white space",
                     "copy the passage of the source that reports the event"),
        P.from_frame(damaged, "quote-replacement", "quote",
                     "the quote holds U+FFFD, the replacement character: a conversion lost "
                     "what stood there",
                     "copy the passage again from the source text, as UTF-8"),
        _not_found(searched, texts),
        _untranslated(table, sources, codebook.translation(name)),
    ])


def _not_found(cited: pl.DataFrame, texts: pl.DataFrame) -> pl.DataFrame:
    # a quote whose source has no text (unknown, missing, unreadable file) is not searched
    cited = cited.join(texts.select("source_id").unique(), on="source_id", how="semi",
                       maintain_order="left")
    miss = cited.filter(~T.find(texts.select("source_id", "text"), cited))
    if miss.is_empty():
        return P.empty()
    texts = texts.unique("source_id", keep="first", maintain_order=True)
    if "raw" not in texts.columns:
        texts = texts.with_columns(raw=pl.lit(None, dtype=pl.String))
    # only the quotes not found get the fuzzy search: once per distinct quote
    pairs = miss.unique(["source_id", "_q"], maintain_order=True).join(
        texts, on="source_id").select("source_id", "_q", "text", "raw")
    hints = pairs.select("source_id", "_q", _hint=pl.Series(
        [closest_passage(q, text, raw) if i < MAX_PASSAGE_HINTS and len(text) <= MAX_HINT_TEXT
         else COPY_EXACTLY
         for i, (_, q, text, raw) in enumerate(pairs.iter_rows())], dtype=pl.String
    ))
    return P.from_frame(
        miss.join(hints, on=["source_id", "_q"], how="left"), "quote-not-found", "quote",
        pl.format("the quote is not in source {}", pl.col("source_id")), pl.col("_hint"),
        value=pl.col("quote"),
    )


def not_source(sources: pl.DataFrame, texts: pl.DataFrame) -> pl.DataFrame:
    """Each passage a source's ``not_source`` lists stands in its text (folded, as
    quotes are): what the review leaves out of coverage is really there."""
    if "not_source" not in sources.columns:
        return P.empty()
    listed = sources.select("_file", "_line", "source_id", "not_source").filter(
        pl.col("not_source").is_not_null()).explode("not_source").filter(
        pl.col("not_source").is_not_null())
    listed = listed.with_columns(_q=fold(listed.get_column("not_source"))).join(
        texts.select("source_id").unique(), on="source_id", how="semi", maintain_order="left")
    miss = listed.filter(~T.find(texts.select("source_id", "text"), listed))
    return P.from_frame(
        miss, "not-source-not-found", "not_source",
        pl.format("the not_source passage is not in the text of source {}", pl.col("source_id")),
        "copy the passage from the source file exactly (white space may differ)",
        value=pl.col("not_source"),
    )


def _untranslated(table: pl.DataFrame, sources: pl.DataFrame, translation) -> pl.DataFrame:
    """The codebook names the field that translates the quote, and into which language."""
    if translation is None:
        return P.empty()
    langs = sources.select("source_id", "language")
    untranslated = table.join(langs, on="source_id", how="inner").filter(
        (pl.col("language") != translation.language) & pl.col(translation.translates).is_not_null()
        & pl.col(translation.name).is_null()
    )
    return P.from_frame(
        untranslated, "quote-translation", translation.name,
        pl.format(f"the quote is in {{}} and has no translation into {translation.language} "
                  f"({translation.name})", pl.col("language")),
        f"add {translation.name}: a faithful translation of the quote "
        f"(language {translation.language})",
    )


#: a fuzzy search of the whole source costs up to a second (a 30 MB source): the
#: closest passage is shown for this many distinct missed quotes, in sources of
#: at most this many characters; thousands of misses mean a wrong file, not typos
MAX_PASSAGE_HINTS = MAX_FUZZY
MAX_HINT_TEXT = 2_000_000


COPY_EXACTLY = "copy the passage from the source exactly (after folding spaces)"


def closest_passage(quote: str, text: str, raw: str | None = None) -> str:
    """The hint for a quote not found in folded ``text``: the closest passage, whole,
    with what differs marked, and its line in ``raw`` (the text as read)."""
    if quote in text:  # there, but only as part of a character
        return ("the quote stops before a combining mark (or starts with one): take in the "
                "whole character, as the source writes it")
    found = T.closest(quote, text)
    if found is None:
        return COPY_EXACTLY
    line = T.line_in(raw, text, found.start, found.end) if raw is not None else None
    where = f"line {line}, " if line else ""
    return (f"copy the closest passage as the source writes it ({where}{found.score:.0f}% "
            f"alike; {T.QUOTE_ONLY[0]}...{T.QUOTE_ONLY[1]} is only in the quote, "
            f"{T.SOURCE_ONLY[0]}...{T.SOURCE_ONLY[1]} only in the source): {found.marked}")


def uncited(events: pl.DataFrame, citations: pl.DataFrame) -> pl.DataFrame:
    with_id = events.filter(pl.col("event_id").is_not_null())
    bad = with_id.join(citations.select("event_id"), on="event_id", how="anti")
    return P.from_frame(
        bad, "no-citation", "event_id", "the event has no citation",
        "add at least one citation: a verbatim quote from a source that reports the event",
    )
