"""How to cite a release: from its own CITATION.cff, as text, BibTeX or CFF.

The CITATION.cff of a release is read from its verified file (bundled, cached or
downloaded, as ``load()`` reads tables). A release published before its CITATION.cff
carried ``url`` and ``doi`` takes them from the project file installed with the
package (``homepage`` and ``doi`` of ``geoevents.yaml``); a published file is never
changed, so the CFF printed is the release's own bytes with those keys appended.
"""

from __future__ import annotations

import json
import re

from geoevents import loading
from geoevents.errors import UsageError

FORMATS = ("text", "bibtex", "cff")


def cite(version: str | None = None, format: str = "text") -> str:
    """The citation of a release (default: the latest) in ``format``: text, bibtex or cff."""
    if format not in FORMATS:
        raise UsageError(f"unknown citation format {format!r}: use {', '.join(FORMATS)}",
                         "format='text' (the default), 'bibtex' or 'cff'")
    path = loading.release_file(version, "CITATION.cff")
    text = path.read_text(encoding="utf-8")
    doc = _parse(text, path)
    added = _added(doc)
    doc |= added
    if format == "cff":
        lines = "".join(f"{k}: {json.dumps(v, ensure_ascii=False)}\n" for k, v in added.items())
        return (text if text.endswith("\n") else text + "\n") + lines
    if format == "bibtex":
        return bibtex(doc)
    return plain(doc)


def _parse(text: str, path) -> dict:
    from geoevents import yamlio

    try:
        doc = yamlio.load_plain(text)
    except (ValueError, yamlio.yaml.YAMLError):
        doc = None
    if not isinstance(doc, dict) or not isinstance(doc.get("title"), str):
        raise loading.DataError(f"{path} is not a CITATION.cff with a title",
                                "the file matches index.json, so the release itself is "
                                "broken: report it")
    return doc


#: what the project file's homepage and doi must look like to be cited (the project
#: table's patterns, and CFF's: no space, quote, brace or angle bracket in either)
URL_RE = re.compile(r"https?://[^\s\"'{}<>\\`]+")
DOI_RE = re.compile(r"10\.[0-9]{4,9}/[^\s\"'{}<>\\`]+")


def _added(doc: dict) -> dict:
    """url and doi from the package's project file, where the release's CFF has none
    (a value that does not look like a URL or a DOI is left out)."""
    project = _project()
    out = {}
    homepage, doi = project.get("homepage"), project.get("doi")
    if not doc.get("url") and isinstance(homepage, str) and URL_RE.fullmatch(homepage):
        out["url"] = homepage
    if not doc.get("doi") and isinstance(doi, str) and DOI_RE.fullmatch(doi):
        out["doi"] = doi
    return out


def _project() -> dict:
    from geoevents import yamlio

    for path in (loading.PACKAGED_PROJECT, loading.REPO_PROJECT):
        if path.is_file():
            try:
                doc = yamlio.load_plain(path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, ValueError, yamlio.yaml.YAMLError):
                return {}
            return doc if isinstance(doc, dict) else {}
    return {}


def _names(doc: dict) -> list[tuple[str, bool]]:
    """Each author as (name, is a person), a person as 'Family, Given'."""
    out = []
    for a in doc.get("authors") or []:
        if not isinstance(a, dict):
            continue
        family, given = a.get("family-names"), a.get("given-names")
        if family:
            out.append((f"{family}, {given}" if given else str(family), True))
        elif a.get("name"):
            out.append((str(a["name"]), False))
    return out


def _year(doc: dict) -> str:
    return str(doc.get("date-released") or "")[:4] or "n.d."


def plain(doc: dict) -> str:
    """One paragraph: authors (year). title, version V [dataset]. DOI URL."""
    names = [n for n, _ in _names(doc)] or ["Anonymous"]
    authors = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " & " + names[-1]
    parts = [f"{authors} ({_year(doc)}). {doc['title']}, version {doc.get('version')} [dataset]."]
    if doc.get("doi"):
        parts.append(f"https://doi.org/{doc['doi']}")
    if doc.get("url"):
        parts.append(str(doc["url"]))
    return " ".join(parts) + "\n"


_TEX = {"\\": r"\textbackslash{}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
        **{c: "\\" + c for c in "&%$#_{}"}}


def _tex(value) -> str:
    """``value`` as BibTeX text: one line, each special character escaped once."""
    return "".join(_TEX.get(c, c) for c in " ".join(str(value).split()))


def _verbatim(value) -> str:
    """A DOI or URL as BibTeX takes it (verbatim: nothing escaped), or nothing when it
    holds a character that would end the field."""
    text = str(value)
    return "" if re.search(r"[\s{}\\]", text) else text


def bibtex(doc: dict) -> str:
    """A @misc entry (BibTeX has no dataset type); an entity author is braced whole."""
    names = [_tex(n) if person else "{" + _tex(n) + "}" for n, person in _names(doc)]
    version = str(doc.get("version") or "")
    slug = re.sub(r"[^A-Za-z0-9]+", "-", str(doc["title"]).split(":")[0]).strip("-").lower()
    fields = [("author", " and ".join(names) or "{Anonymous}"),
              ("title", "{" + _tex(doc["title"]) + "}"),
              ("year", _year(doc)), ("version", _tex(version)), ("howpublished", "Dataset")]
    if doc.get("date-released"):
        fields.append(("note", f"Released {_tex(doc['date-released'])}"))
    if doc.get("doi") and _verbatim(doc["doi"]):
        fields.append(("doi", _verbatim(doc["doi"])))
    if doc.get("url") and _verbatim(doc["url"]):
        fields.append(("url", _verbatim(doc["url"])))
    body = ",\n".join(f"  {k} = {{{v}}}" for k, v in fields)
    key = re.sub(r"[^A-Za-z0-9.-]+", "-", f"{slug or 'dataset'}-{version}").strip("-")
    return f"@misc{{{key},\n{body}\n}}\n"
