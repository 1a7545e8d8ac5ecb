"""One root cause, one error: problems that follow from another are folded under it.

A problem *follows* from another when the rule that found it read something the
other problem says is lost:

* a **file that could not be read** (not UTF-8, a YAML syntax error, too large, a
  broken CSV header ...): every table the codebook reads from that file (and the
  tables nested in it) is incomplete, so what a rule finds missing in it — an ID
  not defined, an event without actors or citations, a file of seeds/ no source
  names — may stand in the unread file;
* a **rejected value** (of the wrong type, pattern or vocabulary, missing, an
  unknown code, a date that does not parse, a control character): a rule that
  reads that field of the same record judges a value that is not there
  (``lat: 51.8x84`` is not also "a point location needs both lat and lon",
  swapped coordinates are not also a GeoNames ID thousands of km away;
  ``mode: visitt`` is not also "does not belong to CONSULT"), and a rule that
  looks a key up across a table misses the record whose key was rejected
  (``actor_id: US_NSC`` is not also "us-nsc is not defined in actors").

What each rule reads is declared in ``READS`` (fields of its own record, and
tables with the fields it matches records by); ``unknown-reference`` reads the
table and field its field ``references`` in the codebook. A follow-on in the same
record is dropped (that record's cause is in front of the curator); follow-ons
elsewhere are counted on their cause: "... (and 4 follow-on problems not shown
until this is fixed: 4 unknown-reference in annotations/event_actors.csv,
annotations/events.yaml)".
"""

from __future__ import annotations

import os

import polars as pl

from geoevents import problems as P
from geoevents.codebook import Codebook

#: rules that judge one value and find it unusable: to every other rule the value is
#: not there
REJECTS_VALUE = frozenset({
    "type", "pattern", "vocabulary", "range", "missing-field", "control-character",
    "country-code", "subdivision-code", "language-code", "date-format", "date-invalid",
    "date-order", "placeholder", "source-missing", "source-path",
    "unknown-reference",  # the record it names is not there to be linked to
    "coordinates-country",  # the point (or the country) is wrong: no GeoNames comparison
})

#: the problem of these rules is the one reported on its value: every other problem of
#: that value follows from it (a control character breaks the pattern and the quote
#: search; a placeholder is not yet the licence or URL it stands for)
MASKS_ITS_VALUE = frozenset({"control-character", "placeholder"})

#: these rules' problems follow from any other problem of the same value (an ID '=x'
#: breaks its pattern: that is the one to fix)
YIELDS_ITS_VALUE = frozenset({"formula-like"})

#: problems of reading that lose a record of the file's table (a ragged CSV row is not
#: read): any record a rule looks for in that table may be that one
LOSES_A_RECORD = frozenset({"csv-ragged"})

#: own: the fields of the problem's record the rule reads ("*": the problem's field);
#: tables: the tables it reads across records, each with the field that links a record
#: of it to the problem's record (the same name on both sides; None: any record may
#: be the one) and the other fields it reads there
READS: dict[str, dict] = {
    "missing-field": {"own": ("*",)},
    "duplicate-id": {"own": ("*",)},
    "mode-type": {"own": ("event_type", "modes")},
    "no-actor": {"own": ("event_id",), "tables": {"event_actors": ("event_id", "role")}},
    "recipient-missing": {"own": ("event_id", "event_type"),
                          "tables": {"event_actors": ("event_id", "role")}},
    "no-citation": {"own": ("event_id",), "tables": {"citations": ("event_id",)}},
    "coordinates-missing": {"own": ("lat", "lon", "precision")},
    "coordinates-country": {"own": ("lat", "lon", "country")},
    "subdivision-country": {"own": ("admin1", "country")},
    "geonames-mismatch": {"own": ("geonames_id", "lat", "lon", "country")},
    "geonames-unverified": {"own": ("geonames_id", "lat", "lon", "country")},
    "date-too-early": {"own": ("date",)},
    "date-future-event": {"own": ("date", "status")},
    "date-after-sources": {"own": ("date", "status"),
                           "tables": {"citations": ("event_id", "source_id"),
                                      "sources": ("source_id", "published")}},
    "date-before-sources": {"own": ("date", "status"),
                            "tables": {"citations": ("event_id", "source_id"),
                                       "sources": ("source_id", "published")}},
    "quote-translation": {"own": ("source_id", "quote"),
                          "tables": {"sources": ("source_id", "language")}},
    "quote-not-found": {"own": ("source_id",)},
    "checker-is-annotator": {"own": ("annotated_by", "checked_by")},
    "source-unregistered": {"tables": {"sources": (None, "file")}},
    "unknown-reference": {},  # reads what its field references in the codebook
}

