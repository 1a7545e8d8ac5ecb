"""The project file, geoevents.yaml: present, one record, and filled in.

Its fields are checked like any table's (types, patterns, the SPDX licence
list); these rules add what only a project file can get wrong: being absent,
and keeping the placeholders ``geoevents init`` wrote. The same placeholder
rule covers the records ``geoevents source add`` appends to the sources file
(a placeholder is one problem, not also a type, date, pattern or vocabulary
one: ``geoevents.check.cascades``).
"""

from __future__ import annotations

import polars as pl

from geoevents import problems as P
from geoevents.codebook import Codebook

#: how a value geoevents init or source add wrote, and the curator has not replaced, begins
PLACEHOLDER = "TODO"


def check(project: pl.DataFrame, raw, codebook: Codebook) -> pl.DataFrame:
    table = codebook.tables["project"]
    found = placeholders(raw, codebook)
    if project.is_empty() and not raw.reported(table.location):
        return P.combine([found, P.make([{
            "rule": "project-file", "file": table.location, "line": None,
            "message": f"the project has no project file {table.location} (or it is empty): "
                       "releases take their name, title, licence and URLs from it",
            "hint": f"write {table.location} (geoevents init writes one to fill in); its "
                    "fields are described in schemas/tables.yaml, table project",
        }])])
    return found


#: the tables whose files geoevents writes placeholders into, and the command that does
PLACEHOLDER_TABLES = {"project": "geoevents init", "sources": "geoevents source add"}


def placeholders(raw, codebook: Codebook) -> pl.DataFrame:
    """Values still beginning with the placeholder a command wrote, field by field.

    Read from the raw tables (strings as written), so that a placeholder in a
    boolean or date field is seen too, not only its failed cast.
    """
    out = []
    for name, command in PLACEHOLDER_TABLES.items():
        frame = raw.tables.get(name)
        if frame is None or frame.is_empty() or name not in codebook.tables:
            continue
        for f in codebook.tables[name].fields:
            if f.name not in frame.columns:
                continue
            column = pl.col(f.name)
            if frame.schema[f.name] == pl.List(pl.String):
                hit = column.list.eval(pl.element().str.starts_with(PLACEHOLDER)).list.any()
                value = column.list.join("; ")
            elif frame.schema[f.name] == pl.String:
                hit, value = column.str.starts_with(PLACEHOLDER), column
            else:
                continue
            out.append(P.from_frame(
                frame.filter(hit.fill_null(False)), "placeholder", f.name,
                f"{f.name} still holds the placeholder {command} wrote",
                f"replace it: {_what_to_write(f, codebook)}", value=value,
            ))
    return P.combine(out)


#: a vocabulary of at most this many values is listed in the hint
MAX_LISTED = 12


def _what_to_write(f, codebook: Codebook) -> str:
    what = f.description.rstrip(".")
    allowed = codebook.vocabulary(f)
    if f.type == "boolean":
        return f"{what} (true or false)"
    if f.type == "edtf":
        return f"{what}; for example 2019-04-25, 2023-09, 2023, 2025-11~ or 2023?"
    if allowed is not None and len(allowed) <= MAX_LISTED:
        return f"{what}; one of: {', '.join(allowed)}"
    return f.description


def distinct_checker(tables: dict[str, pl.DataFrame]) -> bool:
    """The review policy: must an event's checker differ from its annotator?"""
    project = tables["project"]
    if project.is_empty() or "distinct_checker" not in project.columns:
        return False
    return bool(project.get_column("distinct_checker").fill_null(False).any())
