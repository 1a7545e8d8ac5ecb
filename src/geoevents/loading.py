"""The load stage: releases as polars DataFrames, offline or downloaded and verified.

Trust model. ``index.json``, installed with the package (in a source tree or an
editable install: the tree's ``dataset/index.json``), is the only thing trusted
as it is: it records the sha256 and the size of every file of every version.
Every file is checked against it before it is used, wherever it comes from:

- the release shipped with the package (or the source tree's ``dataset/``): a file
  that differs raises :class:`TamperedFile` (a ``TamperedRelease``) naming it, with
  the expected and the found sha256; it is never loaded;
- the cache (``GEOEVENTS_CACHE``): a file that differs is deleted and downloaded
  again (``versions()`` reports it as corrupt until then);
- a download from ``GEOEVENTS_DATA_URL`` (http or https only), laid out like
  ``dataset/`` (``{base}/{version}/{file}``). Downloads go through pooch with
  :class:`BoundedDownloader`: the body goes to pooch's temporary file in the cache
  and is stopped as soon as it exceeds the size the index records (2 GiB when an
  old index records none). A shorter body, a connect timeout (10 s), a read that
  waits longer than 30 s, a file not complete after the deadline (300 s; checked
  after every read), more than 5 redirects or a hash mismatch each fail with a
  :class:`DataError`, and the temporary file is removed. The three times can be set
  in seconds with ``GEOEVENTS_CONNECT_TIMEOUT``, ``GEOEVENTS_READ_TIMEOUT`` and
  ``GEOEVENTS_DOWNLOAD_DEADLINE``. Only a verified file is renamed to its final
  name, so nothing half-written is ever found there. Downloads into one cache take
  turns under a lock (the empty file ``.lock`` in the cache); the temporary files
  of a download that was killed are removed by the next use of that version's
  cache folder.

Verification costs one sha256 per file per process: a verified file is remembered
by path, inode, size and modification time, and hashed again only when one of
those changes. The index itself is not signed: whoever can rewrite the installed
``index.json`` can bless other files; its authenticity is that of the package.

Every failure is a :class:`DataError` (exit 3) or one of its subclasses; an
unknown version or table, or a bad setting, is a usage error (exit 2).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import stat
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import polars as pl

from geoevents.errors import EXIT_USAGE, EnvironmentFailure, TamperedRelease, from_os_error

DEFAULT_URL = "https://github.com/geoevents/geoevents/raw/main/dataset"
TABLES = ("events", "event_actors", "citations", "actors", "locations", "sources", "errata")

PACKAGED = Path(__file__).parent / "_dataset"
REPO = Path(__file__).resolve().parents[2] / "dataset"

HARD_CAP = 2 * 1024**3  # bytes, for a file whose size the index does not record
CHUNK = 1 << 16
MAX_REDIRECTS = 5
LOCK = ".lock"  # in the cache folder: downloads into one cache take turns
TIMEOUTS = {  # seconds; each can be set in the environment
    "GEOEVENTS_CONNECT_TIMEOUT": 10.0,
    "GEOEVENTS_READ_TIMEOUT": 30.0,
    "GEOEVENTS_DOWNLOAD_DEADLINE": 300.0,  # the whole of one file
}
VERSION_RE = re.compile(r"[0-9]+\.[0-9]+\.[0-9]+(?:[-+][0-9A-Za-z.-]+)?", re.ASCII)
NAME_RE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*", re.ASCII)
SHA256_RE = re.compile(r"[0-9a-f]{64}", re.ASCII)


class DataError(EnvironmentFailure):
    """A release that cannot be loaded, with what to do about it (exit 3)."""

    def __init__(self, message: str, hint: str = ""):
        super().__init__(message, hint)


class UnknownRelease(DataError):
    """A version or table that no release has (a usage error, exit 2)."""

    exit_code = EXIT_USAGE


class BadSetting(DataError):
    """An environment variable with a value geoevents cannot use (a usage error, exit 2)."""

    exit_code = EXIT_USAGE


class CorruptIndex(DataError):
    """The installed index.json cannot be read as the record of releases."""


class CacheUnusable(DataError):
    """The cache folder is not a writable folder."""


class TamperedFile(DataError, TamperedRelease):
    """A bundled release file differs from what index.json records (exit 3)."""


# -- settings -----------------------------------------------------------------------


def base_url() -> str:
    return os.environ.get("GEOEVENTS_DATA_URL", DEFAULT_URL).rstrip("/")


def download_base() -> str:
    """The base URL downloads come from; BadSetting unless it is http(s)."""
    from urllib.parse import urlsplit

    url = base_url()
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise BadSetting(f"GEOEVENTS_DATA_URL must be an http(s) URL, found {url!r}",
                         "set it to the http:// or https:// address of a folder laid out "
                         "like dataset/, or unset it to use the project's own")
    return url


def cache_dir() -> Path:
    if os.environ.get("GEOEVENTS_CACHE"):
        return Path(os.environ["GEOEVENTS_CACHE"])
    import pooch

    return Path(pooch.os_cache("geoevents"))


@dataclass(frozen=True)
class Limits:
    connect: float
    read: float
    deadline: float
    redirects: int = MAX_REDIRECTS

    def longest(self) -> float:
        """The longest one download can hold the cache's lock, with a margin."""
        return self.connect + self.deadline + self.read + 30