#: (rule, table) -> (table, field): the problem's record links to that table's records
#: through another's: an event to the sources its citations name (its own values of the
#: link are those of the citations whose field is the event's)
THROUGH = {
    ("date-after-sources", "sources"): ("citations", "event_id"),
    ("date-before-sources", "sources"): ("citations", "event_id"),
}

#: problems of reading that are no file of a table (an entry of annotations/ that is
#: not read at all): they make no table incomplete
NOT_A_TABLE_FILE = frozenset({"file-unknown"})

_KEY = ["file", "_rec"]


def fold(problems: pl.DataFrame, raw, codebook: Codebook) -> pl.DataFrame:
    """``problems`` without the follow-ons, each counted on its cause's message."""
    if problems.height < 2:
        return problems
    found = _with_records(problems.with_row_index("_id"), raw, codebook)
    edges = pl.concat([_same_value(found), _same_record(found, codebook),
                       _lost_tables(found, raw, codebook), _misnamed(found),
                       _changed_sources(found, raw, codebook),
                       _pasted_twice(found, raw, codebook)])
    renamed, hints = _renamed_fields(found, raw, codebook)
    country, country_hints = _wrong_country(found, raw)
    edges = pl.concat([edges, renamed, country])
    hints |= country_hints
    if edges.is_empty():
        return problems
    cause_of = _roots(edges, found)
    followers = found.filter(pl.col("_id").is_in(list(cause_of)))
    kept = found.filter(~pl.col("_id").is_in(list(cause_of)))
    counted = followers.with_columns(
        _cause=pl.col("_id").replace_strict(cause_of, return_dtype=pl.UInt32)
    ).join(found.select(pl.col("_id").alias("_cause"), pl.col("file").alias("_cf"),
                        pl.col("_rec").alias("_cr")), on="_cause")
    # in the cause's own record the follow-on is plain to see once the cause is fixed
    elsewhere = counted.filter((pl.col("file") != pl.col("_cf")).fill_null(True)
                               | (pl.col("_rec") != pl.col("_cr")).fill_null(True))
    notes = _notes(elsewhere)
    kept = kept.with_columns(
        pl.col("message") + pl.col("_id").replace_strict(notes, default="", return_dtype=pl.String),
        pl.coalesce(pl.col("_id").replace_strict(hints, default=None, return_dtype=pl.String),
                    "hint").alias("hint"),
    )
    return kept.select(list(P.PROBLEM_SCHEMA))


def _with_records(found: pl.DataFrame, raw, codebook: Codebook) -> pl.DataFrame:
    """Each problem's record line (``_rec``: a YAML problem may stand at its field's
    line) and table (``_table``: the raw table that holds that record, else the one
    table its file is read for)."""
    if raw.field_lines:
        inverse = pl.DataFrame(
            [(f, line, k, rec) for (f, rec, k), line in raw.field_lines.items()],
            schema={"file": pl.String, "line": pl.Int64, "field": pl.String, "_rec": pl.Int64},
            orient="row",
        ).unique(["file", "line", "field"])
        found = found.join(inverse, on=["file", "line", "field"], how="left",
                           nulls_equal=True, maintain_order="left")
        found = found.with_columns(pl.coalesce("_rec", "line").alias("_rec"))
    else:
        found = found.with_columns(pl.col("line").alias("_rec"))
    where = found.select("file", "_rec").unique()
    records = [
        frame.select(pl.col("_file").alias("file"), pl.col("_line").alias("_rec"))
        .join(where, on=_KEY, how="semi").with_columns(pl.lit(name).alias("_table"))
        for name, frame in raw.tables.items() if not frame.is_empty()
    ]
    records = [r for r in records if not r.is_empty()]
    if records:
        found = found.join(pl.concat(records).unique(_KEY), on=_KEY, how="left",
                           maintain_order="left")
    else:
        found = found.with_columns(pl.lit(None, dtype=pl.String).alias("_table"))
    by_file = {f: ts[0] for f in found.get_column("file").drop_nulls().unique().to_list()
               if len(ts := file_tables(f, codebook, nested=False)) == 1}
    return found.with_columns(pl.coalesce(
        "_table", pl.col("file").replace_strict(by_file, default=None, return_dtype=pl.String)
    ).alias("_table"))


