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

__all__ = ["__version__", "fetch", "load", "read_annotations", "scan", "validate", "versions"]


def load(table="events", version=None):
    """One table of a release as a polars DataFrame; the latest release by default.

    The latest release ships with the package (works offline); other versions are
    downloaded from ``GEOEVENTS_DATA_URL`` (http or https) into ``GEOEVENTS_CACHE``.
    Every file, bundled, cached or downloaded, is checked against the sha256 and
    size in the installed ``index.json`` before it is read (once per process while
    it is unchanged). Raises ``geoevents.loading.DataError`` or a subclass:
    ``UnknownRelease`` (no such table or version), ``TamperedFile`` (a bundled file
    differs from the index), ``CorruptIndex``, ``CacheUnusable``, ``BadSetting``.
    """
    from geoevents import loading as _load

    return _load.load(table, version)


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
    """Download and verify every file of a release into the cache; returns the folder.

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
