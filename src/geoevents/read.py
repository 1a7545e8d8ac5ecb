"""Read an annotation project into raw tables that remember file and line.

CSV and YAML files are turned into the same tables: one polars DataFrame per
codebook table, every value still a string (lists as lists of strings), plus
``_file`` (path relative to the project root) and ``_line`` (1-based line of
the record). Reading never raises on bad input: what cannot be read becomes a
problem with a line number, and the rest of the project is still read.

Every entry of ``annotations/`` is either read as a table or reported (Markdown
files, the curation guide, are documentation and skipped). Files are read only
inside the project and only if regular (``safefile``), and input is bounded
before any parser sees it: file size, line length, CSV columns and YAML
nesting (``yamlio.MAX_DEPTH``) each have a limit, and a file over one is
reported and not read.
"""

from __future__ import annotations

import csv
import io
import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import polars as pl

from geoevents import problems as P
from geoevents import safefile, yamlio
from geoevents.codebook import LOCALIZED, Codebook, Table
from geoevents.errors import from_os_error

QUOTED = r'"(?:[^"]|"")*"'
ANNOTATION_SUFFIXES = (".csv", ".yaml", ".yml")
#: documentation that may stand in annotations/ (the curation guide): never read
DOCUMENTATION_SUFFIX = ".md"

# Limits on what is read, checked before any parser runs. CSV is the format of
# large projects (the citations of a million events take 173 MB); a YAML file is
# composed into Python objects (about 17 bytes of memory for each byte of text),
# so it is held to less.
# A CSV file is also held to a number of lines and of values (lines x columns):
# small values cost memory out of proportion to their bytes.
MAX_CSV_BYTES = 256 * safefile.MIB
MAX_CSV_LINES = 5_000_000
MAX_CSV_VALUES = 25_000_000
MAX_YAML_BYTES = 16 * safefile.MIB
MAX_LINE_CHARS = 100_000
MAX_COLUMNS = 1_000


@dataclass
class RawProject:
    """What the readers found: raw tables, read problems and where fields stand."""

    root: Path
    codebook: Codebook
    tables: dict[str, pl.DataFrame]
    problems: list[pl.DataFrame] = field(default_factory=list)
    #: (file, record line, field) -> line of that field, for YAML records
    field_lines: dict[tuple[str, int, str], int] = field(default_factory=dict)
    #: file -> fields its header or records use
    file_fields: dict[str, set[str]] = field(default_factory=dict)
    #: problems found record by record, made into one frame at the end (a hostile
    #: file can hold hundreds of thousands)
    rows: list[dict] = field(default_factory=list)
    #: tables some of whose records were not read: a file of theirs stops at a YAML
    #: syntax error (or is not composed at all); an ID that other tables use may be
    #: defined in the part not read
    unread_tables: set[str] = field(default_factory=set)
    #: (file, line) of a ragged CSV row -> column -> the values it may hold there (its
    #: cell at the column's place counted from the left, and from the right): the
    #: record a lookup into its table may have meant
    ragged_cells: dict[tuple[str, int], dict[str, set[str]]] = field(default_factory=dict)

    def reported(self, rel: str) -> bool:
        """A problem of reading names file ``rel`` (it could not be read as it stands)."""
        return any(not f.is_empty() and (f.get_column("file") == rel).any()
                   for f in self.problems)


def read_project(root: Path, codebook: Codebook) -> RawProject:
    root = Path(root)
    project = RawProject(root, codebook, {})
    parts: dict[str, list[pl.DataFrame]] = {name: [] for name in codebook.tables}
    for path, table in _annotation_files(root, codebook, project):
        for name, frame in _read_file(path, table, project).items():
            parts[name].append(frame)
    for name, table in codebook.tables.items():
        project.tables[name] = _assemble(parts[name], table)
    project.problems.append(P.make(project.rows))
    project.rows.clear()
    return project


