"""geoevents: hand-annotated geopolitical events, validated and released with citations.

>>> import geoevents
>>> problems = geoevents.validate("path/to/project")      # doctest: +SKIP
>>> tables = geoevents.read_annotations("path/to/project")  # doctest: +SKIP
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("geoevents")
except PackageNotFoundError:  # running from a source tree
    __version__ = "0.0.0"

__all__ = ["__version__", "cite", "fetch", "load", "overlaps", "path", "read_annotations",
           "scan", "to_pandas", "validate", "versions", "within"]


def load(table="events", version=None, backend="polars"):
    """One table of a release as a polars DataFrame; the latest release by default.

    ``backend="pandas"`` gives a pandas DataFrame instead, with dates as
    ``datetime.date`` and lists as Python lists (see ``to_pandas``).

    Every release published when the package was built ships with it (works
    offline); a later one is downloaded from ``GEOEVENTS_DATA_URL`` (http or
    https) into ``GEOEVENTS_CACHE``.
    Every file, bundled, cached or downloaded, is checked against the sha256 and
    size in the installed ``index.json`` before it is read (once per process while
    it is unchanged). Raises ``geoevents.loading.DataError`` or a subclass:
    ``UnknownRelease`` (no such table or version), ``TamperedFile`` (a bundled file
    differs from the index), ``CorruptIndex``, ``CacheUnusable``, ``BadSetting``.
    """
    from geoevents import loading as _load

    return _load.load(table, version, backend)


def path(table="events", version=None, format="parquet"):
    """The local file of one table of a release (default: events of the latest), as a
    ``pathlib.Path``: ``format`` is "parquet" or "csv".

    The file is verified against ``index.json`` as ``load`` verifies it (a bundled
    release is used in place; another is downloaded into the cache first), so any
    tool can read it: ``duckdb.sql(f"SELECT * FROM '{geoevents.path()}'")``. Raises
    ``UnknownRelease`` (no such table or version), ``TamperedFile`` and the other
    ``DataError``s of ``load``, and ``geoevents.errors.UsageError`` for another format.
    """
    from geoevents import loading as _load

    return _load.path(table, version, format)


def cite(version=None, format="text"):
    """How to cite a release (default: the latest), from its own CITATION.cff, as a str.

    ``format``: "text" (one paragraph), "bibtex" (a @misc entry) or "cff" (the
    release's CITATION.cff). The URL and DOI come from that file, or for a release
    published without them from the project file installed with the package.
    """
    from geoevents.citation import cite as _cite

    return _cite(version, format)


def within(start, end):
    """A polars expression: the event's dates lie wholly inside [start, end].

    ``start`` and ``end`` are dates or ISO strings (``"2023-01-01"``), both days
    included; ``date_start`` and ``date_end`` must both be known and inside.
    ``events.filter(geoevents.within("2023-01-01", "2023-12-31"))``.
    """
    from geoevents.frames import within as _within

    return _within(start, end)


def overlaps(start, end):
    """A polars expression: the event's dates meet [start, end] on at least one day.

    An empty ``date_start`` or ``date_end`` (an open or unknown end of an interval)
    is unbounded on its side. ``events.filter(geoevents.overlaps("2023-01-01",
    "2023-12-31"))``.
    """
    from geoevents.frames import overlaps as _overlaps

    return _overlaps(start, end)


def to_pandas(frame):
    """A polars DataFrame (or LazyFrame) of a release table as a pandas DataFrame, with
    dates as ``datetime.date`` and lists as Python lists (needs pandas and pyarrow:
    ``pip install 'geoevents[pandas]'``)."""
    from geoevents.frames import to_pandas as _to_pandas

    return _to_pandas(frame)


def scan(table="events", version=None):
    """Like ``load`` but a polars LazyFrame (the file is verified the same way)."""
    from geoevents import loading as _load

    return _load.scan(table, version)


def versions():
    """The published versions, oldest first.

    Each is a str (``"1.1.0"``) that also says where its files are and whether they
    verify: ``.date``, ``.bundled`` (yes, no, tampered), ``.cached`` (yes, partial,
    no, corrupt), ``.state`` (verified, remote, tampered, corrupt), ``.problems``.
    """
    from geoevents import loading as _load

    return _load.versions()


def fetch(version):
    """The folder holding every file of a release, verified; returns its path.

    A release shipped with the package is verified in place, with no network; any
    other is downloaded into the cache (what it lacks) and verified.

    Each download is bounded by the size in ``index.json``, connect and read
    timeouts and a deadline per file (``GEOEVENTS_CONNECT_TIMEOUT``,
    ``GEOEVENTS_READ_TIMEOUT``, ``GEOEVENTS_DOWNLOAD_DEADLINE``, in seconds); a
    failed one leaves nothing in the cache.
    """
    from geoevents import loading as _load

    return _load.fetch(version)


def validate(root="."):
    """All problems of an annotation project, as a polars DataFrame.

    Columns: rule, severity, file, line, field, value, message, hint. An empty
    frame means the project is valid. Raises ``geoevents.errors.NotAProject``
    for a folder that holds no annotation project (no geoevents.yaml, seeds/ or
    annotations/) and ``geoevents.codebook.CodebookError`` for a project whose
    own schemas/ cannot be used.
    """
    from geoevents import check

    return check.run(root).problems


def read_annotations(root="."):
    """The tables of an annotation project, read and normalised, as polars DataFrames;
    the rules are not run (``validate`` runs them).

    Returns a dict with one frame per table of the codebook: events (with the
    derived date_start, date_end, date_precision, date_approximate,
    date_uncertain), event_actors, citations, actors, locations, sources
    (with published_start ...), curators, errata, retired and project. Values
    are cast to their field's type; one that does not cast is empty. Every row
    keeps ``_file`` and ``_line``, where it was written. Raises
    ``geoevents.errors.NotAProject`` and ``geoevents.codebook.CodebookError``
    as ``validate`` does.
    """
    from geoevents import check

    return check.read_normalised(root)
