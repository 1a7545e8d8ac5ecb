"""A curator's day, end to end, with geoevents commands and a text editor only.

init, fill in the project file, register a source (its sha256 and language
computed), fill in what the command could not know, annotate, sign off as the
other curator, draft the CHANGELOG section, dry-run and publish 1.0.0; then a
second event, status, a second section and 1.1.0. Every edit a curator makes by
hand is a plain text replacement here.
"""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from geoevents.cli import main

TEXT = ("Inondations dans l'Aude : l'État envoie des renforts\n\n"
        "Carcassonne, 15 octobre 2018. Après une nuit de pluies diluviennes, le ministère de "
        "l'Intérieur a envoyé des renforts de sapeurs-pompiers dans l'Aude. À Carcassonne, 120 "
        "habitants ont été évacués. Le préfet a demandé aux habitants de ne pas prendre la "
        "route et a annoncé l'ouverture de trois gymnases pour les sinistrés.\n")

EVENT = """\
- event_id: 2018-10-15-renforts-aude
  date: "2018-10-15"
  status: occurred
  event_type: AID
  contexts: [disasters]
  location_id: carcassonne
  summary: The Interior ministry sent firefighter reinforcements to the Aude.
  annotated_by: amelie
  actors:
    - {actor_id: ministere-interieur, role: actor}
    - {actor_id: habitants-aude, role: recipient}
  citations:
    - source_id: SOURCE
      quote: le ministère de l'Intérieur a envoyé des renforts de sapeurs-pompiers dans l'Aude
      quote_en: the Interior ministry sent firefighter reinforcements to the Aude
"""

SECOND = """\
- event_id: 2018-10-15-prefet-conseille
  date: "2018-10-15"
  status: occurred
  event_type: REQUEST
  contexts: [disasters]
  location_id: carcassonne
  summary: The prefect asked residents not to take the road.
  annotated_by: yanis
  actors:
    - {actor_id: prefet-aude, role: actor}
    - {actor_id: habitants-aude, role: recipient}
  citations:
    - source_id: SOURCE
      quote: Le préfet a demandé aux habitants de ne pas prendre la route
      quote_en: The prefect asked residents not to take the road
"""


def run(root: Path, *args: str):
    result = CliRunner().invoke(main, [*args, "--root", str(root)] if args[0] != "init"
                                else list(args))
    return result


def ok(root: Path, *args: str) -> str:
    result = run(root, *args)
    assert result.exit_code == 0, (args, result.output)
    return result.output


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def problems(root: Path) -> set[tuple]:
    out = json.loads(run(root, "validate", "--format", "json").output)
    return {(p["rule"], p["file"], p["line"], p["field"]) for p in out["problems"]}


