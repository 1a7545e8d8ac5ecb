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
