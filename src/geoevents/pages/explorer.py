"""The explorer of a release: one self-contained ``explorer.html``.

The events table (paged, so that 100,000 events stay quick) with filters and a
free-text search over summaries and quotes, a timeline, a map of the events'
locations on an offline world outline, and for each event every column and its
citations (quote, translation, source, offsets). The data is one JSON blob in
the page, column by column; the same tables give the same bytes.

Nothing here names a column the page cannot do without: the filters, the
table's columns and the search use those of ``FILTERS``, ``TABLE_COLUMNS`` and
``SEARCHED`` that the release has, and every column is shown in an event's
details, list columns as lists.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from geoevents.errors import UsageError
from geoevents.pages import world
from geoevents.pages.html import asset, colours, esc, page, plain, type_css

#: (column, label) of the filters, where the release has the column
FILTERS = (("event_type", "Type"), ("status", "Status"), ("actor_countries", "Actor country"),
           ("recipient_countries", "Recipient country"))
#: the column whose year the year filter and the timeline read
YEAR_OF = "date_start"
#: the columns of the table (every column is in an event's details)
TABLE_COLUMNS = ("event_id", "date", "event_type", "status", "summary", "actor_countries",
                 "recipient_countries", "location_name")
#: what the search reads: columns of events, and of citations
SEARCHED = {"events": ("event_id", "summary"), "citations": ("quote", "quote_en")}
#: the coordinates the map reads, and the place's name
LAT, LON, PLACE = "location_lat", "location_lon", "location_name"
#: an event's citations and their sources: how the tables link
EVENT_KEY, SOURCE_KEY = "event_id", "source_id"


def explorer(tables: dict[str, pl.DataFrame], package: dict | None = None) -> str:
    """The explorer page of a release's tables; ``package`` (its datapackage.json)
    gives the title, version, licence and column descriptions."""
    package = package or {}
    events = tables["events"]
    data = {
        "meta": _meta(package),
        "columns": _columns(events, package),
        "events": _by_column(events),
        "citations": _citations(events, tables.get("citations")),
        "sources": _sources(tables.get("sources")),
        "filters": [[c, label] for c, label in FILTERS if c in events.columns],
        "year": YEAR_OF if YEAR_OF in events.columns else None,
        "table": [c for c in TABLE_COLUMNS if c in events.columns],
        "searched": {t: [c for c in cols if c in tables.get(t, pl.DataFrame()).columns]
                     for t, cols in SEARCHED.items()},
        "map": [LAT, LON, PLACE] if {LAT, LON} <= set(events.columns) else None,
    }
    types = sorted(set(events["event_type"].drop_nulls())) if "event_type" in events.columns else []
    title = f"{package.get('title') or package.get('name') or 'Events'} {package.get('version', '')}"
    body = _body(title.strip(), package)
    return page(f"{title.strip()} — explorer", body, type_css(colours(types)),
                asset("explorer.js"), data)


def write(path: Path | str, tables: dict[str, pl.DataFrame], package: dict | None = None) -> None:
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(explorer(tables, package))


def write_whole(path: Path | str, tables: dict[str, pl.DataFrame],
                package: dict | None = None) -> None:
    """Write the page beside ``path``, then move it into place: never half-written."""
    import os
    import tempfile

    path = Path(path)
    if path.is_dir():
        raise UsageError(f"--out {path} is a folder", "give the name of the HTML file to write")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp",
                               dir=path.absolute().parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(explorer(tables, package))
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _meta(package: dict) -> dict:
    keep = ("name", "title", "version", "created", "description", "homepage", "id")
    meta = {k: package[k] for k in keep if package.get(k)}
    meta["licenses"] = [lic.get("title") or lic.get("name") for lic in package.get("licenses", [])]
    return meta


def _descriptions(package: dict, name: str) -> dict[str, str]:
    for resource in package.get("resources", []):
        if resource.get("name") == name:
            return {f["name"]: f.get("description", "")
                    for f in resource.get("schema", {}).get("fields", [])}
    return {}


def _columns(frame: pl.DataFrame, package: dict) -> list[dict]:
    described = _descriptions(package, "events")
    return [{"name": c, "list": isinstance(t, pl.List), "description": described.get(c, "")}
            for c, t in frame.schema.items()]


def _by_column(frame: pl.DataFrame) -> dict[str, list]:
    """Each column as a list of JSON values: dates as ISO text, NaN as null."""
    out = {}
    for name, kind in frame.schema.items():
        column = frame.get_column(name)
        if kind.is_temporal():
            column = column.dt.to_string()
        elif kind.is_float():
            column = column.fill_nan(None)
        elif not (kind.is_numeric() or kind in (pl.String, pl.Boolean, pl.List(pl.String))):
            out[name] = [plain(v) for v in column.to_list()]
            continue
        out[name] = column.to_list()
    return out


def _citations(events: pl.DataFrame, citations: pl.DataFrame | None) -> dict[str, list]:
    """Citations column by column, each with the row of its event (``_event``)."""
    if citations is None or EVENT_KEY not in citations.columns:
        return {"_event": []}
    rows = pl.DataFrame({EVENT_KEY: events.get_column(EVENT_KEY)}).with_row_index("_event")
    linked = citations.join(rows.with_columns(pl.col("_event").cast(pl.Int64)), on=EVENT_KEY,
                            how="inner", maintain_order="left")
    linked = linked.select("_event", *[c for c in citations.columns if c != EVENT_KEY])
    return _by_column(linked)


def _sources(sources: pl.DataFrame | None) -> dict[str, dict]:
    if sources is None or SOURCE_KEY not in sources.columns:
        return {}
    return {row[SOURCE_KEY]: {k: plain(v) for k, v in row.items() if v is not None}
            for row in sources.iter_rows(named=True)}


def _body(title: str, package: dict) -> str:
    licences = ", ".join(lic.get("title") or lic.get("name", "")
                         for lic in package.get("licenses", []))
    return f"""<header><h1>{esc(title)}</h1>
<p class="subtitle">{esc(package.get('description'))}
{f'Licence: {esc(licences)}.' if licences else ''}</p></header>
<main>
<form class="filters" id="filters" role="search" aria-label="Filter events">
<label>Search <input type="search" id="search" placeholder="summaries and quotes"></label>
<span id="filter-selects"></span>
<label>Year <select id="year"><option value="">all</option></select></label>
<button type="button" id="clear">Clear</button>
<output id="count" aria-live="polite"></output>
</form>
<section class="charts">
<figure id="timeline-figure"><figcaption>Events per year (click a bar to filter)</figcaption>
<svg id="timeline" role="img" aria-label="Events per year" viewBox="0 0 600 120" preserveAspectRatio="none"></svg></figure>
<figure id="map-figure"><figcaption>Event locations</figcaption>
<svg id="map" role="img" aria-label="Map of event locations" viewBox="0 100 3600 1500">
<path class="land" d="{world.outline()}"/><g id="points"></g></svg>
<p class="small">{esc(world.CREDIT)}.</p></figure>
</section>
<section aria-label="Events">
<div class="pager"><button type="button" id="prev" aria-label="Previous page">‹ Previous</button>
<span id="page"></span><button type="button" id="next" aria-label="Next page">Next ›</button></div>
<div class="table-wrap"><table id="events"><thead></thead><tbody></tbody></table></div>
</section>
<section id="detail" aria-live="polite" tabindex="-1"><p class="small">Select an event (click, or
Enter on a focused row) to see every field and its citations.</p></section>
</main>"""
