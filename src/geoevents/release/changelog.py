"""CHANGELOG.md sections: a release needs one, and its date is the release date."""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

SECTION = re.compile(
    r"^## \[(?P<version>[^\]\n]+)\][ \t]*-[ \t]*(?P<date>[0-9]{4}-[0-9]{2}-[0-9]{2})[ \t]*$",
    re.MULTILINE,
)
#: a changelog is a page of prose, not a data file
MAX_BYTES = 8 * 1024 * 1024


class ChangelogError(ValueError):
    pass


def release_date(root: Path, version: str) -> dt.date:
    path = Path(root) / "CHANGELOG.md"
    if not os.path.lexists(path):
        raise ChangelogError("CHANGELOG.md is missing: add it with a section for the release")
    for m in SECTION.finditer(_read(path, Path(root))):
        if m["version"] == version:
            try:
                return dt.date.fromisoformat(m["date"])
            except ValueError:
                raise ChangelogError(
                    f"CHANGELOG.md: the date of [{version}] is not a real day: {m['date']}"
                ) from None
    raise ChangelogError(
        f"CHANGELOG.md has no section for {version}: add '## [{version}] - YYYY-MM-DD' "
        "with what changed (its date is the release date)"
    )


def _read(path: Path, root: Path) -> str:
    """The changelog's text: a regular file inside the project, bounded, UTF-8."""
    from geoevents import safefile

    data = safefile.read_bytes(path, root, MAX_BYTES)
    if isinstance(data, safefile.Refused):
        raise ChangelogError(f"CHANGELOG.md {data.message}")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ChangelogError(f"CHANGELOG.md is not UTF-8 (byte {exc.start})") from None


#: IDs listed by name in a drafted line; beyond that, a count
SHOWN = 20


def draft(changes: dict, version: str, date: str) -> str:
    """A CHANGELOG.md section from a change list, for the curator to edit: what was
    added, changed and removed, table by table, with the IDs."""
    from geoevents.release.changes import count

    kinds = {"added": [], "changed": [], "removed": []}
    for kind, heading in (("added", "added"), ("removed", "removed"), ("retyped", "changed")):
        fields = changes["fields"][kind]
        if fields:
            kinds[heading].append(f"{count(len(fields), 'fields')} {kind}: "
                                  f"{_ids([(f, None) for f in fields])}.")
    for table, t in sorted(changes["tables"].items(), key=lambda kv: (kv[0] != "events", kv[0])):
        for kind in ("added", "changed", "removed"):
            rows = t.get(kind) or []
            if not rows:
                continue
            if kind == "changed":
                ids = [(r["id"], ", ".join(sorted(r["fields"]))) for r in rows]
            else:
                ids = [(r, None) for r in rows]
            kinds[kind].append(f"{count(len(rows), table)}: {_ids(ids)}.")
    lines = [f"## [{version}] - {date}", ""]
    if changes.get("previous") is None:
        lines += ["First release.", ""]
    for kind in ("added", "changed", "removed"):
        if kinds[kind]:
            lines += [f"### {kind.capitalize()}", "", *(f"- {item}" for item in kinds[kind]), ""]
    if not any(kinds.values()):
        lines += ["No table changed.", ""]
    return "\n".join(lines)


def _ids(items: list[tuple[str, str | None]]) -> str:
    """`a`, `b` (date, status) and 3 more."""
    shown = ", ".join(f"`{i}`" + (f" ({detail})" if detail else "") for i, detail in items[:SHOWN])
    return shown + (f" and {len(items) - SHOWN} more" if len(items) > SHOWN else "")


def insert(root: Path, section: str, version: str) -> Path:
    """Put ``section`` into CHANGELOG.md, newest first: under [Unreleased] if there is
    one, else above the newest release; every other byte is kept. The file is
    replaced whole (a temporary file renamed over it), never written half-way."""
    path = Path(root) / "CHANGELOG.md"
    text = _read(path, Path(root)) if os.path.lexists(path) else "# Changelog\n\n"
    if any(m["version"] == version for m in SECTION.finditer(text)):
        raise ChangelogError(f"CHANGELOG.md already has a section for {version}")
    heads = [m.start() for m in re.finditer(r"^## \[", text, re.MULTILINE)]
    unreleased = re.search(r"^## \[Unreleased\][^\n]*$", text, re.MULTILINE | re.IGNORECASE)
    after = [h for h in heads if unreleased is None or h > unreleased.start()]
    if after:
        at = after[0]
    else:
        at = len(text)
        if not text.endswith("\n\n"):
            section = ("\n" if text.endswith("\n") else "\n\n") + section
    from geoevents import safefile

    new = (text[:at] + section.rstrip("\n") + "\n\n" + text[at:] if after
           else text[:at] + section)
    safefile.replace(path, new.encode("utf-8"))
    return path