def _annotation_files(root: Path, codebook: Codebook, project: RawProject):
    for table in codebook.tables.values():
        if table.location and os.path.lexists(root / table.location):
            yield root / table.location, table
    folder = root / "annotations"
    if not os.path.lexists(folder) or not _is_folder(folder, root, project):
        return
    try:
        entries = sorted(folder.iterdir())
    except OSError as exc:
        raise from_os_error(exc, "list the files of") from None
    for path in entries:
        table = _entry_table(path, root, codebook, project)
        if table is not None:
            yield path, table


def _is_folder(folder: Path, root: Path, project: RawProject) -> bool:
    """annotations/ is a folder inside the project (else a problem says what it is)."""
    _, refused = safefile.inside(folder, root)
    if refused is None and not folder.is_dir():
        refused = safefile.Refused("file-not-regular", "is not a folder: nothing in it is read",
                                   "make annotations/ a folder holding the annotation files")
    if refused:
        _refuse("annotations", "annotations/", refused, project)
    return refused is None


def _entry_table(path: Path, root: Path, codebook: Codebook, project: RawProject) -> Table | None:
    """The table an entry of annotations/ belongs to; None (with a problem) if it is
    no annotation file, None (without) if it is documentation."""
    name = path.name
    if name.lower().endswith(DOCUMENTATION_SUFFIX) and not path.is_dir():
        return None
    stem, suffix = os.path.splitext(name)
    found = codebook.table_for_file(stem) if suffix in ANNOTATION_SUFFIXES else None
    table = codebook.tables.get(found) if found else None
    if table is not None and not table.location and not path.is_dir():
        return table
    if path.is_dir():
        message = "is a folder: files in folders under annotations/ are not read"
    elif table is not None:
        message = f"is not read: {table.name} is read from {table.location} only"
    else:
        message = ("is not read: annotation files are named <table>.csv, <table>.yaml "
                   "or <table>-<part>.csv|yaml (lowercase)")
    hint = ("annotation files stand in annotations/ itself: move this folder's files up, or "
            "the folder out of annotations/") if path.is_dir() else _file_hint(name, codebook)
    project.problems.append(P.make([{
        "rule": "file-unknown", "file": _rel(path, root), "line": None,
        "message": f"{_printable(name)} {message}", "hint": hint,
    }]))
    return None


def _file_hint(name: str, codebook: Codebook) -> str:
    """The nearest annotation file name, or the tables' names."""
    tables = [n for n, t in codebook.tables.items() if not t.location]
    base = name.lstrip(".").split(".")[0].lower()
    table = codebook.table_for_file(base)
    if table is None:
        from rapidfuzz import process

        match = process.extractOne(base, tables, score_cutoff=60)
        table, base = (match[0], match[0]) if match else (None, base)
    if table is None or table not in tables:
        return (f"name annotation files after a table ({', '.join(tables)}), or move this "
                "out of annotations/ (Markdown files, *.md, may stay: they are not read)")
    lowered = name.lower()
    suffix = next((s for s in ANNOTATION_SUFFIXES if s in lowered), ".csv")
    return f"did you mean {base + suffix!r}?"


def _rel(path: Path, root: Path) -> str:
    try:
        rel = path.relative_to(root).as_posix()
    except ValueError:
        rel = path.as_posix()
    return _printable(rel)


def _printable(text: str) -> str:
    """``text`` with control, format (bidi) and undecodable characters escaped: file
    names reach terminals and problem tables."""
    if text.isprintable():
        return text
    raw = text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii")
                   for c in raw)


def _refuse(rel: str, shown: str, refused: safefile.Refused, project: RawProject) -> None:
    project.problems.append(P.make([{
        "rule": refused.rule, "file": rel, "line": None,
        "message": f"{shown} {refused.message}", "hint": refused.hint,
    }]))


