"""The project file, geoevents.yaml: present, one record, and filled in.

Its fields are checked like any table's (types, patterns, the SPDX licence
list); these rules add what only a project file can get wrong: being absent,
and keeping the placeholders ``geoevents init`` wrote (a placeholder is one
problem, not also a pattern or vocabulary one: ``geoevents.check.cascades``).
"""

from __future__ import annotations

import polars as pl

from geoevents import problems as P
from geoevents.codebook import Codebook

#: how a value geoevents init wrote, and the curator has not replaced, begins
PLACEHOLDER = "TODO"


def check(project: pl.DataFrame, raw, codebook: Codebook) -> pl.DataFrame:
    table = codebook.tables["project"]
    if project.is_empty() and not raw.reported(table.location):
        return P.make([{
            "rule": "project-file", "file": table.location, "line": None,
            "message": f"the project has no project file {table.location} (or it is empty): "
                       "releases take their name, title, licence and URLs from it",
            "hint": f"write {table.location} (geoevents init writes one to fill in); its "
                    "fields are described in schemas/tables.yaml, table project",
        }])
    out = []
    for f in table.fields:
        if f.name not in project.columns:
            continue
        column = pl.col(f.name)
        if f.type == "list":
            hit = column.list.eval(pl.element().str.starts_with(PLACEHOLDER)).list.any()
            value = column.list.join("; ")
        elif f.type in ("string", "edtf"):
            hit, value = column.str.starts_with(PLACEHOLDER), column
        else:
            continue
        out.append(P.from_frame(
            project.filter(hit.fill_null(False)), "placeholder", f.name,
            f"{f.name} still holds the placeholder geoevents init wrote",
            f"replace it: {f.description}", value=value,
        ))
    return P.combine(out)


def distinct_checker(tables: dict[str, pl.DataFrame]) -> bool:
    """The review policy: must an event's checker differ from its annotator?"""
    project = tables["project"]
    if project.is_empty() or "distinct_checker" not in project.columns:
        return False
    return bool(project.get_column("distinct_checker").fill_null(False).any())
