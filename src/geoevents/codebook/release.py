"""What the codebook says about a release: its tables, columns, keys and checks.

The build writes, and the loader and the change list read, only what is
generated here from ``schemas/``: the published tables (``release_tables``),
each table's columns in their order with their Parquet types, the
datapackage.json schema of each table (types, descriptions, constraints, primary
and foreign keys) and the field-level expectations of the release's quality
suite. Nothing in ``release/`` keeps a copy.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from geoevents.codebook import (
    CODE_LISTS,
    LIST_TYPES,
    LOCALIZED,
    Codebook,
    Field,
    Table,
    polars_dtype,
)

#: added to the description of a list column: how CSV writes it
LIST_NOTE = " In CSV, values are separated by ';'."


def columns(table: Table, present: list[str] | tuple[str, ...] = ()) -> list[Field]:
    """The release columns of ``table``: its fields and derived columns in codebook
    order, then the localized variants (``name_zh`` ...) the annotations use, sorted."""
    out = list(table.columns)
    bases = {f.name: f for f in table.fields if f.localized}
    for name in sorted(present):
        m = LOCALIZED.match(name)
        if m and m["base"] in bases and table.column(name) is None:
            out.append(_localized(bases[m["base"]], name, m["lang"]))
    return out


def _localized(base: Field, name: str, lang: str) -> Field:
    return replace(base, name=name, required=False, unique=False, localized=False,
                   description=f"{base.name} as sources in '{lang}' write it.")


def schema(table: Table, present=()) -> dict:
    """Column name -> polars type of the release table (what Parquet stores)."""
    return {f.name: polars_dtype(f.type) for f in columns(table, present)}


@dataclass(frozen=True)
class ForeignKey:
    field: str
    table: str
    target: str


def foreign_keys(codebook: Codebook, name: str) -> list[ForeignKey]:
    """The references of a published table to published tables (an unpublished
    target, like curators, cannot be resolved inside the release)."""
    return [ForeignKey(f.name, f.ref_table, f.ref_field) for f in codebook.tables[name].fields
            if f.references and f.ref_table in codebook.release_tables]


def datapackage_schema(codebook: Codebook, name: str, present=()) -> dict:
    """The Table Schema of a published table (Frictionless), from the codebook."""
    table = codebook.tables[name]
    fields = []
    for f in columns(table, present):
        field = {"name": f.name, "type": _frictionless_type(f.type),
                 "description": f.description + (LIST_NOTE if f.type in LIST_TYPES else "")}
        constraints = _constraints(codebook, f)
        if constraints:
            field["constraints"] = constraints
        fields.append(field)
    out = {"fields": fields, "primaryKey": list(table.primary_key), "missingValues": [""]}
    fks = [{"fields": k.field, "reference": {"resource": "" if k.table == name else k.table,
                                              "fields": k.target}}
           for k in foreign_keys(codebook, name)]
    if fks:
        out["foreignKeys"] = fks
    return out


def _frictionless_type(kind: str) -> str:
    return {"integer": "integer", "number": "number", "boolean": "boolean",
            "date": "date"}.get(kind, "string")


def _constraints(codebook: Codebook, f: Field) -> dict:
    """Frictionless constraints of a column. Code lists (ISO, SPDX) are left to the
    description: thousands of enum values would swamp the file."""
    out = {}
    if f.required:
        out["required"] = True
    if f.unique:
        out["unique"] = True
    if f.type != "list" and f.vocabulary is not None and f.vocabulary not in CODE_LISTS:
        out["enum"] = codebook.vocabulary(f)
    return out | codebook.keywords(f)


@dataclass(frozen=True)
class Expectation:
    """One expectation of the quality suite, independent of great-expectations:
    ``kind`` is the GX class name, ``kwargs`` its arguments."""

    table: str
    kind: str
    kwargs: dict


def expectations(codebook: Codebook) -> list[Expectation]:
    """The field-level expectations of every published table, from its constraints."""
    out = []
    for name in codebook.release_tables:
        table = codebook.tables[name]
        if len(table.primary_key) > 1:
            out.append(Expectation(name, "ExpectCompoundColumnsToBeUnique",
                                   {"column_list": list(table.primary_key)}))
        for f in table.columns:
            out += [Expectation(name, kind, {"column": f.name, **kwargs})
                    for kind, kwargs in _field_expectations(codebook, f)]
    return out


def _non_capturing(pattern: str) -> str:
    """The pattern with its groups made non-capturing: the suite matches with pandas'
    str.contains, which warns about (and has no use for) capturing groups. A '(' that
    is escaped or inside a character class is left as it is."""
    out, i, in_class = [], 0, False
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            out.append(pattern[i:i + 2])
            i += 2
            continue
        if in_class:
            in_class = c != "]" or pattern[i - 1] == "[" or pattern[i - 2:i] == "[^"
        elif c == "[":
            in_class = True
        elif c == "(" and pattern[i + 1:i + 2] != "?":
            c = "(?:"
        out.append(c)
        i += 1
    return "".join(out)


def _field_expectations(codebook: Codebook, f: Field) -> list[tuple[str, dict]]:
    out = []
    if f.unique:
        out.append(("ExpectColumnValuesToBeUnique", {}))
    if f.required:
        out.append(("ExpectColumnValuesToNotBeNull", {}))
    if f.type != "list" and f.vocabulary is not None:
        out.append(("ExpectColumnValuesToBeInSet", {"value_set": sorted(codebook.vocabulary(f))}))
    pattern = codebook.pattern(f)
    if pattern:
        out.append(("ExpectColumnValuesToMatchRegex", {"regex": _non_capturing(pattern)}))
    if f.minimum is not None or f.maximum is not None:
        out.append(("ExpectColumnValuesToBeBetween",
                    {"min_value": f.minimum, "max_value": f.maximum}))
    if f.max_length is not None:
        out.append(("ExpectColumnValueLengthsToBeBetween",
                    {"min_value": 1 if f.required else 0, "max_value": f.max_length}))
    return out
