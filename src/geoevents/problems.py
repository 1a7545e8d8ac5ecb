"""Problems as data: every rule, and the table of problems a check run yields.

Checks return polars DataFrames with the columns of ``PROBLEM_SCHEMA``; the CLI
turns them into text or JSON. Each rule has a code, a severity and a title; the
code is what tests and users grep for.
"""

from __future__ import annotations

import json

import polars as pl

PROBLEM_SCHEMA = {
    "rule": pl.String,
    "severity": pl.String,
    "file": pl.String,
    "line": pl.Int64,
    "field": pl.String,
    "value": pl.String,
    "message": pl.String,
    "hint": pl.String,
}

ERROR, WARNING = "error", "warning"

#: rule code -> (severity, what the rule asks)
RULES: dict[str, tuple[str, str]] = {
    # files and structure
    "file-encoding": (ERROR, "annotation files are UTF-8 text"),
    "file-unknown": (ERROR, "every entry of annotations/ is a table's file (or Markdown, *.md)"),
    "file-outside": (ERROR, "every file read resolves inside the project (no link out)"),
    "file-not-regular": (ERROR, "files read are regular files (no FIFO, device, dead link)"),
    "file-too-large": (ERROR, ("an annotation file is at most 256 MiB, 5,000,000 lines and "
                              "25,000,000 values (CSV), or 16 MiB and 500,000 values (YAML)")),
    "line-too-long": (ERROR, "lines (and CSV records) are at most 100,000 characters"),
    "csv-too-many-columns": (ERROR, "a CSV file has at most 1,000 columns"),
    "yaml-too-deep": (ERROR, "YAML lists and mappings nest at most 20 levels deep"),
    "csv-ragged": (ERROR, "every CSV row has as many fields as the header"),
    "csv-header": (ERROR, "a CSV header names each field once"),
    "csv-quote": (ERROR, "a quote opened in a CSV value is closed"),
    "yaml-syntax": (ERROR, "YAML files parse"),
    "yaml-shape": (ERROR, "a YAML file is a list of records"),
    "yaml-duplicate-key": (ERROR, "a YAML record names each key once"),
    "yaml-tag": (ERROR, "YAML files use no tags"),
    "yaml-alias": (ERROR, "YAML files use no anchors or aliases"),
    "unknown-field": (ERROR, "every field is in the codebook"),
    "control-character": (ERROR, "no value holds control characters or bidi overrides"),
    "formula-like": (ERROR, "no text value starts like a spreadsheet formula (=, +, -, @)"),
    "missing-field": (ERROR, "required fields are present and not empty"),
    "type": (ERROR, "values have the field's type"),
    "pattern": (ERROR, "values match the field's pattern (IDs are lowercase slugs)"),
    "vocabulary": (ERROR, "values come from the field's vocabulary"),
    "list-duplicate": (ERROR, "a list names each value once"),
    "range": (ERROR, "numbers lie within the field's bounds"),
    "too-long": (ERROR, "quotes are quotations, not copies (at most 300 characters)"),
    "duplicate-id": (ERROR, "IDs are unique across all files"),
    "duplicate-row": (ERROR, "a row's primary key is unique"),
    "retired-id": (ERROR, "a retired ID is never used again"),
    # codes
    "country-code": (ERROR, "countries are ISO 3166-1 alpha-3 codes that exist"),
    "subdivision-code": (ERROR, "subdivisions are ISO 3166-2 codes that exist"),
    "subdivision-country": (ERROR, "a subdivision belongs to the location's country"),
    "language-code": (ERROR, "languages are ISO 639-1 codes"),
    # dates
    "date-format": (ERROR, "dates are EDTF (levels 0-1)"),
    "date-invalid": (ERROR, "dates exist in the calendar"),
    "date-order": (ERROR, "an interval starts no later than it ends"),
    "date-too-early": (ERROR, "no event before 1900"),
    "date-after-sources": (ERROR, "an occurred event starts no later than its newest source"),
    "date-before-sources": (ERROR, "a planned or expected event ends no earlier than its oldest source"),
    "date-future-check": (ERROR, "a check is not dated in the future"),
    "date-future-source": (ERROR, "a source is not published in the future"),
    "date-future-event": (ERROR, "an occurred event does not start in the future"),
    # references
    "unknown-reference": (ERROR, "every ID used is defined"),
    "table-missing": (ERROR, "a table other tables refer to has its file"),
    "nested-foreign-key": (ERROR, "a nested record belongs to the record it is nested in"),
    "nested-split": (ERROR, ("a record that nests its child records (actors, citations) has "
                             "all of them there, none in another file")),
    # evidence
    "source-missing": (ERROR, "every source file exists under seeds/"),
    "source-hash": (ERROR, "every source file's sha256 matches"),
    "source-path": (ERROR, ("a source file is a regular file under seeds/ (no absolute path, no "
                           "'..', no link out of the project)")),
    "source-encoding": (ERROR, "a source file is UTF-8 without replacement characters"),
    "source-unregistered": (ERROR, "every file in seeds/ is a registered source"),
    "no-citation": (ERROR, "every event has at least one citation"),
    "quote-not-found": (ERROR, "every quote stands in its source, as whole characters"),
    "quote-empty": (ERROR, "a quote is not empty or only white space"),
    "quote-replacement": (ERROR, "a quote holds no replacement character (U+FFFD)"),
    "not-source-not-found": (ERROR, "a source's not_source passages stand in its text"),
    "quote-translation": (ERROR, ("quotes from sources in another language than the "
                                  "translation field's have a translation")),
    # event types
    "mode-type": (ERROR, "the mode belongs to the event type"),
    "no-actor": (ERROR, "every event has an actor"),
    "recipient-missing": (ERROR, "a recipient is present where the type requires one"),
    # geography
    "coordinates-missing": (ERROR, "point and settlement locations have coordinates"),
    "coordinates-country": (ERROR, "coordinates lie in (or within a few km of) the country"),
    "geonames-mismatch": (ERROR, "a GeoNames ID agrees with country and coordinates"),
    "geonames-unverified": (WARNING, "a GeoNames ID can be checked against the offline gazetteer"),
    # review
    "unchecked": (WARNING, "events are checked before they are published"),
    "study": (ERROR, "an agreement study in studies/ can be read and names what the project "
                     "knows"),
    "checker-is-annotator": (ERROR, ("where the project file asks for it, an event is checked "
                                     "by another curator than its annotator")),
    # the project file
    "project-file": (ERROR, "the project has its project file, geoevents.yaml"),
    "placeholder": (ERROR, ("the project and sources files hold no placeholder (TODO: ...) "
                            "that geoevents init or source add wrote")),
}