def _decode(data: bytes, rel: str, project: RawProject) -> str | None:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        project.problems.append(
            P.make([{
                "rule": "file-encoding", "file": rel, "line": line,
                "message": f"not UTF-8: byte {data[exc.start]:#04x} cannot be decoded",
                "hint": "save the file as UTF-8 (in a spreadsheet: 'CSV UTF-8')",
            }])
        )
        return None


def _read_file(path: Path, table: Table, project: RawProject) -> dict[str, pl.DataFrame]:
    rel = _rel(path, project.root)
    is_csv = path.suffix == ".csv"
    try:
        data = safefile.read_bytes(path, project.root, MAX_CSV_BYTES if is_csv else MAX_YAML_BYTES)
    except OSError as exc:
        raise from_os_error(exc, "read") from None
    if isinstance(data, safefile.Refused):
        _refuse(rel, path.name, data, project)
        return {}
    if is_csv:
        frame = _read_csv(data, rel, table, project)
        return {table.name: frame} if frame is not None else {}
    text = _decode(data, rel, project)
    if text is None:
        return {}
    if len(text) > MAX_LINE_CHARS and _long_lines(None, text, rel, project):
        return {}
    return _read_yaml(text, rel, table, project)


def _long_lines(lines: pl.Series | None, text: str | None, rel: str, project: RawProject) -> bool:
    """Report every line longer than MAX_LINE_CHARS; True if there is one."""
    if lines is None:  # YAML: every line break libyaml knows (CR, NEL, U+2028 ...)
        split = text.splitlines()
        if max(map(len, split), default=0) <= MAX_LINE_CHARS:
            return False
        lines = pl.Series("text", split, dtype=pl.String)
    if lines.is_empty() or lines.str.len_bytes().max() <= MAX_LINE_CHARS:  # bytes >= chars
        return False
    long = pl.DataFrame({"text": lines}).with_row_index("_line", offset=1).select(
        pl.col("_line").cast(pl.Int64), n=pl.col("text").str.len_chars()
    ).filter(pl.col("n") > MAX_LINE_CHARS)
    if long.is_empty():
        return False
    project.problems.append(P.from_frame(
        long.with_columns(pl.lit(rel).alias("_file")), "line-too-long", None,
        pl.format("this line has {} characters; lines are read up to "
                  f"{MAX_LINE_CHARS:,}", pl.col("n")),
        "break the value over several lines (quoted, in CSV) or shorten it; "
        "the file is not read until then",
    ))
    return True


def _too_many_lines(data: bytes, rel: str, project: RawProject) -> bool:
    """More than MAX_CSV_LINES lines (counted in the bytes, before they are split)."""
    n = data.count(b"\n")
    if n <= MAX_CSV_LINES:
        return False
    _refuse(rel, rel.rsplit("/", 1)[-1], safefile.Refused(
        "file-too-large", f"has {n:,} lines; CSV files are read up to {MAX_CSV_LINES:,}",
        "split it into several files of the same table (<table>-<part>.csv)"), project)
    return True


def _too_many_values(rows: int, columns: int, rel: str, project: RawProject) -> bool:
    """More than MAX_CSV_VALUES values (rows times columns)."""
    if rows * columns <= MAX_CSV_VALUES:
        return False
    _refuse(rel, rel.rsplit("/", 1)[-1], safefile.Refused(
        "file-too-large", f"holds {rows * columns:,} values ({rows:,} rows of {columns} "
        f"columns); CSV files are read up to {MAX_CSV_VALUES:,}",
        "split it into several files of the same table (<table>-<part>.csv)"), project)
    return True


def _too_many_columns(header_line: str, rel: str, project: RawProject) -> bool:
    """A header with more than MAX_COLUMNS columns (counted by its commas, an upper
    bound, before anything parses it)."""
    n = header_line.count(",") + 1
    if n <= MAX_COLUMNS:
        return False
    project.problems.append(P.make([{
        "rule": "csv-too-many-columns", "file": rel, "line": 1,
        "message": f"the header has {n:,} columns; CSV files are read up to {MAX_COLUMNS:,}",
        "hint": "a table has a few dozen fields at most: check the separator (a comma) "
                "and that this is the file you meant",
    }]))
    return True


