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


def _added(doc: dict) -> dict:
    """url and doi from the package's project file, where the release's CFF has none."""
    project = _project()
    out = {}
    if not doc.get("url") and isinstance(project.get("homepage"), str):
        out["url"] = project["homepage"]
    if not doc.get("doi") and isinstance(project.get("doi"), str):
        out["doi"] = project["doi"]
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


_SPECIAL = re.compile(r"([&%$#_{}])")


def _tex(value) -> str:
    text = str(value).replace("\\", r"\textbackslash{}")
    text = _SPECIAL.sub(r"\\\1", text)
    return text.replace("~", r"\textasciitilde{}").replace("^", r"\textasciicircum{}")


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
    if doc.get("doi"):
        fields.append(("doi", _tex(doc["doi"])))
    if doc.get("url"):
        fields.append(("url", str(doc["url"])))
    body = ",\n".join(f"  {k} = {{{v}}}" for k, v in fields)
    return f"@misc{{{slug or 'dataset'}-{version},\n{body}\n}}\n"