def file_tables(rel: str, codebook: Codebook, nested: bool = True) -> list[str]:
    """The tables the codebook reads from file ``rel`` (with, for YAML, the tables
    nested in its records)."""
    names = [t.name for t in codebook.tables.values() if t.location == rel]
    folder, name = os.path.split(rel)
    stem, suffix = os.path.splitext(name)
    if not names and folder == "annotations" and suffix in (".csv", ".yaml", ".yml"):
        table = codebook.table_for_file(stem)
        if table and not codebook.tables[table].location:
            names = [table]
    if nested and suffix in (".yaml", ".yml"):
        names += [t.name for t in codebook.tables.values()
                  if t.nested_in and t.nested_in["table"] in names]
    return names


def _same_value(found: pl.DataFrame) -> pl.DataFrame:
    """(follower, cause) pairs on one value: what a control character or a placeholder
    hides, and a formula-like start of a value another rule rejects."""
    cell = ["file", "_rec", "field"]
    allp = found.filter(pl.col("field").is_not_null()).select(*cell, "_id", "rule")
    masks = allp.filter(pl.col("rule").is_in(MASKS_ITS_VALUE)).rename(
        {"_id": "_cause", "rule": "_crule"})
    yields = allp.filter(pl.col("rule").is_in(YIELDS_ITS_VALUE))
    others = allp.filter(~pl.col("rule").is_in(YIELDS_ITS_VALUE)).rename(
        {"_id": "_cause", "rule": "_crule"})
    masked = allp.join(masks, on=cell).filter(pl.col("rule") != pl.col("_crule"))
    yielded = yields.join(others, on=cell)
    return pl.concat([masked.select("_id", "_cause"), yielded.select("_id", "_cause")]).select(
        "_id", "_cause", pl.lit(1).alias("_rank"))


def _same_record(found: pl.DataFrame, codebook: Codebook) -> pl.DataFrame:
    """(follower, cause) pairs: a rule read a field of its record whose value is rejected."""
    own = pl.DataFrame(
        [(rule, f) for rule, reads in READS.items() for f in _own_fields(reads, codebook)],
        schema={"rule": pl.String, "_reads": pl.String}, orient="row",
    )
    followers = found.join(own, on="rule").with_columns(
        pl.when(pl.col("_reads") == "*").then(pl.col("field")).otherwise(pl.col("_reads"))
        .alias("_reads"))
    causes = found.filter(pl.col("rule").is_in(REJECTS_VALUE)).select(
        "file", "_rec", pl.col("field").alias("_reads"), pl.col("_id").alias("_cause"),
        pl.col("rule").alias("_crule"))
    pairs = followers.join(causes, on=["file", "_rec", "_reads"]).filter(
        (pl.col("_id") != pl.col("_cause")) & (pl.col("rule") != pl.col("_crule")))
    return pairs.select("_id", "_cause", pl.lit(1).alias("_rank"))


def _own_fields(reads: dict, codebook: Codebook) -> tuple[str, ...]:
    """The fields of its record a rule reads, with the YAML keys under which the
    tables it reads nest in that record (a rule reading citations reads the
    event's ``citations:``)."""
    nested = tuple(codebook.tables[t].nested_in["key"] for t in reads.get("tables", {})
                   if codebook.tables[t].nested_in)
    return tuple(reads.get("own", ())) + nested


