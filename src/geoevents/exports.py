"""Exports of a release: POLECAT's tab-separated layout, GeoJSON and W3C Web Annotations.

Each format is made from the tables of a release (``load``, or the tables a build is
writing) and reads only columns every release has: a release of 1.x names an event's
PLOVER mode ``mode`` (one value), a release of 2.x ``modes`` (a list); both are read.
The output is deterministic: the same tables give the same bytes.
"""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path

import polars as pl

from geoevents.errors import UsageError

FORMATS = ("polecat", "geojson", "web-annotation")
#: the file a release carries for each format it publishes
RELEASE_FILES = {"geojson": "events.geojson", "web-annotation": "citations.jsonld"}
ANNO_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
#: the media types (the Web Annotation Protocol's for annotations in JSON-LD)
MEDIA_TYPES = {"polecat": "text/tab-separated-values", "geojson": "application/geo+json",
               "web-annotation": f'application/ld+json; profile="{ANNO_CONTEXT}"'}
#: code points of source text a TextQuoteSelector gives before and after the quote
CONTEXT_CHARS = 32

POLECAT_COLUMNS = (
    "Event ID", "Event Date", "Event Type", "Event Mode", "Intensity", "Quad Code",
    "Contexts", "Actor Name", "Actor Country", "Actor COW", "Primary Actor Sector",
    "Actor Sectors", "Actor Title", "Actor Name Raw", "Wikipedia Actor ID", "Recipient Name",
    "Recipient Country", "Recipient COW", "Primary Recipient Sector", "Recipient Sectors",
    "Recipient Title", "Recipient Name Raw", "Wikipedia Recipient ID", "Placename", "City",
    "District", "Province", "Country", "Latitude", "Longitude", "GeoNames ID",
    "Raw Placename", "Feature Type", "Source", "Publication Date", "Story People",
    "Story Organizations", "Story Locations", "Language", "Version",
)
#: the POLECAT columns this dataset has nothing to fill with (README, "Exports")
POLECAT_EMPTY = (
    "Intensity", "Primary Actor Sector", "Actor Sectors", "Actor Name Raw",
    "Wikipedia Actor ID", "Primary Recipient Sector", "Recipient Sectors",
    "Recipient Name Raw", "Wikipedia Recipient ID", "City", "District", "Raw Placename",
    "Feature Type", "Story People", "Story Organizations", "Story Locations",
)

TABLES = {"polecat": ("events", "actors", "locations", "sources"),
          "geojson": ("events",),
          "web-annotation": ("events", "citations", "sources")}


def export(fmt: str, version: str | None = None, texts: dict[str, str] | None = None) -> str:
    """One release (default: the latest) in ``fmt``, as text."""
    from geoevents import loading

    if fmt not in FORMATS:
        raise UsageError(f"unknown export format {fmt!r}", f"use one of: {', '.join(FORMATS)}")
    release = loading.entry(version)["version"]  # None and LATEST: the latest
    tables = {name: loading.load(name, release) for name in TABLES[fmt]}
    return render(fmt, tables, str(release), texts)


def render(fmt: str, tables: dict[str, pl.DataFrame], version: str,
           texts: dict[str, str] | None = None) -> str:
    if fmt == "polecat":
        return polecat(tables, version)
    if fmt == "geojson":
        return dumps(geojson(tables["events"]))
    return dumps(web_annotations(tables, version, texts))


def dumps(doc) -> str:
    """JSON as releases write it: UTF-8, two-space indent, keys in the order made."""
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def modes(events: pl.DataFrame) -> pl.Expr:
    """The PLOVER modes of each event as a list: ``modes`` (2.x) or ``mode`` (1.x)."""
    if "modes" in events.columns:
        return pl.col("modes").fill_null([])
    if "mode" in events.columns:
        return pl.when(pl.col("mode").is_null()).then(pl.lit([], pl.List(pl.String))) \
            .otherwise(pl.concat_list(pl.col("mode")))
    return pl.lit([], pl.List(pl.String))


# -- POLECAT --------------------------------------------------------------------------


