"""CHANGELOG.md sections: a release needs one, and its date is the release date."""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

from geoevents.release.changes import parse_version

#: a version's heading: ``## [1.2.0] - 2024-05-01`` (the rest of the line after ``]``)
HEADING = re.compile(r"^## \[(?P<version>[^\]\r\n]+)\](?P<rest>[^\r\n]*?)\r?$", re.MULTILINE)
DATED = re.compile(r"[ \t]*-[ \t]*(?P<date>[0-9]{4}-[0-9]{2}-[0-9]{2})[ \t]*")
FENCE = re.compile(r"^(```|~~~)[^\n]*\n.*?^\1[ \t]*\r?$", re.MULTILINE | re.DOTALL)
#: a changelog is a page of prose, not a data file
MAX_BYTES = 8 * 1024 * 1024
BOM = "\ufeff"
FILE_HINT = "CHANGELOG.md is a UTF-8 text file of the project (not a link, at most 8 MiB)"


class ChangelogError(ValueError):
    def __init__(self, message: str, hint: str = ""):
        super().__init__(message)
        self.hint = hint


def headings(text: str) -> list[re.Match]:
    """The version headings of a changelog, in file order, outside fenced code blocks."""
    fenced = [(m.start(), m.end()) for m in FENCE.finditer(text)]
    return [m for m in HEADING.finditer(text)
            if not any(a <= m.start() < b for a, b in fenced)]


def release_date(root: Path, version: str) -> dt.date:
    path = Path(root) / "CHANGELOG.md"
    if not os.path.lexists(path):
        raise ChangelogError("CHANGELOG.md is missing: add it with a section for the release",
                             "'geoevents changelog --write' drafts the section into a new file")
    for m in headings(_read(path, Path(root))):
        if m["version"] != version:
            continue
        dated = DATED.fullmatch(m["rest"])
        if not dated:
            raise ChangelogError(
                f"CHANGELOG.md: the heading of [{version}] has no date: {m[0].strip()!r}",
                f"write it '## [{version}] - YYYY-MM-DD' (a hyphen; the date is the release date)")
        try:
            return dt.date.fromisoformat(dated["date"])
        except ValueError:
            raise ChangelogError(
                f"CHANGELOG.md: the date of [{version}] is not a real day: {dated['date']}",
                "give the release date as YYYY-MM-DD") from None
    raise ChangelogError(
        f"CHANGELOG.md has no section for {version}: add '## [{version}] - YYYY-MM-DD' "
        "with what changed (its date is the release date)",
        "every release has its section in CHANGELOG.md; 'geoevents changelog --write' drafts it")


def _read(path: Path, root: Path) -> str:
    """The changelog's text: a regular file inside the project, bounded, UTF-8 (a BOM,
    if any, is kept: ``insert`` writes it back)."""
    from geoevents import safefile

    data = safefile.read_bytes(path, root, MAX_BYTES)
    if isinstance(data, safefile.Refused):
        raise ChangelogError(f"CHANGELOG.md {data.message}", FILE_HINT)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ChangelogError(f"CHANGELOG.md is not UTF-8 (byte {exc.start})", FILE_HINT) from None


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


#: characters of a key shown in a draft (a citation's key holds its quote)
KEY_CHARS = 100


def _code(text: str) -> str:
    """A key as a Markdown code span on one line: white space folded, long keys cut,
    and fenced with more backticks than it holds."""
    text = " ".join(str(text).split())
    if len(text) > KEY_CHARS:
        text = text[:KEY_CHARS - 1].rstrip() + "…"
    ticks = "`" * (max((len(r) for r in re.findall("`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


def _ids(items: list[tuple[str, str | None]]) -> str:
    """`a`, `b` (date, status) and 3 more."""
    shown = ", ".join(_code(i) + (f" ({detail})" if detail else "") for i, detail in items[:SHOWN])
    return shown + (f" and {len(items) - SHOWN} more" if len(items) > SHOWN else "")


def insert(root: Path, section: str, version: str) -> Path:
    """Put ``section`` into CHANGELOG.md in version order, newest first: above the first
    section of an older version (below ``[Unreleased]`` and any newer one), or at the
    end. Every other byte is kept (a BOM, the file's line ends); the file is replaced
    whole, never written half-way, and keeps its permissions."""
    from geoevents import safefile

    root = Path(root)
    path = root / "CHANGELOG.md"
    exists = os.path.lexists(path)
    if exists and not os.access(path, os.W_OK):
        raise ChangelogError("CHANGELOG.md is read-only: it is not replaced",
                             "make it writable (chmod u+w CHANGELOG.md), or paste the draft "
                             "that 'geoevents changelog' prints")
    text = _read(path, root) if exists else "# Changelog\n\n"
    bom = BOM if text.startswith(BOM) else ""
    text = text[len(bom):]
    found = headings(text)
    if any(m["version"] == version for m in found):
        raise ChangelogError(f"CHANGELOG.md already has a section for {version}",
                             "edit the section there, or draft another version")
    ours = parse_version(version)
    older = [m for m in found if _older(m["version"], ours)]
    newline = "\r\n" if "\r\n" in text else "\n"
    block = section.rstrip("\n").replace("\n", newline) + newline
    if older:
        at = older[0].start()
        new = text[:at] + block + newline + text[at:]
    else:
        end = text.rstrip("\r\n")
        new = (end + newline + newline if end else "") + block
    safefile.replace(path, (bom + new).encode("utf-8"))
    return path


def _older(heading: str, ours: tuple) -> bool:
    try:
        return parse_version(heading) < ours
    except ValueError:  # [Unreleased], or a heading that names no version
        return False