def _lost_tables(found: pl.DataFrame, raw, codebook: Codebook) -> pl.DataFrame:
    """(follower, cause) pairs: a rule read a table that a file could not be read
    for, or a field of another record whose value is rejected."""
    reads = _table_reads(found, raw, codebook)
    if reads.is_empty():
        return _no_edges()
    unread = _unread_files(found, raw, codebook)
    whole = reads.join(unread, on="_rtable").select("_id", "_cause", pl.lit(0).alias("_rank"))
    records = _ragged_lookups(reads, found, raw)
    causes = found.filter(pl.col("rule").is_in(REJECTS_VALUE)).select(
        pl.col("file").alias("_cfile"), pl.col("_rec").alias("_crec"),
        pl.col("_table").alias("_rtable"), pl.col("field").alias("_rfield"),
        pl.col("_id").alias("_cause"), pl.col("value").alias("_cvalue"))
    pairs = reads.join(causes, on=["_rtable", "_rfield"]).filter(pl.col("_id") != pl.col("_cause"))
    if pairs.is_empty():
        return pl.concat([whole, records])
    # the cause's record is the follower's if they link: the rejected value is the link
    # itself (read as the follower's once case and separators are set aside: 'US_NSC'
    # for 'us-nsc'), or the cause's record holds the follower's link value; when either
    # side's link is unknown (missing, or no link at all) it may be
    theirs = _values(pairs.select(pl.col("_cfile").alias("file"), pl.col("_crec").alias("_rec"),
                                  pl.col("_rtable").alias("_table"), "_link"), raw, at=True)
    pairs = pairs.join(theirs.rename({"file": "_cfile", "_rec": "_crec", "_table": "_rtable"}),
                       on=["_cfile", "_crec", "_rtable", "_link"], how="left", nulls_equal=True)
    pairs = pairs.with_columns(pl.when(pl.col("_rfield") == pl.col("_link"))
                               .then(pl.col("_cvalue")).otherwise(pl.col("_v")).alias("_theirs"))
    # a record whose link is missing links to nothing: no lookup can be known to mean it;
    # a cause at no record (a column the header lacks) is every record's
    linked = pairs.filter(pl.col("_at").is_null() | (pl.col("_theirs").is_not_null() & (
        pl.col("_link").is_null() | pl.col("_mine").is_null()
        | (_plain(pl.col("_theirs")) == _plain(pl.col("_mine"))))))
    return pl.concat([whole, records, linked.select("_id", "_cause", pl.lit(2).alias("_rank"))])


def _ragged_lookups(reads: pl.DataFrame, found: pl.DataFrame, raw) -> pl.DataFrame:
    """(follower, cause) pairs: a lookup into a table with a ragged row that may be the
    record it looks for (the row's cell at the link's column, as read, is the value
    looked up; a lookup by no link at all may mean any row)."""
    lost = found.filter(pl.col("rule").is_in(LOSES_A_RECORD)).select(
        "file", "line", pl.col("_table").alias("_rtable"), pl.col("_id").alias("_cause"))
    if lost.is_empty():
        return _no_edges()
    cells = pl.DataFrame(
        [(f, line, column, v) for (f, line), columns in raw.ragged_cells.items()
         for column, values in columns.items() for v in values],
        schema={"file": pl.String, "line": pl.Int64, "_link": pl.String, "_cell": pl.String},
        orient="row")
    pairs = reads.select("_id", "_rtable", "_link", "_mine").join(lost.drop("file", "line"),
                                                                   on="_rtable")
    unlinked = pairs.filter(pl.col("_link").is_null() | pl.col("_mine").is_null())
    matched = pairs.join(lost.join(cells, on=["file", "line"]).select("_cause", "_link", "_cell"),
                         on=["_cause", "_link"]).filter(
        _plain(pl.col("_cell")) == _plain(pl.col("_mine")))
    return pl.concat([unlinked.select("_id", "_cause"), matched.select("_id", "_cause")]).select(
        "_id", "_cause", pl.lit(2).alias("_rank"))


def _plain(value: pl.Expr) -> pl.Expr:
    return value.str.to_lowercase().str.replace_all(r"[^\p{L}\p{N}]+", "-").str.strip_chars("-")


