"""Text safety: no invisible controls, no bidi overrides, nothing a spreadsheet runs.

Two rules over every value of every table, each one vectorized polars pass per
column (``str.contains`` on the whole column), run on the raw tables (every value
still the string that was written):

* ``control-character``: C0 controls (U+0000-U+001F) other than tab and line
  feed, DEL and the C1 controls (U+007F-U+009F), and the bidirectional
  embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069) that can
  make a text display other than it reads ("Trojan Source"). Tab and line feed
  are white space that every release format writes safely, and YAML block
  scalars (``|``, ``>``) end in a line feed; a carriage return that is not part
  of a CRLF line end is refused. The left-to-right and right-to-left marks
  (U+200E, U+200F, U+061C) are allowed: they belong to right-to-left text and
  cannot reorder it.
* ``formula-like``: a text value starting with ``=``, ``+``, ``-`` or ``@``,
  also after white space (a tab or carriage return first is an old way around
  the guards), is what a spreadsheet opening the release CSV runs as a formula.
  Checked in every field of type string (or list) without a vocabulary (the
  codebook refuses vocabulary values that start so), IDs and codes included
  (a project's codebook may give them a pattern that lets '=' through), and in
  the localized ``<field>_<lang>`` columns; a value that also breaks another
  rule (its pattern) is reported by that rule alone. Numbers (lon -73.9) and EDTF dates
  are not text and are never flagged.

What else is reported about a value that holds a control character (its
pattern, type or quote search fail because of it) is folded under it, and a
formula-like value that breaks another rule is that rule's problem
(``geoevents.check.cascades``): one root cause, one error.
"""

from __future__ import annotations

import polars as pl

from geoevents import problems as P
from geoevents.codebook import LOCALIZED, Table

CONTROL = r"[\x00-\x08\x0B-\x1F\x7F-\x9F\x{202A}-\x{202E}\x{2066}-\x{2069}]"
FORMULA = r"^\s*[=+\-@]"
BIDI_NAMES = {
    0x202A: "LEFT-TO-RIGHT EMBEDDING", 0x202B: "RIGHT-TO-LEFT EMBEDDING",
    0x202C: "POP DIRECTIONAL FORMATTING", 0x202D: "LEFT-TO-RIGHT OVERRIDE",
    0x202E: "RIGHT-TO-LEFT OVERRIDE", 0x2066: "LEFT-TO-RIGHT ISOLATE",
    0x2067: "RIGHT-TO-LEFT ISOLATE", 0x2068: "FIRST STRONG ISOLATE",
    0x2069: "POP DIRECTIONAL ISOLATE",
}
C0_NAMES = ("NUL SOH STX ETX EOT ENQ ACK BEL BS TAB LF VT FF CR SO SI DLE DC1 DC2 DC3 DC4 "  # noqa: SIM905
            "NAK SYN ETB CAN EM SUB ESC FS GS RS US").split()


def check(frame: pl.DataFrame, table: Table) -> pl.DataFrame:
    """control-character and formula-like problems of one raw table."""
    columns = [c for c in frame.columns if not c.startswith("_")]
    if frame.is_empty() or not columns:
        return P.empty()
    free = set(_free_text(frame, table))
    tests = {}
    for c in columns:
        tests[("control", c)] = _any(pl.col(c), frame.schema[c], CONTROL)
        if c in free:
            tests[("formula", c)] = _any(pl.col(c), frame.schema[c], FORMULA)
    # one select: polars runs the columns' scans in parallel
    hits = frame.select(e.any().alias(f"{k}:{c}") for (k, c), e in tests.items()).row(0)
    out = []
    for (kind, column), hit in zip(tests, hits):
        if hit:
            flagged = _flagged(frame, column, CONTROL if kind == "control" else FORMULA)
            out.append(_controls(flagged, column) if kind == "control"
                       else _formulas(flagged, column))
    return P.combine(out)


def _free_text(frame: pl.DataFrame, table: Table) -> list[str]:
    out = []
    for c in frame.columns:
        f = table.field(c)
        if f is None:
            m = LOCALIZED.match(c)
            if m and m["base"] in table.localized:
                out.append(c)
        elif f.type in ("string", "list") and f.vocabulary is None:
            # IDs and codes too: a project's codebook may give them a pattern that
            # lets '=' through; the values of a vocabulary are checked in the codebook
            out.append(c)
    return out


def _any(col: pl.Expr, dtype, pattern: str) -> pl.Expr:
    """Per row: the value (or an element of the list) matches ``pattern``."""
    if dtype == pl.List(pl.String):
        return col.list.eval(pl.element().str.contains(pattern)).list.any().fill_null(False)
    if dtype == pl.String:
        return col.str.contains(pattern).fill_null(False)
    return pl.repeat(False, pl.len())


def _flagged(frame: pl.DataFrame, column: str, pattern: str) -> pl.DataFrame:
    """The rows whose value matches, with that value (of a list: its first element
    that matches) as ``_text``."""
    col = pl.col(column)
    text = col
    if frame.schema[column] == pl.List(pl.String):
        text = col.list.eval(pl.element().filter(pl.element().str.contains(pattern))).list.first()
    return frame.filter(_any(col, frame.schema[column], pattern)).select(
        "_file", "_line", text.alias("_text")
    )


def _controls(flagged: pl.DataFrame, column: str) -> pl.DataFrame:
    first = pl.col("_text").str.extract(f"({CONTROL})", 1)
    named = flagged.with_columns(_what=first.replace_strict(_names(), default="a control"))
    return P.from_frame(
        named, "control-character", column,
        pl.format("the value holds {}, an invisible control character", pl.col("_what")),
        "delete it: retype the value, or copy it again from a plain-text source",
        value=_escaped(pl.col("_text")),
    )


def _formulas(flagged: pl.DataFrame, column: str) -> pl.DataFrame:
    text = pl.col("_text")
    sign = text.str.strip_chars_start().str.slice(0, 1)
    after = pl.when(text.str.slice(0, 1) == sign).then(pl.lit("")).otherwise(
        pl.lit(" after white space"))
    return P.from_frame(
        flagged.with_columns(_sign=sign, _after=after), "formula-like", column,
        pl.format("the value starts with '{}'{}: a spreadsheet opening the release CSV would "
                  "run it as a formula", pl.col("_sign"), pl.col("_after")),
        "make it start with a letter, a digit or a quotation mark: trim a quote to begin "
        "after the sign, rephrase a summary or a note",
        value=pl.col("_text"),
    )


def _escaped(text: pl.Expr) -> pl.Expr:
    """The value with its control characters shown as \\uXXXX (problems reach terminals)."""
    for code in _names():
        text = text.str.replace_all(code, f"\\u{ord(code):04x}", literal=True)
    return text


def _names() -> dict[str, str]:
    names = {chr(i): f"U+{i:04X} ({n})" for i, n in enumerate(C0_NAMES) if n not in ("TAB", "LF")}
    names[chr(0x7F)] = "U+007F (DEL)"
    names.update({chr(i): f"U+{i:04X} (a C1 control)" for i in range(0x80, 0xA0)})
    names.update({chr(i): f"U+{i:04X} ({n})" for i, n in BIDI_NAMES.items()})
    return names
