"""JSON Schema for YAML annotation files, generated from the codebook.

Editors with a YAML language server validate as a curator types when a file
starts with ``# yaml-language-server: $schema=../schemas/json/events.schema.json``.
"""

from __future__ import annotations

import json
from pathlib import Path

from geoevents.codebook import Codebook, Field, Table

JSON_TYPES = {
    "string": {"type": "string"},
    "edtf": {"type": "string", "pattern": r"^[0-9./~?%-]+$"},
    "integer": {"type": ["integer", "string"], "pattern": r"^[0-9]+$"},
    "number": {"type": ["number", "string"]},
    "boolean": {"type": ["boolean", "string"], "enum": [True, False, "true", "false"]},
    "date": {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"},
}


def field_schema(f: Field, codebook: Codebook) -> dict:
    allowed = codebook.vocabulary(f)
    if f.type == "list":
        item = {"type": "string"}
        if allowed is not None:
            item["enum"] = allowed
        out = {"type": ["array", "string"], "items": item}
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
    return out


def schema(codebook: Codebook, table: str) -> dict:
    t = codebook.tables[table]
    head = {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": t.title}
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
