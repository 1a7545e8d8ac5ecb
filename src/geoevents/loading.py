"""The load stage: releases as polars DataFrames, offline or downloaded and verified.

The latest release ships inside the package, so ``load()`` works offline right
after installation. Other versions are downloaded on demand from a base URL
laid out like ``dataset/`` (``{base}/index.json``, ``{base}/{version}/{file}``),
verified against the sha256 values of the shipped ``index.json`` and cached.
Downloads go through pooch: a file is written to a temporary name and moved into
place only once its hash matches, so nothing half-written or corrupt is kept.
"""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path

import polars as pl

from geoevents.errors import EXIT_USAGE, EnvironmentFailure

DEFAULT_URL = "https://github.com/geoevents/geoevents/raw/main/dataset"
TABLES = ("events", "event_actors", "citations", "actors", "locations", "sources", "errata")

PACKAGED = Path(__file__).parent / "_dataset"
REPO = Path(__file__).resolve().parents[2] / "dataset"


class DataError(EnvironmentFailure):
    """A release that cannot be loaded, with what to do about it (exit 3)."""

    def __init__(self, message: str, hint: str = ""):
        super().__init__(message, hint)


class UnknownRelease(DataError):
    """A version or table that no release has (a usage error, exit 2)."""

    exit_code = EXIT_USAGE


def base_url() -> str:
    return os.environ.get("GEOEVENTS_DATA_URL", DEFAULT_URL).rstrip("/")


def cache_dir() -> Path:
    if os.environ.get("GEOEVENTS_CACHE"):
        return Path(os.environ["GEOEVENTS_CACHE"])
    import pooch

    return Path(pooch.os_cache("geoevents"))


def bundled_dir() -> Path | None:
    """The release folder shipped with the package (or the source tree's dataset/)."""
    for folder in (PACKAGED, REPO):
        if (folder / "index.json").is_file():
            return folder
    return None


@cache
def _read_index(path: Path, mtime: int) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def index() -> dict:
    """The registry of releases the downloads are verified against."""
    folder = bundled_dir()
    if folder is None:
        raise DataError("no dataset/index.json is installed with geoevents; reinstall the package")
    path = folder / "index.json"
    return _read_index(path, path.stat().st_mtime_ns)


def versions() -> list[str]:
    return [v["version"] for v in index()["versions"]]


def latest() -> str:
    return index()["latest"]


def _entry(version: str) -> dict:
    for v in index()["versions"]:
        if v["version"] == version:
            return v
    known = ", ".join(versions()) or "none"
    raise UnknownRelease(f"unknown version {version!r}; known versions: {known}")


def is_bundled(version: str) -> bool:
    folder = bundled_dir()
    return folder is not None and (folder / version / "SHA256SUMS").is_file()


def is_cached(version: str) -> bool:
    entry = _entry(version)
    folder = cache_dir() / version
    return all((folder / name).is_file() for name in entry["files"])


def path(table: str = "events", version: str | None = None) -> Path:
    """Local path of a table's Parquet file, downloading and verifying it if needed."""
    if table not in TABLES:
        raise UnknownRelease(f"unknown table {table!r}; tables: {', '.join(TABLES)}")
    version = version or latest()
    entry = _entry(version)
    name = f"{table}.parquet"
    if name not in entry["files"]:
        raise UnknownRelease(f"release {version} has no {table} table")
    if is_bundled(version):
        return bundled_dir() / version / name
    return _retrieve(version, name, entry["files"][name])


def scan(table: str = "events", version: str | None = None) -> pl.LazyFrame:
    """A LazyFrame over one table of a release (default: the latest)."""
    return pl.scan_parquet(path(table, version))


def load(table: str = "events", version: str | None = None) -> pl.DataFrame:
    """One table of a release as a polars DataFrame (default: events of the latest release).

    >>> import geoevents
    >>> events = geoevents.load()                         # doctest: +SKIP
    >>> actors = geoevents.load("actors", version="1.0.0")  # doctest: +SKIP
    """
    return pl.read_parquet(path(table, version))


def fetch(version: str) -> Path:
    """Download and verify every file of a release into the cache, even a bundled one."""
    entry = _entry(version)
    for name, digest in entry["files"].items():
        _retrieve(version, name, digest)
    return cache_dir() / version


def _retrieve(version: str, name: str, digest: str) -> Path:
    import pooch
    import requests

    url = f"{base_url()}/{version}/{name}"
    folder = cache_dir() / version
    pooch.get_logger().setLevel("WARNING")  # a library does not print
    try:
        return Path(pooch.retrieve(url, known_hash=f"sha256:{digest}", fname=name, path=folder,
                                   progressbar=False))
    except ValueError as exc:
        if "hash" not in str(exc).lower():
            raise
        raise DataError(
            f"{url} does not match the sha256 in index.json (expected {digest}); the download "
            "was refused and deleted. The server may hold another release under this name."
        ) from None
    except requests.exceptions.RequestException as exc:
        cached = [v for v in versions() if is_bundled(v) or is_cached(v)]
        raise DataError(
            f"cannot download {url}: {str(exc)[:200]}. Set GEOEVENTS_DATA_URL to a reachable "
            f"mirror; versions available offline: {', '.join(cached) or 'none'}"
        ) from None