def _cell(value) -> str:
    """A value as one TSV cell: no tab or line break can split a row or a column."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else (
        format(value, "g") if isinstance(value, float) else str(value))
    return " ".join(text.replace("\t", " ").splitlines())


def polecat(tables: dict[str, pl.DataFrame], version: str) -> str:
    """POLECAT's layout: one row per actor-recipient pair of each event (an event
    without a recipient: one row per actor, the recipient's columns empty)."""
    import pycountry

    from geoevents.codebook import crosswalk as X
    from geoevents.codebook import load_codebook, schemas_dir

    codebook = load_codebook(schemas_dir())
    cow = dict(X.countries(codebook).select("alpha3", "cow").drop_nulls().iter_rows())
    quad = dict(X.event_types(codebook).select("event_type", "plover-quad").iter_rows())
    events = tables["events"]
    actors = {r["actor_id"]: r for r in tables["actors"].iter_rows(named=True)}
    places = {r["location_id"]: r for r in tables["locations"].iter_rows(named=True)}
    sources = {r["source_id"]: r for r in tables["sources"].iter_rows(named=True)}
    rows = [POLECAT_COLUMNS]
    events = events.with_columns(_modes=modes(events)).sort("event_id")
    for e in events.iter_rows(named=True):
        cited = [sources[s] for s in (e.get("source_ids") or []) if s in sources]
        place = places.get(e.get("location_id")) or {}
        admin1 = e.get("location_admin1")
        province = pycountry.subdivisions.get(code=admin1) if admin1 else None
        common = {
            "Event ID": e["event_id"],
            "Event Date": e.get("date_start"),
            "Event Type": e["event_type"],
            "Event Mode": ";".join(e["_modes"]),
            "Quad Code": e["quad_code"] if "quad_code" in e else quad.get(e["event_type"]),
            "Contexts": ";".join(e.get("contexts") or []),
            "Placename": e.get("location_name"),
            "Province": province.name if province else None,
            "Country": e.get("location_country"),
            "Latitude": e.get("location_lat"),
            "Longitude": e.get("location_lon"),
            "GeoNames ID": place.get("geonames_id"),
            "Source": ";".join(dict.fromkeys(s["publisher"] for s in cited)),
            "Publication Date": ";".join(
                str(s["published_start"]) if s["published_start"] else s["published"]
                for s in cited),
            "Language": ";".join(dict.fromkeys(s["language"] for s in cited)),
            "Version": version,
        }
        for actor in e.get("actor_ids") or [None]:
            for recipient in e.get("recipient_ids") or [None]:
                row = dict(common)
                for side, who in (("Actor", actor), ("Recipient", recipient)):
                    a = actors.get(who) or {}
                    row[f"{side} Name"] = a.get("name")
                    row[f"{side} Country"] = a.get("country")
                    row[f"{side} COW"] = cow.get(a.get("country"))
                    row[f"{side} Title"] = a.get("title")
                rows.append(tuple(_cell(row.get(c)) for c in POLECAT_COLUMNS))
    return "".join("\t".join(r) + "\n" for r in rows)


# -- GeoJSON --------------------------------------------------------------------------


def _json_value(value):
    if isinstance(value, list):
        return [_json_value(v) for v in value]
    if isinstance(value, float | int | bool | str) or value is None:
        return value
    return str(value)  # dates: ISO 8601


def geojson(events: pl.DataFrame) -> dict:
    """An RFC 7946 FeatureCollection: each event a Feature (its ID as ``id``) with a
    Point [longitude, latitude] where its location has coordinates, else a null
    geometry; every column of the events table a property (lists as arrays)."""
    features = []
    for e in events.sort("event_id").iter_rows(named=True):
        lon, lat = e.get("location_lon"), e.get("location_lat")
        geometry = ({"type": "Point", "coordinates": [lon, lat]}
                    if lon is not None and lat is not None else None)
        features.append({"type": "Feature", "id": e["event_id"], "geometry": geometry,
                         "properties": {k: _json_value(v) for k, v in e.items()}})
    return {"type": "FeatureCollection", "features": features}


# -- Web Annotation -------------------------------------------------------------------


def named_information(sha256: str) -> str:
    """The RFC 6920 ``ni`` URI of a text by its SHA-256 (for a source without a URL)."""
    digest = base64.urlsafe_b64encode(bytes.fromhex(sha256)).decode().rstrip("=")
    return f"ni:///sha-256;{digest}"


