"""Source texts and quotes: how they are read, folded, searched and cited.

This one module is the evidence path of both ``validate`` and ``build``, so
that whatever the validator accepts the build can cite with offsets:

* ``read_sources`` reads each registered source file only if it is a regular
  file under ``seeds/`` (no absolute path, no ``..``, no symbolic link that
  leaves the project, never a FIFO or a device), and only as strict UTF-8;
* ``fold`` is the comparison form of quotes and texts: Unicode NFC, every run of
  white space (``SPACE``) as one space, none at the ends;
* ``find`` is where a folded quote stands in a folded text, on whole
  characters: it neither starts with a combining mark nor stops before one;
* ``fold_with_index`` folds one text as ``fold`` does and says, for each
  character of the folded text, which code points of the original it covers,
  so that ``spans`` maps what ``find`` found back to the text as published.

Folding, normalization and the test for combining marks run in polars, one
Unicode version for both commands; where Python's own tables help decide
where to cut a text, polars checks the result.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
import unicodedata
from pathlib import Path, PurePosixPath
from typing import NamedTuple

import polars as pl

from geoevents import problems as P
from geoevents.errors import ProblemsFound, from_os_error

#: the Unicode White_Space characters, listed so that polars (Rust) and Python
#: agree on them: Python's ``\s`` also takes U+001C-U+001F, Rust's does not
SPACE = (
    "\t\n\x0b\x0c\r \x85\xa0\u1680"
    + "".join(chr(c) for c in range(0x2000, 0x200B))
    + "\u2028\u2029\u202f\u205f\u3000"
)
SPACE_CLASS = f"[{SPACE}]"
_TOKENS = re.compile(f"{SPACE_CLASS}+|[^{SPACE}]+")
#: white space that folding changes: two in a row, or any but a plain space
_FOLDABLE = f"{SPACE_CLASS}{{2}}|[{SPACE.replace(' ', '')}]"
#: a combining mark (polars' regex engine knows the Unicode categories)
MARK = r"^\p{M}"
REPLACEMENT = "\ufffd"
#: a source is one document's text; a larger file is not one
MAX_SOURCE_BYTES = 64 * 1024 * 1024

TEXTS_SCHEMA = {"source_id": pl.String, "text": pl.String}


# --- folding ---------------------------------------------------------------------


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
        texts, texts.str.contains(_FOLDABLE), lambda t: t.str.replace_all(f"{SPACE_CLASS}+", " ")
    )
    return texts.str.strip_chars(" ")


def _change_where(values: pl.Series, mask: pl.Series, change) -> pl.Series:
    at = mask.fill_null(False).arg_true()
    if at.is_empty():
        return values
    return values.clone().scatter(at, change(values.gather(at)))


def fold_one(text: str) -> str:
    return fold(pl.Series([text], dtype=pl.String)).item()


class Folded(NamedTuple):
    """A folded text, and for each of its characters the original code points it
    covers: ``text[i]`` comes from ``original[starts[i]:ends[i]]``."""

    text: str
    starts: list[int]
    ends: list[int]


def fold_with_index(text: str) -> Folded:
    """``fold(text)`` with the offsets of each folded character in ``text``."""
    return fold_all([text])[0]


def fold_all(texts: list[str]) -> list[Folded]:
    """``fold_with_index`` of many texts, with one polars call per step for all.

    A text is cut where NFC cannot join two pieces: at white space, and inside a
    word before every character that is not a combining mark. Each piece is
    normalized on its own; every character it gives covers the whole piece, so a
    decomposed letter (``e`` + U+0323 + U+0302) maps back to all three code
    points. A word whose pieces do not normalize to the word (jamo, scripts
    that compose two letters) is cut where NFC joins nothing; failing that, its
    characters cover the whole word.
    """
    tokens = [_tokens(text) for text in texts]
    words = {w for ts in tokens for _, w in ts if w[0] not in SPACE and not w.isascii()}
    nfc = _nfc(words)
    changed = [w for w in words if nfc[w] != w]  # NFC changes few words, if any
    marks = _marks({ch for w in changed for ch in w})
    pieces = {w: _pieces(w, marks) for w in changed}
    nfc.update(_nfc({p for ps in pieces.values() for p in ps} - nfc.keys()))
    out = [_assemble(ts, pieces, nfc) for ts in tokens]
    # the validator's folding, of every text at once: a difference is a bug
    expected = fold(pl.Series(texts, dtype=pl.String)).to_list()
    if [f.text for f in out] != expected:
        raise RuntimeError("the folding with offsets disagrees with the validator's folding")
    return out


def _tokens(text: str) -> list[tuple[int, str]]:
    """Runs of white space and words, with their offsets, none at the ends."""
    tokens = [(m.start(), m.group()) for m in _TOKENS.finditer(text)]
    if tokens and tokens[0][1][0] in SPACE:
        tokens = tokens[1:]
    if tokens and tokens[-1][1][0] in SPACE:
        tokens = tokens[:-1]
    return tokens


def _assemble(tokens, pieces, nfc) -> Folded:
    out, starts, ends = [], [], []
    for at, token in tokens:
        if token[0] in SPACE:
            out.append(" ")
            starts.append(at)
            ends.append(at + len(token))
        elif token not in pieces:  # NFC leaves it as it is: each character is itself
            out.append(token)
            starts.extend(range(at, at + len(token)))
            ends.extend(range(at + 1, at + len(token) + 1))
        else:
            _place(token, at, pieces[token], nfc, out, starts, ends)
    return Folded("".join(out), starts, ends)


def _place(word, at, pieces, nfc, out, starts, ends) -> None:
    if "".join(nfc[p] for p in pieces) != nfc[word]:
        pieces = [word]
    for piece in pieces:
        made = nfc[piece]
        out.append(made)
        starts.extend([at] * len(made))
        ends.extend([at + len(piece)] * len(made))
        at += len(piece)


def _nfc(strings: set[str]) -> dict[str, str]:
    if not strings:
        return {}
    values = pl.Series(sorted(strings), dtype=pl.String)
    return dict(zip(values, values.str.normalize("NFC"), strict=True))


def _marks(chars: set[str]) -> set[str]:
    if not chars:
        return set()
    values = pl.Series(sorted(chars), dtype=pl.String)
    return set(values.filter(values.str.contains(MARK)))


def _pieces(word: str, marks: set[str]) -> list[str]:
    """The word cut before every character that is not a combining mark, then
    glued again wherever NFC joins two pieces (Hangul jamo, two-part vowels)."""
    pieces: list[str] = []
    for ch in word:
        if pieces and ch in marks:
            pieces[-1] += ch
        else:
            pieces.append(ch)
    glued: list[str] = []
    for piece in pieces:
        if glued and _joins(glued[-1], piece):
            glued[-1] += piece
        else:
            glued.append(piece)
    return glued


def _joins(a: str, b: str) -> bool:
    """NFC makes of ``a + b`` something other than ``NFC(a) + NFC(b)``."""
    nfc = unicodedata.normalize
    return nfc("NFC", a + b) != nfc("NFC", a) + nfc("NFC", b)


# --- searching -------------------------------------------------------------------


def find(texts: pl.DataFrame, quotes: pl.DataFrame, offsets: bool = False) -> pl.Series:
    """Whether (or, with ``offsets``, where in characters) each folded quote stands
    in its folded text, on whole characters.

    ``texts`` has ``source_id`` and ``text``, ``quotes`` has ``source_id`` and
    ``_q``, both folded; the answer has a row per quote, in order. A quote does
    not stand in its text if it is not there at all, is empty, starts with a
    combining mark, or is there only where a combining mark follows it (``q``
    where the text has ``q`` + U+0303, a letter no precomposed character
    writes). Where a quote stands is its first such match.
    """
    texts = texts.unique("source_id", keep="first", maintain_order=True).with_columns(
        _marked=pl.col("text").str.contains(r"\p{M}"))
    frame = quotes.select("source_id", q=pl.col("_q")).join(
        texts, on="source_id", how="left", maintain_order="left")
    t, q = pl.col("text"), pl.col("q")
    # one search per quote; the streaming engine shares them out among the cores.
    # Character offsets are counted only where needed: for the build, and in
    # texts with combining marks left after NFC, to see what follows a match
    # (few: composed Vietnamese or French has none left)
    found = pl.col("b").is_not_null() & (q != "") & ~q.str.contains(MARK)
    need = found & (pl.lit(offsets) | pl.col("_marked"))
    chars = t.cast(pl.Binary).bin.head(pl.when(need).then(pl.col("b"))).cast(pl.String)
    result = (
        frame.lazy()
        .with_columns(b=t.str.find(q, literal=True))
        .with_columns(found=found.fill_null(False), at=chars.str.len_chars().cast(pl.Int64))
        .with_columns(cut=t.str.slice(pl.col("at") + q.str.len_chars(), 1)
                      .str.contains(MARK).fill_null(False))
        .select("found", "at", "cut")
        .collect(engine="streaming")
    )
    found_, at, cut = (result.get_column(c) for c in ("found", "at", "cut"))
    cut = cut.arg_true()
    if not cut.is_empty():  # look further along the text, one by one
        rows = frame.gather(cut)
        again = pl.Series([
            _find_whole(text, quote, first + 1) for text, quote, first in
            zip(rows.get_column("text"), rows.get_column("q"), at.gather(cut), strict=True)
        ], dtype=pl.Int64)
        at = at.scatter(cut, again)
        found_ = found_.scatter(cut, again.is_not_null())
    return at if offsets else found_


def _find_whole(text: str, quote: str, start: int) -> int | None:
    """The first match from ``start`` that no combining mark follows."""
    hits, at = [], text.find(quote, start)
    while at >= 0:
        hits.append(at)
        at = text.find(quote, at + 1)
    following = {text[h + len(quote):h + len(quote) + 1] for h in hits} - {""}
    marks = _marks(following)
    for h in hits:
        if text[h + len(quote):h + len(quote) + 1] not in marks:
            return h
    return None


def spans(folded: Folded, at: int | None, length: int) -> tuple[int | None, int | None]:
    """The code points of the original text that ``length`` folded characters from
    ``at`` come from (end exclusive): whole characters, combining marks included."""
    if at is None or length <= 0:
        return None, None
    return folded.starts[at], folded.ends[at + length - 1]


# --- reading sources -------------------------------------------------------------


def read_sources(root: Path, sources: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The text of every source that may be read, and the problems of the others.

    Texts are as decoded (not folded). A source is read only if its ``file`` is a
    relative path under ``seeds/`` to a regular file that resolves inside the
    project, and its text is kept only if it is UTF-8; a hash mismatch is
    reported and the text still searched.
    """
    root = Path(root)
    seeds = root / "seeds"
    rows, found = [], []
    columns = ["source_id", "file", "sha256", "_file", "_line"]
    for rec in sources.select(columns).iter_rows(named=True):
        if not rec["file"] or not rec["source_id"]:
            continue
        data, problem = _read_source(root, seeds, rec)
        if problem:
            found.append(problem)
            continue
        digest = hashlib.sha256(data).hexdigest()
        if rec["sha256"] and digest != rec["sha256"]:
            found.append(_problem(rec, "source-hash", "sha256",
                                  f"seeds/{rec['file']} has sha256 {digest}, not the recorded one",
                                  _hash_hint(rec["file"], digest),
                                  value=rec["sha256"]))
        text, problem = _decode(data, rec)
        if problem:
            found.append(problem)
        if text is not None:
            rows.append((rec["source_id"], text))
    texts = pl.DataFrame(rows, schema=TEXTS_SCHEMA, orient="row")
    return texts, P.make(found)