def _table_reads(found: pl.DataFrame, raw, codebook: Codebook) -> pl.DataFrame:
    """Per problem of a rule that reads across records: each (table, field) it reads,
    the field that links them (``_link``) and the problem's own value of it (``_mine``:
    the ID it uses for unknown-reference, else its record's)."""
    rows = [(rule, None, t, f, spec[0] if spec else None) for rule, reads in READS.items()
            for t, spec in reads.get("tables", {}).items() for f in (spec or (None,))]
    rows += [("unknown-reference", f.name, f.ref_table, f.ref_field, f.ref_field)
             for t in codebook.tables.values() for f in t.fields if f.references]
    spec = pl.DataFrame(rows, schema={"rule": pl.String, "field": pl.String, "_rtable": pl.String,
                                      "_rfield": pl.String, "_link": pl.String}, orient="row")
    columns = ["_id", "rule", "file", "_rec", "_table", "value", "_rtable", "_rfield", "_link"]
    generic = found.join(spec.filter(pl.col("field").is_null()).drop("field"), on="rule")
    by_field = found.join(spec.filter(pl.col("field").is_not_null()), on=["rule", "field"])
    reads = pl.concat([generic.select(columns), by_field.select(columns)]).unique()
    if reads.is_empty():
        return reads
    mine = _values(reads.select("file", "_rec", "_table", "_link"), raw)
    reads = reads.join(mine, on=["file", "_rec", "_table", "_link"], how="left", nulls_equal=True)
    reads = _through(reads, raw)
    return reads.with_columns(
        pl.when(pl.col("rule") == "unknown-reference").then(pl.col("value"))
        .otherwise(pl.col("_v")).alias("_mine")).drop("_v")


def _through(reads: pl.DataFrame, raw) -> pl.DataFrame:
    """``_v`` of the reads that link through another table (``THROUGH``): one row per
    value the records linking them hold (an event's cited source IDs)."""
    out = [reads]
    for (rule, table), (via, key) in THROUGH.items():
        is_it = (pl.col("rule") == rule) & (pl.col("_rtable") == table)
        these = reads.filter(is_it)
        frame = raw.tables.get(via)
        if these.is_empty() or frame is None or key not in frame.columns:
            continue
        out[0] = out[0].filter(~is_it)
        keys = _values(these.select("file", "_rec", "_table", pl.lit(key).alias("_link")), raw)
        links = frame.select(pl.col(key).cast(pl.String).alias("_k"),
                             pl.col(these.get_column("_link")[0]).cast(pl.String).alias("_v"))
        found = these.drop("_v").join(keys.rename({"_v": "_k"}).drop("_link"),
                                      on=["file", "_rec", "_table"], how="left")
        out.append(found.join(links, on="_k", how="left").drop("_k").select(reads.columns))
    return pl.concat(out)


def _values(where: pl.DataFrame, raw, at: bool = False) -> pl.DataFrame:
    """(file, _rec, _table, _link, _v): the value of column ``_link`` in the raw record
    at file and line of table ``_table`` (None where there is none); with ``at``, also
    ``_at``, true where there is such a record."""
    where = where.unique()
    out = [where.head(0).with_columns(pl.lit(None, dtype=pl.String).alias("_v"))]
    for (table, link), group in where.group_by(["_table", "_link"]):
        frame = raw.tables.get(table)
        if frame is None or link is None or link not in frame.columns:
            continue
        values = frame.select(pl.col("_file").alias("file"), pl.col("_line").alias("_rec"),
                              pl.col(link).cast(pl.String).alias("_v")).unique(["file", "_rec"])
        out.append(group.join(values, on=["file", "_rec"]).select(out[0].columns))
    found = pl.concat(out)
    return found.with_columns(pl.lit(True).alias("_at")) if at else found


def _unread_files(found: pl.DataFrame, raw, codebook: Codebook) -> pl.DataFrame:
    """(table, cause): a file of the table has a problem of reading and gave no record
    (or, at a YAML syntax error, only those before it); the cause is that file's first
    problem."""
    read_from = {f for frame in raw.tables.values() if not frame.is_empty()
                 for f in frame.get_column("_file").unique().to_list()}
    rows = []
    for frame in raw.problems:
        lost = frame.filter(~pl.col("rule").is_in(NOT_A_TABLE_FILE))
        # a YAML file that stops at a syntax error gave only the records before it
        cut = set(lost.filter(pl.col("rule") == "yaml-syntax").get_column("file").to_list())
        for rel in lost.get_column("file").drop_nulls().unique().to_list():
            if rel not in read_from or rel in cut:
                rows += [(rel, t) for t in file_tables(rel, codebook)]
    files = pl.DataFrame(rows, schema={"file": pl.String, "_rtable": pl.String}, orient="row")
    first = found.sort("line", nulls_last=False).unique("file", keep="first").select(
        "file", pl.col("_id").alias("_cause"))
    # a table with no file at all: what is looked for in it is not there either
    missing = [(t, cause) for rel, cause in _missing(found) for t in file_tables(rel, codebook)]
    return pl.concat([
        files.unique().join(first, on="file").select("_rtable", "_cause"),
        pl.DataFrame(missing, schema={"_rtable": pl.String, "_cause": pl.UInt32}, orient="row"),
    ])


