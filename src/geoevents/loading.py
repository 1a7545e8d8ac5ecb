"""The load stage: releases as polars DataFrames, offline or downloaded and verified.

Trust model. ``index.json``, installed with the package (in a source tree or an
editable install: the tree's ``dataset/index.json``), is the only thing trusted
as it is: it records the sha256 and the size of every file of every version. It
is read only as a regular file of at most 16 MiB, and refused (:class:`CorruptIndex`)
unless it has the shape of a release index (:func:`read_index_file`). Every file
is checked against it before it is used, wherever it comes from:

- the releases shipped with the package (a wheel holds every version its index
  lists; a source tree or an editable install reads ``dataset/``): each
  version folder must be a real folder holding nothing but the regular files the
  index lists (no added file, no symbolic link, not itself a link), and each file
  must have the recorded sha256; otherwise :class:`TamperedFile` (a
  ``TamperedRelease``) names the file, and nothing of that folder (for a changed
  file: that file) is loaded;
- the cache (``GEOEVENTS_CACHE``): a file that differs is deleted and downloaded
  again (``versions()`` reports it as corrupt until then). A cache folder, or a
  version folder in it, that is a symbolic link is never followed: it is refused
  (:class:`CacheUnusable`) and left as it is;
- a download from ``GEOEVENTS_DATA_URL`` (http or https, no query or fragment;
  a password in it is never shown: messages print ``user:***@``), laid out like
  ``dataset/`` (``{base}/{version}/{file}``). Downloads go through pooch with
  :class:`BoundedDownloader`: the body goes to pooch's temporary file in the cache
  and is stopped as soon as it exceeds the size the index records (2 GiB when an
  old index records none). A shorter body, a connect timeout (10 s), a read that
  waits longer than 30 s, a request not complete at its deadline (300 s of wall
  clock for everything: connecting, the response headers and the body), more than
  5 redirects or a hash mismatch each fail with a :class:`DataError`, and the
  temporary file is removed. The three times can be set in seconds (above 0, at
  most 86400) with ``GEOEVENTS_CONNECT_TIMEOUT``, ``GEOEVENTS_READ_TIMEOUT`` and
  ``GEOEVENTS_DOWNLOAD_DEADLINE``. Only a verified file is renamed to its final
  name, so nothing half-written is ever found there. Downloads into one cache take
  turns under a lock (the empty file ``.lock`` in the cache); the temporary files
  of a download that was killed (pooch's, named ``tmp`` and 8 characters by
  :func:`tempfile.NamedTemporaryFile`) are removed by the next use of that version's
  cache folder. Nothing else there is ever removed.

The deadline is kept without signals: the request runs in a worker thread, and when
the deadline passes the sockets of that download (recorded by the connection class
of its own urllib3 pool) are shut down, so the worker stops at once, and the caller
gets the error on time even if the worker is stuck in a name lookup.

Verification costs one sha256 per file per process: a verified file is remembered
by path, device, inode, size, modification and change time (``os.utime`` can set
the first, not the second), and hashed again only when one of those changes. The
index itself is not signed: whoever can rewrite the installed ``index.json`` can
bless other files; its authenticity is that of the package.

Every failure is a :class:`DataError` (exit 3) or one of its subclasses; an
unknown version or table, or a bad setting, is a usage error (exit 2).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import socket
import stat
import threading
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import polars as pl

from geoevents.errors import EXIT_USAGE, EnvironmentFailure, TamperedRelease, from_os_error

PACKAGED = Path(__file__).parent / "_dataset"
REPO = Path(__file__).resolve().parents[2] / "dataset"
#: the project file of the dataset the package ships (in a wheel, and in a clone)
PACKAGED_PROJECT = Path(__file__).parent / "_project.yaml"
REPO_PROJECT = Path(__file__).resolve().parents[2] / "geoevents.yaml"

HARD_CAP = 2 * 1024**3  # bytes, for a file whose size the index does not record
INDEX_CAP = 16 * 1024**2  # bytes of index.json: thousands of versions fit
CHUNK = 1 << 16
MAX_REDIRECTS = 5
LOCK = ".lock"  # in the cache folder: downloads into one cache take turns
TIMEOUTS = {  # seconds; each can be set in the environment
    "GEOEVENTS_CONNECT_TIMEOUT": 10.0,
    "GEOEVENTS_READ_TIMEOUT": 30.0,
    "GEOEVENTS_DOWNLOAD_DEADLINE": 300.0,  # the whole of one request, wall clock
}
MAX_SECONDS = 86400.0  # a day: larger values overflow the C timeouts of sockets and waits
GRACE = 1.0  # seconds a stopped download's worker gets to end after its sockets are shut
# SemVer 2.0.0, ASCII digits only (the regular expression semver.org gives)
_ID = r"(?:0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*)"
VERSION_RE = re.compile(
    rf"(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(?:-{_ID}(?:\.{_ID})*)?"
    r"(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?", re.ASCII)
NAME_RE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,254}", re.ASCII)
SHA256_RE = re.compile(r"[0-9a-f]{64}", re.ASCII)
DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)
MAX_BYTES = 2**63 - 1
# pooch downloads into tempfile.NamedTemporaryFile(dir=<version folder>) (pooch.utils.
# temporary_file, and make_local_storage's write test): "tmp" + 8 of tempfile's letters
LEFTOVER_RE = re.compile(r"tmp[a-z0-9_]{8}", re.ASCII)
USERINFO_RE = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)(?P<userinfo>[^/?#\s]*)@")


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
    """The cache folder is not a writable folder of its own (not a file, not a link)."""


class TamperedFile(DataError, TamperedRelease):
    """A bundled release file differs from what index.json records (exit 3)."""


# -- settings -----------------------------------------------------------------------


@cache
def default_url() -> str:
    """The downloads' base URL of the dataset the package ships: ``data_url`` of its
    project file (empty when it has none)."""
    from geoevents import yamlio

    for path in (PACKAGED_PROJECT, REPO_PROJECT):
        if path.is_file():
            try:
                doc = yamlio.load_plain(path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, ValueError, yamlio.yaml.YAMLError):
                return ""  # an unreadable project file gives no URL: BadSetting says so
            url = doc.get("data_url") if isinstance(doc, dict) else None
            return url if isinstance(url, str) else ""
    return ""


def base_url() -> str:
    """The base URL as set, credentials included: never print it (see display_url)."""
    return os.environ.get("GEOEVENTS_DATA_URL", default_url()).rstrip("/")


def display_url() -> str:
    """The base URL as it may be shown: a password or token in it is replaced by ***."""
    return redact(base_url())


def redact(text: str) -> str:
    """``text`` with the userinfo of every URL in it masked (``user:***@``, ``***@``)."""
    def mask(m: re.Match) -> str:
        user, colon, _ = m["userinfo"].partition(":")
        # a lone user name may itself be a token (https://TOKEN@host/): mask it too
        return f"{m['scheme']}{user + ':***' if colon else '***'}@"

    text = USERINFO_RE.sub(mask, text)
    for secret in _secrets():
        text = text.replace(secret, "***")
    return text


def _secrets() -> set[str]:
    """The secret of the configured URL (as written and decoded), wherever a message
    repeats it outside a URL."""
    from urllib.parse import unquote

    m = USERINFO_RE.match(base_url())
    if not m:
        return set()
    user, colon, password = m["userinfo"].partition(":")
    secret = password if colon else user
    # very short secrets would mask ordinary words; the URL form above still hides them
    return {s for s in (secret, unquote(secret)) if len(s) >= 4}


def download_base() -> str:
    """The base URL downloads come from; BadSetting unless it is a plain http(s) URL."""
    from urllib.parse import urlsplit

    url = base_url()
    why = None
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (raises ValueError for a port that is not one)
    except ValueError as exc:
        why = f"it cannot be parsed: {redact(str(exc))}"
    else:
        if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
            why = "it is not an http:// or https:// address of a host"
        elif "?" in url or "#" in url:
            why = "it must have no query or fragment (files are fetched as {base}/{version}/{file})"
    if why is None and any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in url):
        why = "it contains spaces or control characters"
    if why:
        # shown without its password, and without a query or fragment (often a token)
        as_set = re.sub(r"([?#]).*", r"\1***", redact(os.environ.get("GEOEVENTS_DATA_URL",
                                                                     default_url())))
        if not os.environ.get("GEOEVENTS_DATA_URL") and not default_url():
            raise BadSetting("there is no address to download releases from: the project "
                             "file shipped with the package has no data_url",
                             "set GEOEVENTS_DATA_URL to the http:// or https:// address of a "
                             "folder laid out like dataset/")
        raise BadSetting(f"GEOEVENTS_DATA_URL must be an http(s) URL, found {as_set!r}: "
                         f"{why}", "set it to the http:// or https:// address of a folder laid "
                         "out like dataset/, or unset it to use the project's own")
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
        return self.deadline + GRACE + 30


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
    if not 0 < value <= MAX_SECONDS:  # also refuses nan and inf
        raise BadSetting(f"{name} must be a number of seconds above 0 and at most "
                         f"{MAX_SECONDS:g}, found {raw!r}",
                         f"set it to, say, {default:g}, or unset it")
    return value


# -- the index ----------------------------------------------------------------------


def bundled_dir() -> Path | None:
    """The release folder shipped with the package (or the source tree's dataset/)."""
    for folder in (PACKAGED, REPO):
        # anything named index.json counts (even a FIFO or a link): reading it says why
        # it is unusable, rather than silently falling back to another folder
        if os.path.lexists(folder / "index.json"):
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
    return _read_index(path, _identity(st))


@cache
def _read_index(path: Path, identity: tuple) -> dict:
    return read_index_file(path)


def read_index_file(path: str | os.PathLike) -> dict:
    """A release index read from ``path`` and checked, as a dict.

    Read only as a regular file (a FIFO, a device or a folder is refused without
    being read) of at most INDEX_CAP bytes, as strict UTF-8 JSON without duplicate
    keys; then its shape: ``latest`` (a listed version or null) and ``versions``, a
    list of entries, each a SemVer ``version`` (listed once), a ``date``
    (YYYY-MM-DD), ``files`` (plain file names: no "/", no "..", each with a sha256
    in lowercase hex) and optionally ``bytes`` (a size of 0 or more for some or all
    of those files). Raises CorruptIndex for anything else, DataError (exit 3, with
    the path) when the file cannot be read at all, missing included.
    """
    path = Path(path)
    raw = _index_bytes(path)
    try:
        doc = json.loads(raw.decode("utf-8"), object_pairs_hook=_no_duplicate_keys)
    except RecursionError:
        raise _corrupt(path, "nested too deeply to be a release index") from None
    except ValueError as exc:  # not UTF-8, not JSON, a key twice
        raise _corrupt(path, f"not valid JSON ({str(exc)[:100]})") from None
    problem = _index_problem(doc)
    if problem:
        raise _corrupt(path, problem)
    return doc


def _index_bytes(path: Path) -> bytes:
    """The bytes of index.json, read only if it is a regular file under the cap."""
    try:
        st = os.stat(path)  # refuse a FIFO or a device before opening it
        if not stat.S_ISREG(st.st_mode):
            raise _corrupt(path, "it is not a regular file (a FIFO, device or folder?)")
        if st.st_size > INDEX_CAP:
            raise _corrupt(path, f"it has {st.st_size} bytes, more than {INDEX_CAP}")
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
        with open(fd, "rb") as fh:
            if not stat.S_ISREG(os.fstat(fd).st_mode):  # swapped after the stat above
                raise _corrupt(path, "it is not a regular file")
            raw = fh.read(INDEX_CAP + 1)
    except OSError as exc:
        raise _os_failure(exc, "read the release index") from None
    if len(raw) > INDEX_CAP:
        raise _corrupt(path, f"it has more than {INDEX_CAP} bytes")
    return raw


def _no_duplicate_keys(pairs: list[tuple]) -> dict:
    doc = dict(pairs)
    if len(doc) != len(pairs):
        seen = set()
        twice = next(k for k, _ in pairs if k in seen or seen.add(k))
        raise ValueError(f"the key {twice!r} appears twice in one object")
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
        problem = entry_problem(entry)
        if problem:
            return problem
    names = [e["version"] for e in doc["versions"]]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        return f"version {twice[0]} is listed twice"
    if "latest" not in doc or (doc["latest"] is not None and doc["latest"] not in names):
        return f"'latest' is {_short(doc.get('latest'))}, which is not a listed version"
    return None


def entry_problem(entry) -> str | None:
    """What keeps ``entry`` from being an entry of a release index, or None."""
    if not isinstance(entry, dict) or not isinstance(entry.get("version"), str):
        return "an entry has no version"
    version = entry["version"]
    if not VERSION_RE.fullmatch(version):
        return f"{_short(version)} is not a SemVer version (such as 1.2.0)"
    if not (isinstance(entry.get("date"), str) and DATE_RE.fullmatch(entry["date"])):
        return f"version {version} has no date of the form YYYY-MM-DD"
    files, sizes = entry.get("files"), entry.get("bytes", {})
    if not isinstance(files, dict) or not files:
        return f"version {version} lists no files"
    for name, digest in files.items():
        if not NAME_RE.fullmatch(name) or ".." in name:
            return f"version {version}: {_short(name)} is not a plain file name"
        if not (isinstance(digest, str) and SHA256_RE.fullmatch(digest)):
            return f"version {version}: {name} has no sha256 (64 lowercase hex digits)"
    if not isinstance(sizes, dict) or not set(sizes) <= set(files) or not all(
            type(n) is int and 0 <= n <= MAX_BYTES for n in sizes.values()):
        return f"version {version}: 'bytes' is not a size for each of its files"
    return None


def _short(value) -> str:
    """A value from the index as a message may quote it: repr, at most 60 characters."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def latest() -> str:
    return index()["latest"]


#: the name that means the latest release wherever a version is asked for
LATEST = "LATEST"


def _entry(version: str | None) -> dict:
    entries = index()["versions"]
    if isinstance(version, str) and version.upper() == LATEST:
        version = None
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


def entry(version: str | None) -> dict:
    """The index entry of a version (None: the latest); UnknownRelease if there is none."""
    return _entry(version)


def _expected(entry: dict, name: str) -> tuple[str, int | None]:
    """The sha256 and the size (None in an old index) a file of ``entry`` must have."""
    return entry["files"][name], entry.get("bytes", {}).get(name)


# -- verification -------------------------------------------------------------------

_DIGESTS: dict[tuple, str] = {}  # (path, device, inode, size, mtime_ns, ctime_ns) -> sha256


def _identity(st: os.stat_result) -> tuple:
    """What changes when a file's bytes change, even if its mtime is put back (ctime)."""
    return st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns


def _lstat(path: Path) -> os.stat_result | None:
    """The file's own status (a link is not followed); None when there is nothing."""
    try:
        return os.lstat(path)
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as exc:
        raise _os_failure(exc, "read") from None


def _kind_problem(st: os.stat_result | None) -> str | None:
    """Why what stands at a file's place is not a file that can be verified."""
    if st is None:
        return "is missing"
    if stat.S_ISLNK(st.st_mode):
        return "is a symbolic link, not the file index.json records"
    if not stat.S_ISREG(st.st_mode):
        return "is not a regular file"
    return None


def _sha256(path: Path, st: os.stat_result) -> str:
    """The file's sha256, computed once per process while it is unchanged."""
    key = (str(path), *_identity(st))
    if key not in _DIGESTS:
        try:
            with open(path, "rb", opener=_open_no_follow) as fh:
                opened = os.fstat(fh.fileno())
                if not stat.S_ISREG(opened.st_mode):  # swapped since the lstat
                    raise DataError(f"{path} is no longer a regular file",
                                    "something is changing it: run again when it is done")
                digest = hashlib.file_digest(fh, "sha256").hexdigest()
        except OSError as exc:
            raise _os_failure(exc, "read") from None
        # remembered under what was opened: if the file was swapped after the lstat,
        # the next look sees another key and hashes again
        _DIGESTS[(str(path), *_identity(opened))] = digest
        return digest
    return _DIGESTS[key]


def _open_no_follow(path: str, flags: int) -> int:
    """Open flags that neither follow a link put in the file's place nor wait on a FIFO."""
    return os.open(path, flags | os.O_NOFOLLOW | os.O_NONBLOCK)


def _problem(path: Path, digest: str, size: int | None) -> str | None:
    """How a file differs from its index entry (None when it is the file recorded)."""
    st = _lstat(path)
    kind = _kind_problem(st)
    if kind:
        return kind
    if size is not None and st.st_size != size:
        return f"has {st.st_size} bytes, index.json records {size}"
    found = _sha256(path, st)
    if found != digest:
        return f"has sha256 {found}, index.json records {digest}"
    return None


def _link_problem(folder: Path) -> str | None:
    """Why a release or cache folder is never followed: it is a symbolic link."""
    st = _lstat(folder)
    if st is None or not stat.S_ISLNK(st.st_mode):
        return None
    try:
        to = f" (to {os.readlink(folder)})"
    except OSError:
        to = ""
    return f"{folder} is a symbolic link{to}, not a folder of its own"


def _folder_problem(folder: Path) -> str | None:
    """Why a release or cache folder may not be used: a link, or not a folder."""
    st = _lstat(folder)
    if st is None:
        return None
    if stat.S_ISLNK(st.st_mode):
        return _link_problem(folder)
    if not stat.S_ISDIR(st.st_mode):
        return f"{folder} is not a folder"
    return None


def _layout_problems(folder: Path, entry: dict) -> list[str]:
    """How a bundled version folder holds other than the regular files the index lists.

    Paths, one line each: the folder itself (a link), an entry the index does not list
    (an added file, folder or link), a listed name that is not a regular file.
    """
    problem = _folder_problem(folder)
    if problem:
        return [problem]
    try:
        names = sorted(os.listdir(folder))
    except OSError as exc:
        raise _os_failure(exc, "read") from None
    out = [f"{folder / n} is not listed in index.json" for n in names if n not in entry["files"]]
    for name in entry["files"]:
        st = _lstat(folder / name)
        kind = _kind_problem(st)
        if st is not None and kind:  # a missing file is refused when it is asked for
            out.append(f"{folder / name} {kind}")
    return out


def _tampered(message: str, entry: dict) -> TamperedFile:
    return TamperedFile(
        message,
        "a published file is never changed: reinstall geoevents (pip install "
        "--force-reinstall geoevents) or, in a source tree, restore dataset/ from version "
        f"control (git checkout -- dataset/{entry['version']}, and remove any file "
        "git does not know)")


def _bundled_file(entry: dict, name: str) -> Path:
    """A file of the bundled release, verified; TamperedFile if it or its folder differs."""
    folder = bundled_dir() / entry["version"]
    layout = _layout_problems(folder, entry)
    if layout:
        more = f" (and {len(layout) - 1} more)" if len(layout) > 1 else ""
        raise _tampered(f"the bundled release {entry['version']} differs from index.json: "
                        f"{layout[0]}{more}; none of its files is loaded", entry)
    path = folder / name
    digest, size = _expected(entry, name)
    if _problem(path, digest, size) is None:
        return path
    st = _lstat(path)
    found = f"sha256 {_sha256(path, st)} ({st.st_size} bytes)" if st else "no file"
    raise _tampered(
        f"the bundled release file {path} differs from index.json: expected sha256 "
        f"{digest}{f' ({size} bytes)' if size is not None else ''}, found {found}", entry)


# -- what is where ------------------------------------------------------------------


class Release(str):
    """A published version, as a str ("1.1.0"), that also says where its files are.

    ``bundled``: "yes", "no" or "tampered" (the bundled folder differs from
    index.json: a file changed, added or made a link, or the folder is a link);
    ``cached``: "yes" (every file), "partial", "no" or "corrupt" (a cached file
    differs, which the next download replaces, or the cache folder is a link, which
    is refused); ``state``: "verified" (loads offline), "remote" (downloads on first
    use), "tampered" or "corrupt"; ``problems``: one line per file that fails
    verification. Each is computed when asked for.
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
    """Whether the package holds something for this version (a folder, or a link: tampered)."""
    folder = bundled_dir()
    return folder is not None and os.path.lexists(folder / version)


def is_cached(version: str) -> bool:
    return Release(_entry(version)).cached == "yes"


def _bundled_problems(entry: dict) -> list[str] | None:
    """None when the version is not bundled; else how its bundled folder differs."""
    if not is_bundled(entry["version"]):
        return None
    folder = bundled_dir() / entry["version"]
    layout = _layout_problems(folder, entry)
    if layout:
        return [p.replace(f"{folder}{os.sep}", "", 1) for p in layout]
    return _differences(folder, entry, list(entry["files"]))


def _cached_problems(entry: dict) -> tuple[int, list[str]]:
    """How many files of the version are in the cache, and how those differ."""
    root = cache_dir()
    folder = root / entry["version"]
    for where in (root, folder):
        link = _link_problem(where)
        if link:
            return 0, [(f"folder {link}: never used; remove the link or set "
                       "GEOEVENTS_CACHE to another folder")]
        if _folder_problem(where):
            return 0, []  # a file where the cache should be: nothing is cached
    present = [n for n in entry["files"] if _lstat(folder / n) is not None]
    return len(present), _differences(folder, entry, present)


def _differences(folder: Path, entry: dict, names: list[str]) -> list[str]:
    out = []
    for name in names:
        problem = _problem(folder / name, *_expected(entry, name))
        if problem:
            out.append(f"{name} {problem}")
    return out


# -- the public functions -----------------------------------------------------------


def table_names(files) -> list[str]:
    """The tables a release holds, from its own file list (its index entry, or its
    folder): each <name>.parquet (beside which the build writes <name>.csv)."""
    return sorted(n[:-len(".parquet")] for n in set(files) if n.endswith(".parquet"))


FORMATS = ("parquet", "csv")


def path(table: str = "events", version: str | None = None, format: str = "parquet") -> Path:
    """The local, verified file of one table of a release (default: events of the latest),
    as Parquet or CSV; downloaded into the cache first when the package does not ship it."""
    from geoevents.errors import UsageError

    if format not in FORMATS:
        raise UsageError(f"unknown format {format!r}: a table is published as "
                         f"{' or '.join(FORMATS)}", "use format='parquet' or format='csv'")
    entry = _entry(version)
    tables = table_names(entry["files"])
    if table not in tables:
        raise UnknownRelease(f"unknown table {table!r}: release {entry['version']} has "
                             f"{', '.join(tables) or 'no tables'}",
                             "name one of those tables ('events' by default)")
    name = f"{table}.{format}"
    if name not in entry["files"]:
        raise UnknownRelease(f"release {entry['version']} has no {name}",
                             f"use {table}.parquet, which every release has")
    return release_file(entry["version"], name)


def release_file(version: str | None, name: str) -> Path:
    """The local, verified copy of one file of a release (its CITATION.cff, its
    datapackage.json ...): the bundled one, else the cached one, downloaded if need be."""
    entry = _entry(version)
    if name not in entry["files"]:
        raise UnknownRelease(f"release {entry['version']} has no file {name!r}",
                             f"its files: {', '.join(sorted(entry['files']))}")
    if is_bundled(entry["version"]):
        return _bundled_file(entry, name)
    return _retrieve(entry, name)


def scan(table: str = "events", version: str | None = None) -> pl.LazyFrame:
    """A LazyFrame over one table of a release (default: the latest)."""
    return pl.scan_parquet(path(table, version))


BACKENDS = ("polars", "pandas")


def load(table: str = "events", version: str | None = None, backend: str = "polars"):
    """One table of a release as a polars DataFrame (default: events of the latest release);
    ``backend="pandas"``: a pandas DataFrame, dates as dates and lists as lists
    (``geoevents.frames.to_pandas``).

    >>> import geoevents
    >>> events = geoevents.load()                         # doctest: +SKIP
    >>> actors = geoevents.load("actors", version="1.0.0")  # doctest: +SKIP
    """
    if backend not in BACKENDS:
        from geoevents.errors import UsageError

        raise UsageError(f"unknown backend {backend!r}: load gives a polars or a pandas "
                         "DataFrame", "use backend='polars' (the default) or backend='pandas'")
    file = path(table, version)
    try:
        frame = pl.read_parquet(file)
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise DataError(f"cannot read {file} as Parquet: {str(exc)[:200]}",
                        "the file matches index.json, so the release itself is broken: "
                        "report it, and load another version meanwhile") from None
    if backend == "pandas":
        from geoevents.frames import to_pandas

        return to_pandas(frame)
    return frame


def load_all(version: str | None = None) -> dict[str, pl.DataFrame]:
    """Every table of a release (default: the latest), verified, by name."""
    entry = _entry(version)
    return {name: load(name, entry["version"]) for name in table_names(entry["files"])}


def fetch(version: str) -> Path:
    """The verified folder of every file of a release: the bundled folder (no network),
    or the cache folder, downloading what it lacks."""
    entry = _entry(version)
    if is_bundled(entry["version"]):
        for name in entry["files"]:
            _bundled_file(entry, name)
        return bundled_dir() / entry["version"]
    for name in entry["files"]:
        _retrieve(entry, name)
    return cache_dir() / entry["version"]


# -- the cache ----------------------------------------------------------------------


def _retrieve(entry: dict, name: str) -> Path:
    """The verified cached copy of one file, downloading it when it is absent or corrupt."""
    folder = _usable(cache_dir() / entry["version"])
    target = folder / name
    digest, size = _expected(entry, name)
    if _problem(target, digest, size) is None:
        _tidy_if_free(folder, entry)
        return target
    url, timeouts = _url(entry["version"], name), limits()  # a bad setting touches nothing
    folder = _cache_folder(entry["version"])
    with _lock(folder.parent, timeouts.longest()):
        _usable(folder)  # again, under the lock: nothing is removed through a link
        _remove_leftovers(folder, entry)
        if _problem(target, digest, size) is not None:  # another process may have done it
            _discard(target)  # a corrupt copy is never trusted, nor kept
            _download(url, target, BoundedDownloader(size, timeouts), digest)
    return target


def _url(version: str, name: str) -> str:
    return f"{download_base()}/{version}/{name}"


def _usable(folder: Path) -> Path:
    """``folder`` (a version's cache folder); CacheUnusable if it or the cache is a link."""
    for where in (folder.parent, folder):
        link = _link_problem(where)
        if link:
            raise CacheUnusable(
                f"the cache folder {link}: geoevents neither follows nor removes it",
                "remove the link (what it points to is left alone), or set GEOEVENTS_CACHE "
                "to a folder of its own")
    return folder


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
    return _usable(folder)


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
    """The temporary files of killed downloads in a version's cache folder.

    Only regular files named as pooch names its temporary files (LEFTOVER_RE); any
    other file there (the user's own, another tool's) is left alone, and a folder
    that is a link is not looked into.
    """
    if _folder_problem(folder):
        return []
    try:
        names = os.listdir(folder)
    except (FileNotFoundError, NotADirectoryError):
        return []
    except OSError as exc:
        raise _cache_failure(exc, folder) from None
    out = []
    for name in names:
        if LEFTOVER_RE.fullmatch(name) and name not in entry["files"]:
            st = _lstat(folder / name)
            if st is not None and stat.S_ISREG(st.st_mode):
                out.append(folder / name)
    return out


def _remove_leftovers(folder: Path, entry: dict) -> None:
    for p in _leftovers(folder, entry):
        _discard(p)


def _tidy_if_free(folder: Path, entry: dict) -> None:
    """Remove leftovers when no download is running; never wait or fail for it."""
    if not _leftovers(folder, entry):
        return
    try:
        with _lock(folder.parent, wait=0):
            _usable(folder)
            _remove_leftovers(folder, entry)
    except DataError:
        pass  # busy, read-only, or made a link meanwhile: the next download tidies


def _discard(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)  # a link is removed, never what it points to
    except OSError as exc:
        raise _cache_failure(exc, path) from None


# -- downloads ----------------------------------------------------------------------


def _download(url: str, target: Path, downloader: BoundedDownloader, digest: str) -> None:
    """Download one file through pooch; only a verified file reaches ``target``."""
    import pooch
    import requests
    import urllib3

    try:
        # pooch's download step itself (temporary file in the folder, the hash checked
        # before the move): retrieve() would also log each download to stderr, and a
        # library neither prints nor quiets pooch's logger for the process
        pooch.core.stream_download(url, target, f"sha256:{digest}", downloader)
    except requests.exceptions.TooManyRedirects:
        raise _unreachable(url, f"more than {MAX_REDIRECTS} redirects (a redirect loop?)") \
            from None
    except (requests.exceptions.RequestException, urllib3.exceptions.HTTPError) as exc:
        raise _unreachable(url, str(exc)[:200]) from None
    except ValueError as exc:
        if not downloader.complete:  # raised on the way, not by pooch's hash check after it
            raise _unreachable(url, str(exc)[:200]) from None
        raise DataError(
            f"{redact(url)} does not match the sha256 in index.json (expected {digest}); the "
            "download was refused and deleted",
            "the server may hold another release under this name: check GEOEVENTS_DATA_URL"
        ) from None
    except OSError as exc:
        raise _cache_failure(exc, target.parent) from None


def _unreachable(url: str, why: str) -> DataError:
    """The error of a download that did not arrive, with the versions usable offline."""
    offline = [v for v in versions() if v.state == "verified"]
    return DataError(
        f"cannot download {redact(url)}: {redact(why)}; versions available offline: "
        f"{', '.join(offline) or 'none'}",
        "check the network, or set GEOEVENTS_DATA_URL to a reachable mirror laid out like "
        "dataset/")


class _Sockets:
    """The sockets one download opens, so that its deadline can shut them down.

    Filled by the connection class of the download's own urllib3 pools (see
    _pool_classes); ``cancel`` shuts every socket down (a blocked read returns at
    once) and shuts any socket opened later as soon as it is made. Per download:
    nothing is shared between downloads or threads.
    """

    def __init__(self):
        self.lock = threading.Lock()
        self.cancelled = False
        self.copies: list[socket.socket] = []
        self.received: int | None = None  # body bytes so far; None before the headers

    def add(self, sock: socket.socket) -> socket.socket:
        try:
            copy = sock.dup()  # stays valid when TLS takes the original over
        except OSError:
            copy = sock
        with self.lock:
            self.copies.append(copy)
            if self.cancelled:
                _shut(copy)
        return sock

    def cancel(self) -> int | None:
        """Shut every socket down; returns how far the body had come (None: not begun)."""
        with self.lock:
            self.cancelled = True
            received = self.received  # before shutting: an EOF can end the headers early
            for copy in self.copies:
                _shut(copy)
        return received

    def close(self) -> None:
        with self.lock:
            for copy in self.copies:
                with contextlib.suppress(OSError):
                    copy.close()
            self.copies = []

    @contextlib.contextmanager
    def opened(self, output_file: str):
        """``output_file`` opened for writing, unless the download was already given up
        (then pooch may have removed it: opening would leave it behind)."""
        with self.lock:
            if self.cancelled:
                raise DataError("the download was stopped")
            fh = open(output_file, "wb")
        with fh:
            yield fh


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)


def _pool_classes(sockets: _Sockets) -> dict:
    """urllib3 pool classes whose connections record their sockets in ``sockets``."""
    from urllib3 import connection, connectionpool

    # named as urllib3's own classes, so that its messages read the same
    class HTTPConnection(connection.HTTPConnection):
        def _new_conn(self):
            return sockets.add(super()._new_conn())

    class HTTPSConnection(connection.HTTPSConnection):
        def _new_conn(self):  # the plain socket, before the TLS handshake
            return sockets.add(super()._new_conn())

    class HTTPConnectionPool(connectionpool.HTTPConnectionPool):
        ConnectionCls = HTTPConnection

    class HTTPSConnectionPool(connectionpool.HTTPSConnectionPool):
        ConnectionCls = HTTPSConnection

    return {"http": HTTPConnectionPool, "https": HTTPSConnectionPool}


def _adapter(sockets: _Sockets):
    """A requests adapter whose connections (direct or through an http proxy) are recorded."""
    from requests.adapters import HTTPAdapter

    class Recording(HTTPAdapter):
        def init_poolmanager(self, *args, **kwargs):
            super().init_poolmanager(*args, **kwargs)
            self.poolmanager.pool_classes_by_scheme = _pool_classes(sockets)

        def proxy_manager_for(self, proxy, **kwargs):
            manager = super().proxy_manager_for(proxy, **kwargs)
            if not proxy.lower().startswith("socks"):  # SOCKS pools have their own classes
                manager.pool_classes_by_scheme = _pool_classes(sockets)
            return manager

    return Recording(max_retries=0)


class BoundedDownloader:
    """A pooch downloader (``url, output_file, pooch``) that cannot be made to run on.

    It streams with requests into pooch's temporary file and stops with a DataError
    as soon as more bytes arrive than ``size`` (the index's; HARD_CAP when None), when
    fewer arrive, when the connect or read timeout passes, after ``limits.redirects``
    redirects, or when the deadline passes, whatever the request is doing then
    (connecting, reading a status line, headers, "100 Continue" answers or the body).
    Bodies are asked for unencoded, so the bytes counted are the file's.

    The request runs in a worker thread; the calling thread waits for it at most
    until the deadline, then shuts the download's sockets down and raises.
    """

    def __init__(self, size: int | None, limits: Limits):
        self.size, self.limits = size, limits
        self.cap = HARD_CAP if size is None else size
        self.complete = False  # set once every byte has arrived

    def __call__(self, url: str, output_file: str, pooch=None) -> None:
        sockets, outcome = _Sockets(), {}
        worker = threading.Thread(target=self._work, args=(url, output_file, sockets, outcome),
                                  name="geoevents-download", daemon=True)
        worker.start()
        finished, received = False, None
        try:
            worker.join(self.limits.deadline)
            finished = not worker.is_alive()
        finally:
            if not finished:  # the deadline, or the caller interrupted (Ctrl-C)
                received = sockets.cancel()
                worker.join(GRACE)
        if not finished:
            raise self._late(url, received)
        if "error" in outcome:
            raise outcome["error"]
        self.complete = True

    def _work(self, url: str, output_file: str, sockets: _Sockets, outcome: dict) -> None:
        try:
            self._fetch(url, output_file, sockets)
        except BaseException as exc:  # handed to the calling thread, which raises it
            outcome["error"] = exc
        finally:
            sockets.close()

    def _fetch(self, url: str, output_file: str, sockets: _Sockets) -> None:
        import requests

        timeout = (self.limits.connect, self.limits.read)
        with requests.Session() as session:
            session.mount("http://", _adapter(sockets))
            session.mount("https://", _adapter(sockets))
            session.max_redirects = self.limits.redirects
            with session.get(url, stream=True, timeout=timeout,
                             headers={"Accept-Encoding": "identity"}) as response:
                response.raise_for_status()
                self._check_declared(url, response.headers.get("Content-Length"))
                sockets.received = 0
                got = self._copy(url, response.raw, output_file, sockets)
        if self.size is not None and got != self.size:
            raise DataError(f"cannot download {redact(url)}: the server sent {got} bytes, "
                            f"index.json records {self.size}", "run again; if it persists, "
                            "the mirror is broken: set GEOEVENTS_DATA_URL to another")

    def _late(self, url: str, received: int | None) -> DataError:
        where = ("before the response headers were complete" if received is None
                 else f"with {received} bytes of the body received")
        return DataError(
            f"cannot download {redact(url)}: the deadline of {self.limits.deadline:g} s "
            f"passed {where}; stopped, nothing was kept",
            "the server is too slow: try again later, use another mirror "
            "(GEOEVENTS_DATA_URL) or allow more time (GEOEVENTS_DOWNLOAD_DEADLINE)")

    def _check_declared(self, url: str, declared: str | None) -> None:
        if declared is None or not declared.strip().isdigit():
            return  # chunked or odd: the byte count below still bounds it
        if int(declared) > self.cap or (self.size is not None and int(declared) != self.size):
            raise DataError(f"cannot download {redact(url)}: the server announces "
                            f"{declared.strip()[:30]} bytes, not {self._expected()}; nothing "
                            "was downloaded",
                            "the mirror serves another file: check GEOEVENTS_DATA_URL")

    def _copy(self, url: str, raw, output_file: str, sockets: _Sockets) -> int:
        got = 0
        with sockets.opened(output_file) as fh:
            while True:
                block = self._read(url, raw, self.cap - got + 1, got)
                if not block:
                    return got
                got += len(block)
                if got > self.cap:
                    raise DataError(
                        f"cannot download {redact(url)}: the server sent more than "
                        f"{self._expected()}; stopped, nothing was kept",
                        "the mirror serves another file: check GEOEVENTS_DATA_URL")
                fh.write(block)
                sockets.received = got

    def _read(self, url: str, raw, amount: int, got: int) -> bytes:
        """At most ``amount`` bytes, from a single receive."""
        import http.client

        import urllib3

        try:
            return raw.read1(min(CHUNK, amount), decode_content=False)
        except (urllib3.exceptions.HTTPError, http.client.HTTPException, OSError) as exc:
            raise DataError(f"cannot download {redact(url)}: the connection failed after "
                            f"{got} bytes ({redact(str(exc)[:150])}); nothing was kept",
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