def empty() -> pl.DataFrame:
    return pl.DataFrame(schema=PROBLEM_SCHEMA)


def severity(rule: str) -> str:
    return RULES[rule][0]


def make(rows: list[dict]) -> pl.DataFrame:
    """Problems from a few Python dicts (file-level findings, not per-row hot paths)."""
    if not rows:
        return empty()
    filled = [
        {
            "rule": r["rule"],
            "severity": r.get("severity") or severity(r["rule"]),
            "file": r.get("file"),
            "line": r.get("line"),
            "field": r.get("field"),
            "value": None if r.get("value") is None else str(r["value"]),
            "message": r["message"],
            "hint": r.get("hint"),
        }
        for r in rows
    ]
    return pl.DataFrame(filled, schema=PROBLEM_SCHEMA)


def from_frame(
    frame: pl.DataFrame,
    rule: str,
    field: str | None,
    message: pl.Expr | str,
    hint: pl.Expr | str | None = None,
    value: pl.Expr | None = None,
) -> pl.DataFrame:
    """Problems for every row of ``frame`` (which has ``_file`` and ``_line``), vectorized."""
    if frame.is_empty():
        return empty()
    # one chunk: polars (2.1) can panic in pl.format on a filtered column whose
    # chunks include an empty one; problem rows are few, so this costs nothing
    frame = frame.rechunk()

    def lit(x):
        return pl.lit(x, dtype=pl.String) if x is None or isinstance(x, str) else x

    if value is None:
        value = pl.col(field).cast(pl.String) if field and field in frame.columns else pl.lit(None)
    return frame.select(
        pl.lit(rule).alias("rule"),
        pl.lit(severity(rule)).alias("severity"),
        pl.col("_file").alias("file"),
        pl.col("_line").cast(pl.Int64).alias("line"),
        pl.lit(field, dtype=pl.String).alias("field"),
        value.cast(pl.String).alias("value"),
        lit(message).cast(pl.String).alias("message"),
        lit(hint).cast(pl.String).alias("hint"),
    )


def combine(frames: list[pl.DataFrame]) -> pl.DataFrame:
    frames = [f for f in frames if not f.is_empty()]
    if not frames:
        return empty()
    out = pl.concat([f.select(list(PROBLEM_SCHEMA)).cast(PROBLEM_SCHEMA) for f in frames])
    return out.unique(maintain_order=True).sort(
        ["file", "line", "field", "rule"], nulls_last=True, maintain_order=True
    )


#: problems of one rule shown per file in text; the rest are counted (JSON lists all)
TEXT_LIMIT = 20


