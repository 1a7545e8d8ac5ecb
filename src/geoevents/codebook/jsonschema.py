"""JSON Schema for YAML annotation files, generated from the codebook.

Editors with a YAML language server validate as a curator types when a file
starts with ``# yaml-language-server: $schema=../schemas/json/events.schema.json``
(see ``schema_line``); ``check-jsonschema`` and ``ajv`` check a file from the
command line.

The schemas are JSON Schema draft 2020-12 (``$schema``) and use its keywords
only. They carry no ``$id``: each project generates its own from its own
codebook and reads it by a relative path, so no one address names them all.

What a schema can say of one file, it says as validate does: field types,
vocabularies, patterns, bounds, the calendar (an EDTF or ISO date must name days
that exist, and no date validate accepts fails), the modes of each event type
(rule mode-type) and, for an event that nests its actors, a recipient where the
type requires one (rule recipient-missing: an event that nests its actors nests
them all, rule nested-split). What needs other files (references, quotes in the
source texts, unique IDs across files, participants written in event_actors.csv)
is left to ``geoevents validate``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from geoevents.codebook import Codebook, Field, Table

DIALECT = "https://json-schema.org/draft/2020-12/schema"

# --- the calendar as regular expressions ------------------------------------
# The dates normalise.py accepts (EDTF levels 0-1 as annotators write them), each
# piece a non-capturing group so that the pieces nest. Python's re and ECMA-262
# (what editors and check-jsonschema use) read them alike.

YEAR = "[0-9]{4}"
#: a leap year: its last two digits divisible by 4, or 00 after two digits divisible
#: by 4 (a century divisible by 400; 0000 too, as normalise counts)
LEAP_YEAR = "(?:[0-9]{2}(?:0[48]|[2468][048]|[13579][26])|(?:0[048]|[2468][048]|[13579][26])00)"
MONTH = "(?:0[1-9]|1[0-2])"
MONTH_DAY = ("(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])"  # months of 31 days
             "|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)"  # of 30
             "|02-(?:0[1-9]|1[0-9]|2[0-8]))")  # February; the 29th needs a leap year
DAY = f"(?:{YEAR}-{MONTH_DAY}|{LEAP_YEAR}-02-29)"
#: spring (21) to winter (24): level 1 qualifies dates, never seasons
SEASON = f"{YEAR}-2[1-4]"
#: a day, a month or a year, uncertain (?), approximate (~) or both (%)
QUALIFIED = f"(?:{DAY}|{YEAR}-{MONTH}|{YEAR})[?~%]?"
SIDE = f"(?:{QUALIFIED}|{SEASON})"
#: a date, or an interval start/end whose one end may be open (..) or unknown (empty)
EDTF = rf"^(?:{SIDE}(?:/(?:{SIDE}|\.\.)?)?|(?:\.\.)?/{SIDE})$"
#: a date field: a day of the calendar, YYYY-MM-DD (validate strips blanks around it)
ISO_DAY = rf"^\s*{DAY}\s*$"

#: the words validate reads as true or false (normalise.TRUE, FALSE), in any case,
#: blanks around; an unquoted true is a boolean to YAML, yes a string (YAML 1.2)
BOOLEAN_WORDS = ("true", "yes", "false", "no")
BOOLEAN_TEXT = r"^\s*(?:{})\s*$".format(
    "|".join("".join(f"[{c.upper()}{c}]" for c in word) for word in BOOLEAN_WORDS))

JSON_TYPES = {
    "string": {"type": "string"},
    # a year left unquoted is a number to YAML, and validate reads its digits
    "edtf": {"type": ["string", "integer"], "pattern": EDTF, "minimum": 1000, "maximum": 9999},
    "integer": {"type": ["integer", "string"], "pattern": r"^[0-9]+$"},
    "number": {"type": ["number", "string"]},
    "boolean": {"type": ["boolean", "string"], "pattern": BOOLEAN_TEXT},
    "date": {"type": "string", "pattern": ISO_DAY},
}


def schema_line(rel: str, table: str) -> str:
    """The first line of a YAML file at ``rel`` (a path inside the project) that
    tells a YAML language server which schema checks it."""
    up = "../" * rel.count("/")
    return f"# yaml-language-server: $schema={up}schemas/json/{table}.schema.json\n"


def field_schema(f: Field, codebook: Codebook) -> dict:
    allowed = codebook.vocabulary(f)
    if f.type == "list":
        item = {"type": "string"}
        if allowed is not None:
            item["enum"] = allowed
        out = {"type": ["array", "string"], "items": item, "uniqueItems": True}
    else:
        out = dict(JSON_TYPES[f.type])
        if allowed is not None and len(allowed) <= 500:
            out["enum"] = allowed
        out |= codebook.keywords(f)
    if not f.required:
        out = {"anyOf": [out, {"type": "null"}]}
    out["description"] = f.description
    return out


def record_schema(table: Table, codebook: Codebook, nested: bool = False) -> dict:
    props = {f.name: field_schema(f, codebook) for f in table.fields}
    required = [f.name for f in table.fields if f.required]
    patterns = {}
    for name in table.localized:
        patterns[rf"^{name}_[a-z]{{2}}$"] = {"type": ["string", "null"],
                                            "description": f"{name} in another language"}
    for child in codebook.tables.values():
        if child.nested_in and child.nested_in["table"] == table.name:
            sub = record_schema(child, codebook, nested=True)
            props[child.nested_in["key"]] = {"type": "array", "items": sub,
                                             "description": child.description}
    if nested:  # the parent's key is filled in from the enclosing record
        parent_key = codebook.tables[table.nested_in["table"]].primary_key[0]
        required = [r for r in required if r != parent_key]
    out = {"type": "object", "properties": props, "required": required,
           "additionalProperties": False, "description": table.description}
    if patterns:
        out["patternProperties"] = patterns
    clauses = event_type_clauses(table, codebook)
    if clauses:
        out["allOf"] = clauses
    return out


def event_type_clauses(table: Table, codebook: Codebook) -> list[dict]:
    """What the rules mode-type and recipient-missing (check/eventtypes.py) ask of
    an event, as if/then clauses generated from plover.yaml.

    One clause per event type names its modes (or none: modes stays empty). One
    more asks an event of a type that requires a recipient, when it nests its
    actors, for one in a role that plays the part of target (roles of
    vocabularies.yaml). An event whose actors are all in event_actors.csv is not
    judged here: the file does not show them.
    """
    if table.name != "events":
        return []
    clauses = []
    for code, event_type in codebook.event_types.items():
        clauses.append({
            "$comment": f"mode-type: the modes of {code}",
            "if": {"properties": {"event_type": {"const": code}}, "required": ["event_type"]},
            "then": {"properties": {"modes": _modes_of(event_type.modes)}},
        })
    needs = [code for code, t in codebook.event_types.items() if t.requires_recipient]
    targets = codebook.role_values("event_actors", "role", "target")
    key = codebook.tables["event_actors"].nested_in["key"]
    if needs:
        clauses.append({
            "$comment": "recipient-missing: these types require a recipient",
            "if": {"properties": {"event_type": {"enum": needs}},
                   "required": ["event_type", key]},
            # the types spelled out, as ajv's strict mode asks of contains and required
            "then": {"properties": {key: {"type": "array", "contains": {
                "type": "object", "properties": {"role": {"enum": targets}},
                "required": ["role"]}}}},
        })
    return clauses


def _literal(text: str) -> str:
    """``text`` as a regular expression that matches it alone, escaped for ECMA 262's
    unicode mode too (which refuses Python's escapes of characters such as ``-``)."""
    return re.sub(r"([\\^$.|?*+()\[\]{}/])", r"\\\1", text)


def _modes_of(modes: dict) -> dict:
    """The values ``modes`` may take for an event type: a list of its modes (or,
    as in CSV, a string of them separated by semicolons); none for a type without."""
    # as validate reads a list written as text: items separated by ';', each stripped,
    # empty ones left out
    if not modes:
        return {"anyOf": [{"type": "null"}, {"type": "array", "maxItems": 0},
                          {"type": "string", "pattern": r"^[\s;]*$"}]}
    one = "(?:" + "|".join(_literal(m) for m in modes) + ")"
    return {"anyOf": [{"type": "null"}, {"type": "array", "items": {"enum": list(modes)}},
                      {"type": "string", "pattern": rf"^\s*(?:{one}?\s*;\s*)*{one}?\s*$"}]}


def schema(codebook: Codebook, table: str) -> dict:
    t = codebook.tables[table]
    head = {"$schema": DIALECT, "title": t.title}
    if t.one_record:  # the project file: one mapping
        return head | record_schema(t, codebook) | {
            "description": f"{t.location}: one record. {t.description}"}
    return head | {
        "description": f"A YAML annotation file of {table}: a list of records.",
        "type": "array",
        "items": record_schema(t, codebook),
    }


def dumps(codebook: Codebook, table: str) -> str:
    return json.dumps(schema(codebook, table), ensure_ascii=False, indent=2) + "\n"


def write_all(codebook: Codebook, directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name in codebook.tables:
        path = directory / f"{name}.schema.json"
        path.write_text(dumps(codebook, name), encoding="utf-8")
        written.append(path)
    return written
