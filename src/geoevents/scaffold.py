"""``geoevents init``: an empty annotation project other curators can start from."""

from __future__ import annotations

import shutil
from pathlib import Path

from geoevents import jsonschema
from geoevents.codebook import load_codebook, schemas_dir

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
    write("seeds/sources.yaml", SOURCES)
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