# --- CSV ---------------------------------------------------------------------


def _read_csv(data: bytes, rel: str, table: Table, project: RawProject) -> pl.DataFrame | None:
    if _too_many_lines(data, rel, project):
        return None
    lines = _lines(data)
    if lines is None:
        # polars could not split it (mostly: not UTF-8); Python finds the bad byte
        text = _decode(data, rel, project)
        if text is None:
            return None
        data, lines = text.encode(), _split_lines(text)
    if _is_blank(data, lines):
        return None
    if _too_many_columns(lines[0], rel, project) or (
            len(data) > MAX_LINE_CHARS and _long_lines(lines, None, rel, project)):
        return None
    header = _parse_header(lines[0].rstrip("\r"), rel, table, project)
    if header is None or not _header_ok(header, rel, table, project):
        return None
    if _too_many_values(lines.len() - 1, len(header), rel, project):
        return None
    project.file_fields[rel] = {h for h in header if h}
    stats = _line_stats(lines)
    try:
        if stats.get_column("odd_quotes").any():
            raise ValueError("multi-line records")
        frame, ragged = _csv_by_lines(data, lines, stats, header)
    except (ValueError, pl.exceptions.PolarsError):
        try:
            frame, ragged = _csv_by_records(data.decode("utf-8-sig"), header)
        except _QuoteNotClosed as exc:
            project.problems.append(P.make([{
                "rule": "csv-quote", "file": rel, "line": exc.line,
                "message": ("the quote opened in this record is never closed: every line "
                            "after it would be read as part of one value, so the file is not "
                            "read" if "unexpected end of data" in str(exc) else
                            f"this record cannot be read as CSV ({exc}), so the file is not "
                            "read"),
                "hint": 'close the quote (a " inside a quoted value is written ""), or remove it',
            }]))
            return None
        except _RecordTooLong as exc:
            project.problems.append(P.make([{
                "rule": "line-too-long", "file": rel, "line": exc.line,
                "message": f"the record that starts here is not read: {exc}",
                "hint": "close the quote this value opens, or shorten the value",
            }]))
            return None
    if ragged.height:
        _keep_ragged_cells(ragged, frame.get_column("_line"), lines, header, rel, project)
        project.problems.append(
            P.from_frame(
                ragged.with_columns(pl.lit(rel).alias("_file")),
                "csv-ragged",
                None,
                pl.format("this row has {} field(s); the header has {}", "n", pl.lit(len(header))),
                hint="quote values that contain commas; add or remove separators",
            )
        )
    frame = frame.with_columns(pl.lit(rel).alias("_file"))
    # columns by position: to pl.col a header like '*' or '^a.*$' is a pattern
    frame = frame.with_columns(_clean_value(pl.nth(i), b"\r" in data) for i in range(len(header)))
    for name in _list_fields(table):
        if name in frame.columns:
            frame = frame.with_columns(_split_list(pl.col(name)))
    return _known_fields(frame, rel, table, project)


def _lines(data: bytes) -> pl.Series | None:
    r"""The lines of a UTF-8 file as split by ``"\n"`` (no final empty one), or None.

    polars reads them as a one-column CSV without quoting, whose separator is a
    byte the file lacks: far faster than a Python list of lines. It drops one
    ``\r`` before each ``\n`` and a BOM, and refuses bytes that are not UTF-8.
    """
    separator = next((s for s in "\x1f\x1e\x1d\x1c" if s.encode() not in data), None)
    if separator is None or not data:
        return None
    try:
        lines = pl.read_csv(
            data, has_header=False, separator=separator, quote_char=None,
            infer_schema=False, empty_string_is_null=False, new_columns=["text"],
        ).get_column("text").fill_null("")
    except pl.exceptions.PolarsError:
        return None
    expected = data.count(b"\n") + (not data.endswith(b"\n"))
    return lines if lines.len() == expected else None


