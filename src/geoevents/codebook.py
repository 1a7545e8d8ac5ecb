"""The codebook: tables, fields and vocabularies, read from ``schemas/``.

Everything the checks, the JSON Schema and the release metadata know about the
data model comes from here, so adding a field or a vocabulary value is an edit
to one YAML file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from geoevents import yamlio

PACKAGED_SCHEMAS = Path(__file__).parent / "_schemas"
REPO_SCHEMAS = Path(__file__).resolve().parents[2] / "schemas"

CODE_LISTS = ("iso3166-1-alpha3", "iso3166-2", "iso639-1")


@dataclass(frozen=True)
class Field:
    name: str
    type: str = "string"
    required: bool = False
    pattern: str | None = None
    vocabulary: str | tuple[str, ...] | None = None
    references: str | None = None
    unique: bool = False
    minimum: float | None = None
    maximum: float | None = None
    max_length: int | None = None
    localized: bool = False
    description: str = ""

    @property
    def ref_table(self) -> str | None:
        return self.references.split(".")[0] if self.references else None

    @property
    def ref_field(self) -> str | None:
        return self.references.split(".")[1] if self.references else None


@dataclass(frozen=True)
class Table:
    name: str
    title: str
    description: str
    fields: tuple[Field, ...]
    primary_key: tuple[str, ...]
    location: str | None = None
    nested_in: dict | None = None

    def field(self, name: str) -> Field | None:
        return next((f for f in self.fields if f.name == name), None)

    @property
    def names(self) -> list[str]:
        return [f.name for f in self.fields]

    @property
    def localized(self) -> list[str]:
        return [f.name for f in self.fields if f.localized]


@dataclass(frozen=True)
class EventType:
    code: str
    quad: str
    cameo_roots: tuple[str, ...]
    requires_recipient: bool
    definition: str
    modes: dict[str, str]
    extension: bool = False


@dataclass(frozen=True, eq=False)
class Codebook:
    root: Path
    tables: dict[str, Table]
    patterns: dict[str, str]
    vocabularies: dict[str, dict[str, str]]
    event_types: dict[str, EventType]
    plover_version: str = ""
    extras: dict = field(default_factory=dict)

    def pattern(self, f: Field) -> str | None:
        if f.pattern is None:
            return None
        return self.patterns.get(f.pattern, f.pattern)

    def vocabulary(self, f: Field) -> list[str] | None:
        """Allowed values of a field, or None when it has no closed vocabulary."""
        vocab = f.vocabulary
        if vocab is None:
            return None
        if isinstance(vocab, tuple):
            return list(vocab)
        if vocab in CODE_LISTS:
            return sorted(code_list(vocab))
        return list(self.vocabularies[vocab])

    def table_for_file(self, stem: str) -> str | None:
        """The table an annotation file belongs to: ``actors``, ``events-2019`` ..."""
        for name in self.tables:
            if stem == name or re.fullmatch(rf"{re.escape(name)}-[\w.-]+", stem):
                return name
        return None


def schemas_dir(root: Path | None = None) -> Path:
    """The codebook in use: the project's own ``schemas/`` if it has one."""
    if root is not None and (Path(root) / "schemas" / "tables.yaml").is_file():
        return Path(root) / "schemas"
    if (PACKAGED_SCHEMAS / "tables.yaml").is_file():
        return PACKAGED_SCHEMAS
    return REPO_SCHEMAS


def load_codebook(directory: Path | None = None) -> Codebook:
    """The codebook in ``directory``, re-read whenever one of its files changes."""
    directory = Path(directory) if directory else schemas_dir()
    stamp = tuple(
        (p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in sorted(directory.glob("*.yaml"))
    )
    return _load_codebook(directory.resolve(), stamp)


@cache
def _load_codebook(directory: Path, stamp: tuple) -> Codebook:
    spec = yamlio.load_plain(directory / "tables.yaml")
    vocab = yamlio.load_plain(directory / "vocabularies.yaml")
    plover = yamlio.load_plain(directory / "plover.yaml")
    tables = {name: _table(name, t) for name, t in spec["tables"].items()}
    event_types = {t["code"]: _event_type(t) for t in plover["event_types"]}
    vocabularies = {k: dict(v) for k, v in vocab.items()}
    vocabularies["event_types"] = {c: t.definition for c, t in event_types.items()}
    vocabularies["event_modes"] = {
        m: d for t in event_types.values() for m, d in t.modes.items()
    }
    vocabularies["contexts"] = {c["code"]: c["definition"] for c in plover["contexts"]}
    return Codebook(
        root=directory,
        tables=tables,
        patterns=dict(spec.get("patterns", {})),
        vocabularies=vocabularies,
        event_types=event_types,
        plover_version=str(plover.get("version", "")),
    )


def _table(name: str, spec: dict) -> Table:
    fields = []
    for f in spec["fields"]:
        f = dict(f)
        if isinstance(f.get("vocabulary"), list):
            f["vocabulary"] = tuple(f["vocabulary"])
        fields.append(Field(**f))
    return Table(
        name=name,
        title=spec.get("title", name),
        description=spec.get("description", ""),
        fields=tuple(fields),
        primary_key=tuple(spec.get("primary_key", ())),
        location=spec.get("location"),
        nested_in=spec.get("nested_in"),
    )


def _event_type(spec: dict) -> EventType:
    modes = {m["code"]: m.get("definition", "") for m in spec.get("modes") or []}
    return EventType(
        code=spec["code"],
        quad=spec.get("quad", ""),
        cameo_roots=tuple(str(r) for r in spec.get("cameo_roots", [])),
        requires_recipient=bool(spec.get("requires_recipient", False)),
        definition=spec.get("definition", ""),
        modes=modes,
        extension=bool(spec.get("extension", False)),
    )


@cache
def code_list(name: str) -> frozenset[str]:
    """ISO code lists from pycountry."""
    import pycountry

    database, key = {
        "iso3166-1-alpha3": (pycountry.countries, "alpha_3"),
        "iso3166-2": (pycountry.subdivisions, "code"),
        "iso639-1": (pycountry.languages, "alpha_2"),
    }[name]
    records = _unloaded_records(database)
    if records is None:
        return frozenset(getattr(o, key) for o in database if hasattr(o, key))
    return frozenset(r[key] for r in records if key in r)


def _unloaded_records(database) -> list[dict] | None:
    """The records of a pycountry database that nobody has loaded (or changed)
    yet, read straight from its file; None once it is loaded.

    Building pycountry's objects for 8,000 languages and 5,000 subdivisions
    took a tenth of a second of every validation, only to read one code of each.
    """
    import orjson

    filename, root_key = getattr(database, "filename", None), getattr(database, "root_key", None)
    if getattr(database, "_is_loaded", True) or not filename or not root_key:
        return None
    with open(filename, "rb") as f:
        return orjson.loads(f.read())[root_key]
