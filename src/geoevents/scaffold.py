"""``geoevents init``: an empty annotation project other curators can start from."""

from __future__ import annotations

import json
import re
import shutil
import unicodedata
from pathlib import Path

from geoevents.check.project import PLACEHOLDER
from geoevents.codebook import Table, jsonschema, load_codebook, schemas_dir

SOURCES = """\
# One record per source document in this folder. See schemas/tables.yaml (sources).
# - source_id: my-source
#   file: my_source.txt
#   sha256: <sha256sum of the file>
#   language: en
#   title: ...
#   title_en: ...
#   publisher: ...
#   published: "2024-05-01"
#   kind: news
#   machine_generated: false
#   rights: ...
[]
"""

EVENTS = """\
# yaml-language-server: $schema=../schemas/json/events.schema.json
# Events, one record each, with nested actors and citations. See schemas/tables.yaml.
[]
"""

README = """\
# Annotation project

Source texts go in `seeds/` (never edited) and are described in `seeds/sources.yaml`.
Annotations go in `annotations/`: registries as CSV, events as YAML.
The codebook in use is `schemas/`. Check everything with:

    geoevents validate --root .
"""


def init(directory: Path) -> list[Path]:
    """Create the folders and starter files; refuse to touch an existing project."""
    directory = Path(directory)
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise FileExistsError(f"{directory} exists and is not an empty folder; choose a new one")
    codebook = load_codebook(schemas_dir())
    made: list[Path] = []

    def write(rel: str, text: str) -> None:
        path = directory / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        made.append(path)

    write("README.md", README)
    project = codebook.tables["project"]
    write(project.location, project_file(project, directory.resolve().name))
    write("seeds/sources.yaml", jsonschema.schema_line("seeds/sources.yaml", "sources") + SOURCES)
    for name in ("curators", "actors", "locations"):
        header = codebook.tables[name].names
        write(f"annotations/{name}.csv", ",".join(header) + "\n")
    write("annotations/events.yaml", EVENTS)
    for src in sorted(codebook.root.glob("*.yaml")):
        target = directory / "schemas" / src.name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, target)
        made.append(target)
    made += jsonschema.write_all(codebook, directory / "schemas" / "json")
    return made


def project_file(table: Table, folder: str) -> str:
    """geoevents.yaml with one line per field of the codebook's project table: the
    name from the folder's, placeholders ("TODO: ...") that validate reports until
    they are filled in, optional fields as comments."""
    ascii_name = unicodedata.normalize("NFKD", folder).encode("ascii", "ignore").decode()
    name = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-") or "my-dataset"
    lines = ["# yaml-language-server: $schema=schemas/json/project.schema.json",
             "# The project file: what this dataset is and how it is published. Every",
             "# release file takes its metadata from here; `geoevents validate` reports",
             f"# each value still beginning with {PLACEHOLDER}. Fields: schemas/tables.yaml,",
             "# table project.", ""]
    for f in table.fields:
        lines.append(f"# {f.description}")
        if f.name == "name":
            value = json.dumps(name)
        elif f.type == "boolean":
            value = "false"
        elif f.type == "list":
            value = json.dumps([f"{PLACEHOLDER}: {f.name}"])
        else:
            value = json.dumps(f"{PLACEHOLDER}: {f.name}")
        lines.append(f"{f.name}: {value}" if f.required else f"# {f.name}: ")
    return "\n".join(lines) + "\n"