def _split_lines(text: str) -> pl.Series:
    """The lines of ``text`` as ``_lines`` gives them (slow path, for odd files)."""
    lines = text.split("\n")
    if text.endswith("\n"):
        lines.pop()
    return pl.Series("text", lines, dtype=pl.String)


def _is_blank(data: bytes, lines: pl.Series) -> bool:
    """The file holds nothing but white space (as Python's str.strip sees it)."""
    if lines.is_empty():
        return True
    if lines[0].strip():
        return False
    return not data.decode("utf-8-sig").strip()


def _clean_value(column: pl.Expr, has_cr: bool) -> pl.Expr:
    """Empty values are null; line ends of CRLF files (also inside quoted values)
    become plain newlines."""
    column = pl.when(column != "").then(column)
    if not has_cr:
        return column
    return column.str.replace_all("\r\n", "\n", literal=True).str.strip_chars("\r")


def _parse_header(line: str, rel: str, table: Table, project: RawProject) -> list[str] | None:
    try:
        return next(csv.reader([line]))
    except csv.Error as exc:  # a carriage return inside the line, for one
        project.problems.append(
            P.make([{
                "rule": "csv-header", "file": rel, "line": 1,
                "message": f"the header cannot be read as CSV: {exc}",
                "hint": f"fields of {table.name}: {', '.join(table.names)}",
            }])
        )
        return None


#: separators other CSV dialects use, which this project's files do not
OTHER_SEPARATORS = {";": "semicolons", "\t": "tabs", "|": "vertical bars"}


def _header_ok(header: list[str], rel: str, table: Table, project: RawProject) -> bool:
    seen, bad = set(), []
    if len(header) == 1 and len(table.names) > 1:
        used = [name for sep, name in OTHER_SEPARATORS.items() if sep in header[0]]
        if used:  # the whole header is one field: a file of another dialect
            project.problems.append(P.make([{
                "rule": "csv-header", "file": rel, "line": 1, "field": None,
                "message": f"the header reads as one field: the file is separated by "
                           f"{used[0]}, and annotation CSV files are separated by commas",
                "hint": "save it as CSV with commas (values that hold a comma quoted); "
                        f"fields of {table.name}: {', '.join(table.names)}",
            }]))
            return False
    for h in header:
        if not h.strip():
            bad.append(("", "a column has no name"))
        elif h in seen:
            bad.append((h, f"column {h!r} appears twice"))
        seen.add(h)
    for value, message in bad:
        project.problems.append(
            P.make([{
                "rule": "csv-header", "file": rel, "line": 1, "field": value or None,
                "message": message, "hint": f"fields of {table.name}: {', '.join(table.names)}",
            }])
        )
    return not bad


def _line_stats(lines: pl.Series) -> pl.DataFrame:
    """Per line: its number, whether it is blank or has an odd number of quotes
    (a quoted value going on to the next line), and its number of fields."""
    text = pl.col("text")
    stats = pl.DataFrame({"text": lines}).select(
        blank=text.str.strip_chars("\r") == "",
        odd_quotes=text.str.count_matches('"', literal=True) % 2 == 1,
        # a quoted value is one field, whatever commas it holds
        n=text.str.replace_all(QUOTED, "").str.count_matches(",", literal=True) + 1,
    )
    return stats.with_row_index("_line", offset=1).with_columns(pl.col("_line").cast(pl.Int64))