def _missing(found: pl.DataFrame) -> list[tuple[str, int]]:
    rows = found.filter(pl.col("rule") == "table-missing")
    return list(zip(rows.get_column("file").to_list(), rows.get_column("_id").to_list()))


def _misnamed(found: pl.DataFrame) -> pl.DataFrame:
    """(follower, cause) pairs: the file of a missing table under another name
    (``Actors.csv``) is that table's one cause, not a second one."""
    causes = found.filter(pl.col("rule") == "table-missing").select(
        pl.col("value").alias("file"), pl.col("_id").alias("_cause"))
    return found.filter(pl.col("rule").is_in(NOT_A_TABLE_FILE)).join(
        causes, on="file").select("_id", "_cause", pl.lit(0).alias("_rank"))


#: problems of a source file's bytes, the first the deeper cause: a re-encoded text
#: also has another sha256; a text whose bytes changed is not where a quote is looked
#: for (its closest passage is the changed text, not one to copy)
SOURCE_CHANGED = ("source-encoding", "source-hash")
QUOTES_IN_SOURCE = frozenset({"quote-not-found"})


def _changed_sources(found: pl.DataFrame, raw, codebook: Codebook) -> pl.DataFrame:
    """(follower, cause) pairs: a quote not found in a source whose file changed, and a
    source's sha256 that differs because its file was re-encoded."""
    sources = raw.tables.get("sources")
    location = codebook.tables["sources"].location if "sources" in codebook.tables else None
    changed = found.filter(pl.col("rule").is_in(SOURCE_CHANGED))
    if changed.is_empty() or sources is None or not location or not {
            "source_id", "file"} <= set(sources.columns):
        return _no_edges()
    folder = os.path.dirname(location)
    ids = sources.select(pl.col("_file").alias("file"), pl.col("_line").alias("_rec"),
                         pl.col("source_id").alias("_sid"),
                         (pl.lit(f"{folder}/" if folder else "") + pl.col("file")).alias("_seed"))
    # source-hash stands in the source's record, source-encoding in its file
    hashed = changed.filter(pl.col("rule") == "source-hash").join(ids, on=["file", "_rec"])
    encoded = changed.filter(pl.col("rule") == "source-encoding").join(
        ids.drop("file", "_rec").rename({"_seed": "file"}), on="file")
    causes = pl.concat([encoded.select("_id", "rule", "_sid"), hashed.select("_id", "rule", "_sid")]
                       ).with_columns(pl.col("rule").replace_strict(
                           {r: i for i, r in enumerate(SOURCE_CHANGED)}).alias("_order")
                       ).sort("_order").unique("_sid", keep="first", maintain_order=True)
    quotes = found.filter(pl.col("rule").is_in(QUOTES_IN_SOURCE))
    cited = _values(quotes.select("file", "_rec", "_table", pl.lit("source_id").alias("_link")), raw)
    quotes = quotes.join(cited.select("file", "_rec", "_table", pl.col("_v").alias("_sid")),
                         on=["file", "_rec", "_table"])
    followers = pl.concat([quotes.select("_id", "_sid"),
                           hashed.filter(pl.col("_sid").is_in(encoded.get_column("_sid").implode()))
                           .select("_id", "_sid")])
    return followers.join(causes.select(pl.col("_id").alias("_cause"), "_sid"), on="_sid").filter(
        pl.col("_id") != pl.col("_cause")).select("_id", "_cause", pl.lit(1).alias("_rank"))