def limits() -> Limits:
    """The timeouts of a download, from the environment or the defaults."""
    values = [_seconds(name, default) for name, default in TIMEOUTS.items()]
    return Limits(*values)


def _seconds(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0 < value < float("inf"):
        raise BadSetting(f"{name} must be a number of seconds above 0, found {raw!r}",
                         f"set it to, say, {default:g}, or unset it")
    return value


# -- the index ----------------------------------------------------------------------


def bundled_dir() -> Path | None:
    """The release folder shipped with the package (or the source tree's dataset/)."""
    for folder in (PACKAGED, REPO):
        if (folder / "index.json").is_file():
            return folder
    return None


def index() -> dict:
    """The registry of releases every file is verified against."""
    folder = bundled_dir()
    if folder is None:
        raise DataError("no dataset/index.json is installed with geoevents",
                        "reinstall the package: pip install --force-reinstall geoevents")
    path = folder / "index.json"
    try:
        st = path.stat()
    except OSError as exc:
        raise _os_failure(exc, "read the release index") from None
    return _read_index(path, st.st_mtime_ns, st.st_size)


@cache
def _read_index(path: Path, mtime_ns: int, size: int) -> dict:
    try:
        doc = json.loads(path.read_bytes().decode("utf-8"))
    except OSError as exc:
        raise _os_failure(exc, "read the release index") from None
    except ValueError as exc:  # not UTF-8, not JSON
        raise _corrupt(path, f"not valid JSON ({str(exc)[:100]})") from None
    problem = _index_problem(doc)
    if problem:
        raise _corrupt(path, problem)
    return doc


def _corrupt(path: Path, problem: str) -> CorruptIndex:
    return CorruptIndex(
        f"corrupt index {path}: {problem}",
        "reinstall geoevents (pip install --force-reinstall geoevents); in a source tree, "
        f"restore it from version control (git checkout -- {path.name})")


def _index_problem(doc) -> str | None:
    """What makes ``doc`` something other than a release index, or None."""
    if not isinstance(doc, dict) or not isinstance(doc.get("versions"), list):
        return "it has no list of versions"
    for entry in doc["versions"]:
        problem = _entry_problem(entry)
        if problem:
            return problem
    names = [e["version"] for e in doc["versions"]]
    if len(set(names)) != len(names):
        return "a version is listed twice"
    if "latest" not in doc or (doc["latest"] is not None and doc["latest"] not in names):
        return f"'latest' is {doc.get('latest')!r}, which is not a listed version"
    return None


def _entry_problem(entry) -> str | None:
    if not isinstance(entry, dict) or not isinstance(entry.get("version"), str):
        return "an entry has no version"
    version = entry["version"]
    if not VERSION_RE.fullmatch(version):
        return f"{version!r} is not a version"
    if not isinstance(entry.get("date"), str):
        return f"version {version} has no date"
    files, sizes = entry.get("files"), entry.get("bytes", {})
    if not isinstance(files, dict) or not files:
        return f"version {version} lists no files"
    for name, digest in files.items():
        if not NAME_RE.fullmatch(name) or not (isinstance(digest, str)
                                               and SHA256_RE.fullmatch(digest)):
            return f"version {version}: {name!r} has no sha256 or is not a file name"
    if not isinstance(sizes, dict) or not set(sizes) <= set(files) or not all(
            type(n) is int and n >= 0 for n in sizes.values()):
        return f"version {version}: 'bytes' is not a size for each of its files"
    return None


def latest() -> str:
    return index()["latest"]


def _entry(version: str | None) -> dict:
    entries = index()["versions"]
    if version is None:
        version = latest()
        if version is None:
            raise UnknownRelease("no release is published yet (index.json lists none)")
    for entry in entries:
        if entry["version"] == version:
            return entry
    known = ", ".join(e["version"] for e in entries) or "none"
    raise UnknownRelease(f"unknown version {version!r}; known versions: {known}",
                         "'geoevents versions' lists them")


def _expected(entry: dict, name: str) -> tuple[str, int | None]:
    """The sha256 and the size (None in an old index) a file of ``entry`` must have."""
    return entry["files"][name], entry.get("bytes", {}).get(name)


# -- verification -------------------------------------------------------------------

_DIGESTS: dict[tuple, str] = {}  # (path, inode, size, mtime_ns) -> sha256 hex


def _stat(path: Path) -> os.stat_result | None:
    try:
        st = path.stat()
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as exc:
        raise _os_failure(exc, "read") from None
    return st if stat.S_ISREG(st.st_mode) else None


def _sha256(path: Path, st: os.stat_result) -> str:
    """The file's sha256, computed once per process while it is unchanged."""
    key = (str(path), st.st_ino, st.st_size, st.st_mtime_ns)
    if key not in _DIGESTS:
        try:
            with open(path, "rb") as fh:
                _DIGESTS[key] = hashlib.file_digest(fh, "sha256").hexdigest()
        except OSError as exc:
            raise _os_failure(exc, "read") from None
    return _DIGESTS[key]


def _problem(path: Path, digest: str, size: int | None) -> str | None:
    """How a file differs from its index entry (None when it is the file recorded)."""
    st = _stat(path)
    if st is None:
        return "is missing"
    if size is not None and st.st_size != size:
        return f"has {st.st_size} bytes, index.json records {size}"
    found = _sha256(path, st)
    if found != digest:
        return f"has sha256 {found}, index.json records {digest}"
    return None


def _bundled_file(entry: dict, name: str) -> Path:
    """A file of the bundled release, verified; TamperedFile if it differs."""
    path = bundled_dir() / entry["version"] / name
    digest, size = _expected(entry, name)
    problem = _problem(path, digest, size)
    if problem is None:
        return path
    st = _stat(path)
    found = f"sha256 {_sha256(path, st)} ({st.st_size} bytes)" if st else "no file"
    raise TamperedFile(
        f"the bundled release file {path} differs from index.json: expected sha256 "
        f"{digest}{f' ({size} bytes)' if size is not None else ''}, found {found}",
        "a published file is never changed: reinstall geoevents (pip install "
        "--force-reinstall geoevents) or, in a source tree, restore dataset/ from version "
        f"control (git checkout -- dataset/{entry['version']})")


# -- what is where ------------------------------------------------------------------


class Release(str):
    """A published version, as a str ("1.1.0"), that also says where its files are.

    ``bundled``: "yes", "no" or "tampered" (a bundled file differs from index.json);
    ``cached``: "yes" (every file), "partial", "no" or "corrupt" (a cached file
    differs; the next download replaces it); ``state``: "verified" (loads offline),
    "remote" (downloads on first use), "tampered" or "corrupt"; ``problems``: one
    line per file that fails verification. Each is computed when asked for.
    """

    entry: dict

    def __new__(cls, entry: dict) -> Release:
        self = super().__new__(cls, entry["version"])
        self.entry = entry
        return self

    def __reduce__(self):
        return (str, (str(self),))  # pickled and copied as the plain version string

    @property
    def date(self) -> str:
        return self.entry["date"]

    @property
    def bundled(self) -> str:
        problems = _bundled_problems(self.entry)
        return "no" if problems is None else "tampered" if problems else "yes"

    @property
    def cached(self) -> str:
        present, problems = _cached_problems(self.entry)
        if problems:
            return "corrupt"
        return "no" if not present else "yes" if present == len(self.entry["files"]) else "partial"

    @property
    def state(self) -> str:
        bundled, cached = self.bundled, self.cached
        if bundled == "tampered":
            return "tampered"
        if cached == "corrupt":
            return "corrupt"
        return "verified" if "yes" in (bundled, cached) else "remote"

    @property
    def problems(self) -> list[str]:
        bundled = _bundled_problems(self.entry) or []
        return ([f"bundled {p}" for p in bundled]
                + [f"cached {p}" for p in _cached_problems(self.entry)[1]])


def versions() -> list[Release]:
    """The published versions, oldest first (each a str with where its files are)."""
    return [Release(entry) for entry in index()["versions"]]


def is_bundled(version: str) -> bool:
    folder = bundled_dir()
    return folder is not None and (folder / version).is_dir()


def is_cached(version: str) -> bool:
    return Release(_entry(version)).cached == "yes"


def _bundled_problems(entry: dict) -> list[str] | None:
    """None when the version is not bundled; else how its bundled files differ."""
    if not is_bundled(entry["version"]):
        return None
    folder = bundled_dir() / entry["version"]
    return _differences(folder, entry, list(entry["files"]))


def _cached_problems(entry: dict) -> tuple[int, list[str]]:
    """How many files of the version are in the cache, and how those differ."""
    folder = cache_dir() / entry["version"]
    present = [n for n in entry["files"] if _stat(folder / n) is not None]
    return len(present), _differences(folder, entry, present)


def _differences(folder: Path, entry: dict, names: list[str]) -> list[str]:
    out = []
    for name in names:
        problem = _problem(folder / name, *_expected(entry, name))
        if problem:
            out.append(f"{name} {problem}")
    return out


# -- the public functions -----------------------------------------------------------


def path(table: str = "events", version: str | None = None) -> Path:
    """Local path of a table's Parquet file, verified, downloaded first if need be."""
    if table not in TABLES:
        raise UnknownRelease(f"unknown table {table!r}; tables: {', '.join(TABLES)}")
    entry = _entry(version)
    name = f"{table}.parquet"
    if name not in entry["files"]:
        raise UnknownRelease(f"release {entry['version']} has no {table} table")
    if is_bundled(entry["version"]):
        return _bundled_file(entry, name)
    return _retrieve(entry, name)


def scan(table: str = "events", version: str | None = None) -> pl.LazyFrame:
    """A LazyFrame over one table of a release (default: the latest)."""
    return pl.scan_parquet(path(table, version))


def load(table: str = "events", version: str | None = None) -> pl.DataFrame:
    """One table of a release as a polars DataFrame (default: events of the latest release).

    >>> import geoevents
    >>> events = geoevents.load()                         # doctest: +SKIP
    >>> actors = geoevents.load("actors", version="1.0.0")  # doctest: +SKIP
    """
    file = path(table, version)
    try:
        return pl.read_parquet(file)
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise DataError(f"cannot read {file} as Parquet: {str(exc)[:200]}",
                        "the file matches index.json, so the release itself is broken: "
                        "report it, and load another version meanwhile") from None


def fetch(version: str) -> Path:
    """Download and verify every file of a release into the cache, even a bundled one."""
    entry = _entry(version)
    for name in entry["files"]:
        _retrieve(entry, name)
    return cache_dir() / entry["version"]


# -- the cache ----------------------------------------------------------------------


def _retrieve(entry: dict, name: str) -> Path:
    """The verified cached copy of one file, downloading it when it is absent or corrupt."""
    target = cache_dir() / entry["version"] / name
    digest, size = _expected(entry, name)
    if _problem(target, digest, size) is None:
        _tidy_if_free(target.parent, entry)
        return target
    url, timeouts = _url(entry["version"], name), limits()  # a bad setting touches nothing
    folder = _cache_folder(entry["version"])
    with _lock(folder.parent, timeouts.longest()):
        _remove_leftovers(folder, entry)
        if _problem(target, digest, size) is not None:  # another process may have done it
            _discard(target)  # a corrupt copy is never trusted, nor kept
            _download(url, target, BoundedDownloader(size, timeouts), digest)
    return target


def _url(version: str, name: str) -> str:
    return f"{download_base()}/{version}/{name}"


def _cache_folder(version: str) -> Path:
    """The cache folder of a version, created; CacheUnusable if it cannot be."""
    root = cache_dir()
    if root.exists() and not root.is_dir():
        raise CacheUnusable(f"the cache {root} is a file, not a folder",
                            "set GEOEVENTS_CACHE to a folder (or unset it for the default)")
    folder = root / version
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _cache_failure(exc, root) from None
    if not os.access(folder, os.W_OK):
        raise CacheUnusable(f"the cache folder {folder} is not writable",
                            "set GEOEVENTS_CACHE to a folder you can write to")
    return folder


@contextlib.contextmanager
def _lock(root: Path, wait: float):
    """Hold the cache's lock: one download at a time, and no tidying under someone's feet."""
    import filelock

    lock = filelock.FileLock(str(root / LOCK), timeout=wait)
    try:
        lock.acquire()
    except filelock.Timeout:
        raise DataError(f"another process has held the download lock {root / LOCK} for "
                        f"{wait:g} s", "wait for it to finish, or stop it; if no geoevents "
                        "process is running, remove that file") from None
    except OSError as exc:
        raise _cache_failure(exc, root) from None
    try:
        yield
    finally:
        lock.release()


def _leftovers(folder: Path, entry: dict) -> list[Path]:
    """Files in a version's cache folder that are not its files: temporary leftovers."""
    try:
        return [p for p in folder.iterdir()
                if p.name not in entry["files"] and (p.is_file() or p.is_symlink())]
    except (FileNotFoundError, NotADirectoryError):
        return []
    except OSError as exc:
        raise _cache_failure(exc, folder) from None


def _remove_leftovers(folder: Path, entry: dict) -> None:
    for p in _leftovers(folder, entry):
        _discard(p)


def _tidy_if_free(folder: Path, entry: dict) -> None:
    """Remove leftovers when no download is running; never wait or fail for it."""
    if not _leftovers(folder, entry):
        return
    try:
        with _lock(folder.parent, wait=0):
            _remove_leftovers(folder, entry)
    except DataError:
        pass  # busy or read-only: the next download tidies


def _discard(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError as exc:
        raise _cache_failure(exc, path) from None


# -- downloads ----------------------------------------------------------------------


def _download(url: str, target: Path, downloader: BoundedDownloader, digest: str) -> None:
    """Download one file through pooch; only a verified file reaches ``target``."""
    import pooch
    import requests
    import urllib3

    pooch.get_logger().setLevel("WARNING")  # a library does not print
    try:
        pooch.retrieve(url, known_hash=f"sha256:{digest}", fname=target.name,
                       path=target.parent, downloader=downloader, progressbar=False)
    except requests.exceptions.TooManyRedirects:
        raise _unreachable(url, f"more than {MAX_REDIRECTS} redirects (a redirect loop?)") \
            from None
    except (requests.exceptions.RequestException, urllib3.exceptions.HTTPError) as exc:
        raise _unreachable(url, str(exc)[:200]) from None
    except ValueError as exc:
        if not downloader.complete:  # raised on the way, not by pooch's hash check after it
            raise _unreachable(url, str(exc)[:200]) from None
        raise DataError(
            f"{url} does not match the sha256 in index.json (expected {digest}); the download "
            "was refused and deleted",
            "the server may hold another release under this name: check GEOEVENTS_DATA_URL"
        ) from None
    except OSError as exc:
        raise _cache_failure(exc, target.parent) from None


def _unreachable(url: str, why: str) -> DataError:
    """The error of a download that did not arrive, with the versions usable offline."""
    offline = [v for v in versions() if v.state == "verified"]
    return DataError(
        f"cannot download {url}: {why}; versions available offline: "
        f"{', '.join(offline) or 'none'}",
        "check the network, or set GEOEVENTS_DATA_URL to a reachable mirror laid out like "
        "dataset/")


class BoundedDownloader:
    """A pooch downloader (``url, output_file, pooch``) that cannot be made to run on.

    It streams with requests into pooch's temporary file and stops with a DataError
    as soon as more bytes arrive than ``size`` (the index's; HARD_CAP when None), when
    fewer arrive, when the connect or read timeout or the deadline of the whole file
    passes, or after ``limits.redirects`` redirects. Bodies are asked for unencoded,
    so the bytes counted are the file's.
    """

    def __init__(self, size: int | None, limits: Limits):
        self.size, self.limits = size, limits
        self.cap = HARD_CAP if size is None else size
        self.complete = False  # set once every byte has arrived

    def __call__(self, url: str, output_file: str, pooch=None) -> None:
        import requests

        deadline = time.monotonic() + self.limits.deadline
        timeout = (self.limits.connect, min(self.limits.read, self.limits.deadline))
        with requests.Session() as session:
            session.max_redirects = self.limits.redirects
            with session.get(url, stream=True, timeout=timeout,
                             headers={"Accept-Encoding": "identity"}) as response:
                response.raise_for_status()
                self._check_declared(url, response.headers.get("Content-Length"))
                got = self._copy(url, response.raw, output_file, deadline)
        if self.size is not None and got != self.size:
            raise DataError(f"cannot download {url}: the server sent {got} bytes, index.json "
                            f"records {self.size}", "run again; if it persists, the mirror "
                            "is broken: set GEOEVENTS_DATA_URL to another")
        self.complete = True

    def _check_declared(self, url: str, declared: str | None) -> None:
        if declared is None or not declared.strip().isdigit():
            return  # chunked or odd: the byte count below still bounds it
        if int(declared) > self.cap or (self.size is not None and int(declared) != self.size):
            raise DataError(f"cannot download {url}: the server announces {declared} bytes, "
                            f"not {self._expected()}; nothing was downloaded",
                            "the mirror serves another file: check GEOEVENTS_DATA_URL")

    def _copy(self, url: str, raw, output_file: str, deadline: float) -> int:
        got = 0
        with open(output_file, "wb") as fh:
            while True:
                block = self._read(url, raw, self.cap - got + 1, got)
                if not block:
                    return got
                got += len(block)
                if got > self.cap:
                    raise DataError(
                        f"cannot download {url}: the server sent more than "
                        f"{self._expected()}; stopped, nothing was kept",
                        "the mirror serves another file: check GEOEVENTS_DATA_URL")
                fh.write(block)
                if time.monotonic() > deadline:
                    raise DataError(
                        f"cannot download {url}: not complete after the deadline of "
                        f"{self.limits.deadline:g} s ({got} bytes received); nothing was kept",
                        "the server is too slow: try again later, use another mirror "
                        "(GEOEVENTS_DATA_URL) or allow more time (GEOEVENTS_DOWNLOAD_DEADLINE)")

    def _read(self, url: str, raw, amount: int, got: int) -> bytes:
        """At most ``amount`` bytes, from a single receive, so the deadline is seen."""
        import http.client

        import urllib3

        try:
            return raw.read1(min(CHUNK, amount), decode_content=False)
        except (urllib3.exceptions.HTTPError, http.client.HTTPException, OSError) as exc:
            raise DataError(f"cannot download {url}: the connection failed after {got} "
                            f"bytes ({str(exc)[:150]}); nothing was kept",
                            f"run again; a read waits at most {self.limits.read:g} s "
                            "(GEOEVENTS_READ_TIMEOUT)") from None

    def _expected(self) -> str:
        if self.size is None:
            return f"the limit of {self.cap} bytes (index.json records no size)"
        return f"the {self.size} bytes index.json records"


# -- errors -------------------------------------------------------------------------


def _os_failure(exc: OSError, doing: str) -> DataError:
    failure = from_os_error(exc, doing)
    return DataError(failure.message, failure.hint)


def _cache_failure(exc: OSError, where: Path) -> CacheUnusable:
    failure = from_os_error(exc, "write to the cache")
    return CacheUnusable(failure.message if exc.filename else f"{failure.message} ({where})",
                         f"{failure.hint}; or set GEOEVENTS_CACHE to a writable folder")
