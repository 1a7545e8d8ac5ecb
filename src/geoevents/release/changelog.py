"""CHANGELOG.md sections: a release needs one, and its date is the release date."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

SECTION = re.compile(r"^## \[(?P<version>[^\]]+)\]\s*-\s*(?P<date>\d{4}-\d{2}-\d{2})\s*$", re.MULTILINE)


class ChangelogError(ValueError):
    pass


def release_date(root: Path, version: str) -> dt.date:
    path = Path(root) / "CHANGELOG.md"
    if not path.is_file():
        raise ChangelogError("CHANGELOG.md is missing: add it with a section for the release")
    for m in SECTION.finditer(path.read_text(encoding="utf-8")):
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
