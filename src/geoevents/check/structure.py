"""Table-level rules: types, then pandera schemas generated from the codebook.

Raw string tables are cast to the codebook's types (a value that does not cast
is a ``type`` problem); the typed tables are then validated by one pandera
(polars backend) schema per table, built from the same codebook: required
fields, patterns, vocabularies and ISO code lists, bounds, lengths, uniqueness.
pandera's failure cases are mapped back to file, line and field.
"""

from __future__ import annotations

import polars as pl

from geoevents import problems as P
from geoevents.check import hints
from geoevents.codebook import Codebook, Table
from geoevents.codebook.pandera import pandera_polars, table_schema, without_pandas

# --- pandera ---------------------------------------------------------------


def validate_table(frame: pl.DataFrame, table: Table, codebook: Codebook) -> pl.DataFrame:
    """Problems pandera finds in one typed table."""
    if frame.is_empty():
        return P.empty()
    pa = pandera_polars()
    columns = tuple(c for c in frame.columns if not c.startswith("_"))
    schema, rules = table_schema(codebook, table.name, columns)
    with without_pandas():
        try:
            schema.validate(frame, lazy=True)
            return P.empty()
        except pa.errors.SchemaErrors as exc:
            failures = exc.failure_cases
    return _failures_to_problems(failures, frame, table, codebook, rules)


def _failures_to_problems(failures, frame, table, codebook, rules) -> pl.DataFrame:
    failures = failures.filter(pl.col("index").is_not_null() & pl.col("column").is_not_null())
    # pandera counts missing values as equal: a missing ID is missing-field, not a duplicate
    failures = failures.filter(~((pl.col("check") == "field_uniqueness")
                                 & pl.col("failure_case").is_null()))
    rule = (
        pl.when(pl.col("check") == "not_nullable").then(pl.lit("missing-field"))
        .when(pl.col("check") == "field_uniqueness").then(pl.lit("duplicate-id"))
        .otherwise(pl.col("_rule"))
    )
    codes = pl.DataFrame(
        [(c, i, r) for c, rs in rules.items() for i, r in enumerate(rs)],
        schema={"column": pl.String, "check_number": pl.Int32, "_rule": pl.String},
        orient="row",
    )
    located = (
        failures.join(codes, on=["column", "check_number"], how="left")
        .with_columns(rule.alias("rule"))
        .join(
            frame.select("_file", "_line").with_row_index("index").with_columns(
                pl.col("index").cast(pl.Int32)
            ),
            on="index",
            how="left",
        )
    )
    out = []
    for (code, column), group in located.group_by(["rule", "column"], maintain_order=True):
        f = table.field(column)
        messages = hints.for_rule(code, f, group.get_column("failure_case"), codebook, frame)
        group = group.join(messages, on="failure_case", how="left", nulls_equal=True)
        out.append(
            P.from_frame(
                group, code, column, pl.col("_message"), pl.col("_hint"),
                value=pl.col("failure_case"),
            )
        )
    return P.combine(out)


def list_vocabularies(frame: pl.DataFrame, table: Table, codebook: Codebook) -> pl.DataFrame:
    """List fields, element by element: no element holds ';' (the release's CSV
    separator), none is named twice, each is in the vocabulary; a required list holds
    at least one."""
    out = []
    for f in table.fields:
        if f.type != "list" or f.name not in frame.columns:
            continue
        if f.required:
            empty = frame.filter(pl.col(f.name).list.len().fill_null(0) == 0)
            out.append(P.from_frame(empty, "missing-field", f.name,
                                    f"{f.name} is required and has no value",
                                    f"give at least one: {f.description}",
                                    value=pl.lit(None, dtype=pl.String)))
        item = pl.col(f.name)
        items = frame.select("_file", "_line", item).explode(f.name)
        joined = item.str.contains(";", literal=True).fill_null(False)
        out.append(P.from_frame(items.filter(joined), "type", f.name,
                                pl.format("{} holds ';', which separates the values of a "
                                          "list in the release's CSV", item),
                                "write each value as its own item of the list", value=item))
        # a value named twice in one list: one problem per value repeated
        repeated = (items.filter(item.is_not_null())
                    .group_by("_file", "_line", f.name, maintain_order=True).len()
                    .filter(pl.col("len") > 1))
        out.append(P.from_frame(repeated, "list-duplicate", f.name,
                                pl.format("{} names {} {} times", pl.lit(f.name), item,
                                          pl.col("len")),
                                "name each value once", value=item))
        allowed = codebook.vocabulary(f)
        if allowed is not None:  # an element holding ';' is a type problem only
            bad = items.filter(item.is_not_null() & ~item.is_in(allowed) & ~joined)
            if bad.is_empty():
                continue
            # one hint per distinct value, not per row
            values = bad.get_column(f.name).unique(maintain_order=True).to_list()
            suggested = hints.vocabulary_hints(values, allowed)
            out.append(P.from_frame(bad, "vocabulary", f.name,
                                    pl.format("{} is not in the vocabulary", item),
                                    hint=item.replace_strict(suggested, return_dtype=pl.String)))
    return P.combine(out)


def blank_required(frame: pl.DataFrame, table: Table) -> pl.DataFrame:
    """A required text field holding only white space (`""`, `"   "`) is missing: a
    quoted empty value is no value."""
    out = []
    for f in table.fields:
        if not f.required or f.name not in frame.columns or frame.schema[f.name] != pl.String:
            continue
        blank = frame.filter(pl.col(f.name).is_not_null()
                             & (pl.col(f.name).str.strip_chars() == ""))
        out.append(P.from_frame(blank, "missing-field", f.name,
                                f"{f.name} is required and holds only white space",
                                f"give its value: {f.description}",
                                value=pl.lit(None, dtype=pl.String)))
    return P.combine(out)