def source_texts(root: Path, sources: pl.DataFrame) -> dict[str, str]:
    """Source ID -> decoded text of every source, for the build.

    Only what ``read_sources`` reads is returned; a source it refuses (outside
    the project, not a regular file, not UTF-8) stops the build, though a
    validated project has none.
    """
    texts, problems = read_sources(root, sources)
    # a source-hash problem too: the file changed since validate read it, and a
    # release cites offsets into the text whose sha256 it publishes, no other
    refused = problems
    if refused.height:
        first = refused.row(0, named=True)
        raise ProblemsFound(
            f"{refused.height} source(s) cannot be read: {first['file']} line {first['line']}: "
            f"{first['message']}",
            "run 'geoevents validate' and fix what it reports",
        )
    return dict(texts.iter_rows())


def _read_source(root: Path, seeds: Path, rec: dict) -> tuple[bytes | None, dict | None]:
    """The bytes of a source file, or the problem that keeps it unread."""
    name = rec["file"]
    refused = _path_problem(name)
    if refused:
        return None, _problem(rec, "source-path", "file", f"{name!r} {refused}",
                              "give the path of the file under seeds/, relative to seeds/, "
                              "with / between folders (for example reports/kcna.txt)")
    path = seeds / name
    try:
        # a link inside the project is fine; one that leaves it is never followed
        resolved = path.resolve()
        inside = resolved.is_relative_to(root.resolve())
    except (RuntimeError, OSError):  # a loop of symbolic links
        return None, _problem(rec, "source-path", "file", f"seeds/{name} is a loop of links",
                              "replace the link by the source file itself")
    if not inside:
        return None, _problem(rec, "source-path", "file",
                              f"seeds/{name} leads to {resolved}, outside the project",
                              "copy the source document into seeds/ byte for byte; a source "
                              "is never read from outside the project")
    try:
        info = os.stat(resolved)
    except (FileNotFoundError, NotADirectoryError):
        return None, _problem(rec, "source-missing", "file", f"seeds/{name} does not exist",
                              "copy the source document into seeds/ byte for byte, or correct "
                              "the file name")
    except OSError as exc:
        raise from_os_error(exc, f"read source {rec['source_id']} at") from None
    if not stat.S_ISREG(info.st_mode):
        return None, _not_regular(rec, info)
    if info.st_nlink > 1:  # another name of the same file may stand outside the project
        return None, _problem(rec, "source-path", "file",
                              f"seeds/{name} has {info.st_nlink} names (hard links)",
                              "copy the source document into seeds/ instead of linking it; a "
                              "hard link may be a file outside the project")
    if info.st_size > MAX_SOURCE_BYTES:
        return None, _problem(rec, "source-path", "file",
                              f"seeds/{name} is {info.st_size / 2**20:,.1f} MiB; sources are "
                              f"read up to {MAX_SOURCE_BYTES // 2**20} MiB",
                              "a source is one document's text: split a larger file")
    try:
        # never blocks: stat said regular file, and O_NONBLOCK keeps a FIFO put
        # there since from holding the open; fstat then checks what was opened
        fd = os.open(resolved, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except OSError as exc:
        raise from_os_error(exc, f"read source {rec['source_id']} at") from None
    with os.fdopen(fd, "rb") as fh:
        opened = os.fstat(fh.fileno())
        if not stat.S_ISREG(opened.st_mode):
            return None, _not_regular(rec, opened)
        try:
            data = fh.read(MAX_SOURCE_BYTES + 1)
        except OSError as exc:
            raise from_os_error(exc, f"read source {rec['source_id']} at") from None
    if len(data) > MAX_SOURCE_BYTES:  # grew since the stat
        return None, _problem(rec, "source-path", "file", f"seeds/{name} grows while read",
                              "leave the sources alone while geoevents reads them")
    return data, None


def _hash_hint(name: str, digest: str) -> str:
    """The two ways a file and its record disagree, and the fix of each."""
    return (f"a text in seeds/ is never edited: if its bytes changed by accident, restore "
            f"the original ones; if it is a new text, register it: remove this record and run "
            f"geoevents source add seeds/{name} (it writes the record with the sha256), or "
            f"write sha256: {digest} here; a corrected text is a new source: give it another "
            "name and add it with geoevents source add")


def _path_problem(name: str) -> str | None:
    """Why ``file`` is not a plain relative path under seeds/, if it is not."""
    if "\x00" in name:
        return "contains a NUL character"
    if "\\" in name:
        return "contains a backslash"
    if PurePosixPath(name).is_absolute() or re.match(r"^[A-Za-z]:", name):
        return "is an absolute path"
    if ".." in PurePosixPath(name).parts:
        return "climbs out of seeds/ with '..'"
    if not PurePosixPath(name).parts or PurePosixPath(name) == PurePosixPath("."):
        return "names no file"
    return None


def _not_regular(rec: dict, info: os.stat_result) -> dict:
    mode = info.st_mode
    what = ("a folder" if stat.S_ISDIR(mode) else "a FIFO (named pipe)" if stat.S_ISFIFO(mode)
            else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
            else "a socket" if stat.S_ISSOCK(mode) else "not a regular file")
    return _problem(rec, "source-path", "file", f"seeds/{rec['file']} is {what}, not a file",
                    "a source is a regular file holding the document's text; it is not read")


def _decode(data: bytes, rec: dict) -> tuple[str | None, dict | None]:
    """The text of a UTF-8 source, or None and where it is not UTF-8; a text
    holding U+FFFD (damaged by an earlier conversion) is kept, with a problem."""
    where = f"seeds/{rec['file']}"
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return None, {
            "rule": "source-encoding", "file": where, "line": line, "field": None,
            "value": data[exc.start:exc.start + 1].hex(),
            "message": f"source {rec['source_id']} is not UTF-8: byte 0x{data[exc.start]:02x} "
                       f"at offset {exc.start} (line {line}) does not decode; no quote is "
                       "verified against it",
            "hint": "save the document as UTF-8 (for example iconv -f GB18030 -t UTF-8), "
                    "then record its new sha256 in seeds/sources.yaml",
        }
    at = text.find(REPLACEMENT)
    if at < 0:
        return text, None
    line = text.count("\n", 0, at) + 1
    return text, {
        "rule": "source-encoding", "file": where, "line": line, "field": None,
        "value": "U+FFFD",
        "message": f"source {rec['source_id']} holds U+FFFD, the replacement character, at "
                   f"character {at} (line {line}): a conversion lost what stood there",
        "hint": "copy the document again from the original, as UTF-8",
    }


def _problem(rec: dict, rule: str, field: str, message: str, hint: str, value=None) -> dict:
    return {"rule": rule, "file": rec["_file"], "line": rec["_line"], "field": field,
            "value": rec.get(field) if value is None else value, "message": message,
            "hint": hint}


# --- the closest passage of a quote not found --------------------------------

#: the marks of a word diff, as ``git diff --word-diff`` writes them: what the quote
#: has and the source has not, and what the source has and the quote has not
QUOTE_ONLY, SOURCE_ONLY = ("[-", "-]"), ("{+", "+}")
#: a passage in a script written without spaces (Chinese, Japanese, Thai ...) is
#: widened to its clause, by at most this many characters on either side
MAX_CLAUSE_WIDENING = 60
#: a passage longer than this is shown without its differences marked (a quote is
#: at most 300 characters; one this long was not found for another reason)
MAX_MARKED = 1_000


class Passage(NamedTuple):
    """Where in a folded text the passage closest to a quote stands (``start`` to
    ``end``, characters of the folded text), how alike the two are (0-100), and the
    passage with the words (or, in scripts without spaces, the characters) that
    differ from the quote marked."""

    start: int
    end: int
    score: float
    marked: str


def _unspaced(ch: str) -> bool:
    """A character of a script written without spaces between words: CJK ideographs,
    kana, fullwidth forms and CJK punctuation, Thai, Lao, Myanmar, Khmer."""
    o = ord(ch)
    return (0x2E80 <= o <= 0x9FFF or 0xF900 <= o <= 0xFAFF or 0xFE30 <= o <= 0xFE4F
            or 0xFF00 <= o <= 0xFFEF or 0x20000 <= o <= 0x3FFFF or 0x0E00 <= o <= 0x0EFF
            or 0x1000 <= o <= 0x109F or 0x1780 <= o <= 0x17FF)


def _kind(ch: str) -> str:
    """space, mark, one (a token by itself: punctuation, a character of an unspaced
    script) or word (a letter or digit of a spaced script)."""
    if ch == " ":
        return "space"
    category = unicodedata.category(ch)
    if category[0] == "M":
        return "mark"
    if category[0] in "PS" or _unspaced(ch):
        return "one"
    return "word"


def diff_tokens(text: str) -> list[str]:
    """The units a passage and a quote are compared in: words of spaced scripts,
    single characters of unspaced ones, punctuation marks and spaces, each with
    the combining marks that follow it (the text is folded: one space at most)."""
    tokens: list[str] = []
    previous = None
    for ch in text:
        kind = _kind(ch)
        if tokens and (kind == "mark" or (kind == "word" and previous == "word")):
            tokens[-1] += ch
        else:
            tokens.append(ch)
        if kind != "mark":
            previous = kind
    return tokens


def closest(quote: str, text: str) -> Passage | None:
    """The passage of folded ``text`` closest to folded ``quote`` (rapidfuzz), as whole
    words, or whole clauses in unspaced scripts; never cut inside a word or before
    a combining mark. None if nothing is even half alike."""
    from rapidfuzz import fuzz

    if len(quote) > MAX_MARKED // 2:  # not a passage a curator copied: too long to diff
        return None
    found = fuzz.partial_ratio_alignment(quote, text, score_cutoff=50)
    if found is None:
        return None
    start, end = sorted((found.dest_start, found.dest_end))
    # room for the words a quote lacks: the alignment is as long as the quote
    margin = len(quote) // 4 + 10
    lo, hi = _word_start(text, max(0, start - margin)), _word_end(text, min(len(text), end + margin))
    window = diff_tokens(text[lo:hi])
    quoted = diff_tokens(quote)
    ops = _opcodes(window, quoted)
    # the text before the first and after the last part that meets the quote is not
    # part of the passage
    inner = [op for op in ops if op[0] != "delete"]
    if not inner:
        return None
    first, last = ops.index(inner[0]), len(ops) - ops[::-1].index(inner[-1])
    ops = _trim_spaces(_edges(ops[first:last]), window)
    if not ops:
        return None
    skipped = sum(len(t) for t in window[:ops[0][1]])
    p_start = lo + skipped
    p_end = p_start + sum(len(t) for t in window[ops[0][1]:ops[-1][2]])
    if p_end <= p_start:  # nothing of the source meets the quote
        return None
    before, after = _clause(text, p_start, p_end)
    marked = _marked(ops, window, quoted)
    shown = before + marked + after
    if len(shown) > MAX_MARKED:
        shown = text[p_start - len(before):p_end + len(after)]
    return Passage(p_start - len(before), p_end + len(after), found.score, shown)


def _edges(ops: list[tuple]) -> list[tuple]:
    """A change at either end of the passage takes no more of the source than the
    quote has there: the rest of the window is not what the quote stands for."""
    tag, i1, i2, j1, j2 = ops[-1]
    if tag == "replace" and i2 - i1 > j2 - j1:
        ops[-1] = (tag, i1, i1 + (j2 - j1), j1, j2)
    tag, i1, i2, j1, j2 = ops[0]
    if tag == "replace" and i2 - i1 > j2 - j1:
        ops[0] = (tag, i2 - (j2 - j1), i2, j1, j2)
    return ops


def _trim_spaces(ops: list[tuple], window: list[str]) -> list[tuple]:
    """No space of the source at either end of the passage."""
    if ops:
        tag, i1, i2, j1, j2 = ops[-1]
        while i2 > i1 and window[i2 - 1] == " ":
            i2 -= 1
        ops[-1] = (tag, i1, i2, j1, j2)
        tag, i1, i2, j1, j2 = ops[0]
        while i1 < i2 and window[i1] == " ":
            i1 += 1
        ops[0] = (tag, i1, i2, j1, j2)
    return [op for op in ops if op[1] < op[2] or op[3] < op[4]]


def _opcodes(a: list[str], b: list[str]) -> list[tuple]:
    """difflib's opcodes from tokens ``a`` to tokens ``b``, aligned without regard to
    case (``la préfecture`` meets ``La préfecture``, not an earlier ``la``), then
    with tokens that differ in case marked, and two changes with only a space
    between them made one (``[-nói rằng-]{+cho biết+}``)."""
    import difflib

    # no junk heuristic: spaces and common characters are what a passage is made of
    matcher = difflib.SequenceMatcher(None, [t.casefold() for t in a],
                                      [t.casefold() for t in b], autojunk=False)
    ops: list[tuple] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            ops.append((tag, i1, i2, j1, j2))
            continue
        for k in range(i2 - i1):  # equal but for case: token by token
            same = "equal" if a[i1 + k] == b[j1 + k] else "replace"
            ops.append((same, i1 + k, i1 + k + 1, j1 + k, j1 + k + 1))
    ops = _joined(ops)
    out: list[tuple] = []
    for op in ops:
        lone_space = len(out) >= 2 and "".join(a[out[-1][1]:out[-1][2]]) == " "
        if op[0] != "equal" and lone_space and out[-2][0] != "equal":
            out.pop()
            first = out.pop()
            op = ("replace", first[1], op[2], first[3], op[4])
        out.append(op)
    return out


def _joined(ops: list[tuple]) -> list[tuple]:
    """Neighbouring opcodes of the same kind made one: equal with equal, and any
    two changes as one replace."""
    out: list[tuple] = []
    for op in ops:
        if out and (out[-1][0] == "equal") == (op[0] == "equal"):
            tag = "equal" if op[0] == "equal" else "replace"
            op = (tag, out[-1][1], op[2], out[-1][3], op[4])
            out.pop()
        out.append(op)
    return out


def _word_start(text: str, at: int) -> int:
    """``at`` moved back to the start of the word it falls in, and never left
    before a combining mark (it belongs to the letter before it)."""
    limit = max(0, at - 50)  # a 'word' longer than that (a link) may be cut
    while at > limit and at < len(text) and (_kind(text[at]) == "mark" or (
            _kind(text[at - 1]) in ("word", "mark") and _kind(text[at]) == "word")):
        at -= 1
    while 0 < at < len(text) and _kind(text[at]) == "mark":
        at -= 1
    return at


def _word_end(text: str, at: int) -> int:
    """``at`` moved on to the end of the word it falls in, combining marks included."""
    limit = min(len(text), at + 50)
    while 0 < at < limit and (_kind(text[at]) == "mark" or (
            _kind(text[at - 1]) in ("word", "mark") and _kind(text[at]) == "word")):
        at += 1
    while at < len(text) and _kind(text[at]) == "mark":
        at += 1
    return at


def _stop(ch: str) -> bool:
    """Where a clause of an unspaced script ends: punctuation or a space."""
    return ch == " " or unicodedata.category(ch)[0] == "P"


def _clause(text: str, start: int, end: int) -> tuple[str, str]:
    """The rest of the clause around a passage that starts or ends inside a run of
    an unspaced script: back to the punctuation or space before it, on to the one
    after it (at most MAX_CLAUSE_WIDENING characters each way)."""
    def cuts(at: int) -> bool:
        inside = 0 < at < len(text) and not _stop(text[at - 1]) and not _stop(text[at])
        return inside and (_unspaced(text[at - 1]) or _unspaced(text[at]))

    at = start
    if cuts(start):
        while at > max(0, start - MAX_CLAUSE_WIDENING) and not _stop(text[at - 1]):
            at -= 1
        while 0 < at < len(text) and _kind(text[at]) == "mark":
            at -= 1
    before = text[at:start]
    at = end
    if cuts(end):
        while at < min(len(text), end + MAX_CLAUSE_WIDENING) and not _stop(text[at]):
            at += 1
        while at < len(text) and _kind(text[at]) == "mark":
            at += 1
    return before, text[end:at]


def visible(text: str) -> str:
    """``text`` with each character that cannot be told apart from another, or from
    nothing, named by its code point (``<U+00AD>``, ``<U+2011>``): a soft hyphen, a
    zero-width space, a non-breaking hyphen or space marked as a difference would
    otherwise look the same as the text it differs from."""
    return "".join(f"<U+{ord(ch):04X}>" if _invisible(ch) else ch for ch in text)


def _invisible(ch: str) -> bool:
    kind = unicodedata.category(ch)
    if kind in ("Cf", "Cc", "Zl", "Zp") or (kind == "Zs" and ch != " "):
        return True
    return kind == "Pd" and ch != "-"  # hyphens and dashes that look like '-'


def _marked(ops, window: list[str], quoted: list[str]) -> str:
    """The passage with what only the quote has as ``[-...-]`` and what only the
    source has as ``{+...+}``. The source's spaces at the edges of a change stay
    outside the marks; so does the quote's space after words only it has, where
    the source has a space before them (``a [-x-] b``)."""
    out = []
    for tag, i1, i2, j1, j2 in ops:
        source, quote = "".join(window[i1:i2]), "".join(quoted[j1:j2])
        if tag == "equal":
            out.append(source)
            continue
        if not (source.strip(" ") or quote.strip(" ")):  # only a space more or less
            if not (out and out[-1].endswith(" ")) and source != quote:
                # between unspaced characters, the space itself is the difference
                out.append(f"{SOURCE_ONLY[0]} {SOURCE_ONLY[1]}" if source
                           else f"{QUOTE_ONLY[0]} {QUOTE_ONLY[1]}")
            else:
                out.append(source)
            continue
        source, quote = visible(source), visible(quote)
        if source:
            lead = " " if source.startswith(" ") else ""
            tail = " " if source.endswith(" ") else ""
            quote = quote.strip(" ")
        else:  # words only the quote has
            spaced = bool(out) and out[-1].endswith(" ")
            quote = quote.lstrip(" ") if spaced or not out else quote
            lead, tail = "", " " if spaced and quote.endswith(" ") else ""
            quote = quote.rstrip(" ") if tail else quote
        out.append(lead)
        if quote:
            out.append(f"{QUOTE_ONLY[0]}{quote}{QUOTE_ONLY[1]}")
        if source.strip(" "):
            out.append(f"{SOURCE_ONLY[0]}{source.strip(' ')}{SOURCE_ONLY[1]}")
        out.append(tail)
    return "".join(out)


def line_in(raw: str, folded: str, start: int, end: int) -> int | None:
    """The line of ``raw`` (a source as read) where the passage ``folded[start:end]``
    of its folded text starts, or None if the passage cannot be found in it again.

    The passage is looked for with each space matching any run of white space, in
    the text as read, or failing that in its NFC form (which has the same lines),
    as the occurrence of the same rank as in the folded text.
    """
    passage = folded[start:end]
    if not passage:
        return None
    pattern = re.compile(f"{SPACE_CLASS}+".join(re.escape(w) for w in passage.split(" ")))
    rank = folded.count(passage, 0, start)
    for text in (raw, None):
        if text is None:
            text = unicodedata.normalize("NFC", raw)
            if text == raw:
                return None
        for i, match in enumerate(pattern.finditer(text)):
            if i == rank:
                return text.count("\n", 0, match.start()) + 1
    return None