def _pasted_twice(found: pl.DataFrame, raw, codebook: Codebook) -> pl.DataFrame:
    """(follower, cause) pairs: a nested record given twice because the record it is
    nested in is (a record pasted twice): its duplicate-row follows from that record's
    duplicate-id (the copy's: the one above it in its file, else the first)."""
    dup_rows = found.filter(pl.col("rule") == "duplicate-row")
    dup_ids = found.filter(pl.col("rule") == "duplicate-id")
    if dup_rows.is_empty() or dup_ids.is_empty():
        return _no_edges()
    out = []
    for name, table in codebook.tables.items():
        parent = table.nested_in["table"] if table.nested_in else None
        keys = codebook.tables[parent].primary_key if parent else ()
        if len(keys) != 1 or keys[0] not in table.primary_key:
            continue
        key = keys[0]
        rows = dup_rows.filter(pl.col("_table") == name)
        ids = dup_ids.filter((pl.col("_table") == parent) & (pl.col("field") == key))
        if rows.is_empty() or ids.is_empty():
            continue
        mine = _values(rows.select("file", "_rec", "_table", pl.lit(key).alias("_link")), raw)
        theirs = _values(ids.select("file", "_rec", "_table", pl.lit(key).alias("_link")), raw)
        rows = rows.join(mine.select("file", "_rec", "_v"), on=["file", "_rec"])
        ids = ids.join(theirs.select("file", "_rec", "_v"), on=["file", "_rec"]).select(
            "_v", pl.col("_id").alias("_cause"), pl.col("file").alias("_cf"),
            pl.col("line").alias("_cl"))
        pairs = rows.select("_id", "_v", "file", "line").join(ids, on="_v").with_columns(
            above=(pl.col("_cf") == pl.col("file")) & (pl.col("_cl") <= pl.col("line")))
        # the nearest above it; else the first in file order
        best = pairs.sort(["above", "_cf", "_cl"], descending=[True, False, False]).with_columns(
            pl.when("above").then(-pl.col("_cl")).otherwise(0).alias("_near")).sort(
            ["above", "_near"], descending=[True, False], maintain_order=True)
        out.append(best.unique("_id", keep="first", maintain_order=True).select("_id", "_cause"))
    if not out:
        return _no_edges()
    return pl.concat(out).select("_id", "_cause", pl.lit(1).alias("_rank"))


def _wrong_country(found: pl.DataFrame, raw):
    """(follower, cause) pairs, and cause -> its new hint: a location whose subdivision
    and coordinates agree with each other but not with its country has one wrong
    value, the country: its subdivision-country is the one problem, not also
    coordinates-country."""
    sub = found.filter(pl.col("rule") == "subdivision-country")
    coords = found.filter(pl.col("rule") == "coordinates-country")
    if sub.is_empty() or coords.is_empty():
        return _no_edges(), {}
    both = sub.select("_id", "file", "_rec", "_table").join(
        coords.select(pl.col("_id").alias("_other"), "file", "_rec"), on=["file", "_rec"])
    if both.is_empty():
        return _no_edges(), {}
    import polars_reverse_geocode as prg

    from geoevents.check.geography import alpha2_map

    where = both.select("file", "_rec", "_table")
    values = {f: _values(where.with_columns(pl.lit(f).alias("_link")), raw).select(
        "file", "_rec", pl.col("_v").alias(f)) for f in ("admin1", "lat", "lon")}
    for f in values.values():
        both = both.join(f, on=["file", "_rec"])
    both = both.with_columns(pl.col("lat", "lon").cast(pl.Float64, strict=False)).drop_nulls(
        ["lat", "lon", "admin1"])
    if both.is_empty():
        return _no_edges(), {}
    both = both.with_columns(_near=prg.find_closest_country(pl.col("lat"), pl.col("lon")))
    agree = both.filter(pl.col("admin1").str.split("-").list.first() == pl.col("_near"))
    alpha3 = {a2: a3 for a3, a2 in alpha2_map().items()}
    hints = {cause: (f"{admin1} and the coordinates both lie in {alpha3.get(near, near)}: "
                     f"the country is the one to correct (country: {alpha3.get(near, near)}?)")
             for cause, admin1, near in agree.select("_id", "admin1", "_near").iter_rows()}
    edges = agree.select(pl.col("_other").alias("_id"), pl.col("_id").alias("_cause"),
                         pl.lit(1).alias("_rank"))
    return edges, hints


