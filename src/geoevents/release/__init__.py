"""The build stage: validated annotations become a versioned, cited, checksummed release.

``build(root, version)`` validates, derives the release tables, writes every
file into a temporary folder inside ``dataset/`` and moves it into place in one
rename, then rewrites ``dataset/index.json`` from the releases present. A build
killed at any moment leaves either no release or a complete one, and an index
that lists only complete releases. The same inputs give byte-identical files:
nothing depends on the clock (the release date is the CHANGELOG's).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from geoevents.errors import EXIT_PROBLEMS, ProblemsFound
from geoevents.release import changelog, metadata, quality, timeline
from geoevents.release import changes as C
from geoevents.release.tables import TABLES, release_tables


class ReleaseError(ProblemsFound):
    """A release that may not be built, with what to do about it (exit 1, or ``exit_code``)."""

    def __init__(self, message: str, hint: str = "", problems: pl.DataFrame | None = None,
                 exit_code: int = EXIT_PROBLEMS):
        super().__init__(message, hint)
        self.problems, self.exit_code = problems, exit_code


@dataclass
class Built:
    version: str
    path: Path
    previous: str | None
    changes: dict = field(default_factory=dict)


def dataset_dir(root: Path) -> Path:
    return Path(root) / "dataset"


def published(root: Path) -> list[str]:
    """Versions with a complete release folder, oldest first."""
    folder = dataset_dir(root)
    if not folder.is_dir():
        return []
    found = []
    for p in folder.iterdir():
        if p.is_dir() and not p.name.startswith(".") and (p / "SHA256SUMS").is_file():
            try:
                found.append((C.parse_version(p.name), p.name))
            except ValueError:
                continue
    return [name for _, name in sorted(found)]


def read_release(folder: Path) -> dict[str, pl.DataFrame]:
    return {name: pl.read_parquet(folder / f"{name}.parquet") for name in TABLES
            if (folder / f"{name}.parquet").is_file()}


def build(root: Path | str, version: str, docs: Path | None = None,
          out: Path | None = None, previous: str | None = "latest") -> Built:
    """Build release ``version``; ``out`` writes elsewhere (for --check) and skips the index."""
    from geoevents import check

    root = Path(root)
    try:
        C.parse_version(version)
    except ValueError as exc:
        raise ReleaseError(str(exc), "versions are SemVer: MAJOR.MINOR.PATCH") from None
    target = Path(out) if out else dataset_dir(root) / version
    if out is None and (target.exists()):
        raise ReleaseError(f"dataset/{version} is already published and is never overwritten",
                           "choose the next version (see CHANGELOG.md)")
    versions = published(root)
    if out is None and versions and C.parse_version(version) <= C.parse_version(versions[-1]):
        raise ReleaseError(f"{version} is not greater than the previous release {versions[-1]}",
                           "releases only move forward: choose a higher version")
    try:
        date = changelog.release_date(root, version).isoformat()
    except changelog.ChangelogError as exc:
        raise ReleaseError(str(exc)) from None
    result = check.run(root)
    unchecked = result.problems.filter(pl.col("rule") == "unchecked")
    if result.errors.height or unchecked.height:
        raise ReleaseError(
            f"the annotations have {result.errors.height} error(s) and {unchecked.height} "
            "unchecked event(s): a release publishes only valid, checked data",
            "run 'geoevents validate --strict' and fix what it reports",
            problems=pl.concat([result.errors, unchecked]),
        )
    texts = _source_texts(root, result.tables["sources"])
    tables = release_tables(result.tables, result.codebook, texts)
    prev = _previous(root, version, previous)
    diff = _changes(root, prev, version, tables, result.tables["retired"])
    counts = None
    if prev:
        counts = {n: f.height for n, f in read_release(dataset_dir(root) / prev).items()}
    _write(target, version, date, tables, diff, result, counts, docs)
    if out is None:
        write_index(root)
    return Built(version, target, prev, diff)


def _previous(root: Path, version: str, previous: str | None) -> str | None:
    if previous != "latest":
        return previous
    older = [v for v in published(root) if C.parse_version(v) < C.parse_version(version)]
    return older[-1] if older else None


def _changes(root, prev, version, tables, retired) -> dict:
    if prev is None:
        empty = {n: t.clear() for n, t in tables.items()}
        diff = C.diff(empty, tables)
        return {"previous": None, "version": version, **diff}
    old = read_release(dataset_dir(root) / prev)
    diff = {"previous": prev, "version": version, **C.diff(old, tables)}
    gone = set(diff["tables"].get("events", {}).get("removed", []))
    retired_ids = set(retired.filter(pl.col("table") == "events").get_column("retired_id"))
    vanished = sorted(gone - retired_ids)
    if vanished:
        raise ReleaseError(
            f"event IDs of {prev} vanish without being retired: {', '.join(vanished)}",
            "published IDs are stable forever: restore them, or retire them in "
            "annotations/retired.csv with a reason (and the ID that replaces them)",
        )
    why = C.understated(prev, version, diff["required_bump"])
    if why:
        raise ReleaseError(why, f"fields: {diff['fields']}; build the version the change needs")
    return diff


def _source_texts(root: Path, sources: pl.DataFrame) -> dict[str, str]:
    return {
        r["source_id"]: (root / "seeds" / r["file"]).read_bytes().decode("utf-8", "replace")
        for r in sources.iter_rows(named=True)
    }


def _write(target, version, date, tables, diff, result, counts, docs) -> None:
    """Write every file into a temporary sibling folder, then rename it into place."""
    target.parent.mkdir(parents=True, exist_ok=True)
    _clean_leftovers(target.parent)
    tmp = Path(tempfile.mkdtemp(prefix=f".tmp-{version}-", dir=target.parent))
    try:
        for name, frame in tables.items():
            frame.write_parquet(tmp / f"{name}.parquet", compression="zstd", statistics=True)
            _csv(frame).write_csv(tmp / f"{name}.csv", date_format="%Y-%m-%d")
        curators = result.tables["curators"]
        report = quality.run(tables, result.codebook, counts, docs)
        if not report["success"]:
            raise ReleaseError("the data-quality suite failed: see the summary below",
                               metadata.dumps(report))
        _text(tmp / "quality.json", metadata.dumps(report))
        _text(tmp / "changes.json", metadata.dumps(diff))
        _text(tmp / "CITATION.cff", metadata.citation_cff(version, date, curators))
        _text(tmp / "README.md", metadata.release_readme(version, date, tables, diff, curators))
        timeline.draw(tables["events"], tmp / "timeline.png", f"geoevents {version}")
        package = metadata.datapackage(version, date, tables, tmp, result.codebook, curators)
        _text(tmp / "datapackage.json", metadata.dumps(package))
        _text(tmp / "SHA256SUMS", metadata.sha256sums(tmp))  # last: marks the folder complete
        _fsync_dir(tmp)
        if target.exists():
            if target.parent.name == "dataset":
                raise ReleaseError(f"dataset/{version} appeared while building; not overwritten")
            shutil.rmtree(target)
        os.rename(tmp, target)
        _fsync_dir(target.parent)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _csv(frame: pl.DataFrame) -> pl.DataFrame:
    lists = [c for c, t in frame.schema.items() if isinstance(t, pl.List)]
    return frame.with_columns(pl.col(c).list.join(";") for c in lists)


def _text(path: Path, text: str) -> None:
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _clean_leftovers(folder: Path) -> None:
    """Temporary folders of builds that were killed are removed."""
    for p in folder.glob(".tmp-*"):
        shutil.rmtree(p, ignore_errors=True)


def write_index(root: Path) -> Path:
    """dataset/index.json, rebuilt from the complete releases present (atomically)."""
    folder = dataset_dir(root)
    versions = []
    for v in published(root):
        sums = (folder / v / "SHA256SUMS").read_text(encoding="utf-8").splitlines()
        files = {line.split("  ", 1)[1]: line.split("  ", 1)[0] for line in sums if line}
        files["SHA256SUMS"] = metadata.sha256(folder / v / "SHA256SUMS")
        package = json.loads((folder / v / "datapackage.json").read_text(encoding="utf-8"))
        versions.append({"version": v, "date": package["created"][:10],
                         "files": dict(sorted(files.items()))})
    doc = {"name": "geoevents", "latest": versions[-1]["version"] if versions else None,
           "versions": versions}
    path = folder / "index.json"
    tmp = folder / ".index.json.tmp"
    _text(tmp, metadata.dumps(doc))
    os.replace(tmp, path)
    return path


def check_latest(root: Path | str) -> tuple[str, list[str]]:
    """Rebuild the latest release elsewhere; the files that differ byte for byte."""
    root = Path(root)
    versions = published(root)
    if not versions:
        raise ReleaseError("there is no release to check", "build one first: geoevents build 1.0.0")
    latest = versions[-1]
    previous = versions[-2] if len(versions) > 1 else None
    with tempfile.TemporaryDirectory(prefix="geoevents-check-") as tmp:
        out = Path(tmp) / latest
        build(root, latest, out=out, previous=previous)
        published_dir = dataset_dir(root) / latest
        names = sorted({p.name for p in out.iterdir()} | {p.name for p in published_dir.iterdir()})
        differing = [
            n for n in names
            if not (out / n).is_file() or not (published_dir / n).is_file()
            or (out / n).read_bytes() != (published_dir / n).read_bytes()
        ]
    return latest, differing
