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

__all__ = ["__version__", "read_annotations", "validate"]


def validate(root=".") :
    """All problems of an annotation project, as a polars DataFrame.

    Columns: rule, severity, file, line, field, value, message, hint. An empty
    frame means the project is valid.
    """
    from geoevents import check

    return check.run(root).problems


def read_annotations(root="."):
    """The normalized tables of an annotation project, as polars DataFrames.

    Returns a dict with events (with derived date_start, date_end,
    date_precision, date_approximate, date_uncertain), event_actors, citations,
    actors, locations, sources, curators, errata and retired. Every row keeps
    ``_file`` and ``_line``, where it was written.
    """
    from geoevents import check

    return check.run(root).tables