def web_annotations(tables: dict[str, pl.DataFrame], version: str,
                    texts: dict[str, str] | None = None) -> dict:
    """Every citation as a W3C Web Annotation, in one AnnotationCollection.

    The body is the event (the events.geojson feature of the release) and the
    English translation of the quote (a TextualBody, language en); the target is
    the source (its URL, or the ``ni`` URI of its text's SHA-256) with a
    TextQuoteSelector and a TextPositionSelector (code points, end exclusive, into
    the text whose SHA-256 ``sources`` records). With ``texts`` (source ID -> the
    text, as the build reads the seeds), ``exact`` is the text between the offsets
    and ``prefix``/``suffix`` the 32 code points around it; without them ``exact``
    is the release's quote and the selector has no prefix or suffix.
    """
    texts = texts or {}
    sources = {r["source_id"]: r for r in tables["sources"].iter_rows(named=True)}
    events = {r["event_id"]: r for r in tables["events"].iter_rows(named=True)}
    citations = tables["citations"].sort("event_id", "source_id", "char_start", "quote",
                                         nulls_last=True)
    items = []
    for c in citations.iter_rows(named=True):
        source = sources[c["source_id"]]
        start, end = c["char_start"], c["char_end"]
        text = texts.get(c["source_id"])
        quote = {"type": "TextQuoteSelector", "exact": c["quote"]}
        if text is not None and start is not None and end is not None:
            quote["exact"] = text[start:end]
            if start > 0:
                quote["prefix"] = text[max(0, start - CONTEXT_CHARS):start]
            if end < len(text):
                quote["suffix"] = text[end:end + CONTEXT_CHARS]
        selectors = [quote]
        if start is not None and end is not None:
            selectors.append({"type": "TextPositionSelector", "start": start, "end": end})
        body = [{"id": f"events.geojson#{c['event_id']}", "type": "Dataset",
                 "format": "application/geo+json",
                 "label": events.get(c["event_id"], {}).get("summary") or c["event_id"]}]
        if c.get("quote_en"):
            body.append({"type": "TextualBody", "purpose": "describing",
                         "value": c["quote_en"], "language": "en", "format": "text/plain"})
        items.append({
            "id": f"#{c['event_id']}/{c['source_id']}/{start}-{end}",
            "type": "Annotation",
            "motivation": "identifying",
            "body": body,
            "target": {
                "type": "SpecificResource",
                "source": {"id": source.get("url") or named_information(source["sha256"]),
                           "type": "Text", "format": "text/plain",
                           "language": source["language"]},
                "selector": selectors,
            },
        })
    return {
        "@context": ANNO_CONTEXT,
        "id": "citations.jsonld",
        "type": "AnnotationCollection",
        "label": f"Citations of release {version}",
        "total": len(items),
        "first": {"id": "citations.jsonld#page-1", "type": "AnnotationPage",
                  "partOf": "citations.jsonld", "startIndex": 0, "items": items},
    }


def seed_texts(root: Path, sources: pl.DataFrame) -> dict[str, str]:
    """Source ID -> text of each source of a release whose file in ``root``'s seeds/
    is the one the release cites (the same SHA-256, read as the build reads it);
    the others are left out."""
    from geoevents.evidence_text import read_sources

    records = sources.select("source_id", "file", "sha256").with_columns(
        _file=pl.lit("seeds/sources.yaml"), _line=pl.lit(None, pl.Int64))
    out = {}
    for i in range(records.height):  # one at a time: a problem is that source's
        texts, problems = read_sources(Path(root), records.slice(i, 1))
        if not problems.height:
            out.update((s, t) for s, t in texts.iter_rows() if t is not None)
    return out


def check_out(out: Path) -> None:
    """Refuse an --out that is not a new or regular file, or that stands in a folder of
    published releases (a release folder, a dataset/ with its index.json, the packaged
    releases or the download cache): an export never changes a release."""
    from geoevents import loading

    if str(out) in ("", "."):
        raise UsageError("--out is empty", "name the file to write, or leave --out out")
    if os.path.lexists(out) and not os.path.isfile(out):
        raise UsageError(f"--out {out} exists and is not a regular file",
                         "name a new file, or a regular file to replace")
    target = Path(os.path.realpath(out))
    folder = target.parent
    if not folder.is_dir():
        raise UsageError(f"the folder of --out {out} ({folder}) does not exist",
                         "create it first, or write elsewhere")
    protected = [p for p in (loading.bundled_dir(), loading.cache_dir()) if p is not None]
    inside = any(folder == Path(os.path.realpath(p)) or
                 folder.is_relative_to(Path(os.path.realpath(p))) for p in protected)
    if inside or (folder / "index.json").is_file() or (folder.parent / "index.json").is_file():
        raise UsageError(f"--out {out} stands among published releases ({folder})",
                         "a release is never changed: write the export outside dataset/ "
                         "and the cache")


def write(fmt: str, text: str, out: Path | None) -> None:
    """``text`` to ``out`` atomically (a temporary file renamed over it), or to stdout."""
    from geoevents import safefile
    from geoevents.errors import EnvironmentFailure

    if out is None:
        import sys

        if sys.stdout is None:
            raise EnvironmentFailure("standard output is closed: nothing can be written",
                                     "give --out FILE, or open standard output")
        sys.stdout.write(text)
        return
    safefile.replace(out, text.encode("utf-8"))