def _csv_by_lines(data: bytes, lines: pl.Series, stats: pl.DataFrame, header: list[str]):
    """Fast path: every record is one line, so polars parses and lines are counted.

    When every line after the header is a record of the right width (the usual
    case), polars parses the file's own bytes; otherwise the good lines only.
    """
    after_header = pl.col("_line") > 1
    ok = ~pl.col("blank") & (pl.col("n") == len(header))
    good = stats.filter(after_header & ok).get_column("_line")
    ragged = stats.filter(after_header & ~pl.col("blank") & ~ok).select("_line", "n")
    if good.len() == stats.height - 1:
        body = data
    else:
        body = pl.concat([lines.head(1), lines.gather(good - 1)]).str.join("\n").item()
        body = (body + "\n").encode()
    frame = pl.read_csv(
        body,
        infer_schema=False,
        empty_string_is_null=False,
        new_columns=header,
        has_header=True,
    ) if good.len() else pl.DataFrame(schema={h: pl.String for h in header})
    if frame.height != good.len():
        raise ValueError("polars and the line count disagree")
    return frame.with_columns(good), ragged


def _keep_ragged_cells(ragged: pl.DataFrame, read: pl.Series, lines: pl.Series,
                       header: list[str], rel: str, project: RawProject) -> None:
    """The cells of each ragged record as read, by the columns they may belong to: of
    its first line (counted from the left and from the right), and of each further
    line it spans (a quote left open swallows the rows below it): few rows, so plain
    Python."""
    starts = sorted({*read.to_list(), *ragged.get_column("_line").to_list(), lines.len() + 1})
    for line in ragged.get_column("_line").to_list():
        end = next((s for s in starts if s > line), line + 1)  # line numbers may disagree (a bare CR)
        kept = project.ragged_cells.setdefault((rel, line), {h: set() for h in header if h})
        for n in range(line, min(end, lines.len() + 1)):
            try:
                cells = next(csv.reader([lines[n - 1].rstrip("\r")]), [])
            except csv.Error:  # a stray carriage return: no cells to keep from this line
                cells = []
            shifts = (0, len(cells) - len(header)) if n == line else (0,)
            for i, h in enumerate(header):
                if h:
                    kept[h] |= {cells[i + d].strip() for d in shifts if 0 <= i + d < len(cells)}


class _RecordTooLong(Exception):
    def __init__(self, message: str, line: int):
        super().__init__(message)
        self.line = line


class _QuoteNotClosed(_RecordTooLong):
    pass


