"""Release metadata: datapackage.json, CITATION.cff, the release README, SHA256SUMS."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from pathlib import Path

import polars as pl

from geoevents.codebook import Codebook

TITLE = "geoevents: hand-annotated geopolitical events from multilingual news"
DESCRIPTION = (
    "Geopolitical events (summits, visits, warnings, missile launches, denials, planned "
    "meetings) annotated by hand from multilingual news and reference texts, coded with the "
    "PLOVER event ontology, every event cited to the exact words of its source."
)
DATA_LICENSE = {
    "name": "CC-BY-4.0",
    "path": "https://creativecommons.org/licenses/by/4.0/",
    "title": "Creative Commons Attribution 4.0 International",
}

DERIVED = {
    "events.date_start": "First day the EDTF date can mean (derived).",
    "events.date_end": "Last day the EDTF date can mean (derived).",
    "events.date_precision": "day, month, year, season or interval (derived).",
    "events.date_approximate": "The date is marked approximate (~ or %).",
    "events.date_uncertain": "The date is marked uncertain (? or %).",
    "events.quad": "PLOVER quad category of the event type.",
    "events.cameo_roots": "CAMEO root codes the PLOVER type corresponds to (crosswalk).",
    "events.actor_ids": "Actors of the event (role actor).",
    "events.actor_countries": "ISO 3166-1 alpha-3 countries of the actors.",
    "events.recipient_ids": "Recipients of the event (role recipient).",
    "events.recipient_countries": "ISO 3166-1 alpha-3 countries of the recipients.",
    "events.location_name": "Name of the event's location.",
    "events.location_country": "ISO 3166-1 alpha-3 country of the location.",
    "events.location_admin1": "ISO 3166-2 subdivision of the location.",
    "events.location_lat": "Latitude of the location (WGS 84).",
    "events.location_lon": "Longitude of the location (WGS 84).",
    "events.location_precision": "What the location's coordinates stand for.",
    "events.source_ids": "Sources cited for the event.",
    "citations.char_start": "Offset (Unicode code points) where the quote starts in the source text.",
    "citations.char_end": "Offset (exclusive) where the quote ends in the source text.",
    "sources.published_start": "First day the publication date can mean (derived).",
    "sources.published_end": "Last day the publication date can mean (derived).",
    "sources.published_precision": "Precision of the publication date (derived).",
    "sources.published_approximate": "The publication date is approximate.",
    "sources.published_uncertain": "The publication date is uncertain.",
}

FOREIGN_KEYS = {
    "events": [("location_id", "locations", "location_id")],
    "event_actors": [("event_id", "events", "event_id"), ("actor_id", "actors", "actor_id")],
    "citations": [("event_id", "events", "event_id"), ("source_id", "sources", "source_id")],
    "actors": [("affiliation", "actors", "actor_id")],
    "errata": [("source_id", "sources", "source_id"), ("event_id", "events", "event_id")],
}
PRIMARY_KEYS = {
    "events": ["event_id"], "event_actors": ["event_id", "actor_id", "role"],
    "citations": ["event_id", "source_id", "quote"], "actors": ["actor_id"],
    "locations": ["location_id"], "sources": ["source_id"], "errata": ["erratum_id"],
}


def sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _field_type(dtype: pl.DataType) -> str:
    if dtype == pl.Boolean:
        return "boolean"
    if dtype.is_integer():
        return "integer"
    if dtype.is_float():
        return "number"
    if dtype == pl.Date:
        return "date"
    return "string"


def _description(codebook: Codebook, table: str, column: str) -> str:
    t = codebook.tables.get(table)
    f = t.field(column) if t else None
    if f is not None:
        text = f.description
    elif f"{table}.{column}" in DERIVED:
        text = DERIVED[f"{table}.{column}"]
    elif "_" in column and t and column.rsplit("_", 1)[0] in t.localized:
        text = f"{column.rsplit('_', 1)[0]} as sources in '{column.rsplit('_', 1)[1]}' write it."
    else:
        text = ""
    return text


def datapackage(version: str, date: str, tables: dict[str, pl.DataFrame], folder: Path,
                codebook: Codebook, curators: pl.DataFrame) -> dict:
    resources = []
    for name, frame in tables.items():
        path = folder / f"{name}.csv"
        fields = []
        for column, dtype in frame.schema.items():
            field = {"name": column, "type": _field_type(dtype),
                     "description": _description(codebook, name, column)}
            if isinstance(dtype, pl.List):
                field["description"] += " In CSV, values are separated by ';'."
            fields.append(field)
        schema = {"fields": fields, "primaryKey": PRIMARY_KEYS[name], "missingValues": [""]}
        fks = [
            {"fields": col, "reference": {"resource": "" if ref == name else ref, "fields": ref_col}}
            for col, ref, ref_col in FOREIGN_KEYS.get(name, [])
        ]
        if fks:
            schema["foreignKeys"] = fks
        t = codebook.tables.get(name)
        resources.append({
            "name": name,
            "path": f"{name}.csv",
            "profile": "tabular-data-resource",
            "title": t.title if t else name,
            "description": (t.description if t else "") + f" Also as {name}.parquet.",
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "bytes": path.stat().st_size,
            "hash": f"sha256:{sha256(path)}",
            "schema": schema,
        })
    sources = tables["sources"]
    return {
        "profile": "tabular-data-package",
        "name": "geoevents",
        "title": TITLE,
        "description": DESCRIPTION,
        "version": version,
        "created": f"{date}T00:00:00Z",
        "licenses": [DATA_LICENSE],
        "keywords": ["events", "geopolitics", "PLOVER", "North Korea", "Russia"],
        "contributors": _contributors(curators),
        "sources": [
            {"title": f"{r['publisher']}: {r['title']}", **({"path": r["url"]} if r.get("url") else {})}
            for r in sources.sort("source_id").iter_rows(named=True)
        ],
        "resources": resources,
    }


def _contributors(curators: pl.DataFrame) -> list[dict]:
    people = []
    for r in curators.sort("curator_id").iter_rows(named=True):
        person = {"title": r.get("name") or r["curator_id"], "role": "author"}
        if r.get("orcid"):
            person["path"] = f"https://orcid.org/{r['orcid']}"
        people.append(person)
    return people


def citation_cff(version: str, date: str, curators: pl.DataFrame) -> str:
    """CITATION.cff, written by a YAML serializer: no value can add a key or break the file."""
    authors = []
    for r in curators.sort("curator_id").iter_rows(named=True):
        author = {"name": _Quoted(r.get("name") or r["curator_id"])}
        if r.get("orcid"):
            author["orcid"] = _Quoted(f"https://orcid.org/{r['orcid']}")
        authors.append(author)
    doc = {
        "cff-version": "1.2.0",
        "message": _Quoted("If you use this dataset, please cite it as below."),
        "type": "dataset",
        "title": _Quoted(TITLE),
        "version": _Quoted(version),
        "date-released": _Quoted(date),
        "license": "CC-BY-4.0",
        "abstract": _Quoted(DESCRIPTION),
        "keywords": [_Quoted(k) for k in ("events", "geopolitics", "PLOVER", "event data")],
        "authors": authors,
    }
    return dump_yaml(doc)


class _Quoted(str):
    """A string the YAML serializer writes double-quoted (CFF's own examples quote them)."""


def dump_yaml(doc: dict) -> str:
    """YAML by PyYAML's serializer; it must read back as the same data, or nothing is written."""
    import yaml

    class Dumper(yaml.SafeDumper):
        def increase_indent(self, flow=False, indentless=False):  # "  - item" under a key
            return super().increase_indent(flow, False)

    Dumper.add_representer(_Quoted, lambda dumper, value: dumper.represent_scalar(
        "tag:yaml.org,2002:str", str(value), style='"'))
    text = yaml.dump(doc, Dumper=Dumper, sort_keys=False, allow_unicode=True,
                     width=float("inf"), default_flow_style=False)
    if yaml.safe_load(text) != _plain(doc):
        raise ValueError("the YAML serializer did not round-trip a release file")
    return text


def _plain(value):
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return str(value) if isinstance(value, str) else value


def release_readme(version: str, date: str, tables: dict[str, pl.DataFrame], changes: dict,
                   curators: pl.DataFrame) -> str:
    events = tables["events"]
    years = Counter(d.year for d in events.get_column("date_start").drop_nulls().to_list())
    types = Counter(events.get_column("event_type").to_list())
    countries = Counter(c for cs in events.get_column("actor_countries").to_list() for c in cs)
    statuses = Counter(events.get_column("status").to_list())

    def table(counter: Counter, head: str) -> list[str]:
        rows = [f"| {head} | events |", "| --- | ---: |"]
        rows += [f"| {k} | {v} |" for k, v in sorted(counter.items(), key=lambda kv: str(kv[0]))]
        return rows

    counts = "\n".join(f"| {n} | {f.height} |" for n, f in tables.items())
    lines = [
        f"# geoevents {version}",
        "",
        f"Released {date}. {DESCRIPTION}",
        "",
        "## Contents",
        "",
        "Each table is given as CSV (UTF-8; list values separated by `;`) and Parquet.",
        "`datapackage.json` describes every field, key and file (Frictionless Data Package);",
        "`SHA256SUMS` lists the checksum of every file; `changes.json` what changed since",
        f"{changes.get('previous') or 'nothing (first release)'};",
        "`quality.json` the results of the release's data-quality suite;",
        "`timeline.png` the events over time.",
        "",
        "| table | rows |",
        "| --- | ---: |",
        counts,
        "",
        "## Events by year (first day of the date)",
        "",
        *table(years, "year"),
        "",
        "## Events by type",
        "",
        *table(types, "PLOVER type"),
        "",
        "## Events by status",
        "",
        *table(statuses, "status"),
        "",
        "## Events by actor country",
        "",
        *table(countries, "country"),
        "",
        "## How to cite",
        "",
        (f"{authors(curators)} ({date[:4]}). *{TITLE}*, version {version} [dataset]. "
         "See `CITATION.cff`."),
        "",
        "## Licence",
        "",
        "CC BY 4.0. Quotations remain the property of their publishers and are reproduced",
        "for citation; the source texts themselves are not redistributed.",
        "",
    ]
    return "\n".join(lines)


def authors(curators: pl.DataFrame) -> str:
    names = [r.get("name") or r["curator_id"] for r in curators.sort("curator_id").iter_rows(
        named=True)]
    return ", ".join(names) or "geoevents curators"


def sha256sums(folder: Path) -> str:
    files = sorted(p for p in folder.iterdir() if p.is_file() and p.name != "SHA256SUMS")
    return "".join(f"{sha256(p)}  {p.name}\n" for p in files)


def dumps(doc) -> str:
    return json.dumps(doc, ensure_ascii=False, indent=2, default=str) + "\n"
