"""CHANGELOG.md sections: a release needs one, and its date is the release date."""

from __future__ import annotations

import datetime as dt
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
    if not path.is_file():
        raise ChangelogError("CHANGELOG.md is missing: add it with a section for the release")
    for m in SECTION.finditer(_read(path)):
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


def _read(path: Path) -> str:
    if path.stat().st_size > MAX_BYTES:
        raise ChangelogError(f"CHANGELOG.md is larger than {MAX_BYTES // 2**20} MiB")
    try:
        return path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ChangelogError(f"CHANGELOG.md is not UTF-8 (byte {exc.start})") from None