def _csv_by_records(text: str, header: list[str]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Slow path for quoted multi-line values: the csv module knows where records start
    (strict: a quote that is never closed is an error, not a value running to the end)."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    next(reader)
    rows, lines, ragged = [], [], []
    start = reader.line_num + 1
    try:
        for row in reader:
            # the csv module's own limit is process-wide (some libraries raise it): ours is not
            if max(map(len, row), default=0) > MAX_LINE_CHARS:
                raise _RecordTooLong(f"a value is longer than {MAX_LINE_CHARS:,} characters",
                                     start)
            if row and len(row) == len(header):
                rows.append(row)
                lines.append(start)
            elif row:
                ragged.append((start, len(row)))
            start = reader.line_num + 1
    except csv.Error as exc:  # a quote never closed, or a value longer than the module reads
        if "field larger than field limit" not in str(exc):
            raise _QuoteNotClosed(str(exc), start) from None
        raise _RecordTooLong(f"a value is longer than {MAX_LINE_CHARS:,} characters ({exc})",
                             start) from None
    columns = {h: [r[i] for r in rows] for i, h in enumerate(header)}
    frame = pl.DataFrame(columns, schema={h: pl.String for h in header})
    frame = frame.with_columns(pl.Series("_line", lines, dtype=pl.Int64))
    bad = pl.DataFrame(ragged, schema={"_line": pl.Int64, "n": pl.Int64}, orient="row")
    return frame, bad


def _split_list(expr: pl.Expr) -> pl.Expr:
    parts = expr.str.split(";").list.eval(pl.element().str.strip_chars())
    return parts.list.eval(pl.element().filter(pl.element() != ""))


def _list_fields(table: Table) -> list[str]:
    return [f.name for f in table.fields if f.type == "list"]


# --- YAML --------------------------------------------------------------------


def _read_yaml(text: str, rel: str, table: Table, project: RawProject) -> dict[str, pl.DataFrame]:
    node, issue = yamlio.compose(text)
    children = _nested_tables(project.codebook, table)
    if issue is not None:
        project.unread_tables.update({table.name, *(t.name for t in children.values())})
        if issue.rule == "yaml-syntax" and not table.one_record:
            # the records before the broken one are still read (and checked)
            node, cut = yamlio.readable_prefix(text, issue.line)
            issue.message += (f"; the records before line {cut} are read, the rest of the "
                              "file is not" if node is not None else "; the file is not read")
    issues = [issue] if issue else []
    convert = yamlio.to_record if table.one_record else yamlio.to_records
    records, more = convert(node) if node is not None else ([], [])
    issues += more
    for i in issues:
        project.rows.append({"rule": i.rule, "file": rel, "line": i.line, "field": i.field,
                             "value": i.value, "message": i.message,
                             "hint": ONE_RECORD_HINT if table.one_record and i.rule == "yaml-shape"
                             else _yaml_hint(i.rule)})
    rows: dict[str, list[dict]] = {table.name: [], **{t.name: [] for t in children.values()}}
    used = project.file_fields.setdefault(rel, set())
    for record in records:
        row = _yaml_row(record, rel, table, project, children)
        rows[table.name].append(row)
        used.update(k for k in record.values if k not in children)
        for key, child in children.items():
            for sub in _children(record, key, rel, project):
                sub_row = _yaml_row(sub, rel, child, project, {})
                _belongs_to_parent(sub_row, sub, row, table, child, rel, project)
                rows[child.name].append(sub_row)
    return {name: _frame(r, project.codebook.tables[name]) for name, r in rows.items() if r}


def _belongs_to_parent(sub_row: dict, sub, parent_row: dict, parent: Table, child: Table,
                       rel: str, project: RawProject) -> None:
    """A nested record takes its parent's key; naming another parent is a problem."""
    key = child.nested_in["parent_key"]
    own, theirs = sub_row.get(key), parent_row.get(key)
    if own is not None and theirs is not None and own != theirs:
        project.rows.append({
            "rule": "nested-foreign-key", "file": rel, "line": sub.lines.get(key, sub.line),
            "field": key, "value": own,
            "message": f"this {child.name} record is nested under {parent.name} {theirs!r} "
                       f"but names {key} {own!r}",
            "hint": f"remove {key} from the nested record (it belongs to the record it is "
                    f"nested in), or move it under {own!r}",
        })
    if theirs is not None or key not in sub_row:
        sub_row[key] = theirs


ONE_RECORD_HINT = "write one 'key: value' line per field, with no '- ' in front"


def _yaml_hint(rule: str) -> str | None:
    return {
        "yaml-syntax": "check indentation and quote values that contain ': ' or start with a symbol",
        "yaml-alias": "write the value out in full",
        "yaml-tag": "remove the tag; annotation values are plain text",
        "yaml-duplicate-key": "keep one of the two keys",
        "yaml-shape": "write records as '- key: value' items of a list",
        "yaml-too-deep": "annotation records nest a few levels at most (an event, its "
                         "citations, a citation's fields): check the indentation and brackets",
        "file-too-large": "split it into several files of the same table "
                          "(<table>-<part>.yaml)",
    }.get(rule)


def _nested_tables(codebook: Codebook, parent: Table) -> dict[str, Table]:
    """YAML keys under which child tables may nest inside a record of ``parent``."""
    out = {}
    for t in codebook.tables.values():
        if t.nested_in and t.nested_in["table"] == parent.name:
            parent_key = parent.primary_key[0]
            nested = dict(t.nested_in, parent_key=parent_key)
            out[t.nested_in["key"]] = Table(
                t.name, t.title, t.description, t.fields, t.primary_key, t.location, nested
            )
    return out


def _children(record: yamlio.Record, key: str, rel: str, project: RawProject):
    value = record.values.get(key)
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    good = [i for i in items if isinstance(i, yamlio.Record)]
    if len(good) != len(items):
        project.rows.append({"rule": "type", "file": rel,
                             "line": record.lines.get(key, record.line), "field": key,
                             "message": f"{key!r} must be a list of records",
                             "hint": f"write each as '- {{...}}' under '{key}:'"})
    return good


def _yaml_row(record, rel, table: Table, project: RawProject, children: dict) -> dict:
    row = {"_file": rel, "_line": record.line}
    for key, value in record.values.items():
        line = record.lines.get(key, record.line)
        if line != record.line:  # a key of nested records too: its problems are the record's
            project.field_lines[(rel, record.line, key)] = line
        if key in children:
            continue
        f = table.field(key)
        if f is None and not _is_localized(key, table):
            _unknown_field(key, line, rel, table, project, tuple(children))
            continue
        is_list = f is not None and f.type == "list"
        row[key] = _yaml_value(value, is_list, key, line, rel, project)
    return row


def _yaml_value(value, is_list, key, line, rel, project):
    if is_list:
        if isinstance(value, str):
            return [v.strip() for v in value.split(";") if v.strip()]
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return value
        if value is None:
            return None
    elif value is None or isinstance(value, str):
        return value
    what = "a list of plain values" if is_list else "a single plain value"
    project.rows.append({"rule": "type", "file": rel, "line": line, "field": key,
                         "message": f"{key!r} must be {what}", "hint": None})
    return None


def _is_localized(key: str, table: Table) -> bool:
    m = LOCALIZED.match(key)
    return bool(m) and m["base"] in table.localized


def _unknown_field(key, line, rel, table: Table, project: RawProject, nested=()):
    """``nested``: the keys under which records of other tables nest (an event's
    actors and citations), which a misspelt key may be meant to be too."""
    project.rows.append({"rule": "unknown-field", "file": rel, "line": line, "field": key,
                         "value": key, "message": f"{table.name} has no field {key!r}",
                         "hint": _field_hint(key, tuple(table.names), tuple(nested))})


@lru_cache(maxsize=4096)
def _field_hint(key: str, names: tuple[str, ...], nested: tuple[str, ...] = ()) -> str:
    """"did you mean" the field or nested key ``key`` is but for case or a slip of the
    keyboard (``stauts``: status, ``citation``: citations), else all of them."""
    from geoevents.check.hints import did_you_mean

    meant = did_you_mean([key], [*names, *nested]).get(key)
    if meant:
        return meant
    hint = f"fields: {', '.join(names)}"
    return f"{hint}; nested lists: {', '.join(nested)}" if nested else hint


def _known_fields(frame: pl.DataFrame, rel: str, table: Table, project: RawProject):
    keep = []
    for i, name in enumerate(frame.columns):
        if name.startswith("_") or table.field(name) or _is_localized(name, table):
            keep.append(i)
        else:
            _unknown_field(name, 1, rel, table, project)
    # by position: drop('*') would drop every column
    return frame.select(pl.nth(keep)) if len(keep) < frame.width else frame


def _frame(rows: list[dict], table: Table) -> pl.DataFrame:
    schema = _schema(table, {k for r in rows for k in r})
    return pl.DataFrame(rows, schema=schema)


def _schema(table: Table, extra: set[str] = frozenset()) -> dict:
    schema = {"_file": pl.String, "_line": pl.Int64}
    for f in table.fields:
        schema[f.name] = pl.List(pl.String) if f.type == "list" else pl.String
    for name in sorted(extra):
        if name not in schema:
            schema[name] = pl.String
    return schema


def _assemble(parts: list[pl.DataFrame], table: Table) -> pl.DataFrame:
    schema = _schema(table, {c for p in parts for c in p.columns})
    if not parts:
        return pl.DataFrame(schema=schema)
    frame = pl.concat(parts, how="diagonal_relaxed")
    missing = [pl.lit(None, dtype=dt).alias(c) for c, dt in schema.items() if c not in frame.columns]
    return frame.with_columns(missing).select(list(schema)).cast(schema)
