"""Table-level rules: types, then pandera schemas generated from the codebook.

Raw string tables are cast to the codebook's types (a value that does not cast
is a ``type`` problem); the typed tables are then validated by one pandera
(polars backend) schema per table, built from the same codebook: required
fields, patterns, vocabularies and ISO code lists, bounds, lengths, uniqueness.
pandera's failure cases are mapped back to file, line and field.
"""

from __future__ import annotations

from functools import cache

import polars as pl

from geoevents import problems as P
from geoevents._pandera import pandera_polars, without_pandas
from geoevents.check import hints
from geoevents.codebook import Codebook, Field, Table

DTYPES = {
    "string": pl.String,
    "edtf": pl.String,
    "integer": pl.Int64,
    "number": pl.Float64,
    "boolean": pl.Boolean,
    "date": pl.Date,
    "list": pl.List(pl.String),
}

VOCABULARY_RULES = {
    "iso3166-1-alpha3": "country-code",
    "iso3166-2": "subdivision-code",
    "iso639-1": "language-code",
}

TRUE, FALSE = ["true", "yes"], ["false", "no"]


def cast(frame: pl.DataFrame, table: Table) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The table with typed columns, and a ``type`` problem for each value that did not cast."""
    casts, found = [], []
    for f in table.fields:
        expr = _cast_expr(pl.col(f.name), f.type)
        if expr is None:
            continue
        casts.append(expr.alias(f.name))
        bad = frame.filter(pl.col(f.name).is_not_null() & expr.is_null())
        found.append(
            P.from_frame(bad, "type", f.name, f"not {_type_words(f.type)}", hint=_type_hint(f.type))
        )
    return frame.with_columns(casts), P.combine(found)


def _cast_expr(col: pl.Expr, kind: str) -> pl.Expr | None:
    text = col.str.strip_chars()
    if kind == "integer":
        return text.cast(pl.Int64, strict=False)
    if kind == "number":
        return text.cast(pl.Float64, strict=False)
    if kind == "boolean":
        low = text.str.to_lowercase()
        return pl.when(low.is_in(TRUE)).then(True).when(low.is_in(FALSE)).then(False)
    if kind == "date":
        return pl.when(text.str.contains(r"^\d{4}-\d{2}-\d{2}$")).then(
            text.str.to_date("%Y-%m-%d", strict=False)
        )
    return None


def _type_words(kind: str) -> str:
    return {
        "integer": "a whole number",
        "number": "a number",
        "boolean": "true or false",
        "date": "a date (YYYY-MM-DD)",
    }[kind]


def _type_hint(kind: str) -> str:
    return {
        "integer": "write digits only, like 2013348",
        "number": "use a decimal point, like 43.1155",
        "boolean": "write true or false",
        "date": "write an existing day as YYYY-MM-DD, like 2023-09-13",
    }[kind]


# --- pandera ----------------------------------------------------------------


@cache
def _schema(codebook: Codebook, table_name: str, columns: tuple[str, ...]):
    """pandera schema of a table, with a rule code for each check, in check order."""
    pa = pandera_polars()
    table = codebook.tables[table_name]
    cols, rules = {}, {}
    for f in table.fields:
        if f.name not in columns or f.type == "list":
            continue
        checks, codes = _checks(pa, codebook, f)
        rules[f.name] = codes
        cols[f.name] = pa.Column(
            DTYPES[f.type], checks, nullable=not f.required, unique=f.unique, coerce=False
        )
    return pa.DataFrameSchema(cols, strict=False), rules


def _checks(pa, codebook: Codebook, f: Field) -> tuple[list, list[str]]:
    checks, codes = [], []
    pattern = codebook.pattern(f)
    if pattern:
        checks.append(pa.Check.str_matches(pattern))
        codes.append("pattern")
    allowed = codebook.vocabulary(f)
    if allowed is not None:
        checks.append(pa.Check.isin(allowed))
        codes.append(VOCABULARY_RULES.get(str(f.vocabulary), "vocabulary"))
    if f.minimum is not None or f.maximum is not None:
        lo = f.minimum if f.minimum is not None else float("-inf")
        hi = f.maximum if f.maximum is not None else float("inf")
        checks.append(pa.Check.in_range(lo, hi))
        codes.append("range")
    if f.max_length is not None:
        checks.append(pa.Check.str_length(max_value=f.max_length))
        codes.append("too-long")
    return checks, codes


def validate_table(frame: pl.DataFrame, table: Table, codebook: Codebook) -> pl.DataFrame:
    """Problems pandera finds in one typed table."""
    if frame.is_empty():
        return P.empty()
    pa = pandera_polars()
    columns = tuple(c for c in frame.columns if not c.startswith("_"))
    schema, rules = _schema(codebook, table.name, columns)
    with without_pandas():
        try:
            schema.validate(frame, lazy=True)
            return P.empty()
        except pa.errors.SchemaErrors as exc:
            failures = exc.failure_cases
    return _failures_to_problems(failures, frame, table, codebook, rules)


def _failures_to_problems(failures, frame, table, codebook, rules) -> pl.DataFrame:
    failures = failures.filter(pl.col("index").is_not_null() & pl.col("column").is_not_null())
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
    """Vocabulary problems in list fields (each element is checked)."""
    out = []
    for f in table.fields:
        allowed = codebook.vocabulary(f)
        if f.type != "list" or allowed is None or f.name not in frame.columns:
            continue
        items = frame.select("_file", "_line", pl.col(f.name)).explode(f.name)
        bad = items.filter(pl.col(f.name).is_not_null() & ~pl.col(f.name).is_in(allowed))
        out.append(
            P.from_frame(
                bad, "vocabulary", f.name,
                pl.format("{} is not in the vocabulary", pl.col(f.name)),
                hint=f"allowed: {', '.join(allowed)}",
            )
        )
    return P.combine(out)