#: problems of a field (or nested records) not there, which a misspelt name of it in the
#: same record (``stauts``, ``actor_idd``, ``citatons``) explains
ABSENT = frozenset({"missing-field", "quote-translation", "no-citation", "no-actor"})
RENAMED_SCORE = 80


def _renamed_fields(found: pl.DataFrame, raw, codebook: Codebook):
    """(follower, cause) pairs, and cause -> its new hint: an unknown field whose name is
    a near miss of a field its record lacks is the one problem ("rename it"), not also
    that field missing."""
    from rapidfuzz import fuzz

    unknown = found.filter(pl.col("rule") == "unknown-field")
    absent = found.filter(pl.col("rule").is_in(ABSENT))
    if unknown.is_empty() or absent.is_empty():
        return _no_edges(), {}
    pairs = absent.select("_id", "rule", "file", "_rec", "_table", "field").join(
        unknown.select(pl.col("_id").alias("_cause"), "file", "_rec",
                       pl.col("field").alias("_name")), on=["file", "_rec"])
    edges, hints = [], {}
    for follower, rule, table, field, cause, name in pairs.select(
            "_id", "rule", "_table", "field", "_cause", "_name").iter_rows():
        # what the follower finds absent: its field, or the key of the records it reads
        meant = [field] if rule in ("missing-field", "quote-translation") else list(
            _own_fields(READS.get(rule, {}), codebook))
        best = max(((fuzz.ratio(name, m), m) for m in meant if m and m != name), default=None)
        if best and best[0] >= RENAMED_SCORE and not _present(raw, table, follower, found, best[1]):
            edges.append((follower, cause, 1))
            hints[cause] = f"rename it to {best[1]}"
    frame = pl.DataFrame(edges, schema={"_id": pl.UInt32, "_cause": pl.UInt32, "_rank": pl.Int32},
                         orient="row")
    return frame, hints


def _present(raw, table: str | None, follower: int, found: pl.DataFrame, field: str) -> bool:
    """The follower's record has a value of ``field`` (it is not absent there)."""
    frame = raw.tables.get(table) if table else None
    if frame is None or field not in frame.columns:
        return False
    where = found.filter(pl.col("_id") == follower).select("file", "_rec", "_table",
                                                             pl.lit(field).alias("_link"))
    values = _values(where, raw).get_column("_v")
    return values.is_not_null().any()


def _no_edges() -> pl.DataFrame:
    return pl.DataFrame(schema={"_id": pl.UInt32, "_cause": pl.UInt32, "_rank": pl.Int32})


def _roots(edges: pl.DataFrame, found: pl.DataFrame) -> dict[int, int]:
    """follower -> the cause it is counted on: of its causes the strongest (an unread
    file, then a value of its record, then a value elsewhere), the first by file and
    line; a cause that follows from another passes its follow-ons on."""
    order = found.select("_id", "file", "line")
    best = edges.cast({"_rank": pl.Int32}).join(
        order.rename({"_id": "_cause"}), on="_cause").sort(
        ["_rank", "file", "line", "_cause"], nulls_last=True).unique("_id", keep="first")
    cause_of = dict(zip(best.get_column("_id").to_list(), best.get_column("_cause").to_list()))
    roots = {}
    for follower, first in cause_of.items():
        seen, cause = {follower}, first
        while cause in cause_of and cause not in seen:  # a cycle stops at the last new one
            seen.add(cause)
            cause = cause_of[cause]
        if cause != follower:
            roots[follower] = cause
    return roots


def _notes(elsewhere: pl.DataFrame) -> dict[int, str]:
    """cause -> what is appended to its message: how many follow-ons, of which rules,
    in which files."""
    notes = {}
    for (cause,), group in elsewhere.group_by(["_cause"], maintain_order=True):
        parts = []
        for (rule,), by_rule in group.group_by(["rule"], maintain_order=True):
            files = sorted({f or "(project)" for f in by_rule.get_column("file").to_list()})
            shown = ", ".join(files[:3]) + (f" and {len(files) - 3} more" if len(files) > 3 else "")
            parts.append(f"{by_rule.height} {rule} in {shown}")
        n = group.height
        notes[cause] = (f" (and {n} follow-on problem{'s' if n != 1 else ''} not shown until "
                        f"this is fixed: {'; '.join(parts)})")
    return notes
