"""References: every ID a table uses is defined in the table it names."""

from __future__ import annotations

import polars as pl

from geoevents import problems as P
from geoevents.check.hints import reference_hints
from geoevents.codebook import Codebook


def check(tables: dict[str, pl.DataFrame], codebook: Codebook) -> pl.DataFrame:
    """Undefined IDs. Those naming a table whose file could not be read (or stops at a
    syntax error) are folded under that cause by ``geoevents.check.cascades``."""
    out = []
    for table in codebook.tables.values():
        frame = tables[table.name]
        for f in table.fields:
            if not f.references or f.name not in frame.columns:
                continue
            known = tables[f.ref_table].get_column(f.ref_field).drop_nulls()
            bad = _undefined(frame, f.name, known)
            if bad.is_empty():
                continue
            choices = known.unique(maintain_order=True).to_list()
            values = bad.get_column(f.name).unique(maintain_order=True).to_list()
            target = codebook.tables[f.ref_table]
            hints = (reference_hints(values, tables[f.ref_table], f.ref_field, target)
                     if choices else dict.fromkeys(values, f"{f.ref_table} is empty"))
            out.append(
                P.from_frame(
                    bad, "unknown-reference", f.name,
                    pl.format("{} is not defined in " + f.ref_table, pl.col(f.name)),
                    pl.col(f.name).replace_strict(hints, return_dtype=pl.String),
                )
            )
    return P.combine(out)


def _undefined(frame: pl.DataFrame, column: str, known: pl.Series) -> pl.DataFrame:
    """Rows whose ``column`` is set but not among ``known`` (an anti-join: with a
    million IDs on both sides it is several times faster than ``is_in``)."""
    used = frame.filter(pl.col(column).is_not_null())
    return used.join(known.alias(column).to_frame(), on=column, how="anti", maintain_order="left")


def missing_tables(root, problems: pl.DataFrame, codebook: Codebook) -> pl.DataFrame:
    """A table other tables refer to that has no file at all (renamed, deleted): one
    problem naming the file, not one per ID that is then undefined (those are folded
    under it by ``geoevents.check.cascades``)."""
    from pathlib import Path

    root = Path(root)
    undefined = problems.filter(pl.col("rule") == "unknown-reference")
    if undefined.is_empty():
        return P.empty()
    rows = []
    for name, table in codebook.tables.items():
        fields = {f.name for t in codebook.tables.values() for f in t.fields
                  if f.references and f.ref_table == name}
        n = undefined.filter(pl.col("field").is_in(fields)
                             & pl.col("message").str.ends_with(f" is not defined in {name}")).height
        if not n or _has_file(root, name, codebook):
            continue
        rel = table.location or f"annotations/{name}{_suffix(name, codebook)}"
        near = _near_miss(root, rel)
        rows.append({
            "rule": "table-missing", "file": rel, "line": None, "value": near,
            "message": (f"table {name} has no file: {rel} is missing, and {n} value(s) "
                        "refer to it"),
            "hint": (f"{near} is not read under that name: rename it {rel}" if near else
                     f"restore {rel} (it defines the {name} the other tables name)"),
        })
    return P.make(rows)


def _has_file(root, name: str, codebook: Codebook) -> bool:
    """Some file is there for table ``name`` (read or not): its location, an annotation
    file named after it, or a file of the table it nests in."""
    import os

    table = codebook.tables[name]
    if table.location:
        return os.path.lexists(root / table.location)
    if table.nested_in and _has_file(root, table.nested_in["table"], codebook):
        return True
    try:
        entries = [e.name for e in (root / "annotations").iterdir()]
    except OSError:
        return False
    return any(codebook.table_for_file(os.path.splitext(e)[0]) == name
               and os.path.splitext(e)[1] in (".csv", ".yaml", ".yml") for e in entries)


def _suffix(name: str, codebook: Codebook) -> str:
    """A table with nested tables is written as YAML; others as CSV."""
    nests = any(t.nested_in and t.nested_in["table"] == name for t in codebook.tables.values())
    return ".yaml" if nests else ".csv"


def _near_miss(root, rel: str) -> str | None:
    """The file beside where ``rel`` should be whose name is closest to it (another
    case, a letter more or less, another suffix), if one is close."""
    import os

    from rapidfuzz import fuzz

    folder, name = os.path.split(rel)
    stem = os.path.splitext(name)[0].lower()
    try:
        entries = sorted(e.name for e in (root / folder).iterdir() if e.is_file())
    except OSError:
        return None
    scored = [(fuzz.ratio(stem, os.path.splitext(e)[0].lower()), e) for e in entries
              if e != name and not e.lower().endswith(".md")]
    best = max(scored, default=None)
    return f"{folder}/{best[1]}" if best and best[0] >= 80 else None
