"""What changed between two releases, and what version that change calls for.

SemVer for data: MAJOR when a field is removed, renamed or retyped; MINOR when
rows (events, actors, ...) or fields are added; PATCH for corrections only.
"""

from __future__ import annotations

import re

import polars as pl

LEVELS = {"patch": 0, "minor": 1, "major": 2}


def parse_version(text: str) -> tuple[int, int, int]:
    # [0-9], not \d: \d takes any script's digits, and '1٠.0.0' is no version
    m = re.fullmatch(r"(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)", text)
    if not m:
        raise ValueError(f"{text!r} is not a version MAJOR.MINOR.PATCH, like 1.0.0")
    return int(m[1]), int(m[2]), int(m[3])


def bump_level(old: str, new: str) -> str | None:
    """patch, minor or major; None when ``new`` is not greater than ``old``."""
    a, b = parse_version(old), parse_version(new)
    if b <= a:
        return None
    if b[0] > a[0]:
        return "major"
    return "minor" if b[1] > a[1] else "patch"


def schema_of(tables: dict[str, pl.DataFrame]) -> dict[str, dict[str, str]]:
    return {t: {c: str(dt) for c, dt in f.schema.items()} for t, f in tables.items()}


def diff(old: dict[str, pl.DataFrame], new: dict[str, pl.DataFrame],
         keys: dict[str, list[str]]) -> dict:
    """Rows added, removed and changed field by field, and fields added, removed, retyped.

    ``keys`` is each table's primary key (the codebook's, or the release's
    datapackage.json's); rows of a table without one are compared whole."""
    fields = _field_changes(schema_of(old), schema_of(new))
    tables = {}
    for name in sorted(set(old) | set(new)):
        # a table that joins (or leaves) the release: every row is added (or removed)
        before = old[name] if name in old else new[name].clear()
        after = new[name] if name in new else old[name].clear()
        tables[name] = _row_changes(before, after, keys.get(name, []))
    required = _required(fields, tables)
    return {"fields": fields, "tables": tables, "required_bump": required}


def _field_changes(old: dict, new: dict) -> dict:
    out = {"added": [], "removed": [], "retyped": []}
    for table in sorted(set(old) | set(new)):
        a, b = old.get(table, {}), new.get(table, {})
        out["added"] += [f"{table}.{c}" for c in b if c not in a]
        out["removed"] += [f"{table}.{c}" for c in a if c not in b]
        out["retyped"] += [f"{table}.{c}: {a[c]} -> {b[c]}" for c in a if c in b and a[c] != b[c]]
    return out


def _key(frame: pl.DataFrame, key: list[str]) -> pl.Expr:
    return pl.concat_str([pl.col(k).cast(pl.String) for k in key], separator=" | ")


def _row_changes(old: pl.DataFrame, new: pl.DataFrame, key: list[str]) -> dict:
    if not key:
        return {}
    a = old.with_columns(_key(old, key).alias("_k"))
    b = new.with_columns(_key(new, key).alias("_k"))
    old_ids, new_ids = set(a.get_column("_k")), set(b.get_column("_k"))
    common = [c for c in a.columns if c in b.columns and c != "_k"]
    changed = []
    if common:
        joined = a.select("_k", *common).join(b.select("_k", *common), on="_k", suffix="__new")
        for row in joined.sort("_k").iter_rows(named=True):
            fields = {
                c: {"old": _plain(row[c]), "new": _plain(row[f"{c}__new"])}
                for c in common if c not in key and row[c] != row[f"{c}__new"]
            }
            if fields:
                changed.append({"id": row["_k"], "fields": fields})
    return {
        "added": sorted(new_ids - old_ids),
        "removed": sorted(old_ids - new_ids),
        "changed": changed,
    }


def _plain(value):
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _required(fields: dict, tables: dict) -> str:
    if fields["removed"] or fields["retyped"]:
        return "major"
    if fields["added"] or any(t.get("added") for t in tables.values()):
        return "minor"
    return "patch"


def bump_reasons(changes: dict) -> str:
    """What changed, in words: '3 events added, 1 event changed, 1 field added (events.x)'."""
    parts = []
    for kind in ("removed", "retyped", "added"):
        fields = changes["fields"][kind]
        if fields:
            shown = ", ".join(f.split(":")[0] for f in fields[:5]) + (", ..." if len(fields) > 5 else "")
            parts.append(f"{count(len(fields), 'fields')} {kind} ({shown})")
    for table, t in sorted(changes["tables"].items(), key=lambda kv: (kv[0] != "events", kv[0])):
        for kind in ("added", "removed", "changed"):
            if t.get(kind):
                parts.append(f"{count(len(t[kind]), table)} {kind}")
    return ", ".join(parts) or "nothing changed"


def count(n: int, plural: str) -> str:
    """'1 event', '3 events', '2 errata rows': a table's name is its plural."""
    if plural.endswith("s"):
        return f"{n} {plural[:-1] if n == 1 else plural}"
    return f"{n} {plural} row{'s' * (n != 1)}"


def least_version(previous: str | None, required: str) -> str:
    """The smallest version after ``previous`` that the change allows (1.0.0 for a first)."""
    if previous is None:
        return "1.0.0"
    major, minor, patch = parse_version(previous)
    if required == "major":
        return f"{major + 1}.0.0"
    if required == "minor":
        return f"{major}.{minor + 1}.0"
    return f"{major}.{minor}.{patch + 1}"


def explain(changes: dict) -> str:
    """The bump a change needs, with its reasons: '3 events added: at least 1.2.0'."""
    previous = changes.get("previous")
    if previous is None:
        return f"first release ({bump_reasons(changes)}): any version, 1.0.0 by convention"
    least = least_version(previous, changes["required_bump"])
    return f"{bump_reasons(changes)} since {previous}: at least {least} ({changes['required_bump']})"


def understated(previous: str, version: str, required: str) -> str | None:
    """Why ``version`` understates the change from ``previous``, or None if it does not."""
    level = bump_level(previous, version)
    if level is None:
        return f"{version} is not greater than the previous release {previous}"
    if LEVELS[level] < LEVELS[required]:
        return (f"{version} is a {level} release but the change from {previous} needs a "
                f"{required} one")
    return None


def to_text(changes: dict) -> str:
    lines = [f"previous: {changes.get('previous')}  version: {changes.get('version')}",
             f"required bump: {changes['required_bump']}"]
    return "\n".join(lines + listing(changes))


def listing(changes: dict) -> list[str]:
    """One line per field and row added, removed or changed."""
    lines = []
    for kind in ("added", "removed", "retyped"):
        for f in changes["fields"][kind]:
            lines.append(f"field {kind}: {f}")
    for table, t in changes["tables"].items():
        for i in t.get("added", []):
            lines.append(f"{table}: added {i}")
        for i in t.get("removed", []):
            lines.append(f"{table}: removed {i}")
        for c in t.get("changed", []):
            for field, v in c["fields"].items():
                lines.append(f"{table}: {c['id']}: {field}: {v['old']!r} -> {v['new']!r}")
    return lines