def to_text(problems: pl.DataFrame, errors_only: bool = False, limit: int | None = TEXT_LIMIT,
            strict: bool = False) -> str:
    """Problems grouped by file and sorted by line, with a one-line summary.

    In each file, a hint that several problems of a rule share is printed once,
    under the first of them, with their number in the file; a later one of them
    that does not follow it directly (another hint came between) says which line's
    hint is its own. Past ``limit`` problems of one rule in one file, those whose
    hint is already printed are counted, not listed (one with a hint of its own is
    always listed). ``errors_only`` leaves the warnings out (the summary counts them);
    ``strict``: the summary says when warnings alone fail the check.
    """
    shown = problems.filter(pl.col("severity") == ERROR) if errors_only else problems
    out: list[str] = []
    for file, group in _by_file(shown):
        out.append(file or "(project)")
        out += _file_lines(group, limit)
    out.append(summary(problems, errors_only, strict))
    return "\n".join(out)


def _file_lines(group: pl.DataFrame, limit: int | None) -> list[str]:
    """The lines of one file's problems (see ``to_text``)."""
    shared = group.group_by("rule", "hint").len().filter(pl.col("len") > 1)
    sharing = {(r, h): n for r, h, n in shared.iter_rows() if h}
    printed: dict[tuple, int | None] = {}  # (rule, hint) -> the line it is printed under
    listed: dict[str, int] = {}
    hidden: dict[str, int] = {}
    last = None  # the hint the previous problem's lines end with
    out: list[str] = []
    for p in group.iter_rows(named=True):
        key = (p["rule"], p["hint"])
        repeats = key in printed or (not p["hint"] and listed.get(p["rule"]))
        if limit is not None and listed.get(p["rule"], 0) >= limit and repeats:
            hidden[p["rule"]] = hidden.get(p["rule"], 0) + 1
            continue
        listed[p["rule"]] = listed.get(p["rule"], 0) + 1
        where = f"  line {p['line']}" if p["line"] is not None else "  -"
        field = f" [{p['field']}]" if p["field"] else ""
        out.append(f"{where}{field} {p['severity']} {p['rule']}: {p['message']}")
        if not p["hint"]:
            last = None
        elif key not in sharing:
            out.append(f"      hint: {p['hint']}")
            last = key
        elif key not in printed:
            printed[key] = p["line"]
            out.append(f"      hint ({p['rule']}, {sharing[key]} problems in this file): "
                       f"{p['hint']}")
            last = key
        elif last != key:  # another hint came between: say which one is this one's
            above = printed[key]
            out.append(f"      hint: as for line {above}" if above is not None
                       else f"      hint: as for the {p['rule']} problem above")
            last = key
    for rule, n in hidden.items():
        out.append(f"  ... and {n} more {rule} problems in this file "
                   "(geoevents validate --format json lists all)")
    return out


def _by_file(problems: pl.DataFrame):
    """(file, its problems) in the order the table lists them (None: the project)."""
    for (file,), group in problems.group_by(["file"], maintain_order=True):
        yield file, group


def summary(problems: pl.DataFrame, errors_only: bool = False, strict: bool = False) -> str:
    """One line of counts; under ``strict``, warnings without errors fail too, and
    the line says so (the exit status must not be the only place that tells)."""
    errors = problems.filter(pl.col("severity") == ERROR).height
    warnings = problems.height - errors
    if not problems.height:
        return "valid: no problems found"
    if errors_only:
        files = problems.filter(pl.col("severity") == ERROR).get_column("file").n_unique()
        shown = f"{errors} error(s) in {files} file(s)" if errors else "no errors"
        line = f"{shown}; {warnings} warning(s) not shown (--errors-only)"
    else:
        files = problems.get_column("file").n_unique()
        line = f"{errors} error(s), {warnings} warning(s) in {files} file(s)"
    if strict and warnings and not errors:
        line += f"; fails under --strict: {warnings} warning(s)"
    return line


def to_json(problems: pl.DataFrame, errors_only: bool = False, strict: bool = False) -> str:
    """Every problem with its hint (machines read each one); ``errors_only`` lists the
    errors only, and ``warnings`` still counts every warning found. ``valid`` is what
    the exit status says: under ``strict`` a warning makes it false."""
    errors = problems.filter(pl.col("severity") == ERROR).height
    listed = problems.filter(pl.col("severity") == ERROR) if errors_only else problems
    doc = {
        "valid": (problems.height if strict else errors) == 0,
        "errors": errors,
        "warnings": problems.height - errors,
        "problems": listed.to_dicts(),
    }
    if errors_only:
        doc["errors_only"] = True
    if strict:
        doc["strict"] = True
    return json.dumps(doc, ensure_ascii=False, indent=2)