def test_a_corpus_from_init_to_its_second_release(tmp_path):
    root = tmp_path / "crues"
    ok(root, "init", str(root), "--data-license", "CC-BY-4.0")
    project = root / "geoevents.yaml"
    for field, value in (("title", "Crues"), ("description", "Floods in the French press."),
                         ("contact", "crues@example.org")):
        edit(project, f'"TODO: {field}"', json.dumps(value))
    edit(project, '["TODO: keywords"]', "[floods, France]")
    edit(project, "distinct_checker: false", "distinct_checker: true")
    assert problems(root) == set()

    # register a source: the text goes into seeds/, the command writes its record
    (root / "seeds" / "crue-aude.txt").write_text(TEXT, encoding="utf-8")
    assert ("source-unregistered", "seeds/crue-aude.txt", None, None) in problems(root)
    added = ok(root, "source", "add", str(root / "seeds" / "crue-aude.txt"))
    sources = root / "seeds" / "sources.yaml"
    record = sources.read_text(encoding="utf-8")
    assert "language: fr" in record or 'language: "fr"' in record, added
    source_id = next(line.split(":", 1)[1].strip().strip('"') for line in record.splitlines()
                     if line.lstrip("- ").startswith("source_id:"))
    left = problems(root)
    assert left and {rule for rule, *_ in left} == {"placeholder"}, left
    assert {file for _, file, *_ in left} == {"seeds/sources.yaml"}
    for _, _, _, field in sorted(left):
        value = {"published": '"2018-10-15"', "kind": "news",
                 "machine_generated": "false"}.get(field, '"Exemple Info"')
        text = sources.read_text(encoding="utf-8")
        line = next(x for x in text.splitlines() if x.strip().startswith(f"{field}:"))
        edit(sources, line, f"{line.split(':')[0]}: {value}")
    assert problems(root) == set()

    # registries and a first event, as a text editor would write them
    annotations = root / "annotations"
    with open(annotations / "curators.csv", "a", encoding="utf-8") as fh:
        fh.write("amelie,Amélie Roux,\nyanis,Yanis Benali,\n")
    with open(annotations / "actors.csv", "a", encoding="utf-8") as fh:
        header = (annotations / "actors.csv").read_text().strip().split(",")
        rows = [{"actor_id": "ministere-interieur", "name": "Ministry of the Interior",
                 "kind": "government", "country": "FRA"},
                {"actor_id": "prefet-aude", "name": "Prefect of the Aude",
                 "kind": "government", "country": "FRA"},
                {"actor_id": "habitants-aude", "name": "Residents of the Aude",
                 "kind": "group", "country": "FRA"}]
        fh.writelines(",".join(r.get(h, "") for h in header) + "\n" for r in rows)
    with open(annotations / "locations.csv", "a", encoding="utf-8") as fh:
        header = (annotations / "locations.csv").read_text().strip().split(",")
        row = {"location_id": "carcassonne", "name": "Carcassonne", "country": "FRA",
               "admin1": "FR-11", "lat": "43.21", "lon": "2.35", "precision": "settlement"}
        fh.write(",".join(row.get(h, "") for h in header) + "\n")
    events = annotations / "events.yaml"
    edit(events, "[]\n", EVENT.replace("SOURCE", source_id))
    assert {rule for rule, *_ in problems(root)} == {"unchecked"}

    # the annotator may not check her own event; the other curator signs it off
    refused = run(root, "sign-off", "2018-10-15-renforts-aude", "--by", "amelie")
    assert refused.exit_code == 1, refused.output
    ok(root, "sign-off", "2018-10-15-renforts-aude", "--by", "yanis", "--on", "2018-10-20")
    assert problems(root) == set()
    assert "checked_by: yanis" in events.read_text(encoding="utf-8")

    # the first release: a drafted section, a dry run, the build
    ok(root, "changelog", "--date", "2018-11-01", "--write")
    assert "## [1.0.0] - 2018-11-01" in (root / "CHANGELOG.md").read_text()
    assert ok(root, "build", "1.0.0", "--dry-run").splitlines()[-1] == "1.0.0 would be built"
    ok(root, "build", "1.0.0")
    assert (root / "dataset" / "1.0.0" / "events.parquet").is_file()

    # a second event, annotated by the other curator and checked by the first
    with open(events, "a", encoding="utf-8") as fh:
        fh.write(SECOND.replace("SOURCE", source_id))
    status = ok(root, "status").splitlines()
    assert status[1] == "annotations: 0 error(s), 1 warning(s) in 1 file(s) (1 unchecked event(s))"
    assert status == [
        "latest release: 1.0.0",
        "annotations: 0 error(s), 1 warning(s) in 1 file(s) (1 unchecked event(s))",
        ("change: 1 event added, 1 citation added, 2 event_actors added since 1.0.0: at least "
        "1.1.0 (minor)"),
        ("  citations: added 2018-10-15-prefet-conseille | crue-aude | Le préfet a demandé aux "
        "habitants de ne pas prendre la route"),
        "  event_actors: added 2018-10-15-prefet-conseille | habitants-aude | recipient",
        "  event_actors: added 2018-10-15-prefet-conseille | prefet-aude | actor",
        "  events: added 2018-10-15-prefet-conseille",
    ]
    ok(root, "sign-off", "--all-clean", "--by", "amelie", "--on", "2018-10-21")
    ok(root, "changelog", "--date", "2018-11-15", "--write")
    changelog = (root / "CHANGELOG.md").read_text(encoding="utf-8")
    assert changelog.index("## [Unreleased]") < changelog.index("## [1.1.0] - 2018-11-15") \
        < changelog.index("## [1.0.0] - 2018-11-01")
    assert "- 1 event: `2018-10-15-prefet-conseille`." in changelog
    ok(root, "build", "1.1.0")
    diff = ok(root, "diff", "1.0.0", "1.1.0")
    assert "events: added 2018-10-15-prefet-conseille" in diff.splitlines()
    assert ok(root, "build", "--check").strip() == "dataset/1.1.0 rebuilds byte for byte"
