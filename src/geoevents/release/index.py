"""``dataset/index.json``: the commit record of the releases, and the trust anchor.

A version is published when, and only when, the index lists it. Each entry
records the sha256 and the size of every file of its folder; those values are
written once, when the version is built, and carried forward verbatim by every
later build: they are never recomputed from the folders, so a release that is
tampered with (even with a matching ``SHA256SUMS``) is found, not blessed.

A build commits in this order, and a kill at any point leaves a state the next
build understands:

1. files are written into ``dataset/.tmp-<version>-*`` (removed by the next build);
2. the new entry is written to ``dataset/.pending.json`` (the journal);
3. the temporary folder is renamed to ``dataset/<version>``;
4. the index is rewritten with the new entry (atomically, by rename);
5. the journal is removed.

A folder that the index does not list is finished (added to the index) only when
it matches the journal byte for byte; any other unlisted folder stops the build.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from geoevents import loading
from geoevents.errors import EnvironmentFailure, TamperedRelease

INDEX = "index.json"
JOURNAL = ".pending.json"
LOCK = ".build.lock"


#: the largest index.json (and journal) read: the loader's limit, one for both
MAX_BYTES = loading.INDEX_CAP


class CorruptIndex(EnvironmentFailure):
    """index.json (or the journal) cannot be read as the record of releases."""


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def entry_for(folder: Path, version: str, date: str) -> dict:
    """The index entry of a folder that this build has just written (never of an old one)."""
    files = sorted(p for p in folder.iterdir() if p.is_file())
    return {
        "version": version,
        "date": date,
        "files": {p.name: file_sha256(p) for p in files},
        "bytes": {p.name: p.stat().st_size for p in files},
    }


def read(dataset: Path) -> dict:
    """The index as a dict (an empty record when there is none yet); CorruptIndex if unreadable.

    Read and checked by the loader's reader, so that the build and ``load()`` agree
    on what an index is (a regular file of at most 16 MiB, SemVer versions listed
    once, plain file names, sha256 hashes, sizes).
    """
    path = Path(dataset) / INDEX
    if not os.path.lexists(path):
        return {"name": None, "latest": None, "versions": []}
    try:
        return loading.read_index_file(path)
    except loading.DataError as exc:
        raise CorruptIndex(exc.message, _restore_hint(path)) from None


def _json(path: Path):
    from geoevents import safefile

    data = safefile.read_bytes(path, Path(path).parent.parent, MAX_BYTES)
    if isinstance(data, safefile.Refused):
        raise CorruptIndex(f"{path} {data.message}", _restore_hint(path))
    try:
        return json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise CorruptIndex(f"{path} is not valid JSON ({str(exc)[:120]})",
                           _restore_hint(path)) from None


def _restore_hint(path: Path) -> str:
    return (f"restore {path.name} from version control (git checkout -- {path}); "
            "it is the record of what was published and is never rebuilt from the folders")


def versions(doc: dict) -> list[str]:
    return [e["version"] for e in doc["versions"]]


def entry(doc: dict, version: str) -> dict | None:
    return next((e for e in doc["versions"] if e["version"] == version), None)


def differences(folder: Path, entry: dict) -> list[str]:
    """How a release folder differs from its index entry (empty when it is intact)."""
    if folder.is_symlink():
        return [f"the folder {folder.name}/ is a symbolic link, not the release itself"]
    if not folder.is_dir():
        return [f"the folder {folder.name}/ is missing"]
    found = {p.name: p for p in folder.iterdir()}
    out = []
    for name, digest in sorted(entry["files"].items()):
        path = found.get(name)
        if path is None:
            out.append(f"{name} is missing")
        elif path.is_symlink() or not path.is_file():
            out.append(f"{name} is not a regular file (a link or a folder)")
        elif name in entry.get("bytes", {}) and path.stat().st_size != entry["bytes"][name]:
            out.append(f"{name} has {path.stat().st_size} bytes, the index records "
                       f"{entry['bytes'][name]}")
        elif file_sha256(path) != digest:
            out.append(f"{name} has another sha256 than the index records")
    out += [f"{name} is not in the index" for name in sorted(set(found) - set(entry["files"]))]
    return out


def verify_all(dataset: Path, doc: dict) -> None:
    """TamperedRelease if any published folder differs from its entry."""
    for e in doc["versions"]:
        diffs = differences(Path(dataset) / e["version"], e)
        if diffs:
            raise TamperedRelease(
                f"dataset/{e['version']} differs from its entry in index.json: "
                + "; ".join(diffs[:5]) + (" ..." if len(diffs) > 5 else ""),
                f"a published release is never changed: restore dataset/{e['version']}/ from "
                "version control (git checkout -- dataset/); corrections go in a new version",
            )


def write(dataset: Path, doc: dict) -> Path:
    """Write the index atomically (temporary file, fsync, rename)."""
    path = Path(dataset) / INDEX
    latest = doc["versions"][-1]["version"] if doc["versions"] else None
    doc = {"name": doc.get("name"), "latest": latest, "versions": doc["versions"]}
    _atomic_json(path, doc)
    return path


def _atomic_json(path: Path, doc: dict) -> None:
    """Write ``path`` whole, by rename from a temporary file created anew (safefile)."""
    from geoevents import safefile

    safefile.replace(path, (json.dumps(doc, ensure_ascii=False, indent=2) + "\n").encode("utf-8"),
                     0o644)
    fsync_dir(path.parent)


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_journal(dataset: Path, entry: dict) -> None:
    _atomic_json(Path(dataset) / JOURNAL, entry)


def read_journal(dataset: Path) -> dict | None:
    path = Path(dataset) / JOURNAL
    if not path.exists():
        return None
    doc = _json(path)
    return doc if isinstance(doc, dict) and not loading.entry_problem(doc) else None


def drop_journal(dataset: Path) -> None:
    path = Path(dataset) / JOURNAL
    if os.path.lexists(path):
        path.unlink()
        fsync_dir(path.parent)
